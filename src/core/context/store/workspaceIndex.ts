/**
 * The workspace's file summaries: built once (every indexable file parsed), persisted, and kept valid
 * lazily: a file is re-checked (stat, then content hash) only when a call needs it, and re-parsed only
 * when its content is new. Folder mtimes reveal added and removed files.
 */
import type { Summarizer } from '../extract';
import { contextLanguageOf } from '../languages';
import { mapSummary } from '../cursor/lineMap';
import { nameWords } from '../rank/words';
import { unscannableReason } from '../limits';
import { EMPTY_PROJECT_CONFIG, dirOf, readProjectConfig, type ProjectConfig } from '../resolve/projects';
import { SUMMARY_VERSION, type FileSummary, type SymbolDef } from '../summary';
import type { ContextFileSystem } from '../workspace/fileSystem';
import ignore, { type Ignore } from 'ignore';
import type { FilesExcludeSetting } from '../../privacy/ignore';
import { DEFAULT_WALK_LIMITS, filesExcludeOf, isUnindexable, walkWorkspace, type WalkLimits } from '../workspace/walk';
import { MANIFEST_VERSION, contentHash, type DirNames, type DiskCache, type HintPart, type HintTable, type Manifest, type ManifestEntry } from './diskCache';

/** How long a persisted folder listing is trusted before a new process re-checks every folder. */
const DIR_CHECK_INTERVAL_MS = 10_000;

export interface WorkspaceIndexOptions {
  root: string;
  fs: ContextFileSystem;
  /** Absent: nothing is persisted (tests, hosts that keep the engine alive). */
  cache?: DiskCache;
  /** Made on first need, so a warm call never loads tree-sitter. */
  summarizer: () => Summarizer;
  limits?: WalkLimits;
  /** VS Code's `files.exclude` (the editor passes the setting); absent: the workspace's .vscode/settings.json. */
  filesExclude?: FilesExcludeSetting;
  /** A cold build rests `restMs` after every `busyMs` of work (see IndexPacing); absent: it runs flat out. */
  pacing?: IndexPacing;
}

/**
 * A background index shares two cores with the editor: even at a lower thread priority its garbage
 * collection runs on the process's shared helper threads, at normal priority, and the extension host
 * then waits for a CPU (bench:editor measured stalls over 50 ms during a cold index, none without it).
 * Resting between slices of work leaves the scheduler room; the CLI, which waits for its index, does not.
 */
export interface IndexPacing {
  busyMs: number;
  restMs: number;
}

export interface IndexStats {
  files: number;
  parsed: number;
  reusedFromDisk: number;
  mapped: number;
  built: boolean;
  /** Folders the last walk could not list (no permission); reported once, by whoever built the index. */
  unreadable: string[];
}

export interface CursorSummary {
  summary: FileSummary;
  /** Lines the summary does not describe (an edit it was mapped across), 1-based inclusive. */
  unknownFrom?: number;
  unknownTo?: number;
}

export class WorkspaceIndex {
  readonly root: string;
  private readonly fs: ContextFileSystem;
  private readonly cache: DiskCache | undefined;
  private readonly makeSummarizer: () => Summarizer;
  private summarizerInstance: Summarizer | undefined;
  private readonly limits: WalkLimits;
  private readonly pacing: IndexPacing | undefined;
  private readonly excludePatterns: string[];
  private readonly exclude: Ignore | undefined;
  private manifest: Manifest;
  private byDir = new Map<string, string[]>();
  private readonly derivedCache = new Map<string, unknown>();
  private readonly summaries = new Map<string, FileSummary>();
  /** Editor buffers that differ from disk: path -> text and its summary. */
  private readonly overlays = new Map<string, { text: string; summary: FileSummary }>();
  /** The cursor's file as the current call sees it (its text may be newer than any summary). */
  private callOverlay: { rel: string; text: string; summary: FileSummary } | undefined;
  /** Files checked against the disk during the current call, and their text once read. */
  private checked = new Set<string>();
  /** Per call: for a list of files (a package), those the hints do not cover (see candidates). */
  private uncoveredCache = new WeakMap<readonly string[], Set<string>>();
  private readonly fileSets = new WeakMap<readonly string[], ReadonlySet<string>>();
  private texts = new Map<string, string | undefined>();
  private dirty = false;
  private readonly hints = new Map<HintPart, HintTable>();
  /** Top-level names per folder (see namesIn), loaded on first use. */
  private dirNames: Record<string, DirNames> | undefined;
  /** Hint tables learned names since they were loaded: save() writes them. */
  private hintsDirty = false;
  /** While build() runs, hints are collected whole and written at its end. */
  private building = false;
  readonly stats: IndexStats = { files: 0, parsed: 0, reusedFromDisk: 0, mapped: 0, built: false, unreadable: [] };

