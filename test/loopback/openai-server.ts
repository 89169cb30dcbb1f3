/**
 * A loopback OpenAI-compatible server (the API llama.cpp's server, vLLM, LM Studio and OpenAI itself
 * share) for tests. The product's OpenAI-compatible tier and the official `openai` client are pointed at
 * `baseUrl` and must both parse it, so it answers the way those servers do on the wire:
 * - `GET /v1/models`: `{"object":"list","data":[{"id","object":"model","created","owned_by"}]}` (vLLM also
 *   reports `max_model_len`, included when a model sets it).
 * - `POST /v1/chat/completions` with `stream: true`: `text/event-stream`, one `data: {json}` event per
 *   chunk (`object: "chat.completion.chunk"`): first a delta with the role, then one content delta per
 *   token, then an empty delta with `finish_reason` (`stop` | `length`); when the request asked for
 *   `stream_options: {include_usage: true}` every chunk carries `"usage": null` and one last chunk has
 *   `choices: []` and the usage; then `data: [DONE]`.
 * - `stream: false` (or absent): one `chat.completion` object with the message, finish_reason and usage.
 * - Errors in OpenAI's envelope, `{"error":{"message","type","param","code"}}`, with the status OpenAI
 *   uses: 400 malformed request (validated like OpenAI: messages, `stream_options` without `stream`,
 *   the `json_schema` name), 401 missing or wrong bearer key, 404 unknown model, 429 (with
 *   `retry-after`) and 500 when scripted. A failure after the stream started is an `error` event in
 *   the stream, as vLLM and OpenAI send it.
 * - `max_tokens` (or `max_completion_tokens`) caps the answer with `finish_reason: "length"`.
 *
 * Scriptable: a delay before the response starts (queue, prompt processing), time to first token,
 * per-token delay, a mid-stream disconnect, a server that ignores `stream_options` (older servers send
 * no usage). Every request is recorded with its body and whether the client went away before the end.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, splitTokens, waitForMatching, type RequestBody } from './ollama-server';

export interface OpenAiModel {
  id: string;
  ownedBy?: string;
  /** vLLM's `max_model_len`: the context window it serves the model with. */
  maxModelLen?: number;
}

export interface OpenAiRequestRecord {
  method: string;
  /** Path as received, e.g. `/v1/chat/completions`. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body ({} for none or not JSON). */
  body: RequestBody;
  time: number;
  /** The client went away before the response ended (abort, crash). */
  aborted: boolean;
  /** Whether the response headers had been sent when the client went away (an abort during the wait). */
  abortedBeforeHeaders: boolean;
  /** Content deltas written to the client. */
  tokens: number;
  /** Tokens the "model" produced after the client had gone (generation stops at the next token). */
  tokensAfterAbort: number;
  /** The response ended normally. */
  done: boolean;
}

/** What the scripted model answers: a string (split into tokens here), the tokens, or more. */
export type OpenAiScript =
  | string
  | string[]
  | {
      text: string | string[];
      /** Reported usage; estimated from the request and the answer when absent. */
      usage?: { prompt_tokens: number; completion_tokens: number };
      finishReason?: 'stop' | 'length' | 'content_filter';
    };

export interface OpenAiFailure {
  status: number;
  message: string;
  /** OpenAI's error `type`; derived from the status when absent. */
  type?: string;
  code?: string | null;
  /** Sent as `retry-after` (seconds). */
  retryAfterSeconds?: number;
}

export interface OpenAiServerOptions {
  models?: OpenAiModel[];
  respond?: (request: OpenAiRequestRecord) => OpenAiScript;
  /** When set, every `/v1` request must carry `Authorization: Bearer <apiKey>` (else 401). */
  apiKey?: string;
  /** Before the response starts (no headers yet): a queue or a long prompt being processed. */
  responseDelayMs?: number;
  /** After the headers and the role delta, before the first content token. */
  timeToFirstTokenMs?: number;
  tokenLatencyMs?: number;
  /** Drop the connection after this many content tokens (a crash or a proxy cut). */
  disconnectAfterTokens?: number;
  /** Send an in-stream `error` event after this many content tokens, then end the stream. */
  errorAfterTokens?: number;
  /** Behave like a server without `stream_options`: never send a usage chunk. */
  ignoreStreamOptions?: boolean;
}

