/**
 * Where a workspace path really leads. The privacy filter judges the path as written, but a symbolic
 * link anywhere along it (`vendor/` → a folder outside the workspace, `src/env-link.ts` → `.env`)
 * makes a read return another file's content. So every read that can reach Claude first resolves the
 * real path, and refuses one that leaves the workspace or lands on a file the filter excludes.
 */
import * as nodeFs from 'node:fs/promises';
import path from 'node:path';
import type { ExclusionResult } from './ignore';

export interface RealPathFileSystem {
  realpath(path: string): Promise<string>;
}

export type Confinement =
  /** `realPath` is absolute; read it rather than the link, so a link swapped after the check is not followed. */
  | { ok: true; realPath: string }
  | { ok: false; missing: boolean; reason: string };

/**
 * Resolves `rel` (workspace-relative, forward slashes) under `root` and checks where it leads. The
 * filter's own verdict on `rel` is the caller's to ask first; this adds the verdict on the target.
 */
export async function confineToWorkspace(
  root: string,
  rel: string,
  filter: { isExcluded(relPath: string): ExclusionResult },
  fs: RealPathFileSystem = nodeFs,
): Promise<Confinement> {
  const realRoot = await fs.realpath(root).catch(() => path.resolve(root));
  let real: string;
  try {
    real = await fs.realpath(path.join(root, ...rel.split('/')));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, missing: true, reason: 'does not exist' };
    // A link to itself (ELOOP) or an unreadable folder on the way.
    return { ok: false, missing: false, reason: `unreadable (${typeof code === 'string' ? code : 'error'})` };
  }
  const inside = path.relative(realRoot, real);
  if (!inside || inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) {
    return { ok: false, missing: false, reason: 'a symbolic link that leads outside the workspace' };
  }
  const realRel = inside.split(path.sep).join('/');
  if (realRel !== rel) {
    const target = filter.isExcluded(realRel);
    if (target.excluded) return { ok: false, missing: false, reason: `a symbolic link to ${realRel} (${target.reason ?? 'excluded'})` };
  }
  return { ok: true, realPath: real };
}
