/**
 * TypeScript, TSX and JavaScript: imports (ESM, `export … from`, `require`), top-level and member
 * definitions, parameters and locals with their declared types or initializers.
 */
import type { Node, QueryMatch } from 'web-tree-sitter';
import { SummaryBuilder, ancestorOf, compactText, endLineOf, lineOf, capturedItems, type ExtractedSummary } from './common';
import type { DefKind } from '../summary';

/**
 * One pattern per line: the loader compiles them one by one where the whole query fails, because the
 * three grammars name some nodes differently (`public_field_definition` vs `field_definition`).
 */
export const TYPESCRIPT_QUERY = `
(import_statement) @import
(export_statement) @export
(function_declaration name: (_) @name) @function
(generator_function_declaration name: (_) @name) @function
(function_signature name: (_) @name) @function
(class_declaration name: (_) @name) @class
(abstract_class_declaration name: (_) @name) @class
(interface_declaration name: (_) @name) @interface
(type_alias_declaration name: (_) @name) @type
(enum_declaration name: (_) @name) @enum
(internal_module name: (_) @name) @namespace
(variable_declarator name: (_) @name) @variable
(method_definition name: (_) @name) @method
(method_signature name: (_) @name) @method
(abstract_method_signature name: (_) @name) @method
(public_field_definition name: (_) @name) @field
(field_definition property: (_) @name) @field
(property_signature name: (_) @name) @field
(enum_body name: (_) @name) @enumMember
(enum_assignment name: (_) @name) @enumMember
(required_parameter pattern: (identifier) @name) @param
(optional_parameter pattern: (identifier) @name) @param
(formal_parameters (identifier) @name) @param
(arrow_function parameter: (identifier) @name) @param
(required_parameter pattern: (object_pattern) @name) @destructuredParam
(for_in_statement left: (_) @name) @forOf
(assignment_expression left: (member_expression object: (this) property: (_) @name)) @thisField
`;

const FUNCTION_SCOPES = new Set([
  'function_declaration',
  'generator_function_declaration',
  'function_expression',
  'function',
  'generator_function',
  'arrow_function',
  'method_definition',
]);
const CONTAINERS = new Set([
  'class_declaration',
  'abstract_class_declaration',
  'class',
  'interface_declaration',
  'type_alias_declaration',
  'enum_declaration',
  'internal_module',
]);
/** Nodes a member may sit in between itself and its container. */
const MEMBER_PATH = new Set(['class_body', 'interface_body', 'object_type', 'enum_body', 'union_type', 'intersection_type', 'parenthesized_type', 'conditional_type']);
/**
 * Nodes between an object type and the field or method whose declared type holds it: the members of
 * `options?: { a: A }` or of `hook?: (this: { editor: Editor }) => void` belong to that field.
 */
const NESTED_TYPE_PATH = new Set(['type_annotation', 'required_parameter', 'optional_parameter', 'formal_parameters', 'function_type', 'union_type', 'intersection_type', 'parenthesized_type', 'array_type', 'generic_type', 'type_arguments']);
const FIELD_NODES = new Set(['property_signature', 'public_field_definition', 'field_definition', 'method_signature']);
const DEF_KINDS: Record<string, DefKind> = {
  function: 'function',
  class: 'class',
  interface: 'interface',
  type: 'type',
  enum: 'enum',
  namespace: 'namespace',
};

export function extractTypeScript(matches: QueryMatch[]): ExtractedSummary {
  const out = new SummaryBuilder();
  const items = capturedItems(matches);

  for (const { kind, node, name } of items) {
    if (kind === 'import') importStatement(out, node);
    else if (kind === 'export') exportStatement(out, node);
    else if (!name) continue;
    else if (kind in DEF_KINDS) topLevel(out, node, name, DEF_KINDS[kind]!);
    else if (kind === 'variable') variable(out, node, name);
    else if (kind === 'method') method(out, node, name);
    else if (kind === 'field') member(out, node, name, 'field', fieldType(node));
    // `(enum_body name: …)` captures the whole body: the member is just its name.
    else if (kind === 'enumMember') member(out, node.type === 'enum_body' ? name : node, name, 'field', {});
    else if (kind === 'param') parameter(out, node, name);
    else if (kind === 'destructuredParam') destructured(out, name, typeText(node.childForFieldName('type')), undefined, ancestorOf(node, FUNCTION_SCOPES));
    else if (kind === 'forOf') forOf(out, node, name);
    else if (kind === 'thisField') thisField(out, node, name);
  }
  return out.result();
}

