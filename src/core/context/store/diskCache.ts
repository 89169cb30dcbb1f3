/**
 * Where an index lives between processes: `manifest.json` (every file's mtime, size and content hash)
 * and one `summaries/<hash>.json` per distinct content. Summaries are addressed by content, so a file
 * restored to an earlier version finds its summary again without parsing.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ProjectConfig } from '../resolve/projects';
import { SUMMARY_VERSION, type FileSummary } from '../summary';
import { userCacheDir } from '../../userCache';

/** 4: the top-level names per folder carry their mentions (DirNames). */
export const MANIFEST_VERSION = 4;

export interface ManifestEntry {
  /** mtime in ms. */
  m: number;
  /** Size in bytes. */
  s: number;
  /** Content hash (the summary's key); absent until the file is first read. */
  h?: string;
  /** Set for files judged unindexable (binary, minified): not read again until they change. */
  skip?: true;
  /**
   * Set when this content's names are not in the symbol hints yet (the file changed after the index was
   * built): lookups read its summary instead of trusting the hints, which then learn its names.
   */
  u?: 1;
}

export interface Manifest {
  v: number;
  /** SUMMARY_VERSION the summaries were made with: another version means rebuilding. */
  sv: number;
  root: string;
  files: Record<string, ManifestEntry>;
  dirs: Record<string, number>;
  /** When every folder was last checked for added or removed files (ms since the epoch). */
  checkedAt?: number;
  /** Project files that shape resolution, and what they say (read when the index is built). */
  configs: string[];
  projects: ProjectConfig;
  /** The `files.exclude` patterns the index was built with: others mean building it again. */
  exclude?: string[];
}

/** The default cache folder for a workspace: `<user cache>/tiercel/context/<hash of the workspace path>`. */
export function defaultCacheDir(root: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(userCacheDir(env), 'context', workspaceKey(root));
}

export function workspaceKey(root: string): string {
  return createHash('sha1').update(path.resolve(root)).digest('hex').slice(0, 16);
}

export function contentHash(text: string): string {
  return `${SUMMARY_VERSION}-${createHash('sha1').update(text).digest('base64url').slice(0, 22)}`;
}

/**
 * Where names are defined, for lookups no import explains (a receiver of unknown type, a name used
 * without an import, pruning `export *` barrels), and how often top-level names are mentioned. Hints
 * only: written when the index is built (and when a changed file's summary teaches them new names),
 * verified against summaries on use. `receivers` maps a type name to the files declaring methods on it.
 */
export type HintPart = 'top' | 'members' | 'receivers' | 'uses';

/** `names[n]` lists indexes into `files` (for `uses`: a single count). */
export interface HintTable {
  files: string[];
  names: Record<string, number[] | number>;
}

/** A folder's top-level names, most mentioned first, and how often the workspace mentions each (same order). */
export interface DirNames {
  names: string[];
  mentions: number[];
  /**
   * Each word of the names (rank/words.ts nameWords) -> the indexes of the names that contain it: a Go
   * line scores a package's names by the words they share with the code around the cursor, and
   * splitting hundreds of names per call cost ~1.5 ms of a cold Go line call (bench:context).
   */
  words: Record<string, number[]>;
}

/** The part of a summary only the cursor's own file needs. */
interface LocalPart {
  bindings: FileSummary['bindings'];
  lines: FileSummary['lines'];
}

export class DiskCache {
  constructor(readonly dir: string) {}

  readManifest(root: string, exclude: readonly string[] = []): Manifest | undefined {
    try {
      const m = JSON.parse(fs.readFileSync(path.join(this.dir, 'manifest.json'), 'utf8')) as Manifest;
      const sameExclude = (m.exclude ?? []).join('\n') === exclude.join('\n');
      return m.v === MANIFEST_VERSION && m.sv === SUMMARY_VERSION && m.root === root && sameExclude ? m : undefined;
    } catch {
      return undefined;
    }
  }

  writeManifest(manifest: Manifest): void {
    this.writeAtomic(path.join(this.dir, 'manifest.json'), JSON.stringify(manifest));
  }

