/**
 * Names to definitions across files: following imports, barrels (`export * from`, `export { x } from`,
 * Python `__init__` re-exports), Go packages, and types to their members (inherited ones, Go methods
 * declared anywhere in the package and promoted through embedded fields).
 */
import { familyOf, type LanguageFamily } from '../languages';
import type { WorkspaceIndex } from '../store/workspaceIndex';
import type { FileSummary, ImportDecl, SymbolDef } from '../summary';
import { dirOf, goPackageFiles, javaPackageFiles, resolveGoPackage, resolveJavaPackage, resolveJsModule, resolvePythonModule, resolveRustModule, type ModuleRef } from './modules';
import { typeNamesIn } from './typeNames';
import { isFunctionType, parameterOfFunctionType, parseTypeReference, returnOfFunctionType, splitTopLevel, thisOfFunctionType, typeofPath, typeParameter } from './typeText';

/** A definition somewhere in the workspace. */
export interface DefRef {
  file: string;
  index: number;
  def: SymbolDef;
  summary: FileSummary;
}

/** A type parameter bound to a type text, read in `file` with `args` (`Box<Foo>` binds T to `Foo`). */
export interface TypeArg {
  text: string;
  file: string;
  args?: TypeArgs;
}
export type TypeArgs = ReadonlyMap<string, TypeArg>;

/**
 * A value of a class, interface, struct or type; with `container`, a collection of them (`T[]`,
 * `Map<K, T>`, `[]T`, `list[T]`): its element accessors (`get`, `pop`, `[i]`) give a `type`. `alts`:
 * the other types of a union or intersection (their members count too). `args`: the type's parameters
 * as this value binds them.
 */
export interface Instance {
  kind: 'instance';
  type: DefRef;
  container?: boolean;
  alts?: DefRef[];
  args?: TypeArgs;
}

/** What a name or expression stands for while a chain is evaluated. */
export type Value =
  | { kind: 'module'; module: ModuleRef }
  /** The symbol itself: a class (its static side), a function, a variable, a member; `args` bind its owner's type parameters. */
  | { kind: 'def'; ref: DefRef; args?: TypeArgs }
  | Instance;

const TYPE_KINDS = new Set(['class', 'interface', 'struct', 'type', 'enum', 'trait']);
/** Collection types whose type arguments are their elements. */
const CONTAINERS = new Set(['Array', 'ReadonlyArray', 'Map', 'ReadonlyMap', 'WeakMap', 'Set', 'ReadonlySet', 'WeakSet', 'Record', 'Iterable', 'AsyncIterable', 'List', 'list', 'Dict', 'dict', 'Sequence', 'MutableSequence', 'Mapping', 'MutableMapping', 'Deque', 'deque', 'Iterator', 'set', 'Set', 'FrozenSet', 'frozenset', 'tuple', 'Tuple']);
/** Methods of a collection that return one of its elements. */
const ELEMENT_ACCESSORS = new Set(['get', 'shift', 'pop', 'popleft', 'at', 'find', 'findLast', 'first', 'last', 'peek', 'setdefault']);

