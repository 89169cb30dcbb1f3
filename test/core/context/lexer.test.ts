import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chainAtCursor, scanIdentifiers } from '../../../src/core/context/cursor/lexer';

const show = (text: string, family: 'js' | 'python' | 'go') =>
  scanIdentifiers(text, family).map((t) => `${t.line}:${t.qualifier ? `${t.qualifier}.` : t.member ? '.' : ''}${t.name}`);

test('identifiers skip strings and comments, and know their qualifier', () => {
  assert.deepEqual(show("const a = 'x y' + b?.c; // z\n/* q */ ns.Name(`t ${u}`)", 'js'), ['1:const', '1:a', '1:b', '1:b.c', '2:ns', '2:ns.Name']);
  assert.deepEqual(show('x = f"{y}" + buf  # c\n"""doc\nz"""\nself.seg.text', 'python'), ['1:x', '1:buf', '4:self', '4:self.seg', '4:seg.text']);
  assert.deepEqual(show('s := "a\\"b" + `raw\nraw`\nfmt.Println(s)', 'go'), ['1:s', '3:fmt', '3:fmt.Println', '3:s']);
  assert.deepEqual(show('foo().bar', 'js'), ['1:foo', '1:.bar'], 'a member of a call result has no qualifier');
});

test('the chain before the cursor says what is being typed', () => {
  assert.deepEqual(chainAtCursor('  this.store.', 13), {
    kind: 'member',
    parts: [
      { name: 'this', call: false, index: false },
      { name: 'store', call: false, index: false },
    ],
    partial: '',
  });
  const call = chainAtCursor('x = ns.make(', 12);
  assert.equal(call.kind, 'call');
  assert.deepEqual(call.parts.map((p) => p.name), ['ns', 'make']);
  assert.equal(chainAtCursor('foo\n    ', 8).kind, 'line');
  const calls = chainAtCursor('a.b(1, (2)).c.', 14);
  assert.deepEqual(calls.parts.map((p) => [p.name, p.call]), [['a', false], ['b', true], ['c', false]]);
  assert.equal(chainAtCursor('x = new Foo().', 14).parts[0]?.isNew, true);
  assert.deepEqual(chainAtCursor('obj.pre', 7), { kind: 'member', parts: [{ name: 'obj', call: false, index: false }], partial: 'pre' });
});
