import * as vscode from 'vscode';
import { TIERCEL_VERSION } from '../core/version';
import { ApiKeyStore } from './apiKey';
import type { App } from './app';
import { registerCommands } from './commands';
import { onDidChangeSettings, readSettings } from './settings';
import { StatusBar } from './statusBar';
import { StatusService } from './statusService';

/** Wires the adapters to the core; every disposable goes into context.subscriptions. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Tiercel', { log: true });
  const apiKey = new ApiKeyStore(context.secrets);
  const status = new StatusService(readSettings, apiKey, log);
  const statusBar = new StatusBar('tiercel.showStatus');
  const app: App = { extension: context, log, settings: readSettings, apiKey, status };

  context.subscriptions.push(
    log,
    apiKey,
    status,
    statusBar,
    status.onDidChange((report) => statusBar.update(report)),
    apiKey.onDidChange(() => void status.refresh()),
    onDidChangeSettings(() => void status.refresh()),
    ...registerCommands(app),
  );

  // Not awaited: activation must not wait on the network.
  void status.refresh();
  // E2E tests wait for this line (pitfall: the activation log line comes before activate() has finished).
  log.info(`Tiercel ${TIERCEL_VERSION} activated`);
}

export function deactivate(): void {}
