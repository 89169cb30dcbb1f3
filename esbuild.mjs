// Builds every bundle: dist/extension.js (VS Code host), dist/anthropicSdk.js (the Anthropic SDK, which the
// host loads on first use), dist/contextWorker.js (the context engine's worker thread, started by the host), dist/cli.js (headless; it runs dist/cliMain.js), and copies the tree-sitter grammars. `--watch` rebuilds on change; `--production` minifies and drops source maps.
import * as esbuild from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyGrammars } from './scripts/copy-grammars.mjs';

const root = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Options shared by every Node bundle; exported so tests can bundle a probe exactly like the product. */
export const nodeBundleOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // web-tree-sitter's ESM build reads import.meta.url, which is empty in cjs output (no warning):
  // bundle its cjs build instead, and pass locateFile to Parser.init (src/core/syntax/parsers.ts).
  alias: { 'web-tree-sitter': require.resolve('web-tree-sitter').replace(/\.js$/, '.cjs') },
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  absWorkingDir: root,
};

/**
 * The Anthropic SDK (~415 KB minified, more than a third of the host bundle) is its own bundle,
 * dist/anthropicSdk.js, which dist/extension.js requires on the first Claude request: the Claude tier
 * imports its client and request modules dynamically (src/core/tiers/claude.ts), so no one loads the
 * SDK at activation (budget: dist/extension.js ≤ 1 MB and activate() ≤ 50 ms, `npm run bench:editor`).
 * Only the package root moves: `@anthropic-ai/sdk/helpers/zod` (a JSON-schema helper, a few KB, used
 * for its `.schema` only) stays in the host bundle. The CLI keeps the SDK in dist/cli.js.
 */
const ANTHROPIC_SDK_BUNDLE = './anthropicSdk.js';
const anthropicSdkApart = {
  name: 'anthropic-sdk-apart',
  setup(build) {
    build.onResolve({ filter: /^@anthropic-ai\/sdk$/ }, () => ({ path: ANTHROPIC_SDK_BUNDLE, external: true }));
  },
};

/** dist/extension.js; exported so a test can check what the production build carries. */
export const extensionBundleOptions = {
  ...nodeBundleOptions,
  entryPoints: ['src/extension/extension.ts'],
  outfile: 'dist/extension.js',
  external: ['vscode'],
  plugins: [anthropicSdkApart],
};

const bundles = [
  extensionBundleOptions,
  {
    ...nodeBundleOptions,
    stdin: { contents: "export * from '@anthropic-ai/sdk';\nexport { default } from '@anthropic-ai/sdk';\n", resolveDir: root, sourcefile: 'anthropicSdk.ts', loader: 'ts' },
    outfile: 'dist/anthropicSdk.js',
  },
  // The context engine (tree-sitter, the index) runs in this worker thread, off the host's event loop;
  // it stays out of dist/extension.js, which only talks to it (src/core/context/worker/client.ts).
  {
    ...nodeBundleOptions,
    entryPoints: ['src/core/context/worker/main.ts'],
    outfile: 'dist/contextWorker.js',
  },
  // dist/cli.js is a small launcher that runs dist/cliMain.js from V8's code cache (src/cli/launch.ts).
  {
    ...nodeBundleOptions,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cliMain.js',
  },
  {
    ...nodeBundleOptions,
    entryPoints: ['src/cli/launch.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  },
];

/**
 * Each webview's page, src/webview/<view>/main.ts, as its own browser bundle: dist/webview/<view>.js,
 * plus <view>.css when the page imports CSS. The host's HTML (src/extension/webviews/html.ts) loads them.
 */
const webviewEntries = Object.fromEntries(
  readdirSync(path.join(root, 'src/webview'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(root, 'src/webview', d.name, 'main.ts')))
    .map((d) => [d.name, `src/webview/${d.name}/main.ts`]),
);
if (Object.keys(webviewEntries).length) {
  bundles.push({
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: webviewEntries,
    outdir: 'dist/webview',
    sourcemap: !production,
    minify: production,
    logLevel: 'info',
    absWorkingDir: root,
  });
}

async function main() {
  await copyGrammars();
  if (watch) {
    const contexts = await Promise.all(bundles.map((b) => esbuild.context(b)));
    await Promise.all(contexts.map((c) => c.watch()));
    console.log('watching for changes…');
    return;
  }
  await Promise.all(bundles.map((b) => esbuild.build(b)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
