import * as vscode from 'vscode';
import type { ContextResult } from '../../core/context';
import type { FilesExcludeSetting } from '../../core/privacy/ignore';
import { ContextWorker, type ContextFolder } from '../../core/context/worker/client';
import { HINT_SHARE, languageServerHints } from './languageServerHints';

/**
 * A cold index works 40 ms, rests 20 ms: it takes ~1.5× as long, and the extension host finds a free
 * core (bench:editor's cold-index figures). Suggestions go out without context meanwhile.
 */
const INDEX_PACING = { busyMs: 40, restMs: 20 };

interface Found {
  engine: ContextFolder;
  folder: vscode.WorkspaceFolder;
  relPath: string;
}

/**
 * One context engine per workspace folder, in a worker thread (indexing, parsing and ranking never run
 * on the extension host's event loop), opened when the user first edits or asks there, indexed in the
 * background with a progress indicator. Unsaved buffers reach the engine as the request's `text`;
 * saved, created and deleted files invalidate what the index knew about them. The index persists where
 * the CLI keeps it (~/.cache/tiercel/context/<hash of the folder>), so a restart, or a CLI call,
 * re-reads only the files that changed.
 */
export class ContextService implements vscode.Disposable {
  private worker: ContextWorker | undefined;
  private readonly folders = new Map<string, ContextFolder>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    const invalidate = (uri: vscode.Uri) => {
      const found = this.folderOf(uri, false);
      if (found) found.engine.invalidate(found.relPath);
    };
    this.disposables.push(
      watcher,
      watcher.onDidChange(invalidate),
      watcher.onDidCreate(invalidate),
      watcher.onDidDelete(invalidate),
      // Where the user edits is context for the next suggestion elsewhere ("recent" snippets); the first
      // edit in a folder also starts indexing it, before the first pause asks for context.
      vscode.workspace.onDidChangeTextDocument((e) => {
        const change = e.contentChanges[0];
        const found = change && this.folderOf(e.document.uri, true);
        if (found) found.engine.noteEdit(found.relPath, change.range.start.line + 1);
      }),
      vscode.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const folder of e.removed) this.drop(folder);
      }),
    );
  }

  /**
   * Context for a keystroke: undefined at once while the folder is being indexed, and undefined when
   * the worker has not answered within `deadlineMs` (+ a little for the messages) or `signal` aborts:
   * the suggestion then goes out without context. Never throws.
   */
  async contextNow(uri: vscode.Uri, text: string, offset: number, maxTokens: number, deadlineMs: number, signal?: AbortSignal): Promise<ContextResult | undefined> {
    const found = this.folderOf(uri, true);
    if (!found?.engine.isReady) return undefined;
    const asked = await this.askedWithHints(uri, found, text, offset, maxTokens, deadlineMs);
    if (signal?.aborted) return undefined;
    return found.engine.contextNow(asked, signal);
  }

  /**
   * Context for a position in an open document, waiting for the index if need be; undefined outside a
   * workspace folder. Never throws: a failure costs the caller its context.
   */
  async contextAt(uri: vscode.Uri, text: string, offset: number, maxTokens: number, deadlineMs: number): Promise<ContextResult | undefined> {
    const found = this.folderOf(uri, true);
    if (!found) return undefined;
    try {
      await found.engine.ready();
      return await found.engine.contextAt(await this.askedWithHints(uri, found, text, offset, maxTokens, deadlineMs));
    } catch (error) {
      this.log.warn(`context: ${uri.fsPath}: ${String(error)}`);
      return undefined;
    }
  }

  /** The engine of a folder, for callers that work with paths (review). */
  engineForFolder(folder: vscode.WorkspaceFolder): ContextFolder {
    return this.ensure(folder);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.folders.clear();
    // The worker persists each index before it ends; nothing waits for it.
    void this.worker?.dispose();
    this.worker = undefined;
  }

  /**
   * The engine's request, with what the language servers know about the names at the cursor (asked
   * within a share of the deadline; the engine gets what is left of it).
   */
  private async askedWithHints(uri: vscode.Uri, found: Found, text: string, offset: number, maxTokens: number, deadlineMs: number) {
    const asked = performance.now();
    const hints = await languageServerHints(uri, text, offset, deadlineMs * HINT_SHARE);
    const left = Math.max(1, deadlineMs - (performance.now() - asked));
    return { file: found.relPath, offset, text, maxTokens, deadlineMs: left, openFiles: this.openFiles(uri, found.folder), hints };
  }

  private openFiles(uri: vscode.Uri, folder: vscode.WorkspaceFolder): string[] {
    return vscode.window.visibleTextEditors
      .map((e) => e.document.uri)
      .filter((open) => open.toString() !== uri.toString() && vscode.workspace.getWorkspaceFolder(open)?.uri.toString() === folder.uri.toString())
      .map((open) => vscode.workspace.asRelativePath(open, false));
  }

  private folderOf(uri: vscode.Uri, create: boolean): Found | undefined {
    if (uri.scheme !== 'file') return undefined;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) return undefined;
    const engine = create ? this.ensure(folder) : this.folders.get(folder.uri.toString());
    if (!engine) return undefined;
    return { engine, folder, relPath: vscode.workspace.asRelativePath(uri, false) };
  }

  private ensure(folder: vscode.WorkspaceFolder): ContextFolder {
    const key = folder.uri.toString();
    let engine = this.folders.get(key);
    if (!engine) {
      this.worker ??= new ContextWorker({
        script: vscode.Uri.joinPath(this.extensionUri, 'dist', 'contextWorker.js').fsPath,
        data: { grammarsDir: vscode.Uri.joinPath(this.extensionUri, 'grammars').fsPath, lowPriority: true, indexPacing: INDEX_PACING },
        log: (message) => this.log.warn(`context: ${message}`),
      });
      // files.exclude is read when the folder opens; a change applies from the next window reload. The
      // configuration's value is a proxy, which a worker message cannot carry: a plain copy goes.
      const setting = vscode.workspace.getConfiguration('files', folder.uri).get<FilesExcludeSetting>('exclude');
      const filesExclude = setting && (JSON.parse(JSON.stringify(setting)) as FilesExcludeSetting);
      engine = this.worker.folder(folder.uri.fsPath, { filesExclude });
      this.folders.set(key, engine);
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
    this.folders.get(key)?.close();
    this.folders.delete(key);
  }
}
