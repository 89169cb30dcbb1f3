import * as vscode from 'vscode';
import { BUDGET_WARNING_FRACTION, budgetLevel, formatUsd } from '../../core/claude/budget';
import { spendTotals, type LedgerSummary, type PeriodSummary } from '../../core/claude/ledger';
import type { TiercelSettings } from '../../core/settings';

export const SHOW_USAGE_COMMAND = 'tiercel.showUsageAndSavings';

/**
 * Claude spend against the caps, always in view: `$1.20 / $5.00 today`, warning colours from 80% and
 * error colours at 100% of either cap. Hidden in local-only mode, where nothing can be spent.
 */
export class BudgetStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('tiercel.budget', vscode.StatusBarAlignment.Right, 99);

  constructor() {
    this.item.name = 'Tiercel Claude Budget';
    this.item.command = SHOW_USAGE_COMMAND;
  }

  render(summary: LedgerSummary, settings: TiercelSettings): void {
    if (settings.claude.localOnly) {
      this.item.hide();
      return;
    }
    const { budget } = settings;
    const level = budgetLevel(spendTotals(summary), budget);
    const today = summary.today;
    this.item.text =
      budget.statusBar === 'tokens'
        ? `$(sparkle) ${formatTokens(totalTokens(today))} tokens today`
        : `$(sparkle) ${formatUsd(today.usd)} / ${formatUsd(budget.dailyUsd)} today`;
    this.item.backgroundColor =
      level.level === 'exceeded'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : level.level === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    this.item.tooltip = tooltip(summary, settings, level.level);
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}

function tooltip(summary: LedgerSummary, settings: TiercelSettings, level: string): vscode.MarkdownString {
  const { budget } = settings;
  const md = new vscode.MarkdownString('', true);
  md.appendMarkdown('**Tiercel · Claude spend**\n\n');
  if (level === 'exceeded') md.appendMarkdown('$(error) A cap is reached: Claude requests are refused until it resets or is raised.\n\n');
  else if (level === 'warning') md.appendMarkdown(`$(warning) Over ${BUDGET_WARNING_FRACTION * 100}% of a cap.\n\n`);
  md.appendMarkdown(`| | spent | cap |\n|---|---:|---:|\n`);
  md.appendMarkdown(`| Today | ${formatUsd(summary.today.usd)} | ${formatUsd(budget.dailyUsd)} |\n`);
  md.appendMarkdown(`| This month | ${formatUsd(summary.thisMonth.usd)} | ${formatUsd(budget.monthlyUsd)} |\n\n`);
  appendBreakdown(md, 'By feature (this month)', summary.thisMonth.byFeature);
  appendBreakdown(md, 'By model (this month)', summary.thisMonth.byModel);
  if (summary.today.pending.count) md.appendMarkdown(`${summary.today.pending.count} request(s) in flight, counted at their worst case.\n\n`);
  md.appendMarkdown('Estimated from the API\'s own token counts at Tiercel\'s dated prices. Click for details.');
  return md;
}

function appendBreakdown(md: vscode.MarkdownString, title: string, buckets: PeriodSummary['byFeature']): void {
  const rows = Object.entries(buckets).sort(([, a], [, b]) => b.usd - a.usd);
  if (!rows.length) return;
  md.appendMarkdown(`${title}: ${rows.map(([name, b]) => `${name} ${formatUsd(b.usd)} (${b.requests})`).join(' · ')}\n\n`);
}

export function totalTokens(period: PeriodSummary): number {
  const t = period.tokens;
  return t.input + t.output + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead;
}

export function formatTokens(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(0)}k` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}
