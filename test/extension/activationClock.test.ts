import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { startActivationClock } from '../../src/extension/activationClock';

test('the activation clock reports wall time, and on Linux the wait for a CPU, which never exceeds the wall time', () => {
  const stop = startActivationClock();
  const until = performance.now() + 20;
  while (performance.now() < until);
  const report = stop();
  const wall = Number(/^(\d+\.\d) ms/.exec(report)?.[1]);
  assert.ok(wall >= 20, report);
  if (existsSync('/proc/thread-self/schedstat')) {
    const waited = Number(/(\d+\.\d) ms waiting for a CPU/.exec(report)?.[1]);
    assert.ok(waited >= 0 && waited <= wall + 1, report);
  }
  if ('threadCpuUsage' in process) assert.match(report, /\d+\.\d ms CPU/);
});
