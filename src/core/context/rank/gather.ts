/**
 * Which definitions the code at the cursor needs, each with a score. In order of evidence:
 * 1. the callee of a call being typed (`name(`, `ns.name(`), and the members of the receiver's type
 *    when a member is being typed (`this.store.`), reached by following declared types;
 * 2. imported names the file no longer uses anywhere (the line being written is where they go);
 * 3. the other names used around the cursor, nearer ones first, resolved through imports, barrels,
 *    packages and sibling files;
 * 4. the types of the parameters and locals in scope.
 * Definitions in the cursor's own file are left out: the prompt holds that file already.
 */
import type { CursorChain, IdentifierToken } from '../cursor/lexer';
import type { CursorScope } from '../cursor/scope';
import type { WorkspaceIndex } from '../store/workspaceIndex';
import type { DirNames } from '../store/diskCache';
import type { ContextHint, SnippetReason } from '../types';
import { defKey, isTypeDef, type DefRef, type Resolver, type Value } from '../resolve/symbols';
import { dirOf } from '../resolve/modules';
import { isKeyword } from './keywords';
import { countShared, nameWords, sharedWords, wordsOfText } from './words';
import { narrowingsOf } from '../cursor/narrowing';
import type { LineIndex } from '../store/lineIndex';
import { guardedType, returnOfFunctionType } from '../resolve/typeText';
import { typeNamesIn } from '../resolve/typeNames';

export interface Candidate {
  ref: DefRef;
  score: number;
  reason: SnippetReason;
  /** Worth its whole body (up to a cap), not just its header: the callee of the call being typed. */
  expand?: boolean;
}

export interface GatherInput {
  file: string;
  line: number;
  tokens: IdentifierToken[];
  chain: CursorChain;
  scope: CursorScope;
  resolver: Resolver;
  index: WorkspaceIndex;
  /** Returns true once the call's deadline has passed: gathering stops and packs what it has. */
  expired: () => boolean;
  /** Lines the cursor file's import statements span: names on them are not counted as uses. */
  importLines: Set<number>;
  /** The cursor file's text, its lines, and the cursor's offset in it (for narrowing checks). */
  text: string;
  lines: LineIndex;
  offset: number;
  /** Definitions a language server located (workspace-relative, outside the cursor's file). */
  hints?: readonly ContextHint[];
  /** Notes the time a step ended (the call's trace). */
  mark?: (step: string) => void;
  /** The call's token budget: once more candidates are ranked than it can hold, weaker evidence is not looked up. */
  maxTokens?: number;
}

/** Without an enclosing function, type checks this many lines above the cursor count. */
const NARROWING_LINES = 40;
/** A generous lower bound on a packed header's tokens (most take 15–30): how many headers a budget holds at most. */
const TOKENS_PER_HEADER = 10;
/** Guesses a line still makes past the deadline when it found nothing else. */
const LATE_GUESSES = 4;
/** Names around the cursor resolved even past the deadline, nearest first. */
const MIN_NAMES = 12;
/** How many distinct names around the cursor are resolved at most (each costs lookups). */
const MAX_NAMES = 120;
/** Lines above and below the cursor whose names count (beyond the enclosing function). */
const WINDOW_ABOVE = 60;
const WINDOW_BELOW = 25;
/** How far (in definitions) and how strongly a used definition's like-named neighbours count. */
const SIBLING_REACH = 3;
const SIBLING_SHARE = 0.25;
/** Weight of one use of a name elsewhere in the file. */
const FILE_WEIGHT = 0.04;

export class CandidateSet {
  private readonly byKey = new Map<string, Candidate>();

  constructor(private readonly currentFile: string) {}

  get size(): number {
    return this.byKey.size;
  }

  add(ref: DefRef, score: number, reason: SnippetReason, expand = false): void {
    if (ref.file === this.currentFile) return;
    const key = defKey(ref);
    const old = this.byKey.get(key);
    if (old) {
      // Evidence adds up, but the strongest reason names it.
      if (score > old.score) {
        old.reason = reason;
        old.expand ||= expand;
      }
      old.score += score * (score > old.score ? 1 : 0.3);
      return;
    }
    this.byKey.set(key, { ref, score, reason, expand });
  }

  sorted(): Candidate[] {
    // Plain comparisons: localeCompare goes through ICU and costs milliseconds over a few hundred.
    return [...this.byKey.values()].sort((a, b) => b.score - a.score || (a.ref.file < b.ref.file ? -1 : a.ref.file > b.ref.file ? 1 : 0) || a.ref.def.line - b.ref.def.line);
  }
}