/** Whether a declared type is a collection of what it names (`T[]`, `Map<K, T>`, Go `[]T`, `list[T]`). */
export function isContainerType(text: string): boolean {
  const t = text.trim();
  if (/\[\]\s*$/.test(t) || /^\[\]|^map\[|^\[\d+\]/.test(t)) return true;
  const outer = /^(?:readonly\s+)?([A-Za-z_$][\w$.]*)\s*[<[]/.exec(t)?.[1];
  return outer !== undefined && CONTAINERS.has(outer.split('.').pop()!);
}
const MAX_DEPTH = 6;
const MAX_MEMBERS = 400;
/** Aliases followed, unions split and parameters substituted at most this deep in one type text. */
const MAX_TYPE_DEPTH = 8;
/** A name in a value path; `#x` is a JavaScript private field. */
const IDENTIFIER = /^#?[\p{L}_$][\p{L}\p{N}_$]*$/u;
/** Returned by resolveTsType for a text that is not one of the forms it reads. */
const NOT_STRUCTURAL = Symbol('not structural');

/** What a generic library type does to its argument: is it (`Partial`), holds it, or derives from it. */
type TsWrapper = 'same' | 'element' | 'value' | 'returnOf' | 'instanceOf';
const TS_WRAPPERS: Record<string, TsWrapper> = {
  Awaited: 'same', NonNullable: 'same', Readonly: 'same', Partial: 'same', Required: 'same', Promise: 'same', PromiseLike: 'same', Omit: 'same', Pick: 'same',
  Exclude: 'same', Extract: 'same', NoInfer: 'same', Lazy: 'same', MaybePromise: 'same',
  Array: 'element', ReadonlyArray: 'element', Set: 'element', ReadonlySet: 'element', WeakSet: 'element', Iterable: 'element', AsyncIterable: 'element',
  Iterator: 'element', IterableIterator: 'element', AsyncIterator: 'element', AsyncIterableIterator: 'element', Generator: 'element', AsyncGenerator: 'element',
  Map: 'value', ReadonlyMap: 'value', WeakMap: 'value', Record: 'value',
  ReturnType: 'returnOf', InstanceType: 'instanceOf',
};
/** Collection methods whose first argument is called with an element (the value: parameter 0). */
const ITERATION_CALLBACKS: Record<string, number> = {
  map: 0, forEach: 0, filter: 0, find: 0, findLast: 0, findIndex: 0, findLastIndex: 0, some: 0, every: 0, flatMap: 0, sort: 0, toSorted: 0,
};

export const isTypeDef = (def: SymbolDef): boolean => TYPE_KINDS.has(def.kind);
export const defKey = (ref: DefRef): string => `${ref.file}#${ref.index}`;

export class Resolver {
  private readonly topCache = new Map<string, Promise<Value | undefined>>();
  private readonly moduleCache = new Map<string, ModuleRef | undefined>();
  private readonly membersCache = new Map<string, Promise<DefRef[]>>();
  /**
   * Lookups under way. Evaluation is sequential (no Promise.all), so meeting one again means a cycle
   * (modules that re-export each other, a class extending itself through an alias): awaiting the pending
   * promise would wait on itself forever, so the inner request answers "not found" instead.
   */
  private readonly pending = new Set<string>();
  private readonly topLevelNames = new WeakMap<FileSummary, Map<string, number>>();
  private readonly importTables = new WeakMap<FileSummary, Map<string, ImportDecl[]>>();
  private readonly starTables = new Map<string, { summary: FileSummary; modules: readonly ModuleRef[] }>();

  constructor(private readonly index: WorkspaceIndex) {}

  /** The module an import names, or undefined when it is outside the workspace. */
  importModule(file: string, family: LanguageFamily, decl: Pick<ImportDecl, 'from'>): ModuleRef | undefined {
    const key = `${family === 'go' ? '' : file}\0${decl.from}`;
    if (!this.moduleCache.has(key)) {
      let found: ModuleRef | undefined;
      if (family === 'js') found = resolveJsModule(this.index, file, decl.from);
      else if (family === 'python') found = resolvePythonModule(this.index, file, decl.from);
      else if (family === 'go') found = resolveGoPackage(this.index, decl.from);
      else if (family === 'rust') found = resolveRustModule(this.index, file, decl.from);
      else if (family === 'java') found = resolveJavaPackage(this.index, file, decl.from);
      this.moduleCache.set(key, found);
    }
    return this.moduleCache.get(key);
  }

  /** What `name` means at the top level of `file`: its own definition, an import, a sibling in its Go package. */
  lookupTop(file: string, name: string, depth = 0): Promise<Value | undefined> {
    const key = `top\0${file}\0${name}`;
    if (this.pending.has(key)) return Promise.resolve(undefined);
    let found = this.topCache.get(key);
    if (!found) {
      this.pending.add(key);
      found = (depth > MAX_DEPTH ? Promise.resolve(undefined) : this.lookupTopUncached(file, name, depth)).finally(() => this.pending.delete(key));
      this.topCache.set(key, found);
    }
    return found;
  }

  private async lookupTopUncached(file: string, name: string, depth: number): Promise<Value | undefined> {
    const summary = await this.index.summary(file);
    if (!summary) return undefined;
    const family = familyOf(summary.lang);
    const own = this.topLevel(summary).get(name);
    if (own !== undefined) return { kind: 'def', ref: { file, index: own, def: summary.defs[own]!, summary } };
    const alias = summary.exportAliases?.[name];
    if (alias && alias !== name) return this.lookupTop(file, alias, depth + 1);
    for (const decl of this.importsBinding(summary, name)) {
      if (decl.namespace === name) {
        // `import a.b.c` binds `a`: the name is the top package.
        const from = family === 'python' && !decl.names && decl.from.split('.')[0] === name ? name : decl.from;
        const module = this.importModule(file, family, { from });
        if (module) return { kind: 'module', module };
      }
      const imported = decl.names?.find((n) => n.local === name);
      if (imported) {
        const module = this.importModule(file, family, decl);
        if (!module) continue;
        const found = await this.lookupIn(module, imported.name, family, depth + 1);
        if (found) return found;
      }
    }
    // Star imports and `export * from` barrels: a name nobody defines is not searched for, and the
    // modules that define it (per the index's hints) are tried first. Without this, every name looked
    // up through a 50-module barrel loads 50 summaries.
    const stars = this.starModules(file, family, summary);
    if (stars.length) {
      const definers = new Set(this.index.filesDefining(name));
      if (definers.size || family === 'python') {
        const defines = (m: ModuleRef) => m.files.some((f) => definers.has(f));
        const ranked = [...stars.filter(defines), ...stars.filter((m) => !defines(m))];
        for (const module of ranked) {
          const found = await this.lookupIn(module, name, family, depth + 1);
          if (found) return found;
        }
      }
    }
    if (family === 'go') {
      const dir = dirOf(file);
      const found = await this.lookupInPackage(goPackageFiles(this.index, dir, file.endsWith('_test.go')), name, file);
      if (found) return found;
    }
    // A Java class sees the other classes of its package without importing them.
    if (family === 'java') {
      const found = await this.lookupInPackage(javaPackageFiles(this.index, file), name, file);
      if (found) return found;
    }
    if (family === 'python' && /(^|\/)__init__\.pyi?$/.test(file)) return this.pythonSubmodule(dirOf(file), name);
    return undefined;
  }

  /** What a module exports as `name`. */
  async lookupIn(module: ModuleRef, name: string, family: LanguageFamily, depth = 0): Promise<Value | undefined> {
    if (family === 'go' || family === 'java') return this.lookupInPackage(module.files, name);
    for (const f of module.files) {
      const found = await this.lookupTop(f, name, depth + 1);
      if (found) return found;
    }
    if (family === 'python' && module.dir !== undefined) return this.pythonSubmodule(module.dir, name);
    if (family === 'rust' && module.files[0]) {
      // `use crate::a::b;` where b is a module (b.rs), not an item of a.rs.
      const sub = resolveRustModule(this.index, module.files[0], `self::${name}`);
      if (sub) return { kind: 'module', module: sub };
    }
    return undefined;
  }

  /**
   * A Go package's top-level `name`, outside `except` (the cursor's file, which the prompt holds). Only
   * the files the symbol hints name are read, so a 150-file package costs a few summaries, not 150.
   */
  private async lookupInPackage(files: readonly string[], name: string, except?: string): Promise<Value | undefined> {
    for (const f of this.index.candidatesDefining(files, name)) {
      if (f === except) continue;
      const summary = await this.index.summary(f);
      const i = summary && this.topLevel(summary).get(name);
      if (summary && i !== undefined) return { kind: 'def', ref: { file: f, index: i, def: summary.defs[i]!, summary } };
    }
    return undefined;
  }

  /**
   * The modules a summary's star imports and `export *` barrels name, in order: resolved once per
   * summary, since a call looks up a hundred names through a barrel of a hundred modules (rxjs's
   * index.ts), which cost it ~2 ms in a cold process when resolved per name.
   */
  private starModules(file: string, family: LanguageFamily, summary: FileSummary): readonly ModuleRef[] {
    // By file and summary: two files of the same content share a summary but not their relative imports.
    const known = this.starTables.get(file);
    if (known?.summary === summary) return known.modules;
    const modules = summary.imports.filter((d) => d.star).flatMap((decl) => this.importModule(file, family, decl) ?? []);
    this.starTables.set(file, { summary, modules });
    return modules;
  }

  /**
   * The imports of a summary that bind `name` (as a namespace or an imported name), in order; a table
   * built once per summary, since a call looks up a hundred names in one file.
   */
  private importsBinding(summary: FileSummary, name: string): readonly ImportDecl[] {
    let table = this.importTables.get(summary);
    if (!table) {
      table = new Map();
      for (const decl of summary.imports) {
        const locals = new Set([...(decl.namespace ? [decl.namespace] : []), ...(decl.names ?? []).map((n) => n.local)]);
        for (const local of locals) {
          const list = table.get(local);
          if (list) list.push(decl);
          else table.set(local, [decl]);
        }
      }
      this.importTables.set(summary, table);
    }
    return table.get(name) ?? [];
  }

  /** A summary's top-level names (first definition of each; Go methods excluded), built once. */
  private topLevel(summary: FileSummary): Map<string, number> {
    let names = this.topLevelNames.get(summary);
    if (!names) {
      names = new Map();
      for (let i = 0; i < summary.defs.length; i++) {
        const d = summary.defs[i]!;
        if (d.parent === -1 && !d.receiver && !names.has(d.name)) names.set(d.name, i);
      }
      this.topLevelNames.set(summary, names);
    }
    return names;
  }

  private pythonSubmodule(dir: string, name: string): Value | undefined {
    const module = resolvePythonModule(this.index, `${dir}/__init__.py`, `.${name}`);
    return module ? { kind: 'module', module } : undefined;
  }

  /** Every top-level definition a module offers (its own and re-exported ones), up to a bound. */
  async moduleExports(module: ModuleRef, family: LanguageFamily, depth = 0, seen = new Set<string>()): Promise<DefRef[]> {
    const out: DefRef[] = [];
    for (const f of module.files) {
      if (seen.has(f) || out.length >= MAX_MEMBERS) continue;
      seen.add(f);
      const summary = await this.index.summary(f);
      if (!summary) continue;
      summary.defs.forEach((def, index) => {
        if (def.parent === -1 && !def.receiver && (family !== 'go' || /^[A-Z]/.test(def.name))) out.push({ file: f, index, def, summary });
      });
      if (depth >= 3 || family === 'go') continue;
      for (const decl of summary.imports) {
        if (!(decl.star || decl.reexport || (family === 'python' && decl.names))) continue;
        const target = this.importModule(f, family, decl);
        if (!target) continue;
        if (decl.star) out.push(...(await this.moduleExports(target, family, depth + 1, seen)));
        else {
          for (const n of decl.names ?? []) {
            const v = await this.lookupIn(target, n.name, family, depth + 1);
            if (v?.kind === 'def') out.push(v.ref);
          }
        }
      }
    }
    return out.slice(0, MAX_MEMBERS);
  }

  /** Members of a type, its own first, then inherited and promoted ones not overridden. */
  membersOf(type: DefRef, depth = 0): Promise<DefRef[]> {
    const key = `members\0${defKey(type)}`;
    if (this.pending.has(key)) return Promise.resolve([]);
    let found = this.membersCache.get(key);
    if (!found) {
      this.pending.add(key);
      found = (depth > 4 ? Promise.resolve([]) : this.membersUncached(type, depth)).finally(() => this.pending.delete(key));
      this.membersCache.set(key, found);
    }
    return found;
  }

  private async membersUncached(type: DefRef, depth: number): Promise<DefRef[]> {
    const { summary, file, index, def } = type;
    const family = familyOf(summary.lang);
    const out: DefRef[] = [];
    // TypeScript merges declarations of one name (`interface RouterCore` and `class RouterCore`, an
    // interface declared twice, a class and its namespace): all of them declare members.
    const merged = family === 'js' && def.parent === -1 ? summary.defs.flatMap((d, i) => (d.parent === -1 && d.name === def.name && (isTypeDef(d) || d.kind === 'namespace') ? [i] : [])) : [index];
    if (!merged.includes(index)) merged.unshift(index);
    summary.defs.forEach((d, i) => {
      if (merged.includes(d.parent)) out.push({ file, index: i, def: d, summary });
    });
    if (family === 'go' || def.receiver === undefined) {
      // Go methods (and Rust impl items) are declared beside the type, anywhere in its package.
      const files = family === 'go' ? this.index.candidatesWithReceiver(goPackageFiles(this.index, dirOf(file)), def.name) : [file];
      for (const f of files) {
        const s = f === file ? summary : await this.index.summary(f);
        s?.defs.forEach((d, i) => {
          if (d.receiver === def.name) out.push({ file: f, index: i, def: d, summary: s });
        });
      }
    }
    const names = new Set(out.map((m) => m.def.name));
    const inherit = async (target: DefRef | undefined) => {
      if (!target || defKey(target) === defKey(type)) return;
      for (const m of await this.membersOf(target, depth + 1)) {
        if (names.has(m.def.name)) continue;
        names.add(m.def.name);
        out.push(m);
      }
    };
    const bases = merged.flatMap((i) => summary.defs[i]!.bases ?? []);
    for (const base of bases) await inherit(await this.typeFromText(base, file, family));
    // Every type an alias names counts (`A & B & { x: X }`, `A | B`), as every base does.
    if (def.kind === 'type' && def.type) {
      const hit = await this.resolveType(def.type, file, family, this.typeParamBounds(type));
      for (const t of hit ? [hit.type, ...(hit.alts ?? [])] : []) await inherit(t);
    }
    return out.slice(0, MAX_MEMBERS);
  }

  async memberOf(type: DefRef, name: string): Promise<DefRef | undefined> {
    return (await this.membersOf(type)).find((m) => m.def.name === name);
  }

  /** The type definition a declared type text names, resolved in `file`'s scope. */
  async typeFromText(text: string, file: string, family: LanguageFamily): Promise<DefRef | undefined> {
    return (await this.resolveType(text, file, family))?.type;
  }

  /** A declared type text as a value: an instance of the type it names, a container of them if so. */
  instanceFromText(text: string, file: string, family: LanguageFamily, args?: TypeArgs): Promise<Instance | undefined> {
    return this.resolveType(text, file, family, args);
  }

  /**
   * What a type text means, read in `file` with `args` binding type parameters in scope: the type it
   * names (through aliases, with their parameters bound), the other members of a union or intersection,
   * and whether it is a collection of it. TypeScript texts are read structurally (type arguments,
   * `X['k']`, `typeof x`, `ReturnType<…>`, conditional branches); other languages by their names.
   */
  async resolveType(text: string, file: string, family: LanguageFamily, args?: TypeArgs, depth = 0): Promise<Instance | undefined> {
    if (depth > MAX_TYPE_DEPTH || !text) return undefined;
    if (family === 'js') {
      const structural = await this.resolveTsType(text, file, args, depth);
      if (structural !== NOT_STRUCTURAL) return structural;
    }
    // By name: the first name that is a type, preferring one that declares members.
    let fallback: Instance | undefined;
    for (const path of typeNamesIn(text, family)) {
      const bound = path.length === 1 ? args?.get(path[0]!) : undefined;
      const hit = bound ? await this.resolveType(bound.text, bound.file, family, bound.args, depth + 1) : await this.namedType(path, [], file, family, args, depth);
      if (!hit) continue;
      const container = isContainerType(text) || undefined;
      const found = container ? { ...hit, container } : hit;
      if (family !== 'js' || (await this.membersOf(hit.type)).length) return found;
      fallback ??= found;
    }
    return fallback;
  }

  /** TypeScript's type syntax; NOT_STRUCTURAL when the text is none of the forms handled here. */
  private async resolveTsType(input: string, file: string, args: TypeArgs | undefined, depth: number): Promise<Instance | undefined | typeof NOT_STRUCTURAL> {
    const text = input.trim();
    const parts = splitTopLevel(text.replace(/^[|&]\s*/, ''), '|&');
    if (parts.length > 1) return (await this.unionOf(parts, file, args, depth)) ?? NOT_STRUCTURAL;
    const conditional = conditionalBranches(text);
    if (conditional) return this.unionOf(conditional, file, args, depth);
    const valuePath = typeofPath(text);
    if (valuePath) return this.instanceOfValue(await this.evaluatePath(valuePath, file, 'js'));
    const ref = parseTypeReference(text);
    if (!ref) return NOT_STRUCTURAL;
    let hit: Instance | undefined;
    const [head] = ref.path;
    const wrapper = ref.path.length === 1 ? TS_WRAPPERS[head!] : undefined;
    if (wrapper !== undefined && ref.args.length) {
      hit = await this.resolveWrapper(wrapper, ref.args, file, args, depth);
    } else if (ref.path.length === 1 && args?.has(head!)) {
      const bound = args.get(head!)!;
      hit = await this.resolveType(bound.text, bound.file, 'js', bound.args, depth + 1);
    } else {
      hit = await this.namedType(ref.path, ref.args, file, 'js', args, depth);
    }
    if (hit && ref.member !== undefined) {
      const m = await this.memberOfInstance(hit, ref.member);
      hit = m ? await this.instanceOfValue(await this.valueOfDef(m.ref, m.args)) : undefined;
    }
    if (hit && ref.arrays > 0) hit = { ...hit, container: true };
    // A name the workspace does not define (a dependency's `Signal<Foo>`): its arguments may still say.
    return hit ?? NOT_STRUCTURAL;
  }

  private async unionOf(parts: string[], file: string, args: TypeArgs | undefined, depth: number): Promise<Instance | undefined> {
    const found: Instance[] = [];
    for (const part of parts) {
      const hit = await this.resolveType(part, file, 'js', args, depth + 1);
      if (hit && !found.some((f) => defKey(f.type) === defKey(hit.type))) found.push(hit);
    }
    const [first, ...rest] = found;
    if (!first) return undefined;
    const alts = [...(first.alts ?? []), ...rest.flatMap((r) => [r.type, ...(r.alts ?? [])])].filter((t) => defKey(t) !== defKey(first.type));
    return alts.length ? { ...first, alts } : first;
  }

  /** `Awaited<X>`, `Partial<X>`, `Array<X>`, `ReturnType<typeof f>`, `InstanceType<typeof C>`… */
  private async resolveWrapper(wrapper: TsWrapper, typeArgs: string[], file: string, args: TypeArgs | undefined, depth: number): Promise<Instance | undefined> {
    const inner = wrapper === 'value' ? typeArgs[typeArgs.length - 1]! : typeArgs[0]!;
    if (wrapper === 'returnOf' || wrapper === 'instanceOf') {
      const valuePath = typeofPath(inner);
      if (valuePath) {
        const v = await this.evaluatePath(valuePath, file, 'js');
        return this.instanceOfValue(v && (await this.callResult(v, 'js')));
      }
      const fnType = await this.expandToFunctionType(inner, file, args, depth);
      const ret = fnType && returnOfFunctionType(fnType.text);
      return ret ? this.resolveType(ret, fnType.file, 'js', fnType.args, depth + 1) : undefined;
    }
    const hit = await this.resolveType(inner, file, 'js', args, depth + 1);
    return hit && (wrapper === 'element' || wrapper === 'value') ? { ...hit, container: true } : hit;
  }

  /**
   * A named type: the definition `path` names in `file`, its type parameters bound to `typeArgs`. An
   * alias without members of its own is followed (`type AnyRouter = Router<any>`, a union alias).
   */
  private async namedType(path: string[], typeArgs: string[], file: string, family: LanguageFamily, args: TypeArgs | undefined, depth: number): Promise<Instance | undefined> {
    const v = await this.evaluatePath(path, file, family);
    if (v?.kind !== 'def') return undefined;
    const ref = v.ref;
    const bound = this.bindTypeParams(ref, typeArgs, file, args);
    const own = ref.summary.defs.some((d) => d.parent === ref.index);
    // `type A = B` (or a Go named type `type A B`): follow to B when A has no members of its own.
    if (ref.def.kind === 'type' && ref.def.type && !own) {
      const next = await this.resolveType(ref.def.type, ref.file, family, bound, depth + 1);
      if (next) return next;
    }
    // A field typed by an object type literal is itself the type of what it holds.
    if (isTypeDef(ref.def) || own) return bound ? { kind: 'instance', type: ref, args: bound } : { kind: 'instance', type: ref };
    return undefined;
  }

  /** `typeArgs` (texts in `file`) for the type parameters of `ref`; parameters not given take their bound. */
  private bindTypeParams(ref: DefRef, typeArgs: string[], file: string, args: TypeArgs | undefined): TypeArgs | undefined {
    const params = ref.def.typeParams;
    if (!params?.length) return undefined;
    const bound = new Map<string, TypeArg>();
    params.forEach((p, i) => {
      const { name, bound: constraint } = typeParameter(p);
      const given = typeArgs[i];
      if (given !== undefined) bound.set(name, { text: given, file, args });
      else if (constraint) bound.set(name, { text: constraint, file: ref.file, args: bound });
    });
    return bound.size ? bound : undefined;
  }

  /** The bounds of a definition's own type parameters (`T extends Base` reads T as Base). */
  typeParamBounds(ref: DefRef, outer?: TypeArgs): TypeArgs | undefined {
    const own = this.bindTypeParams(ref, [], ref.file, undefined);
    if (!outer) return own;
    if (!own) return outer;
    return new Map([...outer, ...own]);
  }

  /**
   * Follows a type text through aliases to a function type (`Handler`, `OperatorFunction<A, B>`),
   * with the aliases' type parameters bound along the way.
   */
  private async expandToFunctionType(text: string, file: string, args: TypeArgs | undefined, depth: number): Promise<TypeArg | undefined> {
    if (depth > MAX_TYPE_DEPTH) return undefined;
    if (isFunctionType(text)) return { text, file, args };
    const ref = parseTypeReference(text);
    if (!ref || ref.member !== undefined || ref.arrays) return undefined;
    if (ref.path.length === 1 && args?.has(ref.path[0]!)) {
      const bound = args.get(ref.path[0]!)!;
      return this.expandToFunctionType(bound.text, bound.file, bound.args, depth + 1);
    }
    const v = await this.evaluatePath(ref.path, file, 'js');
    if (v?.kind !== 'def' || v.ref.def.kind !== 'type' || !v.ref.def.type) return undefined;
    return this.expandToFunctionType(v.ref.def.type, v.ref.file, this.bindTypeParams(v.ref, ref.args, file, args), depth + 1);
  }

  /** Parameter `index` of a function of type `text` (`fnparam`), or of the callback type a parameter declares. */
  async functionParameter(text: string, index: number, file: string, family: LanguageFamily, args?: TypeArgs): Promise<Instance | undefined> {
    if (family !== 'js') {
      const param = parameterOfFunctionType(text, index);
      return param ? this.resolveType(param, file, family, args) : undefined;
    }
    const fnType = await this.expandToFunctionType(text, file, args, 0);
    const param = fnType && parameterOfFunctionType(fnType.text, index);
    return param ? this.resolveType(param, fnType.file, family, fnType.args) : undefined;
  }

  /** A value path from the top level of `file` (`a.b.c`). */
  private async evaluatePath(path: string[], file: string, family: LanguageFamily, lookup?: (name: string) => Promise<Value | undefined>): Promise<Value | undefined> {
    if (!path.every((p) => IDENTIFIER.test(p))) return undefined;
    let v = lookup ? await lookup(path[0]!) : await this.lookupTop(file, path[0]!);
    for (const seg of path.slice(1)) v = v && (await this.step(v, seg, family));
    return v;
  }

  /** What a field or variable holds, as a value (keeps whether it is a collection); `args` bind its owner's type parameters. */
  async valueOfDef(ref: DefRef, args?: TypeArgs): Promise<Instance | undefined> {
    const { def, file, summary } = ref;
    if (isTypeDef(def) || def.kind === 'function' || def.kind === 'method') return undefined;
    const family = familyOf(summary.lang);
    // A field whose declared type is an object type literal: its members are declared under it.
    if (summary.defs.some((d) => d.parent === ref.index)) return { kind: 'instance', type: ref };
    const key = `value\0${defKey(ref)}`;
    if (this.pending.has(key)) return undefined;
    this.pending.add(key);
    try {
      if (def.type) {
        const v = await this.resolveType(def.type, file, family, args);
        if (v) return v;
      }
      if (def.value) return this.instanceOfValue(await this.evaluateValueText(def.value, file, family));
      return undefined;
    } finally {
      this.pending.delete(key);
    }
  }

  /** The type a symbol has when used as a value (a field's declared type, a variable's initializer). */
  async typeOfDef(ref: DefRef): Promise<DefRef | undefined> {
    if (isTypeDef(ref.def)) return ref;
    const v = await this.valueOfDef(ref);
    return v && !v.container ? v.type : undefined;
  }

  /** A value as an instance: a def that holds one (a variable, a field) is read through its type. */
  async instanceOfValue(v: Value | undefined): Promise<Instance | undefined> {
    if (!v || v.kind === 'module') return undefined;
    if (v.kind === 'instance') return v;
    if (isTypeDef(v.ref.def)) return { kind: 'instance', type: v.ref };
    return this.valueOfDef(v.ref, v.args);
  }

  /**
   * `new X`, `call f`, `ref a.b`, `type T`, `elem …`, `arg …`, `fnparam …`, `thisarg …` (see
   * SymbolDef.value), evaluated at the top level of `file` (or with `lookup` for a cursor's locals).
   */
  async evaluateValueText(value: string, file: string, family: LanguageFamily, lookup?: (name: string) => Promise<Value | undefined>, args?: TypeArgs): Promise<Value | undefined> {
    const space = value.indexOf(' ');
    const how = value.slice(0, space);
    const what = value.slice(space + 1);
    if (how === 'type') return this.resolveType(what, file, family, args);
    if (how === 'elem') return this.elementOfValue(await this.evaluateValueText(what, file, family, lookup, args), family);
    if (how === 'arg') return this.callbackParameter(what, file, family, lookup);
    if (how === 'thisof' || how === 'paramof') return this.objectLiteralMember(how, what, file, family, lookup, args);
    if (how === 'fnparam') {
      const hash = what.lastIndexOf('#');
      return this.functionParameter(what.slice(0, hash), Number(what.slice(hash + 1)), file, family, args);
    }
    const path = what.replace(/<.*$/, '').replace(/\(.*$/, '').replace(/\?/g, '').split('.').map((s) => s.trim());
    const v = await this.evaluatePath(path, file, family, lookup);
    if (!v) return undefined;
    // `items.find(…)`: stepping to a collection's accessor already gave the element.
    if (how === 'call' && v.kind === 'instance' && path.length > 1 && ELEMENT_ACCESSORS.has(path[path.length - 1]!)) return v;
    if (how === 'new' || how === 'call') return this.callResult(v, family);
    return v;
  }

  /** The callee of a call text (`a.b` in `arg a.b#0#1`): its value, and the receiver it was reached on. */
  private async callee(text: string, file: string, family: LanguageFamily, lookup?: (name: string) => Promise<Value | undefined>): Promise<{ fn: Value | undefined; receiver: Value | undefined; method: string }> {
    const path = text.replace(/\?/g, '').split('.').map((p) => p.trim());
    const method = path[path.length - 1]!;
    const receiver = path.length > 1 ? await this.evaluatePath(path.slice(0, -1), file, family, lookup) : undefined;
    const fn = path.length > 1 ? receiver && (await this.step(receiver, method, family)) : await this.evaluatePath(path, file, family, lookup);
    return { fn, receiver, method };
  }

  /** The function (or constructor) a callee value calls, with its owner's type arguments. */
  private async callable(fn: Value | undefined): Promise<{ ref: DefRef; args?: TypeArgs } | undefined> {
    if (fn?.kind !== 'def') return undefined;
    if (!isTypeDef(fn.ref.def)) return { ref: fn.ref, args: fn.args };
    const ctor = (await this.membersOf(fn.ref)).find((m) => m.def.name === 'constructor');
    return ctor && { ref: ctor, args: this.typeParamBounds(fn.ref) };
  }

  /** `f#i#j`: parameter j of the callback passed as argument i to f, typed by f's declaration. */
  private async callbackParameter(what: string, file: string, family: LanguageFamily, lookup?: (name: string) => Promise<Value | undefined>): Promise<Value | undefined> {
    const [calleeText, argText, paramText] = what.split('#');
    const argIndex = Number(argText);
    const paramIndex = Number(paramText);
    const { fn, receiver, method } = await this.callee(calleeText!, file, family, lookup);
    // `items.map(item => …)`, `items.forEach(…)`: the element of a collection.
    const iteration = ITERATION_CALLBACKS[method];
    if (receiver && iteration !== undefined && argIndex === 0 && paramIndex === iteration) {
      const element = await this.elementOfValue(receiver, family);
      if (element) return element;
    }
    const target = await this.callable(fn);
    const paramType = target?.ref.def.params?.[argIndex];
    if (!target || !paramType) return undefined;
    return this.functionParameter(paramType, paramIndex, target.ref.file, family, this.typeParamBounds(target.ref, target.args));
  }

  /**
   * `this` (`thisof <source>@m`) or parameter j (`paramof <source>@m@j`) in method m of an object literal
   * whose type comes from `<source>` (see SymbolDef.value). When m's own type spells out `this` (an
   * object type under it, a `this:` parameter), that is `this`; else the object itself is.
   */
  private async objectLiteralMember(how: string, what: string, file: string, family: LanguageFamily, lookup: ((name: string) => Promise<Value | undefined>) | undefined, args: TypeArgs | undefined): Promise<Value | undefined> {
    const [source, method, paramText] = what.split('@');
    let object: Instance | undefined;
    if (source!.startsWith('type ')) object = await this.resolveType(source!.slice(5), file, family, args);
    else if (source!.startsWith('arg ')) {
      const [calleeText, argText] = source!.slice(4).split('#');
      const target = await this.callable((await this.callee(calleeText!, file, family, lookup)).fn);
      const paramType = target?.ref.def.params?.[Number(argText)];
      if (target && paramType) object = await this.resolveType(paramType, target.ref.file, family, this.typeParamBounds(target.ref, target.args));
    }
    if (!object) return undefined;
    const m = await this.memberOfInstance(object, method!);
    if (how === 'paramof') {
      if (!m) return undefined;
      const index = Number(paramText);
      const declared = m.ref.def.params?.[index];
      const bounds = this.typeParamBounds(m.ref, m.args);
      if (declared) return this.resolveType(declared, m.ref.file, family, bounds);
      return m.ref.def.type ? this.functionParameter(m.ref.def.type, index, m.ref.file, family, bounds) : undefined;
    }
    if (m && m.ref.summary.defs.some((d) => d.parent === m.ref.index)) return { kind: 'instance', type: m.ref };
    const thisType = m?.ref.def.type && thisOfFunctionType(m.ref.def.type);
    if (thisType) {
      const hit = await this.resolveType(thisType, m.ref.file, family, m.args);
      if (hit) return hit;
    }
    return object;
  }

  /**
   * An element of a collection value; of another generic value (`Stream<T>`), its first type argument;
   * else the value itself (`Array.isArray(x) ? x : [x]` is typed as x).
   */
  private async elementOfValue(v: Value | undefined, family: LanguageFamily): Promise<Instance | undefined> {
    const held = await this.instanceOfValue(v);
    if (!held) return undefined;
    if (held.container) return { kind: 'instance', type: held.type, ...(held.alts ? { alts: held.alts } : {}) };
    const first = held.type.def.typeParams?.[0];
    const arg = first && held.args?.get(typeParameter(first).name);
    return (arg && (await this.resolveType(arg.text, arg.file, family, arg.args))) || (family === 'js' ? held : undefined);
  }

  /** Member `name` of an instance: of its type, else of the other members of its union. */
  async memberOfInstance(v: Instance, name: string): Promise<{ ref: DefRef; args?: TypeArgs } | undefined> {
    for (const type of [v.type, ...(v.alts ?? [])]) {
      const m = await this.memberOf(type, name);
      // The type's own members see its type arguments; inherited ones see their declarations' bounds.
      if (m) return { ref: m, args: type === v.type && m.def.parent === type.index && m.file === type.file ? v.args : undefined };
    }
    return undefined;
  }

  /** `.name` on a value. */
  async step(v: Value, name: string, family: LanguageFamily): Promise<Value | undefined> {
    if (v.kind === 'module') return this.lookupIn(v.module, name, family);
    if (v.kind === 'instance' && v.container) return ELEMENT_ACCESSORS.has(name) ? { kind: 'instance', type: v.type, ...(v.alts ? { alts: v.alts } : {}) } : undefined;
    const held = await this.instanceOfValue(v.kind === 'def' && (v.ref.def.kind === 'function' || v.ref.def.kind === 'method') ? undefined : v);
    // Static members: `Foo.create` on a class, `ns.x` on a namespace, a function's properties.
    const target = held ?? (v.kind === 'def' ? { kind: 'instance' as const, type: v.ref } : undefined);
    if (!target || (held?.container && !ELEMENT_ACCESSORS.has(name))) return undefined;
    if (held?.container) return { kind: 'instance', type: held.type };
    if (target.alts?.length) {
      // `A & B` where both declare the member (langium's `parser` services): what it holds merges too.
      const merged = await this.mergedMember(target, name);
      if (merged) return merged;
    }
    const m = await this.memberOfInstance(target, name);
    return m && { kind: 'def', ref: m.ref, ...(m.args ? { args: m.args } : {}) };
  }

  /** A field declared by several types of a union or intersection: one instance of everything it holds there. */
  private async mergedMember(v: Instance, name: string): Promise<Instance | undefined> {
    const held: Instance[] = [];
    for (const type of [v.type, ...(v.alts ?? [])]) {
      const m = await this.memberOf(type, name);
      if (!m || m.def.kind === 'method' || m.def.kind === 'function') continue;
      const value = await this.valueOfDef(m, type === v.type ? v.args : undefined);
      if (value && !held.some((h) => defKey(h.type) === defKey(value.type))) held.push(value);
    }
    if (held.length < 2) return undefined;
    const [first, ...rest] = held;
    return { ...first!, alts: [...(first!.alts ?? []), ...rest.flatMap((r) => [r.type, ...(r.alts ?? [])])] };
  }

  /** The result of calling a value: an instance of a class, or of a function's declared return type. */
  async callResult(v: Value, family: LanguageFamily): Promise<Value | undefined> {
    if (v.kind !== 'def') return undefined;
    const { def, file } = v.ref;
    if (isTypeDef(def)) return { kind: 'instance', type: v.ref };
    if ((def.kind === 'function' || def.kind === 'method') && def.type) return this.resolveType(def.type, file, family, this.typeParamBounds(v.ref, v.args));
    // A field or variable holding a function: its declared function type's result.
    if (def.type && family === 'js') {
      const fnType = await this.expandToFunctionType(def.type, file, v.args, 0);
      const ret = fnType && returnOfFunctionType(fnType.text);
      if (ret) return this.resolveType(ret, fnType.file, family, fnType.args);
    }
    return undefined;
  }

  /** `x[i]`: an element of a collection; anything else is taken as itself (types are not that precise). */
  async elementOf(v: Value): Promise<Value> {
    const held = v.kind === 'def' ? await this.instanceOfValue(v) : v;
    return held?.kind === 'instance' && held.container ? { kind: 'instance', type: held.type, ...(held.alts ? { alts: held.alts } : {}) } : v;
  }

  /** The type whose members `.x` on this value reaches. */
  async instanceType(v: Value): Promise<DefRef | undefined> {
    const held = await this.instanceOfValue(v);
    return held && !held.container ? held.type : undefined;
  }

  /** Every type whose members `.x` on this value may reach (the members of a union). */
  async instanceTypes(v: Value): Promise<DefRef[]> {
    const held = await this.instanceOfValue(v);
    return held && !held.container ? [held.type, ...(held.alts ?? [])] : [];
  }
}

/** `A extends B ? C : D` -> [C, D]; nested conditionals stay whole in their branch (the recursion splits them). */
function conditionalBranches(text: string): string[] | undefined {
  const parts = splitTopLevel(text, '?:');
  if (parts.length < 3 || !/\sextends\s/.test(parts[0]!)) return undefined;
  // Re-pair the separators: the first `?` is ours; its `:` is the one that closes every `?` opened after it.
  let depth = 0;
  let question = -1;
  let colon = -1;
  let level = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if ('<([{'.includes(c)) level++;
    else if ('>)]}'.includes(c) && !(c === '>' && text[i - 1] === '=')) level = Math.max(0, level - 1);
    else if (level === 0 && c === '?' && text[i + 1] !== '.') {
      if (question < 0) question = i;
      else depth++;
    } else if (level === 0 && c === ':' && question >= 0) {
      if (depth === 0) {
        colon = i;
        break;
      }
      depth--;
    }
  }
  if (question < 0 || colon < 0) return undefined;
  return [text.slice(question + 1, colon).trim(), text.slice(colon + 1).trim()];
}
