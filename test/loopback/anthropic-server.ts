/**
 * A loopback Anthropic Messages API for tests. It speaks the wire format that `@anthropic-ai/sdk` parses
 * (JSON messages, SSE event names and order, error envelopes, `request-id` / `retry-after` headers), so the
 * product's real client can be pointed at it with `baseURL` and exercised on the paths a live key can't
 * reproduce on demand: 429 with retry-after, 529, an `error` event after HTTP 200, a socket cut mid-stream.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export interface AnthropicRequestRecord {
  method: string;
  /** Path and query as received, e.g. `/v1/messages`. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as sent, for asserting on what reached the wire. */
  rawBody: string;
  /** `rawBody` parsed as JSON, or undefined when it is empty or not JSON. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  /** `Date.now()` when the request arrived. */
  time: number;
  /** The client closed the connection before the response was complete (abort, timeout). */
  aborted: boolean;
}

export type ScriptedContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id?: string; name: string; input: unknown };

export interface ScriptedUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

export interface ScriptedMessage {
  kind: 'message';
  /** Shorthand for a single text block; ignored when `content` is given. */
  text?: string;
  content?: ScriptedContentBlock[];
  /** Defaults to `tool_use` when the content has a tool_use block, else `end_turn`. */
  stopReason?: string;
  /** Fields given here win; the rest are estimated from the request and the reply. */
  usage?: ScriptedUsage;
  /** Streaming: pause before each delta. Non-streaming: pause once before answering. */
  chunkDelayMs?: number;
  /** Streaming: send an in-stream `error` event (overloaded_error) after this many deltas, then end. */
  errorAfterChunks?: number;
  /** Streaming: destroy the socket after this many deltas. Non-streaming: destroy it instead of answering. */
  disconnectAfterChunks?: number;
}

export interface ScriptedError {
  kind: 'error';
  status: number;
  /** The API's error type, e.g. `rate_limit_error`, `overloaded_error`, `invalid_request_error`. */
  type: string;
  message: string;
  /** Sent as `retry-after`, which the SDK obeys (in seconds) before its own backoff. */
  retryAfterSeconds?: number;
  /** Extra response headers, e.g. `x-should-retry` or `retry-after-ms`. */
  headers?: Record<string, string>;
}

export type ScriptedReply = ScriptedMessage | ScriptedError;

export interface AnthropicServerOptions {
  /** Reply to a `POST /v1/messages` when the queue is empty; undefined means an echo of the last user text. */
  respond?: (request: AnthropicRequestRecord) => ScriptedReply | undefined;
  /** Token count of a request body, for `count_tokens` and the default `usage.input_tokens`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  countTokens?: (body: any) => number;
  /** When set, any other key (`x-api-key` or `Authorization: Bearer`) gets 401 authentication_error. */
  requireApiKey?: string;
}

export interface AnthropicServer {
  /** Base URL for the SDK's `baseURL` (no trailing slash, no `/v1`). */
  url: string;
  requests: AnthropicRequestRecord[];
  /** Replies for the next `POST /v1/messages` requests, FIFO, consulted before `respond`. */
  enqueue(...replies: ScriptedReply[]): void;
  waitForRequests(n: number, timeoutMs?: number): Promise<void>;
  /** Clears the recorded requests (in place) and the reply queue. */
  reset(): void;
  close(): Promise<void>;
}

type WireBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; caller: { type: 'direct' }; name: string; input: unknown };

const newId = (prefix: string) => `${prefix}_01${randomBytes(11).toString('hex')}`;

/** Rough chars÷4, good enough for a fake; the real tokenizer yields more tokens than this. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function estimateTokens(body: any): number {
  return Math.ceil(JSON.stringify([body?.system ?? '', body?.messages ?? [], body?.tools ?? []]).length / 4);
}

function lastUserText(messages: unknown): string {
  const last = Array.isArray(messages) ? messages.filter((m) => m?.role === 'user').at(-1) : undefined;
  if (typeof last?.content === 'string') return last.content;
  if (!Array.isArray(last?.content)) return '';
  return last.content.map((b: { type?: string; text?: string }) => (b?.type === 'text' ? b.text : '')).join('');
}

/** SDK 1.x sends `apiKey` as `Authorization: Bearer`; older clients and curl send `x-api-key`. Accept both. */
function apiKeyOf(req: IncomingMessage): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string') return header;
  return /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
}

