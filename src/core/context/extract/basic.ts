/**
 * Rust, Java, C and C++: definitions with their members and imports (Rust `use` trees and `mod foo;`,
 * Java single-type and on-demand imports and the package clause), without types of locals: these
 * languages resolve names through their modules and packages, and members through declared types.
 */
import type { Node, QueryMatch } from 'web-tree-sitter';
import { SummaryBuilder, compactText, lineOf, capturedItems, type ExtractedSummary } from './common';
import type { DefKind, ImportDecl } from '../summary';

export const RUST_QUERY = `
(function_item name: (identifier) @name) @function
(function_signature_item name: (identifier) @name) @function
(struct_item name: (type_identifier) @name) @struct
(enum_item name: (type_identifier) @name) @enum
(union_item name: (type_identifier) @name) @struct
(trait_item name: (type_identifier) @name) @trait
(type_item name: (type_identifier) @name) @type
(const_item name: (identifier) @name) @variable
(static_item name: (identifier) @name) @variable
(mod_item name: (identifier) @name) @module
(macro_definition name: (identifier) @name) @function
(impl_item type: (_) @name) @impl
(field_declaration name: (field_identifier) @name) @field
(enum_variant name: (identifier) @name) @field
(use_declaration argument: (_) @name) @import
(parameter pattern: (identifier) @name) @param
(let_declaration pattern: (identifier) @name) @local
`;

export const JAVA_QUERY = `
(class_declaration name: (identifier) @name) @class
(interface_declaration name: (identifier) @name) @interface
(enum_declaration name: (identifier) @name) @enum
(record_declaration name: (identifier) @name) @class
(annotation_type_declaration name: (identifier) @name) @interface
(method_declaration name: (identifier) @name) @function
(constructor_declaration name: (identifier) @name) @function
(field_declaration declarator: (variable_declarator name: (identifier) @name)) @field
(constant_declaration declarator: (variable_declarator name: (identifier) @name)) @field
(enum_constant name: (identifier) @name) @field
(import_declaration (_) @name) @import
(package_declaration (_) @name) @package
(formal_parameter name: (identifier) @name) @param
(local_variable_declaration declarator: (variable_declarator name: (identifier) @name)) @local
`;

export const C_QUERY = `
(function_definition declarator: (function_declarator declarator: (_) @name)) @function
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: (_) @name))) @function
(declaration declarator: (function_declarator declarator: (_) @name)) @function
(struct_specifier name: (type_identifier) @name body: (_)) @struct
(union_specifier name: (type_identifier) @name body: (_)) @struct
(enum_specifier name: (type_identifier) @name body: (_)) @enum
(type_definition declarator: (type_identifier) @name) @type
(field_declaration declarator: (field_identifier) @name) @field
(enumerator name: (identifier) @name) @field
(preproc_def name: (identifier) @name) @variable
(preproc_function_def name: (identifier) @name) @function
(preproc_include path: (_) @name) @import
`;

export const CPP_QUERY = `${C_QUERY}
(class_specifier name: (type_identifier) @name body: (_)) @class
(namespace_definition name: (_) @name) @namespace
(field_declaration declarator: (function_declarator declarator: (_) @name)) @function
(alias_declaration name: (type_identifier) @name) @type
`;

const KINDS: Record<string, DefKind> = {
  function: 'function',
  struct: 'struct',
  enum: 'enum',
  trait: 'trait',
  type: 'type',
  variable: 'variable',
  module: 'module',
  class: 'class',
  interface: 'interface',
  namespace: 'namespace',
  field: 'field',
};
const CONTAINER_KINDS = new Set(['struct', 'enum', 'trait', 'module', 'class', 'interface', 'namespace', 'impl']);
const FUNCTION_NODES = new Set(['function_item', 'function_definition', 'method_declaration', 'constructor_declaration', 'lambda_expression', 'closure_expression']);

export function extractBasic(matches: QueryMatch[]): ExtractedSummary {
  const out = new SummaryBuilder();
  // Rust impl blocks are not definitions, but their functions are the type's methods.
  const implOf = new Map<number, string>();
  const containers = new Set<number>();
  const items = capturedItems(matches);
  for (const { kind, node, name } of items) {
    if (!name) continue;
    if (kind === 'import') {
      if (node.type === 'use_declaration') out.imports.push(...rustUse(name.text, lineOf(node)));
      else if (node.type === 'import_declaration') out.imports.push(...javaImport(node.text, lineOf(node)));
      else out.imports.push({ line: lineOf(node), from: name.text.replace(/^["<]|[">]$/g, '') });
      continue;
    }
    if (kind === 'module' && !node.childForFieldName('body')) {
      // `mod foo;` declares a module kept in foo.rs or foo/mod.rs: an import of it, not a definition here.
      out.imports.push({ line: lineOf(node), from: `self::${name.text}`, namespace: name.text });
      continue;
    }
    if (kind === 'package') {
      out.pkg = name.text;
      continue;
    }
    if (kind === 'param' || kind === 'local') {
      local(out, node, name);
      continue;
    }
    if (kind === 'impl') {
      implOf.set(node.id, name.text.replace(/<.*$/, ''));
      containers.add(node.id);
      continue;
    }
    const place = placeOf(node, out, implOf, containers);
    if (place === 'local') continue;
    let defKind = KINDS[kind] ?? 'variable';
    if (defKind === 'function' && (place.parent !== -1 || place.receiver)) defKind = 'method';
    const body = node.childForFieldName('body');
    out.addDef(node, name, defKind, { parent: place.parent, receiver: place.receiver, headerEnd: body ? lineOf(body) : undefined, type: compactText(node.childForFieldName('return_type') ?? node.childForFieldName('type')) });
    if (CONTAINER_KINDS.has(kind)) containers.add(node.id);
  }
  return out.result();
}

