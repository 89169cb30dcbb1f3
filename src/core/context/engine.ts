/**
 * The context engine: at a cursor, the definitions from other files that the code being written needs,
 * packed into a token budget. Editor-free; the extension, the CLI and the completion pipeline share it.
 *
 * Budget: this sits on the keystroke path. Measured by `npm run bench:context` (the team's context
 * benchmark, scored through `node dist/cli.js context`): p95 of the engine's own time must stay within
 * 25 ms per call, a fresh process each time, which is why a warm call loads summaries from the disk cache and never tree-sitter
 * unless a file it needs has new content (see cursor/lineMap.ts for the cursor's own file).
 */
import path from 'node:path';
import type { FilesExcludeSetting } from '../privacy/ignore';
import type { SyntaxParsers } from '../syntax';
import { estimateTokens } from '../tokens';
import { chainAtCursor, scanIdentifiers } from './cursor/lexer';
import { CursorScope } from './cursor/scope';
import { Summarizer } from './extract';
import { contextLanguageOf, familyOf } from './languages';
import { gatherCandidates } from './rank/gather';
import { unscannableReason } from './limits';
import { outlineRuns, recentRuns, RECENT_RADIUS, runsToSnippets, type LineRun, type RecentEdit } from './rank/outline';
import { packCandidates } from './rank/pack';
import { similarWindows } from './rank/similar';
import { Resolver } from './resolve/symbols';
import { dirOf } from './resolve/modules';
import { DiskCache } from './store/diskCache';
import { LineIndex } from './store/lineIndex';
import { WorkspaceIndex, type IndexPacing, type IndexStats } from './store/workspaceIndex';
import type { ContextRequest, ContextResult, ContextSnippet } from './types';
import { nodeFileSystem, type ContextFileSystem } from './workspace/fileSystem';
import type { WalkLimits } from './workspace/walk';

export interface ContextEngineOptions {
  /** Workspace root (absolute). Snippet paths are relative to it. */
  root: string;
  parsers: SyntaxParsers;
  fs?: ContextFileSystem;
  /** Where the index persists between processes; absent: memory only. */
  cacheDir?: string;
  limits?: WalkLimits;
  /**
   * VS Code's `files.exclude` for this folder (as `getConfiguration('files').get('exclude')` gives it):
   * excluded files are not indexed. Absent: the workspace's `.vscode/settings.json` says.
   */
  filesExclude?: FilesExcludeSetting;
  /** How a cold index build shares the CPU (the editor's worker paces it; the CLI does not). */
  indexPacing?: IndexPacing;
  /** Clock in ms, for deadlines (tests pass a fake). */
  now?: () => number;
}

/**
 * Default deadline, from the call's start: partial context beats late context on the keystroke path.
 * Past it a call still resolves its strongest evidence and packs (see gatherCandidates), which keeps
 * the cut-short calls of bench:context within a few milliseconds of it.
 */
const DEFAULT_DEADLINE_MS = 25;
/**
 * Time kept for packing after gathering stops at the deadline: packing a full budget read ~1.5 ms of
 * lines (p50; 4 ms p95) in bench:context's cold processes, which ran cut-short calls past the deadline.
 */
const PACK_RESERVE_MS = 3;
/** Similar windows only fill a budget this large or larger; below it every token goes to definitions. */
const MIN_FILLER_TOKENS = 48;
/** Similar windows are skipped unless this much time is left before the deadline. */
const FILLER_MIN_MS = 8;
/** Most of the budget the enclosing class's outline may take (it ranks after definitions). */
const SCOPE_SHARE = 0.08;
/** Most of the budget the windows around recent edits may take. */
const RECENT_SHARE = 0.12;
/** Recent edit locations remembered (newest first). */
const MAX_RECENT_EDITS = 20;

export class ContextEngine {
  readonly root: string;
  private readonly index: WorkspaceIndex;
  private readonly now: () => number;
  private opening: Promise<void> | undefined;
  private isReady = false;
  /** Where the user edited last, newest first (see noteEdit). */
  private readonly recentEdits: RecentEdit[] = [];

  constructor(options: ContextEngineOptions) {
    this.root = path.resolve(options.root);
    this.now = options.now ?? (() => performance.now());
    const fs = options.fs ?? nodeFileSystem;
    this.index = new WorkspaceIndex({
      root: this.root,
      fs,
      cache: options.cacheDir ? new DiskCache(options.cacheDir) : undefined,
      summarizer: () => new Summarizer(options.parsers),
      limits: options.limits,
      filesExclude: options.filesExclude,
      pacing: options.indexPacing,
    });
  }

