/**
 * Waits less when the user pauses often and more while they type fast, so a burst costs one request
 * and a pause gets a suggestion quickly (Tabby measures typing gaps the same way). The first
 * keystroke of a new line fires at once: that is where users wait for a suggestion.
 */
export interface DebounceOptions {
  minMs: number;
  maxMs: number;
  /** The wait is this multiple of the recent typing gap: long enough that the next key usually cancels it. */
  gapMultiplier: number;
}

export const DEFAULT_DEBOUNCE: DebounceOptions = { minMs: 60, maxMs: 350, gapMultiplier: 1.6 };

/** Gaps longer than this are pauses, not typing, and say nothing about typing speed. */
const PAUSE_MS = 1000;
/** Weight of the newest gap in the moving average. */
const SMOOTHING = 0.3;

export class AdaptiveDebounce {
  private lastKeystroke: number | undefined;
  private typingGap: number;

  constructor(private readonly options: DebounceOptions = DEFAULT_DEBOUNCE) {
    this.typingGap = (options.minMs + options.maxMs) / 2 / options.gapMultiplier;
  }

  /** Records a keystroke at `now` (ms) and returns how long to wait before asking the model. */
  delayAfterKeystroke(now: number, atLineStart: boolean): number {
    if (this.lastKeystroke !== undefined) {
      const gap = now - this.lastKeystroke;
      if (gap > 0 && gap < PAUSE_MS) this.typingGap = SMOOTHING * gap + (1 - SMOOTHING) * this.typingGap;
    }
    this.lastKeystroke = now;
    if (atLineStart) return 0;
    const { minMs, maxMs, gapMultiplier } = this.options;
    return Math.round(Math.min(maxMs, Math.max(minMs, this.typingGap * gapMultiplier)));
  }
}
