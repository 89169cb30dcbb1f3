/**
 * The tier layer against the loopback servers, through the real clients: what each tier puts on the wire
 * (the Claude tier's privacy check, redaction, caching and structured output; the Ollama tier's format,
 * window and keep_alive), what it records in the ledger, and the router glue that picks between them.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import * as z from 'zod';
import { BudgetLedger } from '../../../src/core/claude/ledger';
import { TiercelError } from '../../../src/core/errors';
import { ClaudeTier, OllamaChatTier, runStructuredTask, TierSet, type TierRequest } from '../../../src/core/tiers';
import { usageRecords } from '../../../src/core/usage/report';
import { LocalUsageRecorder } from '../../../src/core/usage/recorder';
import { startAnthropicServer, type AnthropicServer } from '../../loopback/anthropic-server';
import { startOllamaServer, type OllamaServer } from '../../loopback/ollama-server';
import { tempDir } from '../claude/helpers';
import { ROUTING } from './helpers';

const KEY = 'sk-ant-test';
const AWS_KEY = 'AKIAIOSFODNN7EXAMPLE';

describe('tiers on the wire', () => {
  let anthropic: AnthropicServer;
  let ollama: OllamaServer;
  let ledger: BudgetLedger;
  let root: string;
  let cleanup: () => Promise<void>;
  const limits = { dailyUsd: 5, monthlyUsd: 50, confirmAboveUsd: 1 };

  const claudeTier = (extra: Partial<ConstructorParameters<typeof ClaudeTier>[0]> = {}) =>
    new ClaudeTier({
      apiKey: async () => KEY,
      settings: () => ({ model: 'claude-sonnet-5-5', baseUrl: anthropic.url, localOnly: false, limits }),
      ledger,
      ...extra,
    });
  const recorder = () => new LocalUsageRecorder({ ledger, comparedModel: () => 'claude-sonnet-5-5', flushAfterMs: 60_000 });
  const ollamaTier = (usage = recorder()) =>
    new OllamaChatTier({ settings: () => ({ url: ollama.url, model: 'qwen2.5-coder:7b-instruct', keepAlive: '30m' }), usage });
  const ask = (over: Partial<TierRequest> = {}): TierRequest => ({ task: 'chat', system: 'You help.', messages: [{ role: 'user', content: 'Why?' }], maxTokens: 256, ...over });
  const messages = () => anthropic.requests.filter((r) => r.path === '/v1/messages');

  before(async () => {
    anthropic = await startAnthropicServer({ requireApiKey: KEY, countTokens: () => 500 });
    ollama = await startOllamaServer();
  });
  after(async () => {
    await anthropic.close();
    await ollama.close();
  });
  beforeEach(async () => {
    anthropic.reset();
    ollama.reset();
    const dir = await tempDir();
    cleanup = dir.cleanup;
    ledger = new BudgetLedger({ path: dir.ledgerPath });
    root = path.join(path.dirname(dir.ledgerPath), 'ws');
    await mkdir(path.join(root, 'src'), { recursive: true });
    await writeFile(path.join(root, '.gitignore'), 'secret/\n');
  });
  afterEach(() => cleanup());

  test('Claude: instructions cached, every message redacted, answer with cost and the ledger settled', async () => {
    anthropic.enqueue({ kind: 'message', text: 'Because.', usage: { input_tokens: 900, output_tokens: 40 } });
    const answer = await claudeTier().send(ask({ messages: [{ role: 'user', content: `const key = "${AWS_KEY}";` }, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'Why?' }] }));
    assert.equal(answer.text, 'Because.');
    assert.equal(answer.tier, 'claude');
    assert.ok(answer.costUsd > 0);
    assert.equal(answer.redactions, 1);
    const [sent] = messages();
    assert.ok(sent);
    assert.ok(!sent.rawBody.includes(AWS_KEY), 'the secret never reached the server');
    assert.match(sent.rawBody, /\[REDACTED:aws-access-key\]/);
    assert.deepEqual(sent.body.system, [{ type: 'text', text: 'You help.', cache_control: { type: 'ephemeral' } }]);
    const kinds = (await ledger.read()).lines.map((l) => l.type);
    assert.deepEqual(kinds, ['reserve', 'settle']);
  });

  test('Claude: a declared source the privacy filter excludes stops the request before anything is sent', async () => {
    const tier = claudeTier();
    for (const source of ['.env', 'secret/notes.md', '../outside.ts']) {
      await assert.rejects(tier.send(ask({ sources: ['src/ok.ts', source], workspace: root })), (error: unknown) => error instanceof TiercelError && /excluded by your privacy settings/.test(error.message));
    }
    await assert.rejects(tier.send(ask({ sources: ['src/ok.ts'] })), /cannot check which workspace/);
    assert.equal(anthropic.requests.length, 0, 'not even count_tokens');
    anthropic.enqueue({ kind: 'message', text: 'fine' });
    assert.equal((await tier.send(ask({ sources: ['src/ok.ts'], workspace: root }))).text, 'fine');
  });

  test('Claude: local-only mode and a missing key are unavailable with the next step, and send nothing', async () => {
    const off = claudeTier({ settings: () => ({ model: 'claude-sonnet-5-5', baseUrl: anthropic.url, localOnly: true, limits }) });
    assert.deepEqual(await off.availability(), { available: false, reason: 'The Claude tier is off (local-only mode: tiercel.claude.localOnly).', short: 'local-only mode', actions: ['openSettings'] });
    await assert.rejects(off.send(ask()), /local-only mode/);
    const keyless = claudeTier({ apiKey: async () => undefined });
    assert.equal((await keyless.availability()).available, false);
    await assert.rejects(keyless.send(ask()), (e: unknown) => e instanceof TiercelError && e.actions.includes('setApiKey'));
    assert.equal(anthropic.requests.length, 0);
  });

  test('Claude: the privacy preview sees files, size and redactions; declining sends nothing', async () => {
    const seen: unknown[] = [];
    const tier = claudeTier({ confirmOutgoing: async (preview) => (seen.push(preview), false) });
    await assert.rejects(tier.send(ask({ sources: ['src/a.ts'], workspace: root, messages: [{ role: 'user', content: `key ${AWS_KEY}` }] })), /Not sent to Claude/);
    assert.equal(anthropic.requests.length, 0);
    assert.deepEqual(seen, [{ task: 'chat', model: 'claude-sonnet-5-5', sources: ['src/a.ts'], tokens: 13, redactions: 1 }]);
  });

  test('structured task on Claude: the schema goes as output_config, a malformed answer is repaired once', async () => {
    const schema = z.object({ verdict: z.enum(['yes', 'no']) });
    anthropic.enqueue({ kind: 'message', text: 'yes' }, { kind: 'message', text: '{"verdict":"yes"}' });
    const result = await runStructuredTask(claudeTier(), { task: 'review', schema, accept: schema, system: 'Judge.', prompt: 'Is it?', maxTokens: 100 });
    assert.ok(result.ok);
    assert.deepEqual(result.value, { verdict: 'yes' });
    assert.equal(result.answers.length, 2);
    const [first, repair] = messages();
    assert.equal(first!.body.output_config.format.type, 'json_schema');
    assert.deepEqual(first!.body.output_config.format.schema.required, ['verdict']);
    assert.equal(repair!.body.messages.length, 3);
    assert.match(repair!.body.messages[2].content, /could not be used: the answer is not JSON/);
  });

  test('Ollama chat: format, window, keep_alive and options on the wire; usage recorded with what Claude would have cost', async () => {
    ollama.configure({ respond: () => '{"verdict":"no"}' });
    const usage = recorder();
    const tier = ollamaTier(usage);
    const schema = z.object({ verdict: z.enum(['yes', 'no']) });
    const result = await runStructuredTask(tier, { task: 'review', schema, accept: schema, system: 'Judge.', prompt: 'x'.repeat(6000), maxTokens: 500, temperature: 0.2 });
    assert.ok(result.ok);
    assert.equal(result.answers[0]!.tier, 'local');
    assert.equal(result.costUsd, 0);
    const chat = ollama.requests.find((r) => r.path === '/api/chat')!;
    assert.equal(chat.body.model, 'qwen2.5-coder:7b-instruct');
    assert.equal(chat.body.keep_alive, '30m');
    assert.equal(chat.body.format.type, 'object');
    assert.equal(chat.body.messages[0].role, 'system');
    // 6,000 characters ≈ 1,880 tokens + 500 for the answer: the window is the next 1,024 step, never Ollama's 2-4k default.
    assert.equal(chat.body.options.num_ctx, 3072);
    assert.equal(chat.body.options.num_predict, 500);
    assert.equal(chat.body.options.temperature, 0.2);
    await usage.flush();
    const [record] = usageRecords((await ledger.read()).lines, new Date());
    assert.equal(record?.tier, 'local');
    assert.equal(record?.feature, 'review');
    assert.equal(record?.requests, 1);
    assert.ok(record!.inputTokens > 0 && record!.outputTokens > 0);
    assert.ok(record!.savedUsd > 0, 'the same tokens priced on Claude');
  });

  test('Ollama chat: offline and missing model are reported with their next step; cancel stops the request', async () => {
    const tier = ollamaTier();
    await ollama.stop();
    const down = await tier.availability();
    assert.equal(down.available, false);
    assert.match(!down.available ? down.reason : '', /Ollama is not reachable at http:\/\/127\.0\.0\.1:\d+/);
    await assert.rejects(tier.send(ask()), (e: unknown) => e instanceof TiercelError && e.actions.includes('startOllama'));
    await ollama.start();
    const missing = new OllamaChatTier({ settings: () => ({ url: ollama.url, model: 'nope:1b', keepAlive: '5m' }) });
    assert.match(JSON.stringify(await missing.availability()), /nope:1b is not installed/);

    ollama.configure({ respond: () => 'a b c d e f g h i j k l m n o p'.split(' '), tokenLatencyMs: 30 });
    const controller = new AbortController();
    const pending = tier.send(ask({ signal: controller.signal, onText: (_d, text) => text.length >= 3 && controller.abort() }));
    await assert.rejects(pending, /cancelled/);
    await ollama.waitForRequests(1, 2000, '/api/chat');
    await new Promise((r) => setTimeout(r, 100));
    const chat = ollama.requests.filter((r) => r.path === '/api/chat').at(-1)!;
    assert.ok(chat.aborted, 'the HTTP request was aborted');
    assert.ok(chat.tokensAfterAbort <= 1);
  });

  test('TierSet: a review goes to Claude; with the day spent it runs locally and says why; a bad local answer escalates', async () => {
    anthropic.enqueue({ kind: 'message', text: '{"verdict":"yes"}' }, { kind: 'message', text: '{"verdict":"yes"}' });
    ollama.configure({ respond: () => 'not json at all' });
    const tiers = new TierSet(() => ollamaTier(), claudeTier(), ledger, () => ROUTING);
    const schema = z.object({ verdict: z.enum(['yes', 'no']) });
    const task = { task: 'review' as const, schema, accept: schema, system: 'Judge.', prompt: 'Is it?', maxTokens: 100 };
    const onClaude = await tiers.runStructured(task, { files: 2, preference: 'claude' });
    assert.equal(onClaude.route.reason, 'Claude: review of 2 files');

    // A chat question stays local; its answer is unusable twice (answer + repair), so it escalates.
    const escalated = await tiers.runStructured({ ...task, task: 'chat' }, {});
    assert.equal(escalated.earlier?.route.tier, 'local');
    assert.equal(escalated.route.tier, 'claude');
    assert.equal(escalated.route.model, 'claude-haiku-5-5');
    assert.equal(escalated.route.reason, "Claude: the local model's chat failed");
    assert.ok(escalated.ok);

    const broke = new TierSet(() => ollamaTier(), claudeTier(), { summary: async () => ({ ...(await ledger.summary()), today: { ...(await ledger.summary()).today, usd: 2 } }) }, () => ROUTING);
    const routed = await broke.route({ task: 'review', system: 's', messages: [{ role: 'user', content: 'x' }], maxTokens: 100 }, { preference: 'claude' });
    assert.equal(routed.route.tier, 'local');
    assert.equal(routed.route.reason, "Local: over today's budget ($2.00)");
  });
});