  /** Loads the persisted index or builds it (parsing every indexable file). Safe to call repeatedly. */
  async ready(): Promise<IndexStats> {
    this.opening ??= this.index.open().then(() => {
      this.isReady = true;
    });
    await this.opening;
    return this.index.stats;
  }

  async contextAt(request: ContextRequest): Promise<ContextResult> {
    const started = this.now();
    const wasReady = this.isReady;
    await this.ready();
    const indexed = this.now();
    // A call that waited for the index to be built counts its deadline from then: it still gets context.
    const deadline = (wasReady || !this.index.stats.built ? started : indexed) + (request.deadlineMs ?? DEFAULT_DEADLINE_MS) - (request.spentMs ?? 0);
    let deadlineHit = false;
    const marks: Record<string, number> = {};
    const mark = (step: string) => {
      marks[step] = Math.round((this.now() - started) * 10) / 10;
    };
    const expiredBefore = (reserveMs: number) => () => {
      if (this.now() > deadline - reserveMs) deadlineHit = true;
      return deadlineHit;
    };
    const expired = expiredBefore(0);
    // Gathering stops early enough for packing (reading the definitions' lines) to end by the deadline.
    const gatherExpired = expiredBefore(PACK_RESERVE_MS);
    this.index.beginCall();
    this.lineCache.clear();

    const rel = this.relative(request.file);
    const text = request.text ?? this.index.text(rel) ?? '';
    const skipped = unscannableReason(text);
    if (skipped !== undefined) {
      const done = this.now();
      return { snippets: [], tokens: 0, skipped, timings: { indexMs: indexed - started, cursorMs: done - indexed, gatherMs: 0, totalMs: done - started, deadlineHit: false } };
    }
    const offset = Math.max(0, Math.min(request.offset, text.length));
    const cursorLines = new LineIndex(text);
    const lines = (file: string) => (file === rel ? cursorLines : this.lines(file));
    const range = (file: string, start: number, end: number) => lines(file)?.range(start, end);
    const source = { range, count: (file: string) => lines(file)?.count };
    const line = cursorLines.lineAt(offset);
    const lang = contextLanguageOf(rel);
    const cursor = lang ? await this.index.summaryForText(rel, text, offset) : undefined;
    if (cursor) this.index.useForCall(rel, text, cursor.summary);
    const understood = this.now();
    mark('cursor');

    let snippets: ContextSnippet[] = [];
    let tokens = 0;
    const recent = recentRuns(this.recentEdits, rel);
    if (cursor) {
      const family = familyOf(cursor.summary.lang);
      const resolver = new Resolver(this.index);
      const importLines = new Set<number>();
      for (const i of cursor.summary.imports) for (let l = i.line; l <= (i.end ?? i.line); l++) importLines.add(l);
      const scope = new CursorScope(rel, cursor.summary, line, resolver);
      const candidates = await gatherCandidates({
        file: rel,
        line,
        tokens: scanIdentifiers(text, family),
        chain: chainAtCursor(text, offset),
        scope,
        resolver,
        index: this.index,
        expired: gatherExpired,
        importLines,
        text,
        lines: cursorLines,
        offset,
        maxTokens: request.maxTokens,
        mark,
        hints: (request.hints ?? []).map((h) => ({ ...h, file: this.relative(h.file) })).filter((h) => h.file !== rel && !h.file.startsWith('../') && !path.isAbsolute(h.file)),
      });
      // The class outline and recent edits rank after the definitions' headers, but get a small share of
      // the budget set aside (only what they would use) that growing definition bodies cannot take.
      mark('gathered');
      const scopeRuns = expired() ? [] : await outlineRuns({ file: rel, line, scope, resolver, index: this.index, expired });
      const scopeReserve = Math.min(runsCost(scopeRuns, source), Math.floor(request.maxTokens * SCOPE_SHARE));
      const recentReserve = Math.min(runsCost(recent, source), Math.floor(request.maxTokens * RECENT_SHARE));
      ({ snippets, tokens } = packCandidates(candidates, request.maxTokens, { range }, scopeReserve + recentReserve, expired));
      mark('packed');
      const taken = (file: string, l: number) => snippets.some((s) => s.file === file && s.startLine <= l && l <= s.endLine);
      const scopeBudget = Math.min(request.maxTokens - tokens - recentReserve, Math.floor(request.maxTokens * SCOPE_SHARE));
      const outline = runsToSnippets(scopeRuns, 'scope', scopeBudget, source, taken, expired);
      snippets.push(...outline.snippets);
      tokens += outline.tokens;
      mark('outlined');
    }
    if (recent.length && !expired()) {
      const taken = (file: string, l: number) => snippets.some((s) => s.file === file && s.startLine <= l && l <= s.endLine);
      const recentBudget = Math.min(request.maxTokens - tokens, Math.floor(request.maxTokens * RECENT_SHARE));
      const windows = runsToSnippets(recent, 'recent', recentBudget, source, taken, expired);
      snippets.push(...windows.snippets);
      tokens += windows.tokens;
    }
    const left = request.maxTokens - tokens;
    if (left >= MIN_FILLER_TOKENS && this.now() < deadline - FILLER_MIN_MS) {
      const files = [...(request.openFiles ?? []), ...new Set(snippets.map((s) => s.file)), ...this.index.filesIn(dirOf(rel))].filter((f, i, all) => f !== rel && all.indexOf(f) === i);
      const filler = similarWindows({
        cursor: cursorLines,
        cursorLine: line,
        files,
        lines,
        budget: left,
        taken: (file, start, end) => snippets.some((s) => s.file === file && s.startLine <= end && start <= s.endLine),
        expired,
      });
      snippets.push(...filler.snippets);
      tokens += filler.tokens;
      mark('similar');
    }
    const done = this.now();
    return {
      snippets,
      tokens,
      timings: { indexMs: indexed - started, cursorMs: understood - indexed, gatherMs: done - understood, totalMs: done - started, deadlineHit, marks },
    };
  }

