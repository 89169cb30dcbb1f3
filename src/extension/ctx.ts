import type * as vscode from 'vscode';
import type { Config } from './settings';

/**
 * What every adapter may use, and nothing more: the log, the settings, and a place for its disposables.
 * Adapters get their other collaborators explicitly, so no adapter reaches into another through this.
 */
export interface Ctx {
  readonly extension: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly config: Config;
  /** Disposed when the extension deactivates. */
  cleanup(...disposables: vscode.Disposable[]): void;
}
