/**
 * A loopback Ollama for tests and benchmarks: the product's real `ollama` client talks to it with only
 * the base URL changed, so it must answer the way Ollama (0.12) does on the wire:
 * - `/api/generate` and `/api/chat` stream NDJSON (`application/x-ndjson`), one object per token, then a
 *   final object with `done: true`, `done_reason` (`stop` | `length` | `load`), the counts and durations
 *   in nanoseconds; `stream: false` sends that final object alone with the whole text.
 * - An empty prompt only loads the model (`done_reason: "load"`), which is how clients warm it up.
 * - A model it does not have is a 404 `{"error":"model \"x\" not found, try pulling it first"}`.
 * - Stop sequences end generation and are not part of the output; `num_predict` caps the tokens.
 * - One generation runs at a time (OLLAMA_NUM_PARALLEL=1, what laptops get); later requests queue, and a
 *   request whose client disconnects is dropped, from the queue or mid-generation, at the next token.
 *
 * Scriptable: time to first token, per-token latency, a cold-load delay for models not yet in memory,
 * scripted answers, HTTP failures and mid-stream disconnects. Every request is recorded, with the tokens
 * generated after the client went away, so tests can assert that aborts reach the server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface LoopbackModel {
  name: string;
  /** `/api/show` fields; defaults fit a Qwen2.5-Coder base model. */
  family?: string;
  parameterSize?: string;
  template?: string;
  modelInfo?: Record<string, unknown>;
  capabilities?: string[];
}

/**
 * A request body as it arrived. Loose on purpose: tests read whatever field they assert on, and the
 * record must hold what a buggy client sends as faithfully as what a correct one does.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RequestBody = Record<string, any>;

export interface OllamaRequestRecord {
  method: string;
  path: string;
  /** Parsed JSON body ({} for none). */
  body: RequestBody;
  time: number;
  /** The client went away before the response ended. */
  aborted: boolean;
  /** Tokens written to the client. */
  tokens: number;
  /** Tokens the "model" produced after the client went away (generation ends at the next token). */
  tokensAfterAbort: number;
  /** Time spent waiting for an earlier generation to finish, ms. */
  queuedMs: number;
  /** When (ms since the epoch) each token was generated, those after the client went away included. */
  tokenTimes: number[];
  done: boolean;
}

/** What the scripted model says: a string (split into tokens here) or the tokens themselves. */
export type ScriptedOutput = string | string[];

export interface Failure {
  status: number;
  error: string;
}

export interface OllamaServerOptions {
  models?: LoopbackModel[];
  respond?: (request: OllamaRequestRecord) => ScriptedOutput;
  timeToFirstTokenMs?: number;
  tokenLatencyMs?: number;
  /** Extra delay for the first request to a model that is not loaded (a cold start). */
  coldLoadMs?: number;
  /** Drop the connection after this many tokens of every generation (simulates a crash). */
  disconnectAfterTokens?: number;
  /** How long a model stays loaded without keep_alive in the request, ms. */
  defaultKeepAliveMs?: number;
}