  /** What the index did so far: files, parses, summaries reused from disk, cursor summaries mapped. */
  get stats(): IndexStats {
    return this.index.stats;
  }

  /** An editor buffer changed: it is summarized now and used instead of the disk until invalidate(). */
  async update(file: string, text: string): Promise<void> {
    await this.ready();
    await this.index.update(this.relative(file), text);
  }

  /**
   * The user edited `file` (workspace-relative or absolute) at 1-based `line`: later calls at a cursor in
   * another file include a few lines around it (reason 'recent'). Keeps the last few places, newest
   * first; an edit near one already listed moves it to the front. Files outside the workspace are ignored.
   */
  noteEdit(file: string, line: number): void {
    const rel = this.relative(file);
    if (!rel || rel.startsWith('../') || path.isAbsolute(rel) || !Number.isFinite(line)) return;
    const at = Math.max(1, Math.floor(line));
    const old = this.recentEdits.findIndex((e) => e.file === rel && Math.abs(e.line - at) <= RECENT_RADIUS);
    if (old >= 0) this.recentEdits.splice(old, 1);
    this.recentEdits.unshift({ file: rel, line: at });
    if (this.recentEdits.length > MAX_RECENT_EDITS) this.recentEdits.length = MAX_RECENT_EDITS;
  }

  /** A file changed on disk or its editor closed: the next call reads it again. */
  invalidate(file: string): void {
    this.index.invalidate(this.relative(file));
  }

  /** Persists what changed (the CLI calls this before exiting; the extension now and then). */
  flush(): void {
    this.index.save();
  }

  dispose(): void {
    this.flush();
    this.index.dispose();
  }

  private relative(file: string): string {
    const rel = path.isAbsolute(file) ? path.relative(this.root, file) : file;
    return rel.split(path.sep).join('/').replace(/^\.\//, '');
  }

  /** Line indexes of the files this call reads (cleared per call: files change between calls). */
  private readonly lineCache = new Map<string, LineIndex>();
  private lines(file: string): LineIndex | undefined {
    let found = this.lineCache.get(file);
    if (!found) {
      const text = this.index.text(file);
      if (text === undefined) return undefined;
      found = new LineIndex(text);
      this.lineCache.set(file, found);
    }
    return found;
  }
}

/** Tokens the runs would cost whole (an upper bound: lines already in the context are left out later). */
function runsCost(runs: LineRun[], source: { range(file: string, start: number, end: number): string | undefined; count(file: string): number | undefined }): number {
  let sum = 0;
  for (const r of runs) sum += estimateTokens(source.range(r.file, r.start, Math.min(r.end, source.count(r.file) ?? 0)) ?? '');
  return sum;
}
