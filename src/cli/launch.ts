/**
 * dist/cli.js: starts the CLI (dist/cliMain.js) with V8's code cache.
 *
 * Every CLI call is a fresh process, and V8 compiles each function the first time it runs, so a
 * `tiercel context` call compiled most of the context engine inside its 25 ms budget. A cache made at
 * the end of a run holds every function that run compiled, and the next process starts with them:
 * on a Go `line` case of bench:context, engine ms 23 → 18 and wall time 215 → 168 ms per call. A cache
 * made right after compiling the file (what require hooks such as v8-compile-cache keep) holds only
 * top-level code: the wall time fell as much, the engine's own time not at all.
 *
 * The cache is an optimisation only: a missing, stale, rejected or unwritable one costs nothing but
 * the compile time it would have saved. TIERCEL_NO_CODE_CACHE=1 turns it off (to measure without it).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { userCacheDir } from '../core/userCache';

/**
 * Runs that rewrite a cache, each adding what it compiled: the call that builds a context index and
 * the calls that read it run different code, so one run's cache left the other's to compile.
 */
export const CODE_CACHE_WRITES = 3;

/**
 * Loads and runs the CommonJS file `file` as the process's main program, through the code cache kept
 * in `cacheFile` (undefined: none). The cache is written at exit, after the program's output.
 */
export function runWithCodeCache(file: string, cacheFile: string | undefined): void {
  const source = fs.readFileSync(file, 'utf8');
  const stat = fs.statSync(file);
  // V8 checks the source and its own version and flags; the size and mtime let a stale cache be
  // recognised before it is handed to V8 at all.
  const key = `${process.version} ${process.arch} ${stat.size} ${stat.mtimeMs}`;
  const cached = cacheFile ? readCodeCache(cacheFile, key) : undefined;
  const script = new vm.Script(Module.wrap(source), {
    filename: file,
    cachedData: cached?.data,
    // `import()` inside the file loads as in a module Node loaded itself (vm.constants: Node ≥ 20.12;
    // without it the CLI still runs: its bundle reaches no `import()`, grammars are passed as bytes).
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const writes = cached && !script.cachedDataRejected ? cached.writes : 0;
  if (cacheFile && writes < CODE_CACHE_WRITES) process.once('exit', () => writeCodeCache(cacheFile, key, writes + 1, script));
  const mod = new Module(file);
  mod.filename = file;
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  run.call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
}

/** Where the code cache of `file` run as `command` lives: one file per installed bundle and command. */
export function codeCacheFile(file: string, command: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (env.TIERCEL_NO_CODE_CACHE) return undefined;
  // Commands run different code; a cache made by `--help` would leave `context` compiling.
  const name = createHash('sha1').update(`${path.resolve(file)}\0${command ?? ''}`).digest('hex').slice(0, 16);
  return path.join(userCacheDir(env), 'code-cache', `${name}.bin`);
}

/** The cache file: one line of JSON ({key, writes}), then V8's bytes. */
function readCodeCache(cacheFile: string, key: string): { data: Buffer; writes: number } | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const newline = bytes.indexOf(10);
  if (newline < 0) return undefined;
  try {
    const header = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as { key?: unknown; writes?: unknown };
    if (header.key !== key || typeof header.writes !== 'number') return undefined;
    return { data: bytes.subarray(newline + 1), writes: header.writes };
  } catch {
    return undefined;
  }
}

/**
 * A cache not rewritten for this long most likely belongs to a bundle no longer run (an older install)
 * and is deleted; one still in use is merely made again by its next runs.
 */
export const STALE_CODE_CACHE_MS = 30 * 24 * 3600 * 1000;

function writeCodeCache(cacheFile: string, key: string, writes: number, script: vm.Script): void {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    const data = script.createCachedData();
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    // Other CLI processes may be reading it: a sibling renamed over it.
    fs.writeFileSync(tmp, Buffer.concat([Buffer.from(`${JSON.stringify({ key, writes })}\n`), data]));
    fs.renameSync(tmp, cacheFile);
    // A new bundle's first runs (each ~1 MB per command) also clear what older installs left behind.
    if (writes === 1) pruneStaleCodeCaches(path.dirname(cacheFile));
  } catch {
    // A read-only or full disk: the next run compiles as if there were no cache.
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // Nothing to clean up.
    }
  }
}

function pruneStaleCodeCaches(dir: string): void {
  const now = Date.now();
  for (const name of fs.readdirSync(dir)) {
    // Only what this launcher writes: <16 hex digits>.bin.
    if (!/^[0-9a-f]{16}\.bin$/.test(name)) continue;
    const file = path.join(dir, name);
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (stat && now - stat.mtimeMs > STALE_CODE_CACHE_MS) fs.rmSync(file, { force: true });
  }
}

if (require.main === module) {
  const main = path.join(__dirname, 'cliMain.js');
  runWithCodeCache(main, codeCacheFile(main, process.argv[2], process.env));
}
