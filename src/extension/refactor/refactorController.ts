import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { formatUsd } from '../../core/claude/budget';
import { describeError, TiercelError } from '../../core/errors';
import { PrivacyFilter } from '../../core/privacy/ignore';
import {
  presetById,
  presetsFor,
  runRefactor,
  selectedLines,
  testFilePath,
  testFrameworkFor,
  titleFor,
  type PresetId,
  type RefactorRequest,
  type RefactorResult,
  type RefactorTarget,
} from '../../core/refactor';
import { gatherDefinitions } from '../../core/review/definitions';
import type { TierPreference } from '../../core/router';
import type { ContextService } from '../context/contextService';
import type { Ctx } from '../ctx';
import { showWithActions } from '../nextActions';
import { applyProposedChanges, currentText, openProposalDiff, type ProposalDiff } from '../proposedEdits';
import { tierName } from '../review/reviewController';
import type { EditorTiers } from '../tiers';
import type { VirtualDocuments } from '../virtualDocuments';
import { askInstructions } from './recentInstructions';
import { SyntaxTrees, toSelection } from './syntaxTrees';
import type { RefactorArgs } from './refactorActions';

/** One refactor the user asked for: what, where, and how. */
interface Job {
  document: vscode.TextDocument;
  root: vscode.Uri;
  request: RefactorRequest;
  title: string;
}

/** Retry asks again warmer, so the same prompt gives another answer. */
const RETRY_TEMPERATURE = 0.7;
/** The preview is redrawn at most this often while the answer streams (each redraw re-diffs the file). */
const PREVIEW_EVERY_MS = 150;

const ACCEPT = 'Accept';
const REJECT = 'Reject';
const RETRY = 'Retry';
const TRY_CLAUDE = 'Try with Claude';

/**
 * Refactors in the editor: a preset or instructions on the selection (or the function around the
 * cursor), run on the tier the router picks (local), the answer streaming into a diff beside the file,
 * then Accept (one undoable edit), Reject, Retry, or Try with Claude (through the budget gate).
 */
export class RefactorController {
  private runs = 0;

  constructor(
    private readonly ctx: Ctx,
    private readonly tiers: EditorTiers,
    private readonly documents: VirtualDocuments,
    private readonly context: ContextService,
    private readonly trees: SyntaxTrees,
  ) {}

  /** `Tiercel: Refactor Selection…` and the light bulb's presets (which pass the preset). */
  async refactor(args?: unknown): Promise<void> {
    const where = this.where(args);
    if (!where) return;
    let preset = isArgs(args) ? args.preset : undefined;
    let instructions: string | undefined;
    if (!preset) {
      const items = [
        ...presetsFor(where.document.languageId).map((p) => ({ label: titleFor(p, where.document.languageId), preset: p.id as PresetId | undefined })),
        { label: 'Refactor with Instructions…', preset: undefined },
      ];
      const picked = await vscode.window.showQuickPick(items, { title: 'Tiercel: Refactor', placeHolder: 'What should the local model do with this code?' });
      if (!picked) return;
      preset = picked.preset;
      if (!preset) instructions = await askInstructions(this.ctx.extension.workspaceState);
      if (!preset && !instructions) return;
    }
    await this.start(where, preset, instructions);
  }

  /** "Refactor with Instructions…": free-form, remembering the recent ones. */
  async refactorWithInstructions(args?: unknown): Promise<void> {
    const where = this.where(args);
    if (!where) return;
    const instructions = await askInstructions(this.ctx.extension.workspaceState);
    if (instructions) await this.start(where, undefined, instructions);
  }

