/**
 * What reaches Claude, as an adversarial user would check it: the built CLI reviews a repository full
 * of realistic secrets (test/fixtures/secrets) against the loopback Anthropic server, which records
 * every byte. Each file alone (`review --file`), then the whole change as a diff (`--uncommitted`,
 * `--staged`: tracked files modified, others untracked). No secret may arrive, whole or in part, and
 * every look-alike must arrive untouched. The figures are printed per mode (tried / held).
 *
 * TIERCEL_TEST_CLI runs the same checks against another build (to measure a baseline).
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAnthropicServer, type AnthropicServer } from '../loopback/anthropic-server';
import { leaked, SECRET_CORPUS, SECRET_CORPUS_DIR } from '../core/privacy/secretCorpus';

const CLI = process.env.TIERCEL_TEST_CLI ?? path.resolve(__dirname, '../../dist/cli.js');

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: clean }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

/** How a string looks inside the recorded JSON body. */
const onWire = (s: string) => JSON.stringify(s).slice(1, -1);

interface Tally {
  tried: number;
  held: number;
  leaks: string[];
  lookalikesTried: number;
  lookalikesKept: number;
  touched: string[];
}

function tally(bodies: string[], files: string[]): Tally {
  const sent = bodies.join('\n');
  const t: Tally = { tried: 0, held: 0, leaks: [], lookalikesTried: 0, lookalikesKept: 0, touched: [] };
  for (const rel of files) {
    const expected = SECRET_CORPUS[rel]!;
    for (const s of expected.secrets) {
      t.tried++;
      if (leaked(sent, onWire(s)) || leaked(sent, s)) t.leaks.push(`${rel}: ${s.slice(0, 40)}`);
      else t.held++;
    }
    for (const l of expected.lookalikes) {
      t.lookalikesTried++;
      if (sent.includes(onWire(l))) t.lookalikesKept++;
      else t.touched.push(`${rel}: ${l}`);
    }
  }
  return t;
}

function report(mode: string, t: Tally): void {
  console.log(`# ${mode}: secrets held ${t.held}/${t.tried}; look-alikes kept ${t.lookalikesKept}/${t.lookalikesTried}`);
}

describe('no secret reaches the recording server', () => {
  let server: AnthropicServer;
  let scratch: string;
  let repo: string;
  let env: NodeJS.ProcessEnv;
  const files = Object.keys(SECRET_CORPUS).sort();
  // Half the files are tracked and then changed, the other half are new: both reach the diff.
  const tracked = files.filter((_, i) => i % 2 === 0);
  const budget = ['--budget-day', '1000', '--budget-month', '1000', '--max-cost', '100'];
  const messageBodies = () => server.requests.filter((r) => r.path === '/v1/messages').map((r) => r.rawBody);

  before(async () => {
    server = await startAnthropicServer({ respond: () => ({ kind: 'message', text: JSON.stringify({ summary: 'ok', findings: [] }) }) });
    scratch = await mkdtemp(path.join(os.tmpdir(), 'tiercel-privacy-'));
    repo = path.join(scratch, 'repo');
    await mkdir(repo);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });
    git('init', '-q');
    git('config', 'user.email', 't@example.com');
    git('config', 'user.name', 'T');
    for (const rel of tracked) {
      await mkdir(path.dirname(path.join(repo, rel)), { recursive: true });
      await writeFile(path.join(repo, rel), '# placeholder\n');
    }
    git('add', '.');
    git('commit', '-qm', 'init');
    await cp(SECRET_CORPUS_DIR, repo, { recursive: true });
    env = { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: server.url };
  });
  after(async () => {
    await server.close();
    await rm(scratch, { recursive: true, force: true });
  });

  const ledgerArgs = () => ['--ledger', path.join(scratch, 'ledger.jsonl'), ...budget];

  test('review --file, each file of the corpus', async () => {
    server.reset();
    for (const rel of files) {
      const run = await cli(['review', '--workspace', repo, '--file', rel, ...ledgerArgs()], env);
      assert.equal(run.code, 0, `${rel}: ${run.stderr}`);
    }
    const t = tally(messageBodies(), files);
    report('review --file', t);
    assert.deepEqual(t.leaks, [], `${t.leaks.length} of ${t.tried} secrets reached the server`);
    assert.deepEqual(t.touched, [], 'look-alikes redacted');
  });

  test('review --uncommitted and --staged: the diff section and the file sections', async () => {
    for (const mode of ['--uncommitted', '--staged']) {
      server.reset();
      if (mode === '--staged') execFileSync('git', ['add', '-A'], { cwd: repo });
      const run = await cli(['review', '--workspace', repo, mode, ...ledgerArgs()], env);
      assert.equal(run.code, 0, run.stderr);
      const bodies = messageBodies();
      assert.equal(bodies.length, 1);
      const t = tally(bodies, files);
      report(`review ${mode}`, t);
      assert.deepEqual(t.leaks, [], `${mode}: ${t.leaks.length} of ${t.tried} secrets reached the server`);
      assert.deepEqual(t.touched, [], `${mode}: look-alikes redacted`);
    }
  });
});

