/**
 * A small lexer over the cursor's file: identifiers outside strings and comments, each with its line
 * and the identifier it is qualified by (`ns` in `ns.Name`). Runs on every call, on text that may not
 * parse (the user is typing), so it is lexical on purpose and linear in the file's length.
 */
import type { LanguageFamily } from '../languages';

export interface IdentifierToken {
  name: string;
  offset: number;
  /** 1-based. */
  line: number;
  /** The identifier before a `.` right in front of this one (`a` for `a.b`, `b` for `a.b.c`), if any. */
  qualifier?: string;
  /** True when a `.` precedes the identifier (a member access, possibly on a call or index result). */
  member: boolean;
}

const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c > 127;
const isIdentPart = (c: number) => isIdentStart(c) || (c >= 48 && c <= 57);

/**
 * One regex per family: group 1 is a comment or string (skipped), group 2 an identifier. Matching is
 * native; a character loop in JavaScript costs ~10 ms for a 1,000-line file in a cold process.
 */
const TOKEN_PATTERNS: Record<LanguageFamily, RegExp> = {
  js: /(\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|'(?:[^'\\\n]|\\.)*'?|"(?:[^"\\\n]|\\.)*"?|`(?:[^`\\]|\\[\s\S])*`?)|([A-Za-z_$\u00c0-\uffff][\w$\u00c0-\uffff]*)/g,
  python: /(#[^\n]*|(?<![\w])[rRbBuUfF]{0,2}(?:'''[\s\S]*?(?:'''|$)|"""[\s\S]*?(?:"""|$)|'(?:[^'\\\n]|\\.)*'?|"(?:[^"\\\n]|\\.)*"?))|([A-Za-z_\u00c0-\uffff][\w\u00c0-\uffff]*)/g,
  go: /(\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|`[^`]*`?)|([A-Za-z_\u00c0-\uffff][\w\u00c0-\uffff]*)/g,
  rust: /(\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|"(?:[^"\\]|\\[\s\S])*"?|'(?:[^'\\\n]|\\.)'|'(?=[A-Za-z_]))|([A-Za-z_\u00c0-\uffff][\w\u00c0-\uffff]*)/g,
  java: /(\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)|([A-Za-z_$\u00c0-\uffff][\w$\u00c0-\uffff]*)/g,
  other: /(\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|#[^\n]*|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?)|([A-Za-z_\u00c0-\uffff][\w\u00c0-\uffff]*)/g,
};

/** Every identifier token of `text` in order. */
export function scanIdentifiers(text: string, family: LanguageFamily): IdentifierToken[] {
  const out: IdentifierToken[] = [];
  const pattern = new RegExp(TOKEN_PATTERNS[family].source, 'g');
  let line = 1;
  let lineScan = 0;
  let prev: IdentifierToken | undefined;
  let prevEnd = -1;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    const name = m[2];
    if (name === undefined) {
      if (m[0].length === 0) pattern.lastIndex++;
      continue;
    }
    const start = m.index;
    for (let nl = text.indexOf('\n', lineScan); nl >= 0 && nl < start; nl = text.indexOf('\n', nl + 1)) {
      line++;
      lineScan = nl + 1;
    }
    // A member access: a `.` (maybe `?.`, `!.`) right before the name.
    let k = start - 1;
    while (k >= 0 && (text[k] === ' ' || text[k] === '\t')) k--;
    const member = text[k] === '.' && text[k - 1] !== '.';
    const token: IdentifierToken = { name, offset: start, line, member };
    if (member) {
      let q = k - 1;
      while (q >= 0 && (text[q] === '?' || text[q] === '!' || text[q] === ' ')) q--;
      if (prev && prevEnd === q + 1) token.qualifier = prev.name;
    }
    out.push(token);
    prev = token;
    prevEnd = start + name.length;
  }
  return out;
}

/** One step of a member-access chain: `store` in `this.store.get(`. */
export interface ChainPart {
  name: string;
  /** Followed by a call: `get(...)`. */
  call: boolean;
  /** Followed by an index: `items[0]`. */
  index: boolean;
  /** Preceded by `new`. */
  isNew?: boolean;
}

export interface CursorChain {
  /** What the cursor is typing after: `member` after `expr.`, `call` after `name(`, `line` on an empty line. */
  kind: 'member' | 'call' | 'line' | 'other';
  /** The expression before the `.` (member) or the callee (call), outermost first. */
  parts: ChainPart[];
  /** Identifier characters typed right before the cursor (a member or name being completed). */
  partial: string;
}

/**
 * Reads the expression in front of the cursor backwards: `this.store.` -> member of [this, store];
 * `ns.make(` -> call of [ns, make]; only spaces before the cursor on its line -> line.
 */
export function chainAtCursor(text: string, offset: number): CursorChain {
  let i = offset;
  while (i > 0 && isIdentPart(text.charCodeAt(i - 1))) i--;
  const partial = text.slice(i, offset);
  const lineStart = text.lastIndexOf('\n', i - 1) + 1;
  if (!text.slice(lineStart, i).trim()) return { kind: partial ? 'other' : 'line', parts: [], partial };
  let j = i;
  while (j > lineStart && (text[j - 1] === ' ' || text[j - 1] === '\t')) j--;
  const before = text[j - 1];
  if (before === '.' || (before === ':' && text[j - 2] === ':')) {
    const parts = readChain(text, before === '.' ? j - 1 : j - 2);
    return { kind: parts.length ? 'member' : 'other', parts, partial };
  }
  if (before === '(' && !partial) {
    const parts = readChain(text, j - 1, true);
    return { kind: parts.length ? 'call' : 'other', parts, partial };
  }
  return { kind: 'other', parts: [], partial };
}

/**
 * Parts of the chain ending at `end` (exclusive; text[end] is the `.` or `(` that follows it).
 * `callee` reads the callee of a call being typed, so its last part is not itself a call.
 */
function readChain(text: string, end: number, callee = false): ChainPart[] {
  const parts: ChainPart[] = [];
  let i = end;
  for (;;) {
    let call = false;
    let index = false;
    // Postfix `!`, `?` (TypeScript non-null and optional chaining) between parts.
    while (i > 0 && (text[i - 1] === '!' || text[i - 1] === '?')) i--;
    while (i > 0 && (text[i - 1] === ')' || text[i - 1] === ']')) {
      const open = matchBackwards(text, i - 1);
      if (open < 0) return parts.reverse();
      if (text[i - 1] === ')') call = true;
      else index = true;
      i = open;
    }
    let start = i;
    while (start > 0 && isIdentPart(text.charCodeAt(start - 1))) start--;
    // `this.#cache`: a JavaScript private field is named with its `#`.
    if (text[start - 1] === '#') start--;
    const name = text.slice(start, i);
    if (!name || !isIdentStart(name.charCodeAt(name[0] === '#' ? 1 : 0))) {
      // `(expr).x`, a literal or a cast: nothing to follow.
      return call && !name ? [] : parts.reverse();
    }
    const part: ChainPart = { name, call, index };
    const beforeName = text.slice(Math.max(0, start - 4), start);
    if (/new\s$/.test(beforeName)) part.isNew = true;
    parts.push(part);
    if (callee && parts.length === 1 && (call || index)) return [];
    let k = start;
    while (k > 0 && (text[k - 1] === ' ' || text[k - 1] === '\t')) k--;
    if (text[k - 1] === '.' && text[k - 2] !== '.') {
      i = k - 1;
      while (i > 0 && /[ \t\n\r]/.test(text[i - 1]!)) i--;
      continue;
    }
    // Rust and C++ paths: `cache::evict(` is `evict` in the module `cache`.
    if (text[k - 1] === ':' && text[k - 2] === ':') {
      i = k - 2;
      continue;
    }
    return parts.reverse();
  }
}

/** Offset of the bracket opening the one at `close`, or -1. Strings are not skipped: lines are short. */
function matchBackwards(text: string, close: number): number {
  const closeCh = text[close];
  const openCh = closeCh === ')' ? '(' : '[';
  let depth = 0;
  for (let k = close; k >= 0 && close - k < 2000; k--) {
    const c = text[k];
    if (c === closeCh) depth++;
    else if (c === openCh && --depth === 0) return k;
  }
  return -1;
}
