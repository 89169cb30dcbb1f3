/**
 * The local tier on Ollama: `/api/chat` with the configured instruct model. Free and private, so no
 * budget and no redaction; its usage goes to the ledger with what Claude would have charged for it.
 */
import type { ChatRequest, ChatResponse } from 'ollama';
import { isAbortError, isConnectionError, isModelNotFound } from '../completion/ollamaStream';
import { describeError, TiercelError } from '../errors';
import { createOllamaClient, sameModel } from '../ollama';
import { keepAliveForRequest } from '../ollama/keepAlive';
import { estimateTokens } from '../tokens';
import type { LocalUsageRecorder } from '../usage/recorder';
import type { ModelTier, TierAnswer, TierAvailability, TierEstimate, TierRequest } from './types';

export interface OllamaChatSettings {
  url: string;
  /** The instruct model for chat, explanations, refactors and local reviews. */
  model: string;
  /** Ollama `keep_alive` after each request. */
  keepAlive: string;
}

export interface OllamaChatTierDeps {
  settings: () => OllamaChatSettings;
  fetch?: typeof fetch;
  usage?: Pick<LocalUsageRecorder, 'record'>;
  now?: () => number;
}

/**
 * Qwen2.5-Coder's trained context (32,768 tokens; the model card's YaRN extension beyond it is off in
 * Ollama by default). A prompt that does not fit with its answer is routed to Claude instead.
 */
export const LOCAL_CONTEXT_TOKENS = 32_768;
const NUM_CTX_STEP = 1024;
/** The availability probe is cached this long: the router asks on every request. */
const PROBE_TTL_MS = 10_000;
const PROBE_TIMEOUT_MS = 2_000;

export class OllamaChatTier implements ModelTier {
  readonly kind = 'local' as const;
  readonly provider = 'ollama' as const;
  readonly leavesMachine = false;
  private probe: { at: number; url: string; model: string; result: Promise<TierAvailability> } | undefined;

  constructor(private readonly deps: OllamaChatTierDeps) {}

  get defaultModel(): string {
    return this.deps.settings().model;
  }

  label(model = this.defaultModel): string {
    return `Local · ${model}`;
  }

  contextWindow(): number {
    return LOCAL_CONTEXT_TOKENS;
  }

  availability(): Promise<TierAvailability> {
    const { url, model } = this.deps.settings();
    const now = this.deps.now?.() ?? Date.now();
    if (!this.probe || this.probe.url !== url || this.probe.model !== model || now - this.probe.at > PROBE_TTL_MS) {
      this.probe = { at: now, url, model, result: this.check(url, model) };
    }
    return this.probe.result;
  }

  estimate(request: Pick<TierRequest, 'system' | 'messages'>): TierEstimate {
    return { inputTokens: promptTokens(request), worstCaseUsd: 0 };
  }

  async send(request: TierRequest): Promise<TierAnswer> {
    const { url, keepAlive } = this.deps.settings();
    const model = request.model ?? this.defaultModel;
    const inputTokens = promptTokens(request);
    if (inputTokens + request.maxTokens > LOCAL_CONTEXT_TOKENS) {
      throw new TiercelError(
        `This request (about ${inputTokens.toLocaleString('en-US')} tokens) is too long for the local model's ${LOCAL_CONTEXT_TOKENS.toLocaleString('en-US')}-token window.`,
        ['trimContext'],
      );
    }
    // Ollama's default window (2-4k) would silently cut the front of the prompt: size it to fit.
    const numCtx = Math.min(LOCAL_CONTEXT_TOKENS, Math.ceil((inputTokens + request.maxTokens) / NUM_CTX_STEP) * NUM_CTX_STEP);
    const signal = request.signal;
    const baseFetch = this.deps.fetch ?? fetch;
    // The client aborts a stream only once it has started; a cold load must be cancellable too.
    const fetchWithSignal: typeof fetch = signal
      ? (input, init) => baseFetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal })
      : baseFetch;
    const client = createOllamaClient({ url, fetch: fetchWithSignal });
    const body: ChatRequest & { stream: true } = {
      model,
      messages: [{ role: 'system', content: request.system }, ...request.messages.map((m) => ({ role: m.role, content: m.content }))],
      stream: true,
      keep_alive: keepAliveForRequest(keepAlive),
      ...(request.jsonSchema ? { format: request.jsonSchema } : {}),
      options: { num_ctx: numCtx, num_predict: request.maxTokens, ...(request.temperature !== undefined ? { temperature: request.temperature } : {}) },
    };

    let text = '';
    let last: ChatResponse | undefined;
    try {
      signal?.throwIfAborted();
      const stream = await client.chat(body);
      const abort = () => stream.abort();
      signal?.addEventListener('abort', abort, { once: true });
      try {
        for await (const part of stream) {
          const delta = part.message?.content ?? '';
          if (delta) {
            text += delta;
            request.onText?.(delta, text);
          }
          last = part;
        }
      } finally {
        signal?.removeEventListener('abort', abort);
      }
    } catch (error) {
      throw this.describe(error, url, model, signal);
    }
    const answer: TierAnswer = {
      text,
      tier: 'local',
      provider: 'ollama',
      model,
      inputTokens: last?.prompt_eval_count ?? inputTokens,
      outputTokens: last?.eval_count ?? estimateTokens(text),
      costUsd: 0,
      truncated: last?.done_reason === 'length',
      redactions: 0,
    };
    this.deps.usage?.record({ tier: 'local', feature: request.task, model, inputTokens: answer.inputTokens, outputTokens: answer.outputTokens });
    return answer;
  }

  private async check(url: string, model: string): Promise<TierAvailability> {
    const client = createOllamaClient({ url, timeoutMs: PROBE_TIMEOUT_MS, ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}) });
    try {
      const tags = await client.list();
      if (tags.models.some((m) => sameModel(m.name, model))) return { available: true };
      return { available: false, reason: `The local model ${model} is not installed (ollama pull ${model}).`, short: `${model} not installed`, actions: ['openSettings'] };
    } catch {
      return { available: false, reason: `Ollama is not reachable at ${url}.`, short: 'Ollama offline', actions: ['startOllama', 'retry'] };
    }
  }

  private describe(error: unknown, url: string, model: string, signal: AbortSignal | undefined): TiercelError {
    if (error instanceof TiercelError) return error;
    this.probe = undefined;
    if (signal?.aborted || isAbortError(error)) return new TiercelError('The local request was cancelled.', [], { cause: error });
    if (isModelNotFound(error)) {
      return new TiercelError(`The local model ${model} is not installed: run "ollama pull ${model}", or pick another in tiercel.ollama.chatModel.`, ['openSettings'], { cause: error });
    }
    if (isConnectionError(error)) return new TiercelError(`Ollama is not reachable at ${url}. Start Ollama, or check tiercel.ollama.url.`, ['startOllama', 'retry'], { cause: error });
    return new TiercelError(`The local model failed: ${describeError(error)}`, ['retry', 'showLog'], { cause: error });
  }
}

/** A chat request's prompt tokens (estimated): the local tiers size windows and record usage with it. */
export function promptTokens(request: Pick<TierRequest, 'system' | 'messages'>): number {
  return estimateTokens(request.system) + request.messages.reduce((sum, m) => sum + estimateTokens(m.content) + 4, 0);
}
