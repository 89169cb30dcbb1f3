/**
 * Names to definitions across files: following imports, barrels (`export * from`, `export { x } from`,
 * Python `__init__` re-exports), Go packages, and types to their members (inherited ones, Go methods
 * declared anywhere in the package and promoted through embedded fields).
 */
import { familyOf, type LanguageFamily } from '../languages';
import type { WorkspaceIndex } from '../store/workspaceIndex';
import type { FileSummary, ImportDecl, SymbolDef } from '../summary';
import { dirOf, goPackageFiles, resolveGoPackage, resolveJsModule, resolvePythonModule, type ModuleRef } from './modules';
import { typeNamesIn } from './typeNames';

/** A definition somewhere in the workspace. */
export interface DefRef {
  file: string;
  index: number;
  def: SymbolDef;
  summary: FileSummary;
}

/** What a name or expression stands for while a chain is evaluated. */
export type Value =
  | { kind: 'module'; module: ModuleRef }
  /** The symbol itself: a class (its static side), a function, a variable, a member. */
  | { kind: 'def'; ref: DefRef }
  /**
   * A value of a class, interface, struct or type; with `container`, a collection of them (`T[]`,
   * `Map<K, T>`, `[]T`, `list[T]`): its element accessors (`get`, `pop`, `[i]`) give a `type`.
   */
  | { kind: 'instance'; type: DefRef; container?: boolean };

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

  constructor(private readonly index: WorkspaceIndex) {}

  /** The module an import names, or undefined when it is outside the workspace. */
  importModule(file: string, family: LanguageFamily, decl: Pick<ImportDecl, 'from'>): ModuleRef | undefined {
    const key = `${family === 'go' ? '' : file}\0${decl.from}`;
    if (!this.moduleCache.has(key)) {
      let found: ModuleRef | undefined;
      if (family === 'js') found = resolveJsModule(this.index, file, decl.from);
      else if (family === 'python') found = resolvePythonModule(this.index, file, decl.from);
      else if (family === 'go') found = resolveGoPackage(this.index, decl.from);
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
    for (const decl of summary.imports) {
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
    const stars = summary.imports.filter((d) => d.star);
    if (stars.length) {
      const definers = new Set(this.index.filesDefining(name));
      if (definers.size || family === 'python') {
        const ranked = stars
          .map((decl) => ({ decl, module: this.importModule(file, family, decl) }))
          .filter((x): x is { decl: ImportDecl; module: ModuleRef } => x.module !== undefined)
          .sort((a, b) => Number(b.module.files.some((f) => definers.has(f))) - Number(a.module.files.some((f) => definers.has(f))));
        for (const { module } of ranked) {
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
    if (family === 'python' && /(^|\/)__init__\.pyi?$/.test(file)) return this.pythonSubmodule(dirOf(file), name);
    return undefined;
  }

  /** What a module exports as `name`. */
  async lookupIn(module: ModuleRef, name: string, family: LanguageFamily, depth = 0): Promise<Value | undefined> {
    if (family === 'go') return this.lookupInPackage(module.files, name);
    for (const f of module.files) {
      const found = await this.lookupTop(f, name, depth + 1);
      if (found) return found;
    }
    if (family === 'python' && module.dir !== undefined) return this.pythonSubmodule(module.dir, name);
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
    summary.defs.forEach((d, i) => {
      if (d.parent === index) out.push({ file, index: i, def: d, summary });
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
    // Every type an alias names counts (`A & B & { x: X }`), as every base does.
    const aliased = def.kind === 'type' && def.type ? typeNamesIn(def.type, family).map((p) => p.join('.')) : [];
    for (const base of [...(def.bases ?? []), ...aliased]) {
      const target = await this.typeFromText(base, file, family);
      if (!target || defKey(target) === defKey(type)) continue;
      for (const m of await this.membersOf(target, depth + 1)) {
        if (names.has(m.def.name)) continue;
        names.add(m.def.name);
        out.push(m);
      }
    }
    return out.slice(0, MAX_MEMBERS);
  }

  async memberOf(type: DefRef, name: string): Promise<DefRef | undefined> {
    return (await this.membersOf(type)).find((m) => m.def.name === name);
  }

  /** The type definition a declared type text names, resolved in `file`'s scope. */
  async typeFromText(text: string, file: string, family: LanguageFamily, depth = 0): Promise<DefRef | undefined> {
    if (depth > 3) return undefined;
    for (const path of typeNamesIn(text, family)) {
      let value = await this.lookupTop(file, path[0]!);
      for (const seg of path.slice(1)) {
        if (value?.kind === 'module') value = await this.lookupIn(value.module, seg, family);
        else if (value?.kind === 'def') {
          const m = await this.memberOf(value.ref, seg);
          value = m && { kind: 'def', ref: m };
        } else value = undefined;
      }
      if (value?.kind !== 'def') continue;
      const def = value.ref.def;
      // `type A = B` (or a Go named type `type A B`): follow to B when A has no members of its own.
      if (def.kind === 'type' && def.type && !value.ref.summary.defs.some((d) => d.parent === value.ref.index)) {
        const next = await this.typeFromText(def.type, value.ref.file, family, depth + 1);
        if (next) return next;
      }
      if (isTypeDef(def)) return value.ref;
    }
    return undefined;
  }

  /** A declared type text as a value: an instance of the type it names, a container of them if so. */
  async instanceFromText(text: string, file: string, family: LanguageFamily): Promise<Value | undefined> {
    const type = await this.typeFromText(text, file, family);
    if (!type) return undefined;
    return isContainerType(text) ? { kind: 'instance', type, container: true } : { kind: 'instance', type };
  }

  /** What a field or variable holds, as a value (keeps whether it is a collection). */
  async valueOfDef(ref: DefRef): Promise<Value | undefined> {
    const { def, file, summary } = ref;
    if (isTypeDef(def) || def.kind === 'function' || def.kind === 'method') return undefined;
    const family = familyOf(summary.lang);
    if (def.type) {
      const v = await this.instanceFromText(def.type, file, family);
      if (v) return v;
    }
    const t = await this.typeOfDef(ref);
    return t && { kind: 'instance', type: t };
  }

  /** The type a symbol has when used as a value (a field's declared type, a variable's initializer). */
  async typeOfDef(ref: DefRef): Promise<DefRef | undefined> {
    if (isTypeDef(ref.def)) return ref;
    const key = `type\0${defKey(ref)}`;
    if (this.pending.has(key)) return undefined;
    this.pending.add(key);
    try {
      return await this.typeOfValueDef(ref);
    } finally {
      this.pending.delete(key);
    }
  }

  private async typeOfValueDef(ref: DefRef): Promise<DefRef | undefined> {
    const { def, file, summary } = ref;
    const family = familyOf(summary.lang);
    if (isTypeDef(def)) return ref;
    if (def.kind === 'function' || def.kind === 'method') return undefined;
    if (def.type) {
      const t = await this.typeFromText(def.type, file, family);
      if (t) return t;
    }
    if (def.value) {
      const v = await this.evaluateValueText(def.value, file, family);
      return v && this.instanceType(v);
    }
    return undefined;
  }

  /** `new X`, `call f`, `ref a.b`, `type T` (see SymbolDef.value), evaluated at the top level of `file`. */
  async evaluateValueText(value: string, file: string, family: LanguageFamily, lookup?: (name: string) => Promise<Value | undefined>): Promise<Value | undefined> {
    const space = value.indexOf(' ');
    const how = value.slice(0, space);
    const what = value.slice(space + 1);
    if (how === 'type') {
      const t = await this.typeFromText(what, file, family);
      return t && { kind: 'instance', type: t };
    }
    if (how === 'arg') return this.callbackParameter(what, file, family, lookup);
    const path = what.replace(/<.*$/, '').replace(/\(.*$/, '').split('.').map((s) => s.trim());
    if (!path.every((p) => /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(p))) return undefined;
    let v = lookup ? await lookup(path[0]!) : await this.lookupTop(file, path[0]!);
    for (const seg of path.slice(1)) v = v && (await this.step(v, seg, family));
    if (!v) return undefined;
    if (how === 'new' || how === 'call') return this.callResult(v, family);
    return v;
  }

  /** `f#i#j`: parameter j of the callback passed as argument i to f, typed by f's declaration. */
  private async callbackParameter(what: string, file: string, family: LanguageFamily, lookup?: (name: string) => Promise<Value | undefined>): Promise<Value | undefined> {
    const [callee, argText, paramText] = what.split('#');
    const path = callee!.replace(/\?/g, '').split('.').map((p) => p.trim());
    if (!path.every((p) => /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(p))) return undefined;
    let v = lookup ? await lookup(path[0]!) : await this.lookupTop(file, path[0]!);
    for (const seg of path.slice(1)) v = v && (await this.step(v, seg, family));
    if (v?.kind !== 'def') return undefined;
    let fn = v.ref;
    if (isTypeDef(fn.def)) {
      const ctor = (await this.membersOf(fn)).find((m) => m.def.name === 'constructor');
      if (!ctor) return undefined;
      fn = ctor;
    }
    const paramType = fn.def.params?.[Number(argText)];
    const type = paramType && parameterOfFunctionType(paramType, Number(paramText));
    return type ? this.instanceFromText(type, fn.file, family) : undefined;
  }

  /** `.name` on a value. */
  async step(v: Value, name: string, family: LanguageFamily): Promise<Value | undefined> {
    if (v.kind === 'module') return this.lookupIn(v.module, name, family);
    if (v.kind === 'instance' && v.container) return ELEMENT_ACCESSORS.has(name) ? { kind: 'instance', type: v.type } : undefined;
    if (v.kind === 'def' && !isTypeDef(v.ref.def) && v.ref.def.kind !== 'function' && v.ref.def.kind !== 'method') {
      const held = await this.valueOfDef(v.ref);
      return held && this.step(held, name, family);
    }
    const type = await this.instanceType(v);
    if (!type) return undefined;
    const m = await this.memberOf(type, name);
    return m && { kind: 'def', ref: m };
  }

  /** The result of calling a value: an instance of a class, or of a function's declared return type. */
  async callResult(v: Value, family: LanguageFamily): Promise<Value | undefined> {
    if (v.kind !== 'def') return undefined;
    const { def, file } = v.ref;
    if (isTypeDef(def)) return { kind: 'instance', type: v.ref };
    if ((def.kind === 'function' || def.kind === 'method') && def.type) return this.instanceFromText(def.type, file, family);
    return undefined;
  }

  /** `x[i]`: an element of a collection; anything else is taken as itself (types are not that precise). */
  elementOf(v: Value): Value {
    return v.kind === 'instance' && v.container ? { kind: 'instance', type: v.type } : v;
  }

  /** The type whose members `.x` on this value reaches. */
  async instanceType(v: Value): Promise<DefRef | undefined> {
    if (v.kind === 'instance') return v.container ? undefined : v.type;
    if (v.kind === 'def') return this.typeOfDef(v.ref);
    return undefined;
  }
}

/** The declared type of parameter `index` in a function type text: `(a: A, b: B) => R`, 1 -> `B`. */
export function parameterOfFunctionType(text: string, index: number): string | undefined {
  const open = text.indexOf('(');
  if (open < 0 || !/=>/.test(text)) return undefined;
  const params: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '<' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === '>' || c === ']' || c === '}') {
      if (c === '>' && text[i - 1] === '=') continue;
      depth--;
      if (depth === 0) {
        params.push(text.slice(start, i));
        break;
      }
    } else if (c === ',' && depth === 1) {
      params.push(text.slice(start, i));
      start = i + 1;
    }
  }
  const param = params[index];
  const colon = param?.indexOf(':') ?? -1;
  return param && colon >= 0 ? param.slice(colon + 1).trim() : undefined;
}
