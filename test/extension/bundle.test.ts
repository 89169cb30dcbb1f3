/**
 * What the production dist/extension.js carries: ≤ 1 MB (issue 10's target; VS Code compiles the whole
 * file before activate() runs), and not the Anthropic SDK, which is its own bundle loaded on the first
 * Claude request. Classic zod's 60 locales (~300 KB) stay out too: they come back as soon as a module
 * imports zod as `import { z } from 'zod'` (a namespace re-export esbuild cannot tree-shake).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
import { activateInPlainNode } from './plainNodeActivation';

test('the production extension bundle is ≤ 1 MB, without the Anthropic SDK or zod locales', async () => {
  const { extensionBundleOptions } = await import('../../esbuild.mjs');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tiercel-bundle-'));
  try {
    const outfile = path.join(dir, 'extension.js');
    const result = await esbuild.build({ ...extensionBundleOptions, outfile, minify: true, sourcemap: false, metafile: true, logLevel: 'silent' });
    const output = result.metafile.outputs[Object.keys(result.metafile.outputs)[0]!]!;
    const inputs = Object.keys(output.inputs);
    assert.ok(output.bytes <= 1024 * 1024, `dist/extension.js is ${Math.round(output.bytes / 1024)} KB`);
    const sdk = inputs.filter((f) => f.includes('node_modules/@anthropic-ai/sdk/') && !/\/(helpers\/zod|lib\/transform-json-schema|core\/error|internal\/)/.test(f));
    assert.deepEqual(sdk, [], 'the Anthropic SDK is bundled apart (dist/anthropicSdk.js)');
    assert.deepEqual(
      inputs.filter((f) => f.includes('node_modules/zod/v4/locales/') && !f.endsWith('/en.js') && !f.endsWith('/index.js')),
      [],
      'no zod locale but English',
    );
    assert.ok(output.imports.some((i) => i.path === './anthropicSdk.js' && i.external));
    // ...and required only where the Claude tier loads its client, inside a module body run on first use:
    // the bundle loads and activates (with `vscode` stubbed) although no anthropicSdk.js lies beside it.
    const activation = await activateInPlainNode(outfile);
    assert.ok(activation.loadCpuMs > 0 && activation.cpuMs > 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