export async function gatherCandidates(input: GatherInput): Promise<Candidate[]> {
  const out = new CandidateSet(input.file);
  const { chain } = input;
  const mark = input.mark ?? (() => {});
  if (input.hints?.length) await hintCandidates(input, out);
  if (chain.kind === 'call') await calleeCandidates(input, out);
  if (chain.kind === 'member') await memberCandidates(input, out);
  mark('chain');
  // Past the deadline a call still gets the cheap, strong evidence: imports it has not used yet and the
  // nearest names (see MIN_NAMES). A context that is late by a few milliseconds beats an empty one.
  await unusedImportCandidates(input, out, chain.kind === 'line' || chain.kind === 'other' ? 400 : 60);
  mark('imports');
  await nearbyNameCandidates(input, out);
  mark('nearby');
  const writingLine = chain.kind === 'line' || chain.kind === 'other';
  // A line not yet written rarely names the types of the locals around it; the guesses from its package
  // and its sibling methods go first, so a call short of time still makes them (bench:context, Go `line`).
  if (!input.expired() && !writingLine) await scopeTypeCandidates(input, out);
  if (!input.expired() && writingLine) await siblingMethodCandidates(input, out);
  mark('siblings');
  if (writingLine && !input.expired()) await popularCandidates(input, out);
  // A line whose nearby names resolved to nothing before the deadline still gets the first few guesses
  // from its package and the modules it uses: late by a millisecond beats empty (bench:context on a busy
  // machine: a Go line returned nothing).
  else if (writingLine && !out.size) await popularCandidates({ ...input, expired: () => out.size >= LATE_GUESSES }, out);
  mark('popular');
  if (!input.expired() && writingLine) await scopeTypeCandidates(input, out);
  mark('scopeTypes');
  return out.sorted();
}

async function evaluateChain(input: GatherInput): Promise<Value | undefined> {
  const { scope, resolver } = input;
  const parts = input.chain.parts;
  const head = parts[0]!;
  let v = await scope.lookup(head.name);
  if (!head.call && head.name !== 'this' && head.name !== 'self') v = (await narrowedValue(input, head.name, v)) ?? v;
  for (let i = 0; v && i < parts.length; i++) {
    const part = parts[i]!;
    if (i > 0) v = await resolver.step(v, part.name, scope.family);
    // A call on a collection's accessor already gave the element (step); other calls give their result.
    if (v && (part.call || part.isNew) && !(i > 0 && v.kind === 'instance')) v = await resolver.callResult(v, scope.family);
    if (v && part.index) v = await resolver.elementOf(v);
  }
  return v;
}

/** Scores of what a language server located: just below the callee the engine resolved itself. */
const HINT_SCORE = 950;
const HINT_MEMBER_SCORE = 780;

/**
 * The definitions a language server located: the one whose name is on the hinted line (else the
 * innermost one around it); for a type, its members too, ranked like a receiver's.
 */
async function hintCandidates(input: GatherInput, out: CandidateSet): Promise<void> {
  const ranking = memberRanking(input);
  for (const hint of input.hints ?? []) {
    const summary = await input.index.summary(hint.file);
    if (!summary) continue;
    let best = -1;
    summary.defs.forEach((d, i) => {
      if (d.line > hint.line || d.end < hint.line) return;
      const b = best >= 0 ? summary.defs[best]! : undefined;
      if (!b || d.line === hint.line || (b.line !== hint.line && d.line >= b.line)) best = i;
    });
    if (best < 0) continue;
    const ref = { file: hint.file, index: best, def: summary.defs[best]!, summary };
    out.add(ref, HINT_SCORE, hint.kind === 'type' ? 'type' : 'definition', input.chain.kind === 'call');
    if (hint.kind === 'type' || (input.chain.kind === 'member' && isTypeDef(ref.def))) addRanked(out, await input.resolver.membersOf(ref), ranking, HINT_MEMBER_SCORE, 'type');
  }
}

/**
 * A variable whose declaration gives no single type (untyped, `any`, a union), read as the type the
 * code before the cursor checked it to be (see cursor/narrowing.ts).
 */
async function narrowedValue(input: GatherInput, name: string, v: Value | undefined): Promise<Value | undefined> {
  const { resolver, scope } = input;
  if (v?.kind === 'module' || (v && (await resolver.instanceTypes(v)).length === 1)) return undefined;
  const fn = scope.fn?.def;
  const from = fn ? input.lines.offsetOf(fn.line) : input.lines.offsetOf(Math.max(1, input.line - NARROWING_LINES));
  for (const n of narrowingsOf(input.text, from, input.offset, name, scope.family)) {
    const hit = n.kind === 'type' ? await resolver.instanceFromText(n.type, input.file, scope.family, scope.typeArgs) : await guardedInstance(input, n.callee);
    if (hit) return hit;
  }
  return undefined;
}

/** The type a guard function declares it checks (`(x: unknown): x is Foo`, `var isFoo = … as (x) => x is Foo`). */
async function guardedInstance(input: GatherInput, callee: string): Promise<Value | undefined> {
  const { resolver, scope } = input;
  const path = callee.split('.');
  let g = await scope.lookup(path[0]!);
  for (const seg of path.slice(1)) g = g && (await resolver.step(g, seg, scope.family));
  if (g?.kind !== 'def') return undefined;
  const { def } = g.ref;
  const declared = def.type ?? (def.value?.startsWith('type ') ? def.value.slice(5) : undefined);
  const returned = def.kind === 'function' || def.kind === 'method' ? declared : declared && returnOfFunctionType(declared);
  const guarded = returned && guardedType(returned);
  return guarded ? resolver.instanceFromText(guarded, g.ref.file, scope.family, resolver.typeParamBounds(g.ref)) : undefined;
}

