import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdaptiveDebounce } from '../../../src/core/completion/debounce';

const options = { minMs: 60, maxMs: 350, gapMultiplier: 1.6 };

test('fast typing shortens the wait toward the minimum, slow typing lengthens it toward the maximum', () => {
  const fast = new AdaptiveDebounce(options);
  let t = 0;
  let delay = 0;
  for (let i = 0; i < 30; i++) delay = fast.delayAfterKeystroke((t += 40), false);
  assert.equal(delay, 64); // 40 ms gaps × 1.6

  const slow = new AdaptiveDebounce(options);
  t = 0;
  for (let i = 0; i < 30; i++) delay = slow.delayAfterKeystroke((t += 400), false);
  assert.equal(delay, 350); // clamped
});

test('a pause is not a typing gap, and the start of a line fires at once', () => {
  const d = new AdaptiveDebounce(options);
  let t = 0;
  for (let i = 0; i < 30; i++) d.delayAfterKeystroke((t += 50), false);
  const before = d.delayAfterKeystroke((t += 50), false);
  assert.equal(d.delayAfterKeystroke((t += 5000), false), before);
  assert.equal(d.delayAfterKeystroke(t + 50, true), 0);
});
