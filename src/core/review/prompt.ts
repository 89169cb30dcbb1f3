/**
 * The review prompt, for whichever tier the router picks. Lines are numbered as they are in the editor,
 * so findings can name them exactly; the instructions are the same for every review (the Claude tier
 * marks them for prompt caching, and the cache read costs a tenth of the input price).
 */
import { estimateTokens } from '../tokens';

export interface ReviewFileInput {
  path: string;
  /** Current text (undefined: deleted in the change). */
  text: string | undefined;
  /** Lines the change (or selection) touches; empty for "the whole file". */
  changedRanges: ReadonlyArray<{ startLine: number; endLine: number }>;
}

export interface ReviewInput {
  files: readonly ReviewFileInput[];
  /** Unified diff of the change, '' when reviewing files as they are. */
  diff: string;
}

export interface ContextDefinition {
  file: string;
  startLine: number;
  endLine: number;
  text: string;
}

export interface ReviewRequestOptions {
  /** Most (estimated) tokens of file text and context in the request. */
  maxInputTokens: number;
  /** Lines shown around each changed range when a file is too large to send whole. */
  windowLines?: number;
}

const INSTRUCTIONS = `You are a meticulous senior engineer reviewing code for a colleague.
Report only real problems a careful reviewer would raise: bugs, security issues, incorrect edge cases, data loss,
race conditions, performance traps, misleading names or comments, missing tests for risky logic. Do not report
formatting or matters of taste. Focus on the changed lines (a file's review-lines attribute, or the diff); use the
rest of the file and the definitions only to understand them.
For every finding give the file path exactly as given, the line numbers as numbered in the input (1-based,
inclusive), a severity (error: will misbehave; warning: likely problem; info: worth a look), a category, a short
message that says what is wrong and why, and your confidence from 0 to 1. When the fix is clear and local, give
"suggestion": the full replacement text for lines startLine..endLine, with their indentation, and nothing else.
If the code is fine, return an empty findings list. Answer with JSON only.`;

/** Builds the review prompt: the instructions, and one user message with the diff, files and definitions. */
export function buildReviewPrompt(input: ReviewInput, context: readonly ContextDefinition[], options: ReviewRequestOptions): { system: string; prompt: string } {
  const sections: string[] = [];
  let budget = options.maxInputTokens;
  if (input.diff) {
    const diff = fitText(input.diff, Math.floor(budget * 0.4));
    sections.push(`<diff>\n${diff}\n</diff>`);
    budget -= estimateTokens(diff);
  }
  for (const file of input.files) {
    if (file.text === undefined) {
      sections.push(`<file path="${file.path}" deleted="true"/>`);
      continue;
    }
    const shown = numberedExcerpt(file.text, file.changedRanges, Math.max(256, Math.floor(budget / Math.max(1, input.files.length))), options.windowLines ?? 40);
    // The lines under review, so a selection or a diff's hunks are what the findings are about.
    const focus = file.changedRanges.length ? ` review-lines="${file.changedRanges.map((r) => (r.startLine === r.endLine ? r.startLine : `${r.startLine}-${r.endLine}`)).join(',')}"` : '';
    sections.push(`<file path="${file.path}"${focus}>\n${shown}\n</file>`);
    budget -= estimateTokens(shown);
  }
  const definitions: string[] = [];
  for (const d of context) {
    const cost = estimateTokens(d.text) + 20;
    if (cost > budget) continue;
    budget -= cost;
    definitions.push(`<definition file="${d.file}" lines="${d.startLine}-${d.endLine}">\n${d.text}\n</definition>`);
  }
  if (definitions.length) sections.push(`Definitions the code uses, from other files (for understanding; do not review them):\n${definitions.join('\n')}`);

  return { system: INSTRUCTIONS, prompt: `Review this change.\n\n${sections.join('\n\n')}` };
}

/**
 * The file with its editor line numbers: all of it when it fits, otherwise windows around the changed
 * ranges (with "…" between them), so the numbers Claude cites are the real ones either way.
 */
export function numberedExcerpt(
  text: string,
  ranges: ReadonlyArray<{ startLine: number; endLine: number }>,
  maxTokens: number,
  windowLines: number,
): string {
  const lines = text.split(/\r?\n/);
  const width = String(lines.length).length;
  const render = (from: number, to: number) => lines.slice(from - 1, to).map((line, i) => numberedLine(from + i, width, line));
  const whole = render(1, lines.length).join('\n');
  if (estimateTokens(whole) <= maxTokens || ranges.length === 0) return ranges.length === 0 ? fitText(whole, maxTokens) : whole;

  const windows = mergeRanges(ranges.map((r) => ({ startLine: Math.max(1, r.startLine - windowLines), endLine: Math.min(lines.length, r.endLine + windowLines) })));
  const parts: string[] = [];
  let used = 0;
  for (const w of windows) {
    const part = render(w.startLine, w.endLine).join('\n');
    if (used + estimateTokens(part) > maxTokens && parts.length) break;
    parts.push(part);
    used += estimateTokens(part);
  }
  return parts.join('\n…\n');
}

/** One line as Claude sees it: its editor number, right-aligned to `width`, then `| ` and the text. */
export function numberedLine(n: number, width: number, text: string): string {
  return `${String(n).padStart(width)}| ${text}`;
}

export function mergeRanges(ranges: ReadonlyArray<{ startLine: number; endLine: number }>): Array<{ startLine: number; endLine: number }> {
  const sorted = [...ranges].sort((a, b) => a.startLine - b.startLine);
  const merged: Array<{ startLine: number; endLine: number }> = [];
  for (const r of sorted) {
    const last = merged.at(-1);
    if (last && r.startLine <= last.endLine + 1) last.endLine = Math.max(last.endLine, r.endLine);
    else merged.push({ ...r });
  }
  return merged;
}

/** Cuts text to a token budget at a line boundary, saying so. */
function fitText(text: string, maxTokens: number): string {
  if (estimateTokens(text) <= maxTokens) return text;
  const lines = text.split('\n');
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    used += estimateTokens(`${line}\n`);
    if (used > maxTokens) break;
    kept.push(line);
  }
  return `${kept.join('\n')}\n… (${lines.length - kept.length} more lines not shown)`;
}
