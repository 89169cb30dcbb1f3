/**
 * The local tier on an OpenAI-compatible server (llama.cpp's server, vLLM, LM Studio, a team's GPU box):
 * `POST {baseUrl}/chat/completions`, streamed as server-sent events. It is the local tier, so no budget
 * gate; its usage goes to the ledger (tier "openai") with what Claude would have charged.
 *
 * Privacy: a base URL whose host is not this machine sends the prompt, code included, to that host.
 * The Claude path's privacy filter and redaction are not applied here (the user chose that server as
 * their local model, as they chose Ollama); `leavesMachine` and the label say so instead.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { isAbortError, isConnectionError } from '../completion/ollamaStream';
import { describeError, TiercelError } from '../errors';
import { estimateTokens } from '../tokens';
import type { LocalUsageRecorder } from '../usage/recorder';
import { LOCAL_CONTEXT_TOKENS, promptTokens } from './ollamaChat';
import type { ModelTier, TierAnswer, TierAvailability, TierEstimate, TierRequest } from './types';

export interface OpenAiCompatibleSettings {
  /** The API root including its version, e.g. http://127.0.0.1:8080/v1. */
  baseUrl: string;
  /** The model name as the server lists it under /models. */
  model: string;
}

export interface OpenAiCompatibleTierDeps {
  settings: () => OpenAiCompatibleSettings;
  /** The bearer key, if the server wants one: SecretStorage in the editor, TIERCEL_OPENAI_API_KEY in the CLI. */
  apiKey: () => Promise<string | undefined>;
  fetch?: typeof fetch;
  usage?: Pick<LocalUsageRecorder, 'record'>;
  now?: () => number;
  /** Waits before retrying a 429; injected so tests need not wait. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The setting names, for messages: the user fixes what the message names. */
const URL_SETTING = 'tiercel.openaiCompatible.baseUrl';
const MODEL_SETTING = 'tiercel.openaiCompatible.model';
const KEY_HOW = 'run "Tiercel: Set OpenAI-Compatible API Key" (CLI: TIERCEL_OPENAI_API_KEY)';
/** The availability probe is cached this long: the router asks on every request. */
const PROBE_TTL_MS = 10_000;
const PROBE_TIMEOUT_MS = 2_000;
/** A 429 is retried this often, waiting what `retry-after` says up to the cap. */
const RATE_LIMIT_RETRIES = 2;
const RATE_LIMIT_WAIT_CAP_MS = 10_000;

interface Probe {
  at: number;
  /** Server, model and API key: a change to any of them probes again. */
  key: string;
  baseUrl: string;
  model: string;
  result: Promise<TierAvailability>;
  /** The served model's window when the server reports it (vLLM's `max_model_len`). */
  window?: number;
}

/** The parts of a streamed chunk Tiercel reads (OpenAI's `chat.completion.chunk`). */
interface StreamChunk {
  choices?: Array<{ index?: number; delta?: { content?: string | null }; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string; type?: string; code?: string | null };
}

/** OpenAI's error envelope, which the compatible servers copy. */
interface ErrorBody {
  error?: { message?: string; type?: string; code?: string | null } | string;
  message?: string;
}

export class OpenAiCompatibleTier implements ModelTier {
  readonly kind = 'local' as const;
  readonly provider = 'openai' as const;
  private probe: Probe | undefined;

  constructor(private readonly deps: OpenAiCompatibleTierDeps) {}

  get defaultModel(): string {
    return this.deps.settings().model;
  }

  /** True when the base URL's host is another machine: then the prompt (code included) goes there. */
  get leavesMachine(): boolean {
    return !isLoopbackUrl(this.deps.settings().baseUrl);
  }

  label(model = this.defaultModel): string {
    const { baseUrl } = this.deps.settings();
    return this.leavesMachine ? `Remote · ${model} on ${hostOf(baseUrl)} (code is sent there)` : `Local · ${model}`;
  }

  /**
   * The served window when the server reports it; otherwise the Ollama tier's (Qwen2.5-Coder's), so a
   * prompt too long for the usual local model is still routed to Claude rather than cut by the server.
   */
  contextWindow(model = this.defaultModel): number {
    return this.reportedWindow(model) ?? LOCAL_CONTEXT_TOKENS;
  }

