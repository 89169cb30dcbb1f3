import type { Node, QueryMatch } from 'web-tree-sitter';
import type { DefKind, FileSummary, ImportDecl, LocalBinding, SymbolDef } from '../summary';

/** The language-specific part of a summary; the rest (version, line hashes) is filled in by summarize(). */
export type ExtractedSummary = Pick<FileSummary, 'imports' | 'defs' | 'bindings' | 'pkg' | 'exportAliases'>;

/** Longest type or value text kept: enough for `Map<string, Observable<T>>`, not for a whole object type. */
const MAX_TEXT = 200;
/** A signature longer than this is cut: the header snippet is meant to be cheap. */
export const MAX_HEADER_LINES = 8;

export const lineOf = (node: Node): number => node.startPosition.row + 1;

/** Last line a node occupies (a node ending at column 0 ends on the line before). */
export function endLineOf(node: Node): number {
  const end = node.endPosition;
  return end.column === 0 && end.row > node.startPosition.row ? end.row : end.row + 1;
}

/** Node text on one line, whitespace collapsed and capped, for type and value texts. */
export function compactText(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  const text = node.text.replace(/\s+/g, ' ').trim();
  if (!text) return undefined;
  return text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
}

/** Collects a summary while a tree is walked; members find their parent by the container node's id. */
export class SummaryBuilder {
  readonly defs: SymbolDef[] = [];
  readonly bindings: LocalBinding[] = [];
  readonly imports: ImportDecl[] = [];
  readonly exportAliases: Record<string, string> = {};
  pkg: string | undefined;
  private readonly defByNode = new Map<number, number>();

  addDef(
    node: Node,
    nameNode: Node,
    kind: DefKind,
    fields: { parent?: number; headerEnd?: number; type?: string; value?: string; bases?: string[]; receiver?: string; params?: string[]; typeParams?: string[] } = {},
  ): number {
    const line = lineOf(nameNode);
    const end = Math.max(line, endLineOf(node));
    const headerEnd = Math.min(Math.max(line, fields.headerEnd ?? line), end, line + MAX_HEADER_LINES - 1);
    const def: SymbolDef = { name: nameNode.text, kind, line, headerEnd, end, parent: fields.parent ?? -1 };
    if (fields.type) def.type = fields.type;
    if (fields.value) def.value = fields.value;
    if (fields.bases?.length) def.bases = fields.bases;
    if (fields.receiver) def.receiver = fields.receiver;
    if (fields.params?.some(Boolean)) def.params = fields.params;
    if (fields.typeParams?.length) def.typeParams = fields.typeParams;
    this.defs.push(def);
    const index = this.defs.length - 1;
    this.defByNode.set(node.id, index);
    return index;
  }

  defIndexOf(node: Node): number | undefined {
    return this.defByNode.get(node.id);
  }

  /** `as`: the name bound, when it is not the node's text (`this` inside an object literal's method). */
  addBinding(nameNode: Node, scope: Node | null, fields: { type?: string; value?: string; fromScopeStart?: boolean; as?: string } = {}): void {
    const name = fields.as ?? nameNode.text;
    if (!/^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(name)) return;
    const binding: LocalBinding = {
      name,
      line: lineOf(nameNode),
      from: fields.fromScopeStart && scope ? lineOf(scope) : lineOf(nameNode),
      to: scope ? endLineOf(scope) : Number.MAX_SAFE_INTEGER,
    };
    if (fields.type) binding.type = fields.type;
    if (fields.value) binding.value = fields.value;
    this.bindings.push(binding);
  }

  result(): ExtractedSummary {
    const out: ExtractedSummary = { imports: this.imports, defs: this.defs, bindings: this.bindings };
    if (this.pkg) out.pkg = this.pkg;
    if (Object.keys(this.exportAliases).length) out.exportAliases = this.exportAliases;
    return out;
  }
}

/** The nearest ancestor (not the node itself) whose type is in `types`, stopping at any in `stopAt`. */
export function ancestorOf(node: Node, types: ReadonlySet<string>, stopAt?: ReadonlySet<string>): Node | null {
  for (let n = node.parent; n; n = n.parent) {
    if (types.has(n.type)) return n;
    if (stopAt?.has(n.type)) return null;
  }
  return null;
}

export interface CapturedItem {
  /** The capture that is not `@name`: what kind of thing matched (`function`, `class`, `import`...). */
  kind: string;
  node: Node;
  name: Node | undefined;
}

/**
 * A query's matches as one item each, in document order with containers before what they contain,
 * so a member always finds its parent already summarized.
 */
export function capturedItems(matches: readonly QueryMatch[]): CapturedItem[] {
  return matches
    .flatMap((m) => {
      const main = m.captures.find((c) => c.name !== 'name');
      return main ? [{ kind: main.name, node: main.node, name: m.captures.find((c) => c.name === 'name')?.node }] : [];
    })
    .sort((a, b) => a.node.startIndex - b.node.startIndex || b.node.endIndex - a.node.endIndex);
}
