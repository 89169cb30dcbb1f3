/**
 * What the Usage & Savings page shows, shaped from the host's state: labels, formatted figures, the chart's
 * series. Pure (no DOM), so it is tested in plain Node and the E2E test formats the CLI's figures with it.
 */
import { TIERS, type Cap, type DayFigures, type FeatureRow, type Tier, type Totals, type UsageState } from './protocol';

export const TIER_LABELS: Record<Tier, string> = {
  claude: 'Claude',
  local: 'Local (Ollama)',
  openai: 'Local (OpenAI-compatible)',
};

/** Dollars as the status bar shows them: two decimals, more for a small amount so it never reads $0.00. */
export function formatUsd(amount: number): string {
  if (amount <= 0) return '$0.00';
  if (amount >= 1) return `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  if (amount < 0.000001) return '<$0.000001';
  const decimals = Math.max(2, 1 - Math.floor(Math.log10(amount)));
  return `$${amount.toFixed(decimals).replace(/(\.\d\d\d*?)0+$/, '$1')}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A figure the page shows; `value` is what the E2E test compares with `tiercel usage --json`. */
export interface Figure {
  key: string;
  label: string;
  text: string;
  value: number;
  hint?: string;
}

const sumTotals = (a: Totals, b: Totals): Totals => ({
  requests: a.requests + b.requests,
  inputTokens: a.inputTokens + b.inputTokens,
  outputTokens: a.outputTokens + b.outputTokens,
  usd: a.usd + b.usd,
  savedUsd: a.savedUsd + b.savedUsd,
});

/** Both local tiers together: to the user they are one "free" tier. */
export function localTotals(state: Pick<UsageState, 'byTier'>): Totals {
  return sumTotals(state.byTier.local, state.byTier.openai);
}

/** The headline figures over the report's days. */
export function headlineFigures(state: UsageState): Figure[] {
  const claude = state.byTier.claude;
  const local = localTotals(state);
  return [
    { key: 'claudeUsd', label: 'Claude spend', text: formatUsd(claude.usd), value: claude.usd, hint: 'Claude requests, settled cost (worst case while unsettled)' },
    { key: 'savedUsd', label: 'Saved', text: formatUsd(state.savedUsd), value: state.savedUsd, hint: 'What the local requests would have cost on Claude' },
    { key: 'claudeRequests', label: 'Claude requests', text: formatCount(claude.requests), value: claude.requests },
    { key: 'localRequests', label: 'Local requests', text: formatCount(local.requests), value: local.requests },
  ];
}

export interface CapView {
  key: 'today' | 'month';
  label: string;
  text: string;
  /** 0–100, the bar's width; a cap of 0 is full (it allows nothing). */
  percent: number;
  level: Cap['level'];
  spentUsd: number;
  capUsd: number;
}

/** Today's and this month's spend against their caps, with the level the host computed for each. */
export function capViews(state: Pick<UsageState, 'today' | 'month'>): CapView[] {
  const view = (key: CapView['key'], label: string, cap: Cap): CapView => ({
    key,
    label,
    text: `${formatUsd(cap.spentUsd)} of ${formatUsd(cap.capUsd)}`,
    percent: cap.capUsd > 0 ? Math.min(100, Math.round((cap.spentUsd / cap.capUsd) * 1000) / 10) : 100,
    level: cap.level,
    spentUsd: cap.spentUsd,
    capUsd: cap.capUsd,
  });
  return [view('today', 'Today', state.today), view('month', 'This month', state.month)];
}

export interface TierRow extends Totals {
  tier: Tier;
  label: string;
}

/** One row per tier; the OpenAI-compatible one only when it was used, so a plain Ollama setup sees two rows. */
export function tierRows(state: Pick<UsageState, 'byTier'>): TierRow[] {
  return TIERS
    .filter((tier) => tier !== 'openai' || state.byTier.openai.requests > 0)
    .map((tier) => ({ tier, label: TIER_LABELS[tier], ...state.byTier[tier] }));
}

export function featureRows(state: Pick<UsageState, 'byFeature'>): Array<FeatureRow & { tierLabel: string }> {
  return state.byFeature.map((row) => ({ ...row, tierLabel: TIER_LABELS[row.tier] }));
}

/** Nothing to chart or tabulate: the page shows how the view fills instead. */
export function isEmpty(state: Pick<UsageState, 'byTier' | 'reservations'>): boolean {
  const { claude, local, openai } = state.byTier;
  return claude.requests + local.requests + openai.requests === 0 && state.reservations.length === 0;
}

/** Unix seconds of a local day's midnight: uPlot's time scale. */
export function dayToSeconds(day: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d).getTime() / 1000;
}

/** "Nov 3" for a local day given as `YYYY-MM-DD`. */
export function dayLabel(day: string): string {
  return secondsLabel(dayToSeconds(day));
}

/** "Nov 3" for a moment on uPlot's time scale (local time). */
export function secondsLabel(seconds: number): string {
  return new Date(seconds * 1000).toLocaleDateString('en-US', { month: 'short', day: 'numeric' });
}

/** The chart's columns: days, Claude $, Saved $, local requests. */
export function chartColumns(days: readonly DayFigures[]): [number[], number[], number[], number[]] {
  return [days.map((d) => dayToSeconds(d.day)), days.map((d) => d.claudeUsd), days.map((d) => d.savedUsd), days.map((d) => d.localRequests)];
}

/** "3 min ago", "2 h ago", "4 days ago": how long a reservation has been open. */
export function age(fromIso: string, nowIso: string): string {
  const minutes = Math.max(0, Math.round((Date.parse(nowIso) - Date.parse(fromIso)) / 60_000));
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/** A short description of the chart for screen readers (the canvas itself says nothing). */
export function chartSummary(state: Pick<UsageState, 'days' | 'byTier' | 'savedUsd'>): string {
  const busiest = state.days.reduce<DayFigures | undefined>((best, d) => (!best || d.claudeUsd > best.claudeUsd ? d : best), undefined);
  const local = localTotals(state);
  const parts = [
    `Last ${state.days.length} days: Claude ${formatUsd(state.byTier.claude.usd)} over ${formatCount(state.byTier.claude.requests)} requests`,
    `local ${formatCount(local.requests)} requests, saved ${formatUsd(state.savedUsd)}`,
  ];
  if (busiest && busiest.claudeUsd > 0) parts.push(`most Claude spend on ${dayLabel(busiest.day)} (${formatUsd(busiest.claudeUsd)})`);
  return `${parts.join('; ')}.`;
}
