import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { targetAt, type Selection } from '../../../src/core/refactor/target';
import { SyntaxParsers } from '../../../src/core/syntax';

const parsers = new SyntaxParsers(path.resolve(__dirname, '../../../grammars'));

async function targetIn(languageId: string, text: string, selection: Selection, options: { enclosing?: boolean } = {}) {
  const parser = (await parsers.createParser(languageId))!;
  const tree = parser.parse(text)!;
  try {
    return targetAt(tree.rootNode, text, selection, options);
  } finally {
    tree.delete();
    parser.delete();
  }
}

const cursor = (line: number, column = 0): Selection => ({ start: { line, column }, end: { line, column } });
const lines = (startLine: number, endLine: number, endColumn = 1): Selection => ({ start: { line: startLine, column: 0 }, end: { line: endLine, column: endColumn } });

const TS = [
  'import { a } from "./a";', // 1
  '', // 2
  '/** Adds. */', // 3
  'export function sum(xs: number[]): number {', // 4
  '  return xs.map((x) => x * 2).reduce((t, x) => t + x, 0);', // 5
  '}', // 6
  '', // 7
  'export class Cart {', // 8
  '  private items: number[] = [];', // 9
  '', // 10
  '  // Total in cents.', // 11
  '  total(): number {', // 12
  '    const t = sum(this.items);', // 13
  '    return t;', // 14
  '  }', // 15
  '', // 16
  '  readonly add = (n: number) => {', // 17
  '    this.items.push(n);', // 18
  '  };', // 19
  '}', // 20
  'const double = (x: number) =>', // 21
  '  x * 2;', // 22
  '',
].join('\n');

test('with nothing selected: the function around the cursor, with its export and doc comment', async () => {
  assert.deepEqual(await targetIn('typescript', TS, cursor(5, 20)), { kind: 'function', startLine: 3, endLine: 6, name: 'function sum' });
  // A callback inside is part of its function, not a target of its own.
  assert.deepEqual(await targetIn('typescript', TS, cursor(5, 18)), { kind: 'function', startLine: 3, endLine: 6, name: 'function sum' });
  // A cursor in the indentation is on the line's code.
  assert.deepEqual(await targetIn('typescript', TS, cursor(13, 0)), { kind: 'function', startLine: 11, endLine: 15, name: 'function total' });
  // An arrow function held by a field or a const is a function.
  assert.deepEqual(await targetIn('typescript', TS, cursor(18, 6)), { kind: 'function', startLine: 17, endLine: 19, name: 'function add' });
  assert.deepEqual(await targetIn('typescript', TS, cursor(22, 3)), { kind: 'function', startLine: 21, endLine: 22, name: 'function double' });
  // In a class but outside its methods: the class.
  assert.deepEqual(await targetIn('typescript', TS, cursor(9, 4)), { kind: 'class', startLine: 8, endLine: 20, name: 'class Cart' });
  // Outside any declaration: nothing.
  assert.equal(await targetIn('typescript', TS, cursor(1, 3)), undefined);
});

test('a selection is the selected whole lines; Extract Function widens it to the function around it', async () => {
  assert.deepEqual(await targetIn('typescript', TS, lines(13, 14, 13)), { kind: 'selection', startLine: 13, endLine: 14 });
  // A selection ending at column 0 ends on the line before.
  assert.deepEqual(await targetIn('typescript', TS, lines(13, 15, 0)), { kind: 'selection', startLine: 13, endLine: 14 });
  assert.deepEqual(await targetIn('typescript', TS, lines(13, 13, 10), { enclosing: true }), {
    kind: 'function',
    startLine: 11,
    endLine: 15,
    name: 'function total',
    focus: { startLine: 13, endLine: 13 },
  });
  // The whole function selected: the selection itself.
  assert.deepEqual(await targetIn('typescript', TS, lines(11, 15, 3), { enclosing: true }), { kind: 'selection', startLine: 11, endLine: 15 });
});

test('Python, Go and Rust declarations, with decorators and receivers', async () => {
  const python = ['import os', '', '@cache', 'def load(path):', '    with open(path) as f:', '        return f.read()', '', 'class Store:', '    def get(self, key):', '        return self.data[key]', ''].join('\n');
  assert.deepEqual(await targetIn('python', python, cursor(5, 8)), { kind: 'function', startLine: 3, endLine: 6, name: 'function load' });
  assert.deepEqual(await targetIn('python', python, cursor(10, 8)), { kind: 'function', startLine: 9, endLine: 10, name: 'function get' });
  assert.deepEqual(await targetIn('python', python, cursor(8, 2)), { kind: 'class', startLine: 8, endLine: 10, name: 'class Store' });
  const go = ['package cart', '', '// Total sums the items.', 'func (c *Cart) Total() int {', '\treturn 0', '}', '', 'type Cart struct {', '\titems []int', '}', ''].join('\n');
  assert.deepEqual(await targetIn('go', go, cursor(5, 1)), { kind: 'function', startLine: 3, endLine: 6, name: 'function Total' });
  assert.deepEqual(await targetIn('go', go, cursor(9, 1)), { kind: 'class', startLine: 8, endLine: 10, name: 'type Cart' });
  const rust = ['#[inline]', 'fn add(a: i32) -> i32 {', '    a + 1', '}', ''].join('\n');
  assert.deepEqual(await targetIn('rust', rust, cursor(3, 4)), { kind: 'function', startLine: 1, endLine: 4, name: 'function add' });
});
