/**
 * Fits the text around the cursor and the cross-file snippets into a FIM prompt of bounded size.
 *
 * Runs on every keystroke that reaches the model: it only slices strings and scans the prefix for
 * newlines once (well under a millisecond for a 10,000-line file), far inside the debounce.
 *
 * Trimming policy, and why:
 * - The text nearest the cursor predicts the completion best, so the prefix loses its top and the
 *   suffix its bottom, at line boundaries (a cut line would be a syntax error the model imitates).
 * - The suffix gets at most `maxSuffixShare` (20%) of the budget: it anchors where the completion
 *   must end, and a few lines do that; more mostly costs time to first token.
 * - Snippets fill what the prefix leaves, but are held a share of `maxSnippetShare` (40%) before the
 *   prefix is cut: otherwise any file longer than the budget would starve them, and the definitions
 *   they carry are what a model cannot guess. They are taken whole, in the given (priority) order;
 *   one that does not fit is skipped, never cut mid-line.
 * - The prefix gets the rest: in a large file at least 40% of the budget, in a short file all of it.
 *
 * Ollama reuses its KV cache for the longest common start of consecutive prompts, so what comes
 * before the cursor must not change while the user types. The templates put the stable parts first
 * (repo name, snippets, the file's path), and here the choices that shape that part move in coarse
 * steps instead of one character at a time:
 * - the prefix starts at a line whose number is a multiple of 32 (of a smaller power of two when the
 *   budget is small), so its top moves by 32 lines at once when the text no longer fits, instead of
 *   by a line every few keystrokes;
 * - the room snippets may take in a short file shrinks in PREFIX_ROOM_STEP quanta of prefix growth,
 *   so the chosen snippets do not change as each character is typed.
 */
import { charsWithinTokens, estimateTokens } from '../tokens';
import type { FimSnippet, FimTemplate } from './templates';

export interface FimPromptInput {
  /** Workspace folder name. */
  repoName: string;
  /** Path of the current file relative to the workspace, forward slashes. */
  currentPath: string;
  /** The document's text before the cursor (all of it: trimming is done here). */
  prefix: string;
  /** The document's text after the cursor. */
  suffix: string;
  /** Cross-file context, most useful first. */
  snippets: readonly FimSnippet[];
}

export interface FimPromptBudget {
  /** Most tokens the prompt may take, as counted by estimateTokens. */
  maxPromptTokens: number;
  /**
   * Tokens the model may generate (Ollama `num_predict`). Pass the largest value used with this
   * budget: num_ctx depends on it, and Ollama reloads the model whenever num_ctx changes.
   */
  numPredict: number;
  /** Most of the budget the suffix may take (default 0.2). */
  maxSuffixShare?: number;
  /** Most of the budget snippets may take when the prefix needs the rest (default 0.4). */
  maxSnippetShare?: number;
}

export interface FimPrompt {
  prompt: string;
  stop: readonly string[];
  /** How much of the prefix (its end) and of the suffix (its start) made it in, in characters. */
  prefixChars: number;
  suffixChars: number;
  /** How many of the snippets made it in. */
  snippetsUsed: number;
  estimatedTokens: number;
  /** Ollama `num_ctx` that holds the prompt and the generated tokens, a multiple of 256. */
  numCtx: number;
}

const DEFAULT_SUFFIX_SHARE = 0.2;
export const DEFAULT_SNIPPET_SHARE = 0.4;
/** The prefix starts on a line whose number is a multiple of (at most) this: cache stability, see above. */
export const MAX_PREFIX_LINE_STEP = 32;
/** Prefix growth, in characters, between two re-evaluations of the room left for snippets. */
export const PREFIX_ROOM_STEP = 1024;
const NUM_CTX_STEP = 256;
/**
 * num_ctx is sized for this many real tokens per estimated one. The estimate over-counts on average
 * but dense code (tables of numbers, short identifiers) reached 1.5 real tokens per estimated token
 * on whole-prompt-sized windows; past num_ctx, Ollama drops the start of the prompt, and with it
 * the FIM tokens and the repo header, and the model then writes nonsense.
 */
const REAL_TOKENS_PER_ESTIMATED = 1.5;