function topLevel(out: SummaryBuilder, node: Node, name: Node, kind: DefKind): void {
  const place = placeOf(out, node);
  if (place === 'local') return;
  const fields: Parameters<SummaryBuilder['addDef']>[3] = { parent: place, headerEnd: bodyLine(node), typeParams: typeParamsOf(node) };
  if (kind === 'function') {
    fields.type = typeText(node.childForFieldName('return_type'));
    fields.params = paramTypes(node);
  }
  if (kind === 'class') fields.bases = classBases(node);
  if (kind === 'interface') fields.bases = node.namedChildren.filter((c) => c?.type === 'extends_type_clause').flatMap((c) => c!.namedChildren.map((t) => compactText(t)!));
  if (kind === 'type') {
    const value = node.childForFieldName('value');
    if (value?.type !== 'object_type') fields.type = compactText(value);
  }
  out.addDef(node, name, kind, fields);
  if (node.parent?.type === 'export_statement' && node.parent.text.startsWith('export default')) out.exportAliases.default = name.text;
}

function variable(out: SummaryBuilder, node: Node, name: Node): void {
  const value = node.childForFieldName('value');
  if (value && isRequire(value)) {
    requireCall(out, name, value);
    return;
  }
  const place = placeOf(out, node);
  const type = typeText(node.childForFieldName('type'));
  if (name.type === 'object_pattern') {
    // `const { a, b } = opts`: a and b are members of what opts holds.
    destructured(out, name, type, valueText(value), place === 'local' ? ancestorOf(node, FUNCTION_SCOPES) : null);
    return;
  }
  if (place === 'local') {
    if (name.type !== 'identifier') return;
    const scope = ancestorOf(node, FUNCTION_SCOPES);
    out.addBinding(name, scope, { type, value: valueText(value) });
    return;
  }
  if (name.type !== 'identifier') return;
  if (value && (value.type === 'arrow_function' || value.type === 'function_expression' || value.type === 'function')) {
    out.addDef(node, name, 'function', { parent: place, type: type ?? typeText(value.childForFieldName('return_type')), headerEnd: bodyLine(value), params: paramTypes(value), typeParams: typeParamsOf(value) });
    return;
  }
  const body = value?.type === 'object' || value?.type === 'class' ? lineOf(value) : undefined;
  out.addDef(node, name, 'variable', { parent: place, type, value: valueText(value), headerEnd: body });
}

function method(out: SummaryBuilder, node: Node, name: Node): void {
  const fields = { type: typeText(node.childForFieldName('return_type')), headerEnd: bodyLine(node), params: paramTypes(node), typeParams: typeParamsOf(node) };
  if (node.type === 'method_definition' && node.parent?.type === 'object') {
    // A method of an object literal: its `this` is that object, typed by where the object goes.
    const source = objectSource(node.parent);
    if (source && node.childForFieldName('body')) out.addBinding(name, node, { value: `thisof ${source}@${name.text}`, fromScopeStart: true, as: 'this' });
    return;
  }
  member(out, node, name, 'method', fields);
}

function member(out: SummaryBuilder, node: Node, name: Node, kind: DefKind, fields: { type?: string; headerEnd?: number; params?: string[]; typeParams?: string[] }): void {
  const parent = memberParent(out, node);
  if (parent === undefined) return;
  out.addDef(node, name, kind, { ...fields, parent });
}

