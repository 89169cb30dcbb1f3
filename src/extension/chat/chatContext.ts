import { randomUUID } from 'node:crypto';
import path from 'node:path';
import * as vscode from 'vscode';
import type { Attachment } from '../../core/chat';
import { PrivacyFilter } from '../../core/privacy/ignore';
import type { Chip } from '../../webview/chat/protocol';
import type { DefinitionsSource } from '../review/reviewController';

/** A current file longer than this is sent as a window of lines around the cursor. */
const MAX_FILE_LINES = 600;
/** The editor's selection moves often; the chips follow it after this pause. */
const FOLLOW_DELAY_MS = 150;

interface Snapshot {
  chip: Chip;
  attachment: LocatedAttachment;
}

/**
 * The context the next question carries, as chips: the current file or its selection (live: it follows
 * the editor until removed), the current file's problems and files picked with @ (fixed when added),
 * and the definitions the context engine finds for the attached code (computed when the question is
 * sent). Each chip says whether the privacy filter keeps it local; the check runs again at send time.
 */
export class ChatContext implements vscode.Disposable {
  private live = true;
  private definitions = true;
  private snapshots: Snapshot[] = [];
  private editor: vscode.TextEditor | undefined = usable(vscode.window.activeTextEditor);
  private readonly filters = new Map<string, Promise<PrivacyFilter>>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The live chip's privacy verdict, kept for drawing it without waiting on the filter. */
  private liveVerdict: { key: string; reason: string | undefined } | undefined;

