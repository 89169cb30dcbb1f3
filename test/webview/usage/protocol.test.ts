/** The Usage & Savings protocol: what each side accepts on arrival, and what it drops. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseLedger } from '../../../src/core/claude/ledger';
import { usageState } from '../../../src/extension/usage/usageState';
import { toHostSchema, toPageSchema } from '../../../src/webview/usage/protocol';
import { seededLedgerText } from '../../extension/usage/seedLedger';

const NOW = new Date(2026, 10, 20, 15, 30);
const state = () => usageState(parseLedger(seededLedgerText(NOW)), NOW, { dailyUsd: 2, monthlyUsd: 20, localOnly: false });

describe('page → host messages', () => {
  test('accepts each message the page sends', () => {
    for (const message of [
      { type: 'ready' },
      { type: 'refresh' },
      { type: 'exportCsv' },
      { type: 'openSettings' },
      { type: 'openLedger' },
      { type: 'release', id: 'res-abandoned-1' },
    ]) {
      const parsed = toHostSchema.safeParse(message);
      assert.ok(parsed.success, JSON.stringify(message));
      assert.deepEqual(parsed.data, message);
    }
  });

  test('drops unknown types, a release without a usable id, and non-objects', () => {
    for (const message of [
      { type: 'runCommand', command: 'workbench.action.terminal.new' },
      { type: 'release' },
      { type: 'release', id: '' },
      { type: 'release', id: 42 },
      { type: 'release', id: 'x'.repeat(1001) },
      { id: 'res-abandoned-1' },
      'refresh',
      null,
      undefined,
    ]) {
      assert.equal(toHostSchema.safeParse(message).success, false, JSON.stringify(message));
    }
  });

  test('keeps only the declared fields of a valid message', () => {
    const parsed = toHostSchema.safeParse({ type: 'release', id: 'a', path: '/etc/passwd' });
    assert.ok(parsed.success);
    assert.deepEqual(parsed.data, { type: 'release', id: 'a' });
  });
});

describe('host → page messages', () => {
  test('a state built from a ledger with both tiers passes', () => {
    assert.ok(toPageSchema.safeParse({ type: 'state', state: state() }).success);
    assert.ok(toPageSchema.safeParse({ type: 'failed', message: 'Could not read the usage ledger: EACCES' }).success);
  });

  test('drops a state with an impossible figure or a missing part', () => {
    const broken: Array<[string, (s: ReturnType<typeof state>) => unknown]> = [
      ['negative spend', (s) => ({ ...s, savedUsd: -1 })],
      ['infinite spend', (s) => ({ ...s, today: { ...s.today, spentUsd: Infinity } })],
      ['NaN tokens', (s) => ({ ...s, byTier: { ...s.byTier, claude: { ...s.byTier.claude, inputTokens: NaN } } })],
      ['fractional requests', (s) => ({ ...s, byTier: { ...s.byTier, local: { ...s.byTier.local, requests: 1.5 } } })],
      ['a day that is not a day', (s) => ({ ...s, days: [{ ...s.days[0]!, day: '20 Nov' }, ...s.days.slice(1)] })],
      ['an unknown tier', (s) => ({ ...s, byFeature: [{ ...s.byFeature[0]!, tier: 'gpt' }] })],
      ['an unknown cap level', (s) => ({ ...s, month: { ...s.month, level: 'fine' } })],
      ['a reservation state', (s) => ({ ...s, reservations: [{ ...s.reservations[0]!, state: 'settled' }] })],
      ['a time that is not a time', (s) => ({ ...s, now: 'yesterday' })],
      ['no caps', (s) => ({ ...s, today: undefined })],
    ];
    for (const [name, mutate] of broken) {
      assert.equal(toPageSchema.safeParse({ type: 'state', state: mutate(state()) }).success, false, name);
    }
    assert.equal(toPageSchema.safeParse({ type: 'html', html: '<img src=x onerror=alert(1)>' }).success, false);
  });
});
