/** The CLI's launcher runs the CLI from a V8 code cache it keeps in the user's cache folder (src/cli/launch.ts). */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { CODE_CACHE_WRITES, codeCacheFile, STALE_CODE_CACHE_MS } from '../../src/cli/launch';

const ROOT = path.resolve(__dirname, '../..');
const LAUNCH = path.join(ROOT, 'src/cli/launch.ts');

function node(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Runs `program` through runWithCodeCache in a fresh process, as dist/cli.js runs the CLI. */
function launch(program: string, cacheFile: string, args: string[] = []) {
  const script = `require(${JSON.stringify(LAUNCH)}).runWithCodeCache(${JSON.stringify(program)}, ${JSON.stringify(cacheFile)})`;
  // `node -e` has no script in argv[1]: a stand-in keeps the program's argv as the CLI's.
  return node(['--import', 'tsx', '-e', script, '--', 'launcher', ...args]);
}

function header(cacheFile: string): { key: string; writes: number } {
  const bytes = readFileSync(cacheFile);
  return JSON.parse(bytes.subarray(0, bytes.indexOf(10)).toString('utf8')) as { key: string; writes: number };
}

describe('code cache launcher', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'tiercel-code-cache-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const program = path.join(scratch, 'program.js');
  writeFileSync(program, `function twice(x) { return 2 * x; }\nconsole.log(JSON.stringify({ argv: process.argv.slice(2), dir: __dirname, file: __filename, main: typeof require('node:path').join, value: twice(21) }));\n`);

  test('the program runs as a main module would, and each run adds to the cache until it is complete', async () => {
    const cacheFile = path.join(scratch, 'cache', 'program.bin');
    for (let run = 1; run <= CODE_CACHE_WRITES + 1; run++) {
      const result = await launch(program, cacheFile, ['context', '--json']);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout), { argv: ['context', '--json'], dir: scratch, file: program, main: 'function', value: 42 });
      // The count only grows when V8 accepted the cache the run started with.
      assert.equal(header(cacheFile).writes, Math.min(run, CODE_CACHE_WRITES));
    }
    const complete = statSync(cacheFile).mtimeMs;
    await launch(program, cacheFile);
    assert.equal(statSync(cacheFile).mtimeMs, complete, 'a complete cache is not written again');
  });

  test('a cache of another version of the program, or damaged bytes, is replaced, never used', async () => {
    const cacheFile = path.join(scratch, 'stale.bin');
    writeFileSync(cacheFile, `${JSON.stringify({ key: 'v0 x64 1 1', writes: 2 })}\nnot v8 bytes`);
    assert.equal((await launch(program, cacheFile)).code, 0);
    assert.equal(header(cacheFile).writes, 1);
    const { key } = header(cacheFile);
    writeFileSync(cacheFile, `${JSON.stringify({ key, writes: 1 })}\nnot v8 bytes either`);
    const result = await launch(program, cacheFile);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).value, 42);
    assert.equal(header(cacheFile).writes, 1, 'V8 rejected the bytes: the count starts again');
  });

  test("a new cache clears the caches of bundles not run for a month, and nothing else", async () => {
    const dir = path.join(scratch, 'prune');
    mkdirSync(dir);
    const old = Date.now() / 1000 - STALE_CODE_CACHE_MS / 1000 - 3600;
    const stale = path.join(dir, '0123456789abcdef.bin');
    const recent = path.join(dir, 'fedcba9876543210.bin');
    const foreign = path.join(dir, 'notes.bin');
    for (const f of [stale, recent, foreign]) writeFileSync(f, 'x');
    utimesSync(stale, old, old);
    utimesSync(foreign, old, old);
    assert.equal((await launch(program, path.join(dir, 'aaaaaaaaaaaaaaaa.bin'))).code, 0);
    assert.deepEqual(readdirSync(dir).sort(), ['aaaaaaaaaaaaaaaa.bin', 'fedcba9876543210.bin', 'notes.bin']);
  });

  test('a cache folder that cannot be made costs nothing but the cache', async () => {
    // A file where the folder should be: mkdir fails for every user, root included.
    const blocked = path.join(scratch, 'blocked');
    writeFileSync(blocked, 'not a folder');
    const result = await launch(program, path.join(blocked, 'sub', 'program.bin'));
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.equal(JSON.parse(result.stdout).value, 42);
    assert.equal(readFileSync(blocked, 'utf8'), 'not a folder');
  });

  test('dist/cli.js keeps one cache per command in the user cache folder; TIERCEL_NO_CODE_CACHE turns it off', async () => {
    const cacheHome = path.join(scratch, 'xdg');
    const cli = path.join(ROOT, 'dist/cli.js');
    const first = await node([cli, '--help'], { XDG_CACHE_HOME: cacheHome });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Usage: node dist\/cli\.js <command>/);
    const expected = codeCacheFile(path.join(ROOT, 'dist/cliMain.js'), '--help', { XDG_CACHE_HOME: cacheHome })!;
    assert.equal(path.dirname(expected), path.join(cacheHome, 'tiercel', 'code-cache'));
    assert.equal(header(expected).writes, 1);
    const second = await node([cli, '--help'], { XDG_CACHE_HOME: cacheHome });
    assert.equal(second.stdout, first.stdout);
    assert.equal(header(expected).writes, 2);
    assert.notEqual(codeCacheFile(cli, 'context', {}), codeCacheFile(cli, 'status', {}));

    const off = path.join(scratch, 'off');
    assert.equal((await node([cli, '--help'], { XDG_CACHE_HOME: off, TIERCEL_NO_CODE_CACHE: '1' })).code, 0);
    assert.throws(() => readdirSync(path.join(off, 'tiercel', 'code-cache')));
  });
});
