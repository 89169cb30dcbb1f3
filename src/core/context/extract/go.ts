/**
 * Go: the package clause, imports with their local names, functions, methods (with the receiver's
 * type), struct fields and embedded types, interface methods, package-level consts and vars, and
 * parameters and `:=` locals with what their type can be read from.
 */
import type { Node, QueryMatch } from 'web-tree-sitter';
import { SummaryBuilder, ancestorOf, compactText, lineOf, capturedItems, type ExtractedSummary } from './common';

export const GO_QUERY = `
(package_clause (package_identifier) @name) @package
(import_spec) @import
(function_declaration name: (identifier) @name) @function
(method_declaration name: (field_identifier) @name) @method
(type_spec name: (type_identifier) @name) @type
(type_alias name: (type_identifier) @name) @alias
(const_spec) @var
(var_spec) @var
(short_var_declaration) @short
(func_literal) @literal
`;

const FUNCTIONS = new Set(['function_declaration', 'method_declaration', 'func_literal']);

export function extractGo(matches: QueryMatch[]): ExtractedSummary {
  const out = new SummaryBuilder();
  const items = capturedItems(matches);
  for (const { kind, node, name } of items) {
    if (kind === 'package') out.pkg = name?.text;
    else if (kind === 'import') importSpec(out, node);
    else if (kind === 'function' && name) {
      out.addDef(node, name, 'function', { type: compactText(node.childForFieldName('result')), headerEnd: bodyLine(node) });
      parameters(out, node, node.childForFieldName('parameters'));
    } else if (kind === 'method' && name) method(out, node, name);
    else if ((kind === 'type' || kind === 'alias') && name) typeSpec(out, node, name);
    else if (kind === 'var') varSpec(out, node);
    else if (kind === 'short') shortVar(out, node);
    else if (kind === 'literal') parameters(out, node, node.childForFieldName('parameters'));
  }
  return out.result();
}

