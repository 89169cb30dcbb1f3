/** `usage --release` as users run it: the built CLI, the question on stderr, the answer on stdin. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { BudgetLedger } from '../../src/core/claude/ledger';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
let dir: string;
let ledgerPath: string;
let id: string;

function cli(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tiercel-usage-'));
  ledgerPath = path.join(dir, 'ledger.jsonl');
  const twentyMinutesAgo = new Date(Date.now() - 20 * 60_000);
  id = (await new BudgetLedger({ path: ledgerPath, now: () => twentyMinutesAgo }).reserve({ feature: 'review', model: 'claude-sonnet-5-5', maxCostUsd: 0.37 }, () => true))!.id;
});
after(() => rm(dir, { recursive: true, force: true }));

test('usage --release asks on stderr and reads the answer: empty or "n" keeps it, "y" releases it', async () => {
  const args = ['usage', '--ledger', ledgerPath, '--release', id.slice(0, 8)];
  for (const answer of ['', 'n\n']) {
    const run = await cli(args, answer);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /Release .*\? .*\[y\/N\]/);
    assert.match(run.stderr, /Not released/);
  }
  const yes = await cli(args, 'y\n');
  assert.equal(yes.code, 0, yes.stderr);
  assert.match(yes.stdout, new RegExp(`Released ${id.slice(0, 8)} \\(review, claude-sonnet-5-5, \\$0\\.37`));
  const report = await cli(['usage', '--ledger', ledgerPath, '--json'], '');
  assert.deepEqual(JSON.parse(report.stdout).summary.abandonedReservations, []);
});