function parameter(out: SummaryBuilder, node: Node, name: Node): void {
  const fn = ancestorOf(name, FUNCTION_SCOPES);
  // Parameters of signatures without a body (interfaces, overloads) bind nothing.
  if (!fn) return;
  const type = node.type === 'required_parameter' || node.type === 'optional_parameter' ? typeText(node.childForFieldName('type')) : undefined;
  out.addBinding(name, fn, { type, value: type ? undefined : (callbackArgument(fn, name) ?? declaredFunctionParameter(fn, name) ?? objectMethodParameter(fn, name)), fromScopeStart: true });
  // `constructor(private store: Store)` declares a field too.
  const isProperty = node.namedChildren.some((c) => c?.type === 'accessibility_modifier' || c?.type === 'override_modifier') || /^\s*readonly\b/.test(node.text);
  if (isProperty && fn?.type === 'method_definition' && fn.childForFieldName('name')?.text === 'constructor') {
    const parent = memberParent(out, fn);
    if (parent !== undefined) out.addDef(node, name, 'field', { parent, type });
  }
}

function thisField(out: SummaryBuilder, node: Node, name: Node): void {
  const fn = ancestorOf(node, FUNCTION_SCOPES);
  if (fn?.type !== 'method_definition') return;
  const parent = memberParent(out, fn);
  if (parent === undefined) return;
  if (out.defs.some((d) => d.parent === parent && d.name === name.text)) return;
  out.addDef(node, name, 'field', { parent, value: valueText(node.childForFieldName('right')) });
}

/**
 * `{ a, b: c }` bound from a value of type `type` (a parameter's annotation) or from `value` (an
 * initializer): each name is that member, `T['a']` or `ref <value>.a`, read when resolving.
 */
function destructured(out: SummaryBuilder, pattern: Node, type: string | undefined, value: string | undefined, scope: Node | null): void {
  if (!scope || (!type && !value?.startsWith('ref '))) return;
  for (const p of pattern.namedChildren) {
    if (!p) continue;
    let key: string | undefined;
    let local: Node | null = null;
    if (p.type === 'shorthand_property_identifier_pattern') [key, local] = [p.text, p];
    else if (p.type === 'pair_pattern') {
      key = p.childForFieldName('key')?.text;
      local = p.childForFieldName('value');
    } else if (p.type === 'object_assignment_pattern') {
      local = p.childForFieldName('left');
      key = local?.text;
    }
    if (!key || local?.type !== 'identifier' && local?.type !== 'shorthand_property_identifier_pattern') continue;
    const fromStart = pattern.parent?.type === 'required_parameter';
    if (type) out.addBinding(local!, scope, { type: `${type}['${key}']`, fromScopeStart: fromStart });
    else out.addBinding(local!, scope, { value: `${value}.${key}`, fromScopeStart: fromStart });
  }
}

/** `for (const x of xs)`: x is an element of xs (`elem <value of xs>`); `[k, v]` patterns are left alone. */
function forOf(out: SummaryBuilder, node: Node, name: Node): void {
  if (name.type !== 'identifier' || !node.children.some((c) => c?.type === 'of')) return;
  const value = valueText(node.childForFieldName('right'));
  const body = node.childForFieldName('body');
  if (value && body) out.addBinding(name, node, { value: `elem ${value}` });
}

/**
 * An untyped parameter of a function whose type is declared elsewhere: `const h: Handler = (req) => …`,
 * or a function returned from one declared to return `OperatorFunction<T>` (`fnparam <type>#j`).
 */
