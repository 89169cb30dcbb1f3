import * as vscode from 'vscode';
import { CONTEXT_DEADLINE_MS, contextBudget } from '../../core/completion/contextSnippets';
import type { ContextResult } from '../../core/context';
import type { App } from '../app';

/**
 * Shows what the completion prompt would carry from other files at the cursor: each snippet with its
 * place and why it was picked, with the budget the completion uses (but no deadline: this is for
 * looking, not typing).
 */
export async function showContextForCursor(app: App): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('Tiercel: put the cursor in a file first.');
    return;
  }
  const { document } = editor;
  const offset = document.offsetAt(editor.selection.active);
  const budget = contextBudget(app.config.current.completions.maxPromptTokens);
  const started = performance.now();
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Tiercel: gathering context' }, () =>
    app.context.contextAt(document.uri, document.getText(), offset, budget, Math.max(CONTEXT_DEADLINE_MS, 2000)),
  );
  if (!result) {
    void vscode.window.showInformationMessage('Tiercel: context comes from the workspace folder a file is in; this file is in none.');
    return;
  }
  const position = editor.selection.active;
  const rel = vscode.workspace.asRelativePath(document.uri, false);
  const uri = app.documents.put(
    `Context at ${rel.replace(/\//g, '∕')} ${position.line + 1}-${position.character + 1}.md`,
    formatContext(result, `${rel}:${position.line + 1}:${position.character + 1}`, budget, performance.now() - started),
  );
  const shown = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(shown, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
}

export function formatContext(result: ContextResult, where: string, budget: number, ms: number): string {
  const lines = [
    `# Context at ${where}`,
    '',
    `${result.snippets.length} snippet(s), ${result.tokens} of ${budget} tokens (estimated), ${ms.toFixed(0)} ms. ` +
      'This is what inline completions send to the local model besides the current file.',
    '',
  ];
  for (const s of result.snippets) {
    lines.push(`## ${s.file}:${s.startLine}-${s.endLine} · ${s.reason}${s.symbol ? ` · \`${s.symbol}\`` : ''}`, '', '```', s.text.replace(/```/g, '`\u200b``'), '```', '');
  }
  if (result.snippets.length === 0) lines.push('Nothing from other files: the code here uses no definition the index could resolve.');
  return lines.join('\n');
}