async function calleeCandidates(input: GatherInput, out: CandidateSet): Promise<void> {
  const v = await evaluateChain(input);
  const name = input.chain.parts[input.chain.parts.length - 1]!.name;
  if (v?.kind === 'def') {
    out.add(v.ref, 1000, 'definition', true);
    if (isTypeDef(v.ref.def)) {
      const ctor = (await input.resolver.membersOf(v.ref)).find((m) => m.def.name === 'constructor' || m.def.name === '__init__');
      if (ctor) out.add(ctor, 900, 'definition', true);
    }
    return;
  }
  // Unresolved (a name from a star import of something outside, a dynamic import): a workspace-wide
  // definition of that exact name is the best guess left.
  await byNameCandidates(input, out, name, 500, 'definition');
}

async function memberCandidates(input: GatherInput, out: CandidateSet): Promise<void> {
  const { resolver, scope } = input;
  const v = await evaluateChain(input);
  const ranking = memberRanking(input);
  if (v?.kind === 'module') {
    const exports = await resolver.moduleExports(v.module, scope.family);
    addRanked(out, exports, ranking, 700, 'definition');
    return;
  }
  const types = v ? await resolver.instanceTypes(v) : await globalObjectTypes(input);
  for (const type of types) {
    out.add(type, 750, 'type');
    addRanked(out, await resolver.membersOf(type), ranking, 800, 'type');
  }
  if (types.length) return;
  await guessReceiverType(input, out, ranking);
}

/** Names of the global object in JavaScript: a member read on one is a global (`self.$R`, `window.__APP__`). */
const GLOBAL_OBJECTS = new Set(['self', 'window', 'globalThis']);
/** Most workspace declarations of the global object's interface read (each file may augment it once). */
const MAX_GLOBAL_DECLARATIONS = 6;

/**
 * The workspace's own declarations of the global object's type, for `self.`/`window.`/`globalThis.`
 * with no local of that name: code that puts its state on the global object declares it in a
 * `declare global { interface Window { … } }` block, often in several files (interfaces merge).
 * Without this a member read there had nothing to resolve and the call returned no context at all.
 */
async function globalObjectTypes(input: GatherInput): Promise<DefRef[]> {
  const { chain, scope, index } = input;
  const head = chain.parts[0]!;
  if (scope.family !== 'js' || chain.parts.length !== 1 || head.call || !GLOBAL_OBJECTS.has(head.name) || scope.binding(head.name)) return [];
  const types: DefRef[] = [];
  for (const file of index.filesDefining('Window').slice(0, MAX_GLOBAL_DECLARATIONS)) {
    const summary = await index.summary(file);
    summary?.defs.forEach((def, i) => {
      if (def.name === 'Window' && def.parent === -1 && isTypeDef(def)) types.push({ file, index: i, def, summary });
    });
  }
  return types;
}

/** What ranks the members of a receiver's type (see addRanked). */
interface MemberRanking {
  /** The member name typed so far: only members starting with it. */
  partial: string;
  /** Members this file uses (on any receiver). */
  used: Set<string>;
  /** Names on the cursor's line before the receiver (`get_style = console.` -> get_style). */
  lineNames: Set<string>;
  /** Words of those names and of the enclosing function's name. */
  words: Set<string>;
  popularity: (name: string) => number;
}

function memberRanking(input: GatherInput): MemberRanking {
  const { tokens, line, chain, scope } = input;
  const chainStart = chain.parts[0]?.name;
  const onLine = tokens.filter((t) => t.line === line && t.offset < input.offset);
  const receiverAt = onLine.map((t) => t.name).lastIndexOf(chainStart ?? '');
  const lineNames = new Set(onLine.slice(0, receiverAt < 0 ? onLine.length : receiverAt).map((t) => t.name).filter((n) => !isKeyword(scope.family, n)));
  const words = new Set([...lineNames, scope.fn?.def.name ?? ''].flatMap(nameWords));
  const used = new Set<string>();
  for (const t of tokens) if (t.member) used.add(t.name);
  return { partial: chain.partial, used, lineNames, words, popularity: (n) => input.index.popularity(n) };
}

/** Weights of what ranks a member (MemberRanking), against 0.3 per place in declaration order. */
const USED_BONUS = 60;
const SAME_NAME_BONUS = 80;
const WORD_BONUS = 15;
const POPULARITY_WEIGHT = 8;

/**
 * Members in a useful order: names matching what is typed first; then what the code around says
 * (members this file already uses, a member named like the line's other names); then how much the
 * workspace uses each name (`Name()`, `Root()` on a type of 150 methods); declaration order last (own
 * members before inherited ones).
 */
function addRanked(out: CandidateSet, members: DefRef[], rank: MemberRanking, base: number, reason: SnippetReason): void {
  members.forEach((m, i) => {
    const name = m.def.name;
    if (rank.partial && !name.startsWith(rank.partial)) return;
    let score = base - Math.min(i, 300) * 0.3 + POPULARITY_WEIGHT * Math.log2(1 + rank.popularity(name));
    if (rank.used.has(name)) score += USED_BONUS;
    if (rank.lineNames.has(name)) score += SAME_NAME_BONUS;
    score += WORD_BONUS * sharedWords(name, rank.words);
    out.add(m, score, reason);
  });
}

/**
 * The receiver's type is unknown (an untyped parameter, an inferred callback argument): guess it from
 * its name (`subscriber` -> `Subscriber`) and from the other members used on it in this function.
 */
