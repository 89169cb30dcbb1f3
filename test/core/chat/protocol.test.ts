/**
 * The chat page is untrusted (it renders model output): the host acts only on messages its protocol
 * accepts. These are the shapes a compromised or buggy page could send, and what the host lets through.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHost, toPage } from '../../../src/webview/chat/protocol';

const ok = (message: unknown) => assert.ok(toHost.safeParse(message).success, JSON.stringify(message));
const rejected = (message: unknown) => assert.ok(!toHost.safeParse(message).success, JSON.stringify(message));

test('every message the page sends in normal use is accepted', () => {
  ok({ type: 'ready' });
  ok({ type: 'send', text: 'Why is sum NaN?', preference: 'auto' });
  ok({ type: 'cancel' });
  ok({ type: 'askClaude', id: 'a1b2c3' });
  ok({ type: 'action', id: 'a1', action: 'setApiKey' });
  ok({ type: 'addChip', kind: 'pickFile' });
  ok({ type: 'removeChip', id: 'live' });
  ok({ type: 'copy', code: 'x' });
  ok({ type: 'insert', code: 'const a = 1;\n' });
  ok({ type: 'apply', code: 'x', answerId: 'a1', file: 'src/sum.ts' });
  ok({ type: 'apply', code: 'x', answerId: 'a1' });
  ok({ type: 'openLink', url: 'https://example.com/a?b=c' });
  ok({ type: 'setPreference', preference: 'claude' });
  ok({ type: 'command', command: 'history' });
});

test('unknown types, missing or mistyped fields, and unknown enum values are rejected', () => {
  rejected(undefined);
  rejected('send');
  rejected({ type: 'eval', code: 'alert(1)' });
  rejected({ type: 'send', text: 'hi' });
  rejected({ type: 'send', text: '', preference: 'auto' });
  rejected({ type: 'send', text: 42, preference: 'auto' });
  rejected({ type: 'send', text: 'hi', preference: 'opus' });
  rejected({ type: 'action', id: 'a1', action: 'runCommand' });
  rejected({ type: 'addChip', kind: 'secrets' });
  rejected({ type: 'command', command: 'deleteAll' });
  rejected({ type: 'apply', code: 'x' });
});

test('ids cannot smuggle paths or selectors; sizes are bounded', () => {
  rejected({ type: 'askClaude', id: '../../x' });
  rejected({ type: 'removeChip', id: '"] , [data-id="x' });
  rejected({ type: 'askClaude', id: 'x'.repeat(65) });
  rejected({ type: 'send', text: 'x'.repeat(100_001), preference: 'auto' });
  rejected({ type: 'copy', code: 'x'.repeat(1_000_001) });
  rejected({ type: 'openLink', url: 'x'.repeat(4097) });
  rejected({ type: 'apply', code: 'x', answerId: 'a', file: 'x'.repeat(1001) });
});

test('the page checks the host too: a state with a wrong field is refused, a valid one passes', () => {
  const state = {
    type: 'state',
    conversation: { id: 'c1', title: 't', messages: [{ id: 'u1', role: 'user', text: 'q', attachments: [{ kind: 'file', label: 'sum.ts', detail: 'src/sum.ts' }] }] },
    chips: [{ id: 'live', kind: 'selection', label: 'sum.ts:3-4', detail: '', live: true }],
    editor: { problems: 0 },
    preference: 'auto',
    busy: false,
  };
  assert.ok(toPage.safeParse(state).success);
  assert.ok(!toPage.safeParse({ ...state, preference: 'gpt' }).success);
  const answer = { id: 'r1', role: 'assistant', replyTo: 'u1', text: 'a', status: 'done', label: 'Local · q', reason: 'r', leftOut: [], trimmed: 0, redactions: 0, truncated: false, canAskClaude: true };
  assert.ok(toPage.safeParse({ type: 'message', message: answer, at: 1 }).success);
  assert.ok(!toPage.safeParse({ type: 'message', message: { ...answer, status: 'exploded' }, at: 1 }).success);
  assert.ok(!toPage.safeParse({ type: 'message', message: answer, at: -1 }).success);
});
