/**
 * Collects what a review covers: the files, their current text, the lines that changed and the
 * diff. This is the privacy boundary for reviews: a path the PrivacyFilter excludes is listed in
 * `excluded` and never read (its content is kept out of git's output too, by pathspec), and every
 * text that leaves this module has been through redactSecrets.
 *
 * Lines are 1-based and inclusive throughout; a VS Code adapter adds one to its 0-based positions.
 */
import { execFile } from 'node:child_process';
import * as nodeFs from 'node:fs/promises';
import path from 'node:path';
import { TiercelError } from '../errors';
import type { PrivacyFilter } from '../privacy/ignore';
import { confineToWorkspace } from '../privacy/realPath';
import { redactSecrets, type Redaction } from '../privacy/redact';

export type ReviewScope =
  | { kind: 'selection'; file: string; startLine: number; endLine: number }
  | { kind: 'file'; file: string }
  /** What `git diff --cached` shows: the index against HEAD. */
  | { kind: 'staged' }
  /** Staged and unstaged changes against HEAD, plus untracked files that are not ignored. */
  | { kind: 'uncommitted' }
  /** A unified diff file (`git diff > x.patch`, `diff -u`), absolute or relative to the workspace. */
  | { kind: 'diffFile'; path: string };

/** 1-based, inclusive. */
export interface LineRange {
  startLine: number;
  endLine: number;
}

export type ChangeStatus = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied' | 'unchanged';

export interface ReviewFile {
  /** Workspace-relative, with forward slashes. */
  path: string;
  /** For renames and copies. */
  oldPath?: string;
  status: ChangeStatus;
  /**
   * The whole text the changed ranges refer to, redacted: the index version for `staged`, the
   * working tree otherwise (an unsaved editor buffer for `file` and `selection` when given).
   * Undefined for a deleted file, and for a `diffFile` entry whose hunks do not match the file on disk.
   */
  text: string | undefined;
  /** Lines of `text` the review is about: the selection, the whole file, or the lines a diff added or changed. */
  changedRanges: LineRange[];
  /** Redactions made in `text`. */
  redactions: Redaction[];
}

export interface ReviewTarget {
  files: ReviewFile[];
  /** The unified diff of the included files, redacted; empty for `file` and `selection`. */
  diff: string;
  /** Redactions made in `diff` (lines are the diff's). */
  diffRedactions: Redaction[];
  /** Files not sent, with why: privacy rules first, then binary, too large, unreadable. */
  excluded: Array<{ path: string; reason: string }>;
}

/** How git ran; `code` is the exit status. Rejects only when git could not be run at all. */
export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type GitRunner = (args: readonly string[], options: { cwd: string }) => Promise<GitResult>;

/** The parts of `node:fs/promises` the collector reads with; the module itself satisfies it. */
export interface ReviewFileSystem {
  readFile(path: string): Promise<Uint8Array>;
  lstat(path: string): Promise<{ size: number; isFile(): boolean; isSymbolicLink(): boolean }>;
  realpath(path: string): Promise<string>;
}

export interface CollectReviewOptions {
  /** The workspace folder: paths in and out are relative to it, and the filter was built for it. */
  root: string;
  filter: PrivacyFilter;
  git?: GitRunner;
  fs?: ReviewFileSystem;
  /** An open editor's unsaved text for a workspace-relative path, used by the `file` and `selection` scopes. */
  unsavedText?: (relPath: string) => string | undefined;
  /** Larger files are listed as excluded rather than read. */
  maxFileBytes?: number;
  /**
   * Untracked files read for an `uncommitted` review; the rest are listed as excluded. An unignored
   * build or dependency folder would otherwise be read file by file and sent whole.
   */
  maxUntrackedFiles?: number;
}

const DEFAULT_MAX_FILE_BYTES = 1_000_000;
const DEFAULT_MAX_UNTRACKED_FILES = 300;
// Windows limits a whole command line to 32,767 characters.
const MAX_PATHSPEC_CHARS = 24_000;
const READ_CONCURRENCY = 8;

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

