/**
 * Decides which workspace files may leave the machine in a Claude request. A file is excluded when
 * any of four sources matches it: the default deny list (never overridable), a `.tiercelignore`,
 * a `.gitignore`, or VS Code's `files.exclude`. Each source keeps its own negations: a `!pattern`
 * in a `.tiercelignore` cannot re-include what a `.gitignore` excludes, and nothing re-includes
 * what the deny list excludes.
 *
 * Nested ignore files are folded into one `ignore` instance per source, each pattern rewritten
 * relative to the workspace root (`build/` in `pkg/.gitignore` becomes `pkg/**\/build/`). One
 * instance gives git's rule that a file inside an excluded folder cannot be re-included, and its
 * last-match-wins order gives git's rule that a deeper ignore file overrides a shallower one.
 */
import * as nodeFs from 'node:fs/promises';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';

/**
 * File names that hold credentials often enough that no setting may send them. Matched at any depth,
 * case-insensitively, against the file and every folder above it.
 *
 * Templates such as `.env.example` are excluded too: they are usually harmless, but a deny list
 * that guesses which `.env.*` files hold real values is how `.env.local` gets sent.
 * Source files merely named after secrets (`credentials.ts`, Python's `secrets.py`) are not on it:
 * the patterns name data formats, and secrets inside code are caught by redaction instead.
 */
export const DEFAULT_DENY_LIST: readonly string[] = [
  // Environment files (dotenv, direnv), also named after their environment (`prod.env`) and the
  // copies editors and people leave (`.env~`, `prod.env.bak`).
  // (The wider patterns come first: the last match names the rule, and `.env` reads better than `*.env`.)
  '*.env',
  '*.env.*',
  '*.env~',
  '.env',
  '.env.*',
  '.env~',
  '.envrc',
  // Private keys and keystores, and their copies (`server.pem.bak`, `tls.key.old`, `site.key~`).
  '*.pem.*',
  '*.pem~',
  '*.pem',
  '*.key.*',
  '*.key~',
  '*.key',
  '*.p12.*',
  '*.p12',
  '*.pfx.*',
  '*.pfx',
  '*.jks.*',
  '*.jks',
  '*.keystore.*',
  '*.keystore',
  '*.ppk',
  '*.kdbx',
  // OpenVPN profiles carry the client's private key inline.
  '*.ovpn',
  'id_rsa*',
  'id_dsa*',
  'id_ecdsa*',
  'id_ed25519*',
  '.ssh/',
  // Tool credential files.
  '.npmrc',
  '.pypirc',
  '.netrc',
  '_netrc',
  '.pgpass',
  '.git-credentials',
  '.htpasswd',
  '.dockercfg',
  '.docker/config.json',
  '.kube/config',
  'kubeconfig',
  '*.kubeconfig',
  '.vault-token',
  // Cloud and app credential stores (`.aws/credentials`, `gcloud/credentials.db` by folder).
  'credentials',
  'credentials.json',
  'credentials.csv',
  'credentials.xml',
  'credentials.yml',
  'credentials.yaml',
  'credentials.db',
  'secrets.json',
  'secrets.yml',
  'secrets.yaml',
  'secrets.toml',
  'secrets.ini',
  'secrets.env',
  '.secrets',
  '*.secrets',
  // Terraform state stores every provisioned secret in plain text.
  '*.tfstate',
  '*.tfstate.*',
  // Git's own folder: remote URLs in `.git/config` may carry tokens.
  '.git',
];

/** Why a path may not be sent; `reason` is shown in the preview as is. */
export interface ExclusionResult {
  excluded: boolean;
  /** Which rule matched, e.g. `default deny list: .env.*` or `src/.gitignore: build/`. */
  reason?: string;
}

/** The parts of `node:fs/promises` the filter reads with; the module itself satisfies it. */
export interface PrivacyFileSystem {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  readdir(path: string, options: { withFileTypes: true }): Promise<Array<{ name: string; isDirectory(): boolean }>>;
}

/** A VS Code `files.exclude` value: `true` excludes; a `{ when }` sibling condition is not evaluated. */
export type FilesExcludeSetting = Readonly<Record<string, boolean | { when: string } | null | undefined>>;

export interface PrivacyFilterOptions {
  /** Defaults to `node:fs/promises`. */
  fs?: PrivacyFileSystem;
  /** VS Code's `files.exclude` for this workspace folder, as `getConfiguration('files').get('exclude')` gives it. */
  filesExclude?: FilesExcludeSetting;
  /**
   * The folder scan for nested ignore files stops after this many folders; anything inside a folder
   * left unscanned is excluded (its ignore files were never read). Ignored folders are not scanned.
   */
  maxFolders?: number;
}

export interface FilterFilesResult {
  included: string[];
  excluded: Array<{ path: string; reason: string }>;
}

const IGNORE_FILES = [
  { name: '.tiercelignore', source: 'tiercel' },
  { name: '.gitignore', source: 'git' },
] as const;

