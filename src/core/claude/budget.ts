/**
 * The pre-flight gate: what a request can cost at worst, and whether the daily and monthly caps allow it.
 * The worst case is priced before sending (Roo Code asks only after a cap is already passed), and it is
 * what the ledger reserves, so the caps hold even with requests in flight in several windows.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { TiercelError, type NextAction } from '../errors';
import type { SpendTotals } from './ledger';
import { ratesFor, worstGeoMultiplier, type ModelPrice } from './prices';
import { roundUsd, type CacheTtl } from './usage';

export interface BudgetLimits {
  /** Most Claude may cost per local calendar day, USD; undefined for no daily cap. */
  dailyUsd?: number;
  /** Most Claude may cost per local calendar month, USD; undefined for no monthly cap. */
  monthlyUsd?: number;
  /** Ask the user first when a request's worst case is above this, USD; undefined never asks. */
  confirmAboveUsd?: number;
}

/** The request fields the gate reads (a subset of the Messages API params). */
export type GatedParams = Pick<
  Anthropic.Messages.MessageCreateParamsNonStreaming,
  'model' | 'max_tokens' | 'system' | 'messages' | 'tools' | 'cache_control' | 'inference_geo'
>;

export type InputTokenSource = 'count_tokens' | 'estimate';

export interface WorstCase {
  usd: number;
  /** Input tokens assumed, margin included. */
  inputTokens: number;
  inputTokensSource: InputTokenSource;
  outputTokens: number;
}

/**
 * count_tokens is documented as an estimate of the billed input; 5% headroom keeps a small undercount from
 * letting the settled cost pass what was reserved (and so the cap).
 */
export const COUNT_TOKENS_MARGIN = 1.05;
/**
 * Offline estimate, used only when count_tokens fails: characters of the JSON-encoded prompt ÷ 3.5, × 1.3.
 * 3.5 chars/token is typical of code and English on Claude's earlier tokenizers; newer models' tokenizer
 * yields about 30% more tokens for the same text (Haiku 5.5 overview vs Haiku 4.5), hence the ×1.3. The
 * JSON encoding (quotes, keys, escapes) only adds characters, so the estimate errs high, which is the safe
 * side for a budget. chars÷4 (the common rule) undercounts the current models.
 */
export const ESTIMATE_CHARS_PER_TOKEN = 3.5;
export const ESTIMATE_SAFETY = 1.3;

/** The gate's offline token estimate of a request's input; see ESTIMATE_CHARS_PER_TOKEN. */
export function estimateInputTokens(params: Pick<GatedParams, 'system' | 'messages' | 'tools'>): number {
  const chars = JSON.stringify([params.system ?? '', params.messages, params.tools ?? []]).length;
  return Math.ceil((chars / ESTIMATE_CHARS_PER_TOKEN) * ESTIMATE_SAFETY);
}

/**
 * The dearest cache TTL the request asks for anywhere (top-level automatic caching, system, messages,
 * tools), or undefined when it sets no `cache_control`: such a request can't be billed for cache writes.
 */
export function cacheWriteTtlOf(params: unknown): CacheTtl | undefined {
  let found: CacheTtl | undefined;
  const visit = (value: unknown): void => {
    if (found === '1h' || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) return value.forEach(visit);
    for (const [key, child] of Object.entries(value)) {
      if (key === 'cache_control' && child && typeof child === 'object') {
        found = (child as { ttl?: string }).ttl === '1h' ? '1h' : (found ?? '5m');
      } else {
        visit(child);
      }
    }
  };
  visit(params);
  return found;
}

/**
 * The most the request can cost: every input token at the dearest input-side rate it can incur (a cache
 * write where the request sets `cache_control`, which replaces the input rate for those tokens), `max_tokens`
 * of output, and the dearest geo multiplier unless the request pins `inference_geo`. Undefined when the price
 * table has no rate for a prompt this long.
 */
export function worstCaseOf(
  price: ModelPrice,
  params: GatedParams,
  counted: { inputTokens: number; source: InputTokenSource },
): WorstCase | undefined {
  const inputTokens =
    counted.source === 'count_tokens' ? Math.ceil(counted.inputTokens * COUNT_TOKENS_MARGIN) : counted.inputTokens;
  const rates = ratesFor(price, inputTokens);
  if (!rates) return undefined;
  const ttl = cacheWriteTtlOf(params);
  const inputRate = Math.max(
    rates.input,
    ttl === '5m' ? rates.cacheWrite5m : 0,
    ttl === '1h' ? Math.max(rates.cacheWrite5m, rates.cacheWrite1h) : 0,
  );
  const perMillion = inputTokens * inputRate + params.max_tokens * rates.output;
  return {
    usd: roundUsd((perMillion / 1_000_000) * worstGeoMultiplier(price, params.inference_geo)),
    inputTokens,
    inputTokensSource: counted.source,
    outputTokens: params.max_tokens,
  };
}

