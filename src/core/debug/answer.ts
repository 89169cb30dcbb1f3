/**
 * Reading the debug answer.
 *
 * Fixes may only touch lines Claude was shown. It sees windows of the files, not the files, and a
 * replacement for lines it never saw would overwrite code it knows nothing about.
 */
import type * as z from 'zod';
import { locatedItems } from '../tiers/locatedItems';
import { parseStructured } from '../tiers/structured';
import type { LineRange } from '../edits/lineEdit';
import { DebugAnswerShape, DebugFixSchema, type DebugAnswer } from './schema';

export type ParsedDebug =
  | { ok: true; answer: DebugAnswer; rejected: Array<{ fix: unknown; reason: string }> }
  | { ok: false; error: string; raw: string };

/** Parses the model's raw answer and keeps the fixes that replace lines it was shown (see checkDebugAnswer). */
export function parseDebugAnswer(raw: string, files: ReadonlyArray<{ path: string; lineCount: number; ranges?: readonly LineRange[] }>): ParsedDebug {
  const parsed = parseStructured(raw, DebugAnswerShape);
  if (!parsed.ok) return { ok: false, error: parsed.error, raw };
  const checked = checkDebugAnswer(parsed.value, files);
  return checked.ok ? checked : { ...checked, raw };
}

/**
 * Keeps the fixes that replace lines the model was shown. A fix naming another file, lines past the end,
 * or (when `ranges` are given) lines outside the windows sent, is dropped with a reason rather than applied
 * to code the model never saw.
 */
export function checkDebugAnswer(
  answer: z.infer<typeof DebugAnswerShape>,
  files: ReadonlyArray<{ path: string; lineCount: number; ranges?: readonly LineRange[] }>,
): { ok: true; answer: DebugAnswer; rejected: Array<{ fix: unknown; reason: string }> } | { ok: false; error: string } {
  if (!answer.summary && !answer.rootCause && !answer.explanation && answer.fixes.length === 0) {
    return { ok: false, error: 'the answer is empty' };
  }

  const { kept: fixes, rejected } = locatedItems(answer.fixes, DebugFixSchema, files, {
    notShown: (file) => `${file} was not shown, so it cannot be fixed here`,
    check: (fix, file) => {
      if (fix.endLine < fix.startLine) return `lines ${fix.startLine}-${fix.endLine} are in the wrong order`;
      if (fix.endLine > file.lineCount) return `line ${fix.endLine} is past the end of ${fix.file} (${file.lineCount} lines)`;
      if (file.ranges && !file.ranges.some((r) => fix.startLine >= r.startLine && fix.endLine <= r.endLine)) {
        return `lines ${fix.startLine}-${fix.endLine} of ${fix.file} were not shown to Claude`;
      }
      return undefined;
    },
  });
  const summary = answer.summary.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
  return { ok: true, answer: { summary, rootCause: answer.rootCause.trim(), explanation: answer.explanation.trim(), fixes }, rejected: rejected.map(({ candidate, reason }) => ({ fix: candidate, reason })) };
}