async function guessReceiverType(input: GatherInput, out: CandidateSet, ranking: MemberRanking): Promise<void> {
  const { index, resolver, chain, scope } = input;
  const last = chain.parts[chain.parts.length - 1]!;
  const types = new Map<string, { ref: DefRef; score: number }>();
  const consider = async (file: string, name: string, score: number) => {
    const s = await index.summary(file);
    s?.defs.forEach((def, i) => {
      if (def.name !== name || !isTypeDef(def)) return;
      const ref = { file, index: i, def, summary: s };
      const old = types.get(defKey(ref));
      types.set(defKey(ref), { ref, score: (old?.score ?? 0) + score });
    });
  };
  const cap = last.name.charAt(0).toUpperCase() + last.name.slice(1);
  const nameFiles = index.filesDefining(cap).slice(0, 5);
  for (const f of nameFiles) await consider(f, cap, 3);
  // Types found by name come first on a tie, in the order found, before any found by a member.
  const named = [...types.keys()];
  // Members used on the same receiver elsewhere in the function: types declaring them all are likely.
  const fn = scope.fn?.def;
  const receiverUses = [
    ...new Set(input.tokens.filter((t) => t.member && t.qualifier === last.name && (!fn || (t.line >= fn.line && t.line <= fn.end)) && t.line !== input.line).map((t) => t.name)),
  ].slice(0, 6);
  const byFile = memberVoteFiles(receiverUses, (m) => index.filesWithMember(m).slice(0, 12), new Set(nameFiles));
  // Ties keep the order the types were first met in (member, then file, then declaration), which reading
  // the files strongest first would otherwise change.
  const firstSeen = new Map<string, number>();
  const secondBest = () => [...types.values()].map((t) => t.score).sort((a, b) => b - a)[1] ?? -Infinity;
  for (const { file: f, bound, at } of byFile) {
    // No type in this file or any after it can outscore the two already found: their summaries (most of
    // this step's time in a cold call, up to 72 of them) are not read.
    if (bound < secondBest()) break;
    const s = await index.summary(f);
    s?.defs.forEach((def, k) => {
      const j = def.parent < 0 ? -1 : receiverUses.indexOf(def.name);
      if (j < 0 || at[j]! < 0) return;
      const ref = { file: f, index: def.parent, def: s.defs[def.parent]!, summary: s };
      const key = defKey(ref);
      const old = types.get(key);
      // The loop over members, their files, then declarations met the type first at its smallest (j, at, k).
      const order = (j * 16 + at[j]!) * 1e6 + k;
      firstSeen.set(key, Math.min(firstSeen.get(key) ?? order, order));
      types.set(key, { ref, score: (old?.score ?? 0) + 1 });
    });
  }
  const seen = (t: { ref: DefRef }) => (named.includes(defKey(t.ref)) ? named.indexOf(defKey(t.ref)) - 1e12 : firstSeen.get(defKey(t.ref))!);
  const ranked = [...types.values()].sort((a, b) => b.score - a.score || seen(a) - seen(b)).slice(0, 2);
  for (const [k, { ref }] of ranked.entries()) {
    out.add(ref, 600 - k * 100, 'type');
    addRanked(out, await resolver.membersOf(ref), ranking, 550 - k * 150, 'type');
  }
}

/**
 * The files that may declare a type with some of `members`, each with the most votes its types can get
 * (one per member it declares, 3 more where the type's own name was looked up), strongest first, and
 * where it stands in each member's file list (-1: absent), for guessReceiverType. The hints say only
 * whether a file declares a member, so a member declared twice in one type (overloads) counts twice
 * there but once in the bound: such a type is passed over when only its overloads would have ranked it.
 */
export function memberVoteFiles(members: readonly string[], filesWith: (member: string) => readonly string[], nameFiles: ReadonlySet<string>): { file: string; bound: number; at: number[] }[] {
  const byFile = new Map<string, { file: string; bound: number; at: number[] }>();
  members.forEach((m, j) => {
    filesWith(m).forEach((file, i) => {
      let e = byFile.get(file);
      if (!e) byFile.set(file, (e = { file, bound: nameFiles.has(file) ? 3 : 0, at: members.map(() => -1) }));
      if (e.at[j]! < 0) {
        e.at[j] = i;
        e.bound++;
      }
    });
  });
  return [...byFile.values()].sort((a, b) => b.bound - a.bound);
}

async function byNameCandidates(input: GatherInput, out: CandidateSet, name: string, score: number, reason: SnippetReason): Promise<void> {
  const files = input.index.filesDefining(name).filter((f) => f !== input.file);
  if (!files.length || files.length > 3) return;
  for (const f of files) {
    const s = await input.index.summary(f);
    const i = s?.defs.findIndex((d) => d.parent === -1 && d.name === name) ?? -1;
    if (s && i >= 0) out.add({ file: f, index: i, def: s.defs[i]!, summary: s }, score / files.length, reason);
  }
}

/** Names imported but not used anywhere else in the file: the line being written is where they go. */
async function unusedImportCandidates(input: GatherInput, out: CandidateSet, score: number): Promise<void> {
  const { scope, tokens, importLines } = input;
  // Only the imported names are tracked: a map of every name in the file was thousands of entries of
  // garbage per cold call, for a question about a few dozen names.
  const imported = new Set<string>();
  for (const decl of scope.summary.imports) if (!decl.reexport) for (const n of decl.names ?? []) imported.add(n.local);
  const used = new Set<string>();
  for (const t of tokens) if (!t.member && imported.has(t.name) && !importLines.has(t.line)) used.add(t.name);
  for (const decl of scope.summary.imports) {
    if (decl.reexport) continue;
    for (const n of decl.names ?? []) {
      if (used.has(n.local)) continue;
      const v = await scope.lookup(n.local);
      if (v?.kind === 'def') out.add(v.ref, score, 'import');
    }
  }
}

