/**
 * Local, in-memory completion metrics (never sent anywhere), shown by "Tiercel: Show Completion Stats"
 * and reported by the completion benchmark.
 */
export interface CompletionStats {
  requests: number;
  cacheHits: number;
  reusedInFlight: number;
  aborts: number;
  earlyStops: number;
  errors: number;
  shown: number;
  accepted: number;
  timeToFirstTokenMs: Percentiles;
  endToEndMs: Percentiles;
  dispatchOverheadMs: Percentiles;
  /** The wait after the last keystroke the adaptive debounce chose, per request sent. */
  debounceMs: Percentiles;
}

export interface Percentiles {
  count: number;
  p50: number | undefined;
  p95: number | undefined;
}

/** Keeps the newest samples only, so a long session neither grows memory nor hides recent slowness. */
const MAX_SAMPLES = 2000;

class Samples {
  private values: number[] = [];

  add(value: number): void {
    this.values.push(value);
    if (this.values.length > MAX_SAMPLES) this.values.splice(0, this.values.length - MAX_SAMPLES);
  }

  percentiles(): Percentiles {
    const sorted = [...this.values].sort((a, b) => a - b);
    return { count: sorted.length, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95) };
  }
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export class CompletionMetrics {
  requests = 0;
  cacheHits = 0;
  reusedInFlight = 0;
  aborts = 0;
  earlyStops = 0;
  errors = 0;
  shown = 0;
  accepted = 0;
  readonly timeToFirstToken = new Samples();
  readonly endToEnd = new Samples();
  readonly dispatchOverhead = new Samples();
  readonly debounce = new Samples();

  snapshot(): CompletionStats {
    return {
      requests: this.requests,
      cacheHits: this.cacheHits,
      reusedInFlight: this.reusedInFlight,
      aborts: this.aborts,
      earlyStops: this.earlyStops,
      errors: this.errors,
      shown: this.shown,
      accepted: this.accepted,
      timeToFirstTokenMs: this.timeToFirstToken.percentiles(),
      endToEndMs: this.endToEnd.percentiles(),
      dispatchOverheadMs: this.dispatchOverhead.percentiles(),
      debounceMs: this.debounce.percentiles(),
    };
  }
}

/** The stats as Markdown, for the stats document and the CLI. */
export function formatStats(stats: CompletionStats): string {
  const ms = (p: Percentiles) =>
    p.count === 0 ? 'no samples' : `p50 ${p.p50!.toFixed(0)} ms, p95 ${p.p95!.toFixed(0)} ms (${p.count} samples)`;
  const rate = stats.shown ? ` (${((100 * stats.accepted) / stats.shown).toFixed(0)}%)` : '';
  return [
    '# Tiercel completion stats',
    '',
    'Kept in memory for this window only; nothing is sent anywhere.',
    '',
    '| | |',
    '| --- | --- |',
    `| Requests to Ollama | ${stats.requests} |`,
    `| Answered from cache (incl. typing through a suggestion) | ${stats.cacheHits} |`,
    `| Reused an in-flight request | ${stats.reusedInFlight} |`,
    `| Aborted (superseded or cancelled) | ${stats.aborts} |`,
    `| Stopped early (enough text) | ${stats.earlyStops} |`,
    `| Errors | ${stats.errors} |`,
    `| Suggestions shown / accepted | ${stats.shown} / ${stats.accepted}${rate} |`,
    `| Time to first token | ${ms(stats.timeToFirstTokenMs)} |`,
    `| End-to-end latency | ${ms(stats.endToEndMs)} |`,
    `| Debounce after the last keystroke | ${ms(stats.debounceMs)} |`,
    `| Keystroke → request overhead beyond the debounce | ${ms(stats.dispatchOverheadMs)} |`,
    '',
  ].join('\n');
}
