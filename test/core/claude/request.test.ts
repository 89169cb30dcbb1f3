/** sendClaudeRequest through the real @anthropic-ai/sdk against the loopback Anthropic server. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { BudgetExceededError, estimateInputTokens } from '../../../src/core/claude/budget';
import { createClaudeClient } from '../../../src/core/claude/client';
import { BudgetLedger, type LedgerLine } from '../../../src/core/claude/ledger';
import { ClaudeRequestError, sendClaudeRequest, type ClaudeParams, type ClaudeRequestDeps } from '../../../src/core/claude/request';
import { usageFromSdk } from '../../../src/core/claude/usage';
import { TiercelError } from '../../../src/core/errors';
import { startAnthropicServer, type AnthropicServer, type ScriptedReply } from '../../loopback/anthropic-server';
import { peakCommittedUsd, tempDir, tokens } from './helpers';

const KEY = 'sk-ant-test';
const MODEL = 'claude-sonnet-5-5';
/** What the loopback's count_tokens answers (and the default usage.input_tokens). */
const COUNTED = 1000;
/** (1000 × 1.05 × $2 + 1000 × $10) / 1e6 × 1.1 (geo not pinned). */
const WORST = 0.01331;

const ask = (text = 'review this', extra: Partial<ClaudeParams> = {}): ClaudeParams => ({
  model: MODEL,
  max_tokens: 1000,
  messages: [{ role: 'user', content: text }],
  ...extra,
});

