/**
 * The refactor pipeline through the real Ollama chat tier against the loopback Ollama (NDJSON /api/chat):
 * a good answer becomes a proposal; an answer with a syntax error goes back once with the error, and a
 * second bad one is refused with "Claude may do better" instead of being proposed.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { runRefactor } from '../../../src/core/refactor/run';
import type { RefactorRequest } from '../../../src/core/refactor/prompt';
import { SyntaxParsers } from '../../../src/core/syntax';
import { OllamaChatTier } from '../../../src/core/tiers';
import { startOllamaServer, type OllamaServer } from '../../loopback/ollama-server';
import { scriptedTier, tierSet } from '../tiers/helpers';

const parsers = new SyntaxParsers(path.resolve(__dirname, '../../../grammars'));
const FILE_TEXT = [
  'import { log } from "./log";',
  '',
  'export class Cart {',
  '  items: number[] = [];',
  '',
  '  total(): number {',
  '    let t = 0;',
  '    for (let i = 0; i < this.items.length; i++) {',
  '      t = t + this.items[i];',
  '    }',
  '    return t;',
  '  }',
  '}',
  '',
  'log(new Cart().total());',
  '',
].join('\n');
const REQUEST: RefactorRequest = { file: 'src/cart.ts', languageId: 'typescript', fileText: FILE_TEXT, target: { kind: 'function', startLine: 6, endLine: 12 }, preset: 'simplify' };
// The model answers at column 0, as small models often do.
const GOOD = 'Here is the simplified method:\n\n```typescript\ntotal(): number {\n  return this.items.reduce((t, x) => t + x, 0);\n}\n```\n';
const BROKEN = '```typescript\ntotal(): number {\n  return this.items.reduce((t, x) => t + x, 0;\n}\n```';

describe('runRefactor on the loopback Ollama', () => {
  let ollama: OllamaServer;
  let answers: string[];
  const chats = () => ollama.requests.filter((r) => r.path === '/api/chat');
  const local = () => new OllamaChatTier({ settings: () => ({ url: ollama.url, model: 'qwen2.5-coder:7b-instruct', keepAlive: '5m' }) });

  before(async () => {
    ollama = await startOllamaServer({ respond: () => answers.shift() ?? 'no answer scripted' });
  });
  after(() => ollama.close());
  beforeEach(() => ollama.reset());

  test('a good answer becomes a proposal: re-indented, only the target lines change, streamed as it came', async () => {
    answers = [GOOD];
    const partials: string[] = [];
    const result = await runRefactor(REQUEST, { tiers: tierSet(local(), scriptedTier('claude', [])), parsers, onPartial: (p) => partials.push(p.text) }, { preference: 'auto', maxContextTokens: 1000 });
    assert.ok(result.ok, result.ok ? '' : result.problem);
    assert.equal(result.route.tier, 'local');
    assert.match(result.route.reason, /^Local: refactors run locally/);
    assert.equal(result.attempts, 1);
    assert.equal(result.proposal.replacement, '  total(): number {\n    return this.items.reduce((t, x) => t + x, 0);\n  }');
    const [file] = result.proposal.files;
    const before = FILE_TEXT.split('\n');
    const after = file!.after.split('\n');
    assert.deepEqual(after.slice(0, 5), before.slice(0, 5), 'the lines above are untouched');
    assert.deepEqual(after.slice(-5), before.slice(-5), 'the lines below are untouched');
    assert.deepEqual(result.proposal.changes[0], { kind: 'lines', path: 'src/cart.ts', edit: { startLine: 6, endLine: 12, replacement: result.proposal.replacement }, expected: before.slice(5, 12).join('\n') });
    assert.ok(partials.length > 1, 'the preview saw the answer stream');
    assert.equal(partials.at(-1), file!.after);

    const [chat] = chats();
    assert.equal(chat!.body.model, 'qwen2.5-coder:7b-instruct');
    assert.equal(chat!.body.options.temperature, 0.2);
    assert.equal(chat!.body.options.num_predict, 512);
    assert.match(chat!.body.messages[1].content, /Code to rewrite \(lines 6-12 of src\/cart\.ts\):\n```typescript\n {2}total\(\): number \{/);
  });

  test('an answer with a syntax error goes back once with the error; a good second answer is proposed', async () => {
    answers = [BROKEN, GOOD];
    const result = await runRefactor(REQUEST, { tiers: tierSet(local(), scriptedTier('claude', [])), parsers }, { preference: 'auto', maxContextTokens: 1000 });
    assert.ok(result.ok, result.ok ? '' : result.problem);
    assert.equal(result.attempts, 2);
    const [, retry] = chats();
    const messages = retry!.body.messages as Array<{ role: string; content: string }>;
    assert.deepEqual(messages.map((m) => m.role), ['system', 'user', 'assistant', 'user']);
    assert.equal(messages[2]!.content, BROKEN);
    assert.match(messages[3]!.content, /^That answer has a syntax error: line 7:\d+: missing "\)"\. Answer again with the complete, corrected code only/);
  });

  test('a second bad answer is refused with the error and the Claude hint, not proposed', async () => {
    answers = [BROKEN, 'Sorry, here it is:\n```typescript\ntotal(): number {\n  return this.items.reduce((t, x) => t + x, 0)\n```'];
    const result = await runRefactor(REQUEST, { tiers: tierSet(local(), scriptedTier('claude', [])), parsers }, { preference: 'auto', maxContextTokens: 1000 });
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.equal(result.kind, 'syntax');
    assert.match(result.problem, /^has (a syntax error|syntax errors): line \d+:\d+: .*missing "\}"/);
    assert.equal(result.canTryClaude, true);
    assert.equal(result.attempts, 2);
    assert.equal(chats().length, 2, 'one retry, no more');
  });

  test('an unreadable answer takes the same retry path; a cut answer is not sent back', async () => {
    answers = ['I would use reduce here.', GOOD];
    const retried = await runRefactor(REQUEST, { tiers: tierSet(local(), scriptedTier('claude', [])), parsers }, { preference: 'auto', maxContextTokens: 1000 });
    assert.ok(retried.ok);
    assert.equal(retried.attempts, 2);

    ollama.reset();
    answers = [`\`\`\`typescript\n${'// filler\n'.repeat(400)}`];
    const cut = await runRefactor(REQUEST, { tiers: tierSet(local(), scriptedTier('claude', [])), parsers }, { preference: 'auto', maxContextTokens: 1000 });
    assert.ok(!cut.ok);
    assert.equal(cut.kind, 'truncated');
    assert.equal(chats().length, 1);
  });

  test('Try with Claude: the Claude tier answers (with the same gate); refused outright when Claude cannot be used', async () => {
    const claude = scriptedTier('claude', [GOOD]);
    const result = await runRefactor(REQUEST, { tiers: tierSet(local(), claude), parsers }, { preference: 'claude', fallback: false, workspace: '/w', maxContextTokens: 1000 });
    assert.ok(result.ok);
    assert.equal(result.route.tier, 'claude');
    assert.equal(result.costUsd, 0.01);
    assert.deepEqual(claude.requests[0]!.sources, ['src/cart.ts']);
    assert.equal(chats().length, 0, 'nothing went to the local model');

    const noKey = scriptedTier('claude', [], { availability: { available: false, reason: 'Set your Anthropic API key to use Claude.', short: 'no API key', actions: ['setApiKey'] } });
    await assert.rejects(runRefactor(REQUEST, { tiers: tierSet(local(), noKey), parsers }, { preference: 'claude', fallback: false, maxContextTokens: 1000 }), /Not sent: no Anthropic API key is set/);
  });

  test('a Claude answer with a redaction placeholder where the code had a secret is never proposed', async () => {
    const secret = { ...REQUEST, fileText: FILE_TEXT.replace('let t = 0;', 'let t = 0; const key = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789";') };
    const redacted = '```typescript\ntotal(): number {\n  const key = "[REDACTED:anthropic-key]";\n  return this.items.reduce((t, x) => t + x, 0);\n}\n```';
    const result = await runRefactor(secret, { tiers: tierSet(local(), scriptedTier('claude', [redacted, redacted])), parsers }, { preference: 'claude', fallback: false, maxContextTokens: 1000 });
    assert.ok(!result.ok);
    assert.match(result.problem, /\[REDACTED:…\] placeholder/);
    assert.equal(result.canTryClaude, false);
  });

  test('Write Tests answers with a test file: created when new, appended when it exists; the rest of the answer is checked too', async () => {
    const tests = 'src/cart.test.ts\n```typescript\nimport { Cart } from "./cart";\ntest("total", () => expect(new Cart().total()).toBe(0));\n```';
    answers = [tests];
    const created = await runRefactor({ ...REQUEST, preset: 'write-tests', tests: { path: 'src/cart.test.ts', framework: 'Vitest' } }, { tiers: tierSet(local(), scriptedTier('claude', [])), parsers }, { preference: 'auto', maxContextTokens: 1000 });
    assert.ok(created.ok, created.ok ? '' : created.problem);
    assert.deepEqual(created.proposal.changes, [{ kind: 'create', path: 'src/cart.test.ts', text: 'import { Cart } from "./cart";\ntest("total", () => expect(new Cart().total()).toBe(0));' }]);
    assert.equal(created.proposal.replacement, undefined);

    answers = [tests];
    const appended = await runRefactor(
      { ...REQUEST, preset: 'write-tests', tests: { path: 'src/cart.test.ts', framework: 'Vitest', existing: 'import { test } from "vitest";\n' } },
      { tiers: tierSet(local(), scriptedTier('claude', [])), parsers },
      { preference: 'auto', maxContextTokens: 1000 },
    );
    assert.ok(appended.ok);
    assert.equal(appended.proposal.files[0]!.after, 'import { test } from "vitest";\n\nimport { Cart } from "./cart";\ntest("total", () => expect(new Cart().total()).toBe(0));\n');

    // A new module the answer writes besides the rewrite is a second change, applied with it.
    answers = ['```typescript\ntotal(): number {\n  return sum(this.items);\n}\n```\n\nsrc/sum.ts\n```typescript\nexport const sum = (xs: number[]) => xs.reduce((t, x) => t + x, 0);\n```'];
    const moved = await runRefactor({ ...REQUEST, preset: undefined, instructions: 'Move the summing to src/sum.ts' }, { tiers: tierSet(local(), scriptedTier('claude', [])), parsers, readFile: async () => undefined }, { preference: 'auto', maxContextTokens: 1000 });
    assert.ok(moved.ok, moved.ok ? '' : moved.problem);
    assert.deepEqual(moved.proposal.changes.map((c) => `${c.kind} ${c.path}`), ['lines src/cart.ts', 'create src/sum.ts']);
  });
});
