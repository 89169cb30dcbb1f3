/**
 * Records local-tier requests in the shared ledger, a batch at a time: a line per (tier, feature, model)
 * every minute at most, not per request, so the keystroke path never waits on a file lock and a day of
 * completions is a few hundred lines, not tens of thousands.
 */
import type { BudgetLedger } from '../claude/ledger';
import type { PriceTable } from '../claude/prices';
import { claudeEquivalentUsd } from './report';

export interface LocalRequestUsage {
  tier: 'local' | 'openai';
  feature: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
}

export interface LocalUsageRecorderDeps {
  ledger: Pick<BudgetLedger, 'recordLocal'>;
  /** The Claude model savings are priced on: the one the user would otherwise have used. */
  comparedModel: () => string;
  prices?: PriceTable;
  /** Longest a request waits before its batch is written. Default 60 s. */
  flushAfterMs?: number;
  now?: () => Date;
  log?: (message: string) => void;
}

interface Batch {
  entry: LocalRequestUsage & { requests: number };
  time: string;
}

export class LocalUsageRecorder {
  private readonly batches = new Map<string, Batch>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: LocalUsageRecorderDeps) {}

  record(usage: LocalRequestUsage): void {
    const key = `${usage.tier}\u0000${usage.feature}\u0000${usage.model}`;
    const batch = this.batches.get(key);
    if (batch) {
      batch.entry.requests++;
      batch.entry.inputTokens += usage.inputTokens;
      batch.entry.outputTokens += usage.outputTokens;
    } else {
      this.batches.set(key, { entry: { ...usage, requests: 1 }, time: (this.deps.now?.() ?? new Date()).toISOString() });
    }
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.deps.flushAfterMs ?? 60_000);
      this.timer.unref?.();
    }
  }

  /** Writes what is batched; resolves when it is in the ledger (or the write failed and was logged). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batches = [...this.batches.values()];
    this.batches.clear();
    const compared = this.deps.comparedModel();
    this.writing = this.writing.then(async () => {
      for (const { entry, time } of batches) {
        const tokens = { input: entry.inputTokens, output: entry.outputTokens };
        await this.deps.ledger
          .recordLocal({
            time,
            tier: entry.tier,
            feature: entry.feature,
            model: entry.model,
            requests: entry.requests,
            tokens,
            savedUsd: claudeEquivalentUsd(tokens, compared, this.deps.prices),
            comparedModel: compared,
          })
          // Usage history is worth less than the request it describes: never fail a feature for it.
          .catch((error: unknown) => this.deps.log?.(`could not record local usage: ${String(error)}`));
      }
    });
    return this.writing;
  }
}
