/**
 * `refactor` as users run it: the built CLI in a child process over a temporary workspace, the real
 * Ollama client against the loopback Ollama. What the model was sent is asserted on the server's record.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startOllamaServer, type OllamaServer } from '../loopback/ollama-server';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
const CART = [
  'import { Item } from "./item";',
  '',
  'export function total(items: Item[]): number {',
  '  let t = 0;',
  '  for (const item of items) {',
  '    t = t + item.price * item.count;',
  '  }',
  '  return t;',
  '}',
  '',
].join('\n');
const SIMPLER = '```typescript\nexport function total(items: Item[]): number {\n  return items.reduce((t, item) => t + item.price * item.count, 0);\n}\n```';
const BROKEN = '```typescript\nexport function total(items: Item[]): number {\n  return items.reduce((t, item) => t + item.price * item.count, 0;\n}\n```';

describe('node dist/cli.js refactor', () => {
  let ollama: OllamaServer;
  let root: string;
  let scratch: string;
  let answers: string[];
  const chats = () => ollama.requests.filter((r) => r.path === '/api/chat');

  function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = { PATH: process.env.PATH, HOME: scratch, XDG_CACHE_HOME: path.join(scratch, 'cache'), XDG_CONFIG_HOME: path.join(scratch, 'config') };
    return new Promise((resolve) => {
      execFile(process.execPath, [CLI, 'refactor', '--workspace', root, '--ollama-url', ollama.url, ...args], { env }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  before(async () => {
    ollama = await startOllamaServer({ respond: () => answers.shift() ?? 'no answer scripted' });
    scratch = await mkdtemp(path.join(os.tmpdir(), 'tiercel-refactor-cli-'));
    root = path.join(scratch, 'ws');
    await mkdir(path.join(root, 'src'), { recursive: true });
    await writeFile(path.join(root, 'src/cart.ts'), CART);
    await writeFile(path.join(root, 'src/item.ts'), 'export interface Item {\n  price: number;\n  count: number;\n}\n');
  });
  after(async () => {
    await ollama.close();
    await rm(scratch, { recursive: true, force: true });
  });
  beforeEach(() => ollama.reset());

  test('prints the replacement of the range, with the definitions the code uses in the prompt; the file is not written', async () => {
    answers = [SIMPLER];
    const run = await cli(['--file', 'src/cart.ts', '--range', '3:9', '--preset', 'simplify']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'export function total(items: Item[]): number {\n  return items.reduce((t, item) => t + item.price * item.count, 0);\n}\n');
    assert.match(run.stderr, /^Local: you chose the local model\n/);
    assert.match(run.stderr, /Local · qwen2\.5-coder:7b-instruct · no cost/);
    const prompt = chats()[0]!.body.messages[1].content as string;
    assert.match(prompt, /<definition file="src\/item\.ts" lines="1-4">\nexport interface Item \{/);
    assert.match(prompt, /Task: Simplify this code/);
    assert.equal(await readFile(path.join(root, 'src/cart.ts'), 'utf8'), CART);
  });

  test('--diff prints a unified diff, --json the whole proposal', async () => {
    answers = [SIMPLER, SIMPLER];
    const diff = await cli(['--file', 'src/cart.ts', '--range', '3:9', '--instructions', 'Use reduce', '--diff', '--no-context']);
    assert.equal(diff.code, 0, diff.stderr);
    assert.match(diff.stdout, /^--- a\/src\/cart\.ts\n\+\+\+ b\/src\/cart\.ts\n@@ -1,9 \+1,5 @@/m);
    assert.match(diff.stdout, /^- {2}let t = 0;$/m);
    assert.match(diff.stdout, /^\+ {2}return items\.reduce/m);
    const json = await cli(['--file', 'src/cart.ts', '--range', '3:9', '--preset', 'simplify', '--json', '--no-context']);
    const out = JSON.parse(json.stdout);
    assert.equal(out.ok, true);
    assert.deepEqual(out.target, { startLine: 3, endLine: 9, kind: 'selection' });
    assert.equal(out.tier, 'local');
    assert.equal(out.attempts, 1);
    assert.deepEqual(out.changes[0].edit, { startLine: 3, endLine: 9, replacement: out.replacement });
  });

  test('a bad answer is retried once; a second bad one exits 1 with the syntax error and the Claude hint', async () => {
    answers = [BROKEN, SIMPLER];
    const fixed = await cli(['--file', 'src/cart.ts', '--range', '3:9', '--preset', 'simplify', '--no-context']);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.match(fixed.stderr, /fixed after one retry/);
    assert.equal(chats().length, 2);

    answers = [BROKEN, BROKEN];
    const refused = await cli(['--file', 'src/cart.ts', '--range', '3:9', '--preset', 'simplify', '--no-context']);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /the local model's answer has a syntax error: line 4:\d+: missing "\)" \(after one retry with the error\); nothing proposed\./);
    assert.match(refused.stderr, /Claude may do better: run again with --tier claude/);
    assert.equal(chats().length, 4);
  });

  test('write-tests proposes a test file; extract-function widens the range to its function', async () => {
    answers = ['src/cart.test.ts\n```typescript\nimport { total } from "./cart";\ntest("empty", () => expect(total([])).toBe(0));\n```'];
    const tests = await cli(['--file', 'src/cart.ts', '--range', '3:9', '--preset', 'write-tests', '--json', '--no-context']);
    assert.equal(tests.code, 0, tests.stderr);
    assert.deepEqual(JSON.parse(tests.stdout).changes, [{ kind: 'create', path: 'src/cart.test.ts', text: 'import { total } from "./cart";\ntest("empty", () => expect(total([])).toBe(0));' }]);
    assert.match(chats()[0]!.body.messages[1].content, /The tests go in a new file, src\/cart\.test\.ts\./);

    answers = ['```typescript\nfunction lineTotal(item: Item): number {\n  return item.price * item.count;\n}\n\nexport function total(items: Item[]): number {\n  let t = 0;\n  for (const item of items) {\n    t = t + lineTotal(item);\n  }\n  return t;\n}\n```'];
    const extract = await cli(['--file', 'src/cart.ts', '--range', '6:6', '--preset', 'extract-function', '--no-context']);
    assert.equal(extract.code, 0, extract.stderr);
    assert.match(extract.stderr, /^rewriting lines 3-9 \(function total\)/);
    assert.match(chats().at(-1)!.body.messages[1].content, /Lines to extract \(line 6\):\n```typescript\n {4}t = t \+ item\.price \* item\.count;\n```/);
  });

  test('usage mistakes exit 2', async () => {
    assert.equal((await cli(['--file', 'src/cart.ts', '--range', '3:9'])).code, 2);
    assert.equal((await cli(['--file', 'src/cart.ts', '--range', '9:3', '--preset', 'simplify'])).code, 2);
    assert.match((await cli(['--file', 'src/cart.ts', '--range', '3:9', '--preset', 'nope'])).stderr, /unknown preset nope; presets: extract-function, simplify/);
    assert.equal((await cli(['--file', 'src/cart.ts', '--range', '3:9', '--preset', 'simplify', '--tier', 'claude'])).code, 2, 'no key');
    assert.equal(chats().length, 0);
  });
});
