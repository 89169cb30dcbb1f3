/**
 * `review` and `usage` as users run them: the built CLI in a child process, a real git repository,
 * the real SDK against the loopback Anthropic server. What reaches the server is asserted on its own
 * record: secrets and ignored files never arrive, and a refused review sends nothing at all.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startAnthropicServer, type AnthropicServer } from '../loopback/anthropic-server';
import { startOllamaServer, type OllamaServer } from '../loopback/ollama-server';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
const AWS_KEY = 'AKIAIOSFODNN7EXAMPLE';

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: clean }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

describe('node dist/cli.js review / usage', () => {
  let server: AnthropicServer;
  let ollama: OllamaServer;
  let repo: string;
  let ledger: string;
  let env: NodeJS.ProcessEnv;
  const messages = () => server.requests.filter((r) => r.path === '/v1/messages');

  before(async () => {
    server = await startAnthropicServer();
    ollama = await startOllamaServer({ respond: () => answer });
    repo = await mkdtemp(path.join(os.tmpdir(), 'tiercel-review-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });
    git('init', '-q');
    git('config', 'user.email', 't@example.com');
    git('config', 'user.name', 'T');
    await writeFile(path.join(repo, '.gitignore'), 'secrets/\n');
    await writeFile(path.join(repo, 'sum.ts'), 'export function sum(xs: number[]): number {\n  let t = 0;\n  for (let i = 0; i <= xs.length; i++) t += xs[i];\n  return t;\n}\n');
    git('add', '.');
    git('commit', '-qm', 'init');
    await writeFile(path.join(repo, 'sum.ts'), `export function sum(xs: number[]): number {\n  const key = "${AWS_KEY}";\n  let t = 0;\n  for (let i = 0; i <= xs.length; i++) t += xs[i];\n  return t;\n}\n`);
    await writeFile(path.join(repo, '.env'), 'DB_PASSWORD=hunter2hunter2\n');
    git('add', 'sum.ts', '.env', '-f');
    ledger = path.join(repo, '..', `${path.basename(repo)}-ledger.jsonl`);
    env = { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: server.url };
  });
  after(async () => {
    await server.close();
    await ollama.close();
    await rm(repo, { recursive: true, force: true });
    await rm(ledger, { force: true });
  });
  beforeEach(() => server.reset());

  const answer = JSON.stringify({
    summary: 'An off-by-one reads past the end.',
    findings: [
      { file: 'sum.ts', startLine: 4, endLine: 4, severity: 'error', category: 'bug', message: 'i <= xs.length reads xs[xs.length].', suggestion: '  for (let i = 0; i < xs.length; i++) t += xs[i];', confidence: 0.95 },
      { file: 'sum.ts', startLine: 2, endLine: 2, severity: 'info', category: 'maintainability', message: 'Unused constant.', confidence: 0.3 },
    ],
  });

  test('reviews staged changes: findings printed, secrets redacted, the .env never sent, spend in the ledger', async () => {
    server.enqueue({ kind: 'message', text: answer, usage: { input_tokens: 1200, output_tokens: 300, cache_creation_input_tokens: 400 } });
    const run = await cli(['review', '--workspace', repo, '--staged', '--ledger', ledger], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /sum\.ts:4: error \[bug\] i <= xs\.length/);
    assert.match(run.stdout, /1 low-confidence finding/);
    assert.match(run.stderr, /not sent: \.env \(/);
    const [request] = messages();
    assert.ok(request);
    assert.ok(!request.rawBody.includes(AWS_KEY), 'the AWS key was redacted');
    assert.ok(!request.rawBody.includes('hunter2'), 'the .env never left');
    assert.equal(request.body.output_config.format.type, 'json_schema');
    const usage = await cli(['usage', '--ledger', ledger, '--json'], {});
    const report = JSON.parse(usage.stdout);
    assert.equal(report.summary.today.requests, 1);
    assert.ok(report.summary.today.usd > 0);
  });

  test('over the daily cap: exit 4, the reason, and nothing sent', async () => {
    const run = await cli(['review', '--workspace', repo, '--file', 'sum.ts', '--ledger', ledger, '--budget-day', '0.001'], env);
    assert.equal(run.code, 4, run.stderr);
    assert.match(run.stderr, /not sent/);
    assert.equal(messages().length, 0, 'no /v1/messages request reached the server');
  });

  test('--json carries findings, low-confidence ones and the cost; --range reviews a selection', async () => {
    server.enqueue({ kind: 'message', text: answer });
    const run = await cli(['review', '--workspace', repo, '--file', 'sum.ts', '--range', '3:5', '--ledger', ledger, '--json'], env);
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.equal(out.findings.length, 1);
    assert.equal(out.lowConfidence.length, 1);
    assert.ok(out.costUsd > 0);
    assert.match(messages()[0]!.rawBody, /review-lines=\\"3-5\\"/);
    assert.match(messages()[0]!.rawBody, /3\| {3}let t = 0;/);
  });

  test('a rejected key is explained with exit 1', async () => {
    server.enqueue({ kind: 'error', status: 401, type: 'authentication_error', message: 'invalid x-api-key' });
    const run = await cli(['review', '--workspace', repo, '--file', 'sum.ts', '--ledger', ledger], env);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /key/i);
  });

  test('a malformed answer is reported, not crashed on', async () => {
    server.enqueue({ kind: 'message', text: '{"summary": "cut' });
    const run = await cli(['review', '--workspace', repo, '--file', 'sum.ts', '--ledger', ledger], env);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /could not be read as findings/);
    assert.ok((await readFile(ledger, 'utf8')).length > 0);
  });

  test('--tier local: the local model reviews, nothing reaches Claude, and the ledger records it as local with savings', async () => {
    const run = await cli(['review', '--workspace', repo, '--file', 'sum.ts', '--tier', 'local', '--ollama-url', ollama.url, '--ledger', ledger, '--json'], {});
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.equal(out.tier, 'local');
    assert.equal(out.model, 'qwen2.5-coder:7b-instruct');
    assert.equal(out.reason, 'Local: you chose the local model');
    assert.equal(out.findings.length, 1);
    assert.equal(messages().length, 0);
    const chat = ollama.requests.filter((r) => r.path === '/api/chat').at(-1)!;
    assert.equal(chat.body.format.type, 'object');
    assert.match(chat.body.messages[1].content, /3\| {3}let t = 0;/);
    const usage = JSON.parse((await cli(['usage', '--ledger', ledger, '--json'], {})).stdout);
    assert.ok(usage.report.byTier.local.requests >= 1);
    assert.ok(usage.report.savedUsd > 0);
  });

  test('--tier auto over the cap falls back to the local model and says why; --tier claude refuses', async () => {
    const auto = await cli(['review', '--workspace', repo, '--file', 'sum.ts', '--tier', 'auto', '--ollama-url', ollama.url, '--ledger', ledger, '--budget-day', '0'], env);
    assert.equal(auto.code, 0, auto.stderr);
    assert.match(auto.stderr, /^Local: over today's budget \(\$0\.00\)$/m);
    assert.match(auto.stdout, /Local model qwen2\.5-coder:7b-instruct: no cost\./);
    const strict = await cli(['review', '--workspace', repo, '--file', 'sum.ts', '--ledger', ledger, '--budget-day', '0'], env);
    assert.equal(strict.code, 4);
    assert.match(strict.stderr, /not sent\. Not sent: over today's budget/);
    assert.equal(messages().length, 0);
  });
});
