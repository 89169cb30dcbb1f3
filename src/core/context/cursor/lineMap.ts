/**
 * Reuses a file's last summary for an edited copy of its text, when the edit is one small region.
 *
 * Why: in a fresh process (the CLI; the benchmark), loading tree-sitter and compiling a grammar costs
 * 35–55 ms before the first parse, more than the whole call's budget. The lines around an edit keep
 * their structure, so the summary of the unchanged lines is shifted onto the new text and whatever
 * the old summary said about the edited lines is dropped (they are read lexically instead). A long-lived
 * host (the extension's context worker) reparses instead: its parser is warm, and editBetween below
 * lets tree-sitter reuse the file's previous tree (`tree.edit`, then an incremental parse).
 */
import { hash } from 'node:crypto';
import { LineIndex } from '../store/lineIndex';
import type { FileSummary, LineFingerprint, SymbolDef } from '../summary';

/** An edit larger than this is not worth mapping: the caller reparses. */
const MAX_CHANGED_LINES = 60;
const BLOCK = 16;

function blockHash(lines: LineIndex, start: number, end: number): string {
  // Native md5 over a slice: far cheaper in a cold process than hashing characters in JavaScript. The
  // one-shot `hash` skips a Hash object per block: half the time of createHash over a 3,000-line file's
  // ~190 blocks (0.7 vs 1.4 ms, Node 20, measured alone).
  return hash('md5', lines.range(start, end) ?? '', 'base64').slice(0, 8);
}

/**
 * Each line's length without its `\r`. Read off the line breaks' offsets rather than split: splitting
 * made a string of every line of the cursor's file on every cold call, garbage that a scavenge then
 * collected inside the call (bench:context traces: a 2–5 ms scavenge in most cold calls).
 */
export function lengthsOf(text: string): number[] {
  const out: number[] = [];
  let start = 0;
  for (let nl = text.indexOf('\n'); ; nl = text.indexOf('\n', start)) {
    const end = nl < 0 ? text.length : nl;
    out.push(end > start && text.charCodeAt(end - 1) === 13 ? end - start - 1 : end - start);
    if (nl < 0) return out;
    start = nl + 1;
  }
}

export function lineFingerprint(text: string): LineFingerprint {
  const lines = new LineIndex(text);
  const n = lines.count;
  const head: string[] = [];
  const tail: string[] = [];
  for (let k = 0; (k + 1) * BLOCK <= n; k++) head.push(blockHash(lines, k * BLOCK + 1, (k + 1) * BLOCK));
  for (let k = 0; (k + 1) * BLOCK <= n; k++) tail.push(blockHash(lines, n - (k + 1) * BLOCK + 1, n - k * BLOCK));
  return { lengths: lengthsOf(text).join(','), head, tail };
}

export interface MappedSummary {
  summary: FileSummary;
  /** New-text lines (1-based, inclusive) the old summary could not describe. */
  changedFrom: number;
  changedTo: number;
}

