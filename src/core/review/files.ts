/**
 * Reading a review's files from the working tree or git's index: text only, within a size limit, and
 * never through a link that leads out of the workspace or onto an excluded file.
 */
import type { PrivacyFilter } from '../privacy/ignore';
import { confineToWorkspace } from '../privacy/realPath';
import type { GitRunner } from './git';

/** The parts of `node:fs/promises` the collector reads with; the module itself satisfies it. */
export interface ReviewFileSystem {
  readFile(path: string): Promise<Uint8Array>;
  lstat(path: string): Promise<{ size: number; isFile(): boolean; isSymbolicLink(): boolean }>;
  realpath(path: string): Promise<string>;
}

/** What reading needs of the collector's context. */
export interface FileReadContext {
  root: string;
  filter: PrivacyFilter;
  fs: ReviewFileSystem;
  git: GitRunner;
  maxFileBytes: number;
}

export type FileRead = { kind: 'text'; text: string } | { kind: 'missing' } | { kind: 'skipped'; reason: string };

export async function readWorkingFile(ctx: FileReadContext, rel: string): Promise<FileRead> {
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

export async function readIndexFile(ctx: FileReadContext, rel: string): Promise<FileRead> {
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

export function decodeText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

function formatBytes(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toLocaleString('en-US')} MB` : `${Math.round(n / 1000).toLocaleString('en-US')} kB`;
}
