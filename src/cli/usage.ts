import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  type AbandonedReservation,
  BUDGET_WARNING_FRACTION,
  BudgetLedger,
  budgetLevel,
  defaultLedgerPath,
  defaultPriceTable,
  formatUsd,
  spendTotals,
  type BudgetLimits,
  type LedgerSummary,
  type PeriodSummary,
  type SpendBucket,
} from '../core/claude';
import { summarizeLedger } from '../core/claude/ledger';
import { buildUsageReport, usageCsv, usageRecords, type UsageReport } from '../core/usage/report';
import { UsageError, type CliIo } from './io';

export const USAGE_HELP = `tiercel usage [--ledger PATH] [--budget-day USD] [--budget-month USD] [--json | --csv]
tiercel usage --release ID [--yes] [--ledger PATH]

Prints Claude spend from the usage ledger: today and this month (local time), by feature and by
model, with requests still in flight (counted at their worst case); then both tiers over the last
30 days: requests and tokens each, and what the local tier saved (what its requests would have
cost on Claude). Figures are estimates from the API's own token counts at Tiercel's dated prices;
the Anthropic Console has the bill. --csv prints one row per ledger entry of those 30 days.
--budget-day / --budget-month show spend against those caps (warning from ${BUDGET_WARNING_FRACTION * 100}%).

A request whose process was stopped mid-way leaves its reservation counted at its worst case for
good (the API may have billed it). The report lists these abandoned reservations; --release ID
(the id or its first 8 characters) stops counting one, after asking (--yes: without asking).
If its request did reach Claude, that cost is then missing from the figures and the caps.

--ledger defaults to $XDG_CONFIG_HOME/tiercel/ledger.jsonl, else ~/.config/tiercel/ledger.jsonl
(%APPDATA%\\tiercel\\ledger.jsonl on Windows), the file the editor uses too. --json prints
{"ledger","pricesAsOf","limits","level","summary","report"}: the summary's fields as in the text,
the report's as the Usage & Savings view shows them (days, byTier, byFeature, savedUsd).`;

/** A `--budget-*` value: dollars, 0 or more; undefined when the flag is absent. */
export function parseUsdFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const usd = Number(value.replace(/^\$/, ''));
  if (value.trim() === '' || !Number.isFinite(usd) || usd < 0) throw new UsageError(`${flag} must be an amount in USD (0 or more)`);
  return usd;
}

/** The ledger and caps shared by the commands that spend or report (`usage`, `review`). */
export function budgetFromFlags(
  values: { ledger?: string; 'budget-day'?: string; 'budget-month'?: string },
  env: NodeJS.ProcessEnv,
): { ledgerPath: string; limits: Pick<BudgetLimits, 'dailyUsd' | 'monthlyUsd'> } {
  const dailyUsd = parseUsdFlag(values['budget-day'], '--budget-day');
  const monthlyUsd = parseUsdFlag(values['budget-month'], '--budget-month');
  return {
    ledgerPath: path.resolve(values.ledger ?? defaultLedgerPath(env)),
    limits: { ...(dailyUsd !== undefined && { dailyUsd }), ...(monthlyUsd !== undefined && { monthlyUsd }) },
  };
}

export async function runUsage(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ledger: { type: 'string' },
      'budget-day': { type: 'string' },
      'budget-month': { type: 'string' },
      json: { type: 'boolean', default: false },
      csv: { type: 'boolean', default: false },
      release: { type: 'string' },
      yes: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const { ledgerPath, limits } = budgetFromFlags(values, io.env);
  const ledger = new BudgetLedger({ path: ledgerPath });
  if (values.release !== undefined) return releaseReservation(ledger, values.release, values.yes, io);
  const now = new Date();
  const contents = await ledger.read();
  const summary = summarizeLedger(contents, now);
  const records = usageRecords(contents.lines, now);
  const report = buildUsageReport(records, now, REPORT_DAYS);
  const level = budgetLevel(spendTotals(summary), limits);
  if (values.csv) {
    io.out(usageCsv(records, report).trimEnd());
  } else if (values.json) {
    io.out(JSON.stringify({ ledger: ledgerPath, pricesAsOf: defaultPriceTable().asOf, limits, level, summary, report }, null, 2));
  } else {
    io.out([...formatUsageReport(summary, limits, ledgerPath), ...formatTierReport(report)].join('\n'));
  }
  return 0;
}

/** The Usage & Savings view's window: the same 30 days in the CLI. */
export const REPORT_DAYS = 30;

