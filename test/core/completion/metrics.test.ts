import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompletionMetrics, formatStats, percentile } from '../../../src/core/completion/metrics';

test('nearest-rank percentiles', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(values, 0.5), 50);
  assert.equal(percentile(values, 0.95), 95);
  assert.equal(percentile([7], 0.95), 7);
  assert.equal(percentile([], 0.5), undefined);
});

test('stats render every figure, with the acceptance rate', () => {
  const m = new CompletionMetrics();
  m.requests = 10;
  m.shown = 8;
  m.accepted = 2;
  for (const v of [100, 200, 300]) m.endToEnd.add(v);
  const text = formatStats(m.snapshot());
  assert.match(text, /Requests to Ollama \| 10 \|/);
  assert.match(text, /shown \/ accepted \| 8 \/ 2 \(25%\)/);
  assert.match(text, /End-to-end latency \| p50 200 ms, p95 300 ms \(3 samples\)/);
  assert.match(text, /Time to first token \| no samples/);
});