const DEFAULT_MAX_FOLDERS = 20_000;

export class PrivacyFilter {
  private constructor(
    private readonly deny: Ignore,
    private readonly tiercel: Ignore,
    private readonly git: Ignore,
    private readonly filesExclude: Ignore,
    /** Folders whose ignore files could not be read, with why: everything under them is excluded. */
    private readonly unknownFolders: ReadonlyMap<string, string>,
  ) {}

  /**
   * Reads every `.gitignore` and `.tiercelignore` under `root` (plus `.git/info/exclude`), skipping
   * folders that are already excluded, as git does. Rebuild the filter when ignore files change.
   */
  static async load(root: string, options: PrivacyFilterOptions = {}): Promise<PrivacyFilter> {
    const fs = options.fs ?? nodeFs;
    const maxFolders = options.maxFolders ?? DEFAULT_MAX_FOLDERS;
    const deny = ignore().add(DEFAULT_DENY_LIST.map((pattern) => ({ pattern, mark: `default deny list: ${pattern}` })));
    const tiercel = ignore();
    const git = ignore();
    const filesExclude = ignore().add(filesExcludePatterns(options.filesExclude ?? {}));
    const unknown = new Map<string, string>();

    const gitInfoExclude = await readOptional(fs, path.join(root, '.git', 'info', 'exclude'));
    if (typeof gitInfoExclude === 'string') git.add(rootedPatterns(gitInfoExclude, '', '.git/info/exclude'));

    const excludedFolder = (rel: string) =>
      [deny, tiercel, git, filesExclude].some((ig) => ig.ignores(`${rel}/`));

    // Breadth-first, so every folder's ancestors' rules are added before the folder is tested.
    let level = [''];
    let scanned = 0;
    while (level.length > 0) {
      if (scanned + level.length > maxFolders) {
        for (const rel of level) unknown.set(rel, `not scanned for ignore files (more than ${maxFolders} folders)`);
        break;
      }
      scanned += level.length;
      const listed = await Promise.all(level.map((rel) => scanFolder(fs, root, rel)));
      const next: string[] = [];
      for (const folder of listed) {
        for (const file of folder.ignoreFiles) {
          if (file.text === undefined) {
            unknown.set(folder.rel, `could not read ${join(folder.rel, file.name)}`);
            continue;
          }
          const target = file.source === 'git' ? git : tiercel;
          target.add(rootedPatterns(file.text, folder.rel, join(folder.rel, file.name)));
        }
      }
      for (const folder of listed) {
        if (unknown.has(folder.rel)) continue;
        for (const sub of folder.subfolders) if (!excludedFolder(sub)) next.push(sub);
      }
      level = next;
    }
    return new PrivacyFilter(deny, tiercel, git, filesExclude, unknown);
  }

  /**
   * Whether a workspace-relative path (forward slashes; a trailing `/` marks a folder) may be sent.
   * Paths that leave the workspace or are not relative are excluded.
   */
  isExcluded(relPath: string): ExclusionResult {
    const rel = normalizeRelative(relPath);
    if (rel === undefined) return { excluded: true, reason: 'outside the workspace' };
    for (const ig of [this.deny, this.tiercel, this.git, this.filesExclude]) {
      const result = ig.test(rel);
      if (result.ignored) return { excluded: true, reason: result.rule?.mark ?? result.rule?.pattern ?? 'ignored' };
    }
    const segments = rel.split('/');
    for (let i = 0; i < segments.length; i++) {
      const reason = this.unknownFolders.get(segments.slice(0, i).join('/'));
      if (reason !== undefined) return { excluded: true, reason };
    }
    return { excluded: false };
  }

  /** Splits paths into those that may be sent and those that may not, keeping the input order. */
  filterFiles(paths: Iterable<string>): FilterFilesResult {
    const result: FilterFilesResult = { included: [], excluded: [] };
    for (const p of paths) {
      const { excluded, reason } = this.isExcluded(p);
      if (excluded) result.excluded.push({ path: p, reason: reason ?? 'excluded' });
      else result.included.push(p);
    }
    return result;
  }
}

interface ScannedFolder {
  rel: string;
  subfolders: string[];
  /** `text` undefined: the file exists but could not be read. */
  ignoreFiles: Array<{ name: string; source: 'git' | 'tiercel'; text: string | undefined }>;
}

async function scanFolder(fs: PrivacyFileSystem, root: string, rel: string): Promise<ScannedFolder> {
  const abs = rel ? path.join(root, ...rel.split('/')) : root;
  const folder: ScannedFolder = { rel, subfolders: [], ignoreFiles: [] };
  let entries: Array<{ name: string; isDirectory(): boolean }>;
  try {
    entries = await fs.readdir(abs, { withFileTypes: true });
  } catch {
    // A folder that cannot be listed has no files that could be read and sent either.
    return folder;
  }
  const names = new Set(entries.map((e) => e.name));
  for (const e of entries) {
    // Symbolic links are not followed (isDirectory() is false for them): a link can point out of the workspace.
    if (e.isDirectory() && e.name !== '.git') folder.subfolders.push(join(rel, e.name));
  }
  folder.subfolders.sort();
  for (const { name, source } of IGNORE_FILES) {
    if (!names.has(name)) continue;
    const text = await readOptional(fs, path.join(abs, name));
    // null: not a readable regular file after all (a folder of that name, a race with deletion).
    if (text !== null) folder.ignoreFiles.push({ name, source, text });
  }
  return folder;
}

