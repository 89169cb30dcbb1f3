/** `node dist/cli.js context` keeps the benchmark's contract exactly (the runner builds dist first). */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { FIXTURES, ROOT, tempDir } from './helpers';

const run = promisify(execFile);

test('context --json prints {snippets:[{file,startLine,endLine,text,reason}],tokens,ms}, cached between calls', async () => {
  const cacheDir = await tempDir('tiercel-cli-context-');
  try {
    const workspace = path.join(FIXTURES, 'go');
    const offset = readFileSync(path.join(workspace, 'main.go'), 'utf8').indexOf('cart.NewCart(') + 'cart.NewCart('.length;
    const args = [path.join(ROOT, 'dist/cli.js'), 'context', '--workspace', workspace, '--file', 'main.go', '--offset', String(offset), '--max-tokens', '256', '--json', '--cache-dir', cacheDir];
    for (const call of ['cold', 'warm']) {
      const { stdout } = await run(process.execPath, args);
      const out = JSON.parse(stdout) as { snippets: Record<string, unknown>[]; tokens: number; ms: number };
      assert.deepEqual(Object.keys(out), ['snippets', 'tokens', 'ms'], call);
      assert.ok(out.snippets.length > 0 && out.tokens <= 256 && out.ms > 0, call);
      for (const s of out.snippets) assert.deepEqual(Object.keys(s), ['file', 'startLine', 'endLine', 'text', 'reason']);
      assert.deepEqual([out.snippets[0]!.file, out.snippets[0]!.startLine, out.snippets[0]!.reason], ['cart/cart.go', 10, 'definition']);
    }
    const help = await run(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'context', '--help']);
    assert.match(help.stdout, /tiercel\/context\/<hash of DIR>/, 'the help says where the index is cached');
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
});