  private where(args: unknown): { document: vscode.TextDocument; range: vscode.Range } | undefined {
    const editor = vscode.window.activeTextEditor;
    if (isArgs(args)) {
      // A light-bulb action carries the range it was computed for, which can be a selection the user was
      // still extending; what they see selected in that file now is what they mean.
      if (editor?.document.uri.toString() === args.uri.toString() && !editor.selection.isEmpty) return { document: editor.document, range: editor.selection };
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === args.uri.toString());
      if (document) return { document, range: args.range };
    }
    if (!editor) {
      void vscode.window.showInformationMessage('Tiercel: open a file and select the code to refactor.');
      return undefined;
    }
    return { document: editor.document, range: editor.selection };
  }

  private async start(where: { document: vscode.TextDocument; range: vscode.Range }, preset: PresetId | undefined, instructions: string | undefined): Promise<void> {
    let job: Job | undefined;
    try {
      job = await this.jobFor(where.document, where.range, preset, instructions);
    } catch (error) {
      await this.report(error);
    }
    if (job) await this.run(job, 'auto');
  }

  private async jobFor(document: vscode.TextDocument, range: vscode.Range, presetId: PresetId | undefined, instructions: string | undefined): Promise<Job | undefined> {
    const preset = presetId ? presetById(presetId) : undefined;
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    // A file outside any folder is refactored in its own folder: paths in the prompt stay short.
    const root = folder?.uri ?? vscode.Uri.file(path.dirname(document.uri.fsPath));
    const file = path.relative(root.fsPath, document.uri.fsPath).split(path.sep).join('/');
    const target = await this.targetOf(document, range, preset?.output === 'enclosing');
    if (!target) {
      void vscode.window.showInformationMessage('Tiercel: select the code to refactor, or put the cursor in a function or class.');
      return undefined;
    }
    if (!SyntaxTrees.supports(document)) this.ctx.log.info(`refactor: no grammar for ${document.languageId}: the answer's syntax is not checked`);
    const request: RefactorRequest = {
      file,
      languageId: document.languageId,
      fileText: document.getText(),
      target,
      ...(preset ? { preset: preset.id } : {}),
      ...(instructions ? { instructions } : {}),
    };
    if (preset?.output === 'tests') {
      const testsPath = testFilePath(file, document.languageId, (rel) => existsSync(path.join(root.fsPath, rel)));
      const existing = existsSync(path.join(root.fsPath, testsPath)) ? await currentText(root, testsPath) : undefined;
      const packageJson = existsSync(path.join(root.fsPath, 'package.json')) ? await currentText(root, 'package.json') : undefined;
      request.tests = { path: testsPath, framework: testFrameworkFor(document.languageId, packageJson), ...(existing !== undefined ? { existing } : {}) };
    }
    const what = preset ? titleFor(preset, document.languageId) : 'Refactor';
    return { document, root, request, title: what };
  }

  private async targetOf(document: vscode.TextDocument, range: vscode.Range, enclosing: boolean): Promise<RefactorTarget | undefined> {
    const found = await this.trees.targetAt(document, range, { enclosing }).catch(() => undefined);
    if (found || range.isEmpty) return found;
    return { kind: 'selection', ...selectedLines(toSelection(range)) };
  }

  /** Runs the job on `preference`'s tier, previews the proposal and acts on the user's answer. */
  private async run(job: Job, preference: TierPreference, temperature?: number): Promise<void> {
    const again = { retry: () => this.run(job, preference, RETRY_TEMPERATURE), runLocally: () => this.run(job, 'local') };
    const previews: ProposalDiff[] = [];
    const label = `Refactor ${++this.runs}`;
    const closeAll = () => Promise.all(previews.map((p) => p.close()));
    const cancel = new AbortController();
    let result: RefactorResult;
    try {
      result = await this.stream(job, preference, temperature, label, previews, cancel);
    } catch (error) {
      await closeAll();
      // Cancelled from the progress notification: the user knows, nothing to report.
      if (!cancel.signal.aborted) await this.report(error, again);
      return;
    }

    const who = tierName(result.route);
    const cost = result.costUsd > 0 ? ` (${formatUsd(result.costUsd)})` : '';
    const claudeOffered = result.route.tier === 'local' && !this.ctx.config.current.claude.localOnly;
    if (!result.ok) {
      // Never leave code the gate refused on screen.
      await closeAll();
      this.ctx.log.warn(`refactor: ${who}'s answer ${result.problem}\n${result.raw}`);
      const tries = result.attempts > 1 ? ', also after one retry with the error' : '';
      const picked = await vscode.window.showWarningMessage(
        `Tiercel: ${who}'s answer ${result.problem}${tries}${cost}. Nothing to apply.`,
        ...(result.canTryClaude && claudeOffered ? [TRY_CLAUDE] : []),
        RETRY,
        'Show Log',
      );
      if (picked === TRY_CLAUDE) await this.run(job, 'claude');
      if (picked === RETRY) await this.run(job, preference, RETRY_TEMPERATURE);
      if (picked === 'Show Log') this.ctx.log.show();
      return;
    }

    const { proposal } = result;
    for (const [i, file] of proposal.files.entries()) {
      if (previews[i]) previews[i].update(file.after);
      else previews.push(await openProposalDiff(this.documents, job.root, proposal.changes[i]!, file.after, { title: this.diffTitle(job, file.path), label }));
    }
    const fixed = result.attempts > 1 ? ' (after fixing a syntax error)' : '';
    const why = result.route.fallback ? ` ${result.route.reason}.` : '';
    const also = proposal.changes.length > 1 ? ` It changes ${proposal.changes.length} files.` : '';
    const picked = await vscode.window.showInformationMessage(
      `Tiercel: ${job.title} by ${who}${fixed}${cost}.${why}${also}`,
      ACCEPT,
      REJECT,
      RETRY,
      ...(claudeOffered ? [TRY_CLAUDE] : []),
    );
    await closeAll();
    if (picked === ACCEPT) await this.accept(job, result);
    else if (picked === RETRY) await this.run(job, preference, RETRY_TEMPERATURE);
    else if (picked === TRY_CLAUDE) await this.run(job, 'claude');
  }

  /** The refactor with a progress notification, the answer streaming into the diff as it comes. */
  private async stream(job: Job, preference: TierPreference, temperature: number | undefined, label: string, previews: ProposalDiff[], controller: AbortController): Promise<RefactorResult> {
    const { root, request } = job;
    const settings = this.ctx.config.current;
    const where = request.target.name ?? `lines ${request.target.startLine}-${request.target.endLine}`;
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Tiercel: ${job.title} — ${where}`, cancellable: true }, async (progress, token) => {
      token.onCancellationRequested(() => controller.abort());
      let latest: { path: string; text: string } | undefined;
      let opening: Promise<void> | undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const draw = () => {
        timer = undefined;
        if (!latest) return;
        const partial = latest;
        if (previews.length) previews[0]!.update(partial.text);
        else
          opening ??= openProposalDiff(this.documents, root, this.firstChange(request), partial.text, { title: this.diffTitle(job, partial.path), label }).then(
            (diff) => void previews.push(diff),
            (error: unknown) => this.ctx.log.warn(`refactor: preview: ${describeError(error)}`),
          );
      };
      try {
        const filter = await PrivacyFilter.load(root.fsPath, { filesExclude: vscode.workspace.getConfiguration('files', root).get('exclude') ?? {} });
        const folder = vscode.workspace.getWorkspaceFolder(job.document.uri);
        return await runRefactor(
          request,
          {
            tiers: this.tiers.set,
            parsers: this.trees.parsers,
            ...(folder
              ? {
                  context: () =>
                    gatherDefinitions(this.context.engineForFolder(folder), [{ path: request.file, text: request.fileText, changedRanges: [request.target] }], {
                      filter,
                      maxTokens: Math.floor(settings.refactor.contextTokens / 2),
                    }),
                }
              : {}),
            readFile: async (rel) => (existsSync(path.join(root.fsPath, rel)) ? currentText(root, rel) : undefined),
            onRoute: (route) => this.ctx.log.info(`refactor: ${route.reason}`),
            onProgress: (message) => progress.report({ message }),
            onPartial: (partial) => {
              latest = partial;
              timer ??= setTimeout(draw, PREVIEW_EVERY_MS);
            },
          },
          {
            preference,
            fallback: preference !== 'claude',
            workspace: root.fsPath,
            maxContextTokens: settings.refactor.contextTokens,
            signal: controller.signal,
            ...(temperature !== undefined ? { temperature } : {}),
          },
        );
      } finally {
        if (timer) clearTimeout(timer);
        await opening;
      }
    });
  }

  private async accept(job: Job, result: Extract<RefactorResult, { ok: true }>): Promise<void> {
    try {
      if (!(await applyProposedChanges(job.root, result.proposal.changes))) {
        void vscode.window.showErrorMessage('Tiercel: VS Code did not apply the refactor; nothing was changed.');
        return;
      }
    } catch (error) {
      await this.report(error, { retry: () => this.run(job, 'auto') });
      return;
    }
    // The edited file gets the focus, so the next Undo (one step) is the refactor's.
    const main = result.proposal.changes[0]!;
    const editor = await vscode.window.showTextDocument(vscode.Uri.joinPath(job.root, main.path), { preview: false });
    if (main.kind === 'lines') {
      const start = new vscode.Position(main.edit.startLine - 1, 0);
      editor.selection = new vscode.Selection(start, start);
      editor.revealRange(new vscode.Range(start, start));
    }
    this.ctx.log.info(`refactor: applied ${job.title} to ${result.proposal.changes.map((c) => c.path).join(', ')}`);
  }

  private firstChange(request: RefactorRequest) {
    return request.tests
      ? { kind: request.tests.existing !== undefined ? ('append' as const) : ('create' as const), path: request.tests.path, text: '' }
      : { kind: 'lines' as const, path: request.file, edit: { startLine: request.target.startLine, endLine: request.target.endLine, replacement: '' } };
  }

  private diffTitle(job: Job, file: string): string {
    return `${path.posix.basename(file)} ↔ ${job.title} (proposed)`;
  }

  private async report(error: unknown, again?: { retry?: () => unknown; runLocally?: () => unknown }): Promise<void> {
    this.ctx.log.error(`refactor failed: ${describeError(error)}`);
    if (error instanceof TiercelError) await showWithActions(this.ctx, 'error', `Tiercel: ${error.message}`, error.actions, again);
    else await showWithActions(this.ctx, 'error', `Tiercel: the refactor failed (${describeError(error)}).`, ['showLog']);
  }
}

function isArgs(value: unknown): value is RefactorArgs {
  return typeof value === 'object' && value !== null && 'uri' in value && 'range' in value;
}
