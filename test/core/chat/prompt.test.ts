import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addQuestion, buildChatPrompt, fitNewest, newConversation, putAnswer } from '../../../src/core/chat';
import { estimateTokens } from '../../../src/core/tokens';
import { answer, attachment, conversationOf, nextId } from './helpers';

test('fitNewest keeps the newest run that fits and counts the rest', () => {
  assert.deepEqual(fitNewest([5, 5, 5, 5], 12, (n) => n), { kept: [5, 5], dropped: 2 });
  assert.deepEqual(fitNewest([5, 5], 100, (n) => n), { kept: [5, 5], dropped: 0 });
  assert.deepEqual(fitNewest([5, 5], 4, (n) => n), { kept: [], dropped: 2 });
  // A small old item behind a large one is not kept: no holes in the middle of a conversation.
  assert.deepEqual(fitNewest([1, 50, 5], 10, (n) => n), { kept: [5], dropped: 2 });
});

test('a conversation that fits is sent whole, in order, ending with the question', () => {
  const { conversation, question } = conversationOf(3, 10);
  const prompt = buildChatPrompt(conversation, question, { leavesMachine: false, budgetTokens: 10_000 });
  assert.equal(prompt.trimmed, 0);
  assert.deepEqual(prompt.messages.map((m) => m.role), ['user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user']);
  assert.match(prompt.messages[0]!.content, /^question 0/);
  assert.equal(prompt.messages.at(-1)!.content, 'and now?');
  assert.equal(prompt.contextStart, conversation.messages[0]!.id);
});

test('a conversation longer than the window is trimmed from the oldest exchange, and says how many and where', () => {
  const { conversation, question } = conversationOf(10, 400);
  const perExchange = estimateTokens(`question 0 ${'q'.repeat(400)}`) + estimateTokens(`answer 0 ${'a'.repeat(400)}`) + 8;
  const prompt = buildChatPrompt(conversation, question, { leavesMachine: false, budgetTokens: 600 + perExchange * 3 });
  assert.ok(prompt.trimmed > 0 && prompt.trimmed < 10, `trimmed ${prompt.trimmed}`);
  assert.equal(prompt.messages.length, (10 - prompt.trimmed) * 2 + 1);
  // The oldest exchange sent is exactly the one after the trimmed ones, and the marker points at it.
  assert.match(prompt.messages[0]!.content, new RegExp(`^question ${prompt.trimmed} `));
  const firstKept = conversation.messages.filter((m) => m.role === 'user')[prompt.trimmed]!;
  assert.equal(prompt.contextStart, firstKept.id);
  const tokens = estimateTokens(prompt.system) + prompt.messages.reduce((n, m) => n + estimateTokens(m.content) + 4, 0);
  assert.ok(tokens <= 600 + perExchange * 3, `${tokens} tokens`);
});

test('a tiny window keeps only the question; an answer never travels without its question', () => {
  const { conversation, question } = conversationOf(4, 2000);
  const prompt = buildChatPrompt(conversation, question, { leavesMachine: false, budgetTokens: 300 });
  assert.equal(prompt.trimmed, 4);
  assert.deepEqual(prompt.messages.map((m) => m.role), ['user']);
  assert.equal(prompt.contextStart, question.id);
});

test('failed answers are not history; the last answer to a question (Ask Claude instead) is the one sent', () => {
  const conversation = newConversation('c', 1);
  const q = addQuestion(conversation, { id: nextId(), text: 'why?', attachments: [], preference: 'auto', now: 1 });
  putAnswer(conversation, answer(q, 'local says', { tier: 'local' }));
  putAnswer(conversation, answer(q, 'claude says', { tier: 'claude' }));
  const q2 = addQuestion(conversation, { id: nextId(), text: 'how?', attachments: [], preference: 'auto', now: 2 });
  putAnswer(conversation, answer(q2, '', { status: 'error', error: { message: 'offline', actions: [] } }));
  const q3 = addQuestion(conversation, { id: nextId(), text: 'so?', attachments: [], preference: 'auto', now: 3 });
  const prompt = buildChatPrompt(conversation, q3, { leavesMachine: false, budgetTokens: 10_000 });
  assert.deepEqual(prompt.messages.map((m) => m.content), ['why?', 'claude says', 'so?']);
});

