/**
 * Python: `import`/`from … import` (relative too), classes with bases, functions and methods with
 * annotated parameters, module and class attributes, `self.x = …` fields, and typed locals.
 */
import type { Node, QueryMatch } from 'web-tree-sitter';
import { SummaryBuilder, ancestorOf, compactText, endLineOf, lineOf, capturedItems, type ExtractedSummary } from './common';

export const PYTHON_QUERY = `
(import_statement) @import
(import_from_statement) @import
(class_definition name: (identifier) @name) @class
(function_definition name: (identifier) @name) @function
(assignment left: (_) @name) @assign
`;

const SCOPES = new Set(['function_definition', 'class_definition', 'lambda']);

export function extractPython(matches: QueryMatch[]): ExtractedSummary {
  const out = new SummaryBuilder();
  const items = capturedItems(matches);
  for (const { kind, node, name } of items) {
    if (kind === 'import') importStatement(out, node);
    else if (!name) continue;
    else if (kind === 'class') classDef(out, node, name);
    else if (kind === 'function') functionDef(out, node, name);
    else if (kind === 'assign') assignment(out, node, name);
  }
  return out.result();
}

function classDef(out: SummaryBuilder, node: Node, name: Node): void {
  const scope = ancestorOf(node, SCOPES);
  if (scope?.type === 'function_definition' || scope?.type === 'lambda') return;
  const parent = scope ? out.defIndexOf(scope) : -1;
  if (parent === undefined) return;
  const bases = (node.childForFieldName('superclasses')?.namedChildren ?? [])
    .filter((b): b is Node => !!b && (b.type === 'identifier' || b.type === 'attribute' || b.type === 'subscript'))
    .map((b) => compactText(b)!);
  out.addDef(node, name, 'class', { parent, bases, headerEnd: headerEnd(node) });
}

function functionDef(out: SummaryBuilder, node: Node, name: Node): void {
  const scope = ancestorOf(node, SCOPES);
  const type = typeText(node.childForFieldName('return_type'));
  const isMethod = scope?.type === 'class_definition';
  const parent = isMethod ? out.defIndexOf(scope) : -1;
  const nested = scope && !isMethod;
  if (!nested && parent !== undefined) out.addDef(node, name, isMethod ? 'method' : 'function', { parent, type, headerEnd: headerEnd(node) });
  parameters(out, node, isMethod ? scope : null);
}

function parameters(out: SummaryBuilder, fn: Node, cls: Node | null): void {
  const params = fn.childForFieldName('parameters')?.namedChildren ?? [];
  const decorators = fn.parent?.type === 'decorated_definition' ? fn.parent.text : '';
  params.forEach((p, i) => {
    if (!p) return;
    let nameNode: Node | null = null;
    let type: string | undefined;
    if (p.type === 'identifier') nameNode = p;
    else if (p.type === 'typed_parameter') {
      nameNode = p.namedChildren.find((c) => c?.type === 'identifier') ?? null;
      type = typeText(p.childForFieldName('type'));
    } else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') {
      nameNode = p.childForFieldName('name');
      type = typeText(p.childForFieldName('type'));
    }
    if (!nameNode) return;
    // The first parameter of a method is the instance (or the class): its type is the class.
    if (i === 0 && cls && !type && !/@staticmethod\b/.test(decorators)) type = cls.childForFieldName('name')?.text;
    out.addBinding(nameNode, fn, { type, fromScopeStart: true });
  });
}

