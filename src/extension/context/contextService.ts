import * as vscode from 'vscode';
import { ContextEngine, defaultCacheDir, type ContextResult } from '../../core/context';
import { SyntaxParsers } from '../../core/syntax';
import { HINT_SHARE, languageServerHints } from './languageServerHints';

/**
 * One context engine per workspace folder, created on first use and indexed in the background with
 * a progress indicator. Unsaved buffers reach the engine as the request's `text`; saved, created and
 * deleted files invalidate what the index knew about them. The index persists where the CLI keeps it
 * (~/.cache/tiercel/context/<hash of the folder>), so a restart, or a CLI call, re-reads only the files
 * that changed.
 */
export class ContextService implements vscode.Disposable {
  private readonly engines = new Map<string, ContextEngine>();
  private readonly parsers: SyntaxParsers;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.parsers = new SyntaxParsers(vscode.Uri.joinPath(extensionUri, 'grammars').fsPath);
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    const invalidate = (uri: vscode.Uri) => {
      const found = this.engineFor(uri, false);
      if (found) found.engine.invalidate(found.relPath);
    };
    this.disposables.push(
      watcher,
      watcher.onDidChange(invalidate),
      watcher.onDidCreate(invalidate),
      watcher.onDidDelete(invalidate),
      // Where the user edits is context for the next suggestion elsewhere ("recent" snippets).
      vscode.workspace.onDidChangeTextDocument((e) => {
        const change = e.contentChanges[0];
        const found = change && this.engineFor(e.document.uri, false);
        if (found) found.engine.noteEdit(found.relPath, change.range.start.line + 1);
      }),
      vscode.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const folder of e.removed) this.drop(folder);
      }),
    );
  }

  /**
   * Context for a position in an open document, or undefined outside a workspace folder. Never throws:
   * a failure costs the prompt its context, not the suggestion.
   */
  async contextAt(uri: vscode.Uri, text: string, offset: number, maxTokens: number, deadlineMs: number): Promise<ContextResult | undefined> {
    const found = this.engineFor(uri, true);
    if (!found) return undefined;
    try {
      const openFiles = vscode.window.visibleTextEditors
        .map((e) => e.document.uri)
        .filter((open) => open.toString() !== uri.toString() && vscode.workspace.getWorkspaceFolder(open)?.uri.toString() === found.folder.uri.toString())
        .map((open) => vscode.workspace.asRelativePath(open, false));
      const asked = performance.now();
      const hints = await languageServerHints(uri, text, offset, deadlineMs * HINT_SHARE);
      return await found.engine.contextAt({ file: found.relPath, offset, text, maxTokens, deadlineMs: deadlineMs - (performance.now() - asked), openFiles, hints });
    } catch (error) {
      this.log.warn(`context: ${uri.fsPath}: ${String(error)}`);
      return undefined;
    }
  }

  /** The engine of a folder, for callers that work with paths (review). */
  engineForFolder(folder: vscode.WorkspaceFolder): ContextEngine {
    return this.ensure(folder);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    for (const engine of this.engines.values()) engine.dispose();
    this.engines.clear();
  }

  private engineFor(uri: vscode.Uri, create: boolean): { engine: ContextEngine; folder: vscode.WorkspaceFolder; relPath: string } | undefined {
    if (uri.scheme !== 'file') return undefined;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) return undefined;
    const engine = create ? this.ensure(folder) : this.engines.get(folder.uri.toString());
    if (!engine) return undefined;
    return { engine, folder, relPath: vscode.workspace.asRelativePath(uri, false) };
  }

  private ensure(folder: vscode.WorkspaceFolder): ContextEngine {
    const key = folder.uri.toString();
    let engine = this.engines.get(key);
    if (!engine) {
      const filesExclude = vscode.workspace.getConfiguration('files', folder.uri).get<Record<string, boolean>>('exclude');
      engine = new ContextEngine({ root: folder.uri.fsPath, parsers: this.parsers, cacheDir: defaultCacheDir(folder.uri.fsPath), filesExclude });
      this.engines.set(key, engine);
      const indexing = engine.ready();
      void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Tiercel: indexing ${folder.name}` }, () => indexing.catch(() => undefined));
      indexing.then(
        (stats) => this.log.info(`context: indexed ${folder.name}: ${JSON.stringify(stats)}`),
        (error: unknown) => this.log.warn(`context: indexing ${folder.name} failed: ${String(error)}`),
      );
    }
    return engine;
  }

  private drop(folder: vscode.WorkspaceFolder): void {
    const key = folder.uri.toString();
    this.engines.get(key)?.dispose();
    this.engines.delete(key);
  }
}
