/** The view's state from a ledger: the CLI's figures, the caps each on its own, the open reservations. */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { CliIo } from '../../../src/cli/io';
import { runUsage } from '../../../src/cli/usage';
import { BudgetLedger, parseLedger, type LedgerLine } from '../../../src/core/claude/ledger';
import { openReservations, releaseAbandoned } from '../../../src/extension/usage/reservations';
import { REPORT_DAYS, usageState, usageStateCsv } from '../../../src/extension/usage/usageState';
import { usageStateSchema } from '../../../src/webview/usage/protocol';
import { tempDir } from '../../core/claude/helpers';
import { ABANDONED_ID, PENDING_ID, seededLedgerText } from './seedLedger';

const NOW = new Date(2026, 10, 20, 15, 30);
const SETTINGS = { dailyUsd: 0.35, monthlyUsd: 20, localOnly: false };

/** `tiercel usage --json` (or `--csv`) on a ledger file, run in-process. */
async function cli(ledgerPath: string, ...flags: string[]): Promise<string> {
  let out = '';
  const io: CliIo = { out: (s) => void (out += s), err: () => {}, env: {} };
  const code = await runUsage(['--ledger', ledgerPath, ...flags], io);
  assert.equal(code, 0);
  return out;
}

describe('usage view state', () => {
  test('matches the report and summary tiercel usage --json prints for the same ledger', async () => {
    const { ledgerPath, cleanup } = await tempDir();
    try {
      // The CLI reads the clock itself: seed relative to the real now for this comparison.
      const now = new Date();
      await mkdir(path.dirname(ledgerPath), { recursive: true });
      await writeFile(ledgerPath, seededLedgerText(now));
      const json = JSON.parse(await cli(ledgerPath, '--json', '--budget-day', '0.35', '--budget-month', '20'));
      const state = usageState(parseLedger(await readFile(ledgerPath, 'utf8')), now, SETTINGS);
      assert.deepEqual(state.byTier, json.report.byTier);
      assert.deepEqual(state.byFeature, json.report.byFeature);
      assert.equal(state.savedUsd, json.report.savedUsd);
      assert.deepEqual(state.days, json.report.days);
      assert.equal(state.today.spentUsd, json.summary.today.usd);
      assert.equal(state.month.spentUsd, json.summary.thisMonth.usd);
      assert.equal(state.skippedLines, json.summary.skippedLines);
      assert.equal(state.pricesAsOf, json.pricesAsOf);
      // And the CSV the view exports is the CLI's --csv.
      assert.equal(usageStateCsv(parseLedger(await readFile(ledgerPath, 'utf8')), now).trimEnd(), await cli(ledgerPath, '--csv'));
    } finally {
      await cleanup();
    }
  });

  test('covers 30 days, both tiers, and what the local tiers saved; the old entries stay out', () => {
    const state = usageState(parseLedger(seededLedgerText(NOW)), NOW, SETTINGS);
    assert.equal(state.days.length, REPORT_DAYS);
    assert.equal(state.days.at(-1)!.day, '2026-11-20');
    // c-1, c-2, c-3 settled + two open reservations; c-old is 40 days back.
    assert.equal(state.byTier.claude.requests, 5);
    assert.equal(state.byTier.claude.usd, Math.round((0.0421 + 0.0188 + 0.0125 + 0.3 + 0.05) * 1e6) / 1e6);
    assert.equal(state.byTier.local.requests, 240 + 3 + 57);
    assert.equal(state.byTier.openai.requests, 5);
    assert.equal(state.savedUsd, Math.round((0.45 + 0.05 + 0.1031 + 0.0345) * 1e6) / 1e6);
    assert.equal(state.skippedLines, 1);
    assert.ok(usageStateSchema.safeParse(state).success, 'the state passes the page-side validation');
  });

  test('colours each cap on its own: today past its cap, the month fine', () => {
    const state = usageState(parseLedger(seededLedgerText(NOW)), NOW, SETTINGS);
    // Today: c-3 ($0.0125) + abandoned ($0.30) + pending ($0.05) = $0.3625 > $0.35.
    assert.equal(state.today.spentUsd, 0.3625);
    assert.equal(state.today.level, 'exceeded');
    assert.equal(state.month.level, 'ok');
    const relaxed = usageState(parseLedger(seededLedgerText(NOW)), NOW, { ...SETTINGS, dailyUsd: 0.4 });
    assert.equal(relaxed.today.level, 'warning');
    const zero = usageState(parseLedger(''), NOW, { ...SETTINGS, dailyUsd: 0 });
    assert.equal(zero.today.level, 'exceeded', 'a cap of 0 allows nothing');
  });

  test('lists unsettled reservations newest first, pending or abandoned by age', () => {
    const rows = openReservations(parseLedger(seededLedgerText(NOW)).lines, NOW);
    assert.deepEqual(
      rows.map((r) => [r.id, r.state, r.maxCostUsd]),
      [
        [PENDING_ID, 'pending', 0.05],
        [ABANDONED_ID, 'abandoned', 0.3],
      ],
    );
    // Last month's unsettled reservation weighs on no cap now: not listed, not releasable here.
    const lastMonth: LedgerLine = { v: 1, type: 'reserve', id: 'res-october', time: new Date(2026, 9, 30, 12).toISOString(), feature: 'review', model: 'm', maxCostUsd: 1 };
    assert.ok(!openReservations([...parseLedger(seededLedgerText(NOW)).lines, lastMonth], NOW).some((r) => r.id === 'res-october'));
  });
});