export async function collectReviewTarget(scope: ReviewScope, options: CollectReviewOptions): Promise<ReviewTarget> {
  const ctx: Context = {
    root: options.root,
    filter: options.filter,
    git: options.git ?? runGit,
    fs: options.fs ?? nodeFs,
    unsavedText: options.unsavedText,
    maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    maxUntrackedFiles: options.maxUntrackedFiles ?? DEFAULT_MAX_UNTRACKED_FILES,
  };
  switch (scope.kind) {
    case 'file':
    case 'selection':
      return collectSingleFile(ctx, scope);
    case 'staged':
    case 'uncommitted':
      return collectFromGit(ctx, scope.kind);
    case 'diffFile':
      return collectFromDiffFile(ctx, scope.path);
  }
}

interface Context {
  root: string;
  filter: PrivacyFilter;
  git: GitRunner;
  fs: ReviewFileSystem;
  unsavedText: ((relPath: string) => string | undefined) | undefined;
  maxFileBytes: number;
  maxUntrackedFiles: number;
}

type Exclusion = { path: string; reason: string };

// ---------------------------------------------------------------------------------------------
// file and selection

async function collectSingleFile(
  ctx: Context,
  scope: Extract<ReviewScope, { kind: 'file' | 'selection' }>,
): Promise<ReviewTarget> {
  const rel = workspaceRelative(ctx.root, scope.file);
  if (rel === undefined) throw new TiercelError(`${scope.file} is outside the workspace, so it cannot be reviewed.`);
  const target: ReviewTarget = { files: [], diff: '', diffRedactions: [], excluded: [] };
  const privacy = ctx.filter.isExcluded(rel);
  if (privacy.excluded) {
    target.excluded.push({ path: rel, reason: privacy.reason ?? 'excluded' });
    return target;
  }
  // An editor buffer of a link shows the target's content: it is checked like a read from disk.
  const confined = await confineToWorkspace(ctx.root, rel, ctx.filter, ctx.fs);
  if (!confined.ok && !confined.missing) {
    target.excluded.push({ path: rel, reason: confined.reason });
    return target;
  }
  let text = ctx.unsavedText?.(rel);
  if (text === undefined) {
    const read = await readWorkingFile(ctx, rel);
    if (read.kind === 'missing') throw new TiercelError(`${rel} does not exist, so it cannot be reviewed.`);
    if (read.kind === 'skipped') {
      target.excluded.push({ path: rel, reason: read.reason });
      return target;
    }
    text = read.text;
  }
  const lines = lineCount(text);
  let changedRanges: LineRange[];
  if (scope.kind === 'file') {
    changedRanges = lines > 0 ? [{ startLine: 1, endLine: lines }] : [];
  } else {
    const { startLine, endLine } = scope;
    if (!Number.isInteger(startLine) || !Number.isInteger(endLine) || startLine < 1 || endLine < startLine || startLine > lines) {
      throw new TiercelError(`Lines ${startLine}–${endLine} are not a selection in ${rel}, which has ${lines} lines.`);
    }
    changedRanges = [{ startLine, endLine: Math.min(endLine, lines) }];
  }
  const redacted = redactSecrets(text);
  target.files.push({ path: rel, status: 'unchanged', text: redacted.text, changedRanges, redactions: redacted.redactions });
  return target;
}

// ---------------------------------------------------------------------------------------------
// staged and uncommitted

interface ChangeEntry {
  status: Exclude<ChangeStatus, 'unchanged'>;
  path: string;
  oldPath?: string;
}

