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
import type { SnippetReason } from '../types';
import { defKey, isTypeDef, type DefRef, type Resolver, type Value } from '../resolve/symbols';
import { dirOf } from '../resolve/modules';
import { isKeyword } from './keywords';
import { narrowingsOf } from '../cursor/narrowing';
import type { LineIndex } from '../store/lineIndex';
import { guardedType, returnOfFunctionType } from '../resolve/typeText';

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
}

/** Without an enclosing function, type checks this many lines above the cursor count. */
const NARROWING_LINES = 40;
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
  if (chain.kind === 'call') await calleeCandidates(input, out);
  if (chain.kind === 'member') await memberCandidates(input, out);
  if (!input.expired()) await unusedImportCandidates(input, out, chain.kind === 'line' || chain.kind === 'other' ? 400 : 60);
  if (!input.expired()) await nearbyNameCandidates(input, out);
  if (!input.expired()) await scopeTypeCandidates(input, out);
  if (!input.expired() && (chain.kind === 'line' || chain.kind === 'other')) await popularCandidates(input, out);
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
  const { resolver, scope, chain } = input;
  const v = await evaluateChain(input);
  const partial = chain.partial;
  const usedMembers = new Set(input.tokens.filter((t) => t.member).map((t) => t.name));
  if (v?.kind === 'module') {
    const exports = await resolver.moduleExports(v.module, scope.family);
    addRanked(out, exports, partial, usedMembers, 700, 'definition');
    return;
  }
  const types = v ? await resolver.instanceTypes(v) : [];
  for (const type of types) {
    out.add(type, 750, 'type');
    addRanked(out, await resolver.membersOf(type), partial, usedMembers, 800, 'type');
  }
  if (types.length) return;
  await guessReceiverType(input, out, usedMembers);
}

/**
 * Members in a useful order: names matching what is typed first, then members this file already uses,
 * then declaration order (own members before inherited ones).
 */
function addRanked(out: CandidateSet, members: DefRef[], partial: string, used: Set<string>, base: number, reason: SnippetReason): void {
  members.forEach((m, i) => {
    if (partial && !m.def.name.startsWith(partial)) return;
    const bonus = used.has(m.def.name) ? 60 : 0;
    out.add(m, base - Math.min(i, 300) * 0.5 + bonus, reason);
  });
}

/**
 * The receiver's type is unknown (an untyped parameter, an inferred callback argument): guess it from
 * its name (`subscriber` -> `Subscriber`) and from the other members used on it in this function.
 */
