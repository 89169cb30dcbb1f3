/**
 * Unified diffs, git's or `diff -u`'s: split into files and hunks, and read for the new-file lines
 * they touch; and written, for a new file git has no diff for.
 */
import type { LineRange } from '../edits/lineEdit';
import type { ChangeStatus } from './change';

export interface DiffHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Body lines with their ` `, `+`, `-` or `\` marker. */
  lines: string[];
}

export interface DiffSection {
  /** Without the `a/` prefix; undefined for an added file (`/dev/null`). */
  oldPath: string | undefined;
  /** Without the `b/` prefix; undefined for a deleted file. */
  newPath: string | undefined;
  status: Exclude<ChangeStatus, 'unchanged'>;
  binary: boolean;
  hunks: DiffHunk[];
  /** The section's own text: its headers and hunks, without lines foreign to the format. */
  text: string;
}

export interface ParsedDiff {
  /** Text before the first file (a commit message in `git format-patch` output). */
  preamble: string;
  sections: DiffSection[];
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

interface SectionDraft {
  start: number;
  /** The lines that are part of the diff format; anything else between files is not carried along. */
  kept: string[];
  gitLine?: string;
  /** Opened by a non-git `diff -u a b` line, whose `---`/`+++` follow. */
  plainDiffLine?: boolean;
  minus?: string;
  plus?: string;
  renameFrom?: string;
  renameTo?: string;
  copy: boolean;
  added: boolean;
  deleted: boolean;
  binary: boolean;
  hunks: DiffHunk[];
}

/**
 * Splits a unified diff (git's, or `diff -u`'s) into files and hunks. Hunk bodies are consumed by
 * their line counts, so a removed line that reads `-- x` (shown as `--- x`) is not taken for a header.
 */
export function parseUnifiedDiff(diff: string): ParsedDiff {
  const lines = diff.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const drafts: SectionDraft[] = [];
  let current: SectionDraft | undefined;
  const open = (start: number): SectionDraft => {
    current = { start, kept: [lines[start] ?? ''], copy: false, added: false, deleted: false, binary: false, hunks: [] };
    drafts.push(current);
    return current;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith('diff --git ') || line.startsWith('diff --cc ') || line.startsWith('diff --combined ')) {
      open(i).gitLine = line;
      continue;
    }
    if (line.startsWith('diff ') && (!current || current.hunks.length > 0 || current.minus !== undefined)) {
      open(i).plainDiffLine = true;
      continue;
    }
    if (line.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ')) {
      // A `---`/`+++` pair opens a new file unless it belongs to the `diff --git` header just read.
      const opened = current && (current.gitLine !== undefined || current.plainDiffLine) && current.minus === undefined && current.hunks.length === 0;
      const section = opened && current ? current : open(i);
      if (section.start !== i) section.kept.push(line);
      section.kept.push(lines[i + 1] ?? '');
      section.minus = line.slice(4);
      section.plus = (lines[i + 1] ?? '').slice(4);
      i++;
      continue;
    }
    if (!current) continue;
    const hunk = HUNK_HEADER.exec(line);
    if (hunk) {
      const parsed: DiffHunk = {
        oldStart: Number(hunk[1]),
        oldLines: hunk[2] === undefined ? 1 : Number(hunk[2]),
        newStart: Number(hunk[3]),
        newLines: hunk[4] === undefined ? 1 : Number(hunk[4]),
        lines: [],
      };
      let oldLeft = parsed.oldLines;
      let newLeft = parsed.newLines;
      const section = current;
      section.kept.push(line);
      while (i + 1 < lines.length && (oldLeft > 0 || newLeft > 0 || (lines[i + 1] ?? '').startsWith('\\'))) {
        const body = lines[i + 1] ?? '';
        const marker = body[0];
        if (marker === '\\') {
          parsed.lines.push(body);
        } else if (marker === ' ' || body === '') {
          // Some tools and editors strip the space of an empty context line.
          if (oldLeft === 0 || newLeft === 0) break;
          oldLeft--;
          newLeft--;
          parsed.lines.push(body === '' ? ' ' : body);
        } else if (marker === '-' && oldLeft > 0) {
          oldLeft--;
          parsed.lines.push(body);
        } else if (marker === '+' && newLeft > 0) {
          newLeft--;
          parsed.lines.push(body);
        } else {
          break;
        }
        section.kept.push(parsed.lines[parsed.lines.length - 1] ?? body);
        i++;
      }
      current.hunks.push(parsed);
      continue;
    }
    // Extended headers come before the first hunk; other lines (a patch signature, `Only in …`,
    // a binary patch's data, stray text) are left out of what is sent.
    if (current.hunks.length > 0) continue;
    let header = true;
    if (line.startsWith('rename from ')) current.renameFrom = unquote(line.slice(12));
    else if (line.startsWith('rename to ')) current.renameTo = unquote(line.slice(10));
    else if (line.startsWith('copy from ')) {
      current.renameFrom = unquote(line.slice(10));
      current.copy = true;
    } else if (line.startsWith('copy to ')) current.renameTo = unquote(line.slice(8));
    else if (line.startsWith('new file mode ')) current.added = true;
    else if (line.startsWith('deleted file mode ')) current.deleted = true;
    else if ((line.startsWith('Binary files ') && line.endsWith(' differ')) || line === 'GIT binary patch') current.binary = true;
    else header = /^(?:index |old mode |new mode |similarity index |dissimilarity index )/.test(line);
    if (header) current.kept.push(line);
  }

  const sections = drafts
    .filter((d) => !d.gitLine?.startsWith('diff --cc') && !d.gitLine?.startsWith('diff --combined'))
    .map((draft) => finishSection(draft, draft.kept.join('\n')));
  const firstStart = drafts[0]?.start ?? lines.length;
  return { preamble: lines.slice(0, firstStart).join('\n'), sections };
}

function finishSection(draft: SectionDraft, text: string): DiffSection {
  let oldPath = draft.minus === undefined ? undefined : headerPath(draft.minus);
  let newPath = draft.plus === undefined ? undefined : headerPath(draft.plus);
  const git = draft.gitLine === undefined ? undefined : gitLinePaths(draft.gitLine);
  if (git) {
    // `---`/`+++` are missing for binary, mode-only and empty-file changes; `diff --git` always names both.
    if (draft.minus === undefined) oldPath = draft.added ? undefined : git.old;
    if (draft.plus === undefined) newPath = draft.deleted ? undefined : git.new;
    // Identical names mean `--no-prefix`; otherwise both carry a prefix (`a/`, `b/`, or diff.mnemonicPrefix's `i/`, `w/`).
    const strip = git.old === git.new ? undefined : prefixLength(git.old, git.new);
    if (strip) {
      oldPath = oldPath?.slice(strip.old);
      newPath = newPath?.slice(strip.new);
    }
  } else if ((oldPath === undefined || oldPath.startsWith('a/')) && (newPath === undefined || newPath.startsWith('b/'))) {
    // `diff -u` output applied with `patch -p1` carries the same prefixes.
    oldPath = oldPath?.slice(2);
    newPath = newPath?.slice(2);
  }
  if (draft.renameFrom !== undefined) oldPath = draft.renameFrom;
  if (draft.renameTo !== undefined) newPath = draft.renameTo;
  const status: DiffSection['status'] =
    oldPath === undefined ? 'added' : newPath === undefined ? 'deleted' : draft.renameTo !== undefined ? (draft.copy ? 'copied' : 'renamed') : 'modified';
  return { oldPath, newPath, status, binary: draft.binary, hunks: draft.hunks, text };
}

/** A `---`/`+++` path: unquoted, without a trailing tab and timestamp; undefined for /dev/null. */
function headerPath(value: string): string | undefined {
  const p = value.startsWith('"') ? unquote(value) : value.split('\t')[0] ?? '';
  return p === '/dev/null' ? undefined : p;
}

/** The two paths of `diff --git a/x b/x`, prefixes included. Unquoted names with spaces are split where both halves agree. */
function gitLinePaths(line: string): { old: string; new: string } | undefined {
  const rest = line.slice('diff --git '.length);
  if (rest.startsWith('"')) {
    const end = closingQuote(rest);
    const old = unquote(rest.slice(0, end + 1));
    const tail = rest.slice(end + 2);
    return { old, new: tail.startsWith('"') ? unquote(tail) : tail };
  }
  const quoted = rest.indexOf(' "');
  if (quoted > 0) return { old: rest.slice(0, quoted), new: unquote(rest.slice(quoted + 1)) };
  // Without renames both names are the same path behind their prefixes: try the middle first.
  const mid = (rest.length - 1) / 2;
  if (Number.isInteger(mid) && rest[mid] === ' ') {
    const old = rest.slice(0, mid);
    const neu = rest.slice(mid + 1);
    if (old === neu || prefixLength(old, neu)) return { old, new: neu };
  }
  const space = rest.indexOf(' ');
  return space > 0 ? { old: rest.slice(0, space), new: rest.slice(space + 1) } : undefined;
}

/** Lengths of the `a/` and `b/` style prefixes when the two paths differ only in their first component. */
function prefixLength(a: string, b: string): { old: number; new: number } | undefined {
  const i = a.indexOf('/');
  const j = b.indexOf('/');
  if (i <= 0 || j <= 0 || a.slice(i) !== b.slice(j)) return undefined;
  return { old: i + 1, new: j + 1 };
}

function closingQuote(s: string): number {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return s.length - 1;
}

/** Git's C-style quoted name (`"a/t\303\251st"`) as text; an unquoted name as is. */
function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  const body = value.slice(1, closingQuote(value));
  const bytes: number[] = [];
  const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '"': 34, '\\': 92 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? '';
    if (c !== '\\') {
      bytes.push(...new TextEncoder().encode(c));
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(simple[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return new TextDecoder('utf-8').decode(new Uint8Array(bytes));
}

/**
 * The new-file lines a diff touches: runs of added lines, and for a pure deletion the line that
 * now stands where the removed lines were (the last line, when they were at the end), so a
 * finding about a removed check has a line to sit on.
 */
export function changedRangesOf(hunks: readonly DiffHunk[]): LineRange[] {
  const lines: number[] = [];
  for (const hunk of hunks) {
    const hunkEnd = hunk.newStart + hunk.newLines - 1;
    let at = hunk.newStart;
    let pendingDeletion = false;
    let addedSinceDeletion = false;
    const flushDeletion = () => {
      if (pendingDeletion && !addedSinceDeletion) {
        const line = Math.min(at, hunkEnd);
        if (line >= 1) lines.push(line);
      }
      pendingDeletion = false;
      addedSinceDeletion = false;
    };
    for (const line of hunk.lines) {
      const marker = line[0];
      if (marker === '+') {
        lines.push(at++);
        addedSinceDeletion = true;
      } else if (marker === '-') {
        pendingDeletion = true;
      } else if (marker === ' ') {
        flushDeletion();
        at++;
      }
    }
    flushDeletion();
  }
  lines.sort((a, b) => a - b);
  const ranges: LineRange[] = [];
  for (const line of lines) {
    const last = ranges[ranges.length - 1];
    if (last && line <= last.endLine + 1) last.endLine = Math.max(last.endLine, line);
    else ranges.push({ startLine: line, endLine: line });
  }
  return ranges;
}

/** True when every hunk's new side (context and added lines) is in `text` at the lines it names. */
export function hunksMatch(hunks: readonly DiffHunk[], text: string): boolean {
  const lines = text.split('\n');
  return hunks.every((hunk) => {
    let at = hunk.newStart - 1;
    for (const line of hunk.lines) {
      if (line[0] !== ' ' && line[0] !== '+' && line !== '') continue;
      if ((lines[at] ?? '').replace(/\r$/, '') !== line.slice(1).replace(/\r$/, '')) return false;
      at++;
    }
    return true;
  });
}

/** Lines in `text`; a final newline ends the last line rather than starting another. */
export function lineCount(text: string): number {
  if (!text) return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n - 1 : n;
}

/** A git-style section adding `text` as a new file, for untracked files git has no diff for. */
export function newFileDiff(rel: string, text: string): string {
  const a = quotePath(`a/${rel}`);
  const b = quotePath(`b/${rel}`);
  let out = `diff --git ${a} ${b}\nnew file mode 100644\n`;
  const n = lineCount(text);
  if (n === 0) return out;
  out += `--- /dev/null\n+++ ${b}\n@@ -0,0 +1${n === 1 ? '' : `,${n}`} @@\n`;
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  out += lines.map((l) => `+${l}\n`).join('');
  if (!text.endsWith('\n')) out += '\\ No newline at end of file\n';
  return out;
}

/** Git's C-style quoting, for the names it quotes even with core.quotePath off. */
function quotePath(p: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/["\\\x00-\x1f\x7f]/.test(p)) return p;
  const escapes: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r' };
  // eslint-disable-next-line no-control-regex
  return `"${p.replace(/["\\\x00-\x1f\x7f]/g, (c) => escapes[c] ?? `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`)}"`;
}
