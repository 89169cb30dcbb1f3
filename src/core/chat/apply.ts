/**
 * Where a code block from an answer goes in its target file. Models answer with the changed function or
 * block, not a patch, so the block is placed by its first line: a line found exactly once in the file
 * anchors it, and the block replaces that line's whole construct (to the line that returns to the anchor's
 * indentation, closer included). Without an anchor it replaces the code the question was about, or goes
 * in at the cursor. The user sees the result as a diff before anything changes.
 */
import type { FileChange } from '../edits/fileChange';
import { linesOf } from '../edits/lineEdit';
import type { LineRange } from './types';

export interface ApplyPlan {
  /** Lines of the file the block replaces (1-based, inclusive); `endLine = startLine - 1` inserts before startLine. */
  startLine: number;
  endLine: number;
  /** Said in the diff's title: how the place was found. */
  how: 'whole file' | 'matching block' | 'selection' | 'cursor';
}

/** First lines too common to anchor on. */
const MIN_ANCHOR_CHARS = 8;

export function planApply(fileText: string, code: string, where: { selection?: LineRange; cursorLine: number }): ApplyPlan {
  const file = fileText.split(/\r?\n/);
  const block = code.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  const firstCode = block.find((l) => l.trim());
  const fileLines = file.length - (file.at(-1) === '' ? 1 : 0);
  if (firstCode !== undefined) {
    const first = firstIndex(file, (l) => l.trim() !== '');
    const lastCode = [...block].reverse().find((l) => l.trim())!;
    const last = lastIndex(file, (l) => l.trim() !== '');
    if (first >= 0 && file[first]!.trim() === firstCode.trim() && file[last]!.trim() === lastCode.trim() && block.length >= fileLines * 0.8) {
      return { startLine: 1, endLine: fileLines, how: 'whole file' };
    }
    const anchor = firstCode.trim();
    const matches = anchor.length >= MIN_ANCHOR_CHARS ? file.flatMap((l, i) => (l.trim() === anchor ? [i] : [])) : [];
    if (matches.length === 1) {
      const start = matches[0]!;
      return { startLine: start + 1, endLine: constructEnd(file, start) + 1, how: 'matching block' };
    }
  }
  if (where.selection && where.selection.endLine <= fileLines) return { ...where.selection, how: 'selection' };
  const line = Math.min(Math.max(1, where.cursorLine), fileLines + 1);
  return { startLine: line, endLine: line - 1, how: 'cursor' };
}

/**
 * The plan as the shared proposal edit (src/core/edits), which the editor shows as a diff and applies as
 * one WorkspaceEdit if the lines still read as they did. An insertion replaces the line it goes above
 * with the block and that line, so it too has lines to check.
 */
export function proposeChange(path: string, fileText: string, code: string, plan: ApplyPlan): Extract<FileChange, { kind: 'lines' }> {
  const block = code.replace(/\r\n?/g, '\n').replace(/\n$/, '');
  if (plan.endLine >= plan.startLine) {
    return { kind: 'lines', path, edit: { startLine: plan.startLine, endLine: plan.endLine, replacement: block }, expected: linesOf(fileText, plan.startLine, plan.endLine) };
  }
  const below = linesOf(fileText, plan.startLine, plan.startLine);
  // The closing newline keeps an empty last line (the file's final newline) as it was.
  return { kind: 'lines', path, edit: { startLine: plan.startLine, endLine: plan.startLine, replacement: `${block}\n${below}\n` }, expected: below };
}

/** Index of the last line of the construct that starts at `start`: its body is indented deeper. */
function constructEnd(file: readonly string[], start: number): number {
  const indent = indentOf(file[start]!);
  let end = start;
  for (let i = start + 1; i < file.length; i++) {
    const line = file[i]!;
    if (!line.trim()) continue;
    if (indentOf(line) > indent) {
      end = i;
      continue;
    }
    // A closer at the anchor's depth ends the construct and belongs to it: `}`, `})`, `end`, `</div>`.
    if (/^\s*(?:[}\])]|end\b|<\/)/.test(line)) end = i;
    break;
  }
  return end;
}

function indentOf(line: string): number {
  return /^[ \t]*/.exec(line)![0].replace(/\t/g, '    ').length;
}

function firstIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  return items.findIndex(test);
}

function lastIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return i;
  return -1;
}
