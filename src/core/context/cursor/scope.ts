/**
 * What surrounds the cursor in its own file: the enclosing function and class (from the summary), the
 * parameters and locals visible there, and what a name means at that point (local first, then the
 * file's top level and imports).
 */
import { familyOf, type LanguageFamily } from '../languages';
import type { DefRef, Resolver, TypeArgs, Value } from '../resolve/symbols';
import { isTypeDef } from '../resolve/symbols';
import type { FileSummary, LocalBinding } from '../summary';

export class CursorScope {
  readonly family: LanguageFamily;
  /** Innermost function or method around the cursor. */
  readonly fn: DefRef | undefined;
  /** Innermost class, interface or struct around the cursor (Go: the method's receiver type). */
  readonly owner: DefRef | undefined;
  readonly bindings: LocalBinding[];
  /** The enclosing class's and function's type parameters, read as their bounds (`T extends Base`: Base). */
  readonly typeArgs: TypeArgs | undefined;
  private readonly resolving = new Set<string>();

  constructor(
    readonly file: string,
    readonly summary: FileSummary,
    readonly line: number,
    private readonly resolver: Resolver,
  ) {
    this.family = familyOf(summary.lang);
    let fn: DefRef | undefined;
    let owner: DefRef | undefined;
    summary.defs.forEach((def, index) => {
      if (def.line > line || def.end < line) return;
      const ref = { file, index, def, summary };
      if ((def.kind === 'function' || def.kind === 'method') && (!fn || def.line >= fn.def.line)) fn = ref;
      if (isTypeDef(def) && (!owner || def.line >= owner.def.line)) owner = ref;
    });
    if (!owner && fn?.def.receiver) {
      const i = summary.defs.findIndex((d) => d.name === fn!.def.receiver && d.parent === -1 && isTypeDef(d));
      if (i >= 0) owner = { file, index: i, def: summary.defs[i]!, summary };
    }
    this.fn = fn;
    this.owner = owner;
    const ownerArgs = owner && resolver.typeParamBounds(owner);
    this.typeArgs = fn ? resolver.typeParamBounds(fn, ownerArgs) : ownerArgs;
    // Innermost (latest-starting) binding first, so it shadows outer ones.
    this.bindings = summary.bindings.filter((b) => b.from <= line && line <= b.to).sort((a, b) => b.from - a.from);
  }

  binding(name: string): LocalBinding | undefined {
    return this.bindings.find((b) => b.name === name);
  }

  /** What `name` means at the cursor. */
  async lookup(name: string): Promise<Value | undefined> {
    const self = (name === 'this' && (this.family === 'js' || this.family === 'java')) || (name === 'self' && (this.family === 'python' || this.family === 'rust'));
    if (self && !this.binding(name)) {
      return this.owner && { kind: 'instance', type: await this.ownerWithReceiverType() };
    }
    const b = this.binding(name);
    if (b) return this.bindingValue(b);
    return this.resolver.lookupTop(this.file, name);
  }

  private async ownerWithReceiverType(): Promise<DefRef> {
    // Go methods may be declared in a different file than their type: resolve the receiver by name.
    const receiver = this.fn?.def.receiver;
    if (receiver && this.owner?.def.name !== receiver) {
      const v = await this.resolver.lookupTop(this.file, receiver);
      if (v?.kind === 'def') return v.ref;
    }
    return this.owner!;
  }

  async bindingValue(b: LocalBinding): Promise<Value | undefined> {
    const key = `${b.name}:${b.line}`;
    if (this.resolving.has(key)) return undefined;
    this.resolving.add(key);
    try {
      if (b.type) {
        const v = await this.resolver.instanceFromText(b.type, this.file, this.family, this.typeArgs);
        if (v) return v;
      }
      if (b.value) {
        const v = await this.resolver.evaluateValueText(b.value, this.file, this.family, (n) => (n === b.name ? Promise.resolve(undefined) : this.lookup(n)), this.typeArgs);
        if (v?.kind === 'def' && !isTypeDef(v.ref.def)) return (await this.resolver.instanceOfValue(v)) ?? v;
        return v;
      }
      return undefined;
    } finally {
      this.resolving.delete(key);
    }
  }
}
