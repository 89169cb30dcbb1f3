/**
 * What a refactor rewrites: the selected lines, or, with nothing selected, the function (else the class)
 * around the cursor, found with tree-sitter. Always whole lines: the rewrite replaces them and nothing
 * else, so text outside them cannot change.
 */
import type { Node } from 'web-tree-sitter';
import type { LineRange } from '../edits/lineEdit';

export interface RefactorTarget extends LineRange {
  kind: 'selection' | 'function' | 'class';
  /** "function sum", "class Cart": for titles. */
  name?: string;
  /** The lines the user picked inside a wider target (Extract Function rewrites the function around them). */
  focus?: LineRange;
}

/** A selection as an editor has it: 1-based lines, 0-based UTF-16 columns; empty when start equals end. */
export interface Selection {
  start: { line: number; column: number };
  end: { line: number; column: number };
}

/** Functions and methods by grammar node type; JavaScript's anonymous ones count only when named by what holds them. */
const FUNCTIONS = new Set([
  'function_declaration', 'generator_function_declaration', 'method_definition', 'function_signature', // JS/TS
  'function_definition', // Python, C, C++
  'method_declaration', // Go (and Java's methods)
  'function_item', // Rust
  'constructor_declaration', // Java
]);
const ANONYMOUS_FUNCTIONS = new Set(['arrow_function', 'function_expression', 'function']);
/** What may hold an anonymous function and so name it: `const f = () => …`, `f = () => …` in a class. */
const NAMING_HOLDERS = new Set(['variable_declarator', 'public_field_definition', 'field_definition', 'pair', 'assignment_expression']);
const CLASSES = new Set([
  'class_declaration', 'abstract_class_declaration', 'interface_declaration', 'class', // JS/TS
  'class_definition', // Python
  'type_declaration', // Go
  'impl_item', 'struct_item', 'enum_item', 'trait_item', // Rust
  'enum_declaration', 'record_declaration', // Java (class and interface as in TS)
  'class_specifier', 'struct_specifier', // C++
]);
/** Nodes that wrap a declaration and belong to it: `export`, decorators, `template<…>`, `const x = …;`. */
const WRAPPERS = new Set([
  'export_statement', 'decorated_definition', 'template_declaration',
  'lexical_declaration', 'variable_declaration', 'variable_declarator', 'public_field_definition', 'field_definition', 'assignment_expression', 'expression_statement',
  'declaration',
]);
/** Siblings just above a declaration that are part of it: its doc comment, Rust attributes. */
const LEADING = /comment|attribute_item|decorator|annotation/;

/** The line range a selection covers: a selection ending at column 0 ends on the line before. */
export function selectedLines(selection: Selection): LineRange {
  const { start, end } = selection;
  const endLine = end.column === 0 && end.line > start.line ? end.line - 1 : end.line;
  return { startLine: start.line, endLine };
}

export function isEmpty(selection: Selection): boolean {
  return selection.start.line === selection.end.line && selection.start.column === selection.end.column;
}

/**
 * The target for a refactor at `selection` in the parsed file: the selected lines; with nothing
 * selected, the innermost function (else class) around the cursor, or undefined when there is none.
 * `enclosing` (Extract Function) widens a selection inside a function to that function.
 */
export function targetAt(root: Node, text: string, selection: Selection, options: { enclosing?: boolean } = {}): RefactorTarget | undefined {
  const lines = text.split(/\r?\n/);
  if (isEmpty(selection)) {
    const line = lines[selection.start.line - 1] ?? '';
    // A cursor in the indentation is on the line's code, not in the whitespace between declarations.
    const column = Math.max(selection.start.column, line.length - line.trimStart().length);
    return declarationAround(root, { row: selection.start.line - 1, column }, { row: selection.start.line - 1, column });
  }
  const picked = selectedLines(selection);
  const selected: RefactorTarget = { kind: 'selection', ...picked };
  if (!options.enclosing) return selected;
  const first = lines[picked.startLine - 1] ?? '';
  const last = lines[picked.endLine - 1] ?? '';
  const around = declarationAround(
    root,
    { row: picked.startLine - 1, column: first.length - first.trimStart().length },
    { row: picked.endLine - 1, column: Math.max(0, last.trimEnd().length - 1) },
    'function',
  );
  if (!around || (around.startLine >= picked.startLine && around.endLine <= picked.endLine)) return selected;
  return { ...around, focus: picked };
}

/** The innermost function (or, unless `only` says otherwise, class) spanning the two points. */
function declarationAround(root: Node, start: { row: number; column: number }, end: { row: number; column: number }, only?: 'function'): RefactorTarget | undefined {
  let node: Node | null = root.namedDescendantForPosition(start, end);
  let classLike: Node | undefined;
  for (; node; node = node.parent) {
    if (isFunction(node)) return describe(node, 'function');
    if (!classLike && CLASSES.has(node.type)) classLike = node;
  }
  return classLike && only !== 'function' ? describe(classLike, 'class') : undefined;
}

function isFunction(node: Node): boolean {
  if (FUNCTIONS.has(node.type)) return true;
  // A callback (`xs.map(x => …)`, `it('…', () => …)`) is part of the code around it, not a target of its own.
  return ANONYMOUS_FUNCTIONS.has(node.type) && NAMING_HOLDERS.has(node.parent?.type ?? '');
}

/** The declaration's whole lines: with what wraps it (`export`, decorators) and its doc comment. */
function describe(declaration: Node, kind: 'function' | 'class'): RefactorTarget {
  let unit = declaration;
  while (unit.parent && WRAPPERS.has(unit.parent.type) && unit.parent.parent) unit = unit.parent;
  let startRow = unit.startPosition.row;
  for (let sibling = unit.previousNamedSibling; sibling && LEADING.test(sibling.type) && endRow(sibling) >= startRow - 1; sibling = sibling.previousNamedSibling) {
    // A comment that ends a line of code (`x = 1; // note`) belongs to that code, not to this declaration.
    if (sibling.previousSibling && sibling.previousSibling.endPosition.row === sibling.startPosition.row) break;
    startRow = sibling.startPosition.row;
  }
  const nameNode = declaration.childForFieldName('name') ?? declarationName(declaration);
  const noun = kind === 'function' ? 'function' : declaration.type.replace(/_(declaration|definition|item|specifier)$/, '').replace(/^abstract_class$/, 'class');
  return { kind, startLine: startRow + 1, endLine: endRow(unit) + 1, ...(nameNode ? { name: `${noun} ${nameNode.text}` } : {}) };
}

/** The name an anonymous function gets from what holds it, or a Go type declaration from its spec. */
function declarationName(node: Node): Node | null {
  const holder = node.parent;
  if (holder && NAMING_HOLDERS.has(holder.type)) return holder.childForFieldName('name') ?? holder.childForFieldName('key') ?? holder.childForFieldName('left') ?? holder.childForFieldName('property');
  if (node.type === 'type_declaration') return node.namedChildren[0]?.childForFieldName('name') ?? null;
  return null;
}

/** Last row a node occupies (a node ending at column 0 ends on the row before). */
function endRow(node: Node): number {
  const end = node.endPosition;
  return end.column === 0 && end.row > node.startPosition.row ? end.row - 1 : end.row;
}
