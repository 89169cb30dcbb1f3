import path from 'node:path';
import * as vscode from 'vscode';
import { planApply, proposeChange, type Attachment } from '../../core/chat';
import { textAfterChange } from '../../core/edits/fileChange';
import { describeError, TiercelError } from '../../core/errors';
import { applyProposedChanges, currentText, openProposalDiff } from '../proposedEdits';
import type { VirtualDocuments } from '../virtualDocuments';

/**
 * What an answer's code block buttons do in the editor. Apply shows the block placed in its file as a
 * diff first (core/chat/apply.ts finds the place) and changes the file only when the user says so, through
 * the proposal edits debug and refactors use: one WorkspaceEdit (one Ctrl+Z undoes it), refused if the
 * lines changed meanwhile.
 */
export class ChatCodeActions {
  constructor(
    private readonly documents: VirtualDocuments,
    private readonly lastEditor: () => vscode.TextEditor | undefined,
  ) {}

  async copy(code: string): Promise<void> {
    await vscode.env.clipboard.writeText(code);
    vscode.window.setStatusBarMessage('Tiercel: code copied', 2000);
  }

  async insert(code: string): Promise<void> {
    const target = this.lastEditor();
    if (!target) {
      void vscode.window.showWarningMessage('Tiercel: open a file to insert the code into.');
      return;
    }
    const editor = await vscode.window.showTextDocument(target.document, { viewColumn: target.viewColumn, preserveFocus: false });
    const { selection, document } = editor;
    // At the start of a line that has code, the block goes above it rather than running into it.
    const above = selection.isEmpty && selection.active.character === 0 && !document.lineAt(selection.active.line).isEmptyOrWhitespace && !code.endsWith('\n');
    await editor.edit((edit) => edit.replace(selection, above ? `${code}${document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n'}` : code));
  }

  /**
   * `file` is the path the block's fence named; else the file the question was about; else the last
   * editor. A named path must stay inside the workspace folder.
   */
  async apply(code: string, file: string | undefined, question: { attachments: readonly Attachment[]; workspace?: string } | undefined): Promise<void> {
    const target = await this.target(file, question);
    const folder = target && vscode.workspace.getWorkspaceFolder(target);
    if (!target || !folder) {
      void vscode.window.showWarningMessage('Tiercel: Apply works on files in the workspace: open the file the code is for (or use Insert).');
      return;
    }
    const rel = path.relative(folder.uri.fsPath, target.fsPath).split(path.sep).join('/');
    const text = await currentText(folder.uri, rel);
    const asked = question?.attachments.find((a) => a.kind === 'selection' && a.path === rel)?.range;
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === target.toString());
    const plan = planApply(text, code, { ...(asked ? { selection: asked } : {}), cursorLine: (editor?.selection.active.line ?? 0) + 1 });
    const change = proposeChange(rel, text, code, plan);
    await openProposalDiff(this.documents, folder.uri, change, textAfterChange(change, text), { title: `${path.basename(rel)} ↔ proposed (${plan.how})`, label: 'proposed' });
    const lines = plan.endLine < plan.startLine ? `above line ${plan.startLine}` : `lines ${plan.startLine}-${plan.endLine}`;
    const choice = await vscode.window.showInformationMessage(`Tiercel: apply this change to ${rel} (${lines}, ${plan.how})?`, 'Apply');
    if (choice !== 'Apply') return;
    try {
      await applyProposedChanges(folder.uri, [change]);
    } catch (error) {
      void vscode.window.showWarningMessage(`Tiercel: ${error instanceof TiercelError ? error.message : describeError(error)}`);
    }
  }

  private async target(file: string | undefined, question: { attachments: readonly Attachment[]; workspace?: string } | undefined): Promise<vscode.Uri | undefined> {
    const root = question?.workspace ? vscode.Uri.file(question.workspace) : vscode.workspace.workspaceFolders?.[0]?.uri;
    const inside = (rel: string | undefined) => {
      if (!rel || !root || path.isAbsolute(rel)) return undefined;
      const uri = vscode.Uri.joinPath(root, rel);
      return path.relative(root.fsPath, uri.fsPath).startsWith('..') ? undefined : uri;
    };
    const named = inside(file);
    if (named && (await exists(named))) return named;
    const about = question?.attachments.find((a) => (a.kind === 'selection' || a.kind === 'file') && a.path);
    const fromQuestion = inside(about?.path);
    if (fromQuestion && (await exists(fromQuestion))) return fromQuestion;
    return this.lastEditor()?.document.uri;
  }
}

function exists(uri: vscode.Uri): Thenable<boolean> {
  return vscode.workspace.fs.stat(uri).then(
    (s) => s.type === vscode.FileType.File,
    () => false,
  );
}
