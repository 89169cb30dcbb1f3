/**
 * Text the grammar cannot read whole: the cursor's half-typed line (completed or dropped before the
 * summary is made, so the enclosing function survives) and a construct the grammar misreads (parsed
 * one top-level declaration at a time). And a call whose deadline has passed still answers.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ContextEngine } from '../../../src/core/context';
import { Summarizer } from '../../../src/core/context/extract';
import { covering, cursorAfter, FIXTURES, parsers } from './helpers';
import path from 'node:path';

const summarizer = new Summarizer(parsers);
after(() => summarizer.dispose());

/** The definitions around 1-based `line`. */
const around = (s: Awaited<ReturnType<Summarizer['summarize']>>, line: number) => s!.defs.filter((d) => d.line <= line && line <= d.end).map((d) => d.name);
const lineAt = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

test('a half-typed member access in a method keeps the method and its class in the summary', async () => {
  const text = ['export class Cart {', '  items: string[] = [];', '  total(): number {', '    const n = this.items.', '    return n;', '  }', '}', ''].join('\n');
  const cursor = text.indexOf('this.items.') + 'this.items.'.length;
  const repaired = await summarizer.summarize('cart.ts', text, cursor);
  assert.deepEqual(around(repaired, lineAt(text, cursor)), ['Cart', 'total']);
  assert.ok(repaired!.bindings.some((b) => b.name === 'n' || b.name === 'this') || repaired!.defs.length >= 3);
});

test('a half-typed line that opens a block (`for (const a of b.`) is closed and opened again', async () => {
  const text = ['export function sum(order: Order): number {', '  let total = 0;', '  for (const line of order.', '    total += line.price;', '  }', '  return total;', '}', 'export function after(): void {}', ''].join('\n');
  const cursor = text.indexOf('order.\n') + 'order.'.length;
  const repaired = await summarizer.summarize('sum.ts', text, cursor);
  assert.deepEqual(around(repaired, lineAt(text, cursor)), ['sum']);
  assert.ok(repaired!.defs.some((d) => d.name === 'after'), 'what follows is intact');
});

test('Python: a statement typed on an empty last line is still inside its function', async () => {
  const text = ['def audit(purchase: Order):', '    for line in purchase.lines():', '        print(line)', '    ', ''].join('\n');
  const cursor = text.indexOf('    \n') + 4;
  const plain = await summarizer.summarize('a.py', text);
  assert.deepEqual(around(plain, lineAt(text, cursor)), [], 'without the repair the function ends a line early');
  const repaired = await summarizer.summarize('a.py', text, cursor);
  assert.deepEqual(around(repaired, lineAt(text, cursor)), ['audit']);
  assert.ok(repaired!.bindings.some((b) => b.name === 'purchase' && b.to >= lineAt(text, cursor)));
});

test('a construct the grammar misreads hides only its own declaration, not the rest of the file', async () => {
  // tree-sitter-typescript misreads a generic call signature after a comment in an interface: error
  // recovery then swallowed everything after it (seen in mobx's api/action.ts).
  const text = [
    'export interface Factory {',
    '  <T extends Function | undefined>(fn: T): T',
    '  // named',
    '  <T extends Function | undefined>(name: string, fn: T): T',
    '  (customName: string): Factory',
    '}',
    '',
    'function createFactory(auto: boolean): Factory {',
    '  const res: Factory = function action(a, b?): any {',
    '    return a;',
    '  } as Factory;',
    '  return res;',
    '}',
    '',
    'export function isAction(thing: any) {',
    '  return typeof thing === "function";',
    '}',
    '',
  ].join('\n');
  const s = await summarizer.summarize('action.ts', text);
  assert.ok(s!.defs.some((d) => d.name === 'isAction' && d.line === 15), `isAction found: ${s!.defs.map((d) => `${d.name}@${d.line}`).join(' ')}`);
  assert.ok(s!.defs.some((d) => d.name === 'createFactory' && d.line === 8));
});

test('past its deadline a call still resolves the callee and the nearest names', async () => {
  let t = 0;
  // Every reading of the clock is 100 ms later: the deadline has passed before the first lookup.
  const engine = new ContextEngine({ root: path.join(FIXTURES, 'ts'), parsers, now: () => (t += 100) });
  try {
    const cursor = cursorAfter('ts', 'src/app.ts', 'const user = makeUser(name);', 'makeUser(');
    const result = await engine.contextAt({ ...cursor, maxTokens: 1024, deadlineMs: 5 });
    assert.equal(result.timings.deadlineHit, true);
    assert.ok(covering(result, 'src/models/user.ts', 6), 'the callee, even late');
  } finally {
    engine.dispose();
  }
});

test("the caller's time before the call counts against the deadline", async () => {
  // The clock stands still: only `spentMs` can push the call past its deadline.
  const engine = new ContextEngine({ root: path.join(FIXTURES, 'ts'), parsers, now: () => 1000 });
  try {
    await engine.ready();
    const cursor = cursorAfter('ts', 'src/app.ts', 'const user = makeUser(name);', 'makeUser(');
    const onTime = await engine.contextAt({ ...cursor, maxTokens: 1024, deadlineMs: 25, spentMs: 10 });
    assert.equal(onTime.timings.deadlineHit, false);
    const late = await engine.contextAt({ ...cursor, maxTokens: 1024, deadlineMs: 25, spentMs: 30 });
    assert.equal(late.timings.deadlineHit, true, 'a CLI that spent 30 ms parsing and reading has no time left');
    assert.ok(covering(late, 'src/models/user.ts', 6), 'the callee, even late');
  } finally {
    engine.dispose();
  }
});
