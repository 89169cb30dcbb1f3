import * as vscode from 'vscode';

/** Which secret a store holds, and how its input box asks for it. */
export interface SecretKind {
  id: string;
  title: string;
  prompt: string;
  placeHolder: string;
  /** Shorter input is refused as a likely paste mistake. */
  minLength: number;
}

export const ANTHROPIC_KEY: SecretKind = {
  id: 'tiercel.anthropicApiKey',
  title: 'Anthropic API key for Tiercel',
  prompt: 'Stored in VS Code secret storage and used only for Claude requests (review, debugging).',
  placeHolder: 'sk-ant-…',
  minLength: 10,
};

export const OPENAI_COMPATIBLE_KEY: SecretKind = {
  id: 'tiercel.openaiCompatibleApiKey',
  title: 'API key of your OpenAI-compatible server',
  prompt: 'Stored in VS Code secret storage and sent only to tiercel.openaiCompatible.baseUrl, as a bearer token.',
  placeHolder: 'the key the server was started with (vLLM --api-key, llama.cpp --api-key, …)',
  // Self-hosted servers take any string the admin chose.
  minLength: 1,
};

/**
 * An API key lives only in VS Code's SecretStorage (the OS keychain where there is one):
 * never in settings, logs or a webview.
 */
export class ApiKeyStore {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly kind: SecretKind = ANTHROPIC_KEY,
  ) {}

  get(): Thenable<string | undefined> {
    return this.secrets.get(this.kind.id);
  }

  async isSet(): Promise<boolean> {
    return Boolean(await this.get());
  }

  /** Asks for the key with a password box; returns whether one was stored. */
  async promptAndStore(): Promise<boolean> {
    const { title, prompt, placeHolder, minLength } = this.kind;
    const key = await vscode.window.showInputBox({
      title,
      prompt,
      placeHolder,
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim().length < minLength ? 'That does not look like an API key.' : undefined),
    });
    if (!key) return false;
    await this.secrets.store(this.kind.id, key.trim());
    this.changed.fire();
    return true;
  }

  async clear(): Promise<void> {
    await this.secrets.delete(this.kind.id);
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
