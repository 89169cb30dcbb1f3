/**
 * How long to wait after a keystroke before asking the model: long enough that the next key of a
 * burst (even a late one) cancels the wait, short enough that a pause gets its suggestion quickly.
 * Tabby measures typing gaps the same way; Tiercel adds a jitter margin and fires no request at the
 * start of a line before the user pauses (a request sent at Enter is typed past by the next key and
 * holds Ollama's only slot while the real one queues: issue "Responsiveness in the real editor").
 */
export interface DebounceOptions {
  minMs: number;
  maxMs: number;
  /** The wait is at least this multiple of the typical typing gap. */
  gapMultiplier: number;
  /**
   * ...and at least the typical gap plus this much: a browser or extension-host hiccup delays one key
   * by ~70–150 ms at any typing speed (measured in code-server: ~150 ms at 80 ms/key sent a request
   * for half a line), and a late key must not look like a pause.
   */
  jitterMs: number;
}

export const DEFAULT_DEBOUNCE: DebounceOptions = { minMs: 60, maxMs: 400, gapMultiplier: 2, jitterMs: 100 };

/** Gaps longer than this are pauses, not typing, and say nothing about typing speed. */
const PAUSE_MS = 1000;
/**
 * Gaps shorter than this are not typing either: a stalled extension host receives the keys typed
 * meanwhile in one batch, a few ms apart, and counting them would make the user look twice as fast.
 */
const BATCHED_MS = 25;
/**
 * ...and at least this multiple of the longest recent gap: the jitter this user and this machine
 * actually produce (code-server under load delivered keys typed at 80 ms/key with gaps up to ~210 ms),
 * and a user who slows down (80 → 250 ms/key) is slow from the first slow key, not once the median
 * has caught up.
 */
const LONGEST_GAP_FACTOR = 1.2;
/** Typing gaps remembered: their median is the typical gap (one hiccup does not move it), their longest the jitter. */
const GAPS_KEPT = 9;
/**
 * How late keys have come, remembered for longer than the gaps: a machine's hiccups are rarer than one in
 * nine keys (bench:editor at 80 ms/key: one per 20-key line, delivered to the extension host 150-200 ms
 * after the key before), so a memory of nine gaps had forgotten the last one when the next came, waited
 * typical + jitterMs = 180 ms, and sent a request for half a line. Lateness is the gap minus the typical
 * gap at the time, so typing slowly for a while (250 ms/key) does not lengthen the wait once fast again.
 */
const LATENESS_KEPT = 60;
/** A gap more than this multiple of the typical one is the user stopping to think, not a key that came late. */
const LATE_KEY_CEILING = 3;
/**
 * The wait is at least the typical gap plus this multiple of the most a recent key came late: the next
 * late key may be later still (bench:editor at load 3.6: keys scheduled 70 ms late left the page up to
 * 101 ms late, and reached the extension host later again; a margin of 1.25 let one of 15 lines through).
 */
const LATENESS_MARGIN = 1.5;
/**
 * A request sent at a false pause (a key that came late) cannot be taken back before its first token:
 * Ollama notices a closed connection only when it next emits, so the request for what the user then
 * typed queues behind it for up to a whole time to first token (bench:editor, slow model at 1.5 s:
 * 0.4 such requests per line, queue wait 532 ms). The longer the wait, the rarer a late key outlasts it;
 * taking that tail as exponential, the wait that balances one wasted request against a little more
 * delay at every pause grows with the log of the request's cost: WASTE_SCALE_MS × ln(TTFT / FAST_TTFT_MS).
 * Nothing is added for a model that answers within FAST_TTFT_MS (a wasted request there costs less than
 * the wait would); ~90 ms at 1.5 s. The scale is the spread of the longest key gaps bench:editor saw
 * for one 150 ms hiccup at 80 ms/key (150-201 ms).
 */
const WASTE_SCALE_MS = 50;
const FAST_TTFT_MS = 250;
/**
 * Recent times to first token remembered: their median is the model's (one cold load does not move it),
 * and a switch to a slower model counts from its second request.
 */
const FIRST_TOKENS_KEPT = 3;

export class AdaptiveDebounce {
  private lastKeystroke: number | undefined;
  private readonly gaps: number[] = [];
  private readonly lateness: number[] = [];
  private readonly firstTokens: number[] = [];

  constructor(private readonly options: DebounceOptions = DEFAULT_DEBOUNCE) {}

  /** When the last keystroke was noted (ms), if any. */
  get lastKeystrokeAt(): number | undefined {
    return this.lastKeystroke;
  }

  /**
   * Records a keystroke at `at` (ms). The same keystroke may be reported twice (the editor's change
   * event, then its completion request): only a new time counts as a gap.
   */
  noteKeystroke(at: number): void {
    if (this.lastKeystroke !== undefined) {
      const gap = at - this.lastKeystroke;
      if (gap <= 0) return;
      if (gap >= BATCHED_MS && gap < PAUSE_MS) {
        if (this.gaps.length >= 3) {
          const typical = median(this.gaps);
          if (gap <= typical * LATE_KEY_CEILING) {
            this.lateness.push(Math.max(0, gap - typical));
            if (this.lateness.length > LATENESS_KEPT) this.lateness.shift();
          }
        }
        this.gaps.push(gap);
        if (this.gaps.length > GAPS_KEPT) this.gaps.shift();
      }
    }
    this.lastKeystroke = at;
  }

  /** Records how long a request took to its first token (ms): what a request sent too early costs. */
  noteFirstToken(ms: number): void {
    this.firstTokens.push(ms);
    if (this.firstTokens.length > FIRST_TOKENS_KEPT) this.firstTokens.shift();
  }

  /** The wait after the last keystroke, from the typing rhythm seen so far and the model's speed. */
  get delayMs(): number {
    const { minMs, maxMs, gapMultiplier, jitterMs } = this.options;
    if (this.gaps.length === 0) return maxMs;
    const typical = median(this.gaps);
    const longest = Math.max(...this.gaps);
    const lateKey = typical + LATENESS_MARGIN * Math.max(0, ...this.lateness);
    const firstToken = this.firstTokens.length ? median(this.firstTokens) : 0;
    const waste = firstToken > FAST_TTFT_MS ? WASTE_SCALE_MS * Math.log(firstToken / FAST_TTFT_MS) : 0;
    return Math.round(Math.min(maxMs, Math.max(minMs, typical * gapMultiplier, typical + jitterMs, longest * LONGEST_GAP_FACTOR, lateKey) + waste));
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
