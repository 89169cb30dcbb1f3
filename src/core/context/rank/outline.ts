/**
 * Two kinds of context that are not definitions of names at the cursor:
 * - `scope`: the outline of the class (struct, impl) around the cursor — its header and the one-line
 *   headers of its members (fields, method signatures), as runs of exact lines. In Go the outline is
 *   the receiver type and the methods declared on it anywhere in the package. Lines of the cursor's own
 *   file near the cursor are left out: the prompt holds them already.
 * - `recent`: small windows around the places the user edited last in other files.
 * Both are plain line runs; the engine ranks them after definitions and before similar windows.
 */
import { estimateTokens } from '../../tokens';
import type { CursorScope } from '../cursor/scope';
import { dirOf, goPackageFiles } from '../resolve/modules';
import { isTypeDef, type DefRef, type Resolver } from '../resolve/symbols';
import type { WorkspaceIndex } from '../store/workspaceIndex';
import type { ContextSnippet } from '../types';

/** Lines of the cursor's file within this distance of the cursor are in the prompt already. */
export const OUTLINE_NEAR_LINES = 60;
/** Members listed at most (a huge class outlines its first ones). */
const MAX_OUTLINE_MEMBERS = 80;
/** Lines either side of a recent edit. */
export const RECENT_RADIUS = 3;
/** Recent edits turned into windows at most per call. */
const MAX_RECENT_WINDOWS = 6;

export interface LineRun {
  file: string;
  start: number;
  end: number;
}

export interface OutlineInput {
  /** The cursor's file (workspace-relative). */
  file: string;
  line: number;
  scope: CursorScope;
  resolver: Resolver;
  index: WorkspaceIndex;
  expired: () => boolean;
}

/** The enclosing class's outline as line runs (file order), before anything else is in the context. */
export async function outlineRuns(input: OutlineInput): Promise<LineRun[]> {
  const { scope, file, line } = input;
  let owner = scope.owner;
  const receiver = scope.fn?.def.receiver;
  if (receiver && owner?.def.name !== receiver) {
    // Go: the receiver type may be declared in another file of the package.
    const v = await input.resolver.lookupTop(file, receiver);
    if (v?.kind === 'def' && isTypeDef(v.ref.def)) owner = v.ref;
  }
  if (!owner) return [];
  const parts: DefRef[] = [owner];
  const ownMembers = (ref: DefRef, into: DefRef[]) =>
    ref.summary.defs.forEach((d, i) => {
      if (d.parent === ref.index) into.push({ file: ref.file, index: i, def: d, summary: ref.summary });
    });
  ownMembers(owner, parts);
  if (scope.family === 'go') {
    for (const f of input.index.candidatesWithReceiver(goPackageFiles(input.index, dirOf(owner.file)), owner.def.name)) {
      if (input.expired()) break;
      const s = f === owner.file ? owner.summary : await input.index.summary(f);
      s?.defs.forEach((d, i) => {
        if (d.receiver === owner.def.name) parts.push({ file: f, index: i, def: d, summary: s });
      });
    }
  }
  const lines = new Map<string, Set<number>>();
  for (const ref of parts.slice(0, MAX_OUTLINE_MEMBERS + 1)) {
    const { def } = ref;
    // A Go struct's fields are its body: the whole declaration is its outline (capped like a header).
    const last = scope.family === 'go' && ref === owner && def.kind !== 'interface' ? Math.min(def.end, def.line + 20) : def.headerEnd;
    let set = lines.get(ref.file);
    if (!set) lines.set(ref.file, (set = new Set()));
    for (let l = def.line; l <= last; l++) {
      if (ref.file === file && Math.abs(l - line) <= OUTLINE_NEAR_LINES) continue;
      set.add(l);
    }
  }
  const runs: LineRun[] = [];
  // The owner's file first, then the others (Go methods elsewhere in the package).
  const files = [...lines.keys()].sort((a, b) => (a === owner.file ? -1 : b === owner.file ? 1 : a < b ? -1 : a > b ? 1 : 0));
  for (const f of files) {
    const sorted = [...lines.get(f)!].sort((a, b) => a - b);
    for (const l of sorted) {
      const prev = runs[runs.length - 1];
      if (prev && prev.file === f && prev.end === l - 1) prev.end = l;
      else runs.push({ file: f, start: l, end: l });
    }
  }
  return runs;
}

export interface RunSource {
  range(file: string, start: number, end: number): string | undefined;
  /** Lines in the file, or undefined when it cannot be read. */
  count(file: string): number | undefined;
}

/**
 * Turns runs into snippets within `budget`, in order, leaving out lines already in the context (a run
 * partly covered is split around them). A piece that does not fit is skipped.
 */
export function runsToSnippets(
  runs: LineRun[],
  reason: 'scope' | 'recent',
  budget: number,
  source: RunSource,
  taken: (file: string, line: number) => boolean,
  expired: () => boolean,
): { snippets: ContextSnippet[]; tokens: number } {
  const snippets: ContextSnippet[] = [];
  let tokens = 0;
  for (const run of runs) {
    if (expired()) break;
    const count = source.count(run.file);
    if (count === undefined) continue;
    let start = -1;
    const pieces: LineRun[] = [];
    for (let l = Math.max(1, run.start); l <= Math.min(run.end, count) + 1; l++) {
      const free = l <= Math.min(run.end, count) && !taken(run.file, l) && !snippets.some((s) => s.file === run.file && s.startLine <= l && l <= s.endLine);
      if (free && start < 0) start = l;
      if (!free && start >= 0) {
        pieces.push({ file: run.file, start, end: l - 1 });
        start = -1;
      }
    }
    for (const p of pieces) {
      const text = source.range(p.file, p.start, p.end);
      if (text === undefined || !text.trim()) continue;
      const k = estimateTokens(text);
      if (tokens + k > budget) continue;
      tokens += k;
      snippets.push({ file: p.file, startLine: p.start, endLine: p.end, text, reason });
    }
  }
  return { snippets, tokens };
}

/** A place the user edited, newest first. */
export interface RecentEdit {
  file: string;
  line: number;
}

/** Windows around recent edits in files other than the cursor's (newest first, merged when they touch). */
export function recentRuns(edits: readonly RecentEdit[], cursorFile: string): LineRun[] {
  const runs: LineRun[] = [];
  for (const e of edits) {
    if (e.file === cursorFile) continue;
    const start = Math.max(1, e.line - RECENT_RADIUS);
    const end = e.line + RECENT_RADIUS;
    const touching = runs.find((r) => r.file === e.file && r.start <= end + 1 && start <= r.end + 1);
    if (touching) {
      touching.start = Math.min(touching.start, start);
      touching.end = Math.max(touching.end, end);
      continue;
    }
    if (runs.length >= MAX_RECENT_WINDOWS) break;
    runs.push({ file: e.file, start, end });
  }
  return runs;
}
