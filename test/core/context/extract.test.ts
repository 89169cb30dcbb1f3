import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Summarizer } from '../../../src/core/context/extract';
import type { FileSummary } from '../../../src/core/context/summary';
import { parsers } from './helpers';

const summarizer = new Summarizer(parsers);
after(() => summarizer.dispose());

const defs = (s: FileSummary) => s.defs.map((d) => `${d.parent >= 0 ? `${s.defs[d.parent]!.name}.` : ''}${d.name}:${d.kind}@${d.line}${d.type ? `:${d.type}` : ''}`);

test('TypeScript: imports, re-exports, definitions with members, typed parameters and locals', async () => {
  const s = (await summarizer.summarize(
    'a.ts',
    [
      "import Def, { a as b } from './x.js';",
      "export * from './z';",
      "export { d, e as f } from './w';",
      'export class Foo extends Base implements I {',
      '  constructor(private store: Store<T>) { super(); }',
      '  m(a: A): B { const r = new Q(); return r; }',
      '}',
      'export interface K { p: P; q(x: number): R; }',
      'export const c = (x: X): Y => x;',
    ].join('\n'),
  ))!;
  assert.deepEqual(s.imports.map((i) => [i.from, i.names?.map((n) => `${n.name}>${n.local}`), i.star ?? false, i.reexport ?? false]), [
    ['./x.js', ['default>Def', 'a>b'], false, false],
    ['./z', undefined, true, true],
    ['./w', ['d>d', 'e>f'], false, true],
  ]);
  assert.deepEqual(defs(s), ['Foo:class@4', 'Foo.constructor:method@5', 'Foo.store:field@5:Store<T>', 'Foo.m:method@6:B', 'K:interface@8', 'K.p:field@8:P', 'K.q:method@8:R', 'c:function@9:Y']);
  assert.deepEqual(s.defs[0]!.bases, ['Base', 'I']);
  assert.equal(s.defs[0]!.header, 'export class Foo extends Base implements I {');
  assert.deepEqual(s.bindings.find((b) => b.name === 'r')?.value, 'new Q');
});

test('Python: relative and aliased imports, classes with bases, self fields, annotated parameters', async () => {
  const s = (await summarizer.summarize(
    'a.py',
    ['import a.b as c', 'from ..x import A, B as C', 'from .m import *', 'class Foo(Base):', '    def __init__(self, o: "Opt") -> None:', '        self.seg = Segment(o)', 'K = make()'].join('\n'),
  ))!;
  assert.deepEqual(s.imports.map((i) => [i.from, i.namespace, i.names?.map((n) => n.local), i.star]), [
    ['a.b', 'c', undefined, undefined],
    ['..x', undefined, ['A', 'C'], undefined],
    ['.m', undefined, undefined, true],
  ]);
  assert.deepEqual(defs(s), ['Foo:class@4', 'Foo.__init__:method@5:None', 'Foo.seg:field@6', 'K:variable@7']);
  assert.equal(s.defs.find((d) => d.name === 'seg')?.value, 'call Segment');
  assert.equal(s.bindings.find((b) => b.name === 'self')?.type, 'Foo');
  assert.equal(s.bindings.find((b) => b.name === 'o')?.type, '"Opt"');
});

test('Go: package, imports, structs with embedded types, methods with receivers, := values', async () => {
  const s = (await summarizer.summarize(
    'a.go',
    [
      'package shop',
      'import (',
      '  "fmt"',
      '  t "example.com/x/text"',
      ')',
      'type Cart struct {',
      '  Base',
      '  Items []Item',
      '}',
      'func (c *Cart) Add(it Item) error {',
      '  v := t.NewReader()',
      '  return nil',
      '}',
    ].join('\n'),
  ))!;
  assert.equal(s.pkg, 'shop');
  assert.deepEqual(s.imports.map((i) => [i.from, i.namespace]), [['fmt', 'fmt'], ['example.com/x/text', 't']]);
  assert.deepEqual(defs(s), ['Cart:struct@6', 'Cart.Base:field@7:Base', 'Cart.Items:field@8:[]Item', 'Add:method@10:error']);
  assert.deepEqual(s.defs[0]!.bases, ['Base']);
  assert.equal(s.defs.find((d) => d.name === 'Add')?.receiver, 'Cart');
  assert.equal(s.bindings.find((b) => b.name === 'v')?.value, 'call t.NewReader');
  assert.equal(s.bindings.find((b) => b.name === 'c')?.type, '*Cart');
});

test('Rust, Java, C and C++: definitions with their members', async () => {
  const rust = (await summarizer.summarize('a.rs', 'struct S { x: i32 }\nimpl S { fn get(&self) -> i32 { self.x } }\nfn main() {}'))!;
  assert.deepEqual(defs(rust), ['S:struct@1', 'S.x:field@1:i32', 'get:method@2:i32', 'main:function@3']);
  assert.equal(rust.defs.find((d) => d.name === 'get')?.receiver, 'S');
  const java = (await summarizer.summarize('A.java', 'package p;\nimport q.R;\nclass A { int n; void run() {} }'))!;
  assert.deepEqual(defs(java), ['A:class@3', 'A.n:field@3:int', 'A.run:method@3:void']);
  const c = (await summarizer.summarize('a.c', '#include "b.h"\nstruct P { int x; };\nint add(int a, int b) { return a + b; }'))!;
  assert.deepEqual(defs(c), ['P:struct@2', 'P.x:field@2:int', 'add:function@3:int']);
  const cpp = (await summarizer.summarize('a.cpp', 'namespace n { class A { public: int f(); }; }'))!;
  assert.deepEqual(defs(cpp), ['n:namespace@1', 'n.A:class@1', 'A.f:method@1:int']);
});