  async availability(): Promise<TierAvailability> {
    const { baseUrl, model } = this.deps.settings();
    const apiKey = await this.deps.apiKey();
    const key = `${baseUrl}\u0000${model}\u0000${apiKey ?? ''}`;
    const now = this.deps.now?.() ?? Date.now();
    if (!this.probe || this.probe.key !== key || now - this.probe.at > PROBE_TTL_MS) {
      const probe: Probe = { at: now, key, baseUrl, model, result: Promise.resolve({ available: true }) };
      probe.result = this.check(baseUrl, model, apiKey, probe);
      this.probe = probe;
    }
    return this.probe.result;
  }

  estimate(request: Pick<TierRequest, 'system' | 'messages'>): TierEstimate {
    return { inputTokens: promptTokens(request), worstCaseUsd: 0 };
  }

  async send(request: TierRequest): Promise<TierAnswer> {
    const { baseUrl } = this.deps.settings();
    const model = request.model ?? this.defaultModel;
    if (!baseUrl) throw new TiercelError(`No OpenAI-compatible server is set: set ${URL_SETTING} (e.g. http://127.0.0.1:8080/v1).`, ['openSettings']);
    if (!model) throw new TiercelError(`No model is set for the OpenAI-compatible server at ${baseUrl}: set ${MODEL_SETTING}.`, ['openSettings']);
    const inputTokens = promptTokens(request);
    const window = this.reportedWindow(model);
    if (window !== undefined && inputTokens + request.maxTokens > window) {
      throw new TiercelError(
        `This request (about ${inputTokens.toLocaleString('en-US')} tokens) is too long for ${model}'s ${window.toLocaleString('en-US')}-token window at ${baseUrl}.`,
        ['trimContext'],
      );
    }
    const body = {
      model,
      messages: [{ role: 'system', content: request.system }, ...request.messages.map((m) => ({ role: m.role, content: m.content }))],
      stream: true,
      // Without it the server sends no usage while streaming, and the ledger would hold estimates.
      stream_options: { include_usage: true },
      max_tokens: request.maxTokens,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.jsonSchema ? { response_format: { type: 'json_schema', json_schema: { name: `tiercel_${request.task}`, schema: request.jsonSchema, strict: true } } } : {}),
    };

    let streamed: Streamed;
    try {
      const response = await this.post(`${trimSlash(baseUrl)}/chat/completions`, body, request);
      streamed = await readStream(response, request);
    } catch (error) {
      throw this.describe(error, baseUrl, model, request.signal);
    }
    const answer: TierAnswer = {
      text: streamed.text,
      tier: 'local',
      provider: 'openai',
      model,
      inputTokens: streamed.usage?.prompt_tokens ?? inputTokens,
      outputTokens: streamed.usage?.completion_tokens ?? estimateTokens(streamed.text),
      costUsd: 0,
      truncated: streamed.finishReason === 'length',
      redactions: 0,
    };
    this.deps.usage?.record({ tier: 'openai', feature: request.task, model, inputTokens: answer.inputTokens, outputTokens: answer.outputTokens });
    return answer;
  }

  /** The window the last probe read for this server and model, if it read one. */
  private reportedWindow(model: string): number | undefined {
    const probe = this.probe;
    return probe && probe.baseUrl === this.deps.settings().baseUrl && probe.model === model ? probe.window : undefined;
  }

