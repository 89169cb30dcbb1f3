import * as vscode from 'vscode';

export const VIRTUAL_SCHEME = 'tiercel-context';

/**
 * Read-only documents Tiercel shows (the context at the cursor, a debug report, a proposed fix),
 * kept until VS Code closes them. One instance, made in activate() and registered there.
 */
export class VirtualDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  /** Stores `content` under a new URI named `name` (its extension picks the language) and returns it. */
  put(name: string, content: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: VIRTUAL_SCHEME, path: `/${name}` });
    this.contents.set(uri.toString(), content);
    this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  dispose(): void {
    this.changed.dispose();
  }
}
