import { stat } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { formatUsd } from '../../core/claude/budget';
import { formatDebugMarkdown } from '../../core/debug/markdown';
import type { DebugInput } from '../../core/debug/prompt';
import { runDebug, type DebugResult } from '../../core/debug/run';
import type { DebugFix } from '../../core/debug/schema';
import { resolveFrames } from '../../core/debug/resolve';
import { parseStackTrace, type ParsedError } from '../../core/debug/stackTrace';
import { textAfterChange, type FileChange } from '../../core/edits/fileChange';
import { linesOf } from '../../core/edits/lineEdit';
import { describeError, TiercelError } from '../../core/errors';
import { PrivacyFilter } from '../../core/privacy/ignore';
import { confineToWorkspace } from '../../core/privacy/realPath';
import { collectReviewTarget } from '../../core/review/scope';
import type { TierPreference } from '../../core/router';
import type { Ctx } from '../ctx';
import { showWithActions } from '../nextActions';
import { applyProposedChanges, currentText, openProposalDiff } from '../proposedEdits';
import { tierName, type DefinitionsSource } from '../review/reviewController';
import type { EditorTiers } from '../tiers';
import type { VirtualDocuments } from '../virtualDocuments';

export const DEBUG_COMMAND = 'tiercel.debugWithClaude';
/** Frames whose source goes into the request (innermost first). */
const MAX_FRAMES = 8;

/** What the command was started from: a diagnostic's quick fix, or nothing (then the editor, terminal or debugger tells). */
type DebugOrigin = { uri: vscode.Uri; diagnostic: vscode.Diagnostic } | undefined;

/**
 * "Debug with Claude": the error (a diagnostic, a selected stack trace in the editor or terminal, or
 * the exception the debugger stopped on), the source around each of its frames in the workspace, the
 * definitions they use and the recent edits, through the budget gate; the answer as a report with
 * each proposed fix as a diff to review and apply.
 */