  /** POSTs, retrying a 429 after the wait the server asks for; any other failure is thrown as is. */
  private async post(url: string, body: object, request: TierRequest): Promise<Response> {
    const baseFetch = this.deps.fetch ?? fetch;
    const apiKey = await this.deps.apiKey();
    const sleep = this.deps.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, signal ? { signal } : {}));
    for (let attempt = 0; ; attempt++) {
      request.signal?.throwIfAborted();
      // The signal goes into fetch itself: a request still waiting for its first byte (a queue, a long
      // prompt being read) is cancelled on the wire too, not only once the stream has begun.
      const response = await baseFetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream', ...(apiKey ? { Authorization: `Bearer ${apiKey}` } : {}) },
        body: JSON.stringify(body),
        ...(request.signal ? { signal: request.signal } : {}),
      });
      if (response.ok) return response;
      const failure = await HttpFailure.read(response);
      if (response.status !== 429 || attempt >= RATE_LIMIT_RETRIES) throw failure;
      const waitMs = Math.min(RATE_LIMIT_WAIT_CAP_MS, retryAfterMs(response.headers) ?? 1000 * 2 ** attempt);
      request.onStatus?.(`The server is rate-limiting requests; retrying in ${Math.ceil(waitMs / 1000)} s…`);
      await sleep(waitMs, request.signal);
    }
  }

  private async check(baseUrl: string, model: string, apiKey: string | undefined, probe: Probe): Promise<TierAvailability> {
    if (!baseUrl) {
      return { available: false, reason: `No OpenAI-compatible server is set (${URL_SETTING}).`, short: 'no server URL', actions: ['openSettings'] };
    }
    const baseFetch = this.deps.fetch ?? fetch;
    let response: Response;
    try {
      response = await baseFetch(`${trimSlash(baseUrl)}/models`, {
        headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : {},
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
    } catch {
      return { available: false, reason: `The OpenAI-compatible server at ${baseUrl} is not reachable.`, short: 'server offline', actions: ['retry', 'openSettings'] };
    }
    if (response.status === 401 || response.status === 403) {
      const reason = apiKey ? `The server at ${baseUrl} refused the API key (${response.status}).` : `The server at ${baseUrl} needs an API key: ${KEY_HOW}.`;
      return { available: false, reason, short: apiKey ? 'key refused' : 'no server key', actions: ['setOpenAiKey'] };
    }
    if (!response.ok) {
      const failure = await HttpFailure.read(response);
      return {
        available: false,
        reason: `The server at ${baseUrl} did not list its models (${failure.status}: ${failure.detail})${response.status === 404 ? '; does the base URL end in /v1?' : ''}.`,
        short: `server error ${response.status}`,
        actions: ['openSettings', 'retry'],
      };
    }
    const served = await servedModels(response);
    if (!served) return { available: false, reason: `The server at ${baseUrl} answered /models with something that is not an OpenAI model list; is it an OpenAI-compatible API?`, short: 'not an OpenAI API', actions: ['openSettings'] };
    const names = served.map((m) => m.id).join(', ') || 'none';
    if (!model) return { available: false, reason: `Set ${MODEL_SETTING} to one of the models ${baseUrl} serves: ${names}.`, short: 'no model set', actions: ['openSettings'] };
    const found = served.find((m) => m.id === model);
    if (!found) return { available: false, reason: `The server at ${baseUrl} does not serve ${model} (it serves: ${names}).`, short: `${model} not served`, actions: ['openSettings'] };
    if (found.window !== undefined) probe.window = found.window;
    return { available: true };
  }

  private describe(error: unknown, baseUrl: string, model: string, signal: AbortSignal | undefined): TiercelError {
    if (error instanceof TiercelError) return error;
    this.probe = undefined;
    if (signal?.aborted || isAbortError(error)) return new TiercelError('The local request was cancelled.', [], { cause: error });
    if (error instanceof HttpFailure) {
      const { status, detail } = error;
      if (status === 401 || status === 403) return new TiercelError(`The server at ${baseUrl} refused the request (${status}: ${detail}): ${KEY_HOW}.`, ['setOpenAiKey'], { cause: error });
      if (status === 404 && error.aboutModel) return new TiercelError(`The server at ${baseUrl} has no model ${model} (${detail}); pick one it serves in ${MODEL_SETTING}.`, ['openSettings'], { cause: error });
      if (status === 404) return new TiercelError(`No chat API at ${baseUrl}/chat/completions (404); does ${URL_SETTING} end in /v1?`, ['openSettings'], { cause: error });
      if (status === 429) return new TiercelError(`The server at ${baseUrl} is rate-limiting requests (429: ${detail}). Try again in a moment.`, ['retry'], { cause: error });
      if (status >= 500) return new TiercelError(`The server at ${baseUrl} failed (${status}: ${detail}).`, ['retry', 'showLog'], { cause: error });
      return new TiercelError(`The server at ${baseUrl} rejected the request (${status}: ${detail}).`, ['showLog', 'openSettings'], { cause: error });
    }
    if (error instanceof StreamFailure) return new TiercelError(`The server at ${baseUrl} ${error.message}.`, ['retry', 'showLog'], { cause: error });
    if (isConnectionError(error)) return new TiercelError(`The OpenAI-compatible server at ${baseUrl} is not reachable. Start it, or check ${URL_SETTING}.`, ['retry', 'openSettings'], { cause: error });
    return new TiercelError(`The OpenAI-compatible server at ${baseUrl} failed: ${describeError(error)}`, ['retry', 'showLog'], { cause: error });
  }
}

/** Whether a URL's host is this machine (localhost, 127.0.0.0/8, ::1). Unparsable or empty: not loopback. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return url.trim() === '';
  }
  host = host.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '::1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** An HTTP answer other than 2xx, with the server's own words. */
class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    /** The server said the model is unknown (vs. a wrong path). */
    readonly aboutModel: boolean,
  ) {
    super(`HTTP ${status}: ${detail}`);
  }

  static async read(response: Response): Promise<HttpFailure> {
    const text = await response.text().catch(() => '');
    let detail = text.trim().slice(0, 300) || response.statusText || 'no detail';
    let code: string | null | undefined;
    try {
      const body = JSON.parse(text) as ErrorBody;
      const error = body.error;
      if (typeof error === 'string') detail = error;
      else if (error?.message) {
        detail = error.message;
        code = error.code;
      } else if (body.message) detail = body.message;
    } catch {
      // Not JSON (a proxy's HTML page): the text itself is the detail.
    }
    return new HttpFailure(response.status, detail, code === 'model_not_found' || /\bmodel\b/i.test(detail));
  }
}