function toWireBlocks(reply: ScriptedMessage): WireBlock[] {
  if (!reply.content) return [{ type: 'text', text: reply.text ?? '' }];
  return reply.content.map((b) =>
    b.type === 'text'
      ? { type: 'text', text: b.text }
      : { type: 'tool_use', id: b.id ?? newId('toolu'), caller: { type: 'direct' }, name: b.name, input: b.input },
  );
}

/** The pieces a block is streamed in. Text goes word by word, so tests can count deltas from the text. */
function deltasOf(block: WireBlock): Array<Record<string, string>> {
  if (block.type === 'text') {
    const words = block.text.match(/\s*\S+\s*/g) ?? (block.text ? [block.text] : []);
    return words.map((text) => ({ type: 'text_delta', text }));
  }
  // The real API opens a tool's input with an empty partial_json, which naive per-delta JSON.parse chokes on.
  const json = JSON.stringify(block.input ?? {});
  const pieces = [''];
  for (let i = 0; i < json.length; i += 12) pieces.push(json.slice(i, i + 12));
  return pieces.map((partial_json) => ({ type: 'input_json_delta', partial_json }));
}

function usageFor(script: ScriptedUsage | undefined, inputTokens: number, blocks: WireBlock[]) {
  const generated = blocks.map((b) => (b.type === 'text' ? b.text : JSON.stringify(b.input))).join('');
  // A cache write is split by TTL in `cache_creation`; keep the total and the split consistent whichever was given.
  const cacheCreation = script?.cache_creation ?? {
    ephemeral_5m_input_tokens: script?.cache_creation_input_tokens ?? 0,
    ephemeral_1h_input_tokens: 0,
  };
  return {
    input_tokens: script?.input_tokens ?? inputTokens,
    cache_creation_input_tokens:
      script?.cache_creation_input_tokens ??
      cacheCreation.ephemeral_5m_input_tokens + cacheCreation.ephemeral_1h_input_tokens,
    cache_read_input_tokens: script?.cache_read_input_tokens ?? 0,
    cache_creation: cacheCreation,
    output_tokens: script?.output_tokens ?? Math.max(1, Math.ceil(generated.length / 4)),
    service_tier: 'standard' as const,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function buildMessage(reply: ScriptedMessage, body: any, inputTokens: number) {
  const content = toWireBlocks(reply);
  return {
    id: newId('msg'),
    type: 'message' as const,
    role: 'assistant' as const,
    model: typeof body.model === 'string' ? body.model : 'claude-sonnet-5-5',
    content,
    stop_reason: reply.stopReason ?? (content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    usage: usageFor(reply.usage, inputTokens, content),
  };
}

function sendError(res: ServerResponse, requestId: string, reply: Omit<ScriptedError, 'kind'>): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'request-id': requestId };
  if (reply.retryAfterSeconds !== undefined) headers['retry-after'] = String(reply.retryAfterSeconds);
  res.writeHead(reply.status, { ...headers, ...reply.headers });
  const error = { type: reply.type, message: reply.message };
  res.end(JSON.stringify({ type: 'error', error, request_id: requestId }));
}

/**
 * Streams `message` as the API does: message_start, then per block content_block_start, deltas and
 * content_block_stop (a ping after the first start), then message_delta and message_stop.
 */
async function streamMessage(
  res: ServerResponse,
  requestId: string,
  reply: ScriptedMessage,
  message: ReturnType<typeof buildMessage>,
  hangUp: () => void,
): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'request-id': requestId,
  });
  const send = (event: string, data: Record<string, unknown>) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
  const { usage } = message;
  // Output tokens start small in message_start and the final total arrives in message_delta; the SDK must
  // overwrite, not add, or it bills 1 token too many per stream.
  send('message_start', {
    message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
  });

  let sent = 0;
  // True when the script cuts the stream here (or the client went away), so the caller stops writing.
  // At the end of the content a limit larger than the number of deltas still fires: the script asked for a failure.
  const interrupted = async (atEnd: boolean): Promise<boolean> => {
    const due = (limit?: number) => limit !== undefined && (atEnd || sent >= limit);
    if (!due(reply.errorAfterChunks) && !due(reply.disconnectAfterChunks) && !reply.chunkDelayMs) return false;
    if (reply.chunkDelayMs) await delay(reply.chunkDelayMs);
    if (res.destroyed) return true;
    if (due(reply.errorAfterChunks)) {
      // The in-stream form of a 529: the status was already 200, so only this event says the request failed.
      send('error', { error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: requestId });
      res.end();
      return true;
    }
    if (due(reply.disconnectAfterChunks)) {
      hangUp();
      return true;
    }
    return false;
  };

  for (const [index, block] of message.content.entries()) {
    const start = block.type === 'text' ? { type: 'text', text: '' } : { ...block, input: {} };
    send('content_block_start', { index, content_block: start });
    if (index === 0) send('ping', {});
    for (const delta of deltasOf(block)) {
      if (await interrupted(false)) return;
      send('content_block_delta', { index, delta });
      sent++;
    }
    send('content_block_stop', { index });
  }
  if (await interrupted(true)) return;
  // Cumulative totals, as the API now sends them (input and cache fields included).
  const { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, output_tokens } = usage;
  send('message_delta', {
    delta: { stop_reason: message.stop_reason, stop_sequence: null },
    usage: { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, output_tokens },
  });
  send('message_stop', {});
  res.end();
}

