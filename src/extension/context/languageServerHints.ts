import * as vscode from 'vscode';
import { hintQueriesAt, type ContextHint } from '../../core/context';

/**
 * What VS Code's language servers already know about the names at the cursor, as hints for the context
 * engine: the definition of the callee of a call being typed, the type definition of the receiver of a
 * member being typed (`this.store.` -> Store), and the definitions of the other names on the line. Only
 * what arrives within `budgetMs` is used; without a language server (or past the budget) the engine's
 * own tree-sitter resolution is the whole answer.
 *
 * Budget: this runs on the completion's debounce, before the engine call (CONTEXT_DEADLINE_MS, 40 ms in
 * all): the providers are asked in parallel and never waited on beyond `budgetMs`.
 */

/** Most of a context deadline the language servers may take (the engine gets the rest). */
export const HINT_SHARE = 0.35;

export async function languageServerHints(uri: vscode.Uri, text: string, offset: number, budgetMs: number): Promise<ContextHint[]> {
  const queries = hintQueriesAt(text, offset);
  if (!queries.length || budgetMs <= 0) return [];
  const hints: ContextHint[] = [];
  const asked = queries.map(async (q) => {
    const command = q.kind === 'type' ? 'vscode.executeTypeDefinitionProvider' : 'vscode.executeDefinitionProvider';
    const found = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[] | undefined>(command, uri, positionAt(text, q.offset));
    for (const location of found ?? []) {
      const target = 'targetUri' in location ? location.targetUri : location.uri;
      const range = 'targetUri' in location ? (location.targetSelectionRange ?? location.targetRange) : location.range;
      if (target.scheme === 'file') hints.push({ file: target.fsPath, line: range.start.line + 1, kind: q.kind });
    }
  });
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, budgetMs)));
  // A provider that fails or is slow costs its hint, never the completion.
  await Promise.race([Promise.allSettled(asked), timeUp]);
  clearTimeout(timer);
  return [...hints];
}

/** A UTF-16 offset as a VS Code position (VS Code counts columns in UTF-16 code units too). */
function positionAt(text: string, offset: number): vscode.Position {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return new vscode.Position(line, offset - lineStart);
}
