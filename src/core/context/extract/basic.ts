/**
 * Rust, Java, C and C++: definitions with their members and import specifiers, without types of
 * locals (no type-following yet for these languages; their definitions still resolve by name).
 */
import type { Node, QueryMatch } from 'web-tree-sitter';
import { SummaryBuilder, compactText, lineOf, capturedItems, type ExtractedSummary } from './common';
import type { DefKind } from '../summary';

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
      out.imports.push({ line: lineOf(node), from: name.text.replace(/^["<]|[">]$/g, '') });
      continue;
    }
    if (kind === 'package') {
      out.pkg = name.text;
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
    out.addDef(node, name, defKind, { parent: place.parent, receiver: place.receiver, headerEnd: body ? lineOf(body) : undefined, type: compactText(node.childForFieldName('type')) });
    if (CONTAINER_KINDS.has(kind)) containers.add(node.id);
  }
  return out.result();
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
