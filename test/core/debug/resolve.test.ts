import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PrivacyFilter } from '../../../src/core/privacy/ignore';
import { resolveFrames } from '../../../src/core/debug/resolve';
import type { StackFrame } from '../../../src/core/debug/stackTrace';

const frame = (file: string, over: Partial<StackFrame> = {}): StackFrame => ({ file, line: 3, library: false, raw: file, ...over });

/** A workspace of `files`, with `.env*` and `dist/` excluded the way the privacy filter would. */
function workspace(files: string[]) {
  const asked: string[] = [];
  return {
    asked,
    exists: async (rel: string) => {
      asked.push(rel);
      return files.includes(rel);
    },
    // No links in these virtual workspaces: every path is its own real path.
    fs: { realpath: async (p: string) => p },
    filter: {
      isExcluded: (rel: string) =>
        rel.startsWith('dist/') ? { excluded: true, reason: '.gitignore: dist/' } : rel.split('/').pop()!.startsWith('.env') ? { excluded: true, reason: 'default deny list: .env.*' } : { excluded: false },
    },
  };
}

test('absolute paths under the root become workspace-relative; outside ones, runtime frames and missing files do not', async () => {
  const ws = workspace(['src/cart/total.ts', 'src/checkout/handler.ts']);
  const result = await resolveFrames(
    [
      frame('/home/dana/shop/src/cart/total.ts', { line: 14 }),
      frame('/home/dana/shop/src/checkout/../checkout/handler.ts'),
      frame('/home/dana/shop/src/gone.ts'),
      frame('node:internal/process/task_queues', { library: true, internal: true }),
      frame('/usr/lib/node_modules/npm/lib/cli.js', { library: true }),
    ],
    { root: '/home/dana/shop/', ...ws },
  );
  assert.deepEqual(result.frames.map((f) => [f.relPath, f.line]), [['src/cart/total.ts', 14], ['src/checkout/handler.ts', 3]]);
  assert.deepEqual(result.unresolved.map((f) => f.file), ['/home/dana/shop/src/gone.ts', 'node:internal/process/task_queues', '/usr/lib/node_modules/npm/lib/cli.js']);
  // A dependency outside the workspace is not matched by its tail.
  assert.ok(!ws.asked.some((p) => p.includes('cli.js')));
});

test('relative paths, ./ prefixes and backslashes; paths climbing out of the workspace are unresolved', async () => {
  const ws = workspace(['src/main.rs', 'app/models.py']);
  const result = await resolveFrames([frame('./src/main.rs'), frame('app\\models.py'), frame('../other/x.py')], { root: '/w', ...ws });
  assert.deepEqual(result.frames.map((f) => f.relPath), ['src/main.rs', 'app/models.py']);
  assert.equal(result.unresolved.length, 1);
});

test('Windows: drive letters compare case-insensitively, file URLs and backslashes alike', async () => {
  const ws = workspace(['src/db/seed.ts', 'src/main.ts']);
  const result = await resolveFrames([frame('C:\\Users\\dana\\proj\\src\\db\\seed.ts'), frame('c:/Users/dana/proj/src/main.ts')], { root: 'C:\\Users\\dana\\proj', ...ws });
  assert.deepEqual(result.frames.map((f) => f.relPath), ['src/db/seed.ts', 'src/main.ts']);
});

test('a trace from another checkout (a container) is matched by the longest tail that exists', async () => {
  const ws = workspace(['src/config.js', 'config.js']);
  const result = await resolveFrames([frame('/srv/app/src/config.js')], { root: '/home/dana/app', ...ws });
  assert.deepEqual(result.frames.map((f) => f.relPath), ['src/config.js']);
  // Every tail but the whole path (the path itself is not relative to anything), longest first.
  assert.deepEqual(ws.asked, ['app/src/config.js', 'src/config.js']);
});

test('excluded files are dropped with the rule that excluded them, and never reported as frames', async () => {
  const ws = workspace(['dist/bundle.js', 'src/a.ts']);
  const result = await resolveFrames([frame('/w/dist/bundle.js'), frame('/w/src/a.ts')], { root: '/w', ...ws });
  assert.deepEqual(result.frames.map((f) => f.relPath), ['src/a.ts']);
  assert.deepEqual(result.excluded.map((e) => [e.relPath, e.reason]), [['dist/bundle.js', '.gitignore: dist/']]);
});

test('JVM frames are found from the class package under the usual source roots', async () => {
  const ws = workspace(['orders/README.md', 'src/main/kotlin/com/acme/orders/OrderController.kt', 'src/main/java/com/acme/orders/OrderParser.java']);
  const result = await resolveFrames(
    [
      frame('OrderController.kt', { functionName: 'com.acme.orders.OrderController.show' }),
      frame('OrderParser.java', { functionName: 'com.acme.orders.OrderParser$Line.<init>' }),
      frame('Optional.java', { functionName: 'java.util.Optional.map', library: true }),
    ],
    { root: '/w', ...ws },
  );
  assert.deepEqual(result.frames.map((f) => f.relPath), ['src/main/kotlin/com/acme/orders/OrderController.kt', 'src/main/java/com/acme/orders/OrderParser.java']);
  assert.equal(result.unresolved.length, 1);
});

test('each path is looked up once however many frames share it', async () => {
  const ws = workspace(['src/a.ts']);
  await resolveFrames([frame('/w/src/a.ts', { line: 1 }), frame('/w/src/a.ts', { line: 2 }), frame('/w/src/a.ts', { line: 3 })], { root: '/w', ...ws });
  assert.deepEqual(ws.asked, ['src/a.ts']);
});

test('frames reached through symbolic links are judged by the file they lead to', async () => {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'tiercel-frames-'));
  const root = path.join(scratch, 'ws');
  const outside = path.join(scratch, 'outside');
  await mkdir(path.join(root, 'src'), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(root, '.env'), 'DB_PASSWORD=through-a-link\n');
  await writeFile(path.join(root, 'src/real.ts'), 'export {};\n');
  await writeFile(path.join(outside, 'lib.ts'), 'export const outsideSecret = 1;\n');
  await symlink(path.join(root, '.env'), path.join(root, 'src/env-link.ts'));
  await symlink(path.join(outside, 'lib.ts'), path.join(root, 'src/outside-link.ts'));
  await symlink(outside, path.join(root, 'vendor'));
  await symlink(path.join(root, 'src/real.ts'), path.join(root, 'src/alias.ts'));
  try {
    const result = await resolveFrames(
      [frame(`${root}/src/env-link.ts`), frame('src/outside-link.ts'), frame('vendor/lib.ts'), frame('src/alias.ts')],
      { root, exists: (rel) => stat(path.join(root, rel)).then((s) => s.isFile(), () => false), filter: await PrivacyFilter.load(root) },
    );
    assert.deepEqual(result.frames.map((f) => f.relPath), ['src/alias.ts']);
    assert.deepEqual(
      result.excluded.map((e) => [e.relPath, e.reason]),
      [
        ['src/env-link.ts', 'a symbolic link to .env (default deny list: .env)'],
        ['src/outside-link.ts', 'a symbolic link that leads outside the workspace'],
        ['vendor/lib.ts', 'a symbolic link that leads outside the workspace'],
      ],
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});