  constructor(options: WorkspaceIndexOptions) {
    this.root = options.root;
    this.fs = options.fs;
    this.cache = options.cache;
    this.makeSummarizer = options.summarizer;
    this.limits = options.limits ?? DEFAULT_WALK_LIMITS;
    this.pacing = options.pacing;
    this.excludePatterns = filesExcludeOf(this.fs, this.root, options.filesExclude);
    this.exclude = this.excludePatterns.length ? ignore().add(this.excludePatterns) : undefined;
    this.manifest = { v: MANIFEST_VERSION, sv: SUMMARY_VERSION, root: this.root, files: {}, dirs: {}, configs: [], projects: EMPTY_PROJECT_CONFIG };
  }

  /** tsconfig paths, workspace packages and Go modules, as of the last build. */
  get projects(): ProjectConfig {
    return this.manifest.projects;
  }

  /** Loads the persisted index and notices added or removed files, or builds the index from scratch. */
  async open(): Promise<void> {
    const saved = this.cache?.readManifest(this.root, this.excludePatterns);
    if (saved) {
      this.manifest = saved;
      // Stat-ing every folder costs ~15 ms at 5,000 files: a process started within seconds of the
      // last check (a burst of CLI calls) trusts it. New files show up at the next check.
      if (!(Date.now() - (saved.checkedAt ?? 0) < DIR_CHECK_INTERVAL_MS)) {
        this.refreshDirs();
        this.manifest.checkedAt = Date.now();
        this.dirty = true;
      }
    } else {
      await this.build();
    }
    this.rebuildDirIndex();
    this.stats.files = Object.keys(this.manifest.files).length;
  }

  /** Files that define `name` at top level (hints: verify with summary()). */
  filesDefining(name: string): readonly string[] {
    return this.hintFiles('top', name);
  }

  /**
   * Whether any file may define `name` at top level (hints), without listing the files: a call asks
   * this of a hundred names near the cursor to skip locals and builtins before looking anything up.
   */
  definesAtTop(name: string): boolean {
    return (this.hintRefs('top', name)?.length ?? 0) > 0;
  }

  /** Files declaring a type with a member called `name` (hints). */
  filesWithMember(name: string): readonly string[] {
    return this.hintFiles('members', name);
  }

  /** How often the workspace mentions a top-level name (as of the last build). */
  popularity(name: string): number {
    const table = this.hintTable('uses');
    const n = Object.hasOwn(table.names, name) ? table.names[name] : 0;
    return typeof n === 'number' ? n : 0;
  }

  private hintFiles(part: HintPart, name: string): readonly string[] {
    const files = this.hintTable(part).files;
    return this.hintRefs(part, name)?.map((i) => files[i]!) ?? [];
  }

  /** The indexes (into the table's files) of the files a hint table lists for `name`, if it lists any. */
  private hintRefs(part: HintPart, name: string): readonly number[] | undefined {
    const table = this.hintTable(part);
    // Own properties only: a definition named `constructor` must not hit Object.prototype.
    const refs = Object.hasOwn(table.names, name) ? table.names[name] : undefined;
    return Array.isArray(refs) ? refs : undefined;
  }

  private hintTable(part: HintPart): HintTable {
    let table = this.hints.get(part);
    if (!table) {
      table = this.cache?.readHints(part) ?? { files: [], names: {} };
      this.hints.set(part, table);
    }
    return table;
  }