/** The file's text; null when it does not exist or is a folder; undefined when it exists but cannot be read. */
async function readOptional(fs: PrivacyFileSystem, abs: string): Promise<string | null | undefined> {
  try {
    return await fs.readFile(abs, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' ? null : undefined;
  }
}

function join(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}

/**
 * The lines of an ignore file found in folder `dir`, rewritten to apply from the workspace root,
 * each marked with where it came from. Follows gitignore(5): a pattern with a slash before its end
 * is anchored to its file's folder, one without matches at any depth below it.
 */
export function rootedPatterns(text: string, dir: string, source: string): Array<{ pattern: string; mark: string }> {
  const patterns: Array<{ pattern: string; mark: string }> = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (!line.trim() || line.startsWith('#')) continue;
    const mark = `${source}: ${line.trim()}`;
    if (!dir) {
      patterns.push({ pattern: line, mark });
      continue;
    }
    const negative = line.startsWith('!');
    let body = negative ? line.slice(1) : line;
    // A leading `\!` or `\#` escapes a literal character that is no longer leading once prefixed.
    if (body.startsWith('\\!') || body.startsWith('\\#')) body = body.slice(1);
    // `/` or `!` alone matches nothing.
    if (!body.replace(/\//g, '').trim()) continue;
    const withoutTrailingSlash = body.replace(/\/+\s*$/, '');
    const anchored = withoutTrailingSlash.includes('/');
    const rest = anchored ? body.replace(/^\/+/, '') : `**/${body}`;
    patterns.push({ pattern: `${negative ? '!' : ''}${escapeGlob(dir)}/${rest}`, mark });
  }
  return patterns;
}

/** A literal path as a gitignore pattern prefix. */
function escapeGlob(literal: string): string {
  return literal.replace(/[\\*?[\]]/g, '\\$&').replace(/^[!#]/, '\\$&');
}

/**
 * VS Code globs as gitignore patterns. VS Code evaluates them against the path relative to the
 * workspace folder, so `build` means only the top-level `build` (it takes `**\/build` to match at
 * any depth): every pattern is anchored. Braces are expanded because gitignore has none, and a
 * leading `!` is literal in VS Code but a negation in gitignore.
 */
export function filesExcludePatterns(setting: FilesExcludeSetting): Array<{ pattern: string; mark: string }> {
  const patterns: Array<{ pattern: string; mark: string }> = [];
  for (const [glob, value] of Object.entries(setting)) {
    // `{ when: "$(basename).ts" }` hides generated siblings; evaluating it needs the folder listing,
    // and the files it hides are build output rather than secrets, so it is left to the other sources.
    if (value !== true) continue;
    for (const expanded of expandBraces(glob.replace(/\\/g, '/'))) {
      let body = expanded.replace(/^\.\//, '').replace(/^\/+/, '');
      if (!body) continue;
      body = body.replace(/^[!#]/, '\\$&').replace(/ +$/, (spaces) => spaces.replace(/ /g, '\\ '));
      patterns.push({ pattern: body.startsWith('**') ? body : `/${body}`, mark: `files.exclude: ${glob}` });
    }
  }
  return patterns;
}

/** `a{b,c{d,e}}` → `ab`, `acd`, `ace`. Unbalanced braces are kept literally. */
export function expandBraces(glob: string): string[] {
  const open = glob.indexOf('{');
  if (open < 0) return [glob];
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < glob.length; i++) {
    const c = glob[i];
    if (c === '{') depth++;
    else if (c === ',' && depth === 1) commas.push(i);
    else if (c === '}' && --depth === 0) {
      const head = glob.slice(0, open);
      const tail = glob.slice(i + 1);
      const bounds = [open, ...commas, i];
      const options = bounds.slice(0, -1).map((start, k) => glob.slice(start + 1, bounds[k + 1]));
      return options.flatMap((option) => expandBraces(`${head}${option}${tail}`));
    }
  }
  return [glob];
}

/** A clean workspace-relative path, or undefined when it is absolute or climbs out with `..`. */
function normalizeRelative(relPath: string): string | undefined {
  const slashed = relPath.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) return undefined;
  const dirSuffix = slashed.endsWith('/') ? '/' : '';
  const parts: string[] = [];
  for (const part of slashed.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return undefined;
    parts.push(part);
  }
  return parts.length ? parts.join('/') + dirSuffix : undefined;
}
