import * as vscode from 'vscode';
import { formatStatusReport, summarizeStatus, type StatusReport } from '../core/status';

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

  update(report: StatusReport): void {
    const { item } = this;
    if (!report.ollama.reachable) {
      item.text = '$(debug-disconnect) Tiercel: Ollama offline';
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    } else if (!report.localReady) {
      item.text = '$(cloud-download) Tiercel: model missing';
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    } else {
      item.text = '$(check) Tiercel';
      item.backgroundColor = undefined;
    }
    const tooltip = new vscode.MarkdownString(`**Tiercel**\n\n${summarizeStatus(report)}\n\n`);
    for (const line of formatStatusReport(report)) tooltip.appendMarkdown(`- ${escapeMarkdown(line)}\n`);
    tooltip.appendMarkdown('\nClick for details.');
    item.tooltip = tooltip;
  }

  dispose(): void {
    this.item.dispose();
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