describe('releasing an abandoned reservation', () => {
  async function seeded() {
    const dir = await tempDir();
    await mkdir(path.dirname(dir.ledgerPath), { recursive: true });
    await writeFile(dir.ledgerPath, seededLedgerText(NOW));
    return { ...dir, ledger: new BudgetLedger({ path: dir.ledgerPath, now: () => NOW }) };
  }

  test('settles it at $0 (outcome released): it stops counting, nothing else changes', async () => {
    const { ledger, cleanup } = await seeded();
    try {
      const before = await ledger.summary();
      const outcome = await releaseAbandoned(ledger, ABANDONED_ID, NOW);
      assert.equal(outcome.kind, 'released');
      const after = await ledger.summary();
      assert.equal(after.today.abandoned.count, 0);
      assert.equal(after.today.usd, Math.round((before.today.usd - 0.3) * 1e6) / 1e6);
      assert.equal(after.today.pending.count, 1, 'the pending one is left alone');
      const settle = (await ledger.read()).lines.find((l) => l.type === 'settle' && l.id === ABANDONED_ID);
      assert.ok(settle && settle.type === 'settle');
      assert.equal(settle.outcome, 'released');
      assert.equal(settle.costUsd, 0);
      assert.equal((await ledger.read()).skippedLines, 1, 'the append started a new line after the torn one');
    } finally {
      await cleanup();
    }
  });

  test('refuses a pending one, and leaves one that settled or is unknown', async () => {
    const { ledger, cleanup } = await seeded();
    try {
      assert.equal((await releaseAbandoned(ledger, PENDING_ID, NOW)).kind, 'pending');
      assert.equal((await releaseAbandoned(ledger, 'c-1', NOW)).kind, 'settled');
      assert.equal((await releaseAbandoned(ledger, 'nope', NOW)).kind, 'unknown');
      assert.equal((await releaseAbandoned(ledger, ABANDONED_ID, NOW)).kind, 'released');
      assert.equal((await releaseAbandoned(ledger, ABANDONED_ID, NOW)).kind, 'settled', 'a second release writes nothing');
      const settles = (await ledger.read()).lines.filter((l) => l.type === 'settle' && l.id === ABANDONED_ID);
      assert.equal(settles.length, 1);
    } finally {
      await cleanup();
    }
  });
});