test('a second answer to an earlier question goes under it, not at the end', () => {
  const { conversation } = conversationOf(2, 5);
  const [q0, a0] = conversation.messages;
  putAnswer(conversation, answer(q0 as never, 'from claude', { id: 'late', tier: 'claude' }));
  assert.deepEqual(conversation.messages.slice(0, 3).map((m) => m.id), [q0!.id, a0!.id, 'late']);
  assert.equal(conversation.messages.length, 6);
  putAnswer(conversation, answer(q0 as never, 'replaced', { id: 'late' }));
  assert.equal(conversation.messages[2]!.role === 'assistant' && conversation.messages[2]!.text, 'replaced');
});

test('attachments go with the question as fenced blocks; earlier questions carry only their names', () => {
  const conversation = newConversation('c', 1);
  const file = attachment({ kind: 'file', path: 'src/sum.ts', label: 'sum.ts', language: 'typescript', text: 'const a = "```";\n' });
  const q1 = addQuestion(conversation, { id: nextId(), text: 'explain', attachments: [file], preference: 'auto', now: 1 });
  putAnswer(conversation, answer(q1, 'it sums'));
  const q2 = addQuestion(conversation, { id: nextId(), text: 'test it', attachments: [file], preference: 'auto', now: 2 });
  const prompt = buildChatPrompt(conversation, q2, { leavesMachine: true, budgetTokens: 10_000 });
  assert.equal(prompt.messages[0]!.content, 'explain\n\n(Attached then: sum.ts)');
  const last = prompt.messages.at(-1)!.content;
  assert.match(last, /^File src\/sum\.ts:\n````typescript\nconst a = "```";\n````\n\ntest it$/);
  assert.deepEqual(prompt.sources, ['src/sum.ts']);
});

test('for a tier that leaves the machine, private attachments and local answers that saw them stay out, named', () => {
  const conversation = newConversation('c', 1);
  const env = attachment({ kind: 'file', path: '.env', label: '.env', text: 'TOKEN=abc', privateReason: 'default deny list: .env' });
  const code = attachment({ kind: 'selection', path: 'src/a.ts', label: 'a.ts:1-2', text: 'load()' });
  const q1 = addQuestion(conversation, { id: nextId(), text: 'what is in my env', attachments: [env], preference: 'local', now: 1 });
  putAnswer(conversation, answer(q1, 'TOKEN is abc', { tier: 'local' }));
  const q2 = addQuestion(conversation, { id: nextId(), text: 'why does load fail', attachments: [env, code], preference: 'claude', now: 2 });

  const toClaude = buildChatPrompt(conversation, q2, { leavesMachine: true, budgetTokens: 10_000 });
  const sent = JSON.stringify(toClaude.messages);
  assert.ok(!sent.includes('abc'), sent);
  assert.deepEqual(toClaude.sources, ['src/a.ts']);
  assert.deepEqual(toClaude.leftOut.map((l) => l.label), ['earlier question “what is in my env”', '.env']);
  assert.match(toClaude.leftOut[1]!.reason, /kept local \(default deny list: \.env\)/);

  const local = buildChatPrompt(conversation, q2, { leavesMachine: false, budgetTokens: 10_000 });
  assert.match(JSON.stringify(local.messages), /TOKEN=abc/);
  assert.deepEqual(local.leftOut, []);
});

test('attachments are cut to the context share of the budget, in priority order, and the cut is reported', () => {
  const conversation = newConversation('c', 1);
  const big = attachment({ kind: 'file', path: 'big.ts', label: 'big.ts', text: Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n') });
  const selection = attachment({ kind: 'selection', path: 'big.ts', label: 'big.ts:3-4', text: 'line 3\nline 4' });
  const q = addQuestion(conversation, { id: nextId(), text: 'hm', attachments: [big, selection], preference: 'auto', now: 1 });
  const prompt = buildChatPrompt(conversation, q, { leavesMachine: false, budgetTokens: 1000 });
  const content = prompt.messages[0]!.content;
  assert.ok(content.indexOf('Selected code') < content.indexOf('File big.ts'), 'the selection comes first');
  assert.ok(estimateTokens(content) <= 1000 * 0.6 + 20, `${estimateTokens(content)} tokens`);
  assert.equal(prompt.leftOut.length, 1);
  assert.match(prompt.leftOut[0]!.reason, /cut to its first \d+ of 2000 lines/);
});