function assignment(out: SummaryBuilder, node: Node, left: Node): void {
  const scope = ancestorOf(node, SCOPES);
  const type = typeText(node.childForFieldName('type'));
  const right = node.childForFieldName('right');
  const value = valueText(right);
  if (left.type === 'attribute') {
    selfField(out, node, left, scope, type, value);
    return;
  }
  const names = left.type === 'identifier' ? [left] : left.type === 'pattern_list' || left.type === 'tuple_pattern' ? left.namedChildren.filter((n): n is Node => n?.type === 'identifier') : [];
  const single = names.length === 1;
  for (const nameNode of names) {
    if (scope?.type === 'function_definition' || scope?.type === 'lambda') {
      out.addBinding(nameNode, scope, single ? { type, value } : {});
      continue;
    }
    const parent = scope ? out.defIndexOf(scope) : -1;
    if (parent === undefined) continue;
    // A module-level name assigned twice keeps its first definition (the header the reader looks for).
    if (out.defs.some((d) => d.parent === parent && d.name === nameNode.text)) continue;
    out.addDef(node, nameNode, parent === -1 ? 'variable' : 'field', { parent, ...(single ? { type, value } : {}), headerEnd: lineOf(nameNode) });
  }
}

/** `self.x = …` inside a method declares field x of the enclosing class (first assignment wins). */
function selfField(out: SummaryBuilder, node: Node, left: Node, fn: Node | null, type?: string, value?: string): void {
  const object = left.childForFieldName('object');
  const attr = left.childForFieldName('attribute');
  if (!object || !attr || object.type !== 'identifier' || fn?.type !== 'function_definition') return;
  const first = fn.childForFieldName('parameters')?.namedChildren[0];
  if (first?.text !== object.text) return;
  const cls = ancestorOf(fn, SCOPES);
  if (cls?.type !== 'class_definition') return;
  const parent = out.defIndexOf(cls);
  if (parent === undefined || out.defs.some((d) => d.parent === parent && d.name === attr.text)) return;
  out.addDef(node, attr, 'field', { parent, type, value, headerEnd: lineOf(attr) });
}

function importStatement(out: SummaryBuilder, node: Node): void {
  const line = lineOf(node);
  if (node.type === 'import_statement') {
    for (const n of node.childrenForFieldName('name')) {
      if (!n) continue;
      if (n.type === 'aliased_import') {
        const module = n.childForFieldName('name')?.text;
        const alias = n.childForFieldName('alias')?.text;
        if (module && alias) out.imports.push({ line, from: module, namespace: alias });
      } else {
        // `import a.b.c` binds `a`; a.b.c is reached through it.
        out.imports.push({ line, from: n.text, namespace: n.text.split('.')[0]! });
      }
    }
    return;
  }
  const from = node.childForFieldName('module_name')?.text.replace(/\s+/g, '');
  if (!from) return;
  if (node.namedChildren.some((c) => c?.type === 'wildcard_import')) {
    out.imports.push({ line, from, star: true });
    return;
  }
  const names = node.childrenForFieldName('name').flatMap((n) => {
    if (!n) return [];
    if (n.type === 'aliased_import') {
      const name = n.childForFieldName('name')?.text;
      const local = n.childForFieldName('alias')?.text;
      return name && local ? [{ name, local }] : [];
    }
    return [{ name: n.text, local: n.text }];
  });
  const end = endLineOf(node);
  out.imports.push(end > line ? { line, end, from, names } : { line, from, names });
}

/** The line a class or function body starts on, minus one: the header ends at the colon. */
function headerEnd(node: Node): number | undefined {
  const body = node.childForFieldName('body');
  if (!body) return undefined;
  const row = body.startPosition.row;
  return row > node.startPosition.row ? row : row + 1;
}

function typeText(node: Node | null): string | undefined {
  return compactText(node);
}

function valueText(value: Node | null): string | undefined {
  if (!value) return undefined;
  switch (value.type) {
    case 'call': {
      const fn = value.childForFieldName('function');
      return fn && (fn.type === 'identifier' || fn.type === 'attribute') ? `call ${compactText(fn)}` : undefined;
    }
    case 'await':
    case 'parenthesized_expression':
      return valueText(value.namedChildren[0] ?? null);
    case 'identifier':
    case 'attribute':
      return `ref ${compactText(value)}`;
    default:
      return undefined;
  }
}
