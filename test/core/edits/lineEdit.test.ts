import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendText, textAfterChange } from '../../../src/core/edits/fileChange';
import { applyLineEdit, changedSpan, linesOf } from '../../../src/core/edits/lineEdit';

test('applyLineEdit replaces whole lines and keeps the file\'s line endings', () => {
  assert.equal(applyLineEdit('a\nb\nc\n', { startLine: 2, endLine: 2, replacement: 'B1\nB2' }), 'a\nB1\nB2\nc\n');
  // CRLF files stay CRLF, whatever the replacement uses.
  assert.equal(applyLineEdit('a\r\nb\r\nc\r\n', { startLine: 1, endLine: 2, replacement: 'X\nY\n' }), 'X\r\nY\r\nc\r\n');
  assert.equal(applyLineEdit('a\r\nb\r\nc', { startLine: 3, endLine: 3, replacement: 'C\r\n' }), 'a\r\nb\r\nC');
  // An empty replacement deletes; a lone newline leaves one empty line.
  assert.equal(applyLineEdit('a\nb\nc\n', { startLine: 2, endLine: 2, replacement: '' }), 'a\nc\n');
  assert.equal(applyLineEdit('a\nb\nc\n', { startLine: 2, endLine: 2, replacement: '\n' }), 'a\n\nc\n');
  assert.throws(() => applyLineEdit('a\nb\n', { startLine: 2, endLine: 9, replacement: 'x' }), /no longer fits/);
});

test('linesOf reads whole lines, whatever the line endings', () => {
  assert.equal(linesOf('a\r\nb\r\nc\r\n', 2, 3), 'b\nc');
  assert.equal(linesOf('a\nb', 1, 1), 'a');
});

test('changedSpan is the smallest replacement that turns one text into the other', () => {
  const apply = (before: string, after: string) => {
    const span = changedSpan(before, after);
    assert.equal(before.slice(0, span.start) + span.text + before.slice(span.end), after);
    return span;
  };
  assert.deepEqual(apply('abcdef', 'abXYef'), { start: 2, end: 4, text: 'XY' });
  assert.deepEqual(apply('same', 'same'), { start: 4, end: 4, text: '' });
  apply('aaa', 'aaaa');
  apply('aaaa', 'aa');
  apply('x\r\ny', 'x\r\n\r\ny');
  // A surrogate pair is never split.
  const span = apply('a😀b', 'a😃b');
  assert.equal(span.text, '😃');
});

test('a file change gives the text its file will have', () => {
  assert.equal(textAfterChange({ kind: 'lines', path: 'a.ts', edit: { startLine: 1, endLine: 1, replacement: 'A' } }, 'a\nb\n'), 'A\nb\n');
  assert.equal(textAfterChange({ kind: 'create', path: 'b.ts', text: 'new\n' }, ''), 'new\n');
  // Appended after one blank line, in the file's line endings, ending with one newline.
  assert.equal(textAfterChange({ kind: 'append', path: 'c.ts', text: 'test(2)' }, 'test(1)\r\n\r\n\r\n'), 'test(1)\r\n\r\ntest(2)\r\n');
  assert.equal(appendText('', 'x\n\n'), 'x\n');
});