function declaredFunctionParameter(fn: Node, param: Node): string | undefined {
  if (fn.type !== 'arrow_function' && fn.type !== 'function_expression' && fn.type !== 'function') return undefined;
  const index = parameterIndex(fn, param);
  if (index < 0) return undefined;
  let outer = fn.parent;
  while (outer?.type === 'parenthesized_expression' || outer?.type === 'as_expression' || outer?.type === 'satisfies_expression') outer = outer.parent;
  let type: string | undefined;
  if (outer?.type === 'variable_declarator') type = typeText(outer.childForFieldName('type'));
  else if (outer?.type === 'return_statement' || (outer?.type === 'arrow_function' && outer.childForFieldName('body')?.id === fn.id)) {
    const enclosing = ancestorOf(fn, FUNCTION_SCOPES);
    type = typeText(enclosing?.childForFieldName('return_type'));
  }
  return type ? `fnparam ${type}#${index}` : undefined;
}

/** Position of a parameter (its name node) in its function's list, or -1. */
function parameterIndex(fn: Node, param: Node): number {
  if (param.parent?.id === fn.id) return 0;
  // `x => …` has one parameter; otherwise find the parameter (or, in JavaScript, the bare name) in the list.
  const entry = param.parent?.type === 'formal_parameters' ? param : param.parent;
  return entry?.parent?.namedChildren.findIndex((p) => p?.id === entry.id) ?? -1;
}

/**
 * Where an object literal's type comes from: `arg f#i` (argument i of a call to f), or `type T` (a
 * variable declared `: T`, an object `satisfies T` or `as T`).
 */
function objectSource(object: Node): string | undefined {
  const outer = object.parent;
  if (outer?.type === 'variable_declarator') {
    const type = typeText(outer.childForFieldName('type'));
    return type ? `type ${type}` : undefined;
  }
  if (outer?.type === 'satisfies_expression' || outer?.type === 'as_expression') {
    const type = compactText(outer.namedChildren[1]);
    return type ? `type ${type}` : undefined;
  }
  const call = outer?.parent;
  if (outer?.type !== 'arguments' || call?.type !== 'call_expression') return undefined;
  const callee = call.childForFieldName('function');
  if (!callee || (callee.type !== 'identifier' && callee.type !== 'member_expression')) return undefined;
  const argIndex = outer.namedChildren.findIndex((a) => a?.id === object.id);
  return argIndex < 0 ? undefined : `arg ${compactText(callee)}#${argIndex}`;
}

/**
 * An untyped parameter of an object literal's method (`{ parse(opts) {…} }`, `{ parse: (opts) => … }`):
 * `paramof <source>@m@j`, parameter j of member m of the object's type.
 */
function objectMethodParameter(fn: Node, param: Node): string | undefined {
  const holder = fn.type === 'method_definition' ? fn : fn.parent?.type === 'pair' ? fn.parent : undefined;
  const object = holder?.parent;
  const method = holder?.childForFieldName(holder.type === 'pair' ? 'key' : 'name')?.text;
  if (object?.type !== 'object' || !method) return undefined;
  const source = objectSource(object);
  const index = parameterIndex(fn, param);
  return source && index >= 0 ? `paramof ${source}@${method}@${index}` : undefined;
}

/** Generic parameters as written (`T`, `T extends Base`, `T = D`), or undefined. */
function typeParamsOf(node: Node): string[] | undefined {
  const list = node.childForFieldName('type_parameters');
  if (!list) return undefined;
  const out = list.namedChildren.filter((p): p is Node => p?.type === 'type_parameter').map((p) => compactText(p)!);
  return out.length ? out : undefined;
}

function importStatement(out: SummaryBuilder, node: Node): void {
  const from = stringValue(node.childForFieldName('source'));
  if (from === undefined) return;
  const decl: (typeof out.imports)[number] = { line: lineOf(node), from };
  if (endLineOf(node) > decl.line) decl.end = endLineOf(node);
  for (const clause of node.namedChildren) {
    if (clause?.type !== 'import_clause') continue;
    for (const part of clause.namedChildren) {
      if (!part) continue;
      if (part.type === 'identifier') (decl.names ??= []).push({ name: 'default', local: part.text });
      else if (part.type === 'namespace_import') decl.namespace = part.namedChildren[0]?.text;
      else if (part.type === 'named_imports') {
        for (const spec of part.namedChildren) {
          const name = spec?.childForFieldName('name');
          if (!spec || !name) continue;
          (decl.names ??= []).push({ name: name.text, local: spec.childForFieldName('alias')?.text ?? name.text });
        }
      }
    }
  }
  out.imports.push(decl);
}