function importSpec(out: SummaryBuilder, node: Node): void {
  const path = node.childForFieldName('path')?.text.replace(/^["`]|["`]$/g, '');
  if (!path) return;
  const name = node.childForFieldName('name');
  if (name?.type === 'blank_identifier') return;
  if (name?.type === 'dot') {
    out.imports.push({ line: lineOf(node), from: path, star: true });
    return;
  }
  out.imports.push({ line: lineOf(node), from: path, namespace: name?.text ?? defaultPackageName(path) });
}

/**
 * The name a package is used by when the import does not rename it: the last path element, skipping a
 * major-version suffix (`hcl/v2` is `hcl`) and the usual `go-` prefix. The package clause can differ;
 * the resolver checks the target's summaries.
 */
export function defaultPackageName(importPath: string): string {
  const parts = importPath.split('/');
  let last = parts[parts.length - 1] ?? importPath;
  if (/^v\d+$/.test(last) && parts.length > 1) last = parts[parts.length - 2]!;
  return last.replace(/^go-/, '').replace(/[.-]go$/, '').replace(/[^\w]/g, '_');
}

function method(out: SummaryBuilder, node: Node, name: Node): void {
  const receiverList = node.childForFieldName('receiver');
  const receiverParam = receiverList?.namedChildren.find((c) => c?.type === 'parameter_declaration');
  const receiver = receiverTypeName(receiverParam?.childForFieldName('type') ?? null);
  out.addDef(node, name, 'method', { type: compactText(node.childForFieldName('result')), headerEnd: bodyLine(node), receiver });
  parameters(out, node, receiverList);
  parameters(out, node, node.childForFieldName('parameters'));
}

/** `*List[T]` -> `List`. */
function receiverTypeName(type: Node | null): string | undefined {
  let t = type;
  while (t && (t.type === 'pointer_type' || t.type === 'generic_type' || t.type === 'parenthesized_type')) {
    t = t.type === 'generic_type' ? t.childForFieldName('type') : t.namedChildren[0] ?? null;
  }
  return t?.text;
}

function typeSpec(out: SummaryBuilder, node: Node, name: Node): void {
  const type = node.childForFieldName('type');
  if (type?.type === 'struct_type') {
    const list = type.namedChildren.find((c) => c?.type === 'field_declaration_list');
    const fields = list?.namedChildren.filter((c): c is Node => c?.type === 'field_declaration') ?? [];
    const embedded = fields.filter((f) => f.childrenForFieldName('name').length === 0).map((f) => compactText(f.childForFieldName('type'))!);
    const index = out.addDef(node, name, 'struct', { bases: embedded.filter(Boolean), headerEnd: lineOf(type) });
    for (const field of fields) {
      const fieldType = compactText(field.childForFieldName('type'));
      const names = field.childrenForFieldName('name').filter((n): n is Node => !!n);
      if (names.length === 0) {
        // An embedded field is also a field, named after its type: `x.Segment` reaches it.
        const typeNode = field.childForFieldName('type');
        const bare = typeNode && lastTypeIdentifier(typeNode);
        if (bare) out.addDef(field, bare, 'field', { parent: index, type: fieldType });
      }
      for (const n of names) out.addDef(field, n, 'field', { parent: index, type: fieldType });
    }
    return;
  }
  if (type?.type === 'interface_type') {
    const elems = type.namedChildren.filter((c): c is Node => !!c);
    const embedded = elems.filter((e) => e.type === 'type_elem' || e.type === 'constraint_elem').map((e) => compactText(e)!);
    const index = out.addDef(node, name, 'interface', { bases: embedded.filter(Boolean), headerEnd: lineOf(type) });
    for (const e of elems) {
      const n = e.childForFieldName('name');
      if ((e.type === 'method_elem' || e.type === 'method_spec') && n) out.addDef(e, n, 'method', { parent: index, type: compactText(e.childForFieldName('result')) });
    }
    return;
  }
  out.addDef(node, name, 'type', { type: compactText(type) });
}

function lastTypeIdentifier(type: Node): Node | null {
  if (type.type === 'type_identifier') return type;
  if (type.type === 'qualified_type') return type.childForFieldName('name');
  if (type.type === 'pointer_type' || type.type === 'generic_type') {
    const inner = type.type === 'generic_type' ? type.childForFieldName('type') : type.namedChildren[0];
    return inner ? lastTypeIdentifier(inner) : null;
  }
  return null;
}

function varSpec(out: SummaryBuilder, node: Node): void {
  const fn = ancestorOf(node, FUNCTIONS);
  const type = compactText(node.childForFieldName('type'));
  const names = node.childrenForFieldName('name').filter((n): n is Node => !!n);
  const values = node.childForFieldName('value')?.namedChildren ?? [];
  names.forEach((n, i) => {
    const value = valueText(values[i] ?? (values.length === 1 ? values[0] : null) ?? null);
    if (fn) out.addBinding(n, fn, { type, value });
    else out.addDef(node, n, 'variable', { type, value });
  });
}

function shortVar(out: SummaryBuilder, node: Node): void {
  const fn = ancestorOf(node, FUNCTIONS);
  const left = node.childForFieldName('left')?.namedChildren ?? [];
  const right = node.childForFieldName('right')?.namedChildren ?? [];
  left.forEach((n, i) => {
    if (n?.type !== 'identifier' || n.text === '_') return;
    // `v, err := f()`: the first name gets f's (first) result; `v, ok := x.(T)` too.
    const source = right.length === left.length ? right[i] : i === 0 ? right[0] : undefined;
    out.addBinding(n, fn, { value: valueText(source ?? null) });
  });
}

function parameters(out: SummaryBuilder, fn: Node, list: Node | null): void {
  for (const p of list?.namedChildren ?? []) {
    if (!p || (p.type !== 'parameter_declaration' && p.type !== 'variadic_parameter_declaration')) continue;
    const type = compactText(p.childForFieldName('type'));
    for (const n of p.childrenForFieldName('name')) if (n) out.addBinding(n, fn, { type: p.type === 'variadic_parameter_declaration' ? `[]${type}` : type, fromScopeStart: true });
  }
}

function bodyLine(node: Node): number | undefined {
  const body = node.childForFieldName('body');
  return body ? lineOf(body) : undefined;
}

function valueText(value: Node | null): string | undefined {
  if (!value) return undefined;
  switch (value.type) {
    case 'call_expression': {
      const fn = value.childForFieldName('function');
      if (fn?.type === 'identifier' && fn.text === 'new') return `type ${compactText(value.childForFieldName('arguments')?.namedChildren[0])}`;
      return fn && (fn.type === 'identifier' || fn.type === 'selector_expression') ? `call ${compactText(fn)}` : undefined;
    }
    case 'composite_literal':
      return `type ${compactText(value.childForFieldName('type'))}`;
    case 'unary_expression':
      return valueText(value.childForFieldName('operand'));
    case 'type_assertion_expression':
      return `type ${compactText(value.childForFieldName('type'))}`;
    case 'parenthesized_expression':
      return valueText(value.namedChildren[0] ?? null);
    case 'identifier':
    case 'selector_expression':
      return `ref ${compactText(value)}`;
    default:
      return undefined;
  }
}
