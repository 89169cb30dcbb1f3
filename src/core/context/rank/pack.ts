/**
 * Packs ranked definitions into a token budget counted exactly as consumers count it (estimateTokens
 * per snippet, in order, the first that does not fit ends the context), so nothing packed is lost.
 *
 * Headers first: a definition's signature line usually tells a model what it needs and costs ~20
 * tokens, so covering many likely definitions beats showing a few whole. What budget is left then
 * grows the best-ranked ones into their bodies (capped), the callee of a call being typed first.
 */
import { estimateTokens } from '../../tokens';
import type { ContextSnippet } from '../types';
import type { Candidate } from './gather';

/** A body longer than this is cut: its opening lines carry the shape, the rest is detail. */
const MAX_BODY_LINES = 14;
/** Share of the budget the top callee's body may take before the headers of the others are in. */
const CALLEE_SHARE = 0.3;
/** Share its signature lines may take instead, when the body is too large: they are what a call needs. */
const SIGNATURES_SHARE = 0.5;
const MIN_SNIPPET_TOKENS = 4;
const MIN_GROW_TOKENS = 12;

export interface PackSource {
  /** Lines start..end (1-based, inclusive) of the file joined with '\n', or undefined (unreadable, out of range). */
  range(file: string, start: number, end: number): string | undefined;
}

interface Planned {
  file: string;
  start: number;
  end: number;
  candidate: Candidate;
  order: number;
}

/**
 * `growReserve`: tokens the bodies (step 3) leave unused for what ranks after the definitions (the class
 * outline, recent edits); the headers (steps 1-2) may still use the whole budget.
 */
export function packCandidates(candidates: Candidate[], budget: number, source: PackSource, growReserve = 0, expired: () => boolean = () => false): { snippets: ContextSnippet[]; tokens: number } {
  const planned: Planned[] = [];
  let used = 0;
  const cost = (p: Omit<Planned, 'order'>) => estimateTokens(textOf(source, p) ?? '');
  const fits = (extra: number) => used + extra <= budget;

  const bodyEnd = (c: Candidate) => Math.min(c.ref.def.end, c.ref.def.line + MAX_BODY_LINES - 1);
  // 1. The callee of the call being typed, whole (within a share of the budget); a definition too large
  //    for that (overloads under long doc comments) is cut to its signature lines instead.
  candidates.forEach((c, order) => {
    if (!c.expand) return;
    const p = { file: c.ref.file, start: c.ref.def.line, end: bodyEnd(c), candidate: c, order };
    const k = cost(p);
    if (k <= budget * CALLEE_SHARE && fits(k)) {
      planned.push(p);
      used += k;
      return;
    }
    let share = Math.min(budget * SIGNATURES_SHARE, budget - used);
    for (const run of signatureRuns(source, c.ref.file, c.ref.def.line, c.ref.def.end)) {
      // A run too long for what is left keeps the lines that fit (a signature before its body).
      let lines = run.text.split('\n');
      while (lines.length > 1 && estimateTokens(lines.join('\n')) > share) lines = lines.slice(0, -1);
      const cost = estimateTokens(lines.join('\n'));
      if (cost > share) break;
      planned.push({ file: c.ref.file, start: run.start, end: run.start + lines.length - 1, candidate: c, order });
      used += cost;
      share -= cost;
      if (lines.length < run.end - run.start + 1) break;
    }
  });
  // 2. Every other header that fits, in rank order (no header costs less than a few tokens); a header
  //    too long for what is left is cut to the line holding the name.
  candidates.forEach((c, order) => {
    if (budget - used < MIN_SNIPPET_TOKENS) return;
    if (planned.some((p) => p.candidate === c) || covered(planned, c.ref.file, c.ref.def.line)) return;
    for (const end of c.ref.def.headerEnd > c.ref.def.line ? [c.ref.def.headerEnd, c.ref.def.line] : [c.ref.def.line]) {
      const p = { file: c.ref.file, start: c.ref.def.line, end, candidate: c, order };
      const k = cost(p);
      if (k > 0 && fits(k)) {
        planned.push(p);
        used += k;
        break;
      }
    }
  });
  // 3. Grow headers into bodies while the budget lasts, best first.
  for (const p of [...planned].sort((a, b) => a.order - b.order)) {
    // Growing reads the file: not worth it for the last few tokens, nor past the deadline.
    if (budget - growReserve - used < MIN_GROW_TOKENS || expired()) break;
    // A definition cut to its signatures stays cut.
    if (p.candidate.expand && planned.filter((q) => q.candidate === p.candidate).length > 1) continue;
    const end = bodyEnd(p.candidate);
    if (end <= p.end) continue;
    const grown = { ...p, end };
    // Growing must not swallow another planned snippet's lines twice.
    if (planned.some((q) => q !== p && q.file === p.file && q.start > p.end && q.start <= end)) continue;
    const extra = cost(grown) - cost(p);
    if (fits(extra + growReserve)) {
      p.end = end;
      used += extra;
    }
  }
  const snippets: ContextSnippet[] = [];
  let tokens = 0;
  for (const p of planned.sort((a, b) => a.order - b.order)) {
    const text = textOf(source, p);
    if (text === undefined) continue;
    const k = estimateTokens(text);
    if (tokens + k > budget) continue;
    tokens += k;
    snippets.push({ file: p.file, startLine: p.start, endLine: p.end, text, reason: p.candidate.reason, symbol: p.candidate.ref.def.name });
  }
  return { snippets, tokens };
}

/** Lines of a definition read for its signatures at most. */
const MAX_SIGNATURE_LINES = 60;

/**
 * A definition's lines without its comments and blank lines, as runs of consecutive lines: the
 * signatures of `pipe`'s twenty overloads without their doc comments, a `dual` API's type without its
 * examples. The first run holds the name line.
 */
function signatureRuns(source: PackSource, file: string, start: number, end: number): { start: number; end: number; text: string }[] {
  const last = Math.min(end, start + MAX_SIGNATURE_LINES - 1);
  const block = source.range(file, start, last);
  if (block === undefined) return [];
  const runs: { start: number; end: number; text: string }[] = [];
  let inComment = false;
  block.split('\n').forEach((line, i) => {
    const t = line.trim();
    const comment = inComment || t.startsWith('//') || t.startsWith('/*') || t.startsWith('*') || t.startsWith('#') || !t;
    if (t.startsWith('/*') && !t.includes('*/')) inComment = true;
    else if (inComment && t.includes('*/')) inComment = false;
    if (comment && i > 0) return;
    const n = start + i;
    const prev = runs[runs.length - 1];
    if (prev && prev.end === n - 1) {
      prev.end = n;
      prev.text += `\n${line}`;
    } else runs.push({ start: n, end: n, text: line });
  });
  return runs;
}

function covered(planned: Planned[], file: string, line: number): boolean {
  return planned.some((p) => p.file === file && p.start <= line && line <= p.end);
}

/** The snippet's text: the stored header when that is all it is, else the file's lines. */
function textOf(source: PackSource, p: Omit<Planned, 'order'>): string | undefined {
  const def = p.candidate.ref.def;
  if (def.header !== undefined && p.start === def.line && p.end === def.headerEnd) return def.header;
  return source.range(p.file, p.start, p.end);
}
