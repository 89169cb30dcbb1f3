/**
 * Language-server hints: what the editor asks VS Code's providers about (hintQueriesAt), and what the
 * engine does with the places they answer (ranks the definition there first; a type's members too).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { hintQueriesAt } from '../../../src/core/context';
import { assertValid, covering, cursorAfter, engineFor, FIXTURES, lineOf } from './helpers';

describe('hintQueriesAt', () => {
  const at = (line: string) => {
    const offset = line.indexOf('|');
    const text = line.replace('|', '');
    return hintQueriesAt(text, offset).map((q) => `${q.kind}:${text.slice(q.offset).match(/^[\w$]+/)?.[0]}`);
  };

  test('the receiver of a member being typed asks for its type, the callee of a call for its definition', () => {
    assert.deepEqual(at('  this.store.|'), ['type:store']);
    assert.deepEqual(at('  const user = makeUser(|'), ['definition:makeUser', 'definition:user']);
    assert.deepEqual(at('  cart.items[0].|'), ['type:items', 'definition:cart']);
  });

  test('a few other names on the line, nearest first; keywords and numbers left out', () => {
    // The name being typed (`off`) is not asked about: it is not a name yet.
    assert.deepEqual(at('  return merge(left, right, 3) + off|'), ['definition:right', 'definition:left', 'definition:merge']);
    assert.deepEqual(at('|'), []);
  });
});

describe('the engine with hints', () => {
  const WS = 'ts-types';
  const engine = engineFor(WS);
  after(() => engine.dispose());

  test("a definition a language server located ranks first, even one no import reaches", async () => {
    // `double` calls nothing from store.ts; a server says the name at the cursor is Cache's evict.
    const cursor = cursorAfter(WS, 'src/app.ts', 'return mapOver(values, (n) => n * 2);', 'return ');
    const evict = lineOf(WS, 'src/store.ts', 'evict(key: string): void;');
    const result = await engine.contextAt({ ...cursor, maxTokens: 256, hints: [{ file: path.join(FIXTURES, WS, 'src/store.ts'), line: evict }] });
    assertValid(WS, result, 256, cursor);
    assert.deepEqual([result.snippets[0]?.file, result.snippets[0]?.startLine], ['src/store.ts', evict]);
  });

  test("a type hint brings the type's members; hints outside the workspace or in the cursor's file are ignored", async () => {
    const cursor = cursorAfter(WS, 'src/app.ts', 'p.move(1);', 'p.');
    const box = lineOf(WS, 'src/store.ts', 'export interface Box<T> {');
    const hints = [
      { file: 'src/store.ts', line: box, kind: 'type' as const },
      { file: '/elsewhere/lib.d.ts', line: 3 },
      { file: 'src/app.ts', line: 1 },
    ];
    const result = await engine.contextAt({ ...cursor, maxTokens: 256, hints });
    assert.ok(covering(result, 'src/store.ts', lineOf(WS, 'src/store.ts', 'label: string;')), 'Box.label');
    assert.ok(result.snippets.every((s) => s.file !== 'src/app.ts'));
  });
});
