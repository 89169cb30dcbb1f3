import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompletionCache } from '../../../src/core/completion/cache';

test('typing through a suggestion returns the rest of it', () => {
  const cache = new CompletionCache();
  cache.store('const total = ', ';\n', 'items.reduce((a, b) => a + b, 0)');
  assert.equal(cache.lookup('const total = ', ';\n'), 'items.reduce((a, b) => a + b, 0)');
  assert.equal(cache.lookup('const total = items.re', ';\n'), 'duce((a, b) => a + b, 0)');
  assert.equal(cache.lookup('const total = items.reduce((a, b) => a + b, 0', ';\n'), ')');
});

test('no hit when the typed text leaves the suggestion, the suffix differs, or it is fully typed', () => {
  const cache = new CompletionCache();
  cache.store('let x = ', '\n', 'compute()');
  assert.equal(cache.lookup('let x = cx', '\n'), undefined);
  assert.equal(cache.lookup('let x = ', ')\n'), undefined);
  assert.equal(cache.lookup('let x = compute()', '\n'), undefined);
  assert.equal(cache.lookup('let ', '\n'), undefined);
});

test('the newest entry wins and capacity evicts the least recently used', () => {
  const cache = new CompletionCache(2);
  cache.store('a', '', 'one');
  cache.store('b', '', 'two');
  assert.equal(cache.lookup('a', ''), 'one'); // touch: 'b' is now the oldest
  cache.store('c', '', 'three');
  assert.equal(cache.lookup('b', ''), undefined);
  assert.equal(cache.lookup('a', ''), 'one');
  cache.store('a', '', 'uno');
  assert.equal(cache.lookup('a', ''), 'uno');
  assert.equal(cache.size, 2);
});

test('empty completions are not stored', () => {
  const cache = new CompletionCache();
  cache.store('x', '', '');
  assert.equal(cache.size, 0);
});
