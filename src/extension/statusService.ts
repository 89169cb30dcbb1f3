import * as vscode from 'vscode';
import { createOllamaClient } from '../core/ollama';
import { checkStatus, formatStatusReport, type StatusReport } from '../core/status';
import type { TiercelSettings } from '../core/settings';
import type { TierAvailability } from '../core/tiers/types';
import type { ApiKeyStore } from './apiKey';

/** A status probe must answer quickly even when Ollama hangs; generation requests have no such bound. */
const PROBE_TIMEOUT_MS = 3000;
/**
 * While Ollama is down, look again this often so the status bar turns ready on its own once the user
 * starts it. Nothing polls while it is up: requests themselves notice a failure.
 */
const OFFLINE_RECHECK_MS = 15_000;

/** Keeps the latest StatusReport and tells the status bar (and anyone else) when it changes. */
export class StatusService {
  private readonly changed = new vscode.EventEmitter<StatusReport>();
  readonly onDidChange = this.changed.event;
  private latest: StatusReport | undefined;
  private running: Promise<StatusReport> | undefined;
  private recheck: NodeJS.Timeout | undefined;
  private lastLogged = '';

  constructor(
    private readonly settings: () => TiercelSettings,
    private readonly apiKey: ApiKeyStore,
    private readonly log: vscode.LogOutputChannel,
    /** The local chat tier's availability: reported when it is the OpenAI-compatible server. */
    private readonly localChatAvailability?: () => Promise<TierAvailability>,
  ) {}

  get current(): StatusReport | undefined {
    return this.latest;
  }

  /** Checks again; concurrent callers share one probe. */
  refresh(): Promise<StatusReport> {
    this.running ??= this.probe().finally(() => (this.running = undefined));
    return this.running;
  }

  private async probe(): Promise<StatusReport> {
    const settings = this.settings();
    const report = await checkStatus({
      ollama: createOllamaClient({ url: settings.ollama.url, timeoutMs: PROBE_TIMEOUT_MS }),
      settings,
      claudeKeySet: await this.apiKey.isSet(),
      ...(this.localChatAvailability ? { openaiCompatible: this.localChatAvailability } : {}),
    });
    // Rechecks repeat while Ollama is down: log a state once, not every 15 s.
    const line = `status: ${formatStatusReport(report).join('; ')}`;
    if (line !== this.lastLogged) this.log.info(line);
    else this.log.debug(line);
    this.lastLogged = line;
    this.latest = report;
    this.changed.fire(report);
    clearTimeout(this.recheck);
    if (!report.ollama.reachable) this.recheck = setTimeout(() => void this.refresh(), OFFLINE_RECHECK_MS);
    return report;
  }

  dispose(): void {
    clearTimeout(this.recheck);
    this.changed.dispose();
  }
}