export interface OpenAiServer {
  /** The server root, e.g. `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** What a client is configured with: the root plus `/v1`. */
  readonly baseUrl: string;
  readonly requests: OpenAiRequestRecord[];
  configure(options: Partial<OpenAiServerOptions>): void;
  /** Answer the next `/v1/chat/completions` requests with these errors, in order. */
  failNext(...failures: OpenAiFailure[]): void;
  /** Resolves once `count` requests (to `path`, if given) have arrived. */
  waitForRequests(count: number, timeoutMs?: number, path?: string): Promise<OpenAiRequestRecord[]>;
  /** Resolves once the given request's response has closed (ended or cut). */
  waitForClose(record: OpenAiRequestRecord, timeoutMs?: number): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_OPENAI_MODELS: OpenAiModel[] = [{ id: 'qwen2.5-coder-7b-instruct', ownedBy: 'llamacpp' }];
const DEFAULT_ANSWER = 'Hello from the loopback server.';
const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  403: 'invalid_request_error',
  404: 'invalid_request_error',
  429: 'requests',
  500: 'server_error',
  503: 'server_error',
};
// OpenAI's rule for response_format.json_schema.name.
const SCHEMA_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const ROLES = ['system', 'developer', 'user', 'assistant', 'tool'];

export async function startOpenAiServer(initial: OpenAiServerOptions = {}): Promise<OpenAiServer> {
  let options: OpenAiServerOptions = { ...initial };
  const requests: OpenAiRequestRecord[] = [];
  const failures: OpenAiFailure[] = [];
  const waiters = new Set<() => void>();
  const closed = new WeakMap<OpenAiRequestRecord, Promise<void>>();
  // Connections the server cut on purpose (a scripted disconnect): not the client's doing.
  const cut = new WeakSet<OpenAiRequestRecord>();
  const hangUp = (record: OpenAiRequestRecord, res: ServerResponse) => {
    cut.add(record);
    res.destroy();
  };
  const models = () => options.models ?? DEFAULT_OPENAI_MODELS;

  const server = createServer((req, res) => {
    void receive(req, res).catch((error: unknown) => {
      // A bug in the fake must fail the test loudly, not hang it.
      if (res.headersSent) res.destroy();
      else sendError(res, { status: 500, message: `loopback bug: ${String(error)}` });
    });
  });

  async function receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: RequestBody = {};
    let parsed = true;
    try {
      body = raw ? (JSON.parse(raw) as RequestBody) : {};
    } catch {
      parsed = false;
    }
    const record: OpenAiRequestRecord = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body,
      time: Date.now(),
      aborted: false,
      abortedBeforeHeaders: false,
      tokens: 0,
      tokensAfterAbort: 0,
      done: false,
    };
    requests.push(record);
    closed.set(record, new Promise<void>((resolve) => res.on('close', resolve)));
    res.on('close', () => {
      if (res.writableFinished || cut.has(record)) return;
      record.aborted = true;
      record.abortedBeforeHeaders = !res.headersSent;
    });
    for (const wake of waiters) wake();

    const path = new URL(record.path, 'http://x').pathname;
    const route = `${record.method} ${path}`;
    if (route !== 'GET /v1/models' && route !== 'POST /v1/chat/completions') {
      return sendError(res, { status: 404, message: `Invalid URL (${record.method} ${path})`, code: null });
    }
    if (options.apiKey !== undefined) {
      const given = /^Bearer (.*)$/.exec(String(req.headers.authorization ?? ''))?.[1];
      if (given !== options.apiKey) {
        const message = given
          ? `Incorrect API key provided: ${given.slice(0, 3)}***. You can find your API key at your server's settings.`
          : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
        return sendError(res, { status: 401, message, code: given ? 'invalid_api_key' : null });
      }
    }
    if (route === 'GET /v1/models') {
      return json(res, 200, {
        object: 'list',
        data: models().map((m) => ({ id: m.id, object: 'model', created: 1_735_689_600, owned_by: m.ownedBy ?? 'organization-owner', ...(m.maxModelLen ? { max_model_len: m.maxModelLen } : {}) })),
      });
    }
    if (!parsed) return sendError(res, { status: 400, message: 'We could not parse the JSON body of your request.', code: null });
    const invalid = validate(body);
    if (invalid) return sendError(res, invalid);
    if (!models().some((m) => m.id === body.model)) {
      return sendError(res, { status: 404, message: `The model \`${String(body.model)}\` does not exist or you do not have access to it.`, code: 'model_not_found' });
    }
    const failure = failures.shift();
    if (failure) return sendError(res, failure);
    await sleep(options.responseDelayMs ?? 0);
    if (record.aborted) return;
    return body.stream === true ? stream(record, res) : complete(record, res);
  }

  function script(record: OpenAiRequestRecord) {
    const scripted = options.respond?.(record) ?? DEFAULT_ANSWER;
    const normal = typeof scripted === 'string' || Array.isArray(scripted) ? { text: scripted } : scripted;
    const tokens = typeof normal.text === 'string' ? splitTokens(normal.text) : normal.text;
    const limit = maxTokens(record.body);
    const cut = tokens.length > limit;
    return {
      tokens: cut ? tokens.slice(0, limit) : tokens,
      finishReason: normal.finishReason ?? (cut ? 'length' : 'stop'),
      usage: normal.usage,
    };
  }

  function usageOf(record: OpenAiRequestRecord, completionTokens: number, scripted?: { prompt_tokens: number; completion_tokens: number }) {
    const messages = (record.body.messages as Array<{ content?: unknown }>).map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)));
    // Chat templates add a few tokens per message around its content.
    const prompt = scripted?.prompt_tokens ?? messages.reduce((sum, text) => sum + splitTokens(text).length + 4, 0);
    const completion = scripted?.completion_tokens ?? completionTokens;
    return {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    };
  }

  async function stream(record: OpenAiRequestRecord, res: ServerResponse): Promise<void> {
    const { tokens, finishReason, usage } = script(record);
    const withUsage = record.body.stream_options?.include_usage === true && !options.ignoreStreamOptions;
    const id = `chatcmpl-${randomBytes(12).toString('hex')}`;
    const base = { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: record.body.model, system_fingerprint: 'fp_loopback' };
    // The last write, flushed: a scripted cut must come after what was sent, as a crash mid-stream does.
    let flushed: Promise<void> = Promise.resolve();
    const send = (value: object) => {
      flushed = new Promise<void>((resolve) => res.write(`data: ${JSON.stringify(value)}\n\n`, () => resolve()));
    };
    const chunk = (delta: object, finish: string | null) => send({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(withUsage ? { usage: null } : {}) });

    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    chunk({ role: 'assistant', content: '', refusal: null }, null);
    await sleep(options.timeToFirstTokenMs ?? 0);
    // True when the script cuts the stream here; a limit past the last token still fires at the end.
    const interrupted = async (): Promise<boolean> => {
      if (options.disconnectAfterTokens !== undefined && record.tokens >= options.disconnectAfterTokens) {
        await flushed;
        hangUp(record, res);
        return true;
      }
      if (options.errorAfterTokens !== undefined && record.tokens >= options.errorAfterTokens) {
        send({ error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null } });
        record.done = true;
        res.end();
        return true;
      }
      return false;
    };
    for (const [i, token] of tokens.entries()) {
      if (i > 0) await sleep(options.tokenLatencyMs ?? 0);
      if (record.aborted) {
        // The server learns of the closed connection when it next writes: that token was made for no one.
        record.tokensAfterAbort++;
        return;
      }
      if (await interrupted()) return;
      chunk({ content: token }, null);
      record.tokens++;
    }
    if (record.aborted || (await interrupted())) return;
    chunk({}, finishReason);
    if (withUsage) send({ ...base, choices: [], usage: usageOf(record, tokens.length, usage) });
    res.write('data: [DONE]\n\n');
    record.done = true;
    res.end();
  }

  async function complete(record: OpenAiRequestRecord, res: ServerResponse): Promise<void> {
    const { tokens, finishReason, usage } = script(record);
    await sleep((options.timeToFirstTokenMs ?? 0) + Math.max(0, tokens.length - 1) * (options.tokenLatencyMs ?? 0));
    if (record.aborted) return;
    if (options.disconnectAfterTokens !== undefined) {
      hangUp(record, res);
      return;
    }
    record.tokens = tokens.length;
    record.done = true;
    json(res, 200, {
      id: `chatcmpl-${randomBytes(12).toString('hex')}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: record.body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: tokens.join(''), refusal: null, annotations: [] }, logprobs: null, finish_reason: finishReason }],
      usage: usageOf(record, tokens.length, usage),
      service_tier: 'default',
      system_fingerprint: 'fp_loopback',
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    baseUrl: `${url}/v1`,
    requests,
    configure(next) {
      options = { ...options, ...next };
    },
    failNext(...next) {
      failures.push(...next);
    },
    waitForRequests(count, timeoutMs = 5000, path) {
      return waitForMatching(waiters, () => requests.filter((r) => path === undefined || new URL(r.path, 'http://x').pathname === path), count, timeoutMs, path);
    },
    waitForClose(record, timeoutMs = 5000) {
      const done = closed.get(record) ?? Promise.resolve();
      return Promise.race([done, sleep(timeoutMs).then(() => Promise.reject(new Error(`the response to ${record.path} did not close within ${timeoutMs} ms`)))]);
    },
    reset() {
      requests.length = 0;
      failures.length = 0;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets (fetch pools them) and slow streams would hold close() open.
        server.closeAllConnections();
      });
    },
  };
}

/** What OpenAI answers 400 for, among the mistakes a client can make. */
function validate(body: RequestBody): OpenAiFailure | undefined {
  const bad = (message: string, param: string) => ({ status: 400, message, code: 'invalid_value', param });
  if (typeof body.model !== 'string' || !body.model) return { status: 400, message: 'you must provide a model parameter', code: null };
  const messages: unknown = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return bad("Invalid 'messages': empty array. Expected an array with minimum length 1.", 'messages');
  for (const [i, m] of messages.entries()) {
    const message = m as { role?: unknown; content?: unknown };
    if (!ROLES.includes(String(message.role))) return bad(`Invalid value for 'messages[${i}].role'.`, `messages[${i}].role`);
    if (typeof message.content !== 'string' && !Array.isArray(message.content)) return bad(`Invalid type for 'messages[${i}].content'.`, `messages[${i}].content`);
  }
  if (body.stream_options !== undefined && body.stream !== true) {
    return bad("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options');
  }
  const format = body.response_format;
  if (format !== undefined) {
    if (!['text', 'json_object', 'json_schema'].includes(format?.type)) return bad("Invalid value for 'response_format.type'.", 'response_format.type');
    if (format.type === 'json_schema') {
      if (!SCHEMA_NAME.test(String(format.json_schema?.name ?? ''))) {
        return bad("Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.", 'response_format.json_schema.name');
      }
      if (typeof format.json_schema?.schema !== 'object' || format.json_schema.schema === null) return bad("Missing required parameter: 'response_format.json_schema.schema'.", 'response_format.json_schema.schema');
    }
  }
  return undefined;
}

function maxTokens(body: RequestBody): number {
  const value = body.max_completion_tokens ?? body.max_tokens;
  return typeof value === 'number' && value >= 0 ? value : Number.POSITIVE_INFINITY;
}

function sendError(res: ServerResponse, failure: OpenAiFailure & { param?: string }): void {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (failure.retryAfterSeconds !== undefined) headers['retry-after'] = String(failure.retryAfterSeconds);
  res.writeHead(failure.status, headers);
  res.end(JSON.stringify({ error: { message: failure.message, type: failure.type ?? TYPE_BY_STATUS[failure.status] ?? 'invalid_request_error', param: failure.param ?? null, code: failure.code ?? null } }));
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(value));
}

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
