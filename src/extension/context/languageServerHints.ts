import * as vscode from 'vscode';
import type { ContextHint } from '../../core/context';

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

/** Names on the cursor's line asked about, nearest the cursor first (each is one provider request). */
const MAX_LINE_NAMES = 3;

interface Query {
  command: 'vscode.executeDefinitionProvider' | 'vscode.executeTypeDefinitionProvider';
  offset: number;
  kind: ContextHint['kind'];
}

export async function languageServerHints(uri: vscode.Uri, text: string, offset: number, budgetMs: number): Promise<ContextHint[]> {
  const queries = queriesAt(text, offset);
  if (!queries.length || budgetMs <= 0) return [];
  const hints: ContextHint[] = [];
  const asked = queries.map(async (q) => {
    const found = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[] | undefined>(q.command, uri, positionAt(text, q.offset));
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

/**
 * What to ask about at `offset`: the receiver before a `.` being typed (its type), the callee before a
 * `(` (its definition), and a few other identifiers before the cursor on its line (their definitions).
 */
export function queriesAt(text: string, offset: number): Query[] {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const queries: Query[] = [];
  const partial = /[\p{L}\p{N}_$]*$/u.exec(before)![0];
  const head = before.slice(0, before.length - partial.length).replace(/\s+$/, '');
  const last = /([\p{L}_$][\p{L}\p{N}_$]*)[)\]!?]*\s*$/u.exec(head.slice(0, -1));
  if (head.endsWith('.') && last) queries.push({ command: 'vscode.executeTypeDefinitionProvider', offset: lineStart + last.index, kind: 'type' });
  if (head.endsWith('(') && last) queries.push({ command: 'vscode.executeDefinitionProvider', offset: lineStart + last.index, kind: 'definition' });
  const asked = new Set(queries.map((q) => q.offset));
  const names = [...head.matchAll(/[\p{L}_$][\p{L}\p{N}_$]*/gu)].filter((m) => !asked.has(lineStart + m.index) && !/^(const|let|var|return|await|new|if|for|while|function|def|func|self|this|import|from)$/.test(m[0]));
  for (const m of names.reverse().slice(0, MAX_LINE_NAMES)) queries.push({ command: 'vscode.executeDefinitionProvider', offset: lineStart + m.index, kind: 'definition' });
  return queries;
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