  /** Forget what was checked: the next call re-validates the files it touches. */
  beginCall(): void {
    this.checked = new Set();
    this.uncoveredCache = new WeakMap();
    this.texts = new Map();
    this.callOverlay = undefined;
  }

  /** For the rest of this call, `rel` has this text and summary (the cursor's file, possibly unsaved). */
  useForCall(rel: string, text: string, summary: FileSummary): void {
    this.callOverlay = { rel, text, summary };
  }

  has(rel: string): boolean {
    return rel in this.manifest.files || this.overlays.has(rel);
  }

  isDir(rel: string): boolean {
    return this.byDir.has(rel);
  }

  /** Indexed files directly inside `dir` ('' for the root). */
  filesIn(dir: string): readonly string[] {
    return this.byDir.get(dir) ?? [];
  }

  /** A value computed from the folder listing, kept until the listing changes (see goPackageFiles). */
  derived<T>(key: string, make: () => T): T {
    if (!this.derivedCache.has(key)) this.derivedCache.set(key, make());
    return this.derivedCache.get(key) as T;
  }

  /** The file's current text (an overlay if the editor holds one), or undefined. */
  text(rel: string): string | undefined {
    if (this.callOverlay?.rel === rel) return this.callOverlay.text;
    const overlay = this.overlays.get(rel);
    if (overlay) return overlay.text;
    if (!this.texts.has(rel)) {
      let text: string | undefined;
      try {
        text = this.fs.readFile(`${this.root}/${rel}`);
      } catch {
        text = undefined;
      }
      this.texts.set(rel, text);
    }
    return this.texts.get(rel);
  }

  /** The file's summary, valid for its current content; parses only when the content is new. */
  async summary(rel: string): Promise<FileSummary | undefined> {
    if (this.callOverlay?.rel === rel) return this.callOverlay.summary;
    const overlay = this.overlays.get(rel);
    if (overlay) return overlay.summary;
    const entry = this.refresh(rel);
    if (!entry?.h) return undefined;
    const summary = await this.summaryByHash(entry.h, rel);
    if (summary && entry.u) {
      // The hints learn this content's names now that its summary is known (see ManifestEntry.u).
      for (const part of NAME_HINTS) addHints(this.hintTable(part), part, rel, summary);
      addDirNames(this.loadDirNames(), rel, summary);
      delete entry.u;
      this.dirty = true;
      this.hintsDirty = true;
    }
    return summary;
  }

  /**
   * Whether the symbol hints describe `rel` as it is now, so a file the hints do not list for a name
   * surely does not define it. Costs a stat (once per call), never a summary read: looking a name up in
   * a package of 150 files must not read 150 summaries.
   */
  hintsCover(rel: string): boolean {
    if (this.callOverlay?.rel === rel || this.overlays.has(rel)) return false;
    const entry = this.refresh(rel);
    return !!entry && !entry.u && (entry.h !== undefined || !!entry.skip);
  }

  /**
   * The files among `files` that may define `name` at top level: those the hints list, and those the
   * hints do not cover yet (changed since). Verify with summary().
   */
  candidatesDefining(files: readonly string[], name: string): string[] {
    return this.candidates(files, 'top', name);
  }

  /** The files among `files` that may declare methods on the type `receiver` (Go, Rust impls). */
  candidatesWithReceiver(files: readonly string[], receiver: string): string[] {
    return this.candidates(files, 'receivers', receiver);
  }

  private candidates(files: readonly string[], part: 'top' | 'receivers', name: string): string[] {
    // Per call, the files of a folder the hints do not cover are found once: a Go file looks up a
    // hundred names among 150 siblings, and filtering them per name cost more than the lookups.
    let uncovered = this.uncoveredCache.get(files);
    if (!uncovered) {
      uncovered = new Set(files.filter((f) => !this.hintsCover(f)));
      this.uncoveredCache.set(files, uncovered);
    }
    const listed = this.hintFiles(part, name).filter((f) => this.fileSet(files).has(f));
    if (!uncovered.size) return listed;
    const picked = new Set([...listed, ...uncovered]);
    return files.filter((f) => picked.has(f));
  }