interface NameUse {
  name: string;
  qualifier?: string;
  weight: number;
}

/** Names used near the cursor, weighted by closeness, resolved to their definitions. */
async function nearbyNameCandidates(input: GatherInput, out: CandidateSet): Promise<void> {
  const { tokens, line, scope, resolver, importLines } = input;
  const fn = scope.fn?.def;
  const from = Math.min(line - WINDOW_ABOVE, fn?.line ?? line);
  const to = Math.max(line + WINDOW_BELOW, Math.min(fn?.end ?? line, line + 80));
  // Keyed by qualifier, then name, with the uses in the order first met (ties keep it): a `q.name` key
  // per member token was two strings of garbage each, thousands per cold call on a large file.
  const plain = new Map<string, NameUse>();
  const qualified = new Map<string, Map<string, NameUse>>();
  const uses: NameUse[] = [];
  for (const t of tokens) {
    // `x.name`: only worth a lookup when x is a module (namespace import, Python module, Go package).
    if (t.member && !t.qualifier) continue;
    if (importLines.has(t.line) || isKeyword(scope.family, t.name)) continue;
    const near = t.line >= from && t.line <= to;
    const inSignature = fn && t.line >= fn.line && t.line <= fn.headerEnd;
    const distance = Math.abs(t.line - line);
    // Names used anywhere in the file count a little: a file keeps using the same few helpers.
    const weight = near ? 1 / (1 + distance / 5) + (inSignature ? 0.4 : 0) : FILE_WEIGHT;
    let byName = plain;
    if (t.member) {
      byName = qualified.get(t.qualifier!) ?? new Map<string, NameUse>();
      if (!byName.size) qualified.set(t.qualifier!, byName);
    }
    let use = byName.get(t.name);
    if (!use) {
      use = { name: t.name, qualifier: t.member ? t.qualifier : undefined, weight: 0 };
      byName.set(t.name, use);
      uses.push(use);
    }
    use.weight += weight;
  }
  const ranked = uses.sort((a, b) => b.weight - a.weight).slice(0, MAX_NAMES);
  // Names come strongest first: once more definitions are ranked above the rest than the budget holds
  // headers for, the rest cannot make it into the context and are not worth their lookups.
  const room = Math.ceil((input.maxTokens ?? Infinity) / TOKENS_PER_HEADER);
  // Counts the names actually looked up: the nearest dozen names are mostly locals, and counting those
  // left a call past its deadline with nothing (bench:context: 12 empty answers on a busy machine).
  let looked = 0;
  for (const use of ranked) {
    // A local is never a module, and resolving its type (`config.`, `c.` on most lines) cost a cold
    // call a few ms for nothing; a name no file defines at top level (a local, a builtin, a
    // dependency's) resolves to nothing here.
    if (use.qualifier ? scope.binding(use.qualifier) : scope.binding(use.name) || !input.index.definesAtTop(use.name)) continue;
    if (looked >= MIN_NAMES && (input.expired() || out.size >= room)) return;
    looked++;
    let v: Value | undefined;
    if (use.qualifier) {
      const q = await scope.lookup(use.qualifier);
      if (q?.kind !== 'module') continue;
      v = await resolver.lookupIn(q.module, use.name, scope.family);
    } else {
      v = await scope.lookup(use.name);
    }
    if (v?.kind === 'def') {
      out.add(v.ref, 100 * use.weight, 'definition');
      addSiblings(out, v.ref, 100 * use.weight * SIBLING_SHARE);
      if (!input.expired()) await addNamedTypes(input, out, v.ref, 100 * use.weight * NAMED_TYPE_SHARE);
    }
  }
}

/** How strongly the types a used type alias names count, against the alias itself. */
const NAMED_TYPE_SHARE = 0.4;
/** Most types taken from one alias's text, and the longest text read for them. */
const MAX_NAMED_TYPES = 3;
const MAX_NAMED_TYPE_TEXT = 200;

/**
 * The types a used type alias or defined type is made of: code that returns an
 * `echo.MiddlewareFunc` (`func(HandlerFunc) HandlerFunc`) writes `func(next echo.HandlerFunc)` next,
 * and a value of `type Handler = (req: Request) => Response` is built from a Request. Structs,
 * classes and interfaces are left out: their members rank through the receiver instead.
 */
async function addNamedTypes(input: GatherInput, out: CandidateSet, ref: DefRef, score: number): Promise<void> {
  const { def, file } = ref;
  if (def.kind !== 'type' || !def.type || def.type.length > MAX_NAMED_TYPE_TEXT) return;
  const { resolver, scope } = input;
  for (const path of typeNamesIn(def.type, scope.family).slice(0, MAX_NAMED_TYPES)) {
    if (path.length > 2) continue;
    // By name, not through resolveType: that reads a defined type as what it is made of
    // (`HandlerFunc` as its `Context` parameter), and the name is what the code will write.
    let v = await resolver.lookupTop(file, path[0]!);
    if (path.length === 2) v = v?.kind === 'module' ? await resolver.lookupIn(v.module, path[1]!, scope.family) : undefined;
    if (v?.kind === 'def' && isTypeDef(v.ref.def) && defKey(v.ref) !== defKey(ref)) out.add(v.ref, score, 'type');
  }
}

