/**
 * A rewrite indented like the code it replaces. Models often answer a method at column 0, or with two
 * spaces in a four-space (or tab) file; pasted as is, that is wrong in most languages and breaks Python.
 */
import detectIndent from 'detect-indent';

/**
 * `code` re-indented to sit where `original` was: its indentation unit converted to the file's (tabs,
 * 2 or 4 spaces), then its first line moved to the original's first line's indentation, every other line
 * keeping its depth relative to it. Leading and trailing blank lines are dropped.
 */
export function matchIndentation(code: string, original: string, fileText: string): string {
  const lines = trimBlankLines(code.replace(/\r\n?/g, '\n').split('\n'));
  if (lines.length === 0) return '';
  const file = detectIndent(fileText);
  const own = detectIndent(lines.join('\n'));
  const converted = file.type && own.type && (file.type !== own.type || file.amount !== own.amount) ? lines.map((l) => convertUnit(l, own, file)) : lines;

  const base = indentOf(firstCodeLine(original.split(/\r?\n/)) ?? '');
  const codeBase = indentOf(firstCodeLine(converted) ?? '');
  if (base === codeBase) return converted.join('\n');
  return converted
    .map((line) => {
      if (!line.trim()) return '';
      // A line less indented than the first (a closing bracket of an answer that started mid-block) keeps its own place.
      return line.startsWith(codeBase) ? base + line.slice(codeBase.length) : line;
    })
    .join('\n');
}

function convertUnit(line: string, from: { type?: string; amount: number }, to: { type?: string; amount: number }): string {
  const indent = indentOf(line);
  const width = [...indent].reduce((w, c) => w + (c === '\t' ? from.amount || 4 : 1), 0);
  const unitWidth = from.type === 'tab' ? from.amount || 4 : Math.max(1, from.amount);
  const levels = Math.floor(width / unitWidth);
  const rest = width - levels * unitWidth;
  const unit = to.type === 'tab' ? '\t' : ' '.repeat(Math.max(1, to.amount));
  return unit.repeat(levels) + ' '.repeat(rest) + line.slice(indent.length);
}

function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

function firstCodeLine(lines: readonly string[]): string | undefined {
  return lines.find((l) => l.trim());
}

function trimBlankLines(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && !lines[start]!.trim()) start++;
  while (end > start && !lines[end - 1]!.trim()) end--;
  return lines.slice(start, end);
}
