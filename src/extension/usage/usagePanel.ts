import * as vscode from 'vscode';
import { formatUsd } from '../../core/claude/budget';
import { localDay } from '../../core/claude/ledger';
import { TiercelError } from '../../core/errors';
import type { ToHost, ToPage } from '../../webview/usage/protocol';
import { toHostSchema } from '../../webview/usage/protocol';
import type { Ctx } from '../ctx';
import type { EditorTiers } from '../tiers';
import { webviewHtml, webviewOptions } from '../webviews/html';
import { showWithActions } from '../nextActions';
import { listen, post } from '../webviews/channel';
import { releaseAbandoned } from './reservations';
import { usageState, usageStateCsv } from './usageState';

const VIEW_TYPE = 'tiercel.usage';
const TITLE = 'Tiercel: Usage & Savings';

/**
 * The Usage & Savings panel: one per window, revealed when it is already open. It reads the machine's
 * ledger (after writing this window's batched local usage) whenever the page asks and whenever the spend
 * changes, in this window or in any other process, and answers the page's actions: CSV export, the
 * release of an abandoned reservation (after a modal confirmation), the caps' settings, the ledger file.
 */
export class UsagePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private subscriptions: vscode.Disposable[] = [];
  /** A refresh is running; `again` asks for one more after it, so a burst of ledger writes costs two reads, not one per write. */
  private refreshing: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly ctx: Ctx,
    private readonly tiers: Pick<EditorTiers, 'ledger' | 'usage' | 'onDidChangeSpend'>,
  ) {}

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const { extensionUri } = this.ctx.extension;
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, TITLE, vscode.ViewColumn.Active, webviewOptions(extensionUri));
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'tiercel.svg');
    panel.webview.html = webviewHtml(panel.webview, extensionUri, 'usage', TITLE);
    this.panel = panel;
    this.subscriptions = [
      listen(panel.webview, toHostSchema, (message) => this.act(message), this.ctx.log),
      // A hidden panel's page is unloaded (no retainContextWhenHidden); shown again, it asks with `ready`.
      this.tiers.onDidChangeSpend(() => panel.visible && this.refresh()),
      this.ctx.config.onDidChange((sections) => {
        if (sections.has('budget') || sections.has('claude')) this.refresh();
      }),
      panel.onDidDispose(() => this.closed()),
    ];
  }

  private closed(): void {
    this.panel = undefined;
    for (const d of this.subscriptions) d.dispose();
    this.subscriptions = [];
  }

  /** Runs what the page asked; a failure (a ledger another process holds, a folder not writable) is shown, with Retry. */
  private async act(message: ToHost): Promise<void> {
    try {
      await this.onMessage(message);
    } catch (error) {
      this.ctx.log.error(`usage view: ${message.type} failed: ${String(error)}`);
      const actions = error instanceof TiercelError ? error.actions : (['showLog'] as const);
      await showWithActions(this.ctx, 'error', `Tiercel: ${(error as Error).message ?? String(error)}`, actions, { retry: () => this.act(message) });
    }
  }

  private async onMessage(message: ToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
      case 'refresh':
        return this.refresh();
      case 'exportCsv':
        return this.exportCsv();
      case 'release':
        return this.release(message.id);
      case 'openSettings':
        await vscode.commands.executeCommand('workbench.action.openSettings', 'tiercel.budget');
        return;
      case 'openLedger':
        await vscode.window.showTextDocument(vscode.Uri.file(this.tiers.ledger.path), { preview: true, viewColumn: vscode.ViewColumn.Beside });
        return;
    }
  }

  /** Re-reads the ledger and sends the page its state; coalesces calls that arrive while one runs. */
  refresh(): Promise<void> {
    if (!this.panel) return Promise.resolve();
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        await this.sendState();
      } while (this.again && this.panel);
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async sendState(): Promise<void> {
    const panel = this.panel;
    if (!panel) return;
    let message: ToPage;
    try {
      // This window's local requests wait in a batch for up to a minute: write them, so the view is current.
      await this.tiers.usage.flush();
      const contents = await this.tiers.ledger.read();
      const { budget, claude } = this.ctx.config.current;
      message = { type: 'state', state: usageState(contents, new Date(), { dailyUsd: budget.dailyUsd, monthlyUsd: budget.monthlyUsd, localOnly: claude.localOnly }) };
    } catch (error) {
      this.ctx.log.warn(`usage view: could not read the ledger ${this.tiers.ledger.path}: ${String(error)}`);
      message = { type: 'failed', message: `Could not read the usage ledger: ${(error as Error).message ?? String(error)}. Tiercel: Show Log has the details.` };
    }
    await post<ToPage>(panel.webview, message);
  }

  private async exportCsv(): Promise<void> {
    const now = new Date();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `tiercel-usage-${localDay(now)}.csv`;
    const target = await vscode.window.showSaveDialog({
      title: 'Export Tiercel usage (last 30 days) as CSV',
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: { CSV: ['csv'] },
      saveLabel: 'Export',
    });
    if (!target) return;
    await this.tiers.usage.flush();
    const csv = usageStateCsv(await this.tiers.ledger.read(), now);
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(csv));
    const open = 'Open';
    if ((await vscode.window.showInformationMessage(`Tiercel: usage exported to ${vscode.workspace.asRelativePath(target)}.`, open)) === open) {
      await vscode.window.showTextDocument(target);
    }
  }

  private async release(id: string): Promise<void> {
    const row = (await this.tiers.ledger.read()).lines.find((l) => l.type === 'reserve' && l.id === id);
    if (!row || row.type !== 'reserve') {
      void vscode.window.showWarningMessage('Tiercel: that reservation is not in the ledger any more.');
      return this.refresh();
    }
    const confirm = 'Release';
    const picked = await vscode.window.showWarningMessage(
      `Release the ${row.feature} reservation of ${formatUsd(row.maxCostUsd)}?`,
      {
        modal: true,
        detail:
          `${row.model}, admitted ${new Date(row.time).toLocaleString()}, never settled: the window or CLI that sent it stopped mid-request. ` +
          'Released, it no longer counts against your caps. If the request did reach Claude, its cost is then missing from ' +
          "Tiercel's totals; the Anthropic Console has the bill.",
      },
      confirm,
    );
    if (picked !== confirm) return;
    const outcome = await releaseAbandoned(this.tiers.ledger, id, new Date());
    if (outcome.kind === 'settled') void vscode.window.showInformationMessage('Tiercel: that request settled meanwhile; nothing to release.');
    if (outcome.kind === 'pending') void vscode.window.showInformationMessage('Tiercel: that request may still be running; it can be released once abandoned.');
    if (outcome.kind === 'released') this.ctx.log.info(`usage: released reservation ${id} (${row.feature}, ${formatUsd(row.maxCostUsd)})`);
    await this.refresh();
  }

  dispose(): void {
    this.panel?.dispose();
    this.closed();
  }
}
