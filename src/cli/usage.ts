import path from 'node:path';
import { parseArgs } from 'node:util';
import {
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
import { UsageError, type CliIo } from './io';

export const USAGE_HELP = `tiercel usage [--ledger PATH] [--budget-day USD] [--budget-month USD] [--json]

Prints Claude spend from the usage ledger: today and this month (local time), by feature and by
model, with requests still in flight (counted at their worst case). Figures are estimates from
the API's own token counts at Tiercel's dated prices; the Anthropic Console has the bill.
--budget-day / --budget-month show spend against those caps (warning from ${BUDGET_WARNING_FRACTION * 100}%).

--ledger defaults to $XDG_CONFIG_HOME/tiercel/ledger.jsonl, else ~/.config/tiercel/ledger.jsonl
(%APPDATA%\\tiercel\\ledger.jsonl on Windows). --json prints
{"ledger","pricesAsOf","limits","level","summary"} with the summary's fields as in the text.`;

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
    },
    strict: true,
  });
  const { ledgerPath, limits } = budgetFromFlags(values, io.env);
  const summary = await new BudgetLedger({ path: ledgerPath }).summary();
  const level = budgetLevel(spendTotals(summary), limits);
  if (values.json) {
    io.out(JSON.stringify({ ledger: ledgerPath, pricesAsOf: defaultPriceTable().asOf, limits, level, summary }, null, 2));
  } else {
    io.out(formatUsageReport(summary, limits, ledgerPath).join('\n'));
  }
  return 0;
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
        `charged at worst case: ${formatUsd(thisMonth.abandoned.usd)}.`,
    );
  }
  if (summary.skippedLines) notes.push(`${plural(summary.skippedLines, 'unreadable ledger line')} skipped.`);
  const level = budgetLevel(spendTotals(summary), limits);
  if (level.level === 'exceeded') notes.push('Budget used up: Claude requests are refused until the cap resets or is raised.');
  else if (level.level === 'warning') notes.push(`Over ${BUDGET_WARNING_FRACTION * 100}% of a Claude budget is used.`);
  if (notes.length) lines.push('', ...notes);
  return lines;
}
