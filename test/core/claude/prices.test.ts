import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import PRICE_DATA from '../../../src/core/claude/prices.json';
import { defaultPriceTable, parsePriceTable, priceOf, ratesFor, worstGeoMultiplier } from '../../../src/core/claude/prices';

const rates = { input: 2, output: 10, cacheWrite5m: 2.5, cacheWrite1h: 4, cacheRead: 0.2 };
const table = (models: Record<string, unknown>) =>
  parsePriceTable({
    asOf: '2026-10-07',
    source: 'test',
    currency: 'USD',
    unit: 'per million tokens',
    inferenceGeoMultipliers: { us: 1.1 },
    models,
  });

describe('prices.json', () => {
  test('is dated, sourced, and has all five rates for every model the research note lists', () => {
    const prices = defaultPriceTable();
    assert.match(prices.asOf, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(prices.source.length > 20);
    const expected = ['claude-opus-5-5', 'claude-sonnet-5-5', 'claude-haiku-5-5', 'claude-opus-5', 'claude-sonnet-5', 'claude-haiku-4-5'];
    assert.deepEqual([...prices.ids].sort(), [...expected].sort());
    for (const id of expected) {
      const price = priceOf(id)!;
      for (const kind of ['input', 'output', 'cacheWrite5m', 'cacheWrite1h', 'cacheRead'] as const) {
        assert.ok(Number.isFinite(price[kind]) && price[kind] > 0, `${id} ${kind}`);
      }
      // A cache write replaces the input rate at a premium; a read is a discount.
      assert.ok(price.cacheWrite1h >= price.cacheWrite5m && price.cacheWrite5m >= price.input && price.cacheRead < price.input, id);
    }
  });

  test('carries the research note’s figures, including the per-model deviations from the multipliers', () => {
    assert.deepEqual(
      (({ input, output, cacheWrite5m, cacheWrite1h, cacheRead }) => ({ input, output, cacheWrite5m, cacheWrite1h, cacheRead }))(
        priceOf('claude-sonnet-5-5')!,
      ),
      { input: 2, output: 10, cacheWrite5m: 2.5, cacheWrite1h: 4, cacheRead: 0.1 },
    );
    assert.equal(priceOf('claude-opus-5-5')!.cacheRead, 0.2, 'Opus 5.5 reads at 0.05x');
    assert.equal(priceOf('claude-haiku-4-5')!.cacheWrite1h, 2, 'derived 2x');
    assert.match(PRICE_DATA.models['claude-haiku-4-5'].note, /derived/);
  });

  test('unknown models and dated snapshot ids that the table does not list have no price', () => {
    assert.equal(priceOf('claude-mystery-9'), undefined);
    assert.equal(priceOf('claude-sonnet-5-5-20261001'), undefined, 'never matched by stripping the date');
    assert.equal(priceOf('CLAUDE-SONNET-5-5'), undefined);
    assert.equal(priceOf(''), undefined);
  });

  test('a snapshot listed under an alias gets the alias price, under the alias name', () => {
    const prices = table({ 'claude-x-1': { status: 'current', ...rates, snapshots: ['claude-x-1-20261001'] } });
    assert.equal(prices.priceOf('claude-x-1-20261001')?.model, 'claude-x-1');
    assert.equal(prices.priceOf('claude-x-1-20261002'), undefined);
    assert.throws(() =>
      table({
        a: { status: 'current', ...rates, snapshots: ['dup'] },
        b: { status: 'current', ...rates, snapshots: ['dup'] },
      }),
    );
  });

  test('malformed data is rejected, not half-loaded', () => {
    assert.throws(() => table({ m: { status: 'current', ...rates, cacheRead: -1 } }));
    assert.throws(() => table({ m: { status: 'current', input: 1, output: 2 } }));
    assert.throws(() => parsePriceTable({ ...PRICE_DATA, asOf: 'last week' }));
    assert.throws(() => parsePriceTable({ ...PRICE_DATA, currency: 'EUR' }));
  });

  test('tiers: Haiku 5.5 has no rate above 100k input tokens; a long-context tier switches rates', () => {
    const haiku = priceOf('claude-haiku-5-5')!;
    assert.equal(ratesFor(haiku, 100_000), haiku);
    assert.equal(ratesFor(haiku, 100_001), undefined);
    const long = { ...rates, input: 4, output: 15, aboveInputTokens: 200_000 };
    const price = table({ m: { status: 'current', ...rates, longContext: long } }).priceOf('m')!;
    assert.equal(ratesFor(price, 200_000)?.input, 2);
    assert.equal(ratesFor(price, 200_001)?.input, 4);
  });

  test('geo: the worst case assumes the dearest multiplier unless the request pins inference_geo', () => {
    const price = priceOf('claude-sonnet-5-5')!;
    assert.equal(worstGeoMultiplier(price), 1.1);
    assert.equal(worstGeoMultiplier(price, 'us'), 1.1);
    assert.equal(worstGeoMultiplier(price, 'global'), 1);
  });
});
