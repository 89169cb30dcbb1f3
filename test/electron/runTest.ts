/**
 * `npm run test:electron`: the integration suite in VS Code desktop via @vscode/test-electron, for
 * machines that can download VS Code (this one cannot: the E2E suite in test/e2e uses code-server instead).
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import * as esbuild from 'esbuild';
import { runTests } from '@vscode/test-electron';
import { nodeBundleOptions } from '../../esbuild.mjs';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  const out = await mkdtemp(path.join(os.tmpdir(), 'tiercel-electron-'));
  const suite = path.join(out, 'suite.js');
  // The suite runs inside the extension host, which loads cjs: bundle it like the extension itself.
  await esbuild.build({ ...nodeBundleOptions, entryPoints: [path.join(__dirname, 'suite.ts')], outfile: suite, external: ['vscode'] });
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: suite,
    launchArgs: [out, '--disable-extensions', '--disable-workspace-trust'],
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