export function buildFimPrompt(input: FimPromptInput, template: FimTemplate, budget: FimPromptBudget): FimPrompt {
  const budgetChars = charsWithinTokens(budget.maxPromptTokens);
  const framed = (snippets: readonly FimSnippet[]) => template.build({ ...input, prefix: '', suffix: '', snippets }).length;
  const frame = framed([]);
  const room = Math.max(0, budgetChars - frame);

  const suffix = keepSuffixStart(input.suffix, Math.floor(room * share(budget.maxSuffixShare, DEFAULT_SUFFIX_SHARE)));
  const afterSuffix = room - suffix.length;

  // In a short file snippets may use what the prefix leaves, measured in coarse steps of prefix growth.
  const prefixRoom = Math.min(afterSuffix, roundUp(input.prefix.length, PREFIX_ROOM_STEP));
  const snippetRoom = Math.max(Math.floor(room * share(budget.maxSnippetShare, DEFAULT_SNIPPET_SHARE)), afterSuffix - prefixRoom);
  const chosen = chooseSnippets(input.snippets, Math.min(snippetRoom, afterSuffix), framed, frame);

  const prefix = keepPrefixEnd(input.prefix, afterSuffix - chosen.chars);
  const prompt = template.build({ ...input, prefix, suffix, snippets: chosen.snippets });
  const estimatedTokens = estimateTokens(prompt);
  return {
    prompt,
    stop: template.stop,
    prefixChars: prefix.length,
    suffixChars: suffix.length,
    snippetsUsed: chosen.snippets.length,
    estimatedTokens,
    // From the budget, not from this prompt: a num_ctx that follows the prompt's size would change
    // between keystrokes, and each change makes Ollama reload the model. Both parts are rounded on
    // their own so that any num_predict up to 256 (single-line or multi-line) gives the same value.
    numCtx:
      roundUp(Math.ceil(Math.max(budget.maxPromptTokens, estimatedTokens) * REAL_TOKENS_PER_ESTIMATED), NUM_CTX_STEP) +
      roundUp(Math.max(1, budget.numPredict), NUM_CTX_STEP),
  };
}

function share(value: number | undefined, fallback: number): number {
  return value === undefined || !Number.isFinite(value) ? fallback : Math.min(1, Math.max(0, value));
}

function roundUp(value: number, step: number): number {
  return Math.ceil(value / step) * step;
}

/**
 * Whole snippets in order while they fit in `room` characters, each costed by what it adds to the
 * rendered prompt (a template may wrap, comment or drop it). A snippet that adds nothing was dropped
 * by the template (no comment syntax for the file's language) and does not count as used.
 */
function chooseSnippets(
  snippets: readonly FimSnippet[],
  room: number,
  framed: (snippets: readonly FimSnippet[]) => number,
  frame: number,
): { snippets: FimSnippet[]; chars: number } {
  const chosen: FimSnippet[] = [];
  let length = frame;
  for (const snippet of snippets) {
    const withIt = framed([...chosen, snippet]);
    if (withIt === length || withIt - frame > room) continue;
    chosen.push(snippet);
    length = withIt;
  }
  return { snippets: chosen, chars: length - frame };
}

/**
 * The end of the prefix within `max` characters. It starts on a line whose number is a multiple of
 * the step (32 lines, fewer when 32 average lines would be over a quarter of `max`, so that at most
 * about a quarter of the room goes unused); on any line when no such line is left before the cursor;
 * mid-line only when the cursor's line alone is longer than `max`.
 */
export function keepPrefixEnd(prefix: string, max: number): string {
  if (prefix.length <= max) return prefix;
  if (max <= 0) return '';
  const breaks: number[] = [];
  for (let i = prefix.indexOf('\n'); i !== -1; i = prefix.indexOf('\n', i + 1)) breaks.push(i);
  const earliest = prefix.length - max;
  // Line n starts after breaks[n - 1]; the first line that starts at or after `earliest`:
  const first = breaks.findIndex((b) => b + 1 >= earliest) + 1;
  if (first === 0) return prefix.slice(cutForward(prefix, earliest));
  const meanLine = prefix.length / (breaks.length + 1);
  let step = MAX_PREFIX_LINE_STEP;
  while (step > 1 && step * meanLine > max / 4) step /= 2;
  const line = Math.ceil(first / step) * step;
  return prefix.slice((breaks[(line <= breaks.length ? line : first) - 1] ?? -1) + 1);
}

/** The start of the suffix within `max` characters, ending at a line end when it has one. */
export function keepSuffixStart(suffix: string, max: number): string {
  if (suffix.length <= max) return suffix;
  if (max <= 0) return '';
  const newline = suffix.lastIndexOf('\n', max - 1);
  return newline === -1 ? suffix.slice(0, cutBackward(suffix, max)) : suffix.slice(0, newline + 1);
}

/** A cut at `index` must not split a surrogate pair (half an emoji is not text): keep less instead. */
function splitsPair(text: string, index: number): boolean {
  const low = text.charCodeAt(index);
  const high = text.charCodeAt(index - 1);
  return low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff;
}

function cutForward(text: string, index: number): number {
  return splitsPair(text, index) ? index + 1 : index;
}

function cutBackward(text: string, index: number): number {
  return splitsPair(text, index) ? index - 1 : index;
}