async function guessReceiverType(input: GatherInput, out: CandidateSet, usedMembers: Set<string>): Promise<void> {
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
  for (const f of index.filesDefining(cap).slice(0, 5)) await consider(f, cap, 3);
  // Members used on the same receiver elsewhere in the function: types declaring them all are likely.
  const fn = scope.fn?.def;
  const receiverUses = new Set(
    input.tokens.filter((t) => t.member && t.qualifier === last.name && (!fn || (t.line >= fn.line && t.line <= fn.end)) && t.line !== input.line).map((t) => t.name),
  );
  for (const member of [...receiverUses].slice(0, 6)) {
    for (const f of index.filesWithMember(member).slice(0, 12)) {
      const s = await index.summary(f);
      for (const def of s?.defs ?? []) {
        if (def.name !== member || def.parent < 0) continue;
        const ref = { file: f, index: def.parent, def: s!.defs[def.parent]!, summary: s! };
        const old = types.get(defKey(ref));
        types.set(defKey(ref), { ref, score: (old?.score ?? 0) + 1 });
      }
    }
  }
  const ranked = [...types.values()].sort((a, b) => b.score - a.score).slice(0, 2);
  for (const [k, { ref }] of ranked.entries()) {
    out.add(ref, 600 - k * 100, 'type');
    addRanked(out, await resolver.membersOf(ref), chain.partial, usedMembers, 550 - k * 150, 'type');
  }
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
  const used = new Map<string, number>();
  for (const t of tokens) if (!t.member && !importLines.has(t.line)) used.set(t.name, (used.get(t.name) ?? 0) + 1);
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
  const uses = new Map<string, NameUse>();
  for (const t of tokens) {
    if (importLines.has(t.line) || isKeyword(scope.family, t.name)) continue;
    const near = t.line >= from && t.line <= to;
    const inSignature = fn && t.line >= fn.line && t.line <= fn.headerEnd;
    const distance = Math.abs(t.line - line);
    // Names used anywhere in the file count a little: a file keeps using the same few helpers.
    const weight = near ? 1 / (1 + distance / 5) + (inSignature ? 0.4 : 0) : FILE_WEIGHT;
    // `x.name`: only worth a lookup when x is a module (namespace import, Python module, Go package).
    const key = t.member ? `${t.qualifier ?? ''}.${t.name}` : t.name;
    if (t.member && !t.qualifier) continue;
    const use = uses.get(key) ?? { name: t.name, qualifier: t.member ? t.qualifier : undefined, weight: 0 };
    use.weight += weight;
    uses.set(key, use);
  }
  const ranked = [...uses.values()].sort((a, b) => b.weight - a.weight).slice(0, MAX_NAMES);
  for (const use of ranked) {
    if (input.expired()) return;
    let v: Value | undefined;
    if (use.qualifier) {
      const q = await scope.lookup(use.qualifier);
      if (q?.kind !== 'module') continue;
      v = await resolver.lookupIn(q.module, use.name, scope.family);
    } else {
      // A name no file defines at top level (a local, a builtin, a dependency's) resolves to nothing here.
      if (scope.binding(use.name) || !input.index.filesDefining(use.name).length) continue;
      v = await scope.lookup(use.name);
    }
    if (v?.kind === 'def') {
      out.add(v.ref, 100 * use.weight, 'definition');
      addSiblings(out, v.ref, 100 * use.weight * SIBLING_SHARE);
    }
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
    if (common >= 4 && common * 2 >= Math.min(name.length, d.name.length)) out.add({ file: ref.file, index: i, def: d, summary: ref.summary }, score, 'definition');
  }
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

/** Most a module or package adds by popularity alone. */
const POPULAR_PER_MODULE = 6;

/**
 * A weak prior for a line not yet written: the most used definitions of the modules this function
 * already reaches into (`pkg.` near the cursor) and, in Go, of its own package. Each scores below any
 * name actually seen near the cursor.
 */
async function popularCandidates(input: GatherInput, out: CandidateSet): Promise<void> {
  const { tokens, line, scope, resolver, index } = input;
  const score = (name: string) => Math.min(12, 2 * Math.log2(1 + index.popularity(name)));
  const qualifiers = new Set(tokens.filter((t) => t.qualifier && !t.qualifier.includes('.') && Math.abs(t.line - line) <= WINDOW_ABOVE).map((t) => t.qualifier!));
  for (const q of [...qualifiers].slice(0, 6)) {
    if (input.expired()) return;
    if (scope.binding(q)) continue;
    const v = await scope.lookup(q);
    if (v?.kind !== 'module') continue;
    const exports = await resolver.moduleExports(v.module, scope.family);
    for (const ref of exports.sort((a, b) => index.popularity(b.def.name) - index.popularity(a.def.name)).slice(0, POPULAR_PER_MODULE)) out.add(ref, score(ref.def.name), 'definition');
  }
  if (scope.family === 'go') {
    // The package's most mentioned names, from the hints: reading every sibling's summary is what made
    // a line in a 150-file package run out of time before finding anything.
    let added = 0;
    for (const name of index.namesIn(dirOf(input.file))) {
      if (added >= 2 * POPULAR_PER_MODULE || input.expired()) break;
      const v = await scope.lookup(name);
      if (v?.kind !== 'def' || v.ref.file === input.file) continue;
      out.add(v.ref, score(name), 'definition');
      added++;
    }
  }
}
