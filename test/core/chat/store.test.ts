import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ChatStore, MAX_CONVERSATIONS, conversationToMarkdown, folderChatStorage, memoryChatStorage, newConversation, putAnswer, addQuestion } from '../../../src/core/chat';
import { answer, attachment, nextId } from './helpers';

test('conversations survive a new store on the same folder (a restart), newest first', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tiercel-chat-'));
  try {
    const first = new ChatStore(folderChatStorage(dir));
    const a = newConversation('a1', 10);
    const q = addQuestion(a, { id: 'q1', text: 'Why is sum NaN?', attachments: [attachment({ kind: 'file', path: 'src/sum.ts', text: 'x' })], preference: 'auto', now: 11 });
    putAnswer(a, answer(q, 'Off by one.', { createdAt: 12 }));
    await first.save(a);
    const b = newConversation('b2', 20);
    addQuestion(b, { id: 'q2', text: 'later', attachments: [], preference: 'local', now: 21 });
    await first.save(b);

    const second = new ChatStore(folderChatStorage(dir));
    assert.deepEqual((await second.list()).map((c) => [c.id, c.title, c.messages]), [['b2', 'later', 1], ['a1', 'Why is sum NaN?', 2]]);
    assert.deepEqual(await second.load('a1'), a);
    await second.remove('a1');
    assert.deepEqual((await second.list()).map((c) => c.id), ['b2']);
    assert.equal(await second.load('a1'), undefined);
    assert.ok(!(await readdir(dir)).some((f) => f.endsWith('.tmp')), 'no temporary files left');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an answer saved mid-stream loads as stopped; a damaged file is skipped, the others load', async () => {
  const files = new Map<string, string>();
  const logs: string[] = [];
  const store = new ChatStore(memoryChatStorage(files), (m) => logs.push(m));
  const c = newConversation('c1', 1);
  const q = addQuestion(c, { id: 'q', text: 'hi', attachments: [], preference: 'auto', now: 1 });
  putAnswer(c, answer(q, 'half an ans', { status: 'streaming' }));
  await store.save(c);
  const loaded = (await store.load('c1'))!.messages[1]!;
  assert.equal(loaded.role === 'assistant' ? loaded.status : loaded.role, 'cancelled');

  files.set('c1.json', '{"id": "c1", "messages": [{"role": "robot"}]');
  assert.equal(await store.load('c1'), undefined);
  assert.match(logs.join('\n'), /c1 is unreadable/);
  files.set('index.json', 'not json');
  assert.deepEqual(await store.list(), []);
});

test('ids cannot name paths outside the folder', async () => {
  const files = new Map<string, string>();
  const store = new ChatStore(memoryChatStorage(files));
  assert.equal(await store.load('../../etc/passwd'), undefined);
  await assert.rejects(store.save({ ...newConversation('../x', 1) }));
});

test(`at most ${MAX_CONVERSATIONS} conversations are kept; the least recently updated go`, async () => {
  const files = new Map<string, string>();
  const store = new ChatStore(memoryChatStorage(files));
  for (let i = 0; i < MAX_CONVERSATIONS + 2; i++) await store.save(newConversation(`c${i}`, i));
  const list = await store.list();
  assert.equal(list.length, MAX_CONVERSATIONS);
  assert.ok(!list.some((c) => c.id === 'c0' || c.id === 'c1'));
  assert.ok(!files.has('c0.json') && files.has('c2.json'));
});

test('concurrent saves do not lose a conversation from the index', async () => {
  const store = new ChatStore(memoryChatStorage());
  await Promise.all(Array.from({ length: 8 }, (_, i) => store.save(newConversation(`p${i}`, i))));
  assert.equal((await store.list()).length, 8);
});

test('export to Markdown names the tiers, reasons, trims and what was left out', async () => {
  const c = newConversation('c', 1);
  const q = addQuestion(c, { id: nextId(), text: 'Why is sum NaN?', attachments: [attachment({ kind: 'file', path: 'src/sum.ts', label: 'sum.ts', text: 'x' })], preference: 'auto', now: 1 });
  putAnswer(c, answer(q, 'Off by one: use `<`.', { label: 'Claude · claude-haiku-5-5 · $0.0012', reason: 'Claude: you chose Claude', trimmed: 2, leftOut: [{ label: '.env', reason: 'kept local (default deny list: .env)' }] }));
  c.title = 'Why NaN';
  const markdown = conversationToMarkdown(c, new Date('2026-11-30T10:00:00Z'));
  assert.equal(
    markdown,
    [
      '# Why NaN', '', '_Exported from Tiercel on 2026-11-30 10:00 UTC._', '',
      '## You', '', 'Why is sum NaN?', '', 'Attached: `sum.ts`', '',
      '### Claude · claude-haiku-5-5 · $0.0012', '', '_Claude: you chose Claude_', '',
      "> 2 earlier question(s) were not sent with this one: the conversation is longer than the model's window.", '',
      '> Not sent: .env (kept local (default deny list: .env))', '', 'Off by one: use `<`.', '',
    ].join('\n'),
  );
});

test('the file on disk is plain JSON a person can read', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tiercel-chat-'));
  try {
    await new ChatStore(folderChatStorage(dir)).save(newConversation('x', 1));
    assert.equal(JSON.parse(await readFile(path.join(dir, 'x.json'), 'utf8')).title, 'New chat');
    await writeFile(path.join(dir, 'index.json'), '{"version": 1, "conversations": []}');
    assert.deepEqual(await new ChatStore(folderChatStorage(dir)).list(), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
