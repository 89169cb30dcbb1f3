import * as vscode from 'vscode';
import {
  BudgetLedger,
  createClaudeClient,
  formatUsd,
  sendClaudeRequestForText,
  type ClaudeRequest,
  type LedgerSummary,
} from '../../core/claude';
import { TiercelError } from '../../core/errors';
import type { TiercelSettings } from '../../core/settings';
import type { ApiKeyStore } from '../apiKey';

/**
 * The editor's way into Claude: the key from secret storage, the caps from settings, the ledger in
 * global storage (shared by every window on this machine), and a modal confirmation above the
 * per-request threshold. Every request goes through the core's `sendClaudeRequest`, so the budget gate
 * cannot be skipped from here.
 */
export class ClaudeTier implements vscode.Disposable {
  readonly ledger: BudgetLedger;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after every request and when another window wrote the ledger. */
  readonly onDidChangeSpend = this.changed.event;
  private readonly watcher: vscode.FileSystemWatcher;

  constructor(
    storage: vscode.Uri,
    private readonly apiKey: ApiKeyStore,
    private readonly settings: () => TiercelSettings,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.ledger = new BudgetLedger({ path: vscode.Uri.joinPath(storage, 'ledger.jsonl').fsPath });
    // Another window's request moves this window's status bar too.
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(storage, 'ledger.jsonl'));
    this.watcher.onDidChange(() => this.changed.fire());
    this.watcher.onDidCreate(() => this.changed.fire());
  }

  /** Throws a TiercelError with the next step when the Claude tier cannot be used at all. */
  async ensureAvailable(): Promise<string> {
    if (this.settings().claude.localOnly) {
      throw new TiercelError('The Claude tier is off (local-only mode: tiercel.claude.localOnly).', ['openSettings']);
    }
    const key = await this.apiKey.get();
    if (!key) throw new TiercelError('Set your Anthropic API key to use Claude.', ['setApiKey']);
    return key;
  }

  /** Sends through the budget gate and returns the answer's text and cost. */
  async send(request: ClaudeRequest, onStatus?: (status: string) => void): Promise<{ text: string; costUsd: number; requestId?: string }> {
    const key = await this.ensureAvailable();
    const s = this.settings();
    const client = createClaudeClient({ apiKey: key, ...(s.claude.baseUrl ? { baseUrl: s.claude.baseUrl } : {}) });
    try {
      return await sendClaudeRequestForText(
        {
          client,
          ledger: this.ledger,
          limits: { dailyUsd: s.budget.dailyUsd, monthlyUsd: s.budget.monthlyUsd, confirmAboveUsd: s.budget.confirmAboveUsd },
          confirm: async (decision) => {
            const send = `Send (up to ${formatUsd(decision.worstCaseUsd)})`;
            const picked = await vscode.window.showWarningMessage(
              `Tiercel: ${decision.reason}`,
              { modal: true, detail: `Spent today ${formatUsd(decision.spent.todayUsd)} of ${formatUsd(s.budget.dailyUsd)}.` },
              send,
            );
            return picked === send;
          },
          ...(onStatus ? { onStatus } : {}),
          log: (message) => this.log.debug(message),
        },
        request,
      );
    } finally {
      this.changed.fire();
    }
  }

  summary(): Promise<LedgerSummary> {
    return this.ledger.summary();
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
  }
}