describe('no file the privacy rules deny reaches the recording server, whatever leads to it', () => {
  let server: AnthropicServer;
  let scratch: string;
  let repo: string;
  let env: NodeJS.ProcessEnv;
  const ledger = () => ['--ledger', path.join(scratch, 'ledger.jsonl'), '--budget-day', '1000', '--budget-month', '1000'];
  // Each marker stands for a file's content that must never be sent.
  const denied: Record<string, string> = {
    'vendor/notes.txt': 'MARKER-outside-folder',
    'src/outside-link.ts': 'MARKER-outside-file',
    'src/env-link.ts': 'MARKER-dotenv',
    'config/server.pem.bak': 'MARKER-pem-backup',
    'deploy/prod.env': 'MARKER-prod-env',
    'certs/tls.key.old': 'MARKER-key-backup',
  };

  before(async () => {
    server = await startAnthropicServer({ respond: () => ({ kind: 'message', text: JSON.stringify({ summary: 'ok', findings: [] }) }) });
    scratch = await mkdtemp(path.join(os.tmpdir(), 'tiercel-links-'));
    repo = path.join(scratch, 'repo');
    const outside = path.join(scratch, 'outside');
    await mkdir(outside);
    await writeFile(path.join(outside, 'notes.txt'), `${denied['vendor/notes.txt']}\n`);
    await writeFile(path.join(outside, 'lib.ts'), `export const x = "${denied['src/outside-link.ts']}";\n`);
    for (const dir of ['src', 'config', 'deploy', 'certs']) await mkdir(path.join(repo, dir), { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: repo });
    await writeFile(path.join(repo, '.env'), `${denied['src/env-link.ts']}\n`);
    await writeFile(path.join(repo, 'config/server.pem.bak'), `${denied['config/server.pem.bak']}\n`);
    await writeFile(path.join(repo, 'deploy/prod.env'), `${denied['deploy/prod.env']}\n`);
    await writeFile(path.join(repo, 'certs/tls.key.old'), `${denied['certs/tls.key.old']}\n`);
    // It uses code behind the links: the definitions sent with its review must not come from there.
    await writeFile(path.join(repo, 'src/app.ts'), "import { x } from '../vendor/lib';\nimport { x as y } from './outside-link';\nexport const app = 1;\nexport const both = x + y;\n");
    await symlink(outside, path.join(repo, 'vendor'));
    await symlink(path.join(outside, 'lib.ts'), path.join(repo, 'src/outside-link.ts'));
    await symlink(path.join(repo, '.env'), path.join(repo, 'src/env-link.ts'));
    env = { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: server.url };
  });
  after(async () => {
    await server.close();
    await rm(scratch, { recursive: true, force: true });
  });

  test('review --file on each denied path, and --uncommitted over them all', async () => {
    server.reset();
    let held = 0;
    const leaks: string[] = [];
    const unexplained: string[] = [];
    for (const [rel, marker] of Object.entries(denied)) {
      const before = server.requests.length;
      const run = await cli(['review', '--workspace', repo, '--file', rel, ...ledger()], env);
      const sent = server.requests.slice(before).map((r) => r.rawBody).join('\n');
      if (sent.includes(marker)) leaks.push(rel);
      else held++;
      if (!run.stderr.includes(`not sent: ${rel} (`)) unexplained.push(`${rel}: ${run.stderr}`);
    }
    const withDefinitions = await cli(['review', '--workspace', repo, '--file', 'src/app.ts', ...ledger()], env);
    assert.equal(withDefinitions.code, 0, withDefinitions.stderr);
    const uncommitted = await cli(['review', '--workspace', repo, '--uncommitted', ...ledger()], env);
    assert.equal(uncommitted.code, 0, uncommitted.stderr);
    const all = server.requests.map((r) => r.rawBody).join('\n');
    assert.match(all, /export const app = 1;/, 'the allowed file was reviewed');
    const uncommittedLeaks = Object.entries(denied).filter(([, marker]) => all.includes(marker)).map(([rel]) => rel);
    console.log(`# privacy filter, review --file: held ${held}/${Object.keys(denied).length}; --uncommitted: held ${Object.keys(denied).length - uncommittedLeaks.length}/${Object.keys(denied).length}`);
    assert.deepEqual(leaks, []);
    assert.deepEqual(uncommittedLeaks, []);
    assert.deepEqual(unexplained, [], 'each refusal says why');
  });
});