export class DebugController implements vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];

  constructor(
    private readonly ctx: Ctx,
    private readonly tiers: EditorTiers,
    private readonly documents: VirtualDocuments,
    private readonly definitions?: DefinitionsSource,
  ) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (this.ctx.config.current.claude.localOnly) return [];
    return context.diagnostics
      .filter((d) => d.severity === vscode.DiagnosticSeverity.Error && d.source !== 'Tiercel review')
      .slice(0, 1)
      .map((diagnostic) => {
        const action = new vscode.CodeAction('Debug with Claude', vscode.CodeActionKind.QuickFix);
        action.command = { command: DEBUG_COMMAND, title: 'Debug with Claude', arguments: [{ uri: document.uri, diagnostic }] };
        action.diagnostics = [diagnostic];
        return action;
      });
  }

  async debug(origin?: unknown, preference: TierPreference = 'claude'): Promise<void> {
    let found: { folder: vscode.WorkspaceFolder; error: { error: ParsedError; extraFile?: string } } | undefined;
    try {
      const folder = this.folder();
      const error = await this.findError(isOrigin(origin) ? origin : undefined, folder);
      if (error) found = { folder, error };
    } catch (error) {
      await this.report(error);
    }
    if (found) await this.runReported(found.folder, found.error, preference);
  }

  /** Debugs `found`; a failure offers to re-run this same error, on the same tier or locally. */
  private async runReported(folder: vscode.WorkspaceFolder, found: { error: ParsedError; extraFile?: string }, preference: TierPreference): Promise<void> {
    const again = { retry: () => this.runReported(folder, found, preference), runLocally: () => this.runReported(folder, found, 'local') };
    try {
      await this.run(folder, found, preference);
    } catch (error) {
      await this.report(error, again);
    }
  }

  private async report(error: unknown, again?: { retry: () => unknown; runLocally: () => unknown }): Promise<void> {
    this.ctx.log.error(`debug failed: ${describeError(error)}`);
    if (error instanceof TiercelError) await showWithActions(this.ctx, 'error', `Tiercel: ${error.message}`, error.actions, again);
    else await showWithActions(this.ctx, 'error', `Tiercel: debugging failed (${describeError(error)}).`, ['showLog']);
  }

  private async run(folder: vscode.WorkspaceFolder, found: { error: ParsedError; extraFile?: string }, preference: TierPreference): Promise<void> {
    const root = folder.uri.fsPath;
    const settings = this.ctx.config.current;
    const filter = await PrivacyFilter.load(root, { filesExclude: vscode.workspace.getConfiguration('files', folder.uri).get('exclude') ?? {} });
    const resolution = await resolveFrames(found.error.frames, {
      root,
      exists: (rel) => stat(path.join(root, rel)).then((s) => s.isFile(), () => false),
      filter,
    });
    for (const e of resolution.excluded) this.ctx.log.info(`debug: not sent ${e.relPath} (${e.reason})`);
    const texts = new Map<string, string>();
    const read = async (rel: string) => {
      if (!texts.has(rel)) texts.set(rel, await currentText(folder.uri, rel));
      return texts.get(rel)!;
    };
    const frames = [];
    for (const f of resolution.frames.filter((f) => !f.library).slice(0, MAX_FRAMES)) {
      frames.push({ relPath: f.relPath, line: f.line, ...(f.column ? { column: f.column } : {}), ...(f.functionName ? { functionName: f.functionName } : {}), source: await read(f.relPath) });
    }
    const extraAllowed = found.extraFile && !filter.isExcluded(found.extraFile).excluded && (await confineToWorkspace(root, found.extraFile, filter)).ok;
    const extraFiles = found.extraFile && extraAllowed ? [{ path: found.extraFile, text: await read(found.extraFile) }] : [];
    // Recent edits: the uncommitted diff, through the same privacy filter as a review (none outside git).
    const recentEdits = await collectReviewTarget({ kind: 'uncommitted' }, { root, filter }).then((t) => t.diff, () => '');
    const context = this.definitions
      ? await this.definitions(
          frames.slice(0, 3).map((f) => ({ path: f.relPath, text: f.source, changedRanges: [{ startLine: f.line, endLine: f.line }] })),
          root,
          filter,
        ).catch(() => [])
      : [];
    const input: DebugInput = { error: found.error, frames, extraFiles, ...(recentEdits ? { recentEdits: recentEdits.slice(0, 20_000) } : {}), context };

    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Tiercel: debugging', cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return runDebug(
          input,
          { tiers: this.tiers.set, onProgress: (message) => progress.report({ message }), onRoute: (route) => this.ctx.log.info(`debug: ${route.reason}`) },
          {
            preference,
            workspace: root,
            maxTokens: settings.review.maxOutputTokens,
            maxInputTokens: settings.review.maxInputTokens,
            signal: controller.signal,
          },
        );
      },
    );
    await this.show(folder, found.error, result, texts);
  }

  private async show(folder: vscode.WorkspaceFolder, error: ParsedError, result: DebugResult, texts: Map<string, string>): Promise<void> {
    if (result.malformed) this.ctx.log.error(`debug answer could not be read: ${result.malformed.error}\n${result.malformed.raw}`);
    const fileTexts = new Map<string, string>();
    for (const fix of result.answer?.fixes ?? []) fileTexts.set(fix.file, (await currentText(folder.uri, fix.file)) || (texts.get(fix.file) ?? ''));
    const uri = this.documents.put(`Debug ${new Date().toISOString().slice(11, 19).replace(/:/g, '-')}.md`, formatDebugMarkdown(result, { errorMessage: error.message, fileTexts }));
    // Opened first so the preview finds the content provider's text, not an empty document.
    await vscode.workspace.openTextDocument(uri);
    await vscode.commands.executeCommand('markdown.showPreviewToSide', uri);
    const fixes = result.answer?.fixes ?? [];
    if (!fixes.length) return;
    const cost = result.costUsd > 0 ? ` (${formatUsd(result.costUsd)})` : '';
    const why = result.route.fallback ? ` ${result.route.reason}.` : '';
    const picked = await vscode.window.showInformationMessage(`Tiercel: ${tierName(result.route)} proposes ${fixes.length} fix${fixes.length === 1 ? '' : 'es'}${cost}.${why}`, 'Review and Apply…');
    if (picked) await this.offerFixes(folder, fixes);
  }

  /** Each fix as a diff the user looks at before it is applied as one undoable edit. */
  private async offerFixes(folder: vscode.WorkspaceFolder, fixes: readonly DebugFix[]): Promise<void> {
    const pick = await vscode.window.showQuickPick(
      fixes.map((fix) => ({ label: fix.description, description: `${fix.file}:${fix.startLine}-${fix.endLine} · confidence ${Math.round(fix.confidence * 100)}%`, fix })),
      // The report's webview can take focus as it finishes loading; the pick the user just asked for stays.
      { title: 'Tiercel: proposed fixes', ignoreFocusOut: true },
    );
    if (!pick) return;
    const current = await currentText(folder.uri, pick.fix.file);
    const change: FileChange = { kind: 'lines', path: pick.fix.file, edit: pick.fix, expected: linesOf(current, pick.fix.startLine, pick.fix.endLine) };
    await openProposalDiff(this.documents, folder.uri, change, textAfterChange(change, current), { title: `${pick.fix.file} ↔ Claude's fix`, label: 'proposed fix' });
    const apply = await vscode.window.showInformationMessage(`Tiercel: apply "${pick.fix.description}"?`, 'Apply Fix');
    if (apply !== 'Apply Fix') return;
    await applyProposedChanges(folder.uri, [change]);
  }

  /** The error to debug, from the most specific place that has one. */
  private async findError(origin: DebugOrigin, folder: vscode.WorkspaceFolder): Promise<{ error: ParsedError; extraFile?: string } | undefined> {
    if (origin) {
      const rel = vscode.workspace.asRelativePath(origin.uri, false);
      const { line, character } = origin.diagnostic.range.start;
      const source = origin.diagnostic.source ? `${origin.diagnostic.source}: ` : '';
      return { error: parseStackTrace(`${rel}:${line + 1}:${character + 1}: error: ${source}${origin.diagnostic.message}`), extraFile: rel };
    }
    const fromDebugger = await this.exceptionFromDebugger(folder);
    if (fromDebugger) return { error: fromDebugger };
    const editor = vscode.window.activeTextEditor;
    if (editor && !editor.selection.isEmpty) return { error: parseStackTrace(editor.document.getText(editor.selection)) };
    const fromTerminal = await terminalSelection();
    if (fromTerminal) return { error: parseStackTrace(fromTerminal) };
    const pasted = await vscode.window.showInputBox({
      title: 'Tiercel: Debug with Claude',
      prompt: 'Select a stack trace in the editor or terminal first, or paste the error here.',
      placeHolder: 'TypeError: Cannot read properties of undefined …',
      ignoreFocusOut: true,
    });
    return pasted?.trim() ? { error: parseStackTrace(pasted) } : undefined;
  }

  /** The exception the debugger stopped on, with its stack, through the Debug Adapter Protocol. */
  private async exceptionFromDebugger(folder: vscode.WorkspaceFolder): Promise<ParsedError | undefined> {
    const session = vscode.debug.activeDebugSession;
    const frame = vscode.debug.activeStackItem;
    if (!session || !frame || !('threadId' in frame)) return undefined;
    try {
      const info = (await session.customRequest('exceptionInfo', { threadId: frame.threadId })) as { exceptionId?: string; description?: string; details?: { stackTrace?: string } };
      const trace = (await session.customRequest('stackTrace', { threadId: frame.threadId, levels: 30 })) as { stackFrames?: Array<{ name: string; line: number; column: number; source?: { path?: string } }> };
      const lines = (trace.stackFrames ?? []).filter((f) => f.source?.path).map((f) => `    at ${f.name} (${f.source!.path}:${f.line}:${f.column})`);
      const message = [info.exceptionId, info.description].filter(Boolean).join(': ');
      this.ctx.log.info(`debug: exception from ${session.type} session in ${folder.name}`);
      return parseStackTrace(info.details?.stackTrace ?? `${message}\n${lines.join('\n')}`);
    } catch {
      return undefined; // Not stopped on an exception, or the adapter has no exceptionInfo.
    }
  }

  private folder(): vscode.WorkspaceFolder {
    const editor = vscode.window.activeTextEditor;
    const folder = (editor && vscode.workspace.getWorkspaceFolder(editor.document.uri)) ?? vscode.workspace.workspaceFolders?.[0];
    if (!folder) throw new TiercelError('Open a folder to debug in: Tiercel reads the source of each frame from the workspace.');
    return folder;
  }
}

/** The terminal's selection, read through the clipboard (the API has no other way), which is restored. */
async function terminalSelection(): Promise<string | undefined> {
  if (!vscode.window.activeTerminal || vscode.window.activeTextEditor) return undefined;
  const saved = await vscode.env.clipboard.readText();
  await vscode.commands.executeCommand('workbench.action.terminal.copySelection');
  const selected = await vscode.env.clipboard.readText();
  await vscode.env.clipboard.writeText(saved);
  return selected && selected !== saved ? selected : undefined;
}

function isOrigin(value: unknown): value is NonNullable<DebugOrigin> {
  return typeof value === 'object' && value !== null && 'uri' in value && 'diagnostic' in value;
}
