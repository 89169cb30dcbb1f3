/**
 * The Usage & Savings view's state from the ledger's lines: the same core functions, in the same order, as
 * `tiercel usage --json` (src/cli/usage.ts), so the view and the CLI show the same totals for one ledger.
 * No vscode here, so it is tested in plain Node.
 */
import { budgetLevel } from '../../core/claude/budget';
import { DEFAULT_ABANDON_AFTER_MS, spendTotals, summarizeLedger, type LedgerContents } from '../../core/claude/ledger';
import { defaultPriceTable } from '../../core/claude/prices';
import { buildUsageReport, usageCsv, usageRecords } from '../../core/usage/report';
import type { UsageState } from '../../webview/usage/protocol';
import { openReservations } from './reservations';

/** The report's window; the CLI's REPORT_DAYS is the same 30 days. */
export const REPORT_DAYS = 30;

export interface UsageViewSettings {
  dailyUsd: number;
  monthlyUsd: number;
  localOnly: boolean;
}

export function usageState(
  contents: LedgerContents,
  now: Date,
  settings: UsageViewSettings,
  abandonAfterMs = DEFAULT_ABANDON_AFTER_MS,
): UsageState {
  const summary = summarizeLedger(contents, now, abandonAfterMs);
  const report = buildUsageReport(usageRecords(contents.lines, now, abandonAfterMs), now, REPORT_DAYS);
  const spent = spendTotals(summary);
  // Each cap on its own, so the page colours each bar as the status bar would colour that cap.
  const dayLevel = budgetLevel(spent, { dailyUsd: settings.dailyUsd }).level;
  const monthLevel = budgetLevel(spent, { monthlyUsd: settings.monthlyUsd }).level;
  return {
    now: report.now,
    pricesAsOf: defaultPriceTable().asOf,
    days: report.days,
    byTier: report.byTier,
    byFeature: report.byFeature,
    savedUsd: report.savedUsd,
    today: { spentUsd: spent.todayUsd, capUsd: settings.dailyUsd, level: dayLevel },
    month: { spentUsd: spent.monthUsd, capUsd: settings.monthlyUsd, level: monthLevel },
    reservations: openReservations(contents.lines, now, abandonAfterMs),
    skippedLines: contents.skippedLines,
    localOnly: settings.localOnly,
  };
}

/** The CSV the view exports: the CLI's `usage --csv` rows for the same window. */
export function usageStateCsv(contents: LedgerContents, now: Date, abandonAfterMs = DEFAULT_ABANDON_AFTER_MS): string {
  const records = usageRecords(contents.lines, now, abandonAfterMs);
  return usageCsv(records, buildUsageReport(records, now, REPORT_DAYS));
}