  /** `files` as a set, made once per listing: a Go line looks up a hundred names among 150 siblings. */
  private fileSet(files: readonly string[]): ReadonlySet<string> {
    let set = this.fileSets.get(files);
    if (!set) {
      set = new Set(files);
      this.fileSets.set(files, set);
    }
    return set;
  }

  /**
   * Top-level names defined in `dir`'s files, most mentioned in the workspace first, with their
   * mentions (as of the build; names added since are appended, mentioned 0 times). For guessing what a
   * line will use from a Go package: the mentions come with the names, so a guess needs no other table
   * (the workspace-wide `uses` hints, ~0.5 ms to load in a cold Go line call, more in a large workspace).
   */
  namesIn(dir: string): DirNames {
    const names = this.loadDirNames();
    return Object.hasOwn(names, dir) ? names[dir]! : { names: [], mentions: [], words: {} };
  }

  private loadDirNames(): Record<string, DirNames> {
    this.dirNames ??= this.cache?.readDirNames() ?? {};
    return this.dirNames;
  }

  /**
   * The manifest entry of `rel` after checking the disk (once per call): a changed size or mtime
   * means reading the file and hashing it; new content is marked as not yet in the hints.
   */
  private refresh(rel: string): ManifestEntry | undefined {
    const entry = this.manifest.files[rel];
    if (!entry || this.checked.has(rel)) return entry;
    this.checked.add(rel);
    const stat = this.fs.stat(`${this.root}/${rel}`);
    if (!stat) {
      delete this.manifest.files[rel];
      this.dirty = true;
      this.rebuildDirIndex();
      return undefined;
    }
    if (stat.mtimeMs === entry.m && stat.size === entry.s && (entry.h !== undefined || entry.skip)) return entry;
    const text = this.text(rel);
    if (text === undefined) return undefined;
    const next: ManifestEntry = isUnindexable(text) ? { m: stat.mtimeMs, s: stat.size, skip: true } : { m: stat.mtimeMs, s: stat.size, h: contentHash(text) };
    if (next.h && (next.h !== entry.h || entry.u)) next.u = 1;
    // Same content, new mtime (a file saved unchanged, restored): not worth a manifest write.
    if (next.h !== entry.h || next.skip !== entry.skip) this.dirty = true;
    this.manifest.files[rel] = next;
    return next;
  }

  /**
   * The summary of the cursor's file for `text` (which may differ from disk). Reuses a summary of the
   * same content, else maps the file's last summary across a small edit, else parses (treating the line
   * at `cursor`, when given, as one being typed: see Summarizer.summarize).
   */
  async summaryForText(rel: string, text: string, cursor?: number): Promise<CursorSummary | undefined> {
    if (!contextLanguageOf(rel) || unscannableReason(text) !== undefined) return undefined;
    const hash = contentHash(text);
    const known = this.fullSummary(hash);
    if (known) return { summary: known };
    const entry = this.manifest.files[rel];
    const previous = this.overlays.get(rel)?.summary ?? (entry?.h ? this.fullSummary(entry.h) : undefined);
    if (previous && !this.summarizerInstance) {
      const mapped = mapSummary(previous, text);
      if (mapped) {
        this.stats.mapped++;
        return { summary: mapped.summary, unknownFrom: mapped.changedFrom, unknownTo: mapped.changedTo };
      }
    }
    const parsed = await this.parse(rel, text, hash, cursor);
    return parsed && { summary: parsed };
  }

  /** An editor buffer's text, kept until invalidate(); parsed now (the host's parser is warm). */
  async update(rel: string, text: string): Promise<void> {
    const summary = await this.summaryForText(rel, text);
    if (summary && summary.unknownFrom === undefined) this.overlays.set(rel, { text, summary: summary.summary });
    if (!(rel in this.manifest.files) && contextLanguageOf(rel)) this.rebuildDirIndex([rel]);
  }