/** The stream broke after it began: cut, an error event, or no end. The message completes "The server at X …". */
class StreamFailure extends Error {}

interface Streamed {
  text: string;
  finishReason: string | undefined;
  usage: { prompt_tokens?: number; completion_tokens?: number } | undefined;
}

/** Reads the SSE stream until `[DONE]`; the text is passed on delta by delta. */
async function readStream(response: Response, request: TierRequest): Promise<Streamed> {
  const result: Streamed = { text: '', finishReason: undefined, usage: undefined };
  if (!response.body) throw new StreamFailure('sent an empty response');
  if (!/text\/event-stream/i.test(response.headers.get('content-type') ?? '')) {
    // A server that ignored `stream: true` answers with one chat.completion object.
    return readCompletion(await response.text(), request);
  }
  let done = false;
  let failure: Error | undefined;
  const parser = createParser({
    onEvent: (event: EventSourceMessage) => {
      if (done || failure) return;
      if (event.data === '[DONE]') {
        done = true;
        return;
      }
      let chunk: StreamChunk;
      try {
        chunk = JSON.parse(event.data) as StreamChunk;
      } catch {
        failure = new StreamFailure(`sent an event that is not JSON: ${event.data.slice(0, 120)}`);
        return;
      }
      if (chunk.error) {
        failure = new StreamFailure(`failed mid-answer: ${chunk.error.message ?? chunk.error.type ?? 'error event'}`);
        return;
      }
      if (chunk.usage) result.usage = chunk.usage;
      const choice = chunk.choices?.find((c) => (c.index ?? 0) === 0);
      const delta = choice?.delta?.content;
      if (delta) {
        result.text += delta;
        request.onText?.(delta, result.text);
      }
      if (choice?.finish_reason) result.finishReason = choice.finish_reason;
    },
  });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  try {
    while (!done && !failure) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } finally {
    // Releases the connection once [DONE] came early or a failure was seen; a no-op after the end.
    await reader.cancel().catch(() => undefined);
  }
  if (failure) throw failure;
  // Some servers end the stream after the finish chunk without [DONE]; a stream with neither was cut.
  if (!done && result.finishReason === undefined) throw new StreamFailure('closed the connection mid-answer');
  return result;
}

function readCompletion(text: string, request: TierRequest): Streamed {
  let body: { choices?: Array<{ message?: { content?: string | null }; finish_reason?: string | null }>; usage?: Streamed['usage'] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new StreamFailure(`answered with something that is not JSON: ${text.slice(0, 120)}`);
  }
  const content = body.choices?.[0]?.message?.content ?? '';
  if (content) request.onText?.(content, content);
  return { text: content, finishReason: body.choices?.[0]?.finish_reason ?? undefined, usage: body.usage ?? undefined };
}

/** The models a `/models` answer lists, or undefined when it is not an OpenAI model list. */
async function servedModels(response: Response): Promise<Array<{ id: string; window?: number }> | undefined> {
  let body: { data?: Array<{ id?: unknown; max_model_len?: unknown }> };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    return undefined;
  }
  if (!Array.isArray(body?.data)) return undefined;
  return body.data.flatMap((m) =>
    typeof m?.id === 'string' ? [{ id: m.id, ...(typeof m.max_model_len === 'number' && m.max_model_len > 0 ? { window: m.max_model_len } : {}) }] : [],
  );
}

/** `retry-after` (seconds or an HTTP date) or `retry-after-ms`, as milliseconds. */
function retryAfterMs(headers: Headers): number | undefined {
  const ms = Number(headers.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
