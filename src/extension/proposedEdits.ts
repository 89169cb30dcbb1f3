import * as vscode from 'vscode';
import { textAfterChange, type FileChange } from '../core/edits/fileChange';
import { changedSpan, linesOf } from '../core/edits/lineEdit';
import { TiercelError } from '../core/errors';
import type { VirtualDocuments } from './virtualDocuments';

/** A diff on screen: a file beside its proposal, whose right side can still change (a streaming answer). */
export interface ProposalDiff {
  /** The virtual document holding the proposed text. */
  readonly proposal: vscode.Uri;
  update(text: string): void;
  /** Closes the diff's tab, if it is still open. */
  close(): Promise<void>;
}

/**
 * Debug's fixes and refactors show a proposed change the same way: the file (an empty one for a new
 * file) on the left, the proposal on the right, in `vscode.diff`; and apply changes the same way, as one
 * WorkspaceEdit, so one Undo takes all of it back.
 */
export async function openProposalDiff(
  documents: VirtualDocuments,
  root: vscode.Uri,
  change: FileChange,
  proposedText: string,
  options: { title: string; label: string },
): Promise<ProposalDiff> {
  // The proposal keeps the file's name and extension, so the diff is highlighted in its language.
  const name = `${options.label}/${change.path}`;
  const proposal = documents.put(name, proposedText);
  const left = change.kind === 'create' ? documents.put(`${options.label} (new file)/${change.path}`, '') : vscode.Uri.joinPath(root, change.path);
  await vscode.commands.executeCommand('vscode.diff', left, proposal, options.title, { preview: false });
  return {
    proposal,
    update: (text) => void documents.put(name, text),
    close: async () => {
      const tabs = vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === proposal.toString());
      if (tabs.length) await vscode.window.tabGroups.close(tabs);
    },
  };
}

/** The text of a workspace file as the editor has it (unsaved edits included); '' when it does not exist. */
export async function currentText(root: vscode.Uri, relPath: string): Promise<string> {
  const uri = vscode.Uri.joinPath(root, relPath);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return '';
  }
}

/**
 * Applies the changes as one WorkspaceEdit (one Undo reverts all of it), only if each file still holds
 * what the proposal was made from. Resolves false when VS Code refused the edit.
 */
export async function applyProposedChanges(root: vscode.Uri, changes: readonly FileChange[]): Promise<boolean> {
  const edit = new vscode.WorkspaceEdit();
  for (const change of changes) {
    const uri = vscode.Uri.joinPath(root, change.path);
    if (change.kind === 'create') {
      if (await exists(uri)) throw new TiercelError(`${change.path} exists now: nothing was changed. Run it again.`, ['retry']);
      edit.createFile(uri, { contents: new TextEncoder().encode(change.text) });
      continue;
    }
    const document = await vscode.workspace.openTextDocument(uri);
    const before = document.getText();
    if (change.kind === 'lines' && change.expected !== undefined && linesOf(before, change.edit.startLine, change.edit.endLine) !== change.expected) {
      throw new TiercelError(`${change.path} changed since the proposal was made: nothing was changed. Run it again.`, ['retry']);
    }
    // Only the span that differs is replaced, so the cursor, folds and breakpoints elsewhere stay put.
    const span = changedSpan(before, textAfterChange(change, before));
    edit.replace(uri, new vscode.Range(document.positionAt(span.start), document.positionAt(span.end)), span.text);
  }
  return vscode.workspace.applyEdit(edit);
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