  /** Drops an overlay and any memory of the file; the next use reads the disk again. */
  invalidate(rel: string): void {
    this.overlays.delete(rel);
    this.checked.delete(rel);
    this.texts.delete(rel);
    const entry = this.manifest.files[rel];
    if (entry) entry.m = 0;
  }

  /** Writes the manifest (and hints that learned names) if anything changed; summaries are written as they are made. */
  save(): void {
    if (!this.cache || !this.dirty) return;
    if (this.hintsDirty) {
      for (const part of NAME_HINTS) this.cache.writeHints(part, this.hintTable(part));
      if (this.dirNames) this.cache.writeDirNames(this.dirNames);
      this.hintsDirty = false;
    }
    this.cache.writeManifest(this.manifest);
    this.dirty = false;
  }

  dispose(): void {
    this.summarizerInstance?.dispose();
    this.summarizerInstance = undefined;
  }

  private get summarizer(): Summarizer {
    this.summarizerInstance ??= this.makeSummarizer();
    return this.summarizerInstance;
  }

  /** A summary with its locals and line hashes, from memory or disk, or undefined. */
  private fullSummary(hash: string): FileSummary | undefined {
    const inMemory = this.summaries.get(hash);
    if (inMemory && !inMemory.partial) return inMemory;
    const onDisk = this.cache?.readSummary(hash, true);
    if (onDisk) this.summaries.set(hash, onDisk);
    return onDisk;
  }

  private async summaryByHash(hash: string, rel: string, text?: string): Promise<FileSummary | undefined> {
    const inMemory = this.summaries.get(hash);
    if (inMemory) return inMemory;
    const onDisk = this.cache?.readSummary(hash);
    if (onDisk) {
      this.stats.reusedFromDisk++;
      this.summaries.set(hash, onDisk);
      return onDisk;
    }
    const source = text ?? this.text(rel);
    return source === undefined ? undefined : this.parse(rel, source, hash);
  }

  private async parse(rel: string, text: string, hash: string, cursor?: number): Promise<FileSummary | undefined> {
    const summary = await this.summarizer.summarize(rel, text, cursor);
    if (!summary) return undefined;
    this.stats.parsed++;
    this.summaries.set(hash, summary);
    this.cache?.writeSummary(hash, summary);
    return summary;
  }

