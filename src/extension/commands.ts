import * as vscode from 'vscode';
import { summarizeStatus, formatStatusReport } from '../core/status';
import type { App } from './app';
import { showWithActions } from './nextActions';

type Handler = (...args: unknown[]) => unknown;

/**
 * Every command Tiercel contributes, id → handler factory. package.json's `contributes.commands` must
 * list exactly these ids (a test checks), so no palette entry is left without a handler.
 */
export const COMMANDS: Record<string, (app: App) => Handler> = {
  'tiercel.showStatus': (app) => async () => {
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Tiercel: checking Ollama' },
      () => app.status.refresh(),
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
};

export function registerCommands(app: App): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, factory]) => vscode.commands.registerCommand(id, factory(app)));
}
