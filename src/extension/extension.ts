import * as vscode from 'vscode';
import { CompletionEngine, type LocalTierState } from '../core/completion/engine';
import { TIERCEL_VERSION } from '../core/version';
import { ApiKeyStore } from './apiKey';
import type { App } from './app';
import { BudgetStatusBar } from './claude/budgetStatusBar';
import { ClaudeTier } from './claude/claudeTier';
import { ContextService } from './context/contextService';
import { reviewContextSource } from './context/reviewContext';
import { DebugController } from './debug/debugController';
import { registerCommands } from './commands';
import { ACCEPTED_COMMAND, InlineCompletionProvider } from './inlineCompletions';
import { LocalTierNotices } from './localTierNotices';
import { FindingsView } from './review/findingsView';
import { ReviewController } from './review/reviewController';
import { onDidChangeSettings, readSettings } from './settings';
import { StatusBar } from './statusBar';
import { StatusService } from './statusService';
import { VIRTUAL_SCHEME, VirtualDocuments } from './virtualDocuments';

/** Wires the adapters to the core; every disposable goes into context.subscriptions. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Tiercel', { log: true });
  const apiKey = new ApiKeyStore(context.secrets);
  const status = new StatusService(readSettings, apiKey, log);
  const statusBar = new StatusBar('tiercel.showStatus');
  const completions = new CompletionEngine({
    settings: () => {
      const s = readSettings();
      return { url: s.ollama.url, model: s.ollama.completionModel, ...s.completions };
    },
    log: (message) => log.info(message),
  });
  const contextService = new ContextService(context.extensionUri, log);
  const notices = new LocalTierNotices({ log });
  const claude = new ClaudeTier(context.globalStorageUri, apiKey, readSettings, log);
  const findings = new FindingsView();
  const documents = new VirtualDocuments();
  const definitions = reviewContextSource(contextService);
  const review = new ReviewController({ log, settings: readSettings }, claude, findings, definitions);
  const debug = new DebugController({ log, settings: readSettings }, claude, documents, definitions);
  const app: App = { extension: context, log, settings: readSettings, apiKey, status, completions, claude, findings, review, debug, context: contextService, notices, documents };
  const budgetBar = new BudgetStatusBar();
  const renderBudget = () =>
    void claude.summary().then(
      (summary) => budgetBar.render(summary, readSettings()),
      (error: unknown) => log.warn(`usage ledger unreadable: ${String(error)}`),
    );
  const render = () =>
    statusBar.render({ tier: completions.currentState, report: status.current, completionsEnabled: readSettings().completions.enabled });

  let lastKind = completions.currentState.kind;
  const engineState = (state: LocalTierState) => {
    notices.onState(state);
    render();
    // A recovery (or a new failure) makes the probe's report stale; generating ⇄ ready flips do not.
    const settled = (k: string) => k !== 'generating' && k !== 'loading';
    if (settled(state.kind) && settled(lastKind) && state.kind !== lastKind) void status.refresh();
    if (settled(state.kind)) lastKind = state.kind;
  };

  context.subscriptions.push(
    log,
    apiKey,
    status,
    statusBar,
    completions,
    contextService,
    claude,
    findings,
    budgetBar,
    claude.onDidChangeSpend(renderBudget),
    vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, findings, { providedCodeActionKinds: FindingsView.providedCodeActionKinds }),
    vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, debug, { providedCodeActionKinds: DebugController.providedCodeActionKinds }),
    status.onDidChange(render),
    completions.onDidChangeState(engineState),
    apiKey.onDidChange(() => void status.refresh()),
    onDidChangeSettings(() => {
      completions.reset();
      void status.refresh();
      render();
      renderBudget();
    }),
    vscode.languages.registerInlineCompletionItemProvider({ pattern: '**' }, new InlineCompletionProvider(completions, readSettings, contextService)),
    vscode.commands.registerCommand(ACCEPTED_COMMAND, () => completions.noteAccepted()),
    documents,
    vscode.workspace.registerTextDocumentContentProvider(VIRTUAL_SCHEME, documents),
    ...registerCommands(app),
  );

  // Not awaited: activation must not wait on the network.
  void status.refresh();
  renderBudget();
  if (readSettings().completions.enabled) void completions.warmUp();
  // E2E tests wait for this line (pitfall: the activation log line comes before activate() has finished).
  log.info(`Tiercel ${TIERCEL_VERSION} activated`);
}

export function deactivate(): void {}
