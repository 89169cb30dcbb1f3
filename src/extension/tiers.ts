import path from 'node:path';
import * as vscode from 'vscode';
import { formatUsd } from '../core/claude/budget';
import { BudgetLedger, defaultLedgerPath, type LedgerSummary } from '../core/claude/ledger';
import { PrivacyFilter } from '../core/privacy/ignore';
import { ClaudeTier, OllamaChatTier, OpenAiCompatibleTier, TierSet, type ModelTier, type OutgoingPreview } from '../core/tiers';
import { LocalUsageRecorder } from '../core/usage/recorder';
import type { ApiKeyStore } from './apiKey';
import type { Ctx } from './ctx';

/**
 * The editor's tiers: the core's Claude and local tiers with what only the editor has (the key in secret
 * storage, `files.exclude`, modal confirmations), over the machine-wide usage ledger that the CLI and
 * every window share. Features get the TierSet and ask its router; none of them holds a client.
 */
export class EditorTiers implements vscode.Disposable {
  readonly ledger: BudgetLedger;
  readonly usage: LocalUsageRecorder;
  readonly claude: ClaudeTier;
  readonly set: TierSet;
  private readonly ollama: OllamaChatTier;
  private readonly openai: OpenAiCompatibleTier;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after every request of this window and when another process wrote the ledger. */
  readonly onDidChangeSpend = this.changed.event;
  private readonly watcher: vscode.FileSystemWatcher;

  constructor(
    private readonly ctx: Ctx,
    apiKey: ApiKeyStore,
    openAiKey: Pick<ApiKeyStore, 'get'>,
  ) {
    const settings = () => ctx.config.current;
    this.ledger = new BudgetLedger({ path: defaultLedgerPath() });
    this.usage = new LocalUsageRecorder({ ledger: this.ledger, comparedModel: () => settings().claude.model, log: (m) => ctx.log.warn(m) });
    this.claude = new ClaudeTier({
      apiKey: () => Promise.resolve(apiKey.get()),
      settings: () => {
        const s = settings();
        return { model: s.claude.model, baseUrl: s.claude.baseUrl, localOnly: s.claude.localOnly, limits: s.budget };
      },
      ledger: this.ledger,
      privacyFilter: (root) => PrivacyFilter.load(root, { filesExclude: vscode.workspace.getConfiguration('files', vscode.Uri.file(root)).get('exclude') ?? {} }),
      confirmCost: async (decision) => {
        const send = `Send (up to ${formatUsd(decision.worstCaseUsd)})`;
        const picked = await vscode.window.showWarningMessage(
          `Tiercel: ${decision.reason}`,
          { modal: true, detail: `Spent today ${formatUsd(decision.spent.todayUsd)} of ${formatUsd(settings().budget.dailyUsd)}.` },
          send,
        );
        return picked === send;
      },
      confirmOutgoing: (preview) => (settings().privacy.previewBeforeSending ? confirmOutgoing(preview) : Promise.resolve(true)),
      // The status bar shows a request's cost as soon as it settles, not when the user dismisses its result.
      onSpend: () => this.changed.fire(),
      log: (m) => ctx.log.debug(m),
    });
    this.ollama = new OllamaChatTier({
      settings: () => ({ url: settings().ollama.url, model: settings().ollama.chatModel, keepAlive: settings().completions.keepAlive }),
      usage: this.usage,
    });
    this.openai = new OpenAiCompatibleTier({
      settings: () => settings().openaiCompatible,
      apiKey: () => Promise.resolve(openAiKey.get()),
      usage: this.usage,
    });
    this.set = new TierSet(
      () => this.localTier(),
      this.claude,
      this.ledger,
      () => {
        const s = settings();
        return { claudeShare: s.router.claudeShare, claudeLightModel: s.claude.lightModel, localOnly: s.claude.localOnly, limits: s.budget };
      },
    );
    // Another window's (or the CLI's) request moves this window's status bar too.
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(this.ledger.path)), path.basename(this.ledger.path)));
    this.watcher.onDidChange(() => this.changed.fire());
    this.watcher.onDidCreate(() => this.changed.fire());
  }

  /** Moves a ledger an older Tiercel kept in this extension's global storage into the machine's one. */
  async importOldLedger(): Promise<void> {
    const old = vscode.Uri.joinPath(this.ctx.extension.globalStorageUri, 'ledger.jsonl').fsPath;
    const added = await this.ledger.importFrom(old);
    if (added) this.ctx.log.info(`usage: moved ${added} line(s) from ${old} into ${this.ledger.path}`);
  }

  /** The local tier the settings name (tiercel.local.provider); read on every use, so a change applies at once. */
  localTier(): ModelTier {
    return this.ctx.config.current.local.provider === 'openaiCompatible' ? this.openai : this.ollama;
  }

  summary(): Promise<LedgerSummary> {
    return this.ledger.summary();
  }

  dispose(): void {
    void this.usage.flush();
    this.watcher.dispose();
    this.changed.dispose();
  }
}

async function confirmOutgoing(preview: OutgoingPreview): Promise<boolean> {
  const files = preview.sources.length;
  const detail = [
    `${files} file${files === 1 ? '' : 's'}, about ${preview.tokens.toLocaleString('en-US')} tokens, ${preview.redactions} redaction${preview.redactions === 1 ? '' : 's'}.`,
    files ? `Files: ${preview.sources.slice(0, 12).join(', ')}${files > 12 ? ', …' : ''}` : '',
    `Model: ${preview.model}.`,
  ]
    .filter(Boolean)
    .join('\n');
  const send = 'Send to Claude';
  return (await vscode.window.showWarningMessage(`Tiercel: send this ${preview.task} request to Claude?`, { modal: true, detail }, send)) === send;
}