function exportStatement(out: SummaryBuilder, node: Node): void {
  const from = stringValue(node.childForFieldName('source'));
  const clause = node.namedChildren.find((c) => c?.type === 'export_clause');
  if (from !== undefined) {
    const decl: (typeof out.imports)[number] = { line: lineOf(node), from, reexport: true };
    if (endLineOf(node) > decl.line) decl.end = endLineOf(node);
    const ns = node.namedChildren.find((c) => c?.type === 'namespace_export');
    if (clause) decl.names = specifiers(clause).map(([name, alias]) => ({ name, local: alias }));
    else if (ns) decl.namespace = ns.namedChildren[0]?.text;
    else decl.star = true;
    out.imports.push(decl);
    return;
  }
  if (clause) for (const [name, alias] of specifiers(clause)) out.exportAliases[alias] = name;
  const value = node.childForFieldName('value');
  if (value?.type === 'identifier') out.exportAliases.default = value.text;
}

function specifiers(clause: Node): [string, string][] {
  const out: [string, string][] = [];
  for (const spec of clause.namedChildren) {
    const name = spec?.childForFieldName('name');
    if (spec && name) out.push([name.text, spec.childForFieldName('alias')?.text ?? name.text]);
  }
  return out;
}

/** Each parameter's declared type ('' when untyped), for typing callbacks passed to the function. */
function paramTypes(fn: Node): string[] | undefined {
  const params = fn.childForFieldName('parameters');
  if (!params) return undefined;
  return params.namedChildren.filter((p): p is Node => !!p && p.type !== 'comment').map((p) => typeText(p.childForFieldName('type')) ?? '');
}

/**
 * An untyped parameter of a function literal passed as an argument (`operate((source, sub) => …)`):
 * its type is the callee's parameter type, read when resolving (SymbolDef.value `arg f#i#j`).
 */
function callbackArgument(fn: Node, param: Node): string | undefined {
  // `param` is the parameter's name node.
  if (fn.type !== 'arrow_function' && fn.type !== 'function_expression' && fn.type !== 'function') return undefined;
  const args = fn.parent;
  const call = args?.parent;
  if (args?.type !== 'arguments' || (call?.type !== 'call_expression' && call?.type !== 'new_expression')) return undefined;
  const callee = call.childForFieldName(call.type === 'call_expression' ? 'function' : 'constructor');
  if (!callee || (callee.type !== 'identifier' && callee.type !== 'member_expression')) return undefined;
  const argIndex = args.namedChildren.findIndex((a) => a?.id === fn.id);
  const paramIndex = parameterIndex(fn, param);
  if (argIndex < 0 || paramIndex < 0) return undefined;
  return `arg ${compactText(callee)}#${argIndex}#${paramIndex}`;
}

function isRequire(value: Node): boolean {
  return value.type === 'call_expression' && value.childForFieldName('function')?.text === 'require';
}

function requireCall(out: SummaryBuilder, name: Node, call: Node): void {
  const arg = call.childForFieldName('arguments')?.namedChildren[0];
  const from = arg?.type === 'string' ? stringValue(arg) : undefined;
  if (from === undefined) return;
  const decl: (typeof out.imports)[number] = { line: lineOf(call), from };
  if (name.type === 'identifier') decl.namespace = name.text;
  else if (name.type === 'object_pattern') {
    for (const p of name.namedChildren) {
      if (p?.type === 'shorthand_property_identifier_pattern') (decl.names ??= []).push({ name: p.text, local: p.text });
      else if (p?.type === 'pair_pattern') {
        const key = p.childForFieldName('key')?.text;
        const local = p.childForFieldName('value')?.text;
        if (key && local) (decl.names ??= []).push({ name: key, local });
      }
    }
  }
  out.imports.push(decl);
}