  constructor(
    private readonly definitionsSource: DefinitionsSource | undefined,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const later = () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.changed.fire(), FOLLOW_DELAY_MS);
    };
    const ignoreFiles = vscode.workspace.createFileSystemWatcher('**/{.gitignore,.tiercelignore}');
    const forget = () => {
      this.filters.clear();
      this.liveVerdict = undefined;
      later();
    };
    this.disposables.push(
      this.changed,
      ignoreFiles,
      ignoreFiles.onDidChange(forget),
      ignoreFiles.onDidCreate(forget),
      ignoreFiles.onDidDelete(forget),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('files.exclude') && forget()),
      vscode.window.onDidChangeActiveTextEditor((e) => {
        // Focus moving to the chat leaves the last editor in place: only another text editor replaces it.
        if (usable(e)) {
          this.editor = e;
          later();
        }
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => e.textEditor === this.editor && later()),
      vscode.languages.onDidChangeDiagnostics((e) => this.editor && e.uris.some((u) => u.toString() === this.editor!.document.uri.toString()) && later()),
    );
  }

  /** The editor Insert and Apply act on: the last text editor the user was in. */
  get lastEditor(): vscode.TextEditor | undefined {
    return this.editor && !this.editor.document.isClosed ? this.editor : usable(vscode.window.visibleTextEditors[0]);
  }

  async chips(): Promise<{ chips: Chip[]; editor: { file?: string; problems: number } }> {
    const chips: Chip[] = [];
    const editor = this.lastEditor;
    if (this.live && editor) {
      const { kind, label, detail, relPath, folder } = describeEditor(editor);
      chips.push({ id: 'live', kind, label, detail, live: true, ...optional('privateReason', await this.liveReason(folder, relPath, editor.document.uri)) });
    }
    chips.push(...this.snapshots.map((s) => s.chip));
    if (this.definitions) chips.push({ id: 'definitions', kind: 'definitions', label: 'Definitions', detail: 'The context engine adds the definitions the attached code uses when you send.', live: true });
    const problems = editor ? problemsOf(editor.document.uri).length : 0;
    return { chips, editor: { ...(editor && !this.live ? { file: path.basename(editor.document.fileName) } : {}), problems } };
  }

  async add(kind: 'currentFile' | 'problems' | 'pickFile' | 'definitions'): Promise<void> {
    if (kind === 'currentFile') this.live = true;
    if (kind === 'definitions') this.definitions = true;
    if (kind === 'problems') await this.addProblems();
    if (kind === 'pickFile') await this.pickFile();
    this.changed.fire();
  }

  remove(id: string): void {
    if (id === 'live') this.live = false;
    else if (id === 'definitions') this.definitions = false;
    else this.snapshots = this.snapshots.filter((s) => s.chip.id !== id);
    this.changed.fire();
  }

  /** Attaches the editor's selection now (from "Ask in Chat"). */
  attachEditor(): void {
    this.live = true;
    this.changed.fire();
  }

  /** Back to the defaults after a question was sent: the live chip and definitions, nothing fixed. */
  reset(): void {
    this.snapshots = [];
    this.live = true;
    this.definitions = true;
    this.changed.fire();
  }

  /**
   * The attachments of the next question, read now, each with a fresh privacy verdict, and the workspace
   * folder their paths are relative to (attachments from another folder are kept local).
   */
  async collect(): Promise<{ attachments: Attachment[]; workspace: string | undefined }> {
    const editor = this.lastEditor;
    const attachments: LocatedAttachment[] = [];
    if (this.live && editor) attachments.push(readEditor(editor));
    attachments.push(...this.snapshots.map((s) => s.attachment));
    const folder = folderOf(attachments) ?? vscode.workspace.workspaceFolders?.[0];
    const root = folder?.uri.fsPath;
    const filter = root ? await this.filter(folder) : undefined;
    for (const attachment of attachments) {
      const reason = this.verdict(attachment, folder, filter);
      if (reason) attachment.privateReason = reason;
      else delete attachment.privateReason;
    }
    if (this.definitions && this.definitionsSource && root && filter) {
      const code = attachments.filter((a) => (a.kind === 'file' || a.kind === 'selection') && a.path && !a.privateReason && a.workspace === root);
      const found = code.length
        ? await this.definitionsSource(
            code.map((a) => ({ path: a.path!, text: a.fileText ?? a.text, changedRanges: a.range ? [a.range] : [] })),
            root,
            filter,
          ).catch((error: unknown) => {
            this.log.warn(`chat: definitions: ${String(error)}`);
            return [];
          })
        : [];
      if (found.length) {
        const files = [...new Set(found.map((d) => d.file))];
        attachments.push({
          id: randomUUID().slice(0, 8),
          kind: 'definitions',
          label: `Definitions (${found.length})`,
          detail: found.map((d) => `${d.file}:${d.startLine}-${d.endLine}`).join('\n'),
          path: files[0],
          sources: files,
          text: found.map((d) => `// ${d.file}:${d.startLine}-${d.endLine}\n${d.text}`).join('\n\n'),
        });
      }
    }
    return { attachments: attachments.map(({ fileText: _t, workspace: _w, ...a }) => a), workspace: root };
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }

  private async addProblems(): Promise<void> {
    const editor = this.lastEditor;
    if (!editor) return;
    const problems = problemsOf(editor.document.uri);
    if (!problems.length) return;
    const { relPath, folder } = describeEditor(editor);
    const name = path.basename(editor.document.fileName);
    const text = problems.map((d) => `line ${d.range.start.line + 1}: ${severityName(d.severity)}: ${d.message}${d.source ? ` (${d.source})` : ''}`).join('\n');
    const attachment: LocatedAttachment = { id: newChipId(), kind: 'problems', label: `Problems in ${name} (${problems.length})`, detail: relPath, path: relPath, sources: [relPath], text, ...optional('workspace', folder?.uri.fsPath) };
    await this.addSnapshot(attachment, folder);
  }

  private async pickFile(): Promise<void> {
    const uris = await vscode.workspace.findFiles('**/*', undefined, 5000);
    const items = uris
      .map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(uri, true), uri }))
      .sort((a, b) => a.description.localeCompare(b.description));
    const picked = await vscode.window.showQuickPick(items, { title: 'Tiercel: attach a file to the question', matchOnDescription: true, placeHolder: 'File name or path' });
    if (!picked) return;
    const document = await vscode.workspace.openTextDocument(picked.uri).then(
      (d) => d,
      () => undefined,
    );
    if (!document) {
      void vscode.window.showWarningMessage(`Tiercel: ${picked.description} is not a text file.`);
      return;
    }
    const folder = vscode.workspace.getWorkspaceFolder(picked.uri);
    const relPath = vscode.workspace.asRelativePath(picked.uri, false);
    await this.addSnapshot(
      { id: newChipId(), kind: 'file', label: picked.label, detail: picked.description, path: relPath, sources: [relPath], language: document.languageId, text: document.getText(), ...optional('workspace', folder?.uri.fsPath) },
      folder,
    );
  }

  private async addSnapshot(attachment: LocatedAttachment, folder: vscode.WorkspaceFolder | undefined): Promise<void> {
    const reason = this.verdict(attachment, folder, folder ? await this.filter(folder) : undefined);
    if (reason) attachment.privateReason = reason;
    this.snapshots = [...this.snapshots.filter((s) => !(s.attachment.kind === attachment.kind && s.attachment.path === attachment.path)), { attachment, chip: chipOf(attachment) }];
  }

  private verdict(attachment: LocatedAttachment, folder: vscode.WorkspaceFolder | undefined, filter: PrivacyFilter | undefined): string | undefined {
    if (!attachment.path) return undefined;
    if (!attachment.workspace) return 'not in a workspace folder';
    if (!folder || attachment.workspace !== folder.uri.fsPath) return 'in another workspace folder than the rest';
    return filter?.isExcluded(attachment.path).reason;
  }

  private async liveReason(folder: vscode.WorkspaceFolder | undefined, relPath: string, uri: vscode.Uri): Promise<string | undefined> {
    const key = uri.toString();
    if (this.liveVerdict?.key === key) return this.liveVerdict.reason;
    const reason = folder ? (await this.filter(folder)).isExcluded(relPath).reason : uri.scheme === 'file' ? 'not in a workspace folder' : undefined;
    this.liveVerdict = { key, reason };
    return reason;
  }

  private filter(folder: vscode.WorkspaceFolder): Promise<PrivacyFilter> {
    const key = folder.uri.toString();
    let filter = this.filters.get(key);
    if (!filter) {
      filter = PrivacyFilter.load(folder.uri.fsPath, { filesExclude: vscode.workspace.getConfiguration('files', folder.uri).get('exclude') ?? {} });
      this.filters.set(key, filter);
      filter.catch(() => this.filters.delete(key));
    }
    return filter;
  }
}