/**
 * Definitions declared next to a used one with a similar name (`KindDefinitionList` ->
 * `KindDefinitionTerm`, `KindDefinitionDescription`): code that uses one member of such a family
 * often uses the next.
 */
function addSiblings(out: CandidateSet, ref: DefRef, score: number): void {
  const { defs } = ref.summary;
  const name = ref.def.name;
  for (let i = Math.max(0, ref.index - SIBLING_REACH); i <= Math.min(defs.length - 1, ref.index + SIBLING_REACH); i++) {
    const d = defs[i]!;
    if (i === ref.index || d.parent !== ref.def.parent || d.receiver !== ref.def.receiver) continue;
    let common = 0;
    while (common < name.length && name[common] === d.name[common]) common++;
    // A long shared prefix, or the same first word on two definitions of one kind (`KindHeading`,
    // `KindThematicBreak`; `HeaderXRealIP`, `HeaderXForwardedFor`).
    const family = common >= 4 && (common * 2 >= Math.min(name.length, d.name.length) || (d.kind === ref.def.kind && firstWord(name) === firstWord(d.name)));
    if (family) out.add({ file: ref.file, index: i, def: d, summary: ref.summary }, score, 'definition');
  }
}

/** The first word of an identifier as written (`KindHeading` -> `Kind`, `get_style` -> `get`). */
function firstWord(name: string): string {
  return /^_*[A-Za-z][a-z0-9]*|^_*[A-Z]+(?![a-z])/.exec(name)?.[0] ?? name;
}

/** Declared types of the parameters and locals in scope, nearer declarations first. */
async function scopeTypeCandidates(input: GatherInput, out: CandidateSet): Promise<void> {
  const { scope, line } = input;
  for (const b of scope.bindings.slice(0, 30)) {
    if (input.expired()) return;
    const v = await scope.bindingValue(b);
    const type = v?.kind === 'instance' ? v.type : undefined;
    if (type) out.add(type, 40 / (1 + Math.abs(line - b.line) / 10), 'type');
  }
}

/** Sibling files read for methods named like the enclosing one, and the lines read of each method. */
const MAX_SIBLING_METHOD_FILES = 4;
const MAX_SIBLING_METHOD_LINES = 40;
/** Most names taken from them, and the score per sibling method using one (two count at most). */
const MAX_SIBLING_METHOD_NAMES = 12;
const SIBLING_METHOD_SCORE = 30;

/**
 * What the other implementations of the enclosing method use: `func (queryBinding) Bind` is written
 * like `func (formBinding) Bind` in a sibling file, which calls `mapForm` and `validate`; methods of
 * one name on sibling types implement one interface and lean on the same helpers. The names a
 * sibling's body uses that are defined at top level somewhere are resolved from that sibling's file.
 */
async function siblingMethodCandidates(input: GatherInput, out: CandidateSet): Promise<void> {
  const { scope, index, resolver } = input;
  const fn = scope.fn?.def;
  if (!fn || (fn.parent < 0 && !fn.receiver)) return;
  const dir = dirOf(input.file);
  const files = index.filesWithMember(fn.name).filter((f) => f !== input.file && dirOf(f) === dir).slice(0, MAX_SIBLING_METHOD_FILES);
  const users = new Map<string, { file: string; count: number }>();
  for (const file of files) {
    if (input.expired()) return;
    const summary = await index.summary(file);
    const text = index.text(file);
    if (!summary || text === undefined) continue;
    const fileLines = text.split('\n');
    for (const def of summary.defs) {
      if (def.name !== fn.name || (def.parent < 0 && !def.receiver)) continue;
      const body = fileLines.slice(def.headerEnd, Math.min(def.end, def.headerEnd + MAX_SIBLING_METHOD_LINES)).join('\n');
      const seen = new Set<string>();
      for (const m of body.matchAll(/(?<![\w$.])[A-Za-z_$][\w$]*/g)) {
        const name = m[0];
        if (seen.has(name) || isKeyword(scope.family, name) || scope.binding(name)) continue;
        seen.add(name);
        const user = users.get(name);
        if (user) user.count++;
        else users.set(name, { file, count: 1 });
      }
    }
  }
  const ranked = [...users].filter(([name]) => index.definesAtTop(name)).sort((a, b) => b[1].count - a[1].count);
  for (const [name, { file, count }] of ranked.slice(0, MAX_SIBLING_METHOD_NAMES)) {
    if (input.expired()) return;
    const v = await resolver.lookupTop(file, name);
    if (v?.kind === 'def') out.add(v.ref, SIBLING_METHOD_SCORE * Math.min(2, count), 'definition');
  }
}

/** Most a module or package adds by popularity and name alone. */
const GUESSES_PER_MODULE = 12;
/** Most a Go package's own names add. */
const GUESSES_PER_PACKAGE = 30;
/** Weight of each word a guessed name shares with the code around the cursor, and with the whole file. */
const AFFINITY_WEIGHT = 10;
const FILE_AFFINITY_WEIGHT = 3;

