import type Anthropic from '@anthropic-ai/sdk';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { priceOf } from '../../../src/core/claude/prices';
import { costOf, StreamUsage, totalInputTokens, usageFromSdk } from '../../../src/core/claude/usage';
import { tokens } from './helpers';

const sonnet = priceOf('claude-sonnet-5-5')!;

describe('usageFromSdk', () => {
  test('plain usage; missing and null counts are 0', () => {
    assert.deepEqual(usageFromSdk({ input_tokens: 1200, output_tokens: 345 }), tokens({ input: 1200, output: 345 }));
    assert.deepEqual(usageFromSdk({ input_tokens: 5, output_tokens: 1, cache_creation_input_tokens: null, cache_read_input_tokens: null, cache_creation: null }), tokens({ input: 5, output: 1 }));
  });

  test('cache writes priced by TTL from the 5m/1h split; total input counts every kind', () => {
    const usage = usageFromSdk({
      input_tokens: 12,
      output_tokens: 7,
      cache_creation_input_tokens: 2500,
      cache_read_input_tokens: 3000,
      cache_creation: { ephemeral_5m_input_tokens: 2000, ephemeral_1h_input_tokens: 500 },
    });
    assert.deepEqual(usage, tokens({ input: 12, output: 7, cacheWrite5m: 2000, cacheWrite1h: 500, cacheRead: 3000 }));
    assert.equal(totalInputTokens(usage), 12 + 2500 + 3000);
  });

  test('writes the split does not explain go to the given TTL; the total stays authoritative', () => {
    const unsplit = { input_tokens: 1, output_tokens: 1, cache_creation_input_tokens: 900 };
    assert.equal(usageFromSdk(unsplit).cacheWrite5m, 900);
    assert.equal(usageFromSdk(unsplit, '1h').cacheWrite1h, 900);
    const partial = { ...unsplit, cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 } };
    assert.deepEqual(usageFromSdk(partial, '1h'), tokens({ input: 1, output: 1, cacheWrite5m: 100, cacheWrite1h: 800 }));
    // A split larger than the total keeps the total, the dearer 1-hour share first.
    const over = { ...unsplit, cache_creation_input_tokens: 250, cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 } };
    assert.deepEqual(usageFromSdk(over), tokens({ input: 1, output: 1, cacheWrite5m: 50, cacheWrite1h: 200 }));
  });
});

describe('StreamUsage', () => {
  const start = (usage: Partial<Anthropic.Messages.Usage>) =>
    ({
      type: 'message_start',
      message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-5-5', content: [], stop_reason: null, stop_sequence: null, usage },
    }) as unknown as Anthropic.Messages.MessageStreamEvent;
  const delta = (usage: Partial<Anthropic.Messages.MessageDeltaUsage>) =>
    ({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage }) as unknown as Anthropic.Messages.MessageStreamEvent;

  test('message_start, then message_delta overwrites (cumulative), never adds; the split survives', () => {
    const stream = new StreamUsage();
    assert.equal(stream.started, false);
    assert.equal(stream.usage(), undefined);
    stream.apply(delta({ output_tokens: 99 }));
    assert.equal(stream.started, false, 'a delta before message_start is ignored');
    stream.apply(
      start({
        input_tokens: 30,
        output_tokens: 1,
        cache_creation_input_tokens: 600,
        cache_read_input_tokens: 0,
        cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 500 },
        inference_geo: 'us',
      }),
    );
    assert.equal(stream.started, true);
    assert.equal(stream.inferenceGeo, 'us');
    stream.apply(delta({ output_tokens: 20, input_tokens: null, cache_creation_input_tokens: null, cache_read_input_tokens: null }));
    stream.apply(delta({ output_tokens: 42, input_tokens: 30, cache_creation_input_tokens: 600, cache_read_input_tokens: 0 }));
    assert.deepEqual(stream.usage(), tokens({ input: 30, output: 42, cacheWrite5m: 100, cacheWrite1h: 500 }));
  });
});

describe('costOf', () => {
  test('each kind at its own rate, to the token (Sonnet 5.5)', () => {
    assert.equal(costOf(tokens({ input: 1_000_000 }), sonnet), 2);
    assert.equal(costOf(tokens({ output: 1_000_000 }), sonnet), 10);
    assert.equal(costOf(tokens({ cacheWrite5m: 1_000_000 }), sonnet), 2.5);
    assert.equal(costOf(tokens({ cacheWrite1h: 1_000_000 }), sonnet), 4);
    assert.equal(costOf(tokens({ cacheRead: 1_000_000 }), sonnet), 0.1);
    // 12×2 + 2000×2.5 + 500×4 + 3000×0.1 + 7×10 = 7394 per million.
    assert.equal(costOf(tokens({ input: 12, output: 7, cacheWrite5m: 2000, cacheWrite1h: 500, cacheRead: 3000 }), sonnet), 0.007394);
    assert.equal(costOf(tokens({ input: 1, output: 2 }), sonnet), 0.000022);
  });

  test('the geo multiplier applies by the response’s inference_geo', () => {
    assert.equal(costOf(tokens({ input: 1_000_000 }), sonnet, { inferenceGeo: 'us' }), 2.2);
    assert.equal(costOf(tokens({ input: 1_000_000 }), sonnet, { inferenceGeo: 'global' }), 2);
  });

  test('a prompt past the last priced tier throws instead of guessing', () => {
    const haiku = priceOf('claude-haiku-5-5')!;
    assert.equal(costOf(tokens({ input: 100_000, output: 1000 }), haiku), 0.0105);
    assert.throws(() => costOf(tokens({ input: 90_000, cacheRead: 20_000 }), haiku), /no price/);
  });
});
