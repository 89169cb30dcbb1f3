/**
 * Where to ask a language server about the code at a cursor (the editor turns the answers into
 * ContextRequest.hints): the receiver before a `.` being typed (its type definition), the callee
 * before a `(` (its definition), and a few other names before the cursor on its line (their
 * definitions). Editor-free, so the choice is tested without VS Code.
 */
import type { ContextHint } from '../types';

export interface HintQuery {
  /** UTF-16 offset of the identifier to ask about. */
  offset: number;
  /** `type`: ask for its type's definition; `definition`: for its own. */
  kind: NonNullable<ContextHint['kind']>;
}

/** Names on the cursor's line asked about, nearest the cursor first (each is one provider request). */
const MAX_LINE_NAMES = 3;
const NOT_NAMES = /^(const|let|var|return|await|new|if|for|while|function|def|func|self|this|import|from|in|of|and|or|not)$/;

export function hintQueriesAt(text: string, offset: number): HintQuery[] {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const queries: HintQuery[] = [];
  const partial = /[\p{L}\p{N}_$]*$/u.exec(before)![0];
  const head = before.slice(0, before.length - partial.length).replace(/\s+$/, '');
  const last = nameBefore(head, head.length - 1);
  if (head.endsWith('.') && last !== undefined) queries.push({ offset: lineStart + last, kind: 'type' });
  if (head.endsWith('(') && last !== undefined) queries.push({ offset: lineStart + last, kind: 'definition' });
  const asked = new Set(queries.map((q) => q.offset));
  const names = [...head.matchAll(/[\p{L}_$][\p{L}\p{N}_$]*/gu)].filter((m) => !asked.has(lineStart + m.index) && !NOT_NAMES.test(m[0]) && !/[\p{N}]/u.test(head[m.index - 1] ?? ''));
  for (const m of names.reverse().slice(0, MAX_LINE_NAMES)) queries.push({ offset: lineStart + m.index, kind: 'definition' });
  return queries;
}

/**
 * Start of the identifier that ends before `end` (`items` in `cart.items[0].`), across postfix `!`/`?`
 * and bracketed groups (a call's arguments, an index), or undefined.
 */
function nameBefore(text: string, end: number): number | undefined {
  let i = end;
  for (;;) {
    while (i > 0 && /[\s!?]/.test(text[i - 1]!)) i--;
    const close = text[i - 1];
    if (close !== ')' && close !== ']') break;
    const open = close === ')' ? '(' : '[';
    let depth = 0;
    let k = i - 1;
    for (; k >= 0; k--) {
      if (text[k] === close) depth++;
      else if (text[k] === open && --depth === 0) break;
    }
    if (k < 0) return undefined;
    i = k;
  }
  const m = /[\p{L}_$][\p{L}\p{N}_$]*$/u.exec(text.slice(0, i));
  return m && !NOT_NAMES.test(m[0]) ? m.index : undefined;
}
