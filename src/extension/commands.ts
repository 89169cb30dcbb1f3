import * as vscode from 'vscode';
import { formatStats } from '../core/completion/metrics';
import type { Finding } from '../core/review/findings';
import { summarizeStatus, formatStatusReport } from '../core/status';
import type { App } from './app';
import { showContextForCursor } from './context/showContext';
import { showWithActions } from './nextActions';
import { pullModel } from './pullModel';
import { selectLocalModel } from './selectLocalModel';
import { UsagePanel } from './usage/usagePanel';

type Handler = (...args: unknown[]) => unknown;

/**
 * Every command Tiercel contributes, id → handler factory. package.json's `contributes.commands` must
 * list exactly these ids (a test checks), so no palette entry is left without a handler.
 */
export const COMMANDS: Record<string, (app: App) => Handler> = {
  'tiercel.showStatus': (app) => async () => {
    // Also the Retry of the "Ollama unreachable" notice: the engine looks again and resumes if it answers.
    const [report] = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Tiercel: checking Ollama' },
      () => app.notices.quietly(() => Promise.all([app.status.refresh(), app.completions.reconnect()])),
    );
    for (const line of formatStatusReport(report)) app.log.info(line);
    const severity = report.localReady ? 'info' : 'warning';
    await showWithActions(app, severity, `Tiercel: ${summarizeStatus(report)}`, report.actions);
  },

  'tiercel.setAnthropicApiKey': (app) => async () => {
    if (await app.apiKey.promptAndStore()) {
      void vscode.window.showInformationMessage('Tiercel: Anthropic API key saved in secret storage.');
      void app.status.refresh();
    }
  },

  'tiercel.clearAnthropicApiKey': (app) => async () => {
    await app.apiKey.clear();
    void vscode.window.showInformationMessage('Tiercel: Anthropic API key removed.');
    void app.status.refresh();
  },

  'tiercel.setOpenAiCompatibleKey': (app) => async () => {
    if (await app.openAiKey.promptAndStore()) void vscode.window.showInformationMessage('Tiercel: the OpenAI-compatible server\'s key is saved in secret storage.');
  },

  'tiercel.clearOpenAiCompatibleKey': (app) => async () => {
    await app.openAiKey.clear();
    void vscode.window.showInformationMessage('Tiercel: the OpenAI-compatible server\'s key is removed.');
  },

  'tiercel.showLog': (app) => () => app.log.show(),

  'tiercel.toggleInlineCompletions': (app) => async () => {
    const enabled = !app.config.current.completions.enabled;
    await vscode.workspace.getConfiguration('tiercel').update('completions.enabled', enabled, vscode.ConfigurationTarget.Global);
    void vscode.window.setStatusBarMessage(`Tiercel: inline completions ${enabled ? 'on' : 'off'}`, 3000);
  },

  'tiercel.showCompletionStats': (app) => async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: formatStats(app.completions.metrics.snapshot()) });
    await vscode.window.showTextDocument(document, { preview: true });
  },

  'tiercel.pullCompletionModel': (app) => () => pullModel(app, app.config.current.ollama.completionModel),

  'tiercel.selectLocalModel': (app) => (role?: unknown) => selectLocalModel(app, role),

  'tiercel.showContextForCursor': (app) => () => showContextForCursor(app),

  'tiercel.debugWithClaude': (app) => (origin?: unknown) => app.debug.debug(origin),

  'tiercel.refactorSelection': (app) => (args?: unknown) => app.refactor.refactor(args),

  'tiercel.refactorWithInstructions': (app) => (args?: unknown) => app.refactor.refactorWithInstructions(args),

  'tiercel.reviewWithClaude': (app) => (hint?: unknown) => app.review.review('claude', hint),

  'tiercel.reviewLocally': (app) => (hint?: unknown) => app.review.review('local', hint),

  // From a comment thread's title bar (the thread) or a quick fix (the finding).
  'tiercel.review.applySuggestion': (app) => (target?: unknown) => app.findings.apply(target as vscode.CommentThread | Finding | undefined),

  'tiercel.review.showHiddenFindings': (app) => () => {
    const added = app.findings.showHidden();
    void vscode.window.setStatusBarMessage(`Tiercel: ${added} more finding(s) shown`, 3000);
  },

  'tiercel.review.clearFindings': (app) => () => app.findings.clear(),

  'tiercel.chat.new': (app) => () => app.chat.newChat(),

  'tiercel.chat.history': (app) => () => app.chat.showHistory(),

  'tiercel.chat.export': (app) => () => app.chat.exportChat(),

  'tiercel.chat.delete': (app) => () => app.chat.deleteChat(),

  'tiercel.chat.ask': (app) => () => app.chat.ask(),

  // One panel per window: the factory runs once, at registration, so the handler reveals the same one.
  'tiercel.showUsageAndSavings': (app) => {
    const panel = new UsagePanel(app, app.tiers);
    app.cleanup(panel);
    return () => panel.show();
  },
};

export function registerCommands(app: App): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, factory]) => vscode.commands.registerCommand(id, factory(app)));
}
