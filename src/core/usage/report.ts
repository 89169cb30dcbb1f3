/**
 * What the usage ledger says about both tiers, for the Usage & Savings view and `tiercel usage`: spend
 * per day, requests and tokens per tier and feature, and what the local tier saved. Pure functions over
 * parsed ledger lines, so the view, the CLI and the tests compute the same totals from the same file.
 *
 * Budget decisions do not come from here (that is `summarizeLedger`, which counts only Claude): a local
 * request never takes part in a cap.
 */
import { DEFAULT_ABANDON_AFTER_MS, localDay, type LedgerLine } from '../claude/ledger';
import { priceOf, type PriceTable } from '../claude/prices';
import { costOf, roundUsd, totalInputTokens } from '../claude/usage';

export type UsageTier = 'claude' | 'local' | 'openai';
export const USAGE_TIERS: readonly UsageTier[] = ['claude', 'local', 'openai'];

/** One ledger entry as the report sees it: a Claude request, or a (batch of) local request(s). */
export interface UsageRecord {
  /** When it was admitted (Claude) or ran (local), ISO. */
  time: string;
  tier: UsageTier;
  feature: string;
  model: string;
  requests: number;
  /** Everything the model read (cache writes and reads included) and wrote. */
  inputTokens: number;
  outputTokens: number;
  /** Charged against the caps: the settled cost, or the worst case while unsettled. 0 for local tiers. */
  usd: number;
  /** Local tiers: what the same tokens would have cost on Claude. 0 for Claude. */
  savedUsd: number;
  /** Claude reservations not settled yet (counted at their worst case). */
  open?: 'pending' | 'abandoned';
}

export interface TierTotals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  usd: number;
  savedUsd: number;
}

export interface UsageDay {
  /** Local calendar day, YYYY-MM-DD. */
  day: string;
  claudeUsd: number;
  claudeRequests: number;
  localRequests: number;
  savedUsd: number;
}

export interface FeatureRow extends TierTotals {
  feature: string;
  tier: UsageTier;
}

export interface UsageReport {
  /** The moment reported on, ISO. */
  now: string;
  /** The days covered, oldest first, ending today (local time); days without requests are included. */
  days: UsageDay[];
  /** Totals over those days. */
  byTier: Record<UsageTier, TierTotals>;
  /** Totals over those days by feature and tier, the busiest first. */
  byFeature: FeatureRow[];
  /** What the local tiers saved over those days. */
  savedUsd: number;
}

/** Claude requests (reserve + settle paired by id) and local lines, in ledger order. */
export function usageRecords(lines: readonly LedgerLine[], now: Date, abandonAfterMs = DEFAULT_ABANDON_AFTER_MS): UsageRecord[] {
  const settles = new Map<string, Extract<LedgerLine, { type: 'settle' }>>();
  for (const line of lines) if (line.type === 'settle' && !settles.has(line.id)) settles.set(line.id, line);
  const seen = new Set<string>();
  const records: UsageRecord[] = [];
  for (const line of lines) {
    if (seen.has(line.id)) continue;
    seen.add(line.id);
    if (line.type === 'local') {
      records.push({
        time: line.time,
        tier: line.tier,
        feature: line.feature,
        model: line.model,
        requests: line.requests,
        inputTokens: line.tokens.input,
        outputTokens: line.tokens.output,
        usd: 0,
        savedUsd: line.savedUsd,
      });
      continue;
    }
    const settle = settles.get(line.id);
    const head = line.type === 'reserve' ? line : settle!;
    const record: UsageRecord = {
      time: head.time,
      tier: 'claude',
      feature: head.feature,
      model: head.model,
      requests: 1,
      inputTokens: settle ? totalInputTokens(settle.tokens) : 0,
      outputTokens: settle?.tokens.output ?? 0,
      usd: settle ? settle.costUsd : (line as Extract<LedgerLine, { type: 'reserve' }>).maxCostUsd,
      savedUsd: 0,
    };
    if (!settle) record.open = now.getTime() - Date.parse(head.time) > abandonAfterMs ? 'abandoned' : 'pending';
    records.push(record);
  }
  return records;
}

const emptyTotals = (): TierTotals => ({ requests: 0, inputTokens: 0, outputTokens: 0, usd: 0, savedUsd: 0 });

function add(totals: TierTotals, r: UsageRecord): void {
  totals.requests += r.requests;
  totals.inputTokens += r.inputTokens;
  totals.outputTokens += r.outputTokens;
  totals.usd = roundUsd(totals.usd + r.usd);
  totals.savedUsd = roundUsd(totals.savedUsd + r.savedUsd);
}

/** The last `days` days (today included) of `records`, per day, tier and feature. */
export function buildUsageReport(records: readonly UsageRecord[], now: Date, days = 30): UsageReport {
  const series: UsageDay[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() - i, 12);
    series.push({ day: localDay(d), claudeUsd: 0, claudeRequests: 0, localRequests: 0, savedUsd: 0 });
  }
  const byDay = new Map(series.map((d) => [d.day, d]));
  const byTier = Object.fromEntries(USAGE_TIERS.map((t) => [t, emptyTotals()])) as Record<UsageTier, TierTotals>;
  const byFeature = new Map<string, FeatureRow>();
  for (const r of records) {
    const day = byDay.get(localDay(new Date(r.time)));
    if (!day) continue;
    if (r.tier === 'claude') {
      day.claudeUsd = roundUsd(day.claudeUsd + r.usd);
      day.claudeRequests += r.requests;
    } else {
      day.localRequests += r.requests;
      day.savedUsd = roundUsd(day.savedUsd + r.savedUsd);
    }
    add(byTier[r.tier], r);
    const key = `${r.feature}\u0000${r.tier}`;
    let row = byFeature.get(key);
    if (!row) byFeature.set(key, (row = { feature: r.feature, tier: r.tier, ...emptyTotals() }));
    add(row, r);
  }
  return {
    now: now.toISOString(),
    days: series,
    byTier,
    byFeature: [...byFeature.values()].sort((a, b) => b.requests - a.requests || a.feature.localeCompare(b.feature)),
    savedUsd: roundUsd(byTier.local.savedUsd + byTier.openai.savedUsd),
  };
}

/**
 * What `tokens` would have cost on `model` (input and output at its base rates, no cache): the local
 * tier's "saved" figure. 0 when the model has no price, or the prompt is past its priced range.
 */
export function claudeEquivalentUsd(tokens: { input: number; output: number }, model: string, prices?: PriceTable): number {
  const price = priceOf(model, prices);
  if (!price) return 0;
  try {
    return costOf({ input: tokens.input, output: tokens.output, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 }, price);
  } catch {
    return 0;
  }
}

const CSV_COLUMNS = ['time', 'tier', 'feature', 'model', 'requests', 'input_tokens', 'output_tokens', 'cost_usd', 'saved_usd', 'state'] as const;

/** One row per ledger record in the report's days, for a spreadsheet. RFC 4180 quoting. */
export function usageCsv(records: readonly UsageRecord[], report: Pick<UsageReport, 'days'>): string {
  const first = report.days[0]?.day ?? '';
  const quote = (v: string | number) => {
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const rows = records
    .filter((r) => localDay(new Date(r.time)) >= first)
    .map((r) =>
      [r.time, r.tier, r.feature, r.model, r.requests, r.inputTokens, r.outputTokens, r.usd, r.savedUsd, r.open ?? 'settled'].map(quote).join(','),
    );
  return [CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}
