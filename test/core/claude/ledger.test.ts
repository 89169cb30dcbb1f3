import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { BudgetLedger, parseLedger, summarizeLedger } from '../../../src/core/claude/ledger';
import { peakCommittedUsd, tempDir } from './helpers';

const run = promisify(execFile);
const tokens = (input: number, output: number) => ({ input, output, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 });
const always = () => true;

describe('BudgetLedger', () => {
  let ledgerPath: string;
  let cleanup: () => Promise<void>;
  let clock: Date;
  let ledger: BudgetLedger;

  beforeEach(async () => {
    ({ ledgerPath, cleanup } = await tempDir());
    clock = new Date(2026, 10, 28, 12, 0); // local noon
    ledger = new BudgetLedger({ path: ledgerPath, now: () => clock });
  });
  afterEach(() => cleanup());

  test('a missing file is an empty ledger; the first reserve creates it (and its directory)', async () => {
    const empty = await ledger.summary();
    assert.equal(empty.today.usd, 0);
    assert.equal(empty.thisMonth.requests, 0);
    assert.ok(await ledger.reserve({ feature: 'review', model: 'claude-sonnet-5-5', maxCostUsd: 0.5 }, always));
    assert.equal((await readFile(ledgerPath, 'utf8')).split('\n').length, 2);
  });

  test('a reservation counts at its worst case until settled, then at the actual cost', async () => {
    const reservation = (await ledger.reserve({ feature: 'review', model: 'claude-sonnet-5-5', maxCostUsd: 0.5 }, always))!;
    let summary = await ledger.summary();
    assert.equal(summary.today.usd, 0.5);
    assert.deepEqual(summary.today.pending, { count: 1, usd: 0.5 });

    await ledger.settle(reservation, { tokens: tokens(1200, 345), costUsd: 0.00585, requestId: 'req_1', outcome: 'ok' });
    summary = await ledger.summary();
    assert.equal(summary.today.usd, 0.00585);
    assert.equal(summary.today.requests, 1);
    assert.deepEqual(summary.today.tokens, tokens(1200, 345));
    assert.deepEqual(summary.today.pending, { count: 0, usd: 0 });

    const lines = (await readFile(ledgerPath, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.type), ['reserve', 'settle']);
    const settle = lines[1];
    assert.deepEqual(Object.keys(settle).sort(), ['costUsd', 'feature', 'id', 'model', 'outcome', 'requestId', 'settledAt', 'time', 'tokens', 'type', 'v'].sort());
    assert.equal(settle.time, lines[0].time, 'spend counts when the request was sent');
    assert.equal(settle.requestId, 'req_1');
  });

  test('release settles at zero', async () => {
    const reservation = (await ledger.reserve({ feature: 'debug', model: 'claude-opus-5-5', maxCostUsd: 2 }, always))!;
    await ledger.release(reservation);
    const summary = await ledger.summary();
    assert.equal(summary.today.usd, 0);
    assert.equal(summary.today.requests, 1);
  });

  test('reserve writes nothing when admit says no, and admit sees open reservations', async () => {
    const seen: number[] = [];
    const admitUpTo = (cap: number) => (spent: { todayUsd: number }) => (seen.push(spent.todayUsd), spent.todayUsd + 0.4 <= cap);
    assert.ok(await ledger.reserve({ feature: 'review', model: 'm', maxCostUsd: 0.4 }, admitUpTo(1)));
    assert.ok(await ledger.reserve({ feature: 'review', model: 'm', maxCostUsd: 0.4 }, admitUpTo(1)));
    assert.equal(await ledger.reserve({ feature: 'review', model: 'm', maxCostUsd: 0.4 }, admitUpTo(1)), undefined);
    assert.deepEqual(seen, [0, 0.4, 0.8]);
    assert.equal((await ledger.read()).lines.length, 2);
  });

  test('unsettled reservations stay charged at worst case; after 15 min they are reported abandoned', async () => {
    await ledger.reserve({ feature: 'review', model: 'm', maxCostUsd: 0.3 }, always);
    clock = new Date(clock.getTime() + 16 * 60_000);
    const summary = await ledger.summary();
    assert.equal(summary.today.usd, 0.3);
    assert.deepEqual(summary.today.abandoned, { count: 1, usd: 0.3 });
    assert.deepEqual(summary.today.pending, { count: 0, usd: 0 });
  });

  test('today and this month are local calendar periods; by feature and by model', async () => {
    const at = async (when: Date, feature: string, model: string, cost: number) => {
      clock = when;
      const r = (await ledger.reserve({ feature, model, maxCostUsd: cost * 2 }, always))!;
      await ledger.settle(r, { tokens: tokens(100, 10), costUsd: cost, outcome: 'ok' });
    };
    await at(new Date(2026, 9, 31, 23, 59), 'review', 'claude-sonnet-5-5', 9); // last month
    await at(new Date(2026, 10, 1, 0, 0), 'review', 'claude-sonnet-5-5', 1);
    await at(new Date(2026, 10, 27, 23, 59), 'debug', 'claude-opus-5-5', 2);
    await at(new Date(2026, 10, 28, 0, 1), 'review', 'claude-opus-5-5', 0.25);
    await at(new Date(2026, 10, 28, 18, 0), 'debug', 'claude-sonnet-5-5', 0.5);
    const summary = await ledger.summary(new Date(2026, 10, 28, 20, 0));
    assert.equal(summary.day, '2026-11-28');
    assert.equal(summary.month, '2026-11');
    assert.equal(summary.today.usd, 0.75);
    assert.equal(summary.today.requests, 2);
    assert.equal(summary.thisMonth.usd, 3.75);
    assert.deepEqual(Object.fromEntries(Object.entries(summary.thisMonth.byFeature).map(([k, b]) => [k, b.usd])), { review: 1.25, debug: 2.5 });
    assert.deepEqual(Object.fromEntries(Object.entries(summary.today.byModel).map(([k, b]) => [k, b.usd])), {
      'claude-opus-5-5': 0.25,
      'claude-sonnet-5-5': 0.5,
    });
    assert.deepEqual(summary.thisMonth.tokens, tokens(400, 40));
  });

  test('a torn last line (crash mid-write) is skipped, and the next line does not glue onto it', async () => {
    const first = (await ledger.reserve({ feature: 'review', model: 'm', maxCostUsd: 0.2 }, always))!;
    await appendFile(ledgerPath, '{"v":1,"type":"settle","id":"' + first.id + '","time":"2026-11-28T');
    const torn = await ledger.read();
    assert.equal(torn.skippedLines, 1);
    assert.equal(torn.endsWithNewline, false);
    assert.equal((await ledger.summary()).today.usd, 0.2, 'the torn settle does not release the hold');

    await ledger.settle(first, { tokens: tokens(10, 1), costUsd: 0.01, outcome: 'ok' });
    const after = await ledger.read();
    assert.equal(after.lines.length, 2);
    assert.equal(after.skippedLines, 1);
    assert.equal((await ledger.summary()).today.usd, 0.01);
    assert.ok((await readFile(ledgerPath, 'utf8')).endsWith('}\n'));
  });

  test('garbage and lines of the wrong shape are skipped, not fatal', () => {
    const good = JSON.stringify({ v: 1, type: 'reserve', id: 'a', time: '2026-11-28T10:00:00.000Z', feature: 'f', model: 'm', maxCostUsd: 1 });
    const contents = parseLedger(['not json', '{"v":2,"type":"reserve"}', '{"v":1,"type":"reserve","id":"b","maxCostUsd":-1}', '', good, ''].join('\n'));
    assert.equal(contents.lines.length, 1);
    assert.equal(contents.skippedLines, 3);
    assert.equal(summarizeLedger(contents, new Date('2026-11-28T10:05:00.000Z')).today.usd, 1);
  });

  test('a lock left behind by a dead process is taken over once stale', async () => {
    const { mkdir, utimes } = await import('node:fs/promises');
    await mkdir(path.dirname(ledgerPath), { recursive: true });
    await writeFile(ledgerPath, '');
    await mkdir(`${ledgerPath}.lock`);
    const old = new Date(Date.now() - 60_000);
    await utimes(`${ledgerPath}.lock`, old, old);
    assert.ok(await ledger.reserve({ feature: 'review', model: 'm', maxCostUsd: 0.1 }, always));
  });

  test('a lock held by a live process is waited for, then reported (nothing reserved)', async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(`${ledgerPath}.lock`, { recursive: true });
    const impatient = new BudgetLedger({ path: ledgerPath, lockTimeoutMs: 300 });
    await assert.rejects(impatient.reserve({ feature: 'review', model: 'm', maxCostUsd: 0.1 }, always), /Could not lock the Claude usage ledger/);
    assert.equal((await impatient.read()).lines.length, 0);
  });

  test('a killed writer’s reservation is listed after 15 minutes, and a confirmed release stops it counting', async () => {
    const killed = (await ledger.reserve({ feature: 'review', model: 'claude-sonnet-5-5', maxCostUsd: 0.42 }, always))!;
    clock = new Date(clock.getTime() + 5 * 60_000);
    const inFlight = (await ledger.reserve({ feature: 'debug', model: 'claude-opus-5-5', maxCostUsd: 1.5 }, always))!;
    assert.deepEqual((await ledger.summary()).abandonedReservations, [], 'nothing is abandoned before 15 minutes');
    await assert.rejects(ledger.releaseAbandoned(killed.id), /No abandoned reservation/);

    clock = new Date(clock.getTime() + 11 * 60_000);
    let summary = await ledger.summary();
    assert.deepEqual(summary.abandonedReservations.map((r) => [r.id, r.maxCostUsd, r.pid]), [[killed.id, 0.42, process.pid]]);
    assert.equal(summary.today.usd, 1.92);
    // A pending request belongs to a live process, which settles it itself.
    await assert.rejects(ledger.releaseAbandoned(inFlight.id), /No abandoned reservation/);
    await assert.rejects(ledger.releaseAbandoned(killed.id.slice(0, 3)), /No abandoned reservation/, 'too short a prefix');

    const released = await ledger.releaseAbandoned(killed.id.slice(0, 8));
    assert.equal(released.id, killed.id);
    summary = await ledger.summary();
    assert.deepEqual(summary.abandonedReservations, []);
    assert.equal(summary.today.usd, 1.5);
    assert.equal(summary.thisMonth.abandoned.count, 0);
    const last = JSON.parse((await readFile(ledgerPath, 'utf8')).trim().split('\n').at(-1)!);
    assert.deepEqual([last.type, last.outcome, last.costUsd, last.releasedByUser], ['settle', 'released', 0, true]);
    await assert.rejects(ledger.releaseAbandoned(killed.id), /No abandoned reservation/, 'released once');
  });
});