export type BudgetDecision =
  | { kind: 'allow'; worstCaseUsd: number; spent: SpendTotals }
  | { kind: 'confirm'; worstCaseUsd: number; spent: SpendTotals; reason: string }
  | {
      kind: 'refuse';
      worstCaseUsd: number;
      spent: SpendTotals;
      /** The cap the request would pass. */
      cap: 'daily' | 'monthly';
      reason: string;
      actions: NextAction[];
    };

/**
 * Dollars for people: cents from $1 up; below that two significant digits, so a worst case and what is
 * left of a cap never both read "$0.01" ($0.013 vs $0.01) and tiny amounts don't read "$0.00".
 */
export function formatUsd(amount: number): string {
  if (amount <= 0 || amount >= 1) return `$${amount.toFixed(2)}`;
  if (amount < 0.000001) return '<$0.000001';
  const digits = Math.max(2, 1 - Math.floor(Math.log10(amount)));
  return `$${amount.toFixed(digits).replace(/(\.\d\d\d*?)0+$/, '$1')}`;
}

// Float sums of many small costs can land a hair above an exact cap.
const EPSILON_USD = 1e-9;
const REFUSED_ACTIONS: NextAction[] = ['runLocally', 'trimContext', 'raiseBudget'];

/** Whether a request of this worst case is above the per-request confirmation threshold. */
export function needsConfirmation(worstCaseUsd: number, limits: Pick<BudgetLimits, 'confirmAboveUsd'>): boolean {
  return limits.confirmAboveUsd !== undefined && worstCaseUsd > limits.confirmAboveUsd;
}

/** Refuse when the worst case would pass what is left of a cap; otherwise confirm above the threshold. */
export function decideBudget(worstCaseUsd: number, spent: SpendTotals, limits: BudgetLimits): BudgetDecision {
  const caps = [
    { cap: 'daily' as const, limit: limits.dailyUsd, used: spent.todayUsd, period: "today's" },
    { cap: 'monthly' as const, limit: limits.monthlyUsd, used: spent.monthUsd, period: "this month's" },
  ];
  for (const { cap, limit, used, period } of caps) {
    if (limit === undefined || used + worstCaseUsd <= limit + EPSILON_USD) continue;
    const left = roundUsd(Math.max(0, limit - used));
    const reason =
      `This Claude request could cost up to ${formatUsd(worstCaseUsd)}, but only ${formatUsd(left)} of ` +
      `${period} ${formatUsd(limit)} Claude budget is left, so it was not sent.`;
    return { kind: 'refuse', worstCaseUsd, spent, cap, reason, actions: [...REFUSED_ACTIONS] };
  }
  if (needsConfirmation(worstCaseUsd, limits)) {
    const reason =
      `This Claude request could cost up to ${formatUsd(worstCaseUsd)}, ` +
      `above the ${formatUsd(limits.confirmAboveUsd!)} you asked to confirm.`;
    return { kind: 'confirm', worstCaseUsd, spent, reason };
  }
  return { kind: 'allow', worstCaseUsd, spent };
}

/** Over budget: the request was not sent. */
export class BudgetExceededError extends TiercelError {
  constructor(readonly decision: Extract<BudgetDecision, { kind: 'refuse' }>) {
    super(decision.reason, decision.actions);
  }
}

/** The status bar warns from this share of a cap. */
export const BUDGET_WARNING_FRACTION = 0.8;

export interface BudgetLevel {
  level: 'ok' | 'warning' | 'exceeded';
  /** Spent ÷ cap, undefined for no cap. */
  dayFraction?: number;
  monthFraction?: number;
}

/** How close the spend is to its caps: warning from 80%, exceeded at 100% of either. */
export function budgetLevel(spent: SpendTotals, limits: Pick<BudgetLimits, 'dailyUsd' | 'monthlyUsd'>): BudgetLevel {
  const fraction = (used: number, limit?: number) =>
    limit === undefined ? undefined : limit <= 0 ? (used > 0 ? Infinity : 1) : used / limit;
  const dayFraction = fraction(spent.todayUsd, limits.dailyUsd);
  const monthFraction = fraction(spent.monthUsd, limits.monthlyUsd);
  const worst = Math.max(dayFraction ?? 0, monthFraction ?? 0);
  const level = worst >= 1 - EPSILON_USD ? 'exceeded' : worst >= BUDGET_WARNING_FRACTION ? 'warning' : 'ok';
  return { level, ...(dayFraction !== undefined && { dayFraction }), ...(monthFraction !== undefined && { monthFraction }) };
}
