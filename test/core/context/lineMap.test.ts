import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lengthsOf, mapSummary } from '../../../src/core/context/cursor/lineMap';
import { Summarizer } from '../../../src/core/context/extract';
import { parsers } from './helpers';

const SOURCE = [
  "import { Store } from './store';",
  '',
  'export function a(store: Store) {',
  '  const x = store.get();',
  '  return x;',
  '}',
  '',
  ...Array.from({ length: 80 }, (_, i) => `// filler ${i}`),
  'export function b(): number {',
  '  return 1;',
  '}',
].join('\n');

test('a summary maps across an edit: lines after it shift, what was on the edited line is dropped', async () => {
  const summarizer = new Summarizer(parsers);
  const old = (await summarizer.summarize('a.ts', SOURCE))!;
  summarizer.dispose();
  // The user rewrites line 4 and adds two lines below it.
  const edited = SOURCE.replace('  const x = store.get();', '  const y = 1;\n  const z = 2;\n  store.');
  const mapped = mapSummary(old, edited)!;
  assert.deepEqual([mapped.changedFrom, mapped.changedTo], [4, 6]);
  const b = mapped.summary.defs.find((d) => d.name === 'b')!;
  const a = mapped.summary.defs.find((d) => d.name === 'a')!;
  assert.equal(b.line, old.defs.find((d) => d.name === 'b')!.line + 2);
  assert.equal(b.header, 'export function b(): number {');
  assert.equal(a.end, 8, "a's end moves with the lines after the edit");
  assert.equal(mapped.summary.bindings.some((x) => x.name === 'x'), false, "x was declared on the edited line: not trusted");
  assert.equal(mapped.summary.bindings.find((x) => x.name === 'store')?.type, 'Store', 'the parameter survives');
});

test('no mapping across an edited import or a large edit (the caller parses instead)', async () => {
  const summarizer = new Summarizer(parsers);
  const old = (await summarizer.summarize('a.ts', SOURCE))!;
  summarizer.dispose();
  assert.equal(mapSummary(old, SOURCE.replace("from './store'", "from './other'")), undefined);
  assert.equal(mapSummary(old, SOURCE.replace(/filler/g, 'changed')), undefined);
});

test('an edit that keeps every line length is still found (block hashes)', async () => {
  const summarizer = new Summarizer(parsers);
  const old = (await summarizer.summarize('a.ts', SOURCE))!;
  summarizer.dispose();
  const mapped = mapSummary(old, SOURCE.replace('// filler 20', '// FILLER 20'))!;
  assert.ok(mapped.changedFrom <= 28 && mapped.changedTo >= 28, `${mapped.changedFrom}-${mapped.changedTo} covers line 28`);
});

test('line lengths are read off the line breaks as splitting would give them (CRLF, empty and last lines)', () => {
  for (const text of ['', 'a', 'a\n', '\n\n', 'ab\r\ncd\r\n', '\r', 'x\r\n\r\ny', 'one\ntwo\r\nthree']) {
    const split = text.split('\n').map((l) => (l.endsWith('\r') ? l.length - 1 : l.length));
    assert.deepEqual(lengthsOf(text), split, JSON.stringify(text));
  }
});
