/**
 * The debug report as markdown: which tier answered, the diagnosis, and each fix as a diff hunk.
 */
import { formatUsd } from '../claude/budget';
import { replacementLines } from '../edits/lineEdit';
import { fenced } from '../markdown/fence';
import { describeAnswer } from '../tiers';
import type { DebugResult } from './run';
import type { DebugFix } from './schema';

export interface DebugMarkdownOptions {
  /** The error as the user saw it (its first line titles the report when the answer has no summary). */
  errorMessage: string;
  /** Current text of the files fixes touch, by workspace path: the diff's `-` lines come from here. */
  fileTexts?: ReadonlyMap<string, string>;
}

/** The report shown in a markdown preview (or the chat view): diagnosis, then each fix as a diff. */
export function formatDebugMarkdown(result: DebugResult, options: DebugMarkdownOptions): string {
  const out: string[] = [];
  const firstLine = options.errorMessage.split('\n').map((l) => l.trim()).find(Boolean) ?? 'Error';
  const answer = result.answer;
  out.push(`# ${headingText(answer?.summary || firstLine)}`);
  // Which tier answered and why, before anything it says.
  out.push(`*${describeAnswer(result.reply)} — ${result.route.reason}*`);
  out.push(fenced(options.errorMessage.trim() || firstLine, 'text'));

  if (!answer) {
    out.push(`## ${result.route.tier === 'claude' ? "Claude's" : "The local model's"} answer could not be read`);
    out.push(`${result.malformed?.error ?? 'No answer.'}`);
    const raw = result.malformed?.raw ?? '';
    if (raw.trim()) out.push(fenced(raw.length > 4000 ? `${raw.slice(0, 4000)}\n…` : raw, 'text'));
  } else {
    if (answer.rootCause) out.push('## Root cause', answer.rootCause);
    if (answer.explanation) out.push('## Explanation', answer.explanation);
    if (answer.fixes.length === 0) out.push('## Proposed fixes', 'No fix proposed.');
    else {
      out.push('## Proposed fixes');
      answer.fixes.forEach((fix, i) => {
        const lines = fix.startLine === fix.endLine ? `line ${fix.startLine}` : `lines ${fix.startLine}–${fix.endLine}`;
        out.push(`### ${i + 1}. ${headingText(fix.description)}`);
        out.push(`\`${fix.file}\`, ${lines} · confidence ${Math.round(fix.confidence * 100)}%`);
        out.push(fenced(fixDiff(fix, options.fileTexts?.get(fix.file)), 'diff'));
      });
    }
  }
  if (result.rejectedFixes.length) {
    const n = result.rejectedFixes.length;
    out.push(`> ${n} proposed fix${n === 1 ? ' was' : 'es were'} left out: ${result.rejectedFixes.map((r) => r.reason.replace(/\s+/g, ' ')).join('; ')}`);
  }
  out.push('---', result.route.tier === 'claude' ? `Estimated cost ${formatUsd(result.costUsd)}${result.requestId ? ` · request \`${result.requestId}\`` : ''}` : 'Answered on your machine: no cost.');
  return `${out.join('\n\n')}\n`;
}

/** The fix as a unified-diff hunk: the lines it replaces, then the new ones. */
function fixDiff(fix: DebugFix, fileText: string | undefined): string {
  const header = `@@ -${fix.startLine},${fix.endLine - fix.startLine + 1} +${fix.startLine},${replacementLines(fix.replacement).length} @@ ${fix.file}`;
  const added = replacementLines(fix.replacement).map((l) => `+${l}`);
  if (fileText === undefined) return [header, '# (current lines not available)', ...added].join('\n');
  const removed = fileText
    .split(/\r?\n/)
    .slice(fix.startLine - 1, fix.endLine)
    .map((l) => `-${l}`);
  return [header, ...removed, ...added].join('\n');
}

/** One line, no markdown heading or HTML syntax that would restructure the report. */
function headingText(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/^#+\s*/, '').replace(/</g, '&lt;');
}
