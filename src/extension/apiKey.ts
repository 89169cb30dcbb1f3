import * as vscode from 'vscode';

const SECRET_ID = 'tiercel.anthropicApiKey';

/**
 * The Anthropic key lives only in VS Code's SecretStorage (the OS keychain where there is one):
 * never in settings, logs or a webview.
 */
export class ApiKeyStore {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly secrets: vscode.SecretStorage) {}

  get(): Thenable<string | undefined> {
    return this.secrets.get(SECRET_ID);
  }

  async isSet(): Promise<boolean> {
    return Boolean(await this.get());
  }

  /** Asks for the key with a password box; returns whether one was stored. */
  async promptAndStore(): Promise<boolean> {
    const key = await vscode.window.showInputBox({
      title: 'Anthropic API key for Tiercel',
      prompt: 'Stored in VS Code secret storage and used only for Claude requests (review, debugging).',
      placeHolder: 'sk-ant-…',
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim().length < 10 ? 'That does not look like an API key.' : undefined),
    });
    if (!key) return false;
    await this.secrets.store(SECRET_ID, key.trim());
    this.changed.fire();
    return true;
  }

  async clear(): Promise<void> {
    await this.secrets.delete(SECRET_ID);
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
