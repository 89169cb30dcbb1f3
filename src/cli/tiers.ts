import { BudgetLedger, type BudgetLimits } from '../core/claude';
import { DEFAULT_SETTINGS } from '../core/settings';
import { resolveOllamaUrl } from '../core/ollama';
import { ClaudeTier, OllamaChatTier, OpenAiCompatibleTier, TierSet, type ModelTier } from '../core/tiers';
import { LocalUsageRecorder } from '../core/usage/recorder';
import type { CliIo } from './io';

export interface CliTierOptions {
  ledgerPath: string;
  limits: BudgetLimits;
  /** The Claude model for review and hard debugging (--model). */
  claudeModel?: string;
  /** --ollama-url, else OLLAMA_HOST, else the default. */
  ollamaUrl?: string;
  /** --local-model: the local tier's model on either server; else Ollama's default chat model. */
  localModel?: string;
  /** The local tier is this OpenAI-compatible server (its key from TIERCEL_OPENAI_API_KEY) instead of Ollama. */
  openaiUrl?: string;
}

/**
 * The OpenAI-compatible server a command's flags or the environment name: --openai-url, else
 * TIERCEL_OPENAI_BASE_URL unless --ollama-url asks for Ollama explicitly.
 */
export function openaiUrlOf(flags: { 'openai-url'?: string; 'ollama-url'?: string }, env: NodeJS.ProcessEnv): string | undefined {
  if (flags['openai-url']) return flags['openai-url'];
  return flags['ollama-url'] ? undefined : env.TIERCEL_OPENAI_BASE_URL || undefined;
}

/**
 * The CLI's tiers: the same core tiers as the editor, with the key from ANTHROPIC_API_KEY, the local
 * server from the flags or the environment (OLLAMA_HOST, TIERCEL_OPENAI_BASE_URL), and the machine-wide
 * ledger (the editor's too). Nothing here can ask a question, so a request above the confirmation
 * threshold is not sent.
 */
export function cliTiers(io: CliIo, options: CliTierOptions): { tiers: TierSet; ledger: BudgetLedger; usage: LocalUsageRecorder } {
  const d = DEFAULT_SETTINGS;
  const claudeModel = options.claudeModel ?? d.claude.model;
  const ledger = new BudgetLedger({ path: options.ledgerPath });
  const usage = new LocalUsageRecorder({ ledger, comparedModel: () => claudeModel });
  const claude = new ClaudeTier({
    apiKey: async () => io.env.ANTHROPIC_API_KEY || undefined,
    settings: () => ({ model: claudeModel, baseUrl: io.env.ANTHROPIC_BASE_URL ?? '', localOnly: false, limits: options.limits }),
    ledger,
  });
  const openaiUrl = options.openaiUrl;
  const local: ModelTier = openaiUrl
    ? new OpenAiCompatibleTier({
        settings: () => ({ baseUrl: openaiUrl, model: options.localModel ?? '' }),
        apiKey: async () => io.env.TIERCEL_OPENAI_API_KEY || undefined,
        usage,
      })
    : new OllamaChatTier({
        settings: () => ({ url: resolveOllamaUrl(options.ollamaUrl, io.env), model: options.localModel ?? d.ollama.chatModel, keepAlive: d.completions.keepAlive }),
        usage,
      });
  const tiers = new TierSet(() => local, claude, ledger, () => ({
    claudeShare: d.router.claudeShare,
    claudeLightModel: d.claude.lightModel,
    localOnly: false,
    limits: options.limits,
  }));
  return { tiers, ledger, usage };
}
