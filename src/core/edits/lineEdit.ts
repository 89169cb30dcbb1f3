/**
 * Whole-line edits a model proposes (a debug fix, a refactor), applied to a file's text. Shared by every
 * feature that shows a proposal as a diff and applies it: the lines outside the edit come back byte for
 * byte, in the file's own line endings.
 */
import { TiercelError } from '../errors';

/** Lines startLine..endLine, 1-based and inclusive: what review, debug and refactor point at. */
export interface LineRange {
  startLine: number;
  endLine: number;
}

/** A line range replaced by `replacement` (empty deletes its lines). */
export interface LineEdit extends LineRange {
  replacement: string;
}

/**
 * `fileText` with the edit's lines replaced, in the file's own line endings. A trailing newline on the
 * replacement ends its last line rather than adding an empty one.
 */
export function applyLineEdit(fileText: string, edit: LineEdit): string {
  const eol = dominantEol(fileText);
  const lines = fileText.split(/\r?\n/);
  if (edit.startLine < 1 || edit.endLine < edit.startLine || edit.endLine > lines.length) {
    throw new TiercelError(`The change no longer fits the file: lines ${edit.startLine}-${edit.endLine} of ${lines.length}. Run it again.`, ['retry']);
  }
  lines.splice(edit.startLine - 1, edit.endLine - edit.startLine + 1, ...replacementLines(edit.replacement));
  return lines.join(eol);
}

/** The lines a replacement puts in place (none for an empty one). */
export function replacementLines(replacement: string): string[] {
  if (replacement === '') return [];
  const lines = replacement.replace(/\r\n?/g, '\n').split('\n');
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  return lines;
}

/** Lines startLine..endLine of `text`, joined with `\n`. */
export function linesOf(text: string, startLine: number, endLine: number): string {
  return text.split(/\r?\n/).slice(startLine - 1, endLine).join('\n');
}

export function dominantEol(text: string): '\r\n' | '\n' {
  const crlf = text.match(/\r\n/g)?.length ?? 0;
  const lf = (text.match(/\n/g)?.length ?? 0) - crlf;
  return crlf > lf ? '\r\n' : '\n';
}

/**
 * The smallest span of `before` to replace to get `after` (common prefix and suffix left alone): an
 * editor applies it without moving the cursor, folds or markers outside the change.
 */
export function changedSpan(before: string, after: string): { start: number; end: number; text: string } {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  // Never split a CRLF or a surrogate pair: step back to a whole character.
  if (start > 0 && start < max && (isLowSurrogate(before.charCodeAt(start)) || before[start] === '\n')) start--;
  let end = 0;
  while (end < max - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
  if (end > 0 && end < max - start && (isLowSurrogate(before.charCodeAt(before.length - end)) || before[before.length - end] === '\n')) end--;
  return { start, end: before.length - end, text: after.slice(start, after.length - end) };
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
