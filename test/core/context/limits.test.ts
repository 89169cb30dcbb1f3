/**
 * Inputs that used to hang or crash the engine: a bundle or minified file as the cursor's file (253 s
 * at 10 MB, with the extension host or the CLI frozen), a folder the user cannot list (EACCES ended the
 * whole call). Each now costs little and says why.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContextEngine } from '../../../src/core/context';
import { unscannableReason } from '../../../src/core/context/limits';
import type { ContextFileSystem } from '../../../src/core/context/workspace/fileSystem';
import { walkWorkspace } from '../../../src/core/context/workspace/walk';
import { engineFor, parsers } from './helpers';

/** One line of minified JavaScript, `chars` long. */
function minified(chars: number): string {
  const unit = 'function f(a,b){return a.x+b.y*2}var v=f({x:1},{y:2});';
  return unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);
}

test('texts not worth parsing are named, ordinary code is not, and the check itself is cheap', () => {
  const code = 'export function add(a: number, b: number): number {\n  return a + b;\n}\n'.repeat(2000);
  assert.equal(unscannableReason(code), undefined);
  assert.match(unscannableReason(minified(200_000)) ?? '', /minified/);
  assert.match(unscannableReason(`PNG\0\0${'x'.repeat(100)}`) ?? '', /binary/);
  const huge = minified(10_000_000);
  const started = performance.now();
  assert.match(unscannableReason(huge) ?? '', /larger than 1,000,000 characters/);
  assert.ok(performance.now() - started < 200, 'linear, no parse');
});

test('a 10 MB one-line file at the cursor: no context, within a fraction of a second, and why', async () => {
  const engine = engineFor('ts');
  await engine.ready();
  for (const chars of [1_000_000, 10_000_000]) {
    const text = minified(chars);
    const started = performance.now();
    const result = await engine.contextAt({ file: 'src/bundle.js', offset: Math.floor(chars / 2), text, maxTokens: 1024, deadlineMs: 25 });
    const ms = performance.now() - started;
    assert.deepEqual(result.snippets, []);
    assert.ok(result.skipped, `${chars}: skipped says why`);
    assert.ok(ms < 1000, `${chars} characters: ${ms.toFixed(0)} ms`);
  }
  // An editor buffer of a bundle is not parsed either (engine.update runs on every change).
  const started = performance.now();
  await engine.update('src/bundle.js', minified(10_000_000));
  assert.ok(performance.now() - started < 1000);
  engine.dispose();
});

test('a folder that cannot be listed is skipped and reported; the rest is indexed', async () => {
  const files: Record<string, string> = { '/w/src/a.ts': 'export const a = 1;\n', '/w/src/b.ts': 'import { a } from "./a";\nexport const b = a;\n' };
  const denied = (p: string) => Object.assign(new Error(`EACCES: permission denied, scandir '${p}'`), { code: 'EACCES' });
  const fs: ContextFileSystem = {
    readFile: (p) => {
      if (!(p in files)) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return files[p]!;
    },
    stat: (p) => {
      if (p in files) return { mtimeMs: 1, size: files[p]!.length, isFile: true, isDirectory: false };
      if (['/w', '/w/src', '/w/pgdata'].includes(p)) return { mtimeMs: 1, size: 0, isFile: false, isDirectory: true };
      return undefined;
    },
    readDir: (p) => {
      if (p === '/w') return [{ name: 'src', isFile: false, isDirectory: true }, { name: 'pgdata', isFile: false, isDirectory: true }];
      if (p === '/w/src') return [{ name: 'a.ts', isFile: true, isDirectory: false }, { name: 'b.ts', isFile: true, isDirectory: false }];
      throw denied(p);
    },
  };
  const walked = walkWorkspace(fs, '/w');
  assert.deepEqual(walked.files.map((f) => f.rel), ['src/a.ts', 'src/b.ts']);
  assert.deepEqual(walked.unreadable, ['pgdata']);

  const engine = new ContextEngine({ root: '/w', parsers, fs, now: () => 0 });
  const text = files['/w/src/b.ts']!;
  const result = await engine.contextAt({ file: 'src/b.ts', offset: text.indexOf('= a') + 3, text, maxTokens: 512 });
  assert.ok(result.snippets.some((s) => s.file === 'src/a.ts'), JSON.stringify(result.snippets));
  assert.deepEqual(engine.stats.unreadable, ['pgdata']);
  engine.dispose();
});