describe('BudgetLedger shared by several processes', () => {
  test('6 processes reserving against one cap: the cap is never passed, even in flight, and every line parses', async () => {
    const { ledgerPath, cleanup } = await tempDir();
    try {
      const writer = path.join(__dirname, 'fixtures', 'ledger-writer.ts');
      const [cap, iterations, worst] = [1.5, 30, 0.1];
      const children = Array.from({ length: 6 }, () =>
        run(process.execPath, ['--import', 'tsx', writer, ledgerPath, String(cap), String(iterations), String(worst)], { timeout: 120_000 }),
      );
      const results = (await Promise.all(children)).map((r) => JSON.parse(r.stdout) as { reserved: number; refused: number });

      const text = await readFile(ledgerPath, 'utf8');
      assert.ok(text.endsWith('\n'));
      const raw = text.trimEnd().split('\n');
      for (const line of raw) JSON.parse(line); // every line whole: no interleaved writes
      const contents = parseLedger(text);
      assert.equal(contents.skippedLines, 0);

      const reserves = contents.lines.filter((l) => l.type === 'reserve');
      const settles = contents.lines.filter((l) => l.type === 'settle');
      const reserved = results.reduce((n, r) => n + r.reserved, 0);
      const refused = results.reduce((n, r) => n + r.refused, 0);
      assert.equal(reserves.length, reserved);
      assert.equal(settles.length, reserved);
      assert.equal(new Set(reserves.map((l) => l.id)).size, reserved);
      assert.equal(reserved + refused, 6 * iterations);
      assert.ok(refused > 0, 'the cap was reached, so the test exercised the refusal');
      assert.ok(reserved > cap / worst, 'settled costs below the worst case freed budget for more requests');

      // The invariant the lock exists for: at no point did settled + in-flight worst cases pass the cap.
      const peak = peakCommittedUsd(contents.lines);
      assert.ok(peak <= cap + 1e-9, `peak committed $${peak} > cap $${cap}`);
      const summary = summarizeLedger(contents, new Date());
      assert.ok(summary.today.usd <= cap + 1e-9);
      assert.deepEqual(summary.today.pending, { count: 0, usd: 0 });
    } finally {
      await cleanup();
    }
  });
});
