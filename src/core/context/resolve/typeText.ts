/**
 * Reading TypeScript type texts as written (summaries keep them verbatim): the top-level parts of a
 * union or intersection, a reference with its type arguments, indexed access, `typeof`, and the
 * parameters of a function type. Pure text: resolving the names is the Resolver's job.
 */

const OPEN = '<([{';
const CLOSE = '>)]}';

/**
 * Splits `text` at `separators` that are not nested in brackets. `=>` is not a closing `>`, so a
 * function type's arrow does not unbalance the count.
 */
export function splitTopLevel(text: string, separators: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (OPEN.includes(c)) depth++;
    else if (CLOSE.includes(c)) {
      if (c === '>' && text[i - 1] === '=') continue;
      depth = Math.max(0, depth - 1);
    } else if (depth === 0 && separators.includes(c)) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** A named type with its type arguments: `ns.Name<A, B>[]`. */
export interface TypeReference {
  /** The qualified name, split at dots. */
  path: string[];
  args: string[];
  /** Array suffixes (`[]`) after it. */
  arrays: number;
  /** `['key']` after it: the declared type of that member. */
  member?: string;
}

const NAME = /^[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*/;

/** `Foo<A, B>[]`, `ns.Foo`, `Foo['bar']`; undefined for anything else (unions, object types, functions). */
export function parseTypeReference(input: string): TypeReference | undefined {
  let text = input.trim().replace(/^readonly\s+/, '');
  while (text.startsWith('(') && matchingClose(text, 0) === text.length - 1) text = text.slice(1, -1).trim();
  const name = NAME.exec(text)?.[0];
  if (!name) return undefined;
  const ref: TypeReference = { path: name.split('.').map((s) => s.trim()), args: [], arrays: 0 };
  let i = name.length;
  if (text[i] === '<') {
    const close = matchingClose(text, i);
    if (close < 0) return undefined;
    ref.args = splitTopLevel(text.slice(i + 1, close), ',');
    i = close + 1;
  }
  for (;;) {
    const rest = text.slice(i).trimStart();
    i = text.length - rest.length;
    if (rest.startsWith('[]')) {
      ref.arrays++;
      i += 2;
      continue;
    }
    const indexed = /^\[\s*(['"])([^'"]+)\1\s*\]/.exec(rest);
    if (indexed && ref.arrays === 0 && ref.member === undefined) {
      ref.member = indexed[2];
      i += indexed[0].length;
      continue;
    }
    break;
  }
  return i === text.length ? ref : undefined;
}

/** Index of the bracket closing the one at `open`, or -1. */
export function matchingClose(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (OPEN.includes(c)) depth++;
    else if (CLOSE.includes(c)) {
      if (c === '>' && text[i - 1] === '=') continue;
      if (--depth === 0) return i;
    }
  }
  return -1;
}

/** The value path of `typeof a.b` (`['a', 'b']`), or undefined. */
export function typeofPath(text: string): string[] | undefined {
  const m = /^typeof\s+([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)$/.exec(text.trim());
  return m?.[1]!.split('.');
}

/** Whether a type text is a function type: `(a: A) => R`, `new (…) => T`, `<T>(x: T) => T`. */
export function isFunctionType(text: string): boolean {
  const t = text.trim().replace(/^(new|abstract\s+new)\s+/, '');
  if (!t.startsWith('(') && !t.startsWith('<')) return false;
  const open = t.startsWith('<') ? t.indexOf('(', matchingClose(t, 0)) : 0;
  const close = open < 0 ? -1 : matchingClose(t, open);
  return close >= 0 && /^\s*=>/.test(t.slice(close + 1));
}

/** The declared type of parameter `index` in a function type text: `(a: A, b: B) => R`, 1 -> `B`. */
export function parameterOfFunctionType(text: string, index: number): string | undefined {
  if (!isFunctionType(text)) return undefined;
  const t = text.trim().replace(/^(new|abstract\s+new)\s+/, '');
  const open = t.startsWith('<') ? t.indexOf('(', matchingClose(t, 0)) : 0;
  const close = matchingClose(t, open);
  const params = splitTopLevel(t.slice(open + 1, close), ',').filter((p) => !/^this\s*[:?]/.test(p));
  const param = params[index];
  const colon = param?.indexOf(':') ?? -1;
  return param && colon >= 0 ? param.slice(colon + 1).trim() : undefined;
}

/** The `this:` parameter's type of a function type text, if it declares one. */
export function thisOfFunctionType(text: string): string | undefined {
  if (!isFunctionType(text)) return undefined;
  const t = text.trim();
  const open = t.startsWith('<') ? t.indexOf('(', matchingClose(t, 0)) : 0;
  const close = matchingClose(t, open);
  const first = splitTopLevel(t.slice(open + 1, close), ',')[0];
  const m = first && /^this\s*:\s*([\s\S]+)$/.exec(first);
  return m ? m[1]!.trim() : undefined;
}

/** The return type text of a function type. */
export function returnOfFunctionType(text: string): string | undefined {
  if (!isFunctionType(text)) return undefined;
  const t = text.trim().replace(/^(new|abstract\s+new)\s+/, '');
  const open = t.startsWith('<') ? t.indexOf('(', matchingClose(t, 0)) : 0;
  const close = matchingClose(t, open);
  return t.slice(close + 1).replace(/^\s*=>/, '').trim() || undefined;
}

/** A type guard's narrowed type: `x is Foo` (a function's declared return type) -> `Foo`. */
export function guardedType(returnType: string): string | undefined {
  const m = /^(?:asserts\s+)?[A-Za-z_$][\w$]*\s+is\s+([\s\S]+)$/.exec(returnType.trim());
  return m?.[1]!.trim();
}

/** `T extends Base = Default` -> name `T`, bound `Base` (else the default). */
export function typeParameter(text: string): { name: string; bound?: string } {
  const m = /^(?:const\s+|in\s+|out\s+)*([A-Za-z_$][\w$]*)\s*(?:extends\s+([\s\S]+?))?\s*(?:=\s*([\s\S]+))?$/.exec(text.trim());
  if (!m) return { name: text.trim() };
  const bound = m[2] ?? m[3];
  return bound ? { name: m[1]!, bound: bound.trim() } : { name: m[1]! };
}
