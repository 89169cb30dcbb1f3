/** package.json's contributions and the code that serves them must not drift apart. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_SETTINGS } from '../../src/core/settings';

const ROOT = path.resolve(__dirname, '../..');

interface Manifest {
  engines: { vscode: string };
  activationEvents: string[];
  devDependencies: Record<string, string>;
  contributes: {
    commands: Array<{ command: string; title: string; category: string }>;
    configuration: { properties: Record<string, { default: unknown }> };
  };
}

async function manifest(): Promise<Manifest> {
  return JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
}

/** `{ section: { key: value } }` → `{ "tiercel.section.key": value }` (values may be objects themselves). */
function settingKeys(settings: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(settings).flatMap(([section, values]) =>
      Object.entries(values as object).map(([key, value]) => [`tiercel.${section}.${key}`, value]),
    ),
  );
}

test('every setting default in package.json equals the core default, and none is missing', async () => {
  const declared = Object.fromEntries(
    Object.entries((await manifest()).contributes.configuration.properties).map(([k, v]) => [k, v.default]),
  );
  assert.deepEqual(declared, settingKeys(DEFAULT_SETTINGS));
});

test('every contributed command has a handler in the command table, and every handler is contributed', async () => {
  // The table lives in src/extension (it needs vscode), so its keys are read from the source.
  const source = await readFile(path.join(ROOT, 'src/extension/commands.ts'), 'utf8');
  const handled = [...source.matchAll(/^\s*'(tiercel\.[A-Za-z.]+)': \(app\) =>/gm)].map((m) => m[1]).sort();
  const contributed = (await manifest()).contributes.commands.map((c) => c.command).sort();
  assert.ok(handled.length >= 1);
  assert.deepEqual(contributed, handled);
});

test('commands carry the Tiercel category; startup stays cheap; engine fits the VS Code the tests run', async () => {
  const m = await manifest();
  for (const c of m.contributes.commands) assert.equal(c.category, 'Tiercel', c.command);
  assert.ok(!m.activationEvents.includes('*'), 'no "*" activation: it would slow every VS Code start');
  const engine = /^\^(\d+)\.(\d+)\.\d+$/.exec(m.engines.vscode);
  assert.ok(engine, m.engines.vscode);
  assert.ok(Number(engine[1]) === 1 && Number(engine[2]) <= 139, 'engines.vscode must not be newer than 1.139');
  // vsce refuses a package whose @types/vscode is newer than engines.vscode.
  assert.ok(m.devDependencies['@types/vscode']!.replace(/^\D*/, '') <= m.engines.vscode.replace(/^\D*/, ''));
});
