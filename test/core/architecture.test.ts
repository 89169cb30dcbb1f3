/**
 * src/core must run without the editor (CLI, benchmarks, plain-Node tests), so it may not import
 * `vscode`, nor reach into the layers that do.
 */
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');
const FORBIDDEN_LAYERS = ['src/extension', 'src/webview', 'src/cli'].map((d) => path.join(ROOT, d));

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && /\.[cm]?[tj]sx?$/.test(e.name)).map((e) => path.join(e.parentPath, e.name));
}

/** Every import of `vscode` or of a front-end layer under `dir`, as "file: specifier". */
async function forbiddenImports(dir: string, layers: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const file of await sourceFiles(dir)) {
    // The compiler's own pre-processor sees static imports, `import type`, export-from, require() and import().
    const info = ts.preProcessFile(await readFile(file, 'utf8'), true, true);
    for (const { fileName: specifier } of info.importedFiles) {
      const intoLayer = specifier.startsWith('.') && layers.some((l) => path.resolve(path.dirname(file), specifier).startsWith(l));
      if (specifier === 'vscode' || specifier.startsWith('vscode/') || intoLayer) {
        found.push(`${path.relative(ROOT, file)}: ${specifier}`);
      }
    }
  }
  return found;
}

test('no file under src/core imports vscode or the extension, webview or CLI layers', async () => {
  const files = await sourceFiles(path.join(ROOT, 'src/core'));
  assert.ok(files.length > 5, 'the check found the core sources');
  assert.deepEqual(await forbiddenImports(path.join(ROOT, 'src/core'), FORBIDDEN_LAYERS), []);
});

test('the check catches every form of a vscode import', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tiercel-arch-'));
  try {
    await mkdir(path.join(dir, 'core/deep'), { recursive: true });
    await mkdir(path.join(dir, 'extension'), { recursive: true });
    await writeFile(path.join(dir, 'core/a.ts'), "import * as vscode from 'vscode';\n");
    await writeFile(path.join(dir, 'core/b.ts'), "import type { Uri } from 'vscode';\n");
    await writeFile(path.join(dir, 'core/deep/c.ts'), "const v = require('vscode');\nconst w = await import('vscode');\n");
    await writeFile(path.join(dir, 'core/d.ts'), "export { App } from '../extension/app';\n");
    await writeFile(path.join(dir, 'core/ok.ts'), "import { Ollama } from 'ollama';\n// import 'vscode' in a comment is fine\n");
    const found = await forbiddenImports(path.join(dir, 'core'), [path.join(dir, 'extension')]);
    assert.equal(found.length, 5, found.join('\n'));
    assert.ok(!found.some((f) => f.includes('ok.ts')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('webview pages import no vscode, no Node built-in and no other layer; hosts import only their protocol.ts', async () => {
  const webview = path.join(ROOT, 'src/webview');
  const found: string[] = [];
  for (const file of await sourceFiles(webview)) {
    for (const { fileName: specifier } of ts.preProcessFile(await readFile(file, 'utf8'), true, true).importedFiles) {
      const layer = specifier.startsWith('.') && FORBIDDEN_LAYERS.filter((l) => l !== webview).concat(path.join(ROOT, 'src/core')).some((l) => path.resolve(path.dirname(file), specifier).startsWith(l));
      if (specifier === 'vscode' || specifier.startsWith('node:') || layer) found.push(`${path.relative(ROOT, file)}: ${specifier}`);
    }
  }
  for (const file of await sourceFiles(path.join(ROOT, 'src/extension'))) {
    for (const { fileName: specifier } of ts.preProcessFile(await readFile(file, 'utf8'), true, true).importedFiles) {
      const target = specifier.startsWith('.') ? path.resolve(path.dirname(file), specifier) : '';
      if (target.startsWith(webview) && !/[\\/]protocol$/.test(target)) found.push(`${path.relative(ROOT, file)}: ${specifier}`);
    }
  }
  assert.deepEqual(found, []);
});
