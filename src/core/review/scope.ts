/**
 * Collects what a review covers: the files, their current text, the lines that changed and the
 * diff. This is the privacy boundary for reviews: a path the PrivacyFilter excludes is listed in
 * `excluded` and never read (its content is kept out of git's output too, by pathspec), and every
 * text that leaves this module has been through redactSecrets.
 *
 * Lines are 1-based and inclusive throughout; a VS Code adapter adds one to its 0-based positions.
 */
import * as nodeFs from 'node:fs/promises';
import path from 'node:path';
import { TiercelError } from '../errors';
import type { PrivacyFilter } from '../privacy/ignore';
import { confineToWorkspace } from '../privacy/realPath';
import { redactSecrets, type Redaction } from '../privacy/redact';
import type { LineRange } from '../edits/lineEdit';
import type { ChangeEntry, ChangeStatus } from './change';
import { decodeText, readIndexFile, readWorkingFile, type ReviewFileSystem } from './files';
import { git, headOrEmptyTree, parseNameStatus, pathspecChunks, requireWorkTree, runGit, type GitRunner } from './git';
import { changedRangesOf, hunksMatch, lineCount, newFileDiff, parseUnifiedDiff, type DiffSection } from './unifiedDiff';

export type ReviewScope =
  | { kind: 'selection'; file: string; startLine: number; endLine: number }
  | { kind: 'file'; file: string }
  /** What `git diff --cached` shows: the index against HEAD. */
  | { kind: 'staged' }
  /** Staged and unstaged changes against HEAD, plus untracked files that are not ignored. */
  | { kind: 'uncommitted' }
  /** A unified diff file (`git diff > x.patch`, `diff -u`), absolute or relative to the workspace. */
  | { kind: 'diffFile'; path: string };

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
const READ_CONCURRENCY = 8;

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

/** `file` as a workspace-relative path with forward slashes, or undefined when it is outside `root`. */
function workspaceRelative(root: string, file: string): string | undefined {
  const rel = path.relative(root, path.resolve(root, file));
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
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
