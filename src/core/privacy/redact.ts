/**
 * Replaces secrets in text bound for Claude with `[REDACTED:<kind>]`, leaving the code around them
 * as it was. This is the one function every text that leaves for Claude goes through (file and diff
 * sections, stack traces, chat), in any of the shapes those take; the detectors are in detectors.ts.
 *
 * A redaction keeps the line count, so line numbers in a review of the redacted text are the
 * file's own.
 */
import { DETECTORS, type SecretKind } from './detectors';

export type { SecretKind } from './detectors';

export interface Redaction {
  kind: SecretKind;
  /** 1-based line of the text passed in where the secret started. */
  line: number;
}

export interface RedactionResult {
  text: string;
  redactions: Redaction[];
}

export interface RedactOptions {
  /**
   * The text is a unified diff: a secret spanning lines keeps each continuation line's first
   * character (its `+`, `-` or space marker), so the hunks still parse.
   */
  diff?: boolean;
}

/** Every kind a redaction can have, for documentation and settings. */
export const SECRET_KINDS: readonly SecretKind[] = [...new Set(DETECTORS.map((d) => d.kind))];

interface Span {
  start: number;
  end: number;
  kind: SecretKind;
  priority: number;
}

/**
 * `text` with every secret found replaced by `[REDACTED:<kind>]`, and where each was. Detectors are
 * run over the original text; when two overlap, the earlier (more specific) detector wins.
 */
export function redactSecrets(text: string, options: RedactOptions = {}): RedactionResult {
  const spans: Span[] = [];
  DETECTORS.forEach((detector, priority) => {
    for (const [from, to] of detector.within ? detector.within(text) : [[0, text.length] as [number, number]]) {
      const region = from === 0 && to === text.length ? text : text.slice(from, to);
      detector.pattern.lastIndex = 0;
      for (const match of region.matchAll(detector.pattern)) {
        const group = (detector.groups ?? [0]).find((g) => match.indices?.[g] !== undefined);
        const range = group === undefined ? undefined : match.indices?.[group];
        if (!range || range[1] <= range[0]) continue;
        const secret = region.slice(range[0], range[1]);
        if (detector.accept && !detector.accept(secret)) continue;
        spans.push({ start: from + range[0], end: from + range[1], kind: detector.kind, priority });
      }
    }
  });
  if (spans.length === 0) return { text, redactions: [] };

  spans.sort((a, b) => a.priority - b.priority || a.start - b.start);
  const kept: Span[] = [];
  for (const span of spans) {
    if (!kept.some((k) => span.start < k.end && k.start < span.end)) kept.push(span);
  }
  kept.sort((a, b) => a.start - b.start);

  const lineStarts = lineStartOffsets(text);
  let out = '';
  let at = 0;
  const redactions: Redaction[] = [];
  for (const span of kept) {
    out += text.slice(at, span.start) + replacementFor(text.slice(span.start, span.end), span.kind, options.diff === true);
    at = span.end;
    redactions.push({ kind: span.kind, line: lineOf(lineStarts, span.start) });
  }
  out += text.slice(at);
  return { text: out, redactions };
}

/**
 * The marker plus one newline per newline replaced, so the lines after it keep their numbers; each
 * continuation line keeps a review's line number (`12| `) and, in a diff, its marker.
 */
function replacementFor(secret: string, kind: SecretKind, diff: boolean): string {
  const lines = secret.split('\n');
  let replacement = `[REDACTED:${kind}]`;
  for (const line of lines.slice(1)) {
    const gutter = /^ *\d+\| ?/.exec(line)?.[0] ?? '';
    const marker = line[0];
    replacement += `\n${gutter || (diff && (marker === '+' || marker === '-' || marker === ' ') ? marker : '')}`;
  }
  return replacement;
}

function lineStartOffsets(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineOf(lineStarts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
