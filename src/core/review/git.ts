/**
 * Running git for a review: the invocation (no shell, no optional locks, no repository location
 * inherited from a hook), its failures as TiercelErrors, and the listing of changed paths.
 */
import { execFile } from 'node:child_process';
import { TiercelError } from '../errors';
import type { ChangeEntry } from './change';

/** How git ran; `code` is the exit status. Rejects only when git could not be run at all. */
export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type GitRunner = (args: readonly string[], options: { cwd: string }) => Promise<GitResult>;

/** What the git helpers need of the collector's context. */
export interface GitContext {
  root: string;
  git: GitRunner;
  fs: { lstat(path: string): Promise<unknown> };
}

// Windows limits a whole command line to 32,767 characters.
const MAX_PATHSPEC_CHARS = 24_000;

// Variables a git hook or a parent git command may set, which would point git at another repository than cwd's.
const GIT_LOCATION_ENV = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_PREFIX', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY'];

/** Runs the `git` on PATH with execFile (no shell), in English, without taking optional locks. */
export const runGit: GitRunner = (args, { cwd }) => {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
  for (const name of GIT_LOCATION_ENV) delete env[name];
  return new Promise((resolve, reject) => {
    execFile('git', [...args], { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, windowsHide: true }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
};

export async function requireWorkTree(ctx: GitContext): Promise<void> {
  let result: GitResult;
  try {
    result = await ctx.git(['rev-parse', '--is-inside-work-tree'], { cwd: ctx.root });
  } catch (error) {
    // A missing cwd fails the spawn with the same ENOENT as a missing git.
    const rootExists = await ctx.fs.lstat(ctx.root).then(() => true, () => false);
    if (!rootExists) throw new TiercelError(`The workspace folder ${ctx.root} does not exist.`, [], { cause: error });
    throw gitSpawnError(error);
  }
  if (result.code !== 0 || result.stdout.trim() !== 'true') {
    throw new TiercelError(
      `${ctx.root} is not in a git repository, so there are no staged or uncommitted changes to review. ` +
        'Review the current file or a selection instead, or run "git init".',
    );
  }
}

/** HEAD, or git's empty tree in a repository with no commit yet (everything in it is new). */
export async function headOrEmptyTree(ctx: GitContext): Promise<string> {
  const head = await ctx.git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd: ctx.root });
  if (head.code === 0) return 'HEAD';
  const format = await ctx.git(['rev-parse', '--show-object-format'], { cwd: ctx.root });
  return format.code === 0 && format.stdout.trim() === 'sha256'
    ? '6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321'
    : '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
}

export async function git(ctx: GitContext, args: string[]): Promise<string> {
  let result: GitResult;
  try {
    result = await ctx.git(['-c', 'core.quotePath=false', ...args], { cwd: ctx.root });
  } catch (error) {
    throw gitSpawnError(error);
  }
  if (result.code !== 0) {
    const detail = result.stderr.trim().split('\n')[0] || `exit status ${result.code}`;
    throw new TiercelError(`git ${args.find((a) => !a.startsWith('-')) ?? ''} failed: ${detail}`, ['showLog']);
  }
  return result.stdout;
}

export function gitSpawnError(error: unknown): TiercelError {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') {
    return new TiercelError('git was not found on PATH. Install git to review staged or uncommitted changes, or review a file or selection.', [], { cause: error });
  }
  return new TiercelError('git could not be run.', ['showLog'], { cause: error });
}

/** `git diff --name-status -z`: `M\0path\0`, `R100\0old\0new\0`. */
export function parseNameStatus(out: string): ChangeEntry[] {
  const tokens = out.split('\0');
  const entries: ChangeEntry[] = [];
  for (let i = 0; i < tokens.length; ) {
    const code = tokens[i++] ?? '';
    if (!code) continue;
    const letter = code[0];
    if (letter === 'R' || letter === 'C') {
      const oldPath = tokens[i++] ?? '';
      const newPath = tokens[i++] ?? '';
      entries.push({ status: letter === 'R' ? 'renamed' : 'copied', path: newPath, oldPath });
    } else {
      const p = tokens[i++] ?? '';
      entries.push({ status: letter === 'A' ? 'added' : letter === 'D' ? 'deleted' : 'modified', path: p });
    }
  }
  return entries;
}

/** Included paths as pathspec lists short enough for one command line, a rename's two paths together. */
export function pathspecChunks(entries: readonly ChangeEntry[]): string[][] {
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let chars = 0;
  for (const entry of entries) {
    const paths = entry.oldPath !== undefined ? [entry.oldPath, entry.path] : [entry.path];
    const size = paths.reduce((n, p) => n + p.length + 3, 0);
    if (chunk.length > 0 && chars + size > MAX_PATHSPEC_CHARS) {
      chunks.push(chunk);
      chunk = [];
      chars = 0;
    }
    chunk.push(...paths);
    chars += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
