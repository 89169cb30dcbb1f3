/** The loopback Anthropic server, checked through the real `@anthropic-ai/sdk` so the fake can't drift from it. */
import Anthropic from '@anthropic-ai/sdk';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startAnthropicServer, type AnthropicServer } from './anthropic-server';

const KEY = 'sk-ant-test';
// A current model id: the SDK console.warns on deprecated ones (claude-sonnet-4-5 among them).
const MODEL = 'claude-sonnet-5-5';
const ask = (text: string) => ({
  model: MODEL,
  max_tokens: 256,
  messages: [{ role: 'user' as const, content: text }],
});

const findingsTool = {
  name: 'report_findings',
  description: 'Report review findings.',
  input_schema: {
    type: 'object' as const,
    properties: { findings: { type: 'array', items: { type: 'object' } } },
    required: ['findings'],
  },
};
const findings = { findings: [{ file: 'src/a.ts', startLine: 3, severity: 'high', message: 'off by one "<="' }] };

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('loopback Anthropic server, through @anthropic-ai/sdk', () => {
  let server: AnthropicServer;
  let client: Anthropic;
  const clientWith = (options: ConstructorParameters<typeof Anthropic>[0] = {}) =>
    new Anthropic({ apiKey: KEY, baseURL: server.url, maxRetries: 0, ...options });

  before(async () => {
    server = await startAnthropicServer({ requireApiKey: KEY });
    client = clientWith();
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  test('non-streaming: a Message with the request model, ids and every usage field', async () => {
    const message = await client.messages.create(ask('ping the loopback'));
    assert.match(message.id, /^msg_/);
    assert.match(message._request_id ?? '', /^req_/);
    assert.equal(message.model, MODEL);
    assert.equal(message.role, 'assistant');
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.stop_sequence, null);
    assert.deepEqual(message.content, [{ type: 'text', text: 'Echo: ping the loopback' }]);
    const { usage } = message;
    assert.ok(usage.input_tokens > 0);
    assert.equal(usage.output_tokens, Math.ceil('Echo: ping the loopback'.length / 4));
    assert.equal(usage.cache_creation_input_tokens, 0);
    assert.equal(usage.cache_read_input_tokens, 0);
    assert.deepEqual(usage.cache_creation, { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 });
    assert.equal(usage.service_tier, 'standard');
  });

  test('records the raw body, parsed body and headers of each request', async () => {
    await client.messages.create({ ...ask('needle-7f3a in the haystack'), system: 'be brief' });
    const [record] = server.requests;
    assert.ok(record);
    assert.equal(record.method, 'POST');
    assert.equal(record.path, '/v1/messages');
    assert.ok(record.rawBody.includes('needle-7f3a'));
    assert.equal(record.body.system, 'be brief');
    // SDK 1.x sends the API key as a bearer token, not as x-api-key.
    assert.equal(record.headers.authorization, `Bearer ${KEY}`);
    assert.equal(record.headers['x-api-key'], undefined);
    assert.ok(record.headers['anthropic-version']);
    assert.equal(record.aborted, false);
  });

  test('streaming: text arrives in deltas and message_delta usage overwrites (cumulative), never adds', async () => {
    const usage = { input_tokens: 30, output_tokens: 42 };
    server.enqueue({ kind: 'message', text: 'one two three four five', usage });
    const stream = client.messages.stream(ask('count'));
    const deltas: string[] = [];
    stream.on('text', (delta) => deltas.push(delta));
    const events: string[] = [];
    for await (const event of stream) events.push(event.type);
    const final = await stream.finalMessage();

    assert.deepEqual(deltas, ['one ', 'two ', 'three ', 'four ', 'five']);
    assert.deepEqual(events, [
      'message_start',
      'content_block_start',
      ...Array<string>(5).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]); // `ping` is swallowed by the SDK
    assert.deepEqual(final.content, [{ type: 'text', text: 'one two three four five' }]);
    assert.equal(final.stop_reason, 'end_turn');
    // message_start said 1 output token; adding would give 43.
    assert.equal(final.usage.output_tokens, 42);
    assert.equal(final.usage.input_tokens, 30);
    assert.equal(server.requests[0]?.body.stream, true);
  });

  test('cache writes (split by TTL) and reads are reported, non-streaming and streaming', async () => {
    const usage = {
      input_tokens: 12,
      cache_read_input_tokens: 3000,
      cache_creation: { ephemeral_5m_input_tokens: 2000, ephemeral_1h_input_tokens: 500 },
    };
    server.enqueue({ kind: 'message', text: 'cached', usage }, { kind: 'message', text: 'cached too', usage });
    const plain = (await client.messages.create(ask('a'))).usage;
    const streamed = (await client.messages.stream(ask('b')).finalMessage()).usage;
    for (const u of [plain, streamed]) {
      assert.equal(u.input_tokens, 12);
      assert.equal(u.cache_creation_input_tokens, 2500);
      assert.equal(u.cache_read_input_tokens, 3000);
      assert.deepEqual(u.cache_creation, usage.cache_creation);
    }
  });

  test('tool_use structured output: parsed from JSON and from input_json_delta pieces', async () => {
    const params = {
      ...ask('review this'),
      tools: [findingsTool],
      tool_choice: { type: 'tool' as const, name: 'report_findings' },
    };
    const toolReply = {
      kind: 'message' as const,
      content: [{ type: 'tool_use' as const, name: 'report_findings', input: findings }],
    };
    server.enqueue(toolReply, {
      ...toolReply,
      content: [{ type: 'text', text: 'Found one.' }, ...toolReply.content],
    });

    const message = await client.messages.create(params);
    assert.equal(message.stop_reason, 'tool_use');
    const [block] = message.content;
    assert.equal(block?.type, 'tool_use');
    assert.match(block.type === 'tool_use' ? block.id : '', /^toolu_/);
    assert.deepEqual(block.type === 'tool_use' ? block.input : undefined, findings);

    const stream = client.messages.stream(params);
    const pieces: string[] = [];
    stream.on('inputJson', (partial) => pieces.push(partial));
    const final = await stream.finalMessage();
    assert.ok(pieces.length > 2, 'the input arrives in several partial_json pieces');
    assert.equal(pieces.join(''), JSON.stringify(findings));
    assert.equal(final.stop_reason, 'tool_use');
    assert.deepEqual(final.content[0], { type: 'text', text: 'Found one.' });
    const tool = final.content[1];
    assert.equal(tool?.type, 'tool_use');
    assert.deepEqual(tool.type === 'tool_use' ? [tool.name, tool.input] : [], ['report_findings', findings]);
  });

  test('count_tokens answers {input_tokens} and agrees with the usage of the same request', async () => {
    const counted = await client.messages.countTokens({ model: MODEL, messages: ask('how many?').messages });
    assert.ok(counted.input_tokens > 0);
    assert.equal(server.requests[0]?.path, '/v1/messages/count_tokens');
    const message = await client.messages.create(ask('how many?'));
    assert.equal(message.usage.input_tokens, counted.input_tokens);

    const fixed = await startAnthropicServer({ countTokens: () => 1234 });
    try {
      const other = new Anthropic({ apiKey: KEY, baseURL: fixed.url, maxRetries: 0 });
      const count = await other.messages.countTokens({ model: MODEL, messages: ask('x').messages });
      assert.deepEqual(count, { input_tokens: 1234 });
      assert.equal((await other.messages.create(ask('x'))).usage.input_tokens, 1234);
    } finally {
      await fixed.close();
    }
  });

  test('a wrong key is a 401 AuthenticationError carrying the request id', async () => {
    const wrong = clientWith({ apiKey: 'sk-ant-wrong' });
    await assert.rejects(wrong.messages.create(ask('hi')), (error: unknown) => {
      assert.ok(error instanceof Anthropic.AuthenticationError);
      assert.equal(error.status, 401);
      assert.equal(error.type, 'authentication_error');
      assert.match(error.requestID ?? '', /^req_/);
      return true;
    });
  });

  test('an unknown path is a 404 NotFoundError', async () => {
    await assert.rejects(client.models.retrieve('no-such-model'), Anthropic.NotFoundError);
  });

  test('429 with retry-after: 1 is retried once after about a second, then succeeds', async () => {
    server.enqueue(
      { kind: 'error', status: 429, type: 'rate_limit_error', message: 'slow down', retryAfterSeconds: 1 },
      { kind: 'message', text: 'after the wait' },
    );
    const started = Date.now();
    const message = await clientWith({ maxRetries: 1 }).messages.create(ask('hi'));
    const elapsed = Date.now() - started;
    assert.deepEqual(message.content, [{ type: 'text', text: 'after the wait' }]);
    assert.equal(server.requests.length, 2);
    assert.ok(elapsed >= 900, `waited ${elapsed} ms`);
    assert.equal(server.requests[1]?.headers['x-stainless-retry-count'], '1');
  });

  test('529 overloaded is retried, then surfaces as an InternalServerError with status 529', async () => {
    // retry-after-ms keeps the retry quick; without it the SDK backs off ~0.5 s.
    const overloaded = {
      kind: 'error' as const,
      status: 529,
      type: 'overloaded_error',
      message: 'Overloaded',
      headers: { 'retry-after-ms': '10' },
    };
    server.enqueue(overloaded, overloaded);
    const check = (error: unknown) => {
      assert.ok(error instanceof Anthropic.InternalServerError);
      assert.ok(error instanceof Anthropic.OverloadedError, 'SDK 1.x has a class of its own for 529');
      assert.equal(error.status, 529);
      assert.equal(error.type, 'overloaded_error');
      assert.equal(error.apiMessage, 'Overloaded');
      return true;
    };
    await assert.rejects(clientWith({ maxRetries: 1 }).messages.create(ask('hi')), check);
    assert.equal(server.requests.length, 2);

    server.reset();
    server.enqueue(overloaded);
    await assert.rejects(client.messages.create(ask('hi')), check);
    assert.equal(server.requests.length, 1);
  });

  test('an in-stream error event after HTTP 200 rejects the stream, and is not retried', async () => {
    server.enqueue({ kind: 'message', text: 'a b c d', errorAfterChunks: 2 });
    const stream = clientWith({ maxRetries: 2 }).messages.stream(ask('hi'));
    const deltas: string[] = [];
    stream.on('text', (delta) => deltas.push(delta));
    await assert.rejects(stream.finalMessage(), (error: unknown) => {
      assert.ok(error instanceof Anthropic.APIError);
      assert.equal(error.status, undefined);
      assert.equal(error.type, 'overloaded_error');
      return true;
    });
    assert.deepEqual(deltas, ['a ', 'b ']);
    assert.equal(server.requests.length, 1);
  });

  test('a socket cut mid-stream rejects the stream', async () => {
    server.enqueue({ kind: 'message', text: 'a b c d', disconnectAfterChunks: 2 });
    const stream = clientWith({ maxRetries: 2 }).messages.stream(ask('hi'));
    await assert.rejects(stream.finalMessage());
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]?.aborted, false, 'the server hung up, not the client');
  });

  test('a socket cut before a non-streaming answer is a connection error', async () => {
    server.enqueue({ kind: 'message', text: 'never sent', disconnectAfterChunks: 0 });
    await assert.rejects(client.messages.create(ask('hi')), Anthropic.APIConnectionError);
  });

  test('aborting mid-stream with an AbortController: the stream rejects and the server records aborted', async () => {
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    server.enqueue({ kind: 'message', text: words, chunkDelayMs: 25 });
    const controller = new AbortController();
    const stream = client.messages.stream(ask('long answer'), { signal: controller.signal });
    stream.on('text', () => controller.abort());
    await assert.rejects(stream.finalMessage(), Anthropic.APIUserAbortError);
    await until(() => server.requests[0]?.aborted === true);
  });

  test('queued replies come first, then respond(), then the echo', async () => {
    const scripted = await startAnthropicServer({
      respond: (request) => (request.body.system === 'reviewer' ? { kind: 'message', text: 'LGTM' } : undefined),
    });
    try {
      const other = new Anthropic({ apiKey: KEY, baseURL: scripted.url, maxRetries: 0 });
      scripted.enqueue({ kind: 'message', text: 'queued' });
      const texts: string[] = [];
      for (const system of ['reviewer', 'reviewer', 'writer']) {
        const [block] = (await other.messages.create({ ...ask('hi'), system })).content;
        texts.push(block?.type === 'text' ? block.text : '');
      }
      assert.deepEqual(texts, ['queued', 'LGTM', 'Echo: hi']);
    } finally {
      await scripted.close();
    }
  });

  test('waitForRequests resolves once enough requests arrived and times out otherwise', async () => {
    const pending = server.waitForRequests(2);
    await client.messages.create(ask('1'));
    await client.messages.create(ask('2'));
    await pending;
    await assert.rejects(server.waitForRequests(3, 50), /expected 3 requests/);
  });
});