  private async build(): Promise<void> {
    this.stats.built = true;
    this.cache?.pruneOrphanSiblings();
    const walked = walkWorkspace(this.fs, this.root, this.limits, undefined, undefined, this.exclude);
    this.stats.unreadable = walked.unreadable;
    this.manifest = {
      v: MANIFEST_VERSION,
      sv: SUMMARY_VERSION,
      root: this.root,
      files: {},
      dirs: walked.dirs,
      configs: walked.configs,
      projects: readProjectConfig(this.fs, this.root, walked.configs),
      ...(this.excludePatterns.length ? { exclude: this.excludePatterns } : {}),
    };
    this.building = true;
    const mentions = new Map<string, number>();
    const tables = Object.fromEntries(NAME_HINTS.map((part) => [part, { files: [], names: {} } as HintTable])) as Record<NameHintPart, HintTable>;
    const dirSets = new Map<string, Set<string>>();
    const pacing = this.pacing;
    let sliceStart = performance.now();
    for (const f of walked.files) {
      if (pacing && performance.now() - sliceStart >= pacing.busyMs) {
        await new Promise((resolve) => setTimeout(resolve, pacing.restMs));
        sliceStart = performance.now();
      }
      const text = this.text(f.rel);
      this.texts.delete(f.rel);
      if (text === undefined) continue;
      countMentions(text, mentions);
      if (isUnindexable(text)) {
        this.manifest.files[f.rel] = { m: f.mtimeMs, s: f.size, skip: true };
        continue;
      }
      const hash = contentHash(text);
      this.manifest.files[f.rel] = { m: f.mtimeMs, s: f.size, h: hash };
      this.checked.add(f.rel);
      const summary = this.summaries.get(hash) ?? this.cache?.readSummary(hash) ?? (await this.parse(f.rel, text, hash));
      if (!summary) continue;
      for (const part of NAME_HINTS) addHints(tables[part], part, f.rel, summary, true);
      const dir = dirOf(f.rel);
      let set = dirSets.get(dir);
      if (!set) dirSets.set(dir, (set = new Set()));
      for (const d of summary.defs) if (d.parent === -1 && !d.receiver) set.add(detached(d.name));
      // With a disk cache, calls read summaries back as they need them: holding every summary of
      // a 5,000-file workspace in memory during the build cost ~100 MB.
      if (this.cache) this.summaries.delete(hash);
    }
    // Mentions of top-level and member names: how likely a line is to use one (a weak prior).
    const uses: HintTable = { files: [], names: {} };
    for (const name of [...Object.keys(tables.top.names), ...Object.keys(tables.members.names)]) uses.names[name] = mentions.get(name) ?? 0;
    const mentioned = (name: string) => mentions.get(name) ?? 0;
    const dirNames: Record<string, DirNames> = {};
    for (const [dir, set] of dirSets) {
      const names = [...set].sort((a, b) => mentioned(b) - mentioned(a) || (a < b ? -1 : a > b ? 1 : 0)).slice(0, MAX_DIR_NAMES);
      dirNames[dir] = { names, mentions: names.map(mentioned), words: {} };
      names.forEach((name, i) => addNameWords(dirNames[dir]!, name, i));
    }
    for (const [part, table] of [...Object.entries(tables), ['uses', uses]] as [HintPart, HintTable][]) {
      this.hints.set(part, table);
      this.cache?.writeHints(part, table);
    }
    this.dirNames = dirNames;
    this.cache?.writeDirNames(dirNames);
    this.building = false;
    this.manifest.checkedAt = Date.now();
    this.cache?.pruneSummaries(new Set(Object.values(this.manifest.files).flatMap((e) => (e.h ? [e.h] : []))));
    this.dirty = true;
  }

  /** Re-lists folders whose mtime changed since the manifest was written (files added or removed). */
  private refreshDirs(): void {
    const changed: string[] = [];
    for (const [dir, mtime] of Object.entries(this.manifest.dirs)) {
      const stat = this.fs.stat(dir ? `${this.root}/${dir}` : this.root);
      if (!stat?.isDirectory || stat.mtimeMs !== mtime) changed.push(dir);
    }
    if (!changed.length) return;
    this.dirty = true;
    for (const dir of changed) {
      const stat = this.fs.stat(dir ? `${this.root}/${dir}` : this.root);
      const prefix = dir ? `${dir}/` : '';
      // Files directly in the folder are re-listed; new subfolders are walked whole.
      for (const rel of Object.keys(this.manifest.files)) {
        if (rel.startsWith(prefix) && !rel.slice(prefix.length).includes('/') && !this.fs.stat(`${this.root}/${rel}`)) delete this.manifest.files[rel];
      }
      if (!stat?.isDirectory) {
        delete this.manifest.dirs[dir];
        continue;
      }
      this.manifest.dirs[dir] = stat.mtimeMs;
      const walked = walkWorkspace(this.fs, this.root, this.limits, [dir], this.manifest.dirs, this.exclude);
      for (const f of walked.files) if (!this.manifest.files[f.rel]) this.manifest.files[f.rel] = { m: f.mtimeMs, s: f.size };
      for (const [d, m] of Object.entries(walked.dirs)) if (!(d in this.manifest.dirs)) this.manifest.dirs[d] = m;
      for (const c of walked.configs) if (!this.manifest.configs.includes(c)) this.manifest.configs.push(c);
    }
    this.manifest.projects = readProjectConfig(this.fs, this.root, this.manifest.configs);
  }

