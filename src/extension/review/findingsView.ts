import * as vscode from 'vscode';
import type { Finding } from '../../core/review/findings';

export const APPLY_SUGGESTION_COMMAND = 'tiercel.review.applySuggestion';
export const SHOW_HIDDEN_COMMAND = 'tiercel.review.showHiddenFindings';
export const CLEAR_COMMAND = 'tiercel.review.clearFindings';
const DIAGNOSTIC_SOURCE = 'Tiercel review';

interface Shown {
  finding: Finding;
  uri: vscode.Uri;
  thread: vscode.CommentThread;
}

/**
 * Shows review findings where people look for them: a comment thread on the lines (one per finding,
 * "i of N"), mirrored as a diagnostic in the Problems view, with "Apply suggestion" as a comment
 * action and as a quick fix. Low-confidence findings wait behind "Show N more".
 */
export class FindingsView implements vscode.CodeActionProvider, vscode.Disposable {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];

  private readonly comments = vscode.comments.createCommentController('tiercel.review', 'Tiercel Review');
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('tiercel-review');
  private shown: Shown[] = [];
  private hidden: Array<{ finding: Finding; uri: vscode.Uri }> = [];
  /** Who found the current findings: the tier that answered ("Claude", "Local model"). */
  private author = 'Claude';

  constructor() {
    this.comments.options = { placeHolder: 'Review findings (read-only)', prompt: 'Review findings' };
  }

  /**
   * Replaces the current findings. `resolve` maps a finding's workspace-relative path to its file;
   * `author` names the tier that found them on each thread.
   */
  show(findings: readonly Finding[], hidden: readonly Finding[], resolve: (path: string) => vscode.Uri, author: 'Claude' | 'Local model'): void {
    this.clear();
    this.author = author;
    const all = findings.map((finding) => ({ finding, uri: resolve(finding.file) }));
    this.hidden = hidden.map((finding) => ({ finding, uri: resolve(finding.file) }));
    all.forEach((item, i) => this.add(item.finding, item.uri, i + 1, all.length));
    this.publishDiagnostics();
  }

  /** Adds the low-confidence findings to the view. */
  showHidden(): number {
    const extra = this.hidden;
    this.hidden = [];
    const total = this.shown.length + extra.length;
    const start = this.shown.length;
    extra.forEach((item, i) => this.add(item.finding, item.uri, start + i + 1, total));
    this.publishDiagnostics();
    return extra.length;
  }

  get hiddenCount(): number {
    return this.hidden.length;
  }

  get count(): number {
    return this.shown.length;
  }

  clear(): void {
    for (const s of this.shown) s.thread.dispose();
    this.shown = [];
    this.hidden = [];
    this.diagnostics.clear();
  }

  /**
   * Replaces the finding's lines with its suggestion as one edit (one Ctrl+Z undoes it), then
   * resolves its thread. `target` is a comment thread (comment action) or a finding (quick fix).
   */
  async apply(target: vscode.CommentThread | Finding | undefined): Promise<boolean> {
    const item = this.shown.find((s) => s.thread === target || s.finding === target);
    if (!item?.finding.suggestion) {
      void vscode.window.showInformationMessage('Tiercel: this finding has no suggested replacement.');
      return false;
    }
    const document = await vscode.workspace.openTextDocument(item.uri);
    const { startLine, endLine, suggestion } = item.finding;
    const last = Math.min(endLine, document.lineCount) - 1;
    const range = new vscode.Range(startLine - 1, 0, last, document.lineAt(last).text.length);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(item.uri, range, suggestion.replace(/\r?\n$/, ''));
    const applied = await vscode.workspace.applyEdit(edit);
    if (applied) {
      item.thread.state = vscode.CommentThreadState.Resolved;
      item.thread.contextValue = 'tiercelFinding.applied';
      this.shown = this.shown.filter((s) => s !== item);
      item.thread.dispose();
      this.publishDiagnostics();
    }
    return applied;
  }

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection): vscode.CodeAction[] {
    return this.shown
      .filter((s) => s.uri.toString() === document.uri.toString() && s.finding.suggestion !== undefined)
      .filter((s) => new vscode.Range(s.finding.startLine - 1, 0, s.finding.endLine - 1, Number.MAX_SAFE_INTEGER).intersection(range))
      .map((s) => {
        const whose = this.author === 'Claude' ? "Claude's" : "the local model's";
        const action = new vscode.CodeAction(`Apply ${whose} suggestion: ${truncate(s.finding.message, 60)}`, vscode.CodeActionKind.QuickFix);
        action.command = { command: APPLY_SUGGESTION_COMMAND, title: 'Apply suggestion', arguments: [s.finding] };
        action.diagnostics = [toDiagnostic(s.finding)];
        return action;
      });
  }

  dispose(): void {
    this.clear();
    this.comments.dispose();
    this.diagnostics.dispose();
  }

  private add(finding: Finding, uri: vscode.Uri, index: number, total: number): void {
    const range = new vscode.Range(finding.startLine - 1, 0, finding.endLine - 1, 0);
    const body = new vscode.MarkdownString(formatBody(finding));
    const thread = this.comments.createCommentThread(uri, range, [
      { body, mode: vscode.CommentMode.Preview, author: { name: `${this.author} · ${index} of ${total}` }, contextValue: 'tiercelFinding' },
    ]);
    thread.label = `${capitalize(finding.severity)} · ${finding.category}`;
    thread.canReply = false;
    thread.contextValue = finding.suggestion ? 'tiercelFinding.withSuggestion' : 'tiercelFinding';
    thread.collapsibleState = index === 1 ? vscode.CommentThreadCollapsibleState.Expanded : vscode.CommentThreadCollapsibleState.Collapsed;
    this.shown.push({ finding, uri, thread });
  }

  private publishDiagnostics(): void {
    this.diagnostics.clear();
    const byUri = new Map<string, { uri: vscode.Uri; list: vscode.Diagnostic[] }>();
    for (const s of this.shown) {
      const entry = byUri.get(s.uri.toString()) ?? { uri: s.uri, list: [] };
      entry.list.push(toDiagnostic(s.finding));
      byUri.set(s.uri.toString(), entry);
    }
    for (const { uri, list } of byUri.values()) this.diagnostics.set(uri, list);
  }
}

function toDiagnostic(finding: Finding): vscode.Diagnostic {
  const severity = { error: vscode.DiagnosticSeverity.Error, warning: vscode.DiagnosticSeverity.Warning, info: vscode.DiagnosticSeverity.Information }[finding.severity];
  const diagnostic = new vscode.Diagnostic(
    new vscode.Range(finding.startLine - 1, 0, finding.endLine - 1, Number.MAX_SAFE_INTEGER),
    `${finding.message} (${finding.category}, confidence ${Math.round(finding.confidence * 100)}%)`,
    severity,
  );
  diagnostic.source = DIAGNOSTIC_SOURCE;
  return diagnostic;
}

function formatBody(finding: Finding): string {
  const lines = [escape(finding.message), '', `*Confidence ${Math.round(finding.confidence * 100)}% · lines ${finding.startLine}–${finding.endLine}*`];
  if (finding.suggestion) lines.push('', 'Suggested replacement:', '```', finding.suggestion.replace(/```/g, '``\u200b`'), '```');
  return lines.join('\n');
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]<>]/g, '\\$&');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
