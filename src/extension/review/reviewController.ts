import * as vscode from 'vscode';
import { formatUsd } from '../../core/claude';
import { describeError, TiercelError } from '../../core/errors';
import { PrivacyFilter } from '../../core/privacy/ignore';
import { summarizeOutgoing } from '../../core/privacy/preview';
import { localReviewSender } from '../../core/review/localReview';
import type { ContextDefinition } from '../../core/review/prompt';
import { runReview, ReviewNotSentError, type ReviewResult, type SendReview } from '../../core/review/review';
import { collectReviewTarget, type ReviewScope, type ReviewTarget } from '../../core/review/scope';
import type { App } from '../app';
import type { ClaudeTier } from '../claude/claudeTier';
import { showWithActions } from '../nextActions';
import type { FindingsView } from './findingsView';

export type ReviewTierChoice = 'claude' | 'local';

/**
 * Gathers definitions the code at the given lines uses (review: the changed ranges; debug: the
 * frames' lines); the extension plugs the context engine in here.
 */
export type ReviewContextSource = (
  files: ReadonlyArray<Pick<ReviewTarget['files'][number], 'path' | 'text' | 'changedRanges'>>,
  root: string,
  filter: PrivacyFilter,
) => Promise<ContextDefinition[]>;

/**
 * "Review with Claude" (and its local fallback) from start to finish: pick the scope, collect it
 * through the privacy filter, optionally preview what leaves the machine, send with a cancellable
 * progress notification, and show the findings.
 */
export class ReviewController {
  private lastScope: { root: vscode.Uri; scope: ReviewScope } | undefined;

  constructor(
    private readonly app: Pick<App, 'log' | 'settings'>,
    private readonly claude: ClaudeTier,
    private readonly view: FindingsView,
    private readonly contextSource?: ReviewContextSource,
  ) {}

  /** Entry point of the commands; `hint` is what the menu passed (an SCM provider, a file URI). */
  async review(tier: ReviewTierChoice, hint?: unknown): Promise<void> {
    try {
      if (tier === 'claude') await this.claude.ensureAvailable();
      const picked = tier === 'local' && this.lastScope && hint === undefined ? this.lastScope : await this.pickScope(hint);
      if (!picked) return;
      this.lastScope = picked;
      await this.run(tier, picked.root, picked.scope);
    } catch (error) {
      if (error instanceof ReviewNotSentError) return;
      this.app.log.error(`review failed: ${describeError(error)}`);
      if (error instanceof TiercelError) await showWithActions(this.app, 'error', `Tiercel: ${error.message}`, error.actions);
      else await showWithActions(this.app, 'error', `Tiercel: the review failed (${describeError(error)}).`, ['showLog']);
    }
  }

