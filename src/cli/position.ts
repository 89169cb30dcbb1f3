import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { ContextEngine, defaultCacheDir } from '../core/context';
import { SyntaxParsers } from '../core/syntax';
import { UsageError, type CliIo } from './io';

/** parseArgs options of the commands that work at a position in a workspace file. */
export const POSITION_OPTIONS = {
  workspace: { type: 'string' },
  file: { type: 'string' },
  offset: { type: 'string' },
} as const;

export interface Position {
  /** Absolute workspace folder. */
  workspace: string;
  /** The file relative to it, forward slashes. */
  file: string;
  /** UTF-16 offset into the file. */
  offset: number;
}

/** --workspace, --file and --offset, checked: the file must exist inside the workspace. */
export function positionFromFlags(values: { workspace?: string; file?: string; offset?: string }): Position {
  if (!values.workspace || !values.file || values.offset === undefined) throw new UsageError('--workspace, --file and --offset are required');
  const offset = Number(values.offset);
  if (!Number.isInteger(offset) || offset < 0) throw new UsageError('--offset must be a character offset (0 or more)');
  const workspace = path.resolve(values.workspace);
  const file = path.relative(workspace, path.resolve(workspace, values.file)).split(path.sep).join('/');
  if (file.startsWith('../') || path.isAbsolute(file)) throw new UsageError(`--file must be inside --workspace: ${values.file}`);
  const stat = statSync(path.join(workspace, file), { throwIfNoEntry: false });
  if (!stat) throw new UsageError(`no such file in the workspace: ${values.file}`);
  if (!stat.isFile()) throw new UsageError(`--file must be a file: ${values.file} is ${stat.isDirectory() ? 'a folder' : 'not a regular file'}`);
  return { workspace, file, offset };
}

/**
 * The position's file as text, refused when it is binary (an image, an archive: a NUL byte in its first
 * 8 kB, as git decides) or shorter than the offset, so nothing is asked about a position that is not there.
 */
export function readPositionText(position: Position): string {
  const bytes = readFileSync(path.join(position.workspace, position.file));
  if (bytes.subarray(0, 8000).includes(0)) throw new UsageError(`${position.file} is a binary file, not source code`);
  const text = new TextDecoder('utf-8').decode(bytes);
  if (position.offset > text.length) throw new UsageError(`--offset ${position.offset} is past the end of ${position.file} (${text.length} characters)`);
  return text;
}

/**
 * The context engine for a workspace, its index cached on disk where `cacheDir` says (default: the
 * user cache, shared with the editor), or kept in memory only when `cacheDir` is null.
 */
export function openContextEngine(workspace: string, env: NodeJS.ProcessEnv, cacheDir?: string | null): ContextEngine {
  const dir = cacheDir === null ? undefined : (cacheDir ?? defaultCacheDir(workspace, env));
  // With no index on disk this process parses the whole workspace: V8 then favours a small heap over
  // speed (index at scale, 5,361 files: peak RSS 193 → 159 MB, build time within noise). Process-wide,
  // so only here, where the CLI owns its process; the editor's index runs in its own worker, paced.
  if (!dir || !existsSync(path.join(dir, 'manifest.json'))) v8.setFlagsFromString('--optimize-for-size');
  return new ContextEngine({ root: workspace, parsers: new SyntaxParsers(grammarsDir()), cacheDir: dir });
}

/** The copied grammars: beside the bundle (dist/../grammars) or, run from source, at the checkout root. */
export function grammarsDir(): string {
  const candidates = [path.resolve(__dirname, '..', 'grammars'), path.resolve(__dirname, '..', '..', 'grammars')];
  return candidates.find((d) => existsSync(path.join(d, 'manifest.json'))) ?? candidates[0]!;
}

/** Says once, when the index was built, which folders it skipped because they cannot be read. */
export function reportUnreadable(engine: ContextEngine, io: CliIo, command: string): void {
  const skipped = engine.stats.unreadable;
  if (skipped.length === 0) return;
  const shown = skipped.slice(0, 3).join(', ') + (skipped.length > 3 ? `, and ${skipped.length - 3} more` : '');
  io.err(`tiercel ${command}: skipped ${skipped.length} folder${skipped.length === 1 ? '' : 's'} that cannot be read (no permission): ${shown}`);
}
