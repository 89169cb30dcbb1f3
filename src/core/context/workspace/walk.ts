/**
 * Lists the files the index covers: source files of a known language, outside dependency and build
 * folders and `.gitignore`d paths, up to a size and count bound.
 */
import ignore, { type Ignore } from 'ignore';
import { filesExcludePatterns, type FilesExcludeSetting } from '../../privacy/ignore';
import { parseJsonc } from '../resolve/projects';
import { contextLanguageOf } from '../languages';
import type { ContextFileSystem } from './fileSystem';

export interface WalkLimits {
  /**
   * Larger files are generated or data more often than code a definition lives in. Not much smaller:
   * hand-written modules of functional libraries reach 700 KB (effect's Effect.ts, doc comments and
   * overloads), and minified or binary files are caught by their content anyway (isUnindexable).
   */
  maxFileBytes: number;
  /** The index stops growing here (a monorepo's tail is not worth the startup time). */
  maxFiles: number;
}

export const DEFAULT_WALK_LIMITS: WalkLimits = { maxFileBytes: 1_500_000, maxFiles: 20_000 };

/** Folders never indexed, whatever .gitignore says: dependencies, caches, virtual environments. */
const SKIPPED_DIRS = new Set(['node_modules', 'bower_components', '__pycache__', 'site-packages', 'dist-newstyle', 'target']);
/** A `vendor` folder beside one of these holds a package manager's copies of dependencies. */
const VENDORING_MANIFESTS = ['go.mod', 'composer.json', 'Gemfile', 'Cargo.toml'];

export interface WalkedFile {
  rel: string;
  mtimeMs: number;
  size: number;
}

export interface WalkResult {
  files: WalkedFile[];
  /** Every folder visited, with its mtime: a changed mtime means files were added or removed there. */
  dirs: Record<string, number>;
  /** Project files that shape module resolution: package.json, tsconfig.json, jsconfig.json, go.mod, Cargo.toml. */
  configs: string[];
  skippedLarge: number;
  /** Folders that could not be listed (no permission), skipped with everything under them. */
  unreadable: string[];
}

const CONFIG_FILES = new Set(['package.json', 'tsconfig.json', 'jsconfig.json', 'go.mod', 'Cargo.toml']);

interface IgnoreScope {
  base: string;
  rules: Ignore;
}

/**
 * Walks the workspace, or only the folders in `only`. With `known`, subfolders already in it are not
 * entered (re-listing one changed folder must not re-walk everything under it). `exclude`: more
 * workspace-relative patterns to leave out, in .gitignore syntax (VS Code's `files.exclude`).
 */
export function walkWorkspace(fs: ContextFileSystem, root: string, limits: WalkLimits = DEFAULT_WALK_LIMITS, only?: string[], known?: Record<string, number>, exclude?: Ignore): WalkResult {
  const result: WalkResult = { files: [], dirs: {}, configs: [], skippedLarge: 0, unreadable: [] };
  const starts = only ?? [''];
  const excluded: IgnoreScope[] = exclude ? [{ base: '', rules: exclude }] : [];
  for (const start of starts) visit(fs, root, start, [...excluded, ...ignoreScopesFor(fs, root, start)], limits, result, known);
  result.files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return result;
}

/** The .gitignore files that apply inside `dir`: the root's and every ancestor's. */
function ignoreScopesFor(fs: ContextFileSystem, root: string, dir: string): IgnoreScope[] {
  const scopes: IgnoreScope[] = [];
  const parts = dir ? dir.split('/') : [];
  for (let k = 0; k < parts.length; k++) {
    const base = parts.slice(0, k).join('/');
    const scope = readIgnore(fs, root, base);
    if (scope) scopes.push(scope);
  }
  return scopes;
}