/** What a guessed name's mentions in the workspace add to its score: the log of them, at most 12. */
function popularityPrior(mentions: number): number {
  return Math.min(12, 2 * Math.log2(1 + mentions));
}
/** Lines around the cursor, and above the enclosing function (its doc comment), whose words count. */
const CONTEXT_LINES_ABOVE = 3;
const CONTEXT_LINES_BELOW = 1;
const DOC_LINES = 4;

/**
 * A weak prior for a line not yet written: definitions of the modules this function already reaches
 * into (`pkg.` near the cursor) and, in Go, of its own package, by how well their names match the words
 * around the cursor (the function's name and doc comment, the lines nearby), then by how much the
 * workspace uses them. Each scores below a name actually seen near the cursor.
 */
async function popularCandidates(input: GatherInput, out: CandidateSet): Promise<void> {
  const { tokens, line, scope, resolver, index } = input;
  // Guesses rank below what was seen near the cursor; with twice the budget's worth ranked already, few would show.
  if (out.size >= 2 * Math.ceil((input.maxTokens ?? Infinity) / TOKENS_PER_HEADER)) return;
  const words = contextWords(input);
  const fileWords = wordsOfText(input.text);
  // Scored once per name: a package or module of a few hundred names was scored inside sort
  // comparators, which cost a line call ~5 ms of its 25 in a cold process (bench:context, Go `line`).
  const popularity = new Map<string, number>();
  const popularityOf = (name: string) => {
    let n = popularity.get(name);
    if (n === undefined) popularity.set(name, (n = index.popularity(name)));
    return n;
  };
  const scores = new Map<string, number>();
  const score = (name: string) => {
    let s = scores.get(name);
    if (s === undefined) {
      const split = nameWords(name);
      s = AFFINITY_WEIGHT * countShared(split, words) + FILE_AFFINITY_WEIGHT * countShared(split, fileWords) + popularityPrior(popularityOf(name));
      scores.set(name, s);
    }
    return s;
  };
  // Two priors, each given its share: the names the workspace uses most, and the names most like the
  // words around the cursor (neither alone finds both `echo.HandlerFunc` and `HeaderXRealIP`).
  const byScore = <T>(items: readonly T[], name: (item: T) => string, share: number) => {
    const named = items.map((item) => {
      const n = name(item);
      return { item, name: n, popularity: popularityOf(n) };
    });
    const popular = [...named].sort((a, b) => b.popularity - a.popularity).slice(0, Math.ceil(share / 3)).map((n) => n.item);
    const scored = named.map(({ item, name: n }) => ({ item, score: score(n) })).sort((a, b) => b.score - a.score);
    const picked = new Set(popular);
    for (const { item } of scored) if (picked.size < share) picked.add(item);
    return scored.filter(({ item }) => picked.has(item));
  };
  // A Go package's names come from the hints (see WorkspaceIndex.namesIn), and only the guesses are
  // looked up: reading every summary of a package is what made a line in a 150-file package run out of
  // time before finding anything, and an imported package's summaries cost a Go line call ~2 ms of its
  // 25 in a cold process (bench:context) for the dozen names guessed from them.
  const guessFromPackage = async (dirNames: DirNames, keep: (name: string) => boolean, usedNearby: readonly string[], limit: number, lookup: (name: string) => Promise<Value | undefined>) => {
    const names = scoredPackageNames(dirNames, keep, words, fileWords, limit + 10, popularity, scores);
    // Families over every name: a family's first word is often one no score counts (`With…`, `New…`).
    const family = familyMembers(dirNames.names, usedNearby, (n) => n, undefined, keep);
    for (const name of family.keys()) if (!popularity.has(name)) popularity.set(name, dirNames.mentions[dirNames.names.indexOf(name)] ?? 0);
    const guesses = byScore(names, (n) => n, limit + 10).map(({ item, score: s }) => ({ name: item, score: s + (family.get(item) ?? 0) }));
    const guessed = new Set(guesses.map((g) => g.name));
    for (const [name, bonus] of family) if (!guessed.has(name)) guesses.push({ name, score: score(name) + bonus });
    guesses.sort((a, b) => b.score - a.score);
    let added = 0;
    for (const { name, score: s } of guesses) {
      if (added >= limit || input.expired()) return;
      const v = await lookup(name);
      if (v?.kind !== 'def' || v.ref.file === input.file) continue;
      out.add(v.ref, s, 'definition');
      added++;
    }
  };
  // One pass over the file's identifiers (thousands in a large file): a pass per qualifier cost a cold
  // Go line call ~1 ms (bench:context).
  const qualifiers = new Set<string>();
  const qualifiedNearby = new Map<string, string[]>();
  const nearby: string[] = [];
  for (const t of tokens) {
    const distance = Math.abs(t.line - line);
    if (distance > WINDOW_ABOVE) continue;
    if (t.qualifier && !t.qualifier.includes('.')) qualifiers.add(t.qualifier);
    if (distance > FAMILY_LINES) continue;
    if (!t.member) nearby.push(t.name);
    else if (t.qualifier) {
      const list = qualifiedNearby.get(t.qualifier);
      if (list) list.push(t.name);
      else qualifiedNearby.set(t.qualifier, [t.name]);
    }
  }
  for (const q of [...qualifiers].slice(0, 6)) {
    if (input.expired()) return;
    if (scope.binding(q)) continue;
    const v = await scope.lookup(q);
    if (v?.kind !== 'module') continue;
    const usedNearby = qualifiedNearby.get(q) ?? [];
    const { module } = v;
    if (scope.family === 'go' && module.dir !== undefined) {
      await guessFromPackage(index.namesIn(module.dir), (n) => /^[A-Z]/.test(n), usedNearby, GUESSES_PER_MODULE + MAX_FAMILY, (name) => resolver.lookupIn(module, name, 'go'));
      continue;
    }
    const exports = await resolver.moduleExports(module, scope.family);
    for (const { item, score: s } of byScore(exports, (r) => r.def.name, GUESSES_PER_MODULE)) out.add(item, s, 'definition');
    addFamilies(out, exports, usedNearby, score);
  }
  if (scope.family === 'go') {
    await guessFromPackage(index.namesIn(dirOf(input.file)), () => true, nearby, GUESSES_PER_PACKAGE, (name) => scope.lookup(name));
  }
}

