/**
 * `review --tier local` on an OpenAI-compatible server: the built CLI in a child process against the
 * loopback server, the key from TIERCEL_OPENAI_API_KEY, the usage in the shared ledger as tier "openai".
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startOpenAiServer, type OpenAiServer } from '../loopback/openai-server';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
const MODEL = 'qwen2.5-coder-7b-instruct';

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: clean }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

describe('node dist/cli.js review on an OpenAI-compatible server', () => {
  let server: OpenAiServer;
  let dir: string;
  let ledger: string;
  const chats = () => server.requests.filter((r) => r.path === '/v1/chat/completions');

  before(async () => {
    server = await startOpenAiServer({ apiKey: 'sk-box' });
    dir = await mkdtemp(path.join(os.tmpdir(), 'tiercel-review-openai-'));
    await writeFile(path.join(dir, 'sum.ts'), 'export function sum(xs: number[]): number {\n  let t = 0;\n  for (let i = 0; i <= xs.length; i++) t += xs[i];\n  return t;\n}\n');
    ledger = path.join(dir, 'ledger.jsonl');
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => server.reset());

  const answer = JSON.stringify({
    summary: 'An off-by-one reads past the end.',
    findings: [{ file: 'sum.ts', startLine: 3, endLine: 3, severity: 'error', category: 'bug', message: 'i <= xs.length reads xs[xs.length].', confidence: 0.9 }],
  });

  test('--openai-url and --local-model: the review runs there with the key, and the ledger counts it', async () => {
    server.configure({ respond: () => ({ text: answer, usage: { prompt_tokens: 900, completion_tokens: 80 } }) });
    const run = await cli(['review', '--workspace', dir, '--file', 'sum.ts', '--tier', 'local', '--openai-url', server.baseUrl, '--local-model', MODEL, '--ledger', ledger, '--no-context'], { TIERCEL_OPENAI_API_KEY: 'sk-box' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /sum\.ts:3: error \[bug\]/);
    assert.match(run.stdout, new RegExp(`Local model ${MODEL}: no cost`));
    const [request] = chats();
    assert.equal(request?.headers.authorization, 'Bearer sk-box');
    assert.equal(request?.body.response_format?.type, 'json_schema');
    assert.equal(request?.body.stream, true);
    const lines = (await readFile(ledger, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const local = lines.find((l) => l.type === 'local');
    assert.equal(local?.tier, 'openai');
    assert.deepEqual(local?.tokens, { input: 900, output: 80 });
    const usage = await cli(['usage', '--ledger', ledger, '--json'], {});
    assert.equal(JSON.parse(usage.stdout).report.byTier.openai.requests, 1, usage.stdout);
  });

  test('TIERCEL_OPENAI_BASE_URL names the server; a wrong key is explained with the server and the variable', async () => {
    const run = await cli(['review', '--workspace', dir, '--file', 'sum.ts', '--tier', 'local', '--local-model', MODEL, '--ledger', ledger, '--no-context'], { TIERCEL_OPENAI_BASE_URL: server.baseUrl, TIERCEL_OPENAI_API_KEY: 'wrong' });
    assert.equal(run.code, 1);
    assert.ok(run.stderr.includes(`server at ${server.baseUrl} refused the request (401`), run.stderr);
    assert.match(run.stderr, /TIERCEL_OPENAI_API_KEY/);
    assert.equal(chats()[0]?.headers.authorization, 'Bearer wrong');
  });

  test('without --local-model, or with both servers named: a usage error, nothing sent', async () => {
    let run = await cli(['review', '--workspace', dir, '--file', 'sum.ts', '--tier', 'local', '--openai-url', server.baseUrl], {});
    assert.equal(run.code, 2);
    assert.match(run.stderr, /needs --local-model/);
    run = await cli(['review', '--workspace', dir, '--file', 'sum.ts', '--tier', 'local', '--openai-url', server.baseUrl, '--ollama-url', 'http://127.0.0.1:1', '--local-model', MODEL], {});
    assert.equal(run.code, 2);
    assert.equal(server.requests.length, 0);
  });
});
