import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { DiskCache } from '../../../src/core/context/store/diskCache';
import { nodeFileSystem, type ContextFileSystem } from '../../../src/core/context/workspace/fileSystem';
import { walkWorkspace } from '../../../src/core/context/workspace/walk';
import { ContextEngine } from '../../../src/core/context/engine';
import { parsers, tempDir } from './helpers';

test('pruning orphan caches touches only Tiercel cache folders whose workspace is gone', async () => {
  const parent = await tempDir('tiercel-prune-');
  try {
    const manifest = (root: string) => JSON.stringify({ v: 2, root });
    const own = path.join(parent, 'aaaaaaaaaaaaaaaa');
    const orphan = path.join(parent, 'bbbbbbbbbbbbbbbb');
    const live = path.join(parent, 'cccccccccccccccc');
    for (const [dir, root] of [[own, parent], [orphan, path.join(parent, 'gone')], [live, parent]] as const) {
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'manifest.json'), manifest(root));
    }
    // Things that are not caches: a user's files beside a chosen --cache-dir.
    await mkdir(path.join(parent, 'project'));
    await writeFile(path.join(parent, 'notes.txt'), 'keep');
    await mkdir(path.join(parent, 'dddddddddddddddd'));
    new DiskCache(own).pruneOrphanSiblings();
    assert.equal(existsSync(orphan), false);
    for (const kept of [own, live, 'project', 'notes.txt', 'dddddddddddddddd']) assert.ok(existsSync(path.resolve(parent, kept)), kept);
    // A cache folder not named like one prunes nothing at all.
    await mkdir(path.join(parent, 'eeeeeeeeeeeeeeee'));
    await writeFile(path.join(parent, 'eeeeeeeeeeeeeeee', 'manifest.json'), manifest(path.join(parent, 'gone')));
    new DiskCache(path.join(parent, 'my-cache')).pruneOrphanSiblings();
    assert.ok(existsSync(path.join(parent, 'eeeeeeeeeeeeeeee')));
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
});

test('the walk skips dependencies, dot folders, .gitignored paths, unknown languages and large files', async () => {
  const root = await tempDir('tiercel-walk-');
  try {
    const files: Record<string, string> = {
      '.gitignore': 'build/\n*.gen.ts\n',
      'src/a.ts': 'export const a = 1;',
      'src/a.gen.ts': 'x',
      'src/sub/.gitignore': 'local.py\n',
      'src/sub/local.py': 'x = 1',
      'src/sub/kept.py': 'x = 1',
      'build/out.js': 'x',
      'node_modules/dep/index.js': 'x',
      '.hidden/b.go': 'package b',
      'README.md': '# r',
      'big.py': 'x = 1\n'.repeat(100),
      'go.mod': 'module example.com/m',
    };
    for (const [rel, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
      await writeFile(path.join(root, rel), text);
    }
    const walked = walkWorkspace(nodeFileSystem, root, { maxFileBytes: 300, maxFiles: 100 });
    assert.deepEqual(walked.files.map((f) => f.rel), ['src/a.ts', 'src/sub/kept.py']);
    assert.equal(walked.skippedLarge, 1);
    assert.deepEqual(walked.configs, ['go.mod']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('walk: once the index is full, no further folder is listed', () => {
  // A tree of 50 folders of 10 source files each, in memory; the index holds 25 files.
  const listed: string[] = [];
  const tree: ContextFileSystem = {
    readFile: () => '',
    stat: (p) => ({ mtimeMs: 1, size: 10, isFile: /\.ts$/.test(p), isDirectory: !/\.ts$/.test(p) }),
    readDir: (p) => {
      listed.push(p);
      if (p === '/w') return Array.from({ length: 50 }, (_, i) => ({ name: `d${String(i).padStart(2, '0')}`, isFile: false, isDirectory: true }));
      return Array.from({ length: 10 }, (_, i) => ({ name: `f${i}.ts`, isFile: true, isDirectory: false }));
    },
  };
  const walked = walkWorkspace(tree, '/w', { maxFileBytes: 1000, maxFiles: 25 });
  assert.equal(walked.files.length, 25);
  assert.deepEqual(listed, ['/w', '/w/d00', '/w/d01', '/w/d02']);
});

test('a paced cold build rests between slices: the thread it runs on gets turns while it indexes', async () => {
  const workspace = await tempDir('tiercel-paced-');
  try {
    await mkdir(path.join(workspace, 'src'), { recursive: true });
    for (let i = 0; i < 40; i++) await writeFile(path.join(workspace, 'src', `m${i}.ts`), `export function f${i}(x: number): number {\n  return x + ${i};\n}\n`);
    const ticksDuring = async (indexPacing?: { busyMs: number; restMs: number }) => {
      const engine = new ContextEngine({ root: workspace, parsers, ...(indexPacing ? { indexPacing } : {}) });
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      try {
        const stats = await engine.ready();
        assert.equal(stats.files, 40);
      } finally {
        clearInterval(timer);
        engine.dispose();
      }
      return ticks;
    };
    // Flat out, timers run only while the grammars load; paced (busyMs 0), it rests after each of the 40 files.
    const flat = await ticksDuring();
    const paced = await ticksDuring({ busyMs: 0, restMs: 2 });
    assert.ok(paced - flat >= 30, `paced ${paced} ticks, flat out ${flat}`);
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
});