/** Asserts the promise rejects with a ClaudeRequestError and returns it. */
async function failure(promise: Promise<unknown>): Promise<ClaudeRequestError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ClaudeRequestError, `expected a ClaudeRequestError, got ${String(error)}`);
    assert.ok(error instanceof TiercelError);
    return error;
  }
  assert.fail('expected the request to fail');
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('sendClaudeRequest through @anthropic-ai/sdk and the loopback server', () => {
  let server: AnthropicServer;
  let ledger: BudgetLedger;
  let ledgerPath: string;
  let cleanup: () => Promise<void>;

  const messagesSent = () => server.requests.filter((r) => r.path === '/v1/messages').length;
  const lines = async (): Promise<LedgerLine[]> => (await ledger.read()).lines;
  const deps = (extra: Partial<ClaudeRequestDeps> = {}, maxRetries = 2): ClaudeRequestDeps => ({
    client: createClaudeClient({ apiKey: KEY, baseUrl: server.url, maxRetries }),
    ledger,
    limits: { dailyUsd: 5, monthlyUsd: 50 },
    ...extra,
  });
  const send = (params: ClaudeParams = ask(), extra: Partial<ClaudeRequestDeps> = {}) =>
    sendClaudeRequest(deps(extra), { feature: 'review', params });

  before(async () => {
    server = await startAnthropicServer({ requireApiKey: KEY, countTokens: () => COUNTED });
  });
  after(() => server.close());
  beforeEach(async () => {
    server.reset();
    ({ ledgerPath, cleanup } = await tempDir());
    ledger = new BudgetLedger({ path: ledgerPath });
  });
  afterEach(() => cleanup());

  describe('usage accounting', () => {
    test('plain: usage to the token, cost from prices.json, one reserve and one settle line', async () => {
      server.enqueue({ kind: 'message', text: 'Looks fine.', usage: { input_tokens: 1200, output_tokens: 345 } });
      const result = await send();

      assert.deepEqual(result.usage, tokens({ input: 1200, output: 345 }));
      assert.equal(result.costUsd, 0.00585); // (1200 × $2 + 345 × $10) / 1e6
      assert.match(result.requestId ?? '', /^req_/);
      assert.deepEqual(result.message.content, [{ type: 'text', text: 'Looks fine.' }]);
      assert.deepEqual(result.worstCase, { usd: WORST, inputTokens: 1050, inputTokensSource: 'count_tokens', outputTokens: 1000 });

      assert.deepEqual(server.requests.map((r) => r.path), ['/v1/messages/count_tokens', '/v1/messages']);
      assert.equal(server.requests[0]?.body.max_tokens, undefined, 'count_tokens takes no max_tokens');
      assert.equal(server.requests[1]?.body.stream, true);

      const [reserve, settle] = await lines();
      assert.ok(reserve?.type === 'reserve' && settle?.type === 'settle');
      assert.equal(reserve.maxCostUsd, WORST);
      assert.equal(reserve.feature, 'review');
      assert.equal(settle.id, reserve.id);
      assert.equal(settle.costUsd, 0.00585);
      assert.deepEqual(settle.tokens, result.usage);
      assert.equal(settle.requestId, result.requestId);
      assert.equal(settle.outcome, 'ok');
      assert.equal((await ledger.summary()).today.usd, 0.00585);
    });

    test('cache writes (5m and 1h) and cache reads are counted and priced per kind, as the SDK reports them', async () => {
      const cases: Array<{ usage: Extract<ScriptedReply, { kind: 'message' }>['usage']; expected: ReturnType<typeof tokens>; cost: number; params?: ClaudeParams }> = [
        {
          usage: { input_tokens: 12, cache_creation_input_tokens: 2000, output_tokens: 50 },
          expected: tokens({ input: 12, cacheWrite5m: 2000, output: 50 }),
          cost: 0.005524, // 24 + 2000 × 2.5 + 500
          params: ask('x', { system: [{ type: 'text', text: 'context', cache_control: { type: 'ephemeral' } }] }),
        },
        {
          usage: { input_tokens: 12, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 1500 }, output_tokens: 50 },
          expected: tokens({ input: 12, cacheWrite1h: 1500, output: 50 }),
          cost: 0.006524, // 24 + 1500 × 4 + 500: not at the 5-minute rate
          params: ask('x', { system: [{ type: 'text', text: 'context', cache_control: { type: 'ephemeral', ttl: '1h' } }] }),
        },
        {
          usage: { input_tokens: 12, cache_read_input_tokens: 3000, output_tokens: 50 },
          expected: tokens({ input: 12, cacheRead: 3000, output: 50 }),
          cost: 0.000824, // 24 + 3000 × 0.1 + 500
        },
        {
          usage: {
            input_tokens: 12,
            cache_read_input_tokens: 3000,
            cache_creation: { ephemeral_5m_input_tokens: 2000, ephemeral_1h_input_tokens: 500 },
            output_tokens: 7,
          },
          expected: tokens({ input: 12, cacheWrite5m: 2000, cacheWrite1h: 500, cacheRead: 3000, output: 7 }),
          cost: 0.007394,
        },
      ];
      let total = 0;
      for (const { usage, expected, cost, params } of cases) {
        server.enqueue({ kind: 'message', text: 'cached', usage });
        const result = await send(params);
        assert.deepEqual(result.usage, expected);
        assert.deepEqual(usageFromSdk(result.message.usage), expected, "agrees with the SDK's final message");
        assert.equal(result.costUsd, cost);
        total += cost;
      }
      const summary = await ledger.summary();
      assert.equal(summary.today.usd, Math.round(total * 1e10) / 1e10);
      assert.deepEqual(summary.today.tokens, tokens({ input: 48, output: 157, cacheWrite5m: 4000, cacheWrite1h: 2000, cacheRead: 6000 }));
    });

    test('streaming: text arrives in deltas; message_delta usage overwrites message_start (cumulative), never adds', async () => {
      server.enqueue({ kind: 'message', text: 'one two three four five', usage: { input_tokens: 30, output_tokens: 42 } });
      const deltas: string[] = [];
      const result = await sendClaudeRequest(deps(), { feature: 'debug', params: ask(), onText: (delta) => deltas.push(delta) });
      assert.deepEqual(deltas, ['one ', 'two ', 'three ', 'four ', 'five']);
      // message_start said output_tokens 1; adding the delta's 42 would bill 43.
      assert.deepEqual(result.usage, tokens({ input: 30, output: 42 }));
      assert.equal(result.costUsd, 0.00048);
    });

    test('count_tokens unavailable: the calibrated offline estimate gates the request', async () => {
      const notFound = () =>
        new Response(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'Not found' } }), {
          status: 404,
          headers: { 'content-type': 'application/json' },
        });
      const client = createClaudeClient({
        apiKey: KEY,
        baseUrl: server.url,
        fetch: async (url, init) => (String(url).includes('count_tokens') ? notFound() : fetch(url, init)),
      });
      const params = ask('x'.repeat(7000));
      const result = await sendClaudeRequest({ ...deps(), client }, { feature: 'review', params });
      assert.equal(result.worstCase.inputTokensSource, 'estimate');
      assert.equal(result.worstCase.inputTokens, estimateInputTokens(params));
      assert.ok(result.worstCase.inputTokens > 7000 / 4);
    });
  });

  describe('the budget gate', () => {
    test('an unknown model is refused for billing and nothing reaches the server', async () => {
      const error = await failure(send(ask('hi', { model: 'claude-mystery-9' })));
      assert.equal(error.failure, 'unpriced');
      assert.match(error.message, /no price for the model "claude-mystery-9"/);
      assert.deepEqual(error.actions, ['openSettings']);
      assert.equal(server.requests.length, 0);
      assert.equal((await lines()).length, 0);
    });

    test('a prompt past the last priced tier (Haiku 5.5 above 100k tokens) is refused, nothing sent', async () => {
      const long = await startAnthropicServer({ countTokens: () => 120_000 });
      try {
        const client = createClaudeClient({ apiKey: KEY, baseUrl: long.url });
        const error = await failure(sendClaudeRequest({ ...deps(), client }, { feature: 'review', params: ask('x', { model: 'claude-haiku-5-5' }) }));
        assert.equal(error.failure, 'unpriced');
        assert.match(error.message, /about 120,000 tokens\) is longer than any claude-haiku-5-5 price Tiercel knows \(up to 100,000 tokens\)/);
        assert.deepEqual(error.actions, ['trimContext', 'runLocally']);
        assert.deepEqual(long.requests.map((r) => r.path), ['/v1/messages/count_tokens']);
        assert.equal((await lines()).length, 0);
      } finally {
        await long.close();
      }
    });

    test('over the daily cap: BudgetExceededError with a reason and ways out; nothing sent, nothing reserved', async () => {
      const seed = (await ledger.reserve({ feature: 'review', model: MODEL, maxCostUsd: 5 }, () => true))!;
      await ledger.settle(seed, { tokens: tokens({ input: 1 }), costUsd: 4.99, outcome: 'ok' });

      await assert.rejects(send(), (error: unknown) => {
        assert.ok(error instanceof BudgetExceededError);
        assert.ok(error instanceof TiercelError);
        assert.equal(error.decision.cap, 'daily');
        assert.equal(error.decision.worstCaseUsd, WORST);
        assert.match(error.message, /could cost up to \$0\.013, but only \$0\.01 of today's \$5\.00 Claude budget is left, so it was not sent/);
        assert.deepEqual(error.actions, ['runLocally', 'trimContext', 'raiseBudget']);
        return true;
      });
      assert.equal(messagesSent(), 0);
      assert.equal((await lines()).length, 2, 'only the seed');
    });

    test('over the monthly cap: refused the same way', async () => {
      const seed = (await ledger.reserve({ feature: 'debug', model: MODEL, maxCostUsd: 1 }, () => true))!;
      await ledger.settle(seed, { tokens: tokens({ input: 1 }), costUsd: 0.995, outcome: 'ok' });
      await assert.rejects(send(ask(), { limits: { dailyUsd: 100, monthlyUsd: 1 } }), (error: unknown) => {
        assert.ok(error instanceof BudgetExceededError);
        assert.equal(error.decision.cap, 'monthly');
        return true;
      });
      assert.equal(messagesSent(), 0);
    });

    test('above the confirm threshold: confirm is asked once; declining sends nothing, accepting sends', async () => {
      const asked: number[] = [];
      const limits = { dailyUsd: 5, monthlyUsd: 50, confirmAboveUsd: 0.01 };
      const declined = await failure(
        send(ask(), { limits, confirm: async (d) => (asked.push(d.worstCaseUsd), false) }),
      );
      assert.equal(declined.failure, 'declined');
      assert.deepEqual(asked, [WORST]);
      assert.equal(messagesSent(), 0);
      assert.equal((await lines()).length, 0);

      const result = await send(ask(), { limits, confirm: async () => true });
      assert.ok(result.costUsd > 0);
      assert.equal(messagesSent(), 1);

      const unasked = await failure(send(ask(), { limits }));
      assert.equal(unasked.failure, 'declined', 'without a way to ask, it is not sent');
      assert.equal(messagesSent(), 1);
    });

    test('10 concurrent requests never push spend past the cap; refused ones send nothing', async () => {
      const cap = 0.05; // room for 3 worst cases of $0.01331 at once
      const reply: ScriptedReply = { kind: 'message', text: 'a b c d e', usage: { input_tokens: 1000, output_tokens: 200 }, chunkDelayMs: 60 };
      for (let i = 0; i < 10; i++) server.enqueue(reply);
      const settled = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => send(ask(`request ${i}`), { limits: { dailyUsd: cap } })),
      );
      const ok = settled.filter((s) => s.status === 'fulfilled');
      const refused = settled.filter((s) => s.status === 'rejected' && s.reason instanceof BudgetExceededError);
      assert.equal(ok.length + refused.length, 10);
      assert.ok(ok.length >= 3 && refused.length >= 1, `${ok.length} sent, ${refused.length} refused`);
      assert.equal(messagesSent(), ok.length);
      const all = await lines();
      assert.ok(peakCommittedUsd(all) <= cap + 1e-9, `peak ${peakCommittedUsd(all)}`);
      assert.ok((await ledger.summary()).today.usd <= cap);
    });
  });

  describe('errors', () => {
    test('401 (count_tokens): "Anthropic rejected the API key" with Set key; no message request, nothing reserved', async () => {
      const client = createClaudeClient({ apiKey: 'sk-ant-wrong', baseUrl: server.url });
      const error = await failure(sendClaudeRequest({ ...deps(), client }, { feature: 'review', params: ask() }));
      assert.equal(error.failure, 'auth');
      assert.equal(error.message, 'Anthropic rejected the API key.');
      assert.deepEqual(error.actions, ['setApiKey']);
      assert.equal(messagesSent(), 0);
      assert.equal((await lines()).length, 0);
    });

    test('401 (messages): same message; the reservation is released at $0', async () => {
      server.enqueue({ kind: 'error', status: 401, type: 'authentication_error', message: 'invalid x-api-key' });
      const error = await failure(send());
      assert.equal(error.failure, 'auth');
      assert.equal(error.details.status, 401);
      assert.match(error.details.requestId ?? '', /^req_/);
      const [, settle] = await lines();
      assert.ok(settle?.type === 'settle');
      assert.equal(settle.outcome, 'released');
      assert.equal(settle.costUsd, 0);
      assert.equal((await ledger.summary()).today.usd, 0);
    });

    test('429 with a short retry-after: the SDK waits and retries, no countdown', async () => {
      server.enqueue(
        { kind: 'error', status: 429, type: 'rate_limit_error', message: 'slow down', retryAfterSeconds: 1 },
        { kind: 'message', text: 'after the wait' },
      );
      const statuses: string[] = [];
      const started = Date.now();
      const result = await send(ask(), { onStatus: (s) => statuses.push(s) });
      assert.ok(Date.now() - started >= 900);
      assert.deepEqual(result.message.content, [{ type: 'text', text: 'after the wait' }]);
      assert.equal(messagesSent(), 2);
      assert.deepEqual(statuses, []);
    });

    test('429 with a retry-after over 3 s: a visible countdown, then the SDK retry succeeds', async () => {
      server.enqueue(
        { kind: 'error', status: 429, type: 'rate_limit_error', message: 'slow down', headers: { 'retry-after-ms': '3400' } },
        { kind: 'message', text: 'after the wait' },
      );
      const statuses: string[] = [];
      await send(ask(), { onStatus: (s) => statuses.push(s) });
      assert.equal(messagesSent(), 2);
      // A tick a second: 4 s, 3 s, ... (timer drift under load may drop the last one).
      assert.equal(statuses[0], 'Claude is rate-limited; retrying in 4 s');
      assert.ok(statuses.filter((s) => /^Claude is rate-limited; retrying in [1-4] s$/.test(s)).length >= 3, statuses.join(' | '));
      assert.equal(statuses.at(-1), 'Retrying the Claude request…');
    });

    test('429 asking for longer than we wait: not waited out, one request, the wait in the message', async () => {
      server.enqueue({ kind: 'error', status: 429, type: 'rate_limit_error', message: 'slow down', retryAfterSeconds: 300 });
      const started = Date.now();
      const error = await failure(send());
      assert.ok(Date.now() - started < 2000);
      assert.equal(error.failure, 'rateLimited');
      assert.match(error.message, /rate-limiting Claude requests; try again in about 5 min/);
      assert.deepEqual(error.actions, ['retry', 'runLocally']);
      assert.equal(messagesSent(), 1);
    });

    test('529 overloaded: retried by the SDK, then offers to run locally; nothing charged', async () => {
      const overloaded: ScriptedReply = { kind: 'error', status: 529, type: 'overloaded_error', message: 'Overloaded', headers: { 'retry-after-ms': '10' } };
      server.enqueue(overloaded, overloaded, overloaded);
      const error = await failure(send());
      assert.equal(messagesSent(), 3, 'first try + the SDK’s 2 retries');
      assert.equal(error.failure, 'overloaded');
      assert.equal(error.details.status, 529);
      assert.equal(error.details.streamed, false);
      assert.deepEqual(error.actions, ['runLocally', 'retry']);
      assert.equal((await ledger.summary()).today.usd, 0);
    });

    test('an overloaded error event after HTTP 200: not retried, billed for what the API reported', async () => {
      server.enqueue({ kind: 'message', text: 'a b c d', errorAfterChunks: 2, usage: { input_tokens: 500, output_tokens: 40 } });
      const deltas: string[] = [];
      const error = await failure(sendClaudeRequest(deps(), { feature: 'review', params: ask(), onText: (d) => deltas.push(d) }));
      assert.deepEqual(deltas, ['a ', 'b ']);
      assert.equal(messagesSent(), 1);
      assert.equal(error.failure, 'overloaded');
      assert.equal(error.details.streamed, true);
      assert.match(error.message, /partway through the answer; a started answer is not retried automatically/);
      assert.deepEqual(error.actions, ['retry', 'runLocally']);
      // message_start's counts: 500 input, 1 output (no message_delta came).
      const [, settle] = await lines();
      assert.ok(settle?.type === 'settle');
      assert.equal(settle.outcome, 'error');
      assert.deepEqual(settle.tokens, tokens({ input: 500, output: 1 }));
      assert.equal(settle.costUsd, 0.00101);
      assert.equal(error.details.chargedUsd, 0.00101);
    });

    test('a socket cut mid-stream: interrupted, not retried, billed for what streamed', async () => {
      server.enqueue({ kind: 'message', text: 'a b c d', disconnectAfterChunks: 2, usage: { input_tokens: 500 } });
      const error = await failure(send());
      assert.equal(messagesSent(), 1);
      assert.equal(error.failure, 'interrupted');
      assert.equal(error.details.streamed, true);
      assert.match(error.message, /connection to Claude dropped partway through the answer/);
      const [, settle] = await lines();
      assert.ok(settle?.type === 'settle' && settle.outcome === 'error' && settle.costUsd === 0.00101);
    });

    test('offline: "Claude is unreachable" and run locally; the reservation is released', async () => {
      const gone = await startAnthropicServer();
      const url = gone.url;
      await gone.close();
      const client = createClaudeClient({ apiKey: KEY, baseUrl: url, maxRetries: 0 });
      const error = await failure(sendClaudeRequest({ ...deps(), client }, { feature: 'review', params: ask() }));
      assert.equal(error.failure, 'unreachable');
      assert.match(error.message, /^Claude is unreachable \(offline\?\)/);
      assert.deepEqual(error.actions, ['runLocally', 'retry']);
      const all = await lines();
      assert.equal(all.length, 2);
      assert.ok(all[1]?.type === 'settle' && all[1].outcome === 'released');
    });

    test('cancelled mid-stream: billed for what streamed, and the server sees the client leave', async () => {
      const words = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
      server.enqueue({ kind: 'message', text: words, chunkDelayMs: 25, usage: { input_tokens: 500 } });
      const controller = new AbortController();
      const error = await failure(
        sendClaudeRequest(deps(), { feature: 'review', params: ask(), signal: controller.signal, onText: () => controller.abort() }),
      );
      assert.equal(error.failure, 'cancelled');
      assert.deepEqual(error.actions, []);
      await until(() => server.requests.find((r) => r.path === '/v1/messages')?.aborted === true);
      const [, settle] = await lines();
      assert.ok(settle?.type === 'settle' && settle.outcome === 'aborted' && settle.costUsd > 0);
    });

    test('cancelled before sending: nothing reaches the server', async () => {
      const error = await failure(sendClaudeRequest(deps(), { feature: 'review', params: ask(), signal: AbortSignal.abort() }));
      assert.equal(error.failure, 'cancelled');
      assert.equal(server.requests.length, 0);
    });

    test('a throwing onText ends the request with that error, and what streamed is billed', async () => {
      server.enqueue({ kind: 'message', text: 'a b c d', chunkDelayMs: 5 });
      const bug = new Error('consumer bug');
      await assert.rejects(
        sendClaudeRequest(deps(), {
          feature: 'review',
          params: ask(),
          onText: () => {
            throw bug;
          },
        }),
        (error) => error === bug,
      );
      const [, settle] = await lines();
      assert.ok(settle?.type === 'settle' && settle.outcome === 'aborted');
    });

    for (const [name, reply] of [
      ['400 "usage limits"', { kind: 'error', status: 400, type: 'invalid_request_error', message: 'You have reached your specified API usage limits. You will regain access on 2026-12-01 at 00:00 UTC.' }],
      ['429 enforced spend limit (a 429 the SDK would otherwise retry)', { kind: 'error', status: 429, type: 'rate_limit_error', message: "This request would exceed your organization's enforced spend limit." }],
      ['402 credit balance', { kind: 'error', status: 402, type: 'billing_error', message: 'Your credit balance is too low to access the Anthropic API.' }],
    ] as const) {
      test(`spend limit from the API (${name}): terminal, explained, not retried`, async () => {
        server.enqueue(reply as ScriptedReply, reply as ScriptedReply, reply as ScriptedReply);
        const error = await failure(send());
        assert.equal(messagesSent(), 1);
        assert.equal(error.failure, 'spendLimit');
        assert.match(error.message, /spend limit or credit balance is used up .* Tiercel will not retry it/);
        assert.deepEqual(error.actions, ['runLocally']);
        assert.equal((await ledger.summary()).today.usd, 0);
      });
    }
  });

  test('the ledger file is JSONL: one whole line per event', async () => {
    server.enqueue({ kind: 'message', text: 'ok' });
    await send();
    const text = await readFile(ledgerPath, 'utf8');
    assert.ok(text.endsWith('\n'));
    assert.deepEqual(text.trimEnd().split('\n').map((l) => JSON.parse(l).type), ['reserve', 'settle']);
  });
});
