/**
 * Which of a trace's frames are files in the workspace that may be sent. A trace names files the way the
 * failing process saw them: absolute paths under the workspace, the same project checked out elsewhere
 * (a container's `/app`, CI's `/home/runner/work/…`), paths relative to where the command ran, or, for
 * the JVM, only a file name and the class's package. Every candidate is checked with `exists` and then
 * with the privacy filter, so an ignored file is reported as excluded, never read.
 */
import type { ExclusionResult } from '../privacy/ignore';
import { confineToWorkspace, type RealPathFileSystem } from '../privacy/realPath';
import type { StackFrame } from './stackTrace';

export interface FrameResolveOptions {
  /** The workspace folder, absolute (either separator). */
  root: string;
  /** Whether a workspace-relative path (forward slashes) is a file. */
  exists(relPath: string): Promise<boolean>;
  /** The privacy filter (PrivacyFilter satisfies it). */
  filter: { isExcluded(relPath: string): ExclusionResult };
  /**
   * Resolves symbolic links, so a frame in `src/env-link.ts` (→ `.env`) or under a linked folder that
   * leads out of the workspace is excluded like the file it reaches. Defaults to `node:fs/promises`.
   */
  fs?: RealPathFileSystem;
}

export interface ResolvedFrame extends StackFrame {
  /** Workspace-relative, forward slashes. */
  relPath: string;
}

export interface FrameResolution {
  /** In the workspace and allowed to be sent, in the trace's order. */
  frames: ResolvedFrame[];
  /** In the workspace but excluded by the privacy settings, with the rule that excluded them. */
  excluded: Array<{ frame: StackFrame; relPath: string; reason: string }>;
  /** Not found in the workspace (runtime frames, dependencies outside it, files since moved). */
  unresolved: StackFrame[];
}

/** Source folders where JVM builds (Maven, Gradle, Android) keep a package's files. */
const JVM_SOURCE_ROOTS = ['src/main/java/', 'src/main/kotlin/', 'src/test/java/', 'src/test/kotlin/', 'app/src/main/java/', 'app/src/main/kotlin/', 'src/main/scala/', 'src/', ''];

/**
 * A path outside the workspace is matched by its tail (`/app/src/a.ts` → `src/a.ts`), longest first; this
 * many tails at most, so a deep path costs a bounded number of `exists` calls.
 */
const MAX_TAILS = 8;

export async function resolveFrames(frames: readonly StackFrame[], options: FrameResolveOptions): Promise<FrameResolution> {
  const result: FrameResolution = { frames: [], excluded: [], unresolved: [] };
  const known = new Map<string, Promise<boolean>>();
  const exists = (rel: string) => {
    let answer = known.get(rel);
    if (!answer) {
      answer = options.exists(rel).catch(() => false);
      known.set(rel, answer);
    }
    return answer;
  };
  const root = normalizeAbsolute(toSlash(options.root)).replace(/\/+$/, '');

  for (const frame of frames) {
    let found: string | undefined;
    for (const candidate of candidatesFor(frame, root)) {
      if (await exists(candidate)) {
        found = candidate;
        break;
      }
    }
    if (found === undefined) {
      result.unresolved.push(frame);
      continue;
    }
    const exclusion = options.filter.isExcluded(found);
    if (exclusion.excluded) {
      result.excluded.push({ frame, relPath: found, reason: exclusion.reason ?? 'excluded' });
      continue;
    }
    const confined = await confineToWorkspace(options.root, found, options.filter, options.fs);
    if (!confined.ok) result.excluded.push({ frame, relPath: found, reason: confined.reason });
    else result.frames.push({ ...frame, relPath: found });
  }
  return result;
}

/** Workspace-relative paths the frame's file may be, most likely first. */
function candidatesFor(frame: StackFrame, root: string): string[] {
  if (frame.internal) return [];
  let file = toSlash(frame.file).replace(/^webpack:\/\/[^/]*\//, '');
  if (isAbsolute(file)) {
    file = normalizeAbsolute(file);
    const inside = relativeInside(root, file);
    if (inside !== undefined) return inside ? [inside] : [];
    // Another checkout of the project (a container, CI): only for the user's code, since a dependency's
    // tail (`lib/util.py`) would match a workspace file that has nothing to do with it.
    if (frame.library) return [];
    const segments = file.split('/').filter((s) => s && !/^[A-Za-z]:$/.test(s));
    const tails: string[] = [];
    for (let take = Math.min(segments.length - 1, MAX_TAILS); take >= 1; take--) tails.push(segments.slice(-take).join('/'));
    return tails;
  }
  const rel = normalizeRelative(file);
  if (rel === undefined) return [];
  return [...jvmCandidates(frame, rel), rel].filter((c, i, all) => all.indexOf(c) === i);
}

/** `OrderService.java` in `com.acme.orders.OrderService.load` → `src/main/java/com/acme/orders/OrderService.java`, … */
function jvmCandidates(frame: StackFrame, file: string): string[] {
  if (file.includes('/') || !/\.(?:java|kt|kts|scala|groovy)$/.test(file) || !frame.functionName) return [];
  const segments = frame.functionName.split('.');
  if (segments.length < 3) return [];
  // The last two segments are the class (nested classes keep their `$`) and the method.
  const packagePath = segments.slice(0, -2).join('/');
  return JVM_SOURCE_ROOTS.map((root) => `${root}${packagePath}/${file}`);
}

function toSlash(p: string): string {
  return p.replace(/\\/g, '/');
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:\//.test(p);
}

/** Resolves `.` and `..` in an absolute path, keeping a drive letter. */
function normalizeAbsolute(p: string): string {
  const drive = /^[A-Za-z]:/.exec(p)?.[0] ?? '';
  const out: string[] = [];
  for (const segment of p.slice(drive.length).split('/')) {
    if (!segment || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return `${drive}/${out.join('/')}`;
}

/** `./src/../lib/a.ts` → `lib/a.ts`; undefined when the path climbs out of the folder it is relative to. */
function normalizeRelative(p: string): string | undefined {
  const out: string[] = [];
  for (const segment of p.split('/')) {
    if (!segment || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(segment);
  }
  return out.length ? out.join('/') : undefined;
}

/**
 * The path relative to the root when it is inside it ('' for the root itself), else undefined. Paths with
 * a drive letter compare case-insensitively, as Windows does (`c:/` in a `file://` URL, `C:\` in the trace).
 */
function relativeInside(root: string, file: string): string | undefined {
  const windows = /^[A-Za-z]:/.test(root) || /^[A-Za-z]:/.test(file);
  const a = windows ? root.toLowerCase() : root;
  const b = windows ? file.toLowerCase() : file;
  if (b === a) return '';
  const prefix = a.endsWith('/') ? a : `${a}/`;
  return b.startsWith(prefix) ? file.slice(prefix.length) : undefined;
}
