/** Incremental reparse of the edited file: the edit between two texts, and summaries equal to a fresh parse. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Parser, type Tree } from 'web-tree-sitter';
import { editBetween } from '../../../../src/core/context/cursor/lineMap';
import { Summarizer } from '../../../../src/core/context/extract';
import { FIXTURES, parsers } from '../helpers';

test('editBetween: the one changed region, with rows and columns in UTF-16 units', () => {
  assert.equal(editBetween('abc', 'abc'), undefined);
  assert.deepEqual(editBetween('let a = 1;\nlet b;\n', 'let a = 1;\nlet bc;\n'), {
    startIndex: 16,
    oldEndIndex: 16,
    newEndIndex: 17,
    startPosition: { row: 1, column: 5 },
    oldEndPosition: { row: 1, column: 5 },
    newEndPosition: { row: 1, column: 6 },
  });
  const removed = editBetween('one\ntwo\nthree\n', 'one\nthree\n')!;
  // "two\nthree" → "three": the shortest region, "wo\nt" after the shared "t".
  assert.deepEqual([removed.startIndex, removed.oldEndIndex, removed.newEndIndex], [5, 9, 5]);
  assert.deepEqual([removed.startPosition, removed.oldEndPosition, removed.newEndPosition], [{ row: 1, column: 1 }, { row: 2, column: 1 }, { row: 1, column: 1 }]);
  // An emoji (a surrogate pair) replaced by another sharing its high half: the edit covers the whole pair.
  const emoji = editBetween('x = "😀";', 'x = "😃";')!;
  assert.deepEqual([emoji.startIndex, emoji.oldEndIndex, emoji.newEndIndex], [5, 7, 7]);
});

test('an incremental reparse (tree.edit, then parse with the old tree) summarizes exactly as a fresh parse', async () => {
  const original = readFileSync(path.join(FIXTURES, 'ts/src/app.ts'), 'utf8');
  const incremental = new Summarizer(parsers);
  const fresh = new Summarizer(parsers);
  // Which parses were given an old tree to reuse.
  const reused: boolean[] = [];
  const parse = Parser.prototype.parse;
  Parser.prototype.parse = function (this: Parser, ...args: Parameters<Parser['parse']>): Tree | null {
    reused.push(args[1] != null);
    return parse.apply(this, args);
  };
  try {
    const mid = original.indexOf('\n', original.length >> 1) + 1;
    // Typing a line char by char, an accented name and an emoji, a pasted block, a deletion, an undo.
    const line = 'export const café = (n: number) => `😀${n}`;\n';
    const versions = [
      ...Array.from({ length: line.length }, (_, i) => original.slice(0, mid) + line.slice(0, i + 1) + original.slice(mid)),
      original.slice(0, mid) + line + 'class Pasted {\n  run(): void {}\n}\n' + original.slice(mid),
      original.slice(0, 40) + original.slice(mid),
      original,
    ];
    await incremental.summarize('src/app.ts', original);
    for (const [i, text] of versions.entries()) {
      reused.length = 0;
      const got = await incremental.summarize('src/app.ts', text);
      // A text with errors is also parsed one declaration at a time (fresh trees of small ranges).
      assert.equal(reused[0], true, `version ${i} reparsed from the previous tree`);
      // Another name each time: the fresh summarizer never has a tree of it.
      const want = await fresh.summarize(`src/fresh${i}.ts`, text);
      assert.deepEqual(got, want, `version ${i}`);
    }
  } finally {
    Parser.prototype.parse = parse;
    incremental.dispose();
    fresh.dispose();
  }
});
