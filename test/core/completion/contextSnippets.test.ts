import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toPromptSnippets } from '../../../src/core/completion/contextSnippets';
import type { ContextSnippet } from '../../../src/core/context';

const s = (file: string, startLine: number, text: string): ContextSnippet => ({
  file,
  startLine,
  endLine: startLine + text.split('\n').length - 1,
  text,
  reason: 'definition',
});

test('one prompt file per source file, pieces in line order, gaps marked, overlaps merged', () => {
  const out = toPromptSnippets([
    s('src/store.ts', 20, 'get(key: string): Value {\n  return this.map.get(key);\n}'),
    s('src/types.ts', 1, 'export type Value = number;'),
    s('src/store.ts', 3, 'export class Store {'),
    s('src/store.ts', 20, 'get(key: string): Value {'),
    s('src/store.ts', 21, '  return this.map.get(key);\n}\n\nset(key: string, v: Value) {}'),
  ]);
  assert.deepEqual(out.map((f) => f.path), ['src/store.ts', 'src/types.ts']);
  assert.equal(out[0]!.text, 'export class Store {\n...\nget(key: string): Value {\n  return this.map.get(key);\n}\n\nset(key: string, v: Value) {}');
});
