import * as vscode from 'vscode';
import type { LocalTierState } from '../core/completion/engine';
import { formatStatusReport, summarizeStatus, type StatusReport } from '../core/status';

export interface StatusView {
  /** The completion engine's live state. */
  tier: LocalTierState;
  /** The last status probe, for the tooltip (undefined until the first one finished). */
  report: StatusReport | undefined;
  completionsEnabled: boolean;
}

/** The status-bar item: the local tier's state at a glance; a click shows the full status. */
export class StatusBar {
  private readonly item = vscode.window.createStatusBarItem('tiercel.status', vscode.StatusBarAlignment.Right, 100);

  constructor(showStatusCommand: string) {
    this.item.name = 'Tiercel';
    this.item.command = showStatusCommand;
    this.item.text = '$(loading~spin) Tiercel';
    this.item.tooltip = 'Tiercel: checking Ollama…';
    this.item.show();
  }

  render(view: StatusView): void {
    const { text, warning, headline } = describe(view);
    this.item.text = text;
    this.item.backgroundColor = warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const tooltip = new vscode.MarkdownString(`**Tiercel**: ${escapeMarkdown(headline)}\n\n`);
    if (view.report) for (const line of formatStatusReport(view.report)) tooltip.appendMarkdown(`- ${escapeMarkdown(line)}\n`);
    tooltip.appendMarkdown(`\nInline completions: ${view.completionsEnabled ? 'on' : 'off'}. Click for details.`);
    this.item.tooltip = tooltip;
  }

  dispose(): void {
    this.item.dispose();
  }
}

function describe({ tier, report, completionsEnabled }: StatusView): { text: string; warning: boolean; headline: string } {
  switch (tier.kind) {
    case 'loading':
      return { text: '$(sync~spin) Tiercel: loading model', warning: false, headline: `Ollama is loading ${tier.model} (first use after a while can take a minute).` };
    case 'generating':
      return { text: '$(loading~spin) Tiercel', warning: false, headline: 'generating a suggestion…' };
    case 'unreachable':
      return { text: '$(debug-disconnect) Tiercel: Ollama offline', warning: true, headline: `Ollama is not reachable at ${tier.url}.` };
    case 'modelMissing':
      return { text: '$(cloud-download) Tiercel: model missing', warning: true, headline: `${tier.model} is not installed in Ollama.` };
    case 'unsupportedModel':
      return { text: '$(warning) Tiercel: model unsuitable', warning: true, headline: `${tier.model}: ${tier.reason}` };
    case 'ready':
      break;
  }
  if (report && !report.ollama.reachable) {
    return { text: '$(debug-disconnect) Tiercel: Ollama offline', warning: true, headline: summarizeStatus(report) };
  }
  if (report && !report.localReady) return { text: '$(cloud-download) Tiercel: model missing', warning: true, headline: summarizeStatus(report) };
  if (!completionsEnabled) return { text: '$(circle-slash) Tiercel', warning: false, headline: 'inline completions are off.' };
  return { text: '$(check) Tiercel', warning: false, headline: report ? summarizeStatus(report) : 'ready.' };
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
