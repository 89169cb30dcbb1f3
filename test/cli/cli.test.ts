/** The CLI as users run it: the built bundle in a child process, against the loopback Ollama. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startOllamaServer, type OllamaServer } from '../loopback/ollama-server';

const CLI = path.resolve(__dirname, '../../dist/cli.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const clean = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: clean }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('node dist/cli.js', () => {
  let ollama: OllamaServer;
  before(async () => {
    ollama = await startOllamaServer();
  });
  after(() => ollama.close());

  test('--help lists the commands; each command has its own --help', async () => {
    const help = await cli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: node dist\/cli\.js <command>/);
    assert.match(help.stdout, /^\s+status\s+check Ollama/m);
    const statusHelp = await cli(['status', '--help']);
    assert.match(statusHelp.stdout, /tiercel status \[--ollama-url URL\]/);
  });

  test('version prints the package version, also as JSON', async () => {
    const { version } = (await import('../../package.json')).default;
    assert.equal((await cli(['version'])).stdout.trim(), version);
    assert.deepEqual(JSON.parse((await cli(['version', '--json'])).stdout), { version });
  });

  test('an unknown command or option is a usage error (exit 2) that says what to do', async () => {
    const unknown = await cli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'.*--help/);
    const badOption = await cli(['status', '--colour']);
    assert.equal(badOption.code, 2);
    assert.match(badOption.stderr, /Unknown option '--colour'/);
  });

  test('status --json against the loopback Ollama: ready, exit 0, through the real client', async () => {
    ollama.reset();
    const run = await cli(['status', '--json', '--ollama-url', ollama.url], { ANTHROPIC_API_KEY: 'sk-ant-test' });
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.ollama.reachable, true);
    assert.equal(report.localReady, true);
    assert.equal(report.claude.keySet, true);
    assert.deepEqual(new Set(ollama.requests.map((r) => r.path)), new Set(['/api/version', '/api/tags', '/api/ps']));
  });

  test('status honours OLLAMA_HOST and reports a missing model with exit 3', async () => {
    const run = await cli(['status', '--completion-model', 'qwen2.5-coder:32b-base'], { OLLAMA_HOST: ollama.url });
    assert.equal(run.code, 3);
    assert.match(run.stdout, /Completion model qwen2\.5-coder:32b-base: not installed \(ollama pull qwen2\.5-coder:32b-base\)/);
    assert.match(run.stdout, /Claude \(.*\): no API key/);
  });

  test('status with nothing listening: unreachable, exit 3, fast', async () => {
    const started = Date.now();
    const run = await cli(['status', '--ollama-url', 'http://127.0.0.1:9']);
    assert.equal(run.code, 3);
    assert.match(run.stdout, /Ollama at http:\/\/127\.0\.0\.1:9: unreachable/);
    assert.ok(Date.now() - started < 5000);
  });

  test('complete sends a raw FIM prompt that carries the definitions the cursor uses, from other files', async () => {
    ollama.reset();
    const workspace = path.resolve(__dirname, '../fixtures/context/ts');
    const text = readFileSync(path.join(workspace, 'src/app.ts'), 'utf8');
    const offset = text.indexOf('makeUser(name)') + 'makeUser('.length;
    const run = await cli(['complete', '--workspace', workspace, '--file', 'src/app.ts', '--offset', String(offset), '--json', '--ollama-url', ollama.url], {
      XDG_CACHE_HOME: path.join(os.tmpdir(), `tiercel-cli-test-${process.pid}`),
    });
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.ok(out.context.some((c: { file: string }) => c.file === 'src/models/user.ts'), JSON.stringify(out.context));
    const generate = ollama.requests.find((r) => r.path === '/api/generate' && r.body.prompt);
    assert.equal(generate?.body.raw, true);
    assert.match(generate?.body.prompt, /<\|file_sep\|>src\/models\/user\.ts\n[\s\S]*makeUser[\s\S]*<\|file_sep\|>src\/app\.ts\n<\|fim_prefix\|>/);
  });
});
