import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planApply, proposeChange, type ApplyPlan } from '../../../src/core/chat';
import { textAfterChange } from '../../../src/core/edits/fileChange';

const applyPlanText = (file: string, code: string, plan: ApplyPlan) => textAfterChange(proposeChange('f.ts', file, code, plan), file);

const FILE = [
  'import { x } from "./x";',
  '',
  'export function sum(xs: number[]): number {',
  '  let t = 0;',
  '  for (let i = 0; i <= xs.length; i++) t += xs[i];',
  '  return t;',
  '}',
  '',
  'export function mean(xs: number[]): number {',
  '  return sum(xs) / xs.length;',
  '}',
  '',
].join('\n');

test('a block whose first line is found once replaces that construct, closer included', () => {
  const fixed = 'export function sum(xs: number[]): number {\n  let t = 0;\n  for (let i = 0; i < xs.length; i++) t += xs[i];\n  return t;\n}\n';
  const plan = planApply(FILE, fixed, { cursorLine: 1 });
  assert.deepEqual(plan, { startLine: 3, endLine: 7, how: 'matching block' });
  const result = applyPlanText(FILE, fixed, plan);
  assert.match(result, /i < xs\.length/);
  assert.doesNotMatch(result, /i <= xs\.length/);
  assert.equal(result.split('\n').length, FILE.split('\n').length);
  assert.match(result, /export function mean/);
});

test('an indentation language: the construct ends where the indentation returns', () => {
  const py = 'def a():\n    return 1\n\ndef b(x):\n    if x:\n        return 2\n    return 3\n\nprint(b(1))\n';
  const plan = planApply(py, 'def b(x):\n    return 4\n', { cursorLine: 1 });
  assert.deepEqual(plan, { startLine: 4, endLine: 7, how: 'matching block' });
  assert.equal(applyPlanText(py, 'def b(x):\n    return 4\n', plan), 'def a():\n    return 1\n\ndef b(x):\n    return 4\n\nprint(b(1))\n');
});

test('the whole file when the block starts and ends like it and is about as long', () => {
  const whole = FILE.replace('<=', '<');
  assert.equal(planApply(FILE, whole, { cursorLine: 1 }).how, 'whole file');
  assert.equal(applyPlanText(FILE, whole, planApply(FILE, whole, { cursorLine: 1 })), whole);
});

test('no anchor: the question\'s selection, else the cursor (an insertion); CRLF files keep CRLF', () => {
  const block = '  t = Math.max(t, 0);';
  assert.deepEqual(planApply(FILE, block, { selection: { startLine: 4, endLine: 4 }, cursorLine: 1 }), { startLine: 4, endLine: 4, how: 'selection' });
  const plan = planApply(FILE, block, { cursorLine: 6 });
  assert.deepEqual(plan, { startLine: 6, endLine: 5, how: 'cursor' });
  const inserted = applyPlanText(FILE, block, plan).split('\n');
  assert.equal(inserted[5], block);
  assert.equal(inserted[6], '  return t;');
  const crlf = FILE.replace(/\n/g, '\r\n');
  assert.ok(!/[^\r]\n/.test(applyPlanText(crlf, block, planApply(crlf, block, { cursorLine: 2 }))));
  // At the end (the empty line after the final newline) the file keeps its final newline.
  assert.equal(applyPlanText('a\n', 'b', planApply('a\n', 'b', { cursorLine: 9 })), 'a\nb\n');
});

test('the change carries the lines it replaces, so a file edited since is not overwritten', () => {
  const change = proposeChange('src/sum.ts', FILE, 'export function sum(xs: number[]): number {\n  return 0;\n}', { startLine: 3, endLine: 7, how: 'matching block' });
  assert.equal(change.expected, FILE.split('\n').slice(2, 7).join('\n'));
  assert.equal(change.path, 'src/sum.ts');
  const insert = proposeChange('src/sum.ts', FILE, 'x();', { startLine: 4, endLine: 3, how: 'cursor' });
  assert.deepEqual(insert.edit, { startLine: 4, endLine: 4, replacement: 'x();\n  let t = 0;\n' });
  assert.equal(insert.expected, '  let t = 0;');
});

test('a first line that appears twice, or is too short, is no anchor', () => {
  const twice = 'function f() {\n  return 1;\n}\nfunction f() {\n  return 2;\n}\n';
  assert.equal(planApply(twice, 'function f() {\n  return 3;\n}', { cursorLine: 1 }).how, 'cursor');
  assert.equal(planApply(FILE, '}\n', { cursorLine: 2 }).how, 'cursor');
});
