/** `tiercel usage` (src/cli/usage.ts) run in-process on a seeded ledger. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { runUsage } from '../../../src/cli/usage';
import { defaultLedgerPath } from '../../../src/core/claude/ledger';
import { UsageError, type CliIo } from '../../../src/cli/io';
import { BudgetLedger } from '../../../src/core/claude/ledger';
import { tempDir } from './helpers';

function capture(env: NodeJS.ProcessEnv = {}): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), env };
}

describe('tiercel usage', () => {
  let ledgerPath: string;
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ ledgerPath, dir, cleanup } = await tempDir());
    const ledger = new BudgetLedger({ path: ledgerPath });
    const spend = async (feature: string, model: string, costUsd: number) => {
      const r = (await ledger.reserve({ feature, model, maxCostUsd: costUsd * 3 }, () => true))!;
      await ledger.settle(r, { tokens: { input: 1000, output: 100, cacheWrite5m: 0, cacheWrite1h: 2000, cacheRead: 500 }, costUsd, outcome: 'ok' });
    };
    await spend('review', 'claude-sonnet-5-5', 0.8);
    await spend('review', 'claude-sonnet-5-5', 0.4);
    await spend('debug', 'claude-opus-5-5', 3);
    await ledger.reserve({ feature: 'review', model: 'claude-sonnet-5-5', maxCostUsd: 0.25 }, () => true);
  });
  afterEach(() => cleanup());

  test('text: today and this month against the caps, by feature and model, in-flight holds', async () => {
    const io = capture();
    assert.equal(await runUsage(['--ledger', ledgerPath, '--budget-day', '5', '--budget-month', '$50'], io), 0);
    const text = io.stdout.join('\n');
    assert.match(text, /^Claude spend: estimates .* prices as of \d{4}-\d{2}-\d{2}/);
    assert.match(text, /Today \(\d{4}-\d{2}-\d{2}\): +\$4\.45 of \$5\.00 \(89%\), 4 requests/);
    assert.match(text, /This month \(\d{4}-\d{2}\): \$4\.45 of \$50\.00 \(9%\), 4 requests/);
    assert.match(text, /tokens: input 3,000, cache write 5m 0, cache write 1h 6,000, cache read 1,500, output 300/);
    assert.match(text, /By feature \(this month\):\n {2}debug +\$3\.00 +1 request\n {2}review +\$1\.45 +3 requests/);
    assert.match(text, /claude-opus-5-5 +\$3\.00/);
    assert.match(text, /1 request in flight, held at worst case: \$0\.25\./);
    assert.match(text, /Over 80% of a Claude budget is used\./);
  });

  test('--json: the summary, limits and level, machine-readable', async () => {
    const io = capture();
    await runUsage(['--ledger', ledgerPath, '--budget-day', '4', '--json'], io);
    const report = JSON.parse(io.stdout.join('\n'));
    assert.equal(report.ledger, ledgerPath);
    assert.deepEqual(report.limits, { dailyUsd: 4 });
    assert.equal(report.level.level, 'exceeded');
    assert.equal(report.summary.today.usd, 4.45);
    assert.equal(report.summary.thisMonth.byFeature.debug.usd, 3);
    assert.deepEqual(report.summary.thisMonth.pending, { count: 1, usd: 0.25 });
    assert.match(report.pricesAsOf, /^\d{4}-\d{2}-\d{2}$/);
  });

  test('a ledger that does not exist yet reports zero spend', async () => {
    const io = capture();
    assert.equal(await runUsage(['--ledger', path.join(dir, 'none.jsonl')], io), 0);
    assert.match(io.stdout.join('\n'), /Today \(.*\): +\$0\.00, 0 requests/);
  });

  test('bad budget flags are usage errors', async () => {
    await assert.rejects(runUsage(['--ledger', ledgerPath, '--budget-day', 'lots'], capture()), UsageError);
    await assert.rejects(runUsage(['--ledger', ledgerPath, '--budget-month=-1'], capture()), UsageError);
  });

  test('default ledger: $XDG_CONFIG_HOME/tiercel, else ~/.config/tiercel, %APPDATA% on Windows', () => {
    assert.equal(defaultLedgerPath({ XDG_CONFIG_HOME: '/x/config', HOME: '/home/u' }, 'linux'), '/x/config/tiercel/ledger.jsonl');
    assert.equal(defaultLedgerPath({ XDG_CONFIG_HOME: 'relative', HOME: '/home/u' }, 'linux'), '/home/u/.config/tiercel/ledger.jsonl');
    assert.equal(defaultLedgerPath({ HOME: '/Users/u' }, 'darwin'), '/Users/u/.config/tiercel/ledger.jsonl');
    assert.equal(defaultLedgerPath({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming', HOME: '/h' }, 'win32'), path.join('C:\\Users\\u\\AppData\\Roaming', 'tiercel', 'ledger.jsonl'));
  });
});

describe('tiercel usage: abandoned reservations', () => {
  let ledgerPath: string;
  let cleanup: () => Promise<void>;
  let id: string;

  beforeEach(async () => {
    ({ ledgerPath, cleanup } = await tempDir());
    const twentyMinutesAgo = new Date(Date.now() - 20 * 60_000);
    const ledger = new BudgetLedger({ path: ledgerPath, now: () => twentyMinutesAgo });
    id = (await ledger.reserve({ feature: 'review', model: 'claude-sonnet-5-5', maxCostUsd: 0.37 }, () => true))!.id;
  });
  afterEach(() => cleanup());

  test('the report lists them with their id; --json carries them', async () => {
    const io = capture();
    assert.equal(await runUsage(['--ledger', ledgerPath], io), 0);
    const text = io.stdout.join('\n');
    assert.match(text, /1 request never settled .* \$0\.37\. Release one with 'usage --release ID':/);
    assert.match(text, new RegExp(`^  ${id.slice(0, 8)} \\(review, claude-sonnet-5-5, \\$0\\.37 held since `, 'm'));
    const json = capture();
    await runUsage(['--ledger', ledgerPath, '--json'], json);
    assert.equal(JSON.parse(json.stdout.join('')).summary.abandonedReservations[0].id, id);
  });

  test('--release asks first: no answer or "n" keeps it, "y" or --yes releases it', async () => {
    const asked: string[] = [];
    const answering = (answer: boolean) => Object.assign(capture(), { confirm: async (q: string) => (asked.push(q), answer) });
    assert.equal(await runUsage(['--ledger', ledgerPath, '--release', id.slice(0, 8)], capture()), 1, 'no way to ask: not released');
    assert.equal(await runUsage(['--ledger', ledgerPath, '--release', id.slice(0, 8)], answering(false)), 1);
    assert.match(asked[0]!, /if its request did reach Claude, that cost will be missing/);
    assert.equal((await new BudgetLedger({ path: ledgerPath }).summary()).abandonedReservations.length, 1);
    const yes = answering(true);
    assert.equal(await runUsage(['--ledger', ledgerPath, '--release', id.slice(0, 8)], yes), 0);
    assert.match(yes.stdout.join('\n'), new RegExp(`Released ${id.slice(0, 8)}`));
    assert.equal((await new BudgetLedger({ path: ledgerPath }).summary()).thisMonth.usd, 0);
    await assert.rejects(runUsage(['--ledger', ledgerPath, '--release', id, '--yes'], capture()), /No abandoned reservation/);
  });
});