async function collectFromGit(ctx: Context, kind: 'staged' | 'uncommitted'): Promise<ReviewTarget> {
  await requireWorkTree(ctx);
  const base = kind === 'staged' ? ['--cached'] : [await headOrEmptyTree(ctx)];
  const listed = await git(ctx, ['diff', ...base, '--name-status', '-z', '-M', '--relative', '--no-ext-diff']);
  const entries = parseNameStatus(listed);

  const excluded: Exclusion[] = [];
  const included = entries.filter((entry) => {
    const reason = privacyReason(ctx.filter, entry);
    if (reason) excluded.push({ path: entry.path, reason });
    return !reason;
  });

  // Only included paths are named to `git diff`, so an excluded file's content never reaches this process.
  const sections: DiffSection[] = [];
  for (const chunk of pathspecChunks(included)) {
    const out = await git(ctx, [
      '--literal-pathspecs',
      'diff',
      ...base,
      '-M',
      '--relative',
      '--no-color',
      '--no-ext-diff',
      '--no-textconv',
      '--submodule=short',
      '--src-prefix=a/',
      '--dst-prefix=b/',
      '--',
      ...chunk,
    ]);
    sections.push(...parseUnifiedDiff(out).sections);
  }
  const byPath = new Map(sections.map((s) => [s.newPath ?? s.oldPath ?? '', s]));

  const files: ReviewFile[] = [];
  const diffParts: string[] = [];
  type Collected = { skipped: Exclusion } | { entry: ChangeEntry; section: DiffSection; text: string | undefined };
  const readers = included.map((entry) => async (): Promise<Collected> => {
    const section = byPath.get(entry.path);
    if (!section) return { skipped: { path: entry.path, reason: 'no diff from git' } };
    // Defence in depth: a section is sent only if its own paths pass the filter too.
    const reason = privacyReason(ctx.filter, { status: entry.status, path: section.newPath ?? entry.path, oldPath: section.oldPath });
    if (reason) return { skipped: { path: entry.path, reason } };
    if (section.binary) return { skipped: { path: entry.path, reason: 'binary file' } };
    let text: string | undefined;
    if (entry.status !== 'deleted') {
      const read = kind === 'staged' ? await readIndexFile(ctx, entry.path) : await readWorkingFile(ctx, entry.path);
      if (read.kind === 'skipped') return { skipped: { path: entry.path, reason: read.reason } };
      text = read.kind === 'text' ? read.text : undefined;
    }
    return { entry, section, text };
  });
  for (const result of await runLimited(readers, READ_CONCURRENCY)) {
    if ('skipped' in result) {
      excluded.push(result.skipped);
      continue;
    }
    const { entry, section, text } = result;
    files.push(reviewFile(entry, text, changedRangesOf(section.hunks)));
    diffParts.push(section.text);
  }

  if (kind === 'uncommitted') {
    const untracked = await collectUntracked(ctx);
    excluded.push(...untracked.excluded);
    for (const { path: rel, text } of untracked.files) {
      const lines = lineCount(text);
      files.push(reviewFile({ status: 'added', path: rel }, text, lines > 0 ? [{ startLine: 1, endLine: lines }] : []));
      diffParts.push(newFileDiff(rel, text));
    }
  }
  return finish(files, diffParts, excluded);
}

async function collectUntracked(ctx: Context): Promise<{ files: Array<{ path: string; text: string }>; excluded: Exclusion[] }> {
  const out = await git(ctx, ['ls-files', '--others', '--exclude-standard', '-z']);
  // A nested repository is listed as its folder, with a trailing slash: it is not this repository's content.
  const paths = out.split('\0').filter((p) => p && !p.endsWith('/')).sort();
  const { included: allowed, excluded } = ctx.filter.filterFiles(paths);
  const included = allowed.slice(0, ctx.maxUntrackedFiles);
  for (const rel of allowed.slice(ctx.maxUntrackedFiles)) {
    excluded.push({ path: rel, reason: `more than ${ctx.maxUntrackedFiles} untracked files (stage the ones to review, or ignore the rest)` });
  }
  const files: Array<{ path: string; text: string }> = [];
  const reads = await runLimited(included.map((rel) => () => readWorkingFile(ctx, rel)), READ_CONCURRENCY);
  reads.forEach((read, i) => {
    const rel = included[i] ?? '';
    if (read.kind === 'text') files.push({ path: rel, text: read.text });
    else if (read.kind === 'skipped') excluded.push({ path: rel, reason: read.reason });
  });
  return { files, excluded };
}

async function requireWorkTree(ctx: Context): Promise<void> {
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
async function headOrEmptyTree(ctx: Context): Promise<string> {
  const head = await ctx.git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd: ctx.root });
  if (head.code === 0) return 'HEAD';
  const format = await ctx.git(['rev-parse', '--show-object-format'], { cwd: ctx.root });
  return format.code === 0 && format.stdout.trim() === 'sha256'
    ? '6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321'
    : '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
}