export interface OllamaServer {
  readonly url: string;
  readonly requests: OllamaRequestRecord[];
  /** Models in memory now (as `/api/ps` reports them). */
  readonly loaded: ReadonlySet<string>;
  /** Change the behaviour for the following requests. */
  configure(options: Partial<OllamaServerOptions>): void;
  /** Answer the next generate/chat/show/pull requests with these HTTP errors, in order. */
  failNext(...failures: Failure[]): void;
  /** Resolves once `count` requests (to `path`, if given) have arrived. */
  waitForRequests(count: number, timeoutMs?: number, path?: string): Promise<OllamaRequestRecord[]>;
  /** Forget recorded requests and scripted failures, and unload all models. */
  reset(): void;
  /** Stop listening and drop open connections (Ollama quit); `start` listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_LOOPBACK_MODELS: LoopbackModel[] = [
  { name: 'qwen2.5-coder:1.5b-base', parameterSize: '1.5B' },
  {
    name: 'qwen2.5-coder:7b-instruct',
    parameterSize: '7.6B',
    template: '{{- if .Messages }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}',
    modelInfo: { 'general.architecture': 'qwen2', 'general.basename': 'Qwen2.5-Coder', 'general.name': 'Qwen2.5 Coder 7B Instruct', 'general.finetune': 'Instruct' },
    capabilities: ['completion', 'tools'],
  },
];

// Ollama's own template for qwen2.5-coder base models: a FIM branch when a suffix is given.
const QWEN_BASE_TEMPLATE =
  '{{- if .Suffix }}<|fim_prefix|>{{ .Prompt }}<|fim_suffix|>{{ .Suffix }}<|fim_middle|>\n{{- else }}{{ .Prompt }}{{- end }}';
const QWEN_BASE_INFO = {
  'general.architecture': 'qwen2',
  'general.basename': 'Qwen2.5-Coder',
  'general.name': 'Qwen2.5 Coder 1.5B',
  'general.size_label': '1.5B',
  'qwen2.context_length': 32768,
  'qwen2.vocab_size': 151936,
  'tokenizer.ggml.model': 'gpt2',
  'tokenizer.ggml.pre': 'qwen2',
};
const DEFAULT_OUTPUT = 'return value;';
const VERSION = '0.12.6';

/**
 * Splits text roughly the way a BPE vocabulary for code does: special tokens (`<|endoftext|>`) whole,
 * runs of up to four word characters with a leading space kept, punctuation alone, newlines alone.
 * Close enough for counting and streaming; tests that need exact token ids use the real tokenizer.
 */
export function splitTokens(text: string): string[] {
  return text.match(/<\|[a-z_]+\|>|\n|[ \t]*\w{1,4}|[ \t]+|[^\w\s]/g) ?? [];
}

export async function startOllamaServer(initial: OllamaServerOptions = {}): Promise<OllamaServer> {
  let options: OllamaServerOptions = { ...initial };
  const models = () => options.models ?? DEFAULT_LOOPBACK_MODELS;
  const find = (name: unknown) => models().find((m) => sameName(m.name, String(name ?? '')));
  const requests: OllamaRequestRecord[] = [];
  const failures: Failure[] = [];
  const loaded = new Map<string, number>(); // model name → expires at (ms epoch)
  const sockets = new Set<Socket>();
  const waiters = new Set<() => void>();
  // One generation at a time: each request chains on the previous one.
  let queue: Promise<void> = Promise.resolve();

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { error: String((error as Error)?.message ?? error) });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const raw = await readBody(req);
    let body: RequestBody;
    try {
      body = raw ? (JSON.parse(raw) as RequestBody) : {};
    } catch {
      return json(res, 400, { error: 'invalid character in request body' });
    }
    const record: OllamaRequestRecord = { method: req.method ?? 'GET', path, body, time: Date.now(), aborted: false, tokens: 0, tokensAfterAbort: 0, queuedMs: 0, tokenTimes: [], done: false };
    requests.push(record);
    res.on('close', () => {
      if (!res.writableFinished) record.aborted = true;
    });
    for (const wake of waiters) wake();

