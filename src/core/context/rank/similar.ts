/**
 * Filler after the definitions: windows of other files whose identifiers overlap most (Jaccard) with
 * the lines just above the cursor, as Copilot's neighbouring-tab snippets do. Cheap and bounded: a few
 * files (open ones first, then the definitions' files and the cursor's folder), small windows.
 */
import { estimateTokens } from '../../tokens';
import type { LineIndex } from '../store/lineIndex';
import type { ContextSnippet } from '../types';

const WINDOW = 16;
const STRIDE = 8;
const QUERY_LINES = 20;
const MAX_FILES = 2;
/**
 * Lines scanned at most over all files: the filler must stay cheap next to the definitions (it added no
 * recall on the context benchmark's dev set, and 2,500 lines cost ~4 ms of a cold call's CPU).
 */
const MAX_LINES = 600;
const MIN_SCORE = 0.12;

/** Identifiers of three or more characters (shorter ones are too common to say anything). */
const IDENTIFIER = /[A-Za-z_$][\w$]{2,}/g;

const identifiers = (text: string): Set<string> => new Set(text.match(IDENTIFIER) ?? []);

function jaccard(a: Set<string>, b: Set<string>): number {
  if (!a.size || !b.size) return 0;
  let common = 0;
  for (const x of a) if (b.has(x)) common++;
  return common / (a.size + b.size - common);
}

export interface SimilarInput {
  cursor: LineIndex;
  cursorLine: number;
  files: string[];
  lines: (file: string) => LineIndex | undefined;
  budget: number;
  /** Line ranges already in the context, per file (not repeated). */
  taken: (file: string, start: number, end: number) => boolean;
  expired: () => boolean;
}

/** The windows picked, and their tokens (estimated, as counted against `budget`). */
export function similarWindows(input: SimilarInput): { snippets: ContextSnippet[]; tokens: number } {
  const query = identifiers(input.cursor.range(Math.max(1, input.cursorLine - QUERY_LINES), input.cursorLine) ?? '');
  if (!query.size || input.budget <= 0) return { snippets: [], tokens: 0 };
  const scored: { file: string; start: number; end: number; score: number }[] = [];
  let budgetLines = MAX_LINES;
  for (const file of input.files.slice(0, MAX_FILES)) {
    if (input.expired()) break;
    const index = input.lines(file);
    if (!index || index.count > budgetLines) continue;
    budgetLines -= index.count;
    // Identifiers per line once; windows overlap, so each line would otherwise be scanned twice.
    const perLine = index.text.split('\n').map((l) => l.match(IDENTIFIER) ?? []);
    const count = index.count;
    for (let start = 0; start < count; start += STRIDE) {
      const end = Math.min(count, start + WINDOW);
      const window = new Set<string>();
      for (let k = start; k < end; k++) for (const id of perLine[k]!) window.add(id);
      const score = jaccard(query, window);
      if (score >= MIN_SCORE) scored.push({ file, start: start + 1, end, score });
      if (end === count) break;
    }
  }
  scored.sort((a, b) => b.score - a.score);
  const out: ContextSnippet[] = [];
  let used = 0;
  for (const w of scored) {
    if (input.taken(w.file, w.start, w.end) || out.some((o) => o.file === w.file && o.startLine <= w.end && w.start <= o.endLine)) continue;
    const text = input.lines(w.file)!.range(w.start, w.end)!;
    const k = estimateTokens(text);
    if (used + k > input.budget) continue;
    used += k;
    out.push({ file: w.file, startLine: w.start, endLine: w.end, text, reason: 'similar' });
  }
  return { snippets: out, tokens: used };
}