  private async run(tier: ReviewTierChoice, root: vscode.Uri, scope: ReviewScope): Promise<void> {
    const settings = this.app.settings();
    const filter = await PrivacyFilter.load(root.fsPath, {
      filesExclude: vscode.workspace.getConfiguration('files', root).get('exclude') ?? {},
    });
    const target = await collectReviewTarget(scope, { root: root.fsPath, filter, unsavedText: (rel) => unsavedText(root, rel) });
    for (const e of target.excluded) this.app.log.info(`review: not sent ${e.path} (${e.reason})`);
    const who = tier === 'claude' ? 'Claude' : `the local model (${settings.ollama.chatModel})`;

    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Tiercel: reviewing ${describeScope(scope)} with ${who}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        const send: SendReview =
          tier === 'claude'
            ? (request) => this.claude.send(request, (status) => progress.report({ message: status }))
            : localReviewSender({ url: settings.ollama.url, model: settings.ollama.chatModel });
        return runReview(
          target,
          {
            send,
            onProgress: (message) => progress.report({ message }),
            ...(this.contextSource ? { context: () => this.contextSource!(target.files, root.fsPath, filter) } : {}),
            ...(tier === 'claude' && settings.privacy.previewBeforeSending ? { beforeSend: (params, context) => this.preview(target, params.messages[0]!.content, context) } : {}),
          },
          {
            model: settings.claude.model,
            maxTokens: settings.review.maxOutputTokens,
            maxInputTokens: settings.review.maxInputTokens,
            confidenceThreshold: settings.review.confidenceThreshold,
            signal: controller.signal,
          },
        );
      },
    );
    await this.show(result, root, who);
  }

  private async show(result: ReviewResult, root: vscode.Uri, who: string): Promise<void> {
    const cost = result.costUsd > 0 ? ` (${formatUsd(result.costUsd)})` : '';
    if (result.malformed) {
      this.app.log.error(`review answer could not be read: ${result.malformed.error}\n${result.malformed.raw}`);
      await showWithActions(this.app, 'error', `Tiercel: ${who}'s answer could not be read as findings (${result.malformed.error})${cost}.`, ['showLog', 'retry']);
      return;
    }
    for (const r of result.rejected) this.app.log.warn(`review: finding dropped: ${r.reason}`);
    this.view.show(result.shown, result.hidden, (p) => vscode.Uri.joinPath(root, p));
    const found = result.shown.length === 0 ? 'no issues' : `${result.shown.length} issue${result.shown.length === 1 ? '' : 's'}`;
    const message = `Tiercel: ${who} found ${found}${cost}. ${result.summary}`.trim();
    const more = result.hidden.length ? `Show ${result.hidden.length} More` : undefined;
    const picked = await vscode.window.showInformationMessage(message, ...(more ? [more] : []), ...(result.shown.length ? ['Open Problems'] : []));
    if (picked === more) this.view.showHidden();
    if (picked === 'Open Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
  }

  private async preview(target: ReviewTarget, message: string, context: readonly ContextDefinition[]): Promise<boolean> {
    const summary = summarizeOutgoing({
      files: target.files.map((f) => ({ path: f.path, text: f.text, redactions: f.redactions })),
      parts: [
        { label: 'diff', text: target.diff, redactions: target.diffRedactions },
        { label: 'context', text: context.map((c) => c.text).join('\n') },
      ],
      excluded: target.excluded,
    });
    const detail = [
      `${summary.files} file(s), about ${summary.tokens.toLocaleString('en-US')} tokens, ${summary.redactions} redaction(s).`,
      target.excluded.length ? `Not sent: ${target.excluded.map((e) => `${e.path} (${e.reason})`).join(', ')}.` : '',
      `Request: ${message.length.toLocaleString('en-US')} characters.`,
    ]
      .filter(Boolean)
      .join('\n');
    const send = 'Send to Claude';
    return (await vscode.window.showWarningMessage('Tiercel: send this review to Claude?', { modal: true, detail }, send)) === send;
  }

  private async pickScope(hint: unknown): Promise<{ root: vscode.Uri; scope: ReviewScope } | undefined> {
    const editor = vscode.window.activeTextEditor;
    const folder = (editor && vscode.workspace.getWorkspaceFolder(editor.document.uri)) ?? vscode.workspace.workspaceFolders?.[0];
    if (!folder) throw new TiercelError('Open a folder to review: reviews read the workspace (and git) around the code.');
    const root = folder.uri;
    if (isScmProvider(hint)) return { root, scope: { kind: 'uncommitted' } };

    const rel = editor && editor.document.uri.scheme === 'file' ? vscode.workspace.asRelativePath(editor.document.uri, false) : undefined;
    const items: Array<vscode.QuickPickItem & { scope: ReviewScope }> = [];
    if (editor && rel && !editor.selection.isEmpty) {
      const startLine = editor.selection.start.line + 1;
      const endLine = editor.selection.end.character === 0 && editor.selection.end.line > editor.selection.start.line ? editor.selection.end.line : editor.selection.end.line + 1;
      items.push({ label: '$(selection) Selection', description: `${rel}:${startLine}-${endLine}`, scope: { kind: 'selection', file: rel, startLine, endLine } });
    }
    if (rel) items.push({ label: '$(file) Current file', description: rel, scope: { kind: 'file', file: rel } });
    items.push({ label: '$(git-commit) Staged changes', description: 'git diff --cached', scope: { kind: 'staged' } });
    items.push({ label: '$(diff) All uncommitted changes', description: 'staged, unstaged and new files', scope: { kind: 'uncommitted' } });
    const picked = await vscode.window.showQuickPick(items, { title: 'Tiercel: what should be reviewed?', placeHolder: 'Pick a scope' });
    return picked && { root, scope: picked.scope };
  }
}

function describeScope(scope: ReviewScope): string {
  switch (scope.kind) {
    case 'selection':
      return `${scope.file}:${scope.startLine}-${scope.endLine}`;
    case 'file':
      return scope.file;
    case 'staged':
      return 'staged changes';
    case 'uncommitted':
      return 'uncommitted changes';
    default:
      return 'the diff';
  }
}

function unsavedText(root: vscode.Uri, rel: string): string | undefined {
  const uri = vscode.Uri.joinPath(root, rel).toString();
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
  return document?.isDirty ? document.getText() : undefined;
}

function isScmProvider(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'rootUri' in value && 'id' in value;
}