  private rebuildDirIndex(extra: string[] = []): void {
    this.derivedCache.clear();
    const byDir = new Map<string, string[]>();
    const add = (rel: string) => {
      const dir = dirOf(rel);
      let list = byDir.get(dir);
      if (!list) {
        byDir.set(dir, (list = []));
        // Parent folders exist too, even when they hold no indexed file directly.
        for (let d = dir; d && !byDir.has(dirOf(d)); d = dirOf(d)) byDir.set(dirOf(d), []);
      }
      list.push(rel);
    };
    // Manifest paths are unique; overlays and extras may repeat them.
    const seen = new Set<string>();
    for (const rel of Object.keys(this.manifest.files)) {
      seen.add(rel);
      add(rel);
    }
    for (const rel of [...this.overlays.keys(), ...extra]) {
      if (seen.has(rel)) continue;
      seen.add(rel);
      add(rel);
    }
    this.byDir = byDir;
  }
}

/** Hint parts that map names to the files declaring them. */
const NAME_HINTS = ['top', 'members', 'receivers'] as const;
type NameHintPart = (typeof NAME_HINTS)[number];

/** The name a definition is listed under in a hint part, if any. */
function hintName(part: NameHintPart, d: SymbolDef): string | undefined {
  const isTop = d.parent === -1 && !d.receiver;
  if (part === 'top') return isTop ? d.name : undefined;
  if (part === 'members') return isTop ? undefined : d.name;
  return d.receiver;
}

/** Most names kept per folder for guesses (a huge folder's rarely used tail is not worth reading). */
const MAX_DIR_NAMES = 400;

/** A changed file's names join its folder's list at the end (their popularity is unknown until a rebuild). */
function addDirNames(dirNames: Record<string, DirNames>, rel: string, summary: FileSummary): void {
  const dir = dirOf(rel);
  const list = Object.hasOwn(dirNames, dir) ? dirNames[dir]! : (dirNames[dir] = { names: [], mentions: [], words: {} });
  for (const d of summary.defs) {
    if (d.parent === -1 && !d.receiver && list.names.length < MAX_DIR_NAMES * 2 && !list.names.includes(d.name)) {
      addNameWords(list, d.name, list.names.length);
      list.names.push(d.name);
      list.mentions.push(0);
    }
  }
}

function addNameWords(list: DirNames, name: string, index: number): void {
  for (const w of nameWords(name)) {
    const at = Object.hasOwn(list.words, w) ? list.words[w]! : (list.words[w] = []);
    at.push(index);
  }
}

/**
 * `fresh`: the table has never seen `rel` (a build), so its file list need not be searched. Names a
 * file no longer defines stay listed: hints are a superset, verified against summaries on use.
 */
function addHints(table: HintTable, part: NameHintPart, rel: string, summary: FileSummary, fresh = false): void {
  let fileIndex = -1;
  for (const d of summary.defs) {
    const name = hintName(part, d);
    if (name === undefined) continue;
    if (fileIndex < 0) {
      fileIndex = fresh ? -1 : table.files.indexOf(rel);
      if (fileIndex < 0) fileIndex = table.files.push(rel) - 1;
    }
    const list = Object.hasOwn(table.names, name) ? table.names[name] : undefined;
    if (Array.isArray(list)) {
      if (!list.includes(fileIndex)) list.push(fileIndex);
    } else table.names[name] = [fileIndex];
  }
}

function countMentions(text: string, counts: Map<string, number>): void {
  for (const m of text.matchAll(/[A-Za-z_$][\w$]*/g)) {
    const seen = counts.get(m[0]);
    if (seen !== undefined) counts.set(m[0], seen + 1);
    else counts.set(detached(m[0]), 1);
  }
}

/**
 * `name` as a string of its own. V8 makes a slice of 13 characters or more (a regex match, a tree-sitter
 * node's text) a view that keeps the whole file's text alive: kept as a key for the length of a build,
 * such names held files of the workspace in memory until the build ended (index at scale, 5,361 files:
 * heap in use at peak RSS 74 → 47 MB, peak RSS 205 → 193 MB). Concatenating first makes V8 copy the
 * characters into a new, small string.
 */
function detached(name: string): string {
  return name.length < 13 ? name : (' ' + name).slice(1);
}
