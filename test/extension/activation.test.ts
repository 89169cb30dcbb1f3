/**
 * activate() returns before it touches the network: the first fetch compiles Node's HTTP client (~25 ms,
 * most of activate()'s first-call time when it was called inside it), and activation must not wait on
 * the network (issue 10: activate() ≤ 50 ms). The probes and the model warm-up still start right after.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
import { activateInPlainNode } from './plainNodeActivation';

test('activate() makes no request before it returns; the status probe and the warm-up go out right after', async () => {
  const { extensionBundleOptions } = await import('../../esbuild.mjs');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tiercel-activate-'));
  try {
    const outfile = path.join(dir, 'extension.js');
    await esbuild.build({ ...extensionBundleOptions, outfile, sourcemap: false, logLevel: 'silent' });
    const activation = await activateInPlainNode(outfile);
    assert.equal(activation.fetchesDuring, 0, 'no fetch inside activate()');
    assert.ok(activation.fetchesAfter >= 1, `the startup requests still go out (${activation.fetchesAfter})`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
