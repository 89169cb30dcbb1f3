import * as vscode from 'vscode';
import { CompletionEngine, type LocalTierState } from '../core/completion/engine';
import { TIERCEL_VERSION } from '../core/version';
import { startActivationClock } from './activationClock';
import { ApiKeyStore, OPENAI_COMPATIBLE_KEY } from './apiKey';
import type { App } from './app';
import { ChatContext } from './chat/chatContext';
import { ChatController } from './chat/chatController';
import { CHAT_VIEW_ID, ChatView } from './chat/chatView';
import { ChatCodeActions } from './chat/codeActions';
import { BudgetStatusBar } from './claude/budgetStatusBar';
import { registerCommands } from './commands';
import { ContextService } from './context/contextService';
import { reviewContextSource } from './context/reviewContext';
import type { Ctx } from './ctx';
import { DebugController } from './debug/debugController';
import { ACCEPTED_COMMAND, registerInlineCompletions } from './inlineCompletions';
import { LocalTierNotices } from './localTierNotices';
import { RefactorActions } from './refactor/refactorActions';
import { RefactorController } from './refactor/refactorController';
import { SyntaxTrees } from './refactor/syntaxTrees';
import { FindingsView } from './review/findingsView';
import { ReviewController } from './review/reviewController';
import { Config } from './settings';
import { StatusBar } from './statusBar';
import { StatusService } from './statusService';
import { EditorTiers } from './tiers';
import { VIRTUAL_SCHEME, VirtualDocuments } from './virtualDocuments';
import { FocusWarmUp } from './warmUp';

/** Wires the adapters to the core; every disposable goes into context.subscriptions. */
export function activate(context: vscode.ExtensionContext): void {
  // Budget: activate() ≤ 50 ms and nothing in it grows with the workspace (bench:editor reports it).
  const activation = startActivationClock();
  const log = vscode.window.createOutputChannel('Tiercel', { log: true });
  const config = new Config();
  const ctx: Ctx = { extension: context, log, config, cleanup: (...d) => void context.subscriptions.push(...d) };
  ctx.cleanup(log, config);

  const apiKey = new ApiKeyStore(context.secrets);
  const openAiKey = new ApiKeyStore(context.secrets, OPENAI_COMPATIBLE_KEY);
  const tiers = new EditorTiers(ctx, apiKey, openAiKey);
  const status = new StatusService(config.read, apiKey, log, () => tiers.localTier().availability());
  const statusBar = new StatusBar('tiercel.showStatus');
  const completions = new CompletionEngine({
    settings: () => {
      const s = config.current;
      return { url: s.ollama.url, model: s.ollama.completionModel, ...s.completions };
    },
    log: (message) => log.info(message),
    trace: (message) => log.debug(message),
    onUsage: (usage) => tiers.usage.record({ tier: 'local', feature: 'completion', ...usage }),
  });
  const warmUp = new FocusWarmUp(ctx, completions);
  const contextService = new ContextService(context.extensionUri, log);
  const notices = new LocalTierNotices({ log });
  const findings = new FindingsView();
  const documents = new VirtualDocuments();
  const definitions = reviewContextSource(contextService);
  const review = new ReviewController(ctx, tiers, findings, definitions);
  const debug = new DebugController(ctx, tiers, documents, definitions);
  const trees = new SyntaxTrees(context.extensionUri);
  const refactor = new RefactorController(ctx, tiers, documents, contextService, trees);
  const chatContext = new ChatContext(definitions, log);
  const chat = new ChatController(ctx, tiers, chatContext, new ChatCodeActions(documents, () => chatContext.lastEditor));
  const app: App = { ...ctx, apiKey, openAiKey, status, completions, tiers, findings, review, debug, refactor, context: contextService, notices, documents, warmUp, chat };
  const budgetBar = new BudgetStatusBar();
  const renderBudget = () =>
    void tiers.summary().then(
      (summary) => budgetBar.render(summary, config.current),
      (error: unknown) => log.warn(`usage ledger unreadable: ${String(error)}`),
    );
  const render = () => statusBar.render({ tier: completions.currentState, report: status.current, completionsEnabled: config.current.completions.enabled });

  let lastKind = completions.currentState.kind;
  const engineState = (state: LocalTierState) => {
    notices.onState(state);
    render();
    // A recovery (or a new failure) makes the probe's report stale; generating ⇄ ready flips do not.
    const settled = (k: string) => k !== 'generating' && k !== 'loading';
    if (settled(state.kind) && settled(lastKind) && state.kind !== lastKind) void status.refresh();
    if (settled(state.kind)) lastKind = state.kind;
  };

  ctx.cleanup(
    apiKey,
    openAiKey,
    status,
    statusBar,
    completions,
    warmUp,
    contextService,
    tiers,
    findings,
    budgetBar,
    tiers.onDidChangeSpend(renderBudget),
    vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, findings, { providedCodeActionKinds: FindingsView.providedCodeActionKinds }),
    vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, debug, { providedCodeActionKinds: DebugController.providedCodeActionKinds }),
    trees,
    vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, new RefactorActions(trees), { providedCodeActionKinds: RefactorActions.providedCodeActionKinds }),
    status.onDidChange(render),
    completions.onDidChangeState(engineState),
    apiKey.onDidChange(() => void status.refresh()),
    config.onDidChange((sections) => {
      // Only what the completion engine reads resets it: a budget cap must not drop its cache and state.
      if (sections.has('ollama') || sections.has('completions')) completions.reset();
      if (sections.has('ollama') || sections.has('claude')) void status.refresh();
      if (sections.has('budget') || sections.has('claude')) renderBudget();
      render();
    }),
    registerInlineCompletions(completions, config.read, contextService),
    vscode.commands.registerCommand(ACCEPTED_COMMAND, () => completions.noteAccepted()),
    documents,
    vscode.workspace.registerTextDocumentContentProvider(VIRTUAL_SCHEME, documents),
    chatContext,
    chat,
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, new ChatView(ctx, chat)),
    ...registerCommands(app),
  );

  // After activate() has returned: activation must not wait on the network or the disk, nor pay for the
  // first fetch, which loads Node's HTTP client (~25 ms of compiling: a CPU profile of activate() in
  // plain Node, two thirds of its time).
  const startup = setImmediate(() => {
    void status.refresh();
    void tiers.importOldLedger().then(renderBudget, (error: unknown) => log.warn(`usage: could not move the old ledger: ${String(error)}`));
    // Loads the completion model unless completions are off; later, again on focus after keep_alive idle.
    warmUp.now();
  });
  ctx.cleanup({ dispose: () => clearImmediate(startup) });
  // E2E tests wait for this line (pitfall: the activation log line comes before activate() has finished).
  log.info(`Tiercel ${TIERCEL_VERSION} activated in ${activation()}`);
}

export function deactivate(): void {}
