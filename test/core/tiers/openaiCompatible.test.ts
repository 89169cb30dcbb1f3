/**
 * The OpenAI-compatible tier against the loopback server that speaks the wire format (checked through
 * the official `openai` client in test/loopback/openai-server.test.ts): what reaches the server is read
 * from the server's own record, and aborts are asserted where they matter, on the wire.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import * as z from 'zod';
import type { LocalUsageEntry } from '../../../src/core/claude/ledger';
import { TiercelError } from '../../../src/core/errors';
import { isLoopbackUrl, OpenAiCompatibleTier, runStructuredTask, type OpenAiCompatibleTierDeps, type TierRequest } from '../../../src/core/tiers';
import { LocalUsageRecorder } from '../../../src/core/usage/recorder';
import { startOpenAiServer, type OpenAiServer } from '../../loopback/openai-server';

const MODEL = 'qwen2.5-coder-7b-instruct';

const ask = (extra: Partial<TierRequest> = {}): TierRequest => ({
  task: 'explain',
  system: 'You explain code.',
  messages: [{ role: 'user', content: 'What does x = 1 do?' }],
  maxTokens: 200,
  ...extra,
});

async function rejection(promise: Promise<unknown>): Promise<TiercelError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TiercelError, `expected a TiercelError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the request to fail');
}

describe('OpenAiCompatibleTier against the loopback OpenAI-compatible server', () => {
  let server: OpenAiServer;
  let settings: { baseUrl: string; model: string };
  let key: string | undefined;
  let recorded: LocalUsageEntry[];
  let recorder: LocalUsageRecorder;
  let clock: number;
  let waits: number[];

  const tier = (extra: Partial<OpenAiCompatibleTierDeps> = {}) =>
    new OpenAiCompatibleTier({
      settings: () => settings,
      apiKey: async () => key,
      usage: recorder,
      now: () => clock,
      sleep: async (ms) => void waits.push(ms),
      ...extra,
    });
  const chats = () => server.requests.filter((r) => r.path === '/v1/chat/completions');

  before(async () => {
    server = await startOpenAiServer();
  });
  after(() => server.close());
  beforeEach(() => {
    server.reset();
    server.configure({ respond: undefined, apiKey: undefined, models: undefined, responseDelayMs: 0, timeToFirstTokenMs: 0, tokenLatencyMs: 0, disconnectAfterTokens: undefined, errorAfterTokens: undefined, ignoreStreamOptions: false });
    settings = { baseUrl: server.baseUrl, model: MODEL };
    key = undefined;
    recorded = [];
    recorder = new LocalUsageRecorder({ ledger: { recordLocal: async (entry) => void recorded.push(entry) }, comparedModel: () => 'claude-sonnet-5-5', flushAfterMs: 60_000 });
    clock = 1_000_000;
    waits = [];
  });

  test('streams the answer delta by delta; the request is the streaming chat API with usage asked for', async () => {
    server.configure({ respond: () => ['It ', 'assigns ', '1.'] });
    const deltas: string[] = [];
    const answer = await tier().send(ask({ temperature: 0.1, onText: (delta) => deltas.push(delta) }));
    assert.equal(answer.text, 'It assigns 1.');
    assert.deepEqual(deltas, ['It ', 'assigns ', '1.']);
    assert.deepEqual([answer.tier, answer.provider, answer.model, answer.costUsd, answer.truncated], ['local', 'openai', MODEL, 0, false]);
    const [request] = chats();
    assert.equal(request?.method, 'POST');
    assert.equal(request?.body.stream, true);
    assert.deepEqual(request?.body.stream_options, { include_usage: true });
    assert.equal(request?.body.max_tokens, 200);
    assert.equal(request?.body.temperature, 0.1);
    assert.equal(request?.body.model, MODEL);
    assert.deepEqual(request?.body.messages, [
      { role: 'system', content: 'You explain code.' },
      { role: 'user', content: 'What does x = 1 do?' },
    ]);
    assert.equal(request?.body.response_format, undefined);
    assert.equal(request?.headers.authorization, undefined, 'no key, no Authorization header');
    assert.equal(request?.done, true);
  });

  test('usage comes from the usage chunk and is recorded as tier "openai" with savings', async () => {
    server.configure({ respond: () => ({ text: 'ok', usage: { prompt_tokens: 321, completion_tokens: 7 } }) });
    const answer = await tier().send(ask({ task: 'refactor' }));
    assert.equal(answer.inputTokens, 321);
    assert.equal(answer.outputTokens, 7);
    await recorder.flush();
    assert.equal(recorded.length, 1);
    const [line] = recorded;
    assert.deepEqual([line?.tier, line?.feature, line?.model, line?.requests, line?.tokens.input, line?.tokens.output], ['openai', 'refactor', MODEL, 1, 321, 7]);
    assert.ok((line?.savedUsd ?? 0) > 0, 'what Claude would have charged is recorded');
  });

  test('a server that sends no usage: tokens are estimated from the text', async () => {
    server.configure({ respond: () => 'a fairly long answer of several tokens', ignoreStreamOptions: true });
    const answer = await tier().send(ask());
    assert.equal(answer.outputTokens, Math.ceil('a fairly long answer of several tokens'.length / 3.2));
    assert.ok(answer.inputTokens > 0);
  });

  test('finish_reason length marks the answer truncated', async () => {
    server.configure({ respond: () => ['1', '2', '3', '4', '5'] });
    const answer = await tier().send(ask({ maxTokens: 3 }));
    assert.equal(answer.text, '123');
    assert.equal(answer.truncated, true);
  });

  test('the key goes as a bearer token', async () => {
    key = 'sk-local-123';
    server.configure({ apiKey: 'sk-local-123' });
    await tier().send(ask());
    assert.equal(chats()[0]?.headers.authorization, 'Bearer sk-local-123');
  });

  test('a structured task asks for a json_schema response_format and gets a validated object', async () => {
    server.configure({ respond: () => JSON.stringify({ summary: 'fine', score: 3 }) });
    const schema = z.object({ summary: z.string(), score: z.number().int() });
    const result = await runStructuredTask(tier(), { task: 'review', schema, accept: schema, system: 'Review.', prompt: 'code', maxTokens: 300 });
    assert.equal(result.ok, true);
    assert.deepEqual(result.ok && result.value, { summary: 'fine', score: 3 });
    const format = chats()[0]?.body.response_format;
    assert.equal(format?.type, 'json_schema');
    assert.equal(format?.json_schema.name, 'tiercel_review');
    assert.equal(format?.json_schema.strict, true);
    assert.deepEqual(Object.keys(format?.json_schema.schema.properties ?? {}).sort(), ['score', 'summary']);
  });

  test('a malformed structured answer gets one repair turn over the same API', async () => {
    const answers = ['not json', JSON.stringify({ summary: 'fixed' })];
    server.configure({ respond: () => answers.shift() ?? '' });
    const schema = z.object({ summary: z.string() });
    const result = await runStructuredTask(tier(), { task: 'debug', schema, accept: schema, system: 'S', prompt: 'p', maxTokens: 100 });
    assert.equal(result.ok, true);
    assert.equal(chats().length, 2);
    assert.deepEqual(
      chats()[1]?.body.messages.map((m: { role: string }) => m.role),
      ['system', 'user', 'assistant', 'user'],
    );
  });

  test('an abort while the server has not answered yet cancels the HTTP request itself', async () => {
    server.configure({ responseDelayMs: 2000 });
    const controller = new AbortController();
    const started = Date.now();
    const pending = tier().send(ask({ signal: controller.signal }));
    const [record] = await server.waitForRequests(1, 2000, '/v1/chat/completions');
    controller.abort();
    const error = await rejection(pending);
    assert.match(error.message, /cancelled/);
    assert.deepEqual(error.actions, []);
    await server.waitForClose(record!);
    assert.equal(record?.aborted, true);
    assert.equal(record?.abortedBeforeHeaders, true, 'the request was cut before the server answered');
    assert.ok(Date.now() - started < 1500, 'the caller did not wait for the server');
  });

  test('an abort mid-stream stops generation on the server', async () => {
    server.configure({ respond: () => Array.from({ length: 40 }, (_, i) => `w${i} `), tokenLatencyMs: 15 });
    const controller = new AbortController();
    let seen = 0;
    const error = await rejection(tier().send(ask({ signal: controller.signal, onText: () => ++seen === 3 && controller.abort() })));
    assert.match(error.message, /cancelled/);
    const [record] = chats();
    await server.waitForClose(record!);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(record?.aborted, true);
    assert.equal(record?.abortedBeforeHeaders, false);
    assert.ok(record!.tokens < 10, `the server stopped (${record?.tokens} tokens sent)`);
    assert.equal(record?.tokensAfterAbort, 1);
    await recorder.flush();
    assert.equal(recorded.length, 0, 'a cancelled request is not recorded as usage');
  });

  test('HTTP errors become TiercelErrors that name the server and the next action', async () => {
    key = 'wrong';
    server.configure({ apiKey: 'right' });
    let error = await rejection(tier().send(ask()));
    assert.match(error.message, new RegExp(`${server.baseUrl}.*401`));
    assert.match(error.message, /Set OpenAI-Compatible API Key/);
    assert.deepEqual(error.actions, ['setOpenAiKey']);

    server.configure({ apiKey: undefined });
    error = await rejection(tier().send(ask({ model: 'nope' })));
    assert.match(error.message, /has no model nope/);
    assert.deepEqual(error.actions, ['openSettings']);

    settings = { baseUrl: server.url, model: MODEL };
    error = await rejection(tier().send(ask()));
    assert.match(error.message, /end in \/v1/);

    settings = { baseUrl: server.baseUrl, model: MODEL };
    server.failNext({ status: 500, message: 'GPU fell over' });
    error = await rejection(tier().send(ask()));
    assert.match(error.message, /failed \(500: GPU fell over\)/);
    assert.deepEqual(error.actions, ['retry', 'showLog']);
  });

  test('a 429 is retried after the server\'s retry-after, with a status line; three in a row are reported', async () => {
    server.configure({ respond: () => 'after the wait' });
    server.failNext({ status: 429, message: 'Rate limit reached', code: 'rate_limit_exceeded', retryAfterSeconds: 2 });
    const statuses: string[] = [];
    const answer = await tier().send(ask({ onStatus: (s) => statuses.push(s) }));
    assert.equal(answer.text, 'after the wait');
    assert.deepEqual(waits, [2000]);
    assert.match(statuses[0] ?? '', /retrying in 2 s/);
    assert.equal(chats().length, 2);

    server.failNext(...Array.from({ length: 3 }, () => ({ status: 429, message: 'Rate limit reached', retryAfterSeconds: 60 })));
    const error = await rejection(tier().send(ask()));
    assert.match(error.message, /rate-limiting/);
    assert.deepEqual(waits.slice(1), [10_000, 10_000], 'waits are capped');
  });

  test('a stream cut mid-answer and an in-stream error event are failures, not short answers', async () => {
    server.configure({ respond: () => ['a', 'b', 'c', 'd'], disconnectAfterTokens: 2 });
    let error = await rejection(tier().send(ask()));
    assert.match(error.message, new RegExp(`${server.baseUrl}.*(closed the connection mid-answer|not reachable)`));
    assert.ok(error.actions.includes('retry'));

    server.configure({ disconnectAfterTokens: undefined, errorAfterTokens: 1 });
    error = await rejection(tier().send(ask()));
    assert.match(error.message, /failed mid-answer: The server had an error/);
    await recorder.flush();
    assert.equal(recorded.length, 0);
  });

  test('an unreachable server and missing settings are explained', async () => {
    const closed = await startOpenAiServer();
    await closed.close();
    settings = { baseUrl: closed.baseUrl, model: MODEL };
    let error = await rejection(tier().send(ask()));
    assert.match(error.message, new RegExp(`server at ${closed.baseUrl} is not reachable`));
    assert.deepEqual(error.actions, ['retry', 'openSettings']);

    settings = { baseUrl: '', model: MODEL };
    error = await rejection(tier().send(ask()));
    assert.match(error.message, /tiercel\.openaiCompatible\.baseUrl/);
    settings = { baseUrl: server.baseUrl, model: '' };
    error = await rejection(tier().send(ask()));
    assert.match(error.message, /tiercel\.openaiCompatible\.model/);
    assert.equal(chats().length, 0, 'nothing was sent');
  });

  describe('availability', () => {
    test('available when the server lists the model; the probe is cached, then asked again', async () => {
      const t = tier();
      assert.deepEqual(await t.availability(), { available: true });
      assert.deepEqual(await t.availability(), { available: true });
      assert.equal(server.requests.filter((r) => r.path === '/v1/models').length, 1, 'cached');
      clock += 11_000;
      await t.availability();
      assert.equal(server.requests.filter((r) => r.path === '/v1/models').length, 2, 'asked again after the TTL');
    });

    test('reasons: offline, model not served, no model set, key missing or refused', async () => {
      const closed = await startOpenAiServer();
      await closed.close();
      settings = { baseUrl: closed.baseUrl, model: MODEL };
      let state = await tier().availability();
      assert.ok(!state.available && /not reachable/.test(state.reason) && state.reason.includes(closed.baseUrl) && state.short === 'server offline');

      settings = { baseUrl: server.baseUrl, model: 'other-model' };
      state = await tier().availability();
      assert.ok(!state.available && state.short === 'other-model not served' && state.reason.includes(`it serves: ${MODEL}`));

      settings = { baseUrl: server.baseUrl, model: '' };
      state = await tier().availability();
      assert.ok(!state.available && state.short === 'no model set' && state.reason.includes(MODEL));

      settings = { baseUrl: server.baseUrl, model: MODEL };
      server.configure({ apiKey: 'right' });
      state = await tier().availability();
      assert.ok(!state.available && state.short === 'no server key' && state.actions.includes('setOpenAiKey'));
      key = 'wrong';
      state = await tier().availability();
      assert.ok(!state.available && state.short === 'key refused');
      key = 'right';
      assert.deepEqual(await tier().availability(), { available: true });
    });

    test('a new key is probed at once, not after the cache runs out', async () => {
      server.configure({ apiKey: 'right' });
      const t = tier();
      assert.equal((await t.availability()).available, false);
      key = 'right';
      assert.equal((await t.availability()).available, true);
    });

    test('the served window (vLLM max_model_len) is the context window; a longer prompt is refused unsent', async () => {
      server.configure({ models: [{ id: MODEL, maxModelLen: 1000 }] });
      const t = tier();
      assert.equal(t.contextWindow(), 32_768, 'before the probe: the local default');
      await t.availability();
      assert.equal(t.contextWindow(), 1000);
      const error = await rejection(t.send(ask({ messages: [{ role: 'user', content: 'x'.repeat(4000) }], maxTokens: 100 })));
      assert.deepEqual(error.actions, ['trimContext']);
      assert.equal(chats().length, 0);
      settings = { baseUrl: server.baseUrl, model: 'another-model' };
      assert.equal(t.contextWindow(), 32_768, 'a window read for one model is not another\'s');
    });
  });

  test('leavesMachine and the label say when the server is another machine', () => {
    settings = { baseUrl: 'http://127.0.0.1:8080/v1', model: MODEL };
    assert.equal(tier().leavesMachine, false);
    assert.equal(tier().label(), `Local · ${MODEL}`);
    settings = { baseUrl: 'http://gpu-box.lan:8000/v1', model: MODEL };
    assert.equal(tier().leavesMachine, true);
    assert.match(tier().label(), /gpu-box\.lan:8000.*code is sent there/);
  });

  test('isLoopbackUrl', () => {
    const cases: Array<[string, boolean]> = [
      ['http://127.0.0.1:8080/v1', true],
      ['http://127.1.2.3/v1', true],
      ['http://localhost:1234/v1', true],
      ['http://LOCALHOST/v1', true],
      ['http://api.localhost/v1', true],
      ['http://[::1]:8000/v1', true],
      ['http://[::ffff:127.0.0.1]:8000/v1', true],
      ['', true],
      ['http://192.168.1.20:8000/v1', false],
      ['http://10.0.0.1/v1', false],
      ['https://api.openai.com/v1', false],
      ['http://localhost.evil.com/v1', false],
      ['http://127.0.0.1.nip.io/v1', false],
      ['http://[::ffff:10.0.0.1]/v1', false],
      ['not a url', false],
    ];
    for (const [url, expected] of cases) assert.equal(isLoopbackUrl(url), expected, url);
  });
});
