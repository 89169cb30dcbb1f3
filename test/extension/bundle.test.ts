/**
 * What the production dist/extension.js carries: ≤ 1 MB (issue 10's target; VS Code compiles the whole
 * file before activate() runs), and not the Anthropic SDK, which is its own bundle loaded on the first
 * Claude request. Classic zod's 60 locales (~300 KB) stay out too: they come back as soon as a module
 * imports zod as `import { z } from 'zod'` (a namespace re-export esbuild cannot tree-shake).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';

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
    // the bundle loads (with `vscode` stubbed) although no anthropicSdk.js lies beside it.
    const loader = `const Module = require('node:module');
const stub = new Proxy(function () {}, { get: (_, p) => (p === '__esModule' || p === 'then' ? undefined : stub), apply: () => stub, construct: () => stub });
const load = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? Object.create(stub) : load.call(this, request, ...rest); };
process.stdout.write(typeof require(process.argv[1]).activate);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', loader, outfile]);
    assert.equal(stdout, 'function');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