  /**
   * One part of the symbol hints. Parts load separately (a warm call usually needs only `top`), and
   * files are stored once per part and referred to by index: for 5,000 files this cut the hints
   * from 3.6 MB of JSON, too slow to parse on every call, to a fraction of that.
   */
  readHints(part: HintPart): HintTable | undefined {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.dir, `hints-${part}.json`), 'utf8')) as HintTable;
    } catch {
      return undefined;
    }
  }

  writeHints(part: HintPart, table: HintTable): void {
    this.writeAtomic(path.join(this.dir, `hints-${part}.json`), JSON.stringify(table));
  }

  /** Top-level names per folder (WorkspaceIndex.namesIn). */
  readDirNames(): Record<string, DirNames> | undefined {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.dir, 'hints-dirs.json'), 'utf8')) as Record<string, DirNames>;
    } catch {
      return undefined;
    }
  }

  writeDirNames(names: Record<string, DirNames>): void {
    this.writeAtomic(path.join(this.dir, 'hints-dirs.json'), JSON.stringify(names));
  }

  /**
   * A summary by content hash. Without `full`, only what lookups from other files need (defs, imports):
   * locals and line hashes, about half the bytes, are read only for the cursor's file.
   */
  readSummary(hash: string, full = false): FileSummary | undefined {
    try {
      const s = JSON.parse(fs.readFileSync(path.join(this.dir, 'summaries', `${hash}.json`), 'utf8')) as FileSummary;
      if (s.v !== SUMMARY_VERSION) return undefined;
      if (!full) return { ...s, partial: true, bindings: [], lines: { lengths: '', head: [], tail: [] } };
      const local = JSON.parse(fs.readFileSync(path.join(this.dir, 'summaries', `${hash}.local.json`), 'utf8')) as LocalPart;
      return { ...s, bindings: local.bindings, lines: local.lines };
    } catch {
      return undefined;
    }
  }

  writeSummary(hash: string, summary: FileSummary): void {
    const { bindings, lines, partial: _partial, ...shared } = summary;
    const local: LocalPart = { bindings, lines };
    this.writeAtomic(path.join(this.dir, 'summaries', `${hash}.local.json`), JSON.stringify(local));
    this.writeAtomic(path.join(this.dir, 'summaries', `${hash}.json`), JSON.stringify(shared));
  }

  /** Deletes summaries no manifest entry points to (old versions of edited files). */
  pruneSummaries(keep: ReadonlySet<string>): void {
    const dir = path.join(this.dir, 'summaries');
    for (const name of safeReadDir(dir)) {
      // Only files this cache wrote (`<version>-<hash>.json`) are candidates.
      const hash = /^(\d+-[\w-]{22})(\.local)?\.json$/.exec(name)?.[1];
      if (hash && !keep.has(hash)) fs.rmSync(path.join(dir, name), { force: true });
    }
  }

  /**
   * Removes sibling caches whose workspace no longer exists (benchmark scratch copies, deleted
   * checkouts), so the cache folder does not grow without bound. Only ever touches folders that are
   * unmistakably Tiercel context caches: a 16-hex-digit name beside this one, holding a manifest.json
   * whose `root` is gone. Anything else in the parent folder (a user-chosen --cache-dir) is left alone.
   */
  pruneOrphanSiblings(): void {
    const parent = path.dirname(this.dir);
    if (!/^[0-9a-f]{16}$/.test(path.basename(this.dir))) return;
    for (const name of safeReadDir(parent)) {
      if (!/^[0-9a-f]{16}$/.test(name)) continue;
      const dir = path.join(parent, name);
      if (dir === this.dir) continue;
      let root: unknown;
      try {
        root = (JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Partial<Manifest>).root;
      } catch {
        continue;
      }
      if (typeof root !== 'string' || !root || fs.existsSync(root)) continue;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  private writeAtomic(file: string, data: string): void {
    // Another call may be reading this cache: write a sibling and rename over the old file.
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      try {
        fs.writeFileSync(tmp, data);
      } catch (e) {
        // The folder is there but for the first write: creating it every time cost a warm CLI call ~1 ms.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(tmp, data);
      }
      fs.renameSync(tmp, file);
    } catch {
      // The cache only saves time: a read-only or full disk must not fail the call. The next call
      // rebuilds what is missing.
      fs.rmSync(tmp, { force: true });
    }
  }
}

function safeReadDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