export async function startAnthropicServer(options: AnthropicServerOptions = {}): Promise<AnthropicServer> {
  const requests: AnthropicRequestRecord[] = [];
  const queue: ScriptedReply[] = [];
  const waiters = new Set<() => void>();
  const countTokens = options.countTokens ?? estimateTokens;

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    record: AnthropicRequestRecord,
    hangUp: () => void,
  ): Promise<void> {
    const requestId = newId('req');
    const pathname = new URL(record.path, 'http://loopback').pathname;
    const known = req.method === 'POST' && (pathname === '/v1/messages' || pathname === '/v1/messages/count_tokens');
    if (!known) {
      return sendError(res, requestId, { status: 404, type: 'not_found_error', message: `Not found: ${pathname}` });
    }
    if (options.requireApiKey !== undefined && apiKeyOf(req) !== options.requireApiKey) {
      return sendError(res, requestId, { status: 401, type: 'authentication_error', message: 'invalid x-api-key' });
    }
    if (record.body === undefined || typeof record.body !== 'object') {
      return sendError(res, requestId, { status: 400, type: 'invalid_request_error', message: 'body is not JSON' });
    }
    if (pathname === '/v1/messages/count_tokens') {
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': requestId });
      res.end(JSON.stringify({ input_tokens: countTokens(record.body) }));
      return;
    }

    const reply = queue.shift() ??
      options.respond?.(record) ?? { kind: 'message', text: `Echo: ${lastUserText(record.body.messages)}` };
    if (reply.kind === 'error') return sendError(res, requestId, reply);

    const message = buildMessage(reply, record.body, countTokens(record.body));
    if (record.body.stream === true) return streamMessage(res, requestId, reply, message, hangUp);

    if (reply.chunkDelayMs) await delay(reply.chunkDelayMs);
    if (res.destroyed) return;
    if (reply.disconnectAfterChunks !== undefined) return hangUp();
    res.writeHead(200, { 'content-type': 'application/json', 'request-id': requestId });
    res.end(JSON.stringify(message));
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let serverHungUp = false;
    const record: AnthropicRequestRecord = {
      method: req.method ?? '',
      path: req.url ?? '/',
      headers: req.headers,
      rawBody: '',
      body: undefined,
      time: Date.now(),
      aborted: false,
    };
    const hangUp = () => {
      serverHungUp = true;
      res.destroy();
    };
    const push = () => {
      requests.push(record);
      for (const wake of waiters) wake();
    };
    // 'close' on the response fires for every outcome; unfinished and not cut by us means the client left.
    res.on('close', () => {
      if (!res.writableFinished && !serverHungUp) record.aborted = true;
      if (!req.complete && !requests.includes(record)) push();
    });
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      record.rawBody = Buffer.concat(chunks).toString('utf8');
      try {
        record.body = record.rawBody ? JSON.parse(record.rawBody) : undefined;
      } catch {
        record.body = undefined;
      }
      push();
      handle(req, res, record, hangUp).catch((error: unknown) => {
        // A bug in the fake must fail the test loudly, not hang it.
        if (res.headersSent) return res.destroy();
        sendError(res, newId('req'), { status: 500, type: 'api_error', message: String(error) });
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...replies) => void queue.push(...replies),
    waitForRequests(n, timeoutMs = 5000) {
      return new Promise<void>((resolve, reject) => {
        if (requests.length >= n) return resolve();
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`expected ${n} requests within ${timeoutMs} ms, got ${requests.length}`));
        }, timeoutMs);
        const wake = () => {
          if (requests.length < n) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        };
        waiters.add(wake);
      });
    },
    reset() {
      requests.length = 0;
      queue.length = 0;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets (the SDK's fetch pools them) and slow streams would hold close() open.
        server.closeAllConnections();
      });
    },
  };
}
