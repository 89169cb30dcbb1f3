/** `route` as users run it: the built CLI answers as the router's table says. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
let home: string;
before(async () => (home = await mkdtemp(path.join(os.tmpdir(), 'tiercel-route-'))));
after(() => rm(home, { recursive: true, force: true }));

function route(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // An empty home: the default ledger is empty, so the budget left is the default daily cap.
  const env = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: path.join(home, 'config') };
  return new Promise((resolve) => execFile(process.execPath, [CLI, 'route', ...args], { env }, (e, stdout, stderr) => resolve({ code: e ? Number(e.code ?? 1) : 0, stdout, stderr })));
}

const cases: Array<[string[], { tier: string; model: string; reason: string }]> = [
  [['--task', 'review', '--files', '3'], { tier: 'claude', model: 'claude-sonnet-5-5', reason: 'Claude: review of 3 files' }],
  [['--task', 'review', '--budget-left', '0'], { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: 'Local: over budget ($0.00 left)' }],
  [['--task', 'review', '--no-key'], { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: 'Local: no Anthropic API key is set' }],
  [['--task', 'review', '--claude-offline'], { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: 'Local: Claude is unreachable' }],
  [['--task', 'review', '--local-only'], { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: 'Local: local-only mode is on' }],
  [['--task', 'completion', '--tokens', '90000'], { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: 'Local: completions run on the local model' }],
  [['--task', 'explain', '--files', '5'], { tier: 'claude', model: 'claude-haiku-5-5', reason: 'Claude: the question spans 5 files' }],
  [['--task', 'explain'], { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: 'Local: a short explanation' }],
  [['--task', 'refactor', '--local-failed'], { tier: 'claude', model: 'claude-sonnet-5-5', reason: "Claude: the local model's refactor failed" }],
  [['--task', 'chat', '--local-offline'], { tier: 'claude', model: 'claude-haiku-5-5', reason: 'Claude: Ollama offline' }],
  [['--task', 'debug', '--errors', '5', '--error-files', '3'], { tier: 'claude', model: 'claude-sonnet-5-5', reason: 'Claude: the error spans 3 files' }],
  [['--task', 'refactor', '--tokens', '40000'], { tier: 'claude', model: 'claude-sonnet-5-5', reason: "Claude: 40,000 tokens do not fit the local model's window" }],
];

for (const [args, expected] of cases) {
  test(`route ${args.join(' ')}`, async () => {
    const run = await route(...args, '--json');
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), expected);
  });
}

test('route without --json prints one line; a bad task is a usage error', async () => {
  const text = await route('--task', 'review');
  assert.equal(text.stdout.trim(), 'Claude (claude-sonnet-5-5): review of 1 file');
  const bad = await route('--task', 'poetry');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--task must be one of completion, refactor, explain, chat, review, debug/);
});
