import * as vscode from 'vscode';
import { formatStats } from '../core/completion/metrics';
import { summarizeStatus, formatStatusReport } from '../core/status';
import type { App } from './app';
import { showWithActions } from './nextActions';
import { pullModel } from './pullModel';

type Handler = (...args: unknown[]) => unknown;

/**
 * Every command Tiercel contributes, id → handler factory. package.json's `contributes.commands` must
 * list exactly these ids (a test checks), so no palette entry is left without a handler.
 */
export const COMMANDS: Record<string, (app: App) => Handler> = {
  'tiercel.showStatus': (app) => async () => {
    // Also the Retry of the "Ollama unreachable" notice: the engine looks again and resumes if it answers.
    const [report] = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Tiercel: checking Ollama' },
      () => Promise.all([app.status.refresh(), app.completions.reconnect()]),
    );
    for (const line of formatStatusReport(report)) app.log.info(line);
    const severity = report.localReady ? 'info' : 'warning';
    await showWithActions(app, severity, `Tiercel: ${summarizeStatus(report)}`, report.actions);
  },

  'tiercel.setAnthropicApiKey': (app) => async () => {
    if (await app.apiKey.promptAndStore()) {
      void vscode.window.showInformationMessage('Tiercel: Anthropic API key saved in secret storage.');
      void app.status.refresh();
    }
  },

  'tiercel.clearAnthropicApiKey': (app) => async () => {
    await app.apiKey.clear();
    void vscode.window.showInformationMessage('Tiercel: Anthropic API key removed.');
    void app.status.refresh();
  },

  'tiercel.showLog': (app) => () => app.log.show(),

  'tiercel.toggleInlineCompletions': (app) => async () => {
    const enabled = !app.settings().completions.enabled;
    await vscode.workspace.getConfiguration('tiercel').update('completions.enabled', enabled, vscode.ConfigurationTarget.Global);
    void vscode.window.setStatusBarMessage(`Tiercel: inline completions ${enabled ? 'on' : 'off'}`, 3000);
  },

  'tiercel.showCompletionStats': (app) => async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: formatStats(app.completions.metrics.snapshot()) });
    await vscode.window.showTextDocument(document, { preview: true });
  },

  'tiercel.pullCompletionModel': (app) => () => pullModel(app, app.settings().ollama.completionModel),
};

export function registerCommands(app: App): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, factory]) => vscode.commands.registerCommand(id, factory(app)));
}
