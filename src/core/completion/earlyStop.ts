/**
 * Decides, while the model streams, when reading further is pointless: everything after the point
 * it finds would be cut by post-processing anyway, and every token not generated is latency saved
 * (a 1.5B model on a laptop makes ~30–60 tokens/s, so a block that ended 40 tokens early is about a
 * second). It stops only where ./postprocess.ts cuts too, and shares its scope and fence rules, so
 * `postprocessCompletion(kept)` equals `postprocessCompletion(everything)`.
 *
 * Budget: each push costs O(chunk) plus the current line; nothing rescans text already seen.
 */
import {
  CLOSING_FENCE,
  currentLinePrefix,
  fencesAreNoise,
  findStopString,
  IndentScope,
  OPENING_FENCE,
  REPEAT_LIMIT,
  stopStrings,
  stripCr,
  type CompletionContext,
} from './postprocess';

export interface EarlyStop {
  /** Adds the next streamed piece; `text` is what is worth keeping so far, `done` says to stop reading. */
  push(chunk: string): { done: boolean; text: string };
}

export function createEarlyStop(ctx: CompletionContext): EarlyStop {
  const stops = stopStrings(ctx.stopTokens);
  /** A stop string may straddle two chunks: this much of the kept text is searched again. */
  const overlap = Math.max(0, ...stops.map((s) => s.length)) - 1;
  const linePrefix = currentLinePrefix(ctx.prefix);
  // Fence rules scan the prefix once, here, not per chunk.
  const fences = fencesAreNoise(ctx);
  const scope = ctx.multiline ? new IndentScope(ctx) : undefined;

  // `text` grows by concatenation and is never searched or sliced until the end: on V8 either
  // would flatten it, and doing that per chunk makes a long generation quadratic.
  let text = '';
  /** The last `overlap` characters of `text`. */
  let tail = '';
  /** The current, incomplete line, and where it starts in `text`. */
  let line = '';
  let lineStart = 0;
  let physicalLine = 0;
  let logicalLine = 0;
  /** Until the first non-blank line, which may be an opening fence that post-processing removes. */
  let fencePending = fences;
  /** Post-processing strips the cursor's indentation from code after a fence at the cursor; so must we. */
  let dedentFirst = false;
  let previous: string | undefined;
  let run = 0;
  let secondCopyStart = 0;
  let finished: { done: boolean; text: string } | undefined;

  /** Looks at one whole line (from `start` to the line break at `end`); returns where to cut when reading should stop. */
  function onLine(rawLine: string, start: number, end: number): number | undefined {
    const physical = physicalLine++;
    const whole = stripCr(rawLine);
    if (fencePending && whole.trim() !== '') {
      fencePending = false;
      if (OPENING_FENCE.test(whole)) {
        dedentFirst = physical === 0 && linePrefix !== '' && linePrefix.trim() === '';
        return undefined;
      }
    }
    if (fences && !fencePending && CLOSING_FENCE.test(whole)) return Math.max(0, start - 1);
    // Single-line mode keeps the first line only (postprocess step c), whatever follows.
    if (!scope) return end;

    const index = logicalLine++;
    const content = index === 0 && dedentFirst && whole.startsWith(linePrefix) ? whole.slice(linePrefix.length) : whole;

    // A model repeating one line is looping (postprocess step e): keep the first copy.
    const full = (index === 0 ? linePrefix + content : content).trimEnd();
    if (full !== '' && full === previous) {
      run++;
      if (run === 2) secondCopyStart = start;
      if (run >= REPEAT_LIMIT) return secondCopyStart - 1;
    } else {
      previous = full === '' ? undefined : full;
      run = 1;
    }

    // The cursor's block ended (postprocess step f).
    const verdict = scope.feed(content);
    if (verdict === 'end-before') return start - 1;
    if (verdict === 'end-after') return end;
    return undefined;
  }

  return {
    push(chunk: string) {
      if (finished) return finished;
      let piece = chunk;
      const stopAt = findStopString(tail + chunk, stops);
      if (stopAt !== -1) {
        if (stopAt < tail.length) {
          // The stop string began in an earlier chunk, on the current line (stop strings hold no line break).
          const cut = Math.min(tail.length - stopAt, line.length);
          text = text.slice(0, text.length - cut);
          line = line.slice(0, line.length - cut);
          piece = '';
        } else piece = chunk.slice(0, stopAt - tail.length);
      }
      tail = overlap > 0 ? (tail + piece).slice(-overlap) : '';

      let from = 0;
      for (let newline = piece.indexOf('\n'); newline !== -1; newline = piece.indexOf('\n', from)) {
        const end = text.length + newline;
        const cut = onLine(line + piece.slice(from, newline), lineStart, end);
        if (cut !== undefined) return (finished = { done: true, text: (text + piece).slice(0, cut) });
        line = '';
        lineStart = end + 1;
        from = newline + 1;
      }
      line += piece.slice(from);
      text += piece;
      if (stopAt !== -1) return (finished = { done: true, text });
      return { done: false, text };
    },
  };
}
