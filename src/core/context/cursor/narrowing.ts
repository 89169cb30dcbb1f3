/**
 * What the code before the cursor says about a variable's type where its declaration does not: a
 * TypeScript type guard (`if (isObservableSet(obj))`, `isRedirect(x) && x.`), `x instanceof Foo`,
 * Python `isinstance(x, Foo)`, a Go type switch's `case *Foo:`. Lexical and nearest-first: the checks
 * are not matched to their branches, which costs little (code reads a variable right after checking
 * it) and works on half-typed text.
 */
import type { LanguageFamily } from '../languages';

export type Narrowing =
  /** A call `callee(name …)` that may be a type guard: its declared return type says (`x is Foo`). */
  | { kind: 'guard'; callee: string }
  /** A type the variable was checked to be, as written. */
  | { kind: 'type'; type: string };

/** Most checks considered, nearest the cursor first. */
const MAX_NARROWINGS = 3;
const NOT_GUARDS = new Set(['if', 'while', 'for', 'switch', 'return', 'typeof', 'await', 'function', 'catch', 'Boolean', 'String', 'Number', 'Array', 'assert', 'len', 'print', 'str', 'repr', 'bool', 'int', 'list']);

const escape = (name: string) => name.replace(/[$]/g, '\\$');

/** Checks on `name` in text[from, to) (the enclosing function up to the cursor), nearest first. */
export function narrowingsOf(text: string, from: number, to: number, name: string, family: LanguageFamily): Narrowing[] {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return [];
  const region = text.slice(Math.max(0, from), to);
  const n = escape(name);
  const found: { at: number; narrowing: Narrowing }[] = [];
  const collect = (pattern: RegExp, make: (m: RegExpExecArray) => Narrowing | undefined) => {
    for (let m = pattern.exec(region); m; m = pattern.exec(region)) {
      const narrowing = make(m);
      if (narrowing) found.push({ at: m.index, narrowing });
    }
  };
  if (family === 'js') {
    collect(new RegExp(`([A-Za-z_$][\\w$]*(?:\\.[A-Za-z_$][\\w$]*)*)\\s*\\(\\s*${n}\\s*[,)]`, 'g'), (m) => (NOT_GUARDS.has(m[1]!) ? undefined : { kind: 'guard', callee: m[1]! }));
    collect(new RegExp(`(?<![\\w$.])${n}\\s+instanceof\\s+([A-Za-z_$][\\w$]*(?:\\.[A-Za-z_$][\\w$]*)*)`, 'g'), (m) => ({ kind: 'type', type: m[1]! }));
  } else if (family === 'python') {
    collect(new RegExp(`isinstance\\(\\s*${n}\\s*,\\s*\\(?\\s*([A-Za-z_][\\w.]*)`, 'g'), (m) => ({ kind: 'type', type: m[1]! }));
  } else if (family === 'go') {
    // Only inside `switch name := x.(type)`: the nearest `case T:` (or `case *T, U:`) before the cursor.
    const switchAt = region.search(new RegExp(`switch\\s+${n}\\s*:=\\s*[^{\\n]*\\.\\(type\\)`));
    if (switchAt >= 0) collect(/\bcase\s+\*?([A-Za-z_][\w.]*)\s*[:,]/g, (m) => (m.index > switchAt ? { kind: 'type', type: m[1]! } : undefined));
  }
  return found
    .sort((a, b) => b.at - a.at)
    .slice(0, MAX_NARROWINGS)
    .map((f) => f.narrowing);
}
