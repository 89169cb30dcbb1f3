/**
 * The loopback OpenAI-compatible server checked through the official `openai` client: if the client
 * OpenAI ships parses the stream, the errors and the model list, the tier's tests against this server
 * test it against the real wire format. The raw SSE bytes are checked too (what the client hides).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import OpenAI from 'openai';
import { startOpenAiServer, type OpenAiServer } from './openai-server';

const MODEL = 'qwen2.5-coder-7b-instruct';

describe('loopback OpenAI-compatible server through the official openai client', () => {
  let server: OpenAiServer;
  let client: OpenAI;
  before(async () => {
    server = await startOpenAiServer();
    // No retries: a test must see the server's first answer.
    client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'sk-loopback', maxRetries: 0 });
  });
  after(() => server.close());
  beforeEach(() => {
    server.reset();
    server.configure({ respond: undefined, apiKey: undefined, responseDelayMs: 0, timeToFirstTokenMs: 0, tokenLatencyMs: 0, disconnectAfterTokens: undefined, errorAfterTokens: undefined, ignoreStreamOptions: false, models: undefined });
  });

  test('models.list returns the served models', async () => {
    server.configure({ models: [{ id: MODEL }, { id: 'other', maxModelLen: 8192 }] });
    const page = await client.models.list();
    assert.deepEqual(
      page.data.map((m) => [m.id, m.object]),
      [
        [MODEL, 'model'],
        ['other', 'model'],
      ],
    );
    assert.equal((page.data[1] as unknown as { max_model_len: number }).max_model_len, 8192);
  });

  test('a stream: role first, a delta per token, finish_reason, then the usage chunk with no choices', async () => {
    server.configure({ respond: () => ['Hel', 'lo', ' there'] });
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.equal(chunks[0]?.choices[0]?.delta.role, 'assistant');
    assert.deepEqual(
      chunks.flatMap((c) => c.choices.map((choice) => choice.delta.content ?? '')).filter(Boolean),
      ['Hel', 'lo', ' there'],
    );
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    assert.equal(finish?.choices[0]?.finish_reason, 'stop');
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices, [], 'the usage chunk has no choices');
    assert.equal(last.usage?.completion_tokens, 3);
    assert.ok((last.usage?.prompt_tokens ?? 0) > 0);
    assert.equal(last.usage?.total_tokens, (last.usage?.prompt_tokens ?? 0) + 3);
    assert.ok(chunks.slice(0, -1).every((c) => c.usage === null), 'with include_usage every other chunk carries usage: null');
    assert.equal(new Set(chunks.map((c) => c.id)).size, 1, 'one id for the whole stream');
  });

  test('the raw stream is SSE data lines ending in [DONE]; without include_usage no usage at all', async () => {
    server.configure({ respond: () => ['a', 'b'] });
    const response = await fetch(`${server.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true }),
    });
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = (await response.text()).split('\n\n').filter(Boolean);
    assert.ok(events.every((e) => e.startsWith('data: ')));
    assert.equal(events.at(-1), 'data: [DONE]');
    const parsed = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)) as Record<string, unknown>);
    assert.equal(parsed.length, 4, 'role, a, b, finish');
    assert.ok(parsed.every((c) => !('usage' in c) && c.object === 'chat.completion.chunk'));
  });

  test('non-streaming: one chat.completion with the message, finish_reason and usage', async () => {
    server.configure({ respond: () => 'one two three four' });
    const completion = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'count' }], max_tokens: 2 });
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.choices[0]?.message.content, 'one two');
    assert.equal(completion.choices[0]?.finish_reason, 'length');
    assert.equal(completion.usage?.completion_tokens, 2);
  });

  test('max_tokens cuts a stream with finish_reason length', async () => {
    server.configure({ respond: () => ['1', '2', '3', '4'] });
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'n' }], stream: true, max_tokens: 3 });
    let text = '';
    let reason: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      reason = chunk.choices[0]?.finish_reason ?? reason;
    }
    assert.equal(text, '123');
    assert.equal(reason, 'length');
  });

  test('errors come in OpenAI\'s envelope with the status the client maps to its error classes', async () => {
    server.configure({ apiKey: 'right' });
    await assert.rejects(client.models.list(), (e) => e instanceof OpenAI.AuthenticationError && e.status === 401 && /Incorrect API key/.test(e.message));
    server.configure({ apiKey: undefined });
    await assert.rejects(client.chat.completions.create({ model: 'missing', messages: [{ role: 'user', content: 'x' }] }), (e) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found');
    server.failNext({ status: 429, message: 'Rate limit reached', code: 'rate_limit_exceeded', retryAfterSeconds: 3 });
    await assert.rejects(client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }), (e) => {
      assert.ok(e instanceof OpenAI.RateLimitError);
      assert.equal(e.headers.get('retry-after'), '3');
      return true;
    });
    server.failNext({ status: 500, message: 'The server had an error' });
    await assert.rejects(client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }), (e) => e instanceof OpenAI.InternalServerError && e.type === 'server_error');
  });

  test('requests OpenAI rejects are rejected with 400: stream_options without stream, a bad schema name, no messages', async () => {
    const bad = [
      { model: MODEL, messages: [{ role: 'user', content: 'x' }], stream_options: { include_usage: true } },
      { model: MODEL, messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema', json_schema: { name: 'has space', schema: {} } } },
      { model: MODEL, messages: [] },
    ];
    for (const body of bad) {
      await assert.rejects(client.chat.completions.create(body as never), (e) => e instanceof OpenAI.BadRequestError, JSON.stringify(body));
    }
  });

  test('an error after the stream began is an error event, which the client throws', async () => {
    server.configure({ respond: () => ['a', 'b', 'c'], errorAfterTokens: 1 });
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true });
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
      })(),
      (e) => e instanceof OpenAI.APIError && /server had an error/.test(e.message),
    );
    assert.deepEqual(seen.filter(Boolean), ['a']);
  });

  test('a mid-stream disconnect breaks the client\'s stream, and is not recorded as the client\'s abort', async () => {
    server.configure({ respond: () => ['a', 'b', 'c'], disconnectAfterTokens: 2 });
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true });
    await assert.rejects(async () => {
      for await (const chunk of stream) void chunk;
    });
    const [record] = server.requests;
    assert.equal(record?.tokens, 2);
    assert.equal(record?.aborted, false);
    assert.equal(record?.done, false);
  });

  test('a client abort is recorded, before the headers and mid-stream, and generation stops', async () => {
    server.configure({ responseDelayMs: 300 });
    const early = new AbortController();
    const pending = client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true }, { signal: early.signal });
    const [waiting] = await server.waitForRequests(1);
    early.abort();
    await assert.rejects(pending, (e) => e instanceof OpenAI.APIUserAbortError);
    await server.waitForClose(waiting!);
    assert.equal(waiting?.aborted, true);
    assert.equal(waiting?.abortedBeforeHeaders, true);

    server.reset();
    server.configure({ responseDelayMs: 0, respond: () => Array.from({ length: 50 }, (_, i) => `t${i}`), tokenLatencyMs: 20 });
    const late = new AbortController();
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x' }], stream: true }, { signal: late.signal });
    let received = 0;
    // The client ends the iteration quietly on an abort (it treats it as the caller's choice).
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content && ++received === 3) late.abort();
    }
    const [record] = server.requests;
    await server.waitForClose(record!);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(record?.aborted, true);
    assert.equal(record?.abortedBeforeHeaders, false);
    assert.ok(record!.tokens < 10, `generation stopped soon after the abort (${record?.tokens} tokens sent)`);
    assert.equal(record?.tokensAfterAbort, 1, 'one token is generated for no one, then it stops');
  });

  test('every request is recorded with its headers and body', async () => {
    await client.chat.completions.create({ model: MODEL, messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'u' }], temperature: 0.2 });
    const [record] = server.requests;
    assert.equal(record?.method, 'POST');
    assert.equal(record?.path, '/v1/chat/completions');
    assert.equal(record?.headers.authorization, 'Bearer sk-loopback');
    assert.equal(record?.body.temperature, 0.2);
    assert.deepEqual(record?.body.messages, [{ role: 'system', content: 's' }, { role: 'user', content: 'u' }]);
  });
});
