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

/** The adapter between VS Code's inline-completion API and the core CompletionEngine. */
export class InlineCompletionProvider implements vscode.InlineCompletionItemProvider {
  constructor(
    private readonly engine: CompletionEngine,
    private readonly settings: () => TiercelSettings,
    private readonly context: ContextService,
  ) {}

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
      const gather = async (): Promise<Snippet[]> => {
        const budget = contextBudget(this.settings().completions.maxPromptTokens);
        const found = await this.context.contextAt(document.uri, text, cursor.prefix.length, budget, CONTEXT_DEADLINE_MS);
        return found ? toPromptSnippets(found.snippets) : [];
      };
      const result = await this.engine.complete(cursor, controller.signal, gather);
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