/**
 * A parameter or local (Rust, Java) with its declared type or what its value says of its type:
 * `Cart c = new Cart()`, `let c = Cart::new()` (`call Cart.new`), `var d = s.get()`.
 */
function local(out: SummaryBuilder, node: Node, name: Node): void {
  let scope: Node | null = node.parent;
  while (scope && !FUNCTION_NODES.has(scope.type)) scope = scope.parent;
  if (!scope) return;
  const declared = compactText(node.childForFieldName('type'))?.replace(/^&\s*(mut\s+)?/, '');
  const type = declared === 'var' ? undefined : declared;
  const valueNode = node.type === 'local_variable_declaration' ? name.parent?.childForFieldName('value') : node.childForFieldName('value');
  out.addBinding(name, scope, { type, value: type ? undefined : localValue(valueNode ?? null), fromScopeStart: node.type === 'parameter' || node.type === 'formal_parameter' });
}

function localValue(value: Node | null): string | undefined {
  if (!value) return undefined;
  if (value.type === 'object_creation_expression' || value.type === 'struct_expression') {
    const type = compactText(value.childForFieldName('type') ?? value.childForFieldName('name'));
    return type ? `type ${type}` : undefined;
  }
  if (value.type === 'call_expression' || value.type === 'method_invocation') {
    const fn = value.type === 'method_invocation' ? value : value.childForFieldName('function');
    const text = value.type === 'method_invocation' ? [value.childForFieldName('object')?.text, value.childForFieldName('name')?.text].filter(Boolean).join('.') : fn?.text;
    return text && /^[\w.:]+$/.test(text) ? `call ${text.replace(/::/g, '.')}` : undefined;
  }
  if (value.type === 'identifier' || value.type === 'field_expression' || value.type === 'field_access') return `ref ${value.text.replace(/\s+/g, '')}`;
  return undefined;
}

interface UseLeaf {
  path: string[];
  alias?: string;
  star?: boolean;
}

/** A Rust `use` tree (`crate::a::{b, c::D as E, *}`) as imports: one per module it names items from. */
export function rustUse(argument: string, line: number): ImportDecl[] {
  const text = argument.replace(/\s+as\s+/g, ' as ').replace(/\s*(::|,|\{|\})\s*/g, '$1').trim();
  const out: ImportDecl[] = [];
  for (const leaf of useLeaves(text, [])) {
    const from = leaf.path.slice(0, -1).join('::');
    const last = leaf.path[leaf.path.length - 1]!;
    if (leaf.star) out.push({ line, from: leaf.path.join('::'), star: true });
    else if (last === 'self') out.push({ line, from, namespace: leaf.alias ?? leaf.path[leaf.path.length - 2]! });
    else if (!from) out.push({ line, from: last, namespace: leaf.alias ?? last });
    else out.push({ line, from, names: [{ name: last, local: leaf.alias ?? last }] });
  }
  return out;
}

function useLeaves(text: string, prefix: string[]): UseLeaf[] {
  const brace = text.indexOf('{');
  if (brace >= 0 && text.endsWith('}')) {
    const head = text.slice(0, brace).replace(/::$/, '');
    const base = head ? [...prefix, ...head.split('::')] : prefix;
    return splitList(text.slice(brace + 1, -1)).flatMap((part) => useLeaves(part, base));
  }
  if (text === '*' || text.endsWith('::*')) return [{ path: [...prefix, ...text.replace(/:?:?\*$/, '').split('::').filter(Boolean)], star: true }];
  const [path, alias] = text.split(' as ');
  const segments = path!.split('::').filter(Boolean);
  return segments.length || prefix.length ? [{ path: [...prefix, ...segments], ...(alias ? { alias } : {}) }] : [];
}

/** Splits `a, b::{c, d}, e` at its top-level commas. */
function splitList(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}') depth--;
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** `import a.b.C;` -> C from package a.b; `import a.b.*;` -> all of a.b; static imports name a class's member. */
export function javaImport(statement: string, line: number): ImportDecl[] {
  const m = /^import\s+(static\s+)?([\w$.]+?)(\.\*)?\s*;/.exec(statement.trim());
  if (!m) return [];
  const path = m[2]!;
  if (m[3]) return [{ line, from: path, star: true }];
  const dot = path.lastIndexOf('.');
  return dot < 0 ? [] : [{ line, from: path.slice(0, dot), names: [{ name: path.slice(dot + 1), local: path.slice(dot + 1) }] }];
}

function placeOf(node: Node, out: SummaryBuilder, implOf: Map<number, string>, containers: Set<number>): { parent: number; receiver?: string } | 'local' {
  for (let n = node.parent; n; n = n.parent) {
    if (FUNCTION_NODES.has(n.type)) return 'local';
    if (!containers.has(n.id)) continue;
    const receiver = implOf.get(n.id);
    if (receiver) return { parent: -1, receiver };
    return { parent: out.defIndexOf(n) ?? -1 };
  }
  return { parent: -1 };
}
