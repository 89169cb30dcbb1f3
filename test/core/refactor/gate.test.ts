import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { describeProblems, newSyntaxProblems, syntaxProblems } from '../../../src/core/refactor/gate';
import { SyntaxParsers } from '../../../src/core/syntax';

const parsers = new SyntaxParsers(path.resolve(__dirname, '../../../grammars'));

test('syntax problems name the place and what is wrong', async () => {
  assert.deepEqual(await syntaxProblems(parsers, 'typescript', 'const a = 1;\n'), []);
  const missing = await syntaxProblems(parsers, 'java', 'class A { void m() { int x = (1; } }');
  assert.deepEqual(missing, [{ line: 1, column: 32, message: 'missing ")"' }]);
  const python = await syntaxProblems(parsers, 'python', 'def f(x):\n    return x +\n');
  assert.ok(python?.length);
  assert.match(describeProblems(python!), /^line 2:\d+: /);
  // No grammar, nothing to check.
  assert.equal(await syntaxProblems(parsers, 'plaintext', '((('), undefined);
});

test('only errors the file did not have count against a rewrite', async () => {
  const before = 'function a() {\n  return 1;\n}\nfunction b( {\n';
  // The file already had an error (it is being typed): a clean rewrite of a() passes.
  assert.deepEqual(await newSyntaxProblems(parsers, 'typescript', before, before.replace('return 1;', 'return 2;')), []);
  // A rewrite that breaks a() is caught, the old error notwithstanding.
  const broken = await newSyntaxProblems(parsers, 'typescript', before, before.replace('return 1;\n}', 'return (1;\n}'));
  assert.ok(broken?.length, 'the new error is reported');
  // A new file is checked on its own.
  assert.deepEqual(await newSyntaxProblems(parsers, 'python', '', 'def test_a():\n    assert 1\n'), []);
  assert.ok((await newSyntaxProblems(parsers, 'python', '', 'def test_a(:\n    assert 1\n'))?.length);
});

test('describeProblems lists the first three', () => {
  const p = (line: number) => ({ line, column: 1, message: 'missing "}"' });
  assert.equal(describeProblems([p(1), p(2), p(3), p(4), p(5)]), 'line 1:1: missing "}"; line 2:1: missing "}"; line 3:1: missing "}" (and 2 more)');
});