/** -1 for module level, a namespace's def index, or 'local' inside a function. */
function placeOf(out: SummaryBuilder, node: Node): number | 'local' {
  for (let n = node.parent; n; n = n.parent) {
    if (FUNCTION_SCOPES.has(n.type) || n.type === 'class_body') return 'local';
    if (n.type === 'internal_module' || n.type === 'module') return out.defIndexOf(n) ?? -1;
    if (n.type === 'program') return -1;
  }
  return -1;
}

/**
 * The def index of the class, interface, type or enum a member is declared in, or of the field whose
 * declared type is the object type it is in.
 */
function memberParent(out: SummaryBuilder, node: Node): number | undefined {
  let inObjectType = false;
  for (let n = node.parent; n; n = n.parent) {
    if (CONTAINERS.has(n.type)) return out.defIndexOf(n);
    if (n.type === 'object_type') inObjectType = true;
    if (MEMBER_PATH.has(n.type)) continue;
    if (!inObjectType || !NESTED_TYPE_PATH.has(n.type)) return undefined;
    const field = n.parent;
    if (n.type === 'type_annotation' && field && FIELD_NODES.has(field.type)) return out.defIndexOf(field);
  }
  return undefined;
}

function bodyLine(node: Node): number | undefined {
  const body = node.childForFieldName('body') ?? (node.type === 'type_alias_declaration' ? node.childForFieldName('value') : null);
  return body ? lineOf(body) : undefined;
}

function classBases(node: Node): string[] {
  const heritage = node.namedChildren.find((c) => c?.type === 'class_heritage');
  if (!heritage) return [];
  const out: string[] = [];
  for (const clause of heritage.namedChildren) {
    if (!clause) continue;
    if (clause.type === 'extends_clause') {
      const value = clause.childForFieldName('value');
      if (value) out.push(compactText(value)!);
    } else if (clause.type === 'implements_clause') {
      for (const t of clause.namedChildren) if (t) out.push(compactText(t)!);
    } else out.push(compactText(clause)!); // JavaScript: `class A extends B` has the expression directly.
  }
  return out;
}

function fieldType(node: Node): { type?: string; value?: string } {
  const type = typeText(node.childForFieldName('type'));
  return type ? { type } : { value: valueText(node.childForFieldName('value')) };
}

function typeText(annotation: Node | null | undefined): string | undefined {
  const text = compactText(annotation);
  return text?.replace(/^:\s*/, '') || undefined;
}

function stringValue(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  return node.text.replace(/^['"`]|['"`]$/g, '');
}

/** How an initializer gives its variable a type: see SymbolDef.value. */
function valueText(value: Node | null | undefined): string | undefined {
  if (!value) return undefined;
  switch (value.type) {
    case 'new_expression':
      return prefixed('new', value.childForFieldName('constructor'));
    case 'call_expression': {
      const fn = value.childForFieldName('function');
      return fn && (fn.type === 'identifier' || fn.type === 'member_expression') ? prefixed('call', fn) : undefined;
    }
    case 'await_expression':
    case 'non_null_expression':
    case 'parenthesized_expression':
      return valueText(value.namedChildren[0]);
    case 'as_expression':
    case 'satisfies_expression':
      return prefixed('type', value.namedChildren[1]);
    case 'identifier':
    case 'member_expression':
    case 'this':
      return prefixed('ref', value);
    case 'ternary_expression':
      return valueText(value.childForFieldName('consequence')) ?? valueText(value.childForFieldName('alternative'));
    case 'binary_expression': {
      const op = value.childForFieldName('operator')?.text;
      return op === '??' || op === '||' ? (valueText(value.childForFieldName('left')) ?? valueText(value.childForFieldName('right'))) : undefined;
    }
    default:
      return undefined;
  }
}

function prefixed(prefix: string, node: Node | null | undefined): string | undefined {
  const text = compactText(node);
  return text ? `${prefix} ${text}` : undefined;
}
