/** The words names are related by (rank/words.ts): what a Go line's package guesses are scored with. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countShared, nameWords, sharedWords, wordsOfText } from '../../../src/core/context/rank/words';

test('nameWords splits acronyms, camel case, snake case and digits, each word once, short and common ones left out', () => {
  assert.deepEqual(nameWords('ExtractIPFromRealIPHeader'), ['extract', 'real', 'header']);
  assert.deepEqual(nameWords('get_style_for_style'), ['style']);
  assert.deepEqual(nameWords('HTTPServer2024'), ['http', 'server', '2024']);
  assert.deepEqual(nameWords('x'), []);
});

test('wordsOfText lower-cases every distinct word once, whatever its case where it occurs', () => {
  const words = wordsOfText('func (e *Echo) AddRoute(route Route) {\n\t// add the route to the router\n\te.router.Add(route)\n}');
  assert.deepEqual([...words].sort(), ['add', 'echo', 'route', 'router']);
});

test('countShared counts each shared word of a name once, as sharedWords does from the name', () => {
  const context = wordsOfText('the header of a real request');
  assert.equal(countShared(nameWords('RealHeaderHeader'), context), 2);
  assert.equal(sharedWords('RealHeaderHeader', context), 2);
  assert.equal(sharedWords('RealHeader', new Set()), 0);
});
