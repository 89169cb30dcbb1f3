/** The page's view model: figures, caps, rows and chart columns from a state. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatUsd as coreFormatUsd } from '../../../src/core/claude';
import { parseLedger } from '../../../src/core/claude/ledger';
import { usageState } from '../../../src/extension/usage/usageState';
import {
  age,
  capViews,
  chartColumns,
  chartSummary,
  dayLabel,
  dayToSeconds,
  featureRows,
  formatUsd,
  headlineFigures,
  isEmpty,
  localTotals,
  tierRows,
} from '../../../src/webview/usage/model';
import { seededLedgerText } from '../../extension/usage/seedLedger';

const NOW = new Date(2026, 10, 20, 15, 30);
const SETTINGS = { dailyUsd: 0.35, monthlyUsd: 20, localOnly: false };
const seeded = () => usageState(parseLedger(seededLedgerText(NOW)), NOW, SETTINGS);
const empty = () => usageState(parseLedger(''), NOW, SETTINGS);

describe('usage view model', () => {
  test('dollars read as the status bar shows them (the core’s formatUsd), with thousands grouped', () => {
    // The page may not import the core; this keeps the two from drifting apart.
    for (let exponent = -8; exponent <= 3; exponent += 0.25) {
      for (const mantissa of [1, 1.5, 4.2, 8.3, 9.99]) {
        const amount = mantissa * 10 ** exponent;
        assert.equal(formatUsd(amount), coreFormatUsd(amount).replace(/\B(?=(\d{3})+\.)/g, ','), String(amount));
      }
    }
    assert.equal(formatUsd(0), '$0.00');
    assert.equal(formatUsd(1234.5), '$1,234.50');
  });

  test('headline figures: Claude spend, Saved (that label), and requests of each tier', () => {
    const figures = Object.fromEntries(headlineFigures(seeded()).map((f) => [f.key, f]));
    assert.equal(figures.savedUsd!.label, 'Saved');
    assert.equal(figures.savedUsd!.value, 0.6376);
    assert.equal(figures.savedUsd!.text, '$0.64');
    assert.equal(figures.claudeUsd!.value, 0.4234);
    assert.equal(figures.claudeRequests!.text, '5');
    // Ollama and the OpenAI-compatible server are one local tier to the user.
    assert.equal(figures.localRequests!.value, 240 + 3 + 57 + 5);
    assert.equal(localTotals(seeded()).inputTokens, 180_000 + 15_000 + 41_000 + 6_000);
  });

  test('caps: spend of the cap, a bar width clamped to 100%, the host’s level', () => {
    const [today, month] = capViews(seeded());
    assert.equal(today!.text, '$0.36 of $0.35');
    assert.equal(today!.percent, 100);
    assert.equal(today!.level, 'exceeded');
    assert.equal(month!.text, '$0.42 of $20.00');
    assert.equal(month!.percent, 2.1);
    const [zeroCap] = capViews({ today: { spentUsd: 0, capUsd: 0, level: 'exceeded' }, month: { spentUsd: 0, capUsd: 1, level: 'ok' } });
    assert.equal(zeroCap!.percent, 100, 'a cap of 0 shows full: it allows nothing');
  });

  test('tier rows show the OpenAI-compatible tier only when it was used', () => {
    assert.deepEqual(tierRows(seeded()).map((r) => r.label), ['Claude', 'Local (Ollama)', 'Local (OpenAI-compatible)']);
    assert.deepEqual(tierRows(empty()).map((r) => r.tier), ['claude', 'local']);
    const rows = featureRows(seeded());
    assert.deepEqual(rows[0], { ...seeded().byFeature[0], tierLabel: 'Local (Ollama)' });
    assert.equal(rows[0]!.feature, 'completion');
  });

  test('an empty ledger is the empty state; a lone open reservation is not', () => {
    assert.equal(isEmpty(empty()), true);
    assert.equal(isEmpty(seeded()), false);
    assert.equal(isEmpty({ ...empty(), reservations: seeded().reservations }), false);
  });

  test('chart columns: one x per day at local midnight, Claude $, Saved $, local requests', () => {
    const state = seeded();
    const [xs, claude, saved, local] = chartColumns(state.days);
    assert.equal(xs.length, 30);
    assert.equal(xs.at(-1), new Date(2026, 10, 20).getTime() / 1000);
    assert.equal(xs[1]! - xs[0]!, dayToSeconds(state.days[1]!.day) - dayToSeconds(state.days[0]!.day));
    assert.equal(claude.at(-1), 0.3625);
    assert.equal(saved.at(-1), 0.1031);
    assert.equal(local.at(-1), 57);
    assert.equal(dayLabel('2026-11-03'), 'Nov 3');
  });

  test('ages and the chart’s text summary', () => {
    const now = NOW.toISOString();
    assert.equal(age(new Date(NOW.getTime() - 3 * 60_000).toISOString(), now), '3 min ago');
    assert.equal(age(new Date(NOW.getTime() - 3 * 3_600_000).toISOString(), now), '3 h ago');
    assert.equal(age(new Date(NOW.getTime() - 4 * 86_400_000).toISOString(), now), '4 days ago');
    assert.equal(
      chartSummary(seeded()),
      'Last 30 days: Claude $0.42 over 5 requests; local 305 requests, saved $0.64; most Claude spend on Nov 20 ($0.36).',
    );
  });
});
