import * as vscode from 'vscode';
import { formatUsd } from '../../core/claude/budget';
import { describeError, TiercelError } from '../../core/errors';
import { PrivacyFilter } from '../../core/privacy/ignore';
import type { ContextDefinition } from '../../core/review/prompt';
import { runReview, type ReviewResult } from '../../core/review/review';
import { collectReviewTarget, type ReviewScope, type ReviewTarget } from '../../core/review/scope';
import type { Route, TierPreference } from '../../core/router';
import type { Ctx } from '../ctx';
import { showWithActions } from '../nextActions';
import type { EditorTiers } from '../tiers';
import type { FindingsView } from './findingsView';

/** Definitions the code at the given lines uses, already privacy-filtered; the extension plugs the context engine in here. */
export type DefinitionsSource = (
  files: ReadonlyArray<Pick<ReviewTarget['files'][number], 'path' | 'text' | 'changedRanges'>>,
  root: string,
  filter: PrivacyFilter,
) => Promise<ContextDefinition[]>;

/**
 * "Review with Claude" (and "Review with Local Model") from start to finish: pick the scope, collect it
 * through the privacy filter, ask the router which tier reviews it (Claude, unless it can't be used), send
 * with a cancellable progress notification, and show the findings with the tier that found them and why.
 */
export class ReviewController {
  private lastScope: { root: vscode.Uri; scope: ReviewScope } | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly tiers: EditorTiers,
    private readonly view: FindingsView,
    private readonly definitions?: DefinitionsSource,
  ) {}

  /** Entry point of the commands; `hint` is what the menu passed (an SCM provider, a file URI). */
  async review(preference: TierPreference, hint?: unknown): Promise<void> {
    const picked = preference === 'local' && this.lastScope && hint === undefined ? this.lastScope : await this.pickScopeOrReport(hint);
    if (!picked) return;
    this.lastScope = picked;
    await this.run(preference, picked.root, picked.scope);
  }

  private async pickScopeOrReport(hint: unknown): Promise<{ root: vscode.Uri; scope: ReviewScope } | undefined> {
    try {
      return await this.pickScope(hint);
    } catch (error) {
      await this.report(error);
      return undefined;
    }
  }

  /** Reviews `scope` on the tier the router picks for `preference`; failures offer to re-run this review. */
  private async run(preference: TierPreference, root: vscode.Uri, scope: ReviewScope): Promise<void> {
    const again = { retry: () => this.run(preference, root, scope), runLocally: () => this.run('local', root, scope) };
    try {
      const result = await this.reviewScope(preference, root, scope);
      await this.show(result, root, again);
    } catch (error) {
      await this.report(error, again);
    }
  }

  private async reviewScope(preference: TierPreference, root: vscode.Uri, scope: ReviewScope): Promise<ReviewResult> {
    const settings = this.ctx.config.current;
    const filter = await PrivacyFilter.load(root.fsPath, {
      filesExclude: vscode.workspace.getConfiguration('files', root).get('exclude') ?? {},
    });
    const target = await collectReviewTarget(scope, { root: root.fsPath, filter, unsavedText: (rel) => unsavedText(root, rel) });
    for (const e of target.excluded) this.ctx.log.info(`review: not sent ${e.path} (${e.reason})`);

    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Tiercel: reviewing ${describeScope(scope)}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return runReview(
          target,
          {
            tiers: this.tiers.set,
            onProgress: (message) => progress.report({ message }),
            onRoute: (route) => this.ctx.log.info(`review: ${route.reason}`),
            ...(this.definitions ? { context: () => this.definitions!(target.files, root.fsPath, filter) } : {}),
          },
          {
            preference,
            workspace: root.fsPath,
            maxTokens: settings.review.maxOutputTokens,
            maxInputTokens: settings.review.maxInputTokens,
            confidenceThreshold: settings.review.confidenceThreshold,
            signal: controller.signal,
          },
        );
      },
    );
  }

  private async report(error: unknown, again?: { retry: () => unknown; runLocally: () => unknown }): Promise<void> {
    this.ctx.log.error(`review failed: ${describeError(error)}`);
    if (error instanceof TiercelError) await showWithActions(this.ctx, 'error', `Tiercel: ${error.message}`, error.actions, again);
    else await showWithActions(this.ctx, 'error', `Tiercel: the review failed (${describeError(error)}).`, ['showLog']);
  }

  private async show(result: ReviewResult, root: vscode.Uri, again: { retry: () => unknown; runLocally: () => unknown }): Promise<void> {
    const who = tierName(result.route);
    const cost = result.costUsd > 0 ? ` (${formatUsd(result.costUsd)})` : '';
    const why = result.route.fallback ? ` ${result.route.reason}.` : '';
    if (result.malformed) {
      this.ctx.log.error(`review answer could not be read: ${result.malformed.error}\n${result.malformed.raw}`);
      await showWithActions(this.ctx, 'error', `Tiercel: ${who}'s answer could not be read as findings (${result.malformed.error})${cost}.${why}`, ['showLog', 'retry'], again);
      return;
    }
    for (const r of result.rejected) this.ctx.log.warn(`review: finding dropped: ${r.reason}`);
    this.view.show(result.shown, result.hidden, (p) => vscode.Uri.joinPath(root, p), result.route.tier === 'claude' ? 'Claude' : 'Local model');
    const found = result.shown.length === 0 ? 'no issues' : `${result.shown.length} issue${result.shown.length === 1 ? '' : 's'}`;
    const message = `Tiercel: ${who} found ${found}${cost}.${why} ${result.summary}`.trim();
    const more = result.hidden.length ? `Show ${result.hidden.length} More` : undefined;
    const picked = await vscode.window.showInformationMessage(message, ...(more ? [more] : []), ...(result.shown.length ? ['Open Problems'] : []));
    if (picked === more) this.view.showHidden();
    if (picked === 'Open Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
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

/** "Claude (claude-sonnet-5-5)" / "the local model (qwen2.5-coder:7b-instruct)". */
export function tierName(route: Route): string {
  return route.tier === 'claude' ? `Claude (${route.model})` : `the local model (${route.model})`;
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
