import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BudgetExceededError,
  budgetLevel,
  cacheWriteTtlOf,
  decideBudget,
  estimateInputTokens,
  formatUsd,
  worstCaseOf,
  type GatedParams,
} from '../../../src/core/claude/budget';
import { TiercelError } from '../../../src/core/errors';
import { priceOf } from '../../../src/core/claude/prices';

const sonnet = priceOf('claude-sonnet-5-5')!;
const params = (extra: Partial<GatedParams> = {}): GatedParams => ({
  model: 'claude-sonnet-5-5',
  max_tokens: 1000,
  messages: [{ role: 'user', content: 'review this' }],
  ...extra,
});

describe('pre-flight worst case', () => {
  test('count_tokens input (+5%) at the input rate plus max_tokens of output, at the dearest geo', () => {
    const worst = worstCaseOf(sonnet, params(), { inputTokens: 1000, source: 'count_tokens' })!;
    assert.equal(worst.inputTokens, 1050);
    assert.equal(worst.outputTokens, 1000);
    // (1050×2 + 1000×10) / 1e6 × 1.1
    assert.equal(worst.usd, 0.01331);
    const pinned = worstCaseOf(sonnet, params({ inference_geo: 'global' }), { inputTokens: 1000, source: 'count_tokens' })!;
    assert.equal(pinned.usd, 0.0121);
  });

  test('with cache_control the input is priced at the write rate of the dearest TTL asked for', () => {
    const cached5m = params({ system: [{ type: 'text', text: 'long', cache_control: { type: 'ephemeral' } }] });
    assert.equal(cacheWriteTtlOf(cached5m), '5m');
    assert.equal(worstCaseOf(sonnet, { ...cached5m, inference_geo: 'global' }, { inputTokens: 1000, source: 'estimate' })!.usd, 0.0125);
    const cached1h = params({
      cache_control: { type: 'ephemeral' },
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral', ttl: '1h' } }] }],
    });
    assert.equal(cacheWriteTtlOf(cached1h), '1h');
    assert.equal(worstCaseOf(sonnet, { ...cached1h, inference_geo: 'global' }, { inputTokens: 1000, source: 'estimate' })!.usd, 0.014);
    assert.equal(cacheWriteTtlOf(params()), undefined);
  });

  test('the offline estimate is chars/3.5 × 1.3 of the JSON prompt, above the tokenizer-free chars/4', () => {
    const text = 'x'.repeat(3500);
    const estimate = estimateInputTokens(params({ messages: [{ role: 'user', content: text }] }));
    const chars = JSON.stringify(['', [{ role: 'user', content: text }], []]).length;
    assert.equal(estimate, Math.ceil((chars / 3.5) * 1.3));
    assert.ok(estimate > 1300 && estimate > Math.ceil(text.length / 4));
  });

  test('no worst case (refused) for a prompt past the last priced tier', () => {
    const haiku = priceOf('claude-haiku-5-5')!;
    assert.equal(worstCaseOf(haiku, params({ model: 'claude-haiku-5-5' }), { inputTokens: 99_000, source: 'count_tokens' }), undefined);
  });
});

describe('decideBudget', () => {
  const spent = { todayUsd: 4.5, monthUsd: 20 };

  test('allows within both caps, exactly up to the cap', () => {
    assert.equal(decideBudget(0.5, spent, { dailyUsd: 5, monthlyUsd: 50 }).kind, 'allow');
    assert.equal(decideBudget(0.1 + 0.2, { todayUsd: 0.7, monthUsd: 0 }, { dailyUsd: 1 }).kind, 'allow');
    assert.equal(decideBudget(123, spent, {}).kind, 'allow', 'no caps set');
  });

  test('refuses past the daily or the monthly remainder, saying what is left and offering a way out', () => {
    const daily = decideBudget(0.51, spent, { dailyUsd: 5, monthlyUsd: 50 });
    assert.equal(daily.kind, 'refuse');
    assert.ok(daily.kind === 'refuse');
    assert.equal(daily.cap, 'daily');
    assert.equal(daily.reason, "This Claude request could cost up to $0.51, but only $0.50 of today's $5.00 Claude budget is left, so it was not sent.");
    assert.deepEqual(daily.actions, ['runLocally', 'trimContext', 'raiseBudget']);
    const monthly = decideBudget(0.3, { todayUsd: 0, monthUsd: 49.8 }, { dailyUsd: 5, monthlyUsd: 50 });
    assert.ok(monthly.kind === 'refuse' && monthly.cap === 'monthly' && /this month's \$50\.00/.test(monthly.reason));
    assert.equal(decideBudget(0.01, { todayUsd: 0, monthUsd: 0 }, { dailyUsd: 0 }).kind, 'refuse', 'a zero cap allows nothing');
  });

  test('asks above the confirm threshold; refusal wins over asking', () => {
    const ask = decideBudget(1.25, { todayUsd: 0, monthUsd: 0 }, { dailyUsd: 5, confirmAboveUsd: 1 });
    assert.ok(ask.kind === 'confirm');
    assert.match(ask.reason, /up to \$1\.25, above the \$1\.00 you asked to confirm/);
    assert.equal(decideBudget(1, { todayUsd: 0, monthUsd: 0 }, { confirmAboveUsd: 1 }).kind, 'allow');
    assert.equal(decideBudget(6, { todayUsd: 0, monthUsd: 0 }, { dailyUsd: 5, confirmAboveUsd: 1 }).kind, 'refuse');
  });

  test('BudgetExceededError is a TiercelError carrying the decision', () => {
    const decision = decideBudget(9, spent, { dailyUsd: 5 });
    assert.ok(decision.kind === 'refuse');
    const error = new BudgetExceededError(decision);
    assert.ok(error instanceof TiercelError);
    assert.equal(error.message, decision.reason);
    assert.deepEqual(error.actions, ['runLocally', 'trimContext', 'raiseBudget']);
  });
});

test('budgetLevel: warning from 80% of either cap, exceeded at 100%', () => {
  assert.deepEqual(budgetLevel({ todayUsd: 1.2, monthUsd: 3 }, { dailyUsd: 5, monthlyUsd: 50 }), { level: 'ok', dayFraction: 0.24, monthFraction: 0.06 });
  assert.equal(budgetLevel({ todayUsd: 4, monthUsd: 3 }, { dailyUsd: 5 }).level, 'warning');
  assert.equal(budgetLevel({ todayUsd: 1, monthUsd: 45 }, { dailyUsd: 5, monthlyUsd: 50 }).level, 'warning');
  assert.equal(budgetLevel({ todayUsd: 5, monthUsd: 5 }, { dailyUsd: 5 }).level, 'exceeded');
  assert.deepEqual(budgetLevel({ todayUsd: 100, monthUsd: 100 }, {}), { level: 'ok' });
});

test('formatUsd keeps small amounts readable', () => {
  assert.equal(formatUsd(0), '$0.00');
  assert.equal(formatUsd(1.2), '$1.20');
  assert.equal(formatUsd(0.0042), '$0.0042');
  assert.equal(formatUsd(0.000123), '$0.00012');
  assert.equal(formatUsd(0.01331), '$0.013');
  assert.equal(formatUsd(0.5), '$0.50');
  assert.equal(formatUsd(0.123), '$0.12');
  assert.equal(formatUsd(0.01), '$0.01');
  assert.equal(formatUsd(0.0100001), '$0.01');
  assert.equal(formatUsd(12.345), '$12.35');
  assert.equal(formatUsd(1e-9), '<$0.000001');
});