    const route = `${req.method} ${path}`;
    if (route === 'GET /' || route === 'HEAD /') return text(res, 'Ollama is running');
    if (route === 'GET /api/version') return json(res, 200, { version: VERSION });
    if (route === 'GET /api/tags') return json(res, 200, { models: models().map(tagOf) });
    if (route === 'GET /api/ps') return json(res, 200, { models: runningModels() });
    if (req.method !== 'POST' || !['/api/show', '/api/pull', '/api/generate', '/api/chat'].includes(path)) {
      return text(res, '404 page not found', 404);
    }
    const failure = failures.shift();
    if (failure) return json(res, failure.status, { error: failure.error });
    if (path === '/api/pull') return pull(body, res);
    const model = find(body.model);
    if (!model) {
      const status = 404;
      if (path === '/api/show') return json(res, status, { error: `model '${String(body.model)}' not found` });
      return json(res, status, { error: `model "${String(body.model)}" not found, try pulling it first` });
    }
    if (path === '/api/show') return json(res, 200, showOf(model));
    return generate(path === '/api/chat' ? 'chat' : 'generate', model, record, res);
  }

  async function generate(kind: 'generate' | 'chat', model: LoopbackModel, record: OllamaRequestRecord, res: ServerResponse): Promise<void> {
    const { body } = record;
    const stream = body.stream !== false;
    const queuedAt = Date.now();
    let release!: () => void;
    const previous = queue;
    queue = new Promise<void>((resolve) => (release = resolve));
    try {
      await previous;
      record.queuedMs = Date.now() - queuedAt;
      if (record.aborted) return;
      const started = process.hrtime.bigint();
      const loadMs = loaded.has(model.name) ? 0 : (options.coldLoadMs ?? 0);
      await sleep(loadMs);
      if (record.aborted) return;
      loaded.set(model.name, Date.now() + keepAliveMs(body.keep_alive));
      const base = { model: model.name, created_at: new Date().toISOString() };
      const prompt = kind === 'chat' ? ((body.messages as Array<{ content?: string }> | undefined) ?? []).map((m) => m.content ?? '').join('\n') : String(body.prompt ?? '');
      if (!prompt) {
        // Ollama's warm-up contract: an empty prompt loads the model and returns at once.
        const done = kind === 'chat' ? { ...base, message: { role: 'assistant', content: '' } } : { ...base, response: '' };
        return finish(res, record, stream, { ...done, done: true, done_reason: 'load' });
      }

      const scripted = options.respond?.(record) ?? DEFAULT_OUTPUT;
      const tokens = typeof scripted === 'string' ? splitTokens(scripted) : scripted;
      const limit = numPredict(body.options?.num_predict);
      const stops: string[] = Array.isArray(body.options?.stop) ? body.options.stop.map(String) : [];
      if (stream) res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
      await sleep(options.timeToFirstTokenMs ?? 0);
      let output = '';
      // Text that may be the start of a stop sequence is held back, as Ollama does, until it is not.
      let pending = '';
      let evalCount = 0;
      let doneReason = 'stop';
      for (const token of tokens) {
        if (evalCount > 0) await sleep(options.tokenLatencyMs ?? 0);
        if (record.aborted) {
          // Ollama notices the closed connection when it next emits: that token was generated for no one.
          record.tokensAfterAbort++;
          record.tokenTimes.push(Date.now());
          return;
        }
        if (evalCount >= limit) {
          doneReason = 'length';
          break;
        }
        evalCount++;
        record.tokenTimes.push(Date.now());
        if (options.disconnectAfterTokens !== undefined && record.tokens >= options.disconnectAfterTokens) {
          res.destroy();
          return;
        }
        pending += token;
        const stopAt = firstStop(pending, stops);
        const ready = stopAt ?? pending.length - partialStopLength(pending, stops);
        const piece = pending.slice(0, ready);
        pending = stopAt === undefined ? pending.slice(ready) : '';
        output += piece;
        if (stream && piece) send(res, record, chunk(kind, base, piece));
        if (stopAt !== undefined) break;
      }
      if (pending) {
        output += pending;
        if (stream) send(res, record, chunk(kind, base, pending));
      }
      const elapsed = Number(process.hrtime.bigint() - started);
      const final = {
        ...(kind === 'chat' ? { ...base, message: { role: 'assistant', content: stream ? '' : output } } : { ...base, response: stream ? '' : output }),
        done: true,
        done_reason: doneReason,
        total_duration: elapsed,
        load_duration: loadMs * 1e6,
        prompt_eval_count: Math.ceil(prompt.length / 3.2),
        prompt_eval_duration: Math.round(elapsed * 0.1),
        eval_count: evalCount,
        eval_duration: Math.round(elapsed * 0.9),
      };
      finish(res, record, stream, final);
    } finally {
      release();
    }
  }

  async function pull(body: RequestBody, res: ServerResponse): Promise<void> {
    const name = String(body.model ?? body.name ?? '');
    const known = find(name);
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
    res.write(`${JSON.stringify({ status: 'pulling manifest' })}\n`);
    if (!known) {
      // Ollama reports a failed pull inside the stream, after a 200.
      res.end(`${JSON.stringify({ error: 'pull model manifest: file does not exist' })}\n`);
      return;
    }
    const total = 986_000_000;
    const digest = 'sha256:29d8c98fa6b098e200069bfb88b9508dc3e85586d20cba59f8dda9a808165104';
    for (let completed = 0; completed <= total; completed += total / 4) {
      await sleep(options.tokenLatencyMs ?? 5);
      if (res.destroyed) return;
      res.write(`${JSON.stringify({ status: `pulling ${digest.slice(7, 19)}`, digest, total, completed })}\n`);
    }
    for (const status of ['verifying sha256 digest', 'writing manifest', 'success']) res.write(`${JSON.stringify({ status })}\n`);
    res.end();
  }

  function runningModels() {
    const now = Date.now();
    for (const [name, expires] of loaded) if (expires <= now) loaded.delete(name);
    return [...loaded].flatMap(([name, expires]) => {
      const model = find(name);
      return model ? [{ ...tagOf(model), expires_at: new Date(expires).toISOString(), size_vram: 1_200_000_000, context_length: 4096 }] : [];
    });
  }

  function keepAliveMs(value: unknown): number {
    if (typeof value === 'number') return value < 0 ? 1e12 : value * 1000;
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(String(value ?? ''));
    if (!match) return options.defaultKeepAliveMs ?? 5 * 60_000;
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
    return Number(match[1]) * unit;
  }

  await listen(server, 0);
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    requests,
    get loaded() {
      return new Set(runningModels().map((m) => m.name));
    },
    configure(next) {
      options = { ...options, ...next };
    },
    failNext(...next) {
      failures.push(...next);
    },
    waitForRequests(count, timeoutMs = 5000, path) {
      return waitForMatching(waiters, () => requests.filter((r) => path === undefined || r.path === path), count, timeoutMs, path);
    },
    reset() {
      requests.length = 0;
      failures.length = 0;
      loaded.clear();
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      loaded.clear();
    },
    async start() {
      await listen(server, port);
    },
    async close() {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/**
 * Resolves with the matching records once there are `count` of them. The server calls every function in
 * `waiters` when a request arrives; `path` only words the timeout's message. Shared by the loopback servers.
 */
export function waitForMatching<T>(waiters: Set<() => void>, matching: () => T[], count: number, timeoutMs: number, path?: string): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (matching().length < count) return;
      cleanup();
      resolve(matching());
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`expected ${count} request(s)${path ? ` to ${path}` : ''} within ${timeoutMs} ms, got ${matching().length}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      waiters.delete(check);
    };
    waiters.add(check);
    check();
  });
}

function tagOf(model: LoopbackModel) {
  const family = model.family ?? 'qwen2';
  return {
    name: model.name,
    model: model.name,
    modified_at: '2026-10-01T12:00:00.000Z',
    size: 986_061_892,
    digest: '6d3abb8d2d53' + '0'.repeat(52),
    details: { parent_model: '', format: 'gguf', family, families: [family], parameter_size: model.parameterSize ?? '1.5B', quantization_level: 'Q4_K_M' },
  };
}

function showOf(model: LoopbackModel) {
  const tag = tagOf(model);
  const template = model.template ?? QWEN_BASE_TEMPLATE;
  return {
    license: 'Apache License 2.0',
    modelfile: `FROM ${model.name}\nTEMPLATE """${template}"""`,
    parameters: 'stop "<|endoftext|>"',
    template,
    details: tag.details,
    model_info: model.modelInfo ?? QWEN_BASE_INFO,
    capabilities: model.capabilities ?? (template.includes('.Suffix') ? ['completion', 'insert'] : ['completion']),
    modified_at: tag.modified_at,
  };
}

function chunk(kind: 'generate' | 'chat', base: object, token: string) {
  return kind === 'chat' ? { ...base, message: { role: 'assistant', content: token }, done: false } : { ...base, response: token, done: false };
}

function send(res: ServerResponse, record: OllamaRequestRecord, value: object): void {
  record.tokens++;
  res.write(`${JSON.stringify(value)}\n`);
}

function finish(res: ServerResponse, record: OllamaRequestRecord, stream: boolean, final: object): void {
  record.done = true;
  if (stream) {
    if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
    res.end(`${JSON.stringify(final)}\n`);
  } else {
    json(res, 200, final);
  }
}

/** Length of the longest end of `text` that is the start of a stop sequence. */
function partialStopLength(text: string, stops: readonly string[]): number {
  let longest = 0;
  for (const stop of stops) {
    for (let n = Math.min(stop.length - 1, text.length); n > longest; n--) {
      if (text.endsWith(stop.slice(0, n))) {
        longest = n;
        break;
      }
    }
  }
  return longest;
}

/** Where the earliest stop sequence starts in `text`, if any. */
function firstStop(text: string, stops: readonly string[]): number | undefined {
  let best: number | undefined;
  for (const stop of stops) {
    const at = stop ? text.indexOf(stop) : -1;
    if (at !== -1 && (best === undefined || at < best)) best = at;
  }
  return best;
}

function numPredict(value: unknown): number {
  // Ollama: -1 (or unset) is "until done"; the scripted output ends anyway.
  return typeof value === 'number' && value >= 0 ? value : Number.POSITIVE_INFINITY;
}

/** Model names compare like Ollama's: a missing tag is `latest`. */
function sameName(a: string, b: string): boolean {
  const norm = (n: string) => (n.includes(':') ? n : `${n}:latest`);
  return norm(a) === norm(b);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(value));
}

function text(res: ServerResponse, body: string, status = 200): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(body);
}

/** The request body as text. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (piece: string) => (data += piece));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
