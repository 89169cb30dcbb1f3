import type { Ollama } from 'ollama';
import { describeError, type NextAction } from '../errors';
import { sameModel } from '../ollama/client';
import type { TiercelSettings } from '../settings';
import type { TierAvailability } from '../tiers/types';

export type OllamaStatus =
  | { reachable: true; url: string; version: string }
  | { reachable: false; url: string; error: string };

export interface ModelStatus {
  /** What Tiercel uses the model for. */
  role: 'completion' | 'chat';
  name: string;
  installed: boolean;
  /** Loaded in memory now (so the next request pays no cold start). */
  loaded: boolean;
}

export interface StatusReport {
  ollama: OllamaStatus;
  /** Empty when Ollama is unreachable: nothing is known about its models then. */
  models: ModelStatus[];
  claude: { keySet: boolean; model: string };
  /**
   * The OpenAI-compatible server, when it is the local chat provider (tiercel.local.provider): chat,
   * refactors and local reviews go there, completions stay on Ollama.
   */
  openaiCompatible?: { baseUrl: string; model: string; available: true } | { baseUrl: string; model: string; available: false; reason: string };
  /** The local tier can serve completions: Ollama answers and the completion model is installed. */
  localReady: boolean;
  /** What would fix the problems found, most useful first. */
  actions: NextAction[];
}

export interface StatusDeps {
  /** A client with a short timeout: a status probe must answer fast even when Ollama hangs. */
  ollama: Pick<Ollama, 'version' | 'list' | 'ps'>;
  settings: TiercelSettings;
  claudeKeySet: boolean;
  /** The OpenAI-compatible tier's own probe; asked only when it is the configured local provider. */
  openaiCompatible?: () => Promise<TierAvailability>;
}

/** Asks Ollama what it has and reports it beside the Claude key state. Never throws. */
export async function checkStatus(deps: StatusDeps): Promise<StatusReport> {
  const { settings } = deps;
  const url = settings.ollama.url;
  const claude = { keySet: deps.claudeKeySet, model: settings.claude.model };
  const wanted: Array<Pick<ModelStatus, 'role' | 'name'>> = [
    { role: 'completion', name: settings.ollama.completionModel },
    { role: 'chat', name: settings.ollama.chatModel },
  ];

  let ollama: OllamaStatus;
  let models: ModelStatus[] = [];
  try {
    const [version, tags, running] = await Promise.all([deps.ollama.version(), deps.ollama.list(), deps.ollama.ps()]);
    ollama = { reachable: true, url, version: version.version };
    models = wanted.map((m) => ({
      ...m,
      installed: tags.models.some((t) => sameModel(t.name, m.name)),
      loaded: running.models.some((r) => sameModel(r.name, m.name)),
    }));
  } catch (error) {
    ollama = { reachable: false, url, error: describeError(error) };
  }

  const completionInstalled = models.find((m) => m.role === 'completion')?.installed ?? false;
  const localReady = ollama.reachable && completionInstalled;
  const actions: NextAction[] = [];
  if (!ollama.reachable) actions.push('retry', 'startOllama', 'openSettings');
  else if (models.some((m) => !m.installed)) actions.push('openSettings');
  let openaiCompatible: StatusReport['openaiCompatible'];
  if (settings.local.provider === 'openaiCompatible' && deps.openaiCompatible) {
    const { baseUrl, model } = settings.openaiCompatible;
    const state = await deps.openaiCompatible().catch((error: unknown): TierAvailability => ({ available: false, reason: describeError(error), short: 'error', actions: [] }));
    openaiCompatible = state.available ? { baseUrl, model, available: true } : { baseUrl, model, available: false, reason: state.reason };
    if (!state.available && !actions.includes('openSettings')) actions.push('openSettings');
  }
  if (!claude.keySet) actions.push('setApiKey');
  return { ollama, models, claude, ...(openaiCompatible ? { openaiCompatible } : {}), localReady, actions };
}

/** The report as plain lines, for the CLI, the log and tooltips. */
export function formatStatusReport(report: StatusReport): string[] {
  const lines: string[] = [];
  const { ollama } = report;
  if (ollama.reachable) lines.push(`Ollama ${ollama.version} at ${ollama.url}: reachable`);
  else lines.push(`Ollama at ${ollama.url}: unreachable (${ollama.error})`);
  for (const m of report.models) {
    const state = !m.installed ? `not installed (ollama pull ${m.name})` : m.loaded ? 'installed, loaded' : 'installed';
    lines.push(`${m.role === 'completion' ? 'Completion' : 'Chat'} model ${m.name}: ${state}`);
  }
  const server = report.openaiCompatible;
  if (server) lines.push(`Chat server ${server.baseUrl} (${server.model || 'no model set'}): ${server.available ? 'reachable' : `unavailable (${server.reason})`}`);
  lines.push(`Claude (${report.claude.model}): ${report.claude.keySet ? 'API key set' : 'no API key'}`);
  return lines;
}

/** One sentence for a notification or status bar tooltip headline. */
export function summarizeStatus(report: StatusReport): string {
  if (!report.ollama.reachable) return `Ollama is not reachable at ${report.ollama.url}. Start Ollama or check tiercel.ollama.url.`;
  const missing = report.models.filter((m) => !m.installed).map((m) => m.name);
  const local = missing.length
    ? `Ollama ${report.ollama.version} is running, but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed.`
    : `Ollama ${report.ollama.version} is running with ${report.models.map((m) => m.name).join(' and ')}.`;
  const claude = report.claude.keySet ? 'Claude API key is set.' : 'No Claude API key is set.';
  return `${local} ${claude}`;
}