/** An attachment before it is stored: where it came from, and the whole file its selection is in. */
type LocatedAttachment = Attachment & { workspace?: string; fileText?: string };

function usable(editor: vscode.TextEditor | undefined): vscode.TextEditor | undefined {
  return editor && (editor.document.uri.scheme === 'file' || editor.document.uri.scheme === 'untitled') ? editor : undefined;
}

function describeEditor(editor: vscode.TextEditor): {
  kind: 'file' | 'selection';
  label: string;
  detail: string;
  relPath: string;
  folder: vscode.WorkspaceFolder | undefined;
  range?: { startLine: number; endLine: number };
} {
  const { document, selection } = editor;
  const name = path.basename(document.fileName);
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  const relPath = vscode.workspace.asRelativePath(document.uri, false);
  if (!selection.isEmpty) {
    // A selection that ends at the start of a line (a whole-line drag) does not include that line.
    const endLine = selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line : selection.end.line + 1;
    const range = { startLine: selection.start.line + 1, endLine };
    return { kind: 'selection', label: `${name}:${range.startLine}-${endLine}`, detail: `Selection in ${relPath} (follows the editor)`, relPath, folder, range };
  }
  return { kind: 'file', label: name, detail: `${relPath} (follows the editor)`, relPath, folder };
}

/** The live chip's content now: the selection, or the file (around the cursor when long). */
function readEditor(editor: vscode.TextEditor): LocatedAttachment {
  const { document, selection } = editor;
  const { kind, label, relPath, folder, range: selected } = describeEditor(editor);
  const base = { id: 'live', label, detail: relPath, path: relPath, sources: [relPath], language: document.languageId, fileText: document.getText(), ...optional('workspace', folder?.uri.fsPath) };
  if (kind === 'selection' && selected) {
    return { ...base, kind, range: selected, text: document.getText(new vscode.Range(selected.startLine - 1, 0, selected.endLine, 0)) };
  }
  if (document.lineCount <= MAX_FILE_LINES) return { ...base, kind, text: document.getText() };
  const cursor = selection.active.line;
  const start = Math.max(0, Math.min(cursor - MAX_FILE_LINES / 2, document.lineCount - MAX_FILE_LINES));
  const range = { startLine: start + 1, endLine: start + MAX_FILE_LINES };
  return { ...base, kind, range, detail: `${relPath}, lines ${range.startLine}-${range.endLine} around the cursor`, text: document.getText(new vscode.Range(start, 0, start + MAX_FILE_LINES, 0)) };
}

function problemsOf(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.severity <= vscode.DiagnosticSeverity.Warning)
    .slice(0, 50);
}

function severityName(severity: vscode.DiagnosticSeverity): string {
  return severity === vscode.DiagnosticSeverity.Error ? 'error' : 'warning';
}

function folderOf(attachments: readonly LocatedAttachment[]): vscode.WorkspaceFolder | undefined {
  const first = attachments.find((a) => a.workspace);
  return first?.workspace ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(first.workspace)) : undefined;
}

function chipOf(attachment: LocatedAttachment): Chip {
  return { id: attachment.id, kind: attachment.kind, label: attachment.label, detail: attachment.detail, live: false, ...optional('privateReason', attachment.privateReason) };
}

function newChipId(): string {
  return randomUUID().replace(/-/g, '').slice(0, 12);
}

/** `{ [key]: value }` when value is defined, `{}` otherwise (exactOptionalPropertyTypes). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