/** Both tiers over the report's days: requests and tokens each, and what the local tier saved. */
export function formatTierReport(report: UsageReport): string[] {
  const { claude, local, openai } = report.byTier;
  const localRequests = local.requests + openai.requests;
  if (claude.requests + localRequests === 0) return [];
  const tokens = (t: { inputTokens: number; outputTokens: number }) => `${tokenCount(t.inputTokens)} in / ${tokenCount(t.outputTokens)} out tokens`;
  return [
    '',
    `Last ${report.days.length} days, both tiers:`,
    `  Claude: ${plural(claude.requests, 'request')}, ${tokens(claude)}, ${formatUsd(claude.usd)}`,
    `  Local:  ${plural(localRequests, 'request')}, ${tokens({ inputTokens: local.inputTokens + openai.inputTokens, outputTokens: local.outputTokens + openai.outputTokens })}, $0`,
    `  Saved:  ${formatUsd(report.savedUsd)} (what the local requests would have cost on Claude)`,
  ];
}

async function releaseReservation(ledger: BudgetLedger, id: string, yes: boolean, io: CliIo): Promise<number> {
  const candidates = (await ledger.summary()).abandonedReservations.filter((r) => r.id.startsWith(id.trim()));
  const shown = candidates.length === 1 ? describeReservation(candidates[0]!) : id;
  if (!yes) {
    const question =
      `Release ${shown}? It stops counting against the caps; if its request did reach Claude, ` +
      'that cost will be missing from the figures.';
    if (!(await io.confirm?.(question))) {
      io.err('Not released. (Run with --yes to release without asking.)');
      return 1;
    }
  }
  const released = await ledger.releaseAbandoned(id);
  io.out(`Released ${describeReservation(released)}.`);
  return 0;
}

function describeReservation(r: AbandonedReservation): string {
  return `${r.id.slice(0, 8)} (${r.feature}, ${r.model}, ${formatUsd(r.maxCostUsd)} held since ${r.time}${r.pid !== undefined ? `, process ${r.pid}` : ''})`;
}

const tokenCount = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function againstCap(usd: number, cap: number | undefined): string {
  if (cap === undefined) return formatUsd(usd);
  const share = cap > 0 ? ` (${Math.round((usd / cap) * 100)}%)` : '';
  return `${formatUsd(usd)} of ${formatUsd(cap)}${share}`;
}

function breakdown(title: string, buckets: Record<string, SpendBucket>): string[] {
  const rows = Object.entries(buckets).sort(([, a], [, b]) => b.usd - a.usd);
  if (rows.length === 0) return [];
  const width = Math.max(...rows.map(([name]) => name.length));
  return [title, ...rows.map(([name, b]) => `  ${name.padEnd(width)}  ${formatUsd(b.usd).padStart(9)}  ${plural(b.requests, 'request')}`)];
}

function tokensLine(period: PeriodSummary): string {
  const t = period.tokens;
  return (
    `  tokens: input ${tokenCount(t.input)}, cache write 5m ${tokenCount(t.cacheWrite5m)}, ` +
    `cache write 1h ${tokenCount(t.cacheWrite1h)}, cache read ${tokenCount(t.cacheRead)}, output ${tokenCount(t.output)}`
  );
}

/** The text report of `tiercel usage`, one line per entry. */
export function formatUsageReport(
  summary: LedgerSummary,
  limits: Pick<BudgetLimits, 'dailyUsd' | 'monthlyUsd'>,
  ledgerPath: string,
): string[] {
  const { today, thisMonth } = summary;
  const lines = [
    `Claude spend: estimates from the API's token counts at prices as of ${defaultPriceTable().asOf}; the Anthropic Console has the bill.`,
    `Ledger: ${ledgerPath}`,
    '',
    `Today (${summary.day}):      ${againstCap(today.usd, limits.dailyUsd)}, ${plural(today.requests, 'request')}`,
    tokensLine(today),
    `This month (${summary.month}): ${againstCap(thisMonth.usd, limits.monthlyUsd)}, ${plural(thisMonth.requests, 'request')}`,
    tokensLine(thisMonth),
  ];
  const details = [...breakdown('By feature (this month):', thisMonth.byFeature), ...breakdown('By model (this month):', thisMonth.byModel)];
  if (details.length) lines.push('', ...details);

  const notes: string[] = [];
  if (thisMonth.pending.count) {
    notes.push(`${plural(thisMonth.pending.count, 'request')} in flight, held at worst case: ${formatUsd(thisMonth.pending.usd)}.`);
  }
  if (thisMonth.abandoned.count) {
    notes.push(
      `${plural(thisMonth.abandoned.count, 'request')} never settled (a window or CLI stopped mid-request), ` +
        `charged at worst case: ${formatUsd(thisMonth.abandoned.usd)}. Release one with 'usage --release ID':`,
      ...summary.abandonedReservations.map((r) => `  ${describeReservation(r)}`),
    );
  }
  if (summary.skippedLines) notes.push(`${plural(summary.skippedLines, 'unreadable ledger line')} skipped.`);
  const level = budgetLevel(spendTotals(summary), limits);
  if (level.level === 'exceeded') notes.push('Budget used up: Claude requests are refused until the cap resets or is raised.');
  else if (level.level === 'warning') notes.push(`Over ${BUDGET_WARNING_FRACTION * 100}% of a Claude budget is used.`);
  if (notes.length) lines.push('', ...notes);
  return lines;
}