/**
 * The names of a folder (DirNames) that can be among a guess of `share` names, their scores and
 * popularity filled in as popularCandidates computes them: those sharing a word with the code around
 * the cursor (found through the folder's word index, not by splitting every name) and the `share` most
 * mentioned. Any other name scores its popularity alone, below all of those, and could not be picked.
 */
function scoredPackageNames(dir: DirNames, keep: (name: string) => boolean, words: ReadonlySet<string>, fileWords: ReadonlySet<string>, share: number, popularity: Map<string, number>, scores: Map<string, number>): string[] {
  const affinity = new Map<number, number>();
  const count = (context: ReadonlySet<string>, weight: number) => {
    for (const w of context) {
      if (!Object.hasOwn(dir.words, w)) continue;
      for (const i of dir.words[w]!) affinity.set(i, (affinity.get(i) ?? 0) + weight);
    }
  };
  count(words, AFFINITY_WEIGHT);
  count(fileWords, FILE_AFFINITY_WEIGHT);
  const picked: number[] = [];
  // Most mentioned first (the folder's order; names added since the build come last, unmentioned).
  for (let i = 0, popular = 0; i < dir.names.length && popular < share; i++) {
    if (!keep(dir.names[i]!)) continue;
    popular++;
    if (!affinity.has(i)) picked.push(i);
  }
  for (const i of affinity.keys()) if (keep(dir.names[i]!)) picked.push(i);
  return picked.map((i) => {
    const name = dir.names[i]!;
    const mentions = dir.mentions[i] ?? 0;
    popularity.set(name, mentions);
    scores.set(name, (affinity.get(i) ?? 0) + popularityPrior(mentions));
    return name;
  });
}

/** Lines around the cursor whose names make a family (see familyMembers). */
const FAMILY_LINES = 12;
/** Score per use of a family near the cursor, for a member not used yet (at most three uses count). */
const FAMILY_SCORE = 15;
/** Most members of one family guessed. */
const MAX_FAMILY = 8;

/**
 * Members of name families the code around the cursor is going through, not used yet: after
 * `reg.Register(ast.KindHeading, …)` and `reg.Register(ast.KindParagraph, …)` the next line likely
 * registers another `ast.Kind…`. A family is a first word (`Kind`, `With`, `Header`) shared by names
 * used nearby; its unused members score by how often the family was used, then by `score`.
 */
function familyMembers<T>(items: readonly T[], usedNearby: readonly string[], name: (item: T) => string, score?: (name: string) => number, keep?: (name: string) => boolean): Map<T, number> {
  const used = new Set(usedNearby);
  const uses = new Map<string, number>();
  for (const n of used) {
    const w = firstWord(n);
    if (w.length >= 3) uses.set(w, (uses.get(w) ?? 0) + 1);
  }
  if (!uses.size) return new Map();
  // A prefix test before the regex: a Go package's hundreds of names, few of them in a family.
  const firsts = [...uses.keys()];
  const members = items.filter((item) => {
    const n = name(item);
    return !used.has(n) && firsts.some((w) => n.startsWith(w)) && uses.has(firstWord(n)) && (!keep || keep(n));
  });
  const ranked = members.map((item) => ({ item, bonus: FAMILY_SCORE * Math.min(3, uses.get(firstWord(name(item)))!) + (score?.(name(item)) ?? 0) }));
  ranked.sort((a, b) => b.bonus - a.bonus);
  return new Map(ranked.slice(0, MAX_FAMILY).map(({ item, bonus }) => [item, bonus]));
}

function addFamilies(out: CandidateSet, exports: DefRef[], usedNearby: string[], score: (name: string) => number): void {
  for (const [ref, bonus] of familyMembers(exports, usedNearby, (r) => r.def.name, score)) out.add(ref, bonus, 'definition');
}

/** Words of the enclosing function's name and doc comment and of the lines around the cursor. */
function contextWords(input: GatherInput): Set<string> {
  const { lines, line, scope } = input;
  const fn = scope.fn?.def;
  let text = lines.range(Math.max(1, line - CONTEXT_LINES_ABOVE), Math.min(lines.count, line + CONTEXT_LINES_BELOW)) ?? '';
  if (fn) text += `\n${lines.range(Math.max(1, fn.line - DOC_LINES), fn.headerEnd) ?? ''}`;
  return wordsOfText(text);
}