export function mapSummary(old: FileSummary, newText: string): MappedSummary | undefined {
  const lines = new LineIndex(newText);
  const next = lengthsOf(newText);
  const prev = old.lines.lengths.split(',').map(Number);
  const max = Math.min(prev.length, next.length);
  let head = 0;
  while (head < max && prev[head] === next[head]) head++;
  // Equal lengths are a hint; whole blocks inside the unchanged head and tail must also hash the same.
  // Where a failed block proves a change to be; the unchanged tail cannot reach back over it.
  let changeSeenUpTo = head;
  for (let k = 0; (k + 1) * BLOCK <= head; k++) {
    if (old.lines.head[k] !== blockHash(lines, k * BLOCK + 1, (k + 1) * BLOCK)) {
      head = k * BLOCK;
      changeSeenUpTo = (k + 1) * BLOCK;
      break;
    }
  }
  let tail = 0;
  while (tail < max - changeSeenUpTo && prev[prev.length - 1 - tail] === next[next.length - 1 - tail]) tail++;
  for (let k = 0; (k + 1) * BLOCK <= tail; k++) {
    if (old.lines.tail[k] !== blockHash(lines, next.length - (k + 1) * BLOCK + 1, next.length - k * BLOCK)) {
      tail = k * BLOCK;
      break;
    }
  }
  const oldChangedEnd = prev.length - tail; // old lines head+1..oldChangedEnd changed
  const newChangedEnd = next.length - tail;
  if (oldChangedEnd - head > MAX_CHANGED_LINES || newChangedEnd - head > MAX_CHANGED_LINES) return undefined;
  const delta = next.length - prev.length;
  const inChange = (line: number) => line > head && line <= oldChangedEnd;
  const mapLine = (line: number) => (line <= head ? line : line + delta);
  // A range end inside the edit stretches to the edit's end in the new text.
  const mapEnd = (line: number) => (line <= head ? line : line > oldChangedEnd ? line + delta : Math.max(head, newChangedEnd));
  const mapStart = (line: number) => (line <= head ? line : line > oldChangedEnd ? line + delta : head + 1);

  // An edited import changes what every name means: reparse.
  if (old.imports.some((i) => i.line <= oldChangedEnd && (i.end ?? i.line) > head)) return undefined;

  const keptIndex = new Map<number, number>();
  const defs: SymbolDef[] = [];
  old.defs.forEach((d, i) => {
    if (inChange(d.line)) return;
    if (d.parent !== -1 && !keptIndex.has(d.parent)) return;
    keptIndex.set(i, defs.length);
    const line = mapLine(d.line);
    const { header, ...rest } = d;
    // A header reaching into the edit no longer matches the text.
    const headerIntact = header !== undefined && !(d.line <= oldChangedEnd && d.headerEnd > head);
    defs.push({
      ...rest,
      ...(headerIntact ? { header } : {}),
      line,
      headerEnd: Math.max(line, mapEnd(d.headerEnd)),
      end: Math.max(line, mapEnd(d.end)),
      parent: d.parent === -1 ? -1 : keptIndex.get(d.parent)!,
    });
  });
  const bindings = old.bindings
    .filter((b) => !inChange(b.line))
    .map((b) => ({ ...b, line: mapLine(b.line), from: mapStart(b.from), to: b.to >= Number.MAX_SAFE_INTEGER ? b.to : mapEnd(b.to) }));
  const imports = old.imports.map((i) => (i.end ? { ...i, line: mapLine(i.line), end: mapLine(i.end) } : { ...i, line: mapLine(i.line) }));
  return {
    // `lines` stays the old text's: a mapped summary serves one call and is never stored or mapped again.
    summary: { ...old, lineCount: next.length, imports, defs, bindings },
    changedFrom: head + 1,
    changedTo: newChangedEnd,
  };
}

/** One edit between two texts, in tree-sitter's terms (UTF-16 indices; rows and columns from 0). */
export interface TextEdit {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: { row: number; column: number };
  oldEndPosition: { row: number; column: number };
  newEndPosition: { row: number; column: number };
}

/**
 * The single region that changed between `before` and `after` (their common start and end kept),
 * for `tree.edit` before an incremental reparse: typing between two calls is one region, and a wider
 * one (several places edited) only makes tree-sitter reparse more. Undefined when nothing changed.
 */
export function editBetween(before: string, after: string): TextEdit | undefined {
  if (before === after) return undefined;
  const max = Math.min(before.length, after.length);
  let start = 0;
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  // Never split a surrogate pair: tree-sitter would see half a character.
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) start--;
  let tail = 0;
  while (tail < max - start && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  if (tail > 0 && isLowSurrogate(before.charCodeAt(before.length - tail))) tail--;
  const oldEnd = before.length - tail;
  const newEnd = after.length - tail;
  return {
    startIndex: start,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition: pointAt(before, start),
    oldEndPosition: pointAt(before, oldEnd),
    newEndPosition: pointAt(after, newEnd),
  };
}

function pointAt(text: string, index: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: index - lineStart };
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;