async function git(ctx: Context, args: string[]): Promise<string> {
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

function gitSpawnError(error: unknown): TiercelError {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') {
    return new TiercelError('git was not found on PATH. Install git to review staged or uncommitted changes, or review a file or selection.', [], { cause: error });
  }
  return new TiercelError('git could not be run.', ['showLog'], { cause: error });
}

/** `git diff --name-status -z`: `M\0path\0`, `R100\0old\0new\0`. */
function parseNameStatus(out: string): ChangeEntry[] {
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

function privacyReason(filter: PrivacyFilter, entry: ChangeEntry): string | undefined {
  const own = filter.isExcluded(entry.path);
  if (own.excluded) return own.reason ?? 'excluded';
  if (entry.oldPath !== undefined) {
    // A renamed `.env` still holds the `.env`'s content.
    const old = filter.isExcluded(entry.oldPath);
    if (old.excluded) return `${entry.status} from ${entry.oldPath} (${old.reason ?? 'excluded'})`;
  }
  return undefined;
}

/** Included paths as pathspec lists short enough for one command line, a rename's two paths together. */
function pathspecChunks(entries: readonly ChangeEntry[]): string[][] {
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

// ---------------------------------------------------------------------------------------------
// diff file

async function collectFromDiffFile(ctx: Context, diffPath: string): Promise<ReviewTarget> {
  const abs = path.resolve(ctx.root, diffPath);
  let raw: string;
  try {
    raw = decodeText(await ctx.fs.readFile(abs));
  } catch (error) {
    throw new TiercelError(`Cannot read the diff file ${diffPath}: ${(error as Error).message}`, [], { cause: error });
  }
  const parsed = parseUnifiedDiff(raw);
  if (parsed.sections.length === 0) throw new TiercelError(`${diffPath} has no file changes in unified diff format.`);

  const files: ReviewFile[] = [];
  const diffParts: string[] = parsed.preamble ? [parsed.preamble] : [];
  const excluded: Exclusion[] = [];
  for (const section of parsed.sections) {
    const newRel = section.newPath === undefined ? undefined : workspaceRelative(ctx.root, section.newPath);
    const oldRel = section.oldPath === undefined ? undefined : workspaceRelative(ctx.root, section.oldPath);
    const shown = newRel ?? oldRel ?? section.newPath ?? section.oldPath ?? '(unnamed)';
    if ((section.newPath !== undefined && newRel === undefined) || (section.oldPath !== undefined && oldRel === undefined)) {
      excluded.push({ path: shown, reason: 'outside the workspace' });
      continue;
    }
    const entry: ChangeEntry = { status: section.status, path: newRel ?? oldRel ?? '', ...(oldRel !== undefined && oldRel !== newRel && newRel !== undefined ? { oldPath: oldRel } : {}) };
    const reason = privacyReason(ctx.filter, entry);
    if (reason) {
      excluded.push({ path: entry.path, reason });
      continue;
    }
    if (section.binary) {
      excluded.push({ path: entry.path, reason: 'binary file' });
      continue;
    }
    let text: string | undefined;
    if (newRel !== undefined && section.status !== 'deleted') {
      const read = await readWorkingFile(ctx, newRel);
      if (read.kind === 'skipped') {
        excluded.push({ path: newRel, reason: read.reason });
        continue;
      }
      // The patch may be for another version of the file; its line numbers only fit a file it applies to.
      if (read.kind === 'text' && hunksMatch(section.hunks, read.text)) text = read.text;
    }
    files.push(reviewFile(entry, text, changedRangesOf(section.hunks)));
    diffParts.push(section.text);
  }
  return finish(files, diffParts, excluded);
}

/** True when every hunk's new side (context and added lines) is in `text` at the lines it names. */
function hunksMatch(hunks: readonly DiffHunk[], text: string): boolean {
  const lines = text.split('\n');
  return hunks.every((hunk) => {
    let at = hunk.newStart - 1;
    for (const line of hunk.lines) {
      if (line[0] !== ' ' && line[0] !== '+' && line !== '') continue;
      if ((lines[at] ?? '').replace(/\r$/, '') !== line.slice(1).replace(/\r$/, '')) return false;
      at++;
    }
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// shared

function reviewFile(entry: ChangeEntry, text: string | undefined, changedRanges: LineRange[]): ReviewFile {
  const redacted = text === undefined ? undefined : redactSecrets(text);
  return {
    path: entry.path,
    ...(entry.oldPath !== undefined ? { oldPath: entry.oldPath } : {}),
    status: entry.status,
    text: redacted?.text,
    changedRanges,
    redactions: redacted?.redactions ?? [],
  };
}

function finish(files: ReviewFile[], diffParts: string[], excluded: Exclusion[]): ReviewTarget {
  const joined = diffParts.map((part) => (part.endsWith('\n') ? part : `${part}\n`)).join('');
  const diff = redactSecrets(joined, { diff: true });
  return { files, diff: diff.text, diffRedactions: diff.redactions, excluded };
}

type FileRead = { kind: 'text'; text: string } | { kind: 'missing' } | { kind: 'skipped'; reason: string };

async function readWorkingFile(ctx: Context, rel: string): Promise<FileRead> {
  // A link anywhere along the path (the file, or a folder above it) may lead out of the workspace
  // or onto a denied file past every rule: the real path is checked, and read.
  const confined = await confineToWorkspace(ctx.root, rel, ctx.filter, ctx.fs);
  if (!confined.ok) return confined.missing ? { kind: 'missing' } : { kind: 'skipped', reason: confined.reason };
  const abs = confined.realPath;
  let stat: Awaited<ReturnType<ReviewFileSystem['lstat']>>;
  try {
    stat = await ctx.fs.lstat(abs);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    return { kind: 'skipped', reason: `unreadable (${typeof code === 'string' ? code : 'error'})` };
  }
  if (!stat.isFile()) return { kind: 'skipped', reason: 'not a regular file' };
  if (stat.size > ctx.maxFileBytes) return { kind: 'skipped', reason: `larger than ${formatBytes(ctx.maxFileBytes)}` };
  let bytes: Uint8Array;
  try {
    bytes = await ctx.fs.readFile(abs);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { kind: 'skipped', reason: `unreadable (${typeof code === 'string' ? code : 'error'})` };
  }
  return textOrBinary(bytes);
}

async function readIndexFile(ctx: Context, rel: string): Promise<FileRead> {
  const size = await ctx.git(['cat-file', '-s', `:./${rel}`], { cwd: ctx.root });
  // No stage-0 entry: an unmerged path in the middle of a conflict.
  if (size.code !== 0) return { kind: 'skipped', reason: 'not in the index (unmerged?)' };
  if (Number(size.stdout.trim()) > ctx.maxFileBytes) return { kind: 'skipped', reason: `larger than ${formatBytes(ctx.maxFileBytes)}` };
  const blob = await ctx.git(['cat-file', 'blob', `:./${rel}`], { cwd: ctx.root });
  if (blob.code !== 0) return { kind: 'skipped', reason: 'unreadable from the index' };
  if (blob.stdout.slice(0, 8000).includes('\0')) return { kind: 'skipped', reason: 'binary file' };
  return { kind: 'text', text: blob.stdout };
}

function textOrBinary(bytes: Uint8Array): FileRead {
  if (bytes.subarray(0, 8000).includes(0)) return { kind: 'skipped', reason: 'binary file' };
  return { kind: 'text', text: decodeText(bytes) };
}

function decodeText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

function formatBytes(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toLocaleString('en-US')} MB` : `${Math.round(n / 1000).toLocaleString('en-US')} kB`;
}

/** `file` as a workspace-relative path with forward slashes, or undefined when it is outside `root`. */
function workspaceRelative(root: string, file: string): string | undefined {
  const rel = path.relative(root, path.resolve(root, file));
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

/** Lines in `text`; a final newline ends the last line rather than starting another. */
function lineCount(text: string): number {
  if (!text) return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n - 1 : n;
}

/** A git-style section adding `text` as a new file, for untracked files git has no diff for. */
function newFileDiff(rel: string, text: string): string {
  const a = quotePath(`a/${rel}`);
  const b = quotePath(`b/${rel}`);
  let out = `diff --git ${a} ${b}\nnew file mode 100644\n`;
  const n = lineCount(text);
  if (n === 0) return out;
  out += `--- /dev/null\n+++ ${b}\n@@ -0,0 +1${n === 1 ? '' : `,${n}`} @@\n`;
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  out += lines.map((l) => `+${l}\n`).join('');
  if (!text.endsWith('\n')) out += '\\ No newline at end of file\n';
  return out;
}

/** Git's C-style quoting, for the names it quotes even with core.quotePath off. */
function quotePath(p: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/["\\\x00-\x1f\x7f]/.test(p)) return p;
  const escapes: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r' };
  // eslint-disable-next-line no-control-regex
  return `"${p.replace(/["\\\x00-\x1f\x7f]/g, (c) => escapes[c] ?? `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`)}"`;
}

async function runLimited<T>(tasks: ReadonlyArray<() => Promise<T>>, limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      const task = tasks[i];
      if (task) results[i] = await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

// ---------------------------------------------------------------------------------------------
// unified diff parsing

export interface DiffHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Body lines with their ` `, `+`, `-` or `\` marker. */
  lines: string[];
}

export interface DiffSection {
  /** Without the `a/` prefix; undefined for an added file (`/dev/null`). */
  oldPath: string | undefined;
  /** Without the `b/` prefix; undefined for a deleted file. */
  newPath: string | undefined;
  status: Exclude<ChangeStatus, 'unchanged'>;
  binary: boolean;
  hunks: DiffHunk[];
  /** The section's own text: its headers and hunks, without lines foreign to the format. */
  text: string;
}

export interface ParsedDiff {
  /** Text before the first file (a commit message in `git format-patch` output). */
  preamble: string;
  sections: DiffSection[];
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

interface SectionDraft {
  start: number;
  /** The lines that are part of the diff format; anything else between files is not carried along. */
  kept: string[];
  gitLine?: string;
  /** Opened by a non-git `diff -u a b` line, whose `---`/`+++` follow. */
  plainDiffLine?: boolean;
  minus?: string;
  plus?: string;
  renameFrom?: string;
  renameTo?: string;
  copy: boolean;
  added: boolean;
  deleted: boolean;
  binary: boolean;
  hunks: DiffHunk[];
}

/**
 * Splits a unified diff (git's, or `diff -u`'s) into files and hunks. Hunk bodies are consumed by
 * their line counts, so a removed line that reads `-- x` (shown as `--- x`) is not taken for a header.
 */
export function parseUnifiedDiff(diff: string): ParsedDiff {
  const lines = diff.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const drafts: SectionDraft[] = [];
  let current: SectionDraft | undefined;
  const open = (start: number): SectionDraft => {
    current = { start, kept: [lines[start] ?? ''], copy: false, added: false, deleted: false, binary: false, hunks: [] };
    drafts.push(current);
    return current;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith('diff --git ') || line.startsWith('diff --cc ') || line.startsWith('diff --combined ')) {
      open(i).gitLine = line;
      continue;
    }
    if (line.startsWith('diff ') && (!current || current.hunks.length > 0 || current.minus !== undefined)) {
      open(i).plainDiffLine = true;
      continue;
    }
    if (line.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ')) {
      // A `---`/`+++` pair opens a new file unless it belongs to the `diff --git` header just read.
      const opened = current && (current.gitLine !== undefined || current.plainDiffLine) && current.minus === undefined && current.hunks.length === 0;
      const section = opened && current ? current : open(i);
      if (section.start !== i) section.kept.push(line);
      section.kept.push(lines[i + 1] ?? '');
      section.minus = line.slice(4);
      section.plus = (lines[i + 1] ?? '').slice(4);
      i++;
      continue;
    }
    if (!current) continue;
    const hunk = HUNK_HEADER.exec(line);
    if (hunk) {
      const parsed: DiffHunk = {
        oldStart: Number(hunk[1]),
        oldLines: hunk[2] === undefined ? 1 : Number(hunk[2]),
        newStart: Number(hunk[3]),
        newLines: hunk[4] === undefined ? 1 : Number(hunk[4]),
        lines: [],
      };
      let oldLeft = parsed.oldLines;
      let newLeft = parsed.newLines;
      const section = current;
      section.kept.push(line);
      while (i + 1 < lines.length && (oldLeft > 0 || newLeft > 0 || (lines[i + 1] ?? '').startsWith('\\'))) {
        const body = lines[i + 1] ?? '';
        const marker = body[0];
        if (marker === '\\') {
          parsed.lines.push(body);
        } else if (marker === ' ' || body === '') {
          // Some tools and editors strip the space of an empty context line.
          if (oldLeft === 0 || newLeft === 0) break;
          oldLeft--;
          newLeft--;
          parsed.lines.push(body === '' ? ' ' : body);
        } else if (marker === '-' && oldLeft > 0) {
          oldLeft--;
          parsed.lines.push(body);
        } else if (marker === '+' && newLeft > 0) {
          newLeft--;
          parsed.lines.push(body);
        } else {
          break;
        }
        section.kept.push(parsed.lines[parsed.lines.length - 1] ?? body);
        i++;
      }
      current.hunks.push(parsed);
      continue;
    }
    // Extended headers come before the first hunk; other lines (a patch signature, `Only in …`,
    // a binary patch's data, stray text) are left out of what is sent.
    if (current.hunks.length > 0) continue;
    let header = true;
    if (line.startsWith('rename from ')) current.renameFrom = unquote(line.slice(12));
    else if (line.startsWith('rename to ')) current.renameTo = unquote(line.slice(10));
    else if (line.startsWith('copy from ')) {
      current.renameFrom = unquote(line.slice(10));
      current.copy = true;
    } else if (line.startsWith('copy to ')) current.renameTo = unquote(line.slice(8));
    else if (line.startsWith('new file mode ')) current.added = true;
    else if (line.startsWith('deleted file mode ')) current.deleted = true;
    else if ((line.startsWith('Binary files ') && line.endsWith(' differ')) || line === 'GIT binary patch') current.binary = true;
    else header = /^(?:index |old mode |new mode |similarity index |dissimilarity index )/.test(line);
    if (header) current.kept.push(line);
  }

  const sections = drafts
    .filter((d) => !d.gitLine?.startsWith('diff --cc') && !d.gitLine?.startsWith('diff --combined'))
    .map((draft) => finishSection(draft, draft.kept.join('\n')));
  const firstStart = drafts[0]?.start ?? lines.length;
  return { preamble: lines.slice(0, firstStart).join('\n'), sections };
}

function finishSection(draft: SectionDraft, text: string): DiffSection {
  let oldPath = draft.minus === undefined ? undefined : headerPath(draft.minus);
  let newPath = draft.plus === undefined ? undefined : headerPath(draft.plus);
  const git = draft.gitLine === undefined ? undefined : gitLinePaths(draft.gitLine);
  if (git) {
    // `---`/`+++` are missing for binary, mode-only and empty-file changes; `diff --git` always names both.
    if (draft.minus === undefined) oldPath = draft.added ? undefined : git.old;
    if (draft.plus === undefined) newPath = draft.deleted ? undefined : git.new;
    // Identical names mean `--no-prefix`; otherwise both carry a prefix (`a/`, `b/`, or diff.mnemonicPrefix's `i/`, `w/`).
    const strip = git.old === git.new ? undefined : prefixLength(git.old, git.new);
    if (strip) {
      oldPath = oldPath?.slice(strip.old);
      newPath = newPath?.slice(strip.new);
    }
  } else if ((oldPath === undefined || oldPath.startsWith('a/')) && (newPath === undefined || newPath.startsWith('b/'))) {
    // `diff -u` output applied with `patch -p1` carries the same prefixes.
    oldPath = oldPath?.slice(2);
    newPath = newPath?.slice(2);
  }
  if (draft.renameFrom !== undefined) oldPath = draft.renameFrom;
  if (draft.renameTo !== undefined) newPath = draft.renameTo;
  const status: DiffSection['status'] =
    oldPath === undefined ? 'added' : newPath === undefined ? 'deleted' : draft.renameTo !== undefined ? (draft.copy ? 'copied' : 'renamed') : 'modified';
  return { oldPath, newPath, status, binary: draft.binary, hunks: draft.hunks, text };
}

/** A `---`/`+++` path: unquoted, without a trailing tab and timestamp; undefined for /dev/null. */
function headerPath(value: string): string | undefined {
  const p = value.startsWith('"') ? unquote(value) : value.split('\t')[0] ?? '';
  return p === '/dev/null' ? undefined : p;
}

/** The two paths of `diff --git a/x b/x`, prefixes included. Unquoted names with spaces are split where both halves agree. */
function gitLinePaths(line: string): { old: string; new: string } | undefined {
  const rest = line.slice('diff --git '.length);
  if (rest.startsWith('"')) {
    const end = closingQuote(rest);
    const old = unquote(rest.slice(0, end + 1));
    const tail = rest.slice(end + 2);
    return { old, new: tail.startsWith('"') ? unquote(tail) : tail };
  }
  const quoted = rest.indexOf(' "');
  if (quoted > 0) return { old: rest.slice(0, quoted), new: unquote(rest.slice(quoted + 1)) };
  // Without renames both names are the same path behind their prefixes: try the middle first.
  const mid = (rest.length - 1) / 2;
  if (Number.isInteger(mid) && rest[mid] === ' ') {
    const old = rest.slice(0, mid);
    const neu = rest.slice(mid + 1);
    if (old === neu || prefixLength(old, neu)) return { old, new: neu };
  }
  const space = rest.indexOf(' ');
  return space > 0 ? { old: rest.slice(0, space), new: rest.slice(space + 1) } : undefined;
}

/** Lengths of the `a/` and `b/` style prefixes when the two paths differ only in their first component. */
function prefixLength(a: string, b: string): { old: number; new: number } | undefined {
  const i = a.indexOf('/');
  const j = b.indexOf('/');
  if (i <= 0 || j <= 0 || a.slice(i) !== b.slice(j)) return undefined;
  return { old: i + 1, new: j + 1 };
}

function closingQuote(s: string): number {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return s.length - 1;
}

/** Git's C-style quoted name (`"a/t\303\251st"`) as text; an unquoted name as is. */
function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  const body = value.slice(1, closingQuote(value));
  const bytes: number[] = [];
  const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '"': 34, '\\': 92 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? '';
    if (c !== '\\') {
      bytes.push(...new TextEncoder().encode(c));
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(simple[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return new TextDecoder('utf-8').decode(new Uint8Array(bytes));
}

/**
 * The new-file lines a diff touches: runs of added lines, and for a pure deletion the line that
 * now stands where the removed lines were (the last line, when they were at the end), so a
 * finding about a removed check has a line to sit on.
 */
export function changedRangesOf(hunks: readonly DiffHunk[]): LineRange[] {
  const lines: number[] = [];
  for (const hunk of hunks) {
    const hunkEnd = hunk.newStart + hunk.newLines - 1;
    let at = hunk.newStart;
    let pendingDeletion = false;
    let addedSinceDeletion = false;
    const flushDeletion = () => {
      if (pendingDeletion && !addedSinceDeletion) {
        const line = Math.min(at, hunkEnd);
        if (line >= 1) lines.push(line);
      }
      pendingDeletion = false;
      addedSinceDeletion = false;
    };
    for (const line of hunk.lines) {
      const marker = line[0];
      if (marker === '+') {
        lines.push(at++);
        addedSinceDeletion = true;
      } else if (marker === '-') {
        pendingDeletion = true;
      } else if (marker === ' ') {
        flushDeletion();
        at++;
      }
    }
    flushDeletion();
  }
  lines.sort((a, b) => a - b);
  const ranges: LineRange[] = [];
  for (const line of lines) {
    const last = ranges[ranges.length - 1];
    if (last && line <= last.endLine + 1) last.endLine = Math.max(last.endLine, line);
    else ranges.push({ startLine: line, endLine: line });
  }
  return ranges;
}
