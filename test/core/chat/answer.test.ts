import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addQuestion, answerQuestion, newConversation, type ChatLimits } from '../../../src/core/chat';
import { OllamaChatTier } from '../../../src/core/tiers';
import { startOllamaServer } from '../../loopback/ollama-server';
import { scriptedTier, tierSet } from '../tiers/helpers';
import { attachment, nextId } from './helpers';

const LIMITS: ChatLimits = { maxInputTokens: 8000, maxOutputTokens: 1024 };

function ask(text: string, attachments = [attachment({ kind: 'selection', path: 'src/a.ts', text: 'a()' })]) {
  const conversation = newConversation('c', 1);
  const question = addQuestion(conversation, { id: nextId(), text, attachments, preference: 'auto', now: 1 });
  return { conversation, question };
}

test('auto: a short question is answered locally, labelled with the model and the router\'s reason, streamed', async () => {
  const local = scriptedTier('local', ['It calls a.']);
  const claude = scriptedTier('claude', []);
  const { conversation, question } = ask('what does this do?');
  const started: string[] = [];
  const deltas: string[] = [];
  const answer = await answerQuestion(conversation, question, {
    tiers: tierSet(local, claude), limits: LIMITS, preference: 'auto', id: 'r1', workspace: '/w',
    onStart: (a) => started.push(`${a.status} ${a.label}`), onText: (d) => deltas.push(d),
  });
  assert.deepEqual(started, ['streaming Local · qwen2.5-coder:7b-instruct']);
  assert.deepEqual(deltas, ['It calls a.']);
  assert.equal(answer.status, 'done');
  assert.equal(answer.text, 'It calls a.');
  assert.equal(answer.label, 'Local · qwen2.5-coder:7b-instruct');
  assert.equal(answer.reason, 'Local: a short question in one place');
  assert.equal(answer.replyTo, question.id);
  assert.equal(local.requests[0]!.task, 'chat');
  assert.equal(local.requests[0]!.maxTokens, 1024);
});

test('claude: the light model, the cost in the label, sources and workspace for the privacy guard, nothing private', async () => {
  const local = scriptedTier('local', []);
  const claude = scriptedTier('claude', ['Use <.'], { costUsd: 0.0012 });
  const env = attachment({ kind: 'file', path: '.env', label: '.env', text: 'SECRET=1', privateReason: 'default deny list: .env' });
  const { conversation, question } = ask('why?', [attachment({ kind: 'selection', path: 'src/a.ts', text: 'a()' }), env]);
  const answer = await answerQuestion(conversation, question, { tiers: tierSet(local, claude), limits: LIMITS, preference: 'claude', id: 'r', workspace: '/w' });
  assert.equal(answer.label, 'Claude · claude-haiku-5-5 · $0.0012');
  assert.equal(answer.reason, 'Claude: you chose Claude');
  assert.equal(answer.costUsd, 0.0012);
  const sent = claude.requests[0]!;
  assert.equal(sent.model, 'claude-haiku-5-5');
  assert.deepEqual(sent.sources, ['src/a.ts']);
  assert.equal(sent.workspace, '/w');
  assert.ok(!JSON.stringify(sent.messages).includes('SECRET'));
  assert.deepEqual(answer.leftOut, [{ label: '.env', reason: 'kept local (default deny list: .env)' }]);
});

test('picker on Claude without a key: answered locally, and the answer says why', async () => {
  const local = scriptedTier('local', ['local answer']);
  const claude = scriptedTier('claude', [], { availability: { available: false, reason: 'Set your Anthropic API key to use Claude.', short: 'no API key', actions: ['setApiKey'] } });
  const { conversation, question } = ask('q');
  const answer = await answerQuestion(conversation, question, { tiers: tierSet(local, claude), limits: LIMITS, preference: 'claude', id: 'r' });
  assert.equal(answer.tier, 'local');
  assert.equal(answer.fallback, 'no Anthropic API key is set');
  assert.equal(answer.reason, 'Local: no Anthropic API key is set');
});

test('Ask Claude instead (no fallback) without a key: not sent anywhere, an error with Set Key and Run Locally', async () => {
  const local = scriptedTier('local', []);
  const claude = scriptedTier('claude', [], { availability: { available: false, reason: 'Set your Anthropic API key to use Claude.', short: 'no API key', actions: ['setApiKey'] } });
  const { conversation, question } = ask('q');
  const answer = await answerQuestion(conversation, question, { tiers: tierSet(local, claude), limits: LIMITS, preference: 'claude', fallback: false, id: 'r' });
  assert.equal(answer.status, 'error');
  assert.equal(answer.error!.message, 'Not sent: no Anthropic API key is set.');
  assert.deepEqual(answer.error!.actions, ['setApiKey', 'runLocally']);
  assert.equal(local.requests.length + claude.requests.length, 0);
});

test('over budget: Ask Claude instead is refused with Raise the Cap', async () => {
  const { conversation, question } = ask('q');
  const answer = await answerQuestion(conversation, question, {
    tiers: tierSet(scriptedTier('local', []), scriptedTier('claude', []), { spentToday: 2 }), limits: LIMITS, preference: 'claude', fallback: false, id: 'r',
  });
  assert.equal(answer.status, 'error');
  assert.match(answer.error!.message, /over today's budget \(\$2\.00\)/);
  assert.ok(answer.error!.actions.includes('raiseBudget'));
});

test('a tier failure is an answer with the error and its actions, keeping any text that streamed', async () => {
  const local = scriptedTier('local', []);
  const { conversation, question } = ask('q');
  const answer = await answerQuestion(conversation, question, { tiers: tierSet(local, scriptedTier('claude', [])), limits: LIMITS, preference: 'local', id: 'r' });
  assert.equal(answer.status, 'error');
  assert.match(answer.error!.message, /no scripted answer left/);
  assert.deepEqual(answer.error!.actions, ['retry', 'showLog']);
});

test('against the loopback Ollama: streamed deltas, then a stop mid-answer keeps the text and says stopped', async () => {
  const ollama = await startOllamaServer({ respond: () => 'The loop reads one past the end, so the sum is NaN.', tokenLatencyMs: 15 });
  try {
    const local = new OllamaChatTier({ settings: () => ({ url: ollama.url, model: 'qwen2.5-coder:7b-instruct', keepAlive: '5m' }) });
    const tiers = tierSet(local, scriptedTier('claude', []));
    const { conversation, question } = ask('why NaN?');
    const deltas: string[] = [];
    const done = await answerQuestion(conversation, question, { tiers, limits: LIMITS, preference: 'auto', id: 'r1', onText: (d) => deltas.push(d) });
    assert.equal(done.status, 'done');
    assert.equal(done.text, 'The loop reads one past the end, so the sum is NaN.');
    assert.ok(deltas.length > 5, `${deltas.length} deltas`);
    const chat = ollama.requests.find((r) => r.path === '/api/chat')!;
    assert.match(chat.body.messages.at(-1).content, /a\(\)[\s\S]*why NaN\?$/);

    const controller = new AbortController();
    const stopped = await answerQuestion(conversation, question, {
      tiers, limits: LIMITS, preference: 'auto', id: 'r2', signal: controller.signal,
      onText: (_d, text) => { if (text.length > 10) controller.abort(); },
    });
    assert.equal(stopped.status, 'cancelled');
    assert.ok(stopped.text.length > 10 && stopped.text.length < done.text.length, stopped.text);
  } finally {
    await ollama.close();
  }
});