function readIgnore(fs: ContextFileSystem, root: string, base: string): IgnoreScope | undefined {
  const file = `${root}/${base ? `${base}/` : ''}.gitignore`;
  if (!fs.stat(file)?.isFile) return undefined;
  try {
    return { base, rules: ignore().add(fs.readFile(file)) };
  } catch {
    return undefined;
  }
}

function ignored(scopes: IgnoreScope[], rel: string, isDir: boolean): boolean {
  for (const { base, rules } of scopes) {
    const sub = base ? rel.slice(base.length + 1) : rel;
    if (sub && rules.ignores(isDir ? `${sub}/` : sub)) return true;
  }
  return false;
}

function visit(fs: ContextFileSystem, root: string, dir: string, inherited: IgnoreScope[], limits: WalkLimits, result: WalkResult, known?: Record<string, number>): void {
  // Once the index is full, listing more folders only costs time (`--workspace /` listed for minutes).
  if (result.files.length >= limits.maxFiles) return;
  const abs = dir ? `${root}/${dir}` : root;
  const stat = fs.stat(abs);
  if (!stat?.isDirectory) return;
  let entries: ReturnType<ContextFileSystem['readDir']>;
  try {
    entries = fs.readDir(abs);
  } catch {
    result.unreadable.push(dir || '.');
    return;
  }
  result.dirs[dir] = stat.mtimeMs;
  // A virtual environment holds other people's code.
  if (entries.some((e) => e.name === 'pyvenv.cfg')) return;
  const own = readIgnore(fs, root, dir);
  const scopes = own ? [...inherited, own] : inherited;
  const subdirs: string[] = [];
  for (const e of entries) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory) {
      if (e.name.startsWith('.') || SKIPPED_DIRS.has(e.name) || ignored(scopes, rel, true)) continue;
      // Go/PHP/Ruby dependency copies are skipped; a project's own `vendor/` of adapted sources is code.
      if (e.name === 'vendor' && (entries.some((x) => VENDORING_MANIFESTS.includes(x.name)) || fs.stat(`${abs}/vendor/modules.txt`))) continue;
      subdirs.push(rel);
      continue;
    }
    if (e.isFile && CONFIG_FILES.has(e.name)) result.configs.push(rel);
    if (!e.isFile || !contextLanguageOf(e.name) || /\.min\.[cm]?js$/.test(e.name) || ignored(scopes, rel, false)) continue;
    if (result.files.length >= limits.maxFiles) return;
    const s = fs.stat(`${root}/${rel}`);
    if (!s) continue;
    if (s.size > limits.maxFileBytes) {
      result.skippedLarge++;
      continue;
    }
    result.files.push({ rel, mtimeMs: s.mtimeMs, size: s.size });
  }
  for (const sub of subdirs.sort()) if (!known || !(sub in known)) visit(fs, root, sub, scopes, limits, result, known);
}

/**
 * VS Code's `files.exclude` for the index: the host's setting (the editor passes the merged user,
 * workspace and folder value) or, without one (the CLI), the workspace's `.vscode/settings.json`.
 * Returns the patterns in .gitignore syntax, sorted (they key the persisted index: other patterns, other index).
 */
export function filesExcludeOf(fs: ContextFileSystem, root: string, setting?: FilesExcludeSetting): string[] {
  let value = setting;
  if (!value) {
    try {
      const settings = parseJsonc(fs.readFile(`${root}/.vscode/settings.json`)) as Record<string, unknown> | undefined;
      const found = settings?.['files.exclude'];
      if (found && typeof found === 'object') value = found as FilesExcludeSetting;
    } catch {
      value = undefined;
    }
  }
  return value ? filesExcludePatterns(value).map((p) => p.pattern).sort() : [];
}

/** True for text that is not worth indexing: binary (a NUL byte) or minified (very long lines). */
export function isUnindexable(text: string): boolean {
  if (text.slice(0, 8000).includes('\0')) return true;
  const lines = text.length / (countLines(text) || 1);
  return text.length > 4000 && lines > 300;
}

function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
