import * as vscode from 'vscode';
import { CONTEXT_DEADLINE_MS, contextBudget, toPromptSnippets } from '../core/completion/contextSnippets';
import type { CompletionEngine, Cursor, Snippet } from '../core/completion/engine';
import type { TiercelSettings } from '../core/settings';
import type { ContextService } from './context/contextService';

/** Invoked by VS Code when the user accepts a suggestion (Tab); counted for the stats. */
export const ACCEPTED_COMMAND = 'tiercel.inlineCompletionAccepted';

/** Document schemes that hold the user's code (not output panes, SCM input, settings editors…). */
const CODE_SCHEMES = new Set(['file', 'untitled', 'vscode-remote', 'vscode-notebook-cell', 'vscode-userdata']);

export function completionsEnabledFor(settings: TiercelSettings['completions'], languageId: string): boolean {
  if (!settings.enabled) return false;
  return settings.languages[languageId] ?? settings.languages['*'] ?? true;
}

/** Registers the provider for every document, and the keystroke listener it needs. */
export function registerInlineCompletions(engine: CompletionEngine, settings: () => TiercelSettings, context: ContextService): vscode.Disposable {
  const provider = new InlineCompletionProvider(engine, settings, context);
  return vscode.Disposable.from(provider, vscode.languages.registerInlineCompletionItemProvider({ pattern: '**' }, provider));
}

/**
 * The adapter between VS Code's inline-completion API and the core CompletionEngine.
 *
 * Budget: the engine's debounce counts from the keystroke as this host sees it (the change event),
 * not from VS Code's provider call, which comes ~50 ms later (its own debounce): last key → request at
 * Ollama ≤ the engine's debounce + 30 ms, measured by `npm run bench:editor`.
 */
export class InlineCompletionProvider implements vscode.InlineCompletionItemProvider, vscode.Disposable {
  /** The active document's last change, on the engine's clock (performance.now()). */
  private lastEdit: { uri: string; version: number; at: number } | undefined;
  private readonly listener: vscode.Disposable;

  constructor(
    private readonly engine: CompletionEngine,
    private readonly settings: () => TiercelSettings,
    private readonly context: ContextService,
  ) {
    this.listener = vscode.workspace.onDidChangeTextDocument((e) => {
      // Only the editor being typed in: output channels and background edits are not keystrokes.
      if (e.contentChanges.length === 0 || e.document !== vscode.window.activeTextEditor?.document) return;
      const at = performance.now();
      this.lastEdit = { uri: e.document.uri.toString(), version: e.document.version, at };
      const change = e.contentChanges.length === 1 ? e.contentChanges[0]! : undefined;
      this.engine.noteKeystroke(at, change && (() => textAround(e.document.getText(), change.rangeOffset + change.text.length)));
    });
  }

  dispose(): void {
    this.listener.dispose();
  }

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    _context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    if (!CODE_SCHEMES.has(document.uri.scheme)) return undefined;
    if (!completionsEnabledFor(this.settings().completions, document.languageId)) return undefined;

    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    try {
      const { cursor, text } = cursorOf(document, position);
      // Runs only when a request goes out (not for cache hits), during the debounce.
      const gather = async (signal: AbortSignal): Promise<Snippet[]> => {
        const budget = contextBudget(this.settings().completions.maxPromptTokens);
        const found = await this.context.contextNow(document.uri, text, cursor.prefix.length, budget, CONTEXT_DEADLINE_MS, signal);
        return found ? toPromptSnippets(found.snippets) : [];
      };
      const edit = this.lastEdit;
      const typedAt = edit && edit.uri === document.uri.toString() && edit.version === document.version ? edit.at : undefined;
      const result = await this.engine.complete(cursor, controller.signal, gather, { typedAt });
      if (!result || token.isCancellationRequested) return undefined;
      this.engine.noteShown();
      return [
        new vscode.InlineCompletionItem(result.text, new vscode.Range(position, position), {
          title: 'Accept',
          command: ACCEPTED_COMMAND,
        }),
      ];
    } finally {
      subscription.dispose();
    }
  }
}

function textAround(text: string, offset: number): { prefix: string; suffix: string } {
  return { prefix: text.slice(0, offset), suffix: text.slice(offset) };
}

/** The cursor, and the document's text it was cut from (the context engine reads it whole). */
function cursorOf(document: vscode.TextDocument, position: vscode.Position): { cursor: Cursor; text: string } {
  const text = document.getText();
  const offset = document.offsetAt(position);
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  const cursor = {
    repoName: folder?.name ?? '',
    path: vscode.workspace.asRelativePath(document.uri, false),
    languageId: document.languageId,
    prefix: text.slice(0, offset),
    suffix: text.slice(offset),
  };
  return { cursor, text };
}
