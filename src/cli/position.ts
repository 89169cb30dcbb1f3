import { existsSync } from 'node:fs';
import path from 'node:path';
import { ContextEngine, defaultCacheDir } from '../core/context';
import { SyntaxParsers } from '../core/syntax';
import { UsageError } from './io';

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
  if (!existsSync(path.join(workspace, file))) throw new UsageError(`no such file in the workspace: ${values.file}`);
  return { workspace, file, offset };
}

/**
 * The context engine for a workspace, its index cached on disk where `cacheDir` says (default: the
 * user cache, shared with the editor), or kept in memory only when `cacheDir` is null.
 */
export function openContextEngine(workspace: string, env: NodeJS.ProcessEnv, cacheDir?: string | null): ContextEngine {
  return new ContextEngine({
    root: workspace,
    parsers: new SyntaxParsers(grammarsDir()),
    cacheDir: cacheDir === null ? undefined : (cacheDir ?? defaultCacheDir(workspace, env)),
  });
}

/** The copied grammars: beside the bundle (dist/../grammars) or, run from source, at the checkout root. */
export function grammarsDir(): string {
  const candidates = [path.resolve(__dirname, '..', 'grammars'), path.resolve(__dirname, '..', '..', 'grammars')];
  return candidates.find((d) => existsSync(path.join(d, 'manifest.json'))) ?? candidates[0]!;
}
