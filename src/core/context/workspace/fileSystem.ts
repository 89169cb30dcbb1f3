import fs from 'node:fs';

/**
 * The file operations the engine uses, synchronous on purpose: the index is small per call and sync
 * reads avoid promise overhead on the keystroke path. Tests and hosts with virtual files pass their own.
 */
export interface ContextFileSystem {
  readFile(absPath: string): string;
  /** undefined when the path does not exist or cannot be looked at (a folder on the way is unreadable). */
  stat(absPath: string): { mtimeMs: number; size: number; isFile: boolean; isDirectory: boolean } | undefined;
  /** Throws when the folder cannot be listed (EACCES), so the walk can skip it and say so. */
  readDir(absPath: string): { name: string; isFile: boolean; isDirectory: boolean }[];
}

export const nodeFileSystem: ContextFileSystem = {
  readFile: (p) => fs.readFileSync(p, 'utf8'),
  stat: (p) => {
    let s: fs.Stats | undefined;
    try {
      s = fs.statSync(p, { throwIfNoEntry: false });
    } catch {
      // EACCES inside a folder the user cannot enter (a container's root-owned data dir), ENOTDIR, ELOOP.
      return undefined;
    }
    return s && { mtimeMs: s.mtimeMs, size: s.size, isFile: s.isFile(), isDirectory: s.isDirectory() };
  },
  readDir: (p) => fs.readdirSync(p, { withFileTypes: true }).map((e) => ({ name: e.name, isFile: e.isFile(), isDirectory: e.isDirectory() })),
};
