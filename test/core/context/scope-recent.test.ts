/** The enclosing class outline (reason 'scope') and windows around recent edits (reason 'recent'). */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { ContextResult } from '../../../src/core/context';
import { FIXTURES, assertValid, covering, cursorAfter, engineFor } from './helpers';

const BUDGET = 1024;
const RANK: Record<string, number> = { definition: 0, import: 0, type: 0, scope: 1, recent: 2, similar: 3 };

/** Definitions first, then the outline, then recent edits, then similar windows. */
function assertOrder(result: ContextResult): void {
  const ranks = result.snippets.map((s) => RANK[s.reason]!);
  assert.deepEqual(
    ranks,
    [...ranks].sort((a, b) => a - b),
    result.snippets.map((s) => s.reason).join(','),
  );
}

function scopeLines(result: ContextResult, file: string): number[] {
  const out: number[] = [];
  for (const s of result.snippets) if (s.reason === 'scope' && s.file === file) for (let l = s.startLine; l <= s.endLine; l++) out.push(l);
  return out;
}

describe('scope: the enclosing class outline', () => {
  test('TypeScript: header and member signatures far from the cursor, as exact lines, none near it', async () => {
    const engine = engineFor('ts');
    after(() => engine.dispose());
    const file = 'src/ledger/ledger.ts';
    const cursor = cursorAfter('ts', file, '    return rounded;', 'return ');
    const result = await engine.contextAt({ ...cursor, maxTokens: BUDGET });
    assertValid('ts', result, BUDGET, cursor);
    assertOrder(result);
    const lines = scopeLines(result, file);
    for (const [l, what] of [
      [2, 'class header'],
      [3, 'field entries'],
      [4, 'field currency'],
      [6, 'constructor'],
      [10, 'record'],
      [14, 'step1'],
    ] as const)
      assert.ok(lines.includes(l), `${what} (line ${l}) in the outline: ${lines.join(',')}`);
    // Bodies are skipped, and so is everything within ~60 lines of the cursor (line 81).
    assert.ok(!lines.includes(7) && !lines.includes(11), 'no body lines');
    assert.ok(
      lines.every((l) => Math.abs(l - 81) > 60),
      'nothing the prompt already holds',
    );
  });

  test('a class near the cursor (a short file) adds no outline', async () => {
    const engine = engineFor('ts');
    after(() => engine.dispose());
    const cursor = cursorAfter('ts', 'src/app.ts', 'this.store.set(user.id, user);', 'this.store.');
    const result = await engine.contextAt({ ...cursor, maxTokens: BUDGET });
    assert.equal(result.snippets.filter((s) => s.reason === 'scope').length, 0);
  });

  test('Python: class header and method signatures', async () => {
    const engine = engineFor('python');
    after(() => engine.dispose());
    const file = 'books/ledger.py';
    const cursor = cursorAfter('python', file, '        return rounded', 'return ');
    const result = await engine.contextAt({ ...cursor, maxTokens: BUDGET });
    assertValid('python', result, BUDGET, cursor);
    assertOrder(result);
    const lines = scopeLines(result, file);
    for (const [l, what] of [
      [4, 'class header'],
      [7, '__init__'],
      [11, 'record'],
      [14, 'step1'],
    ] as const)
      assert.ok(lines.includes(l), `${what} (line ${l}) in the outline: ${lines.join(',')}`);
    assert.ok(lines.includes(8), 'the field self.entries set in __init__');
    assert.ok(!lines.includes(12) && !lines.includes(16), 'no body lines');
  });

  test('Go: the receiver type and its methods declared in other files of the package', async () => {
    const engine = engineFor('go');
    after(() => engine.dispose());
    const cursor = cursorAfter('go', 'ledger/balance.go', '		total += e', 'total += ');
    const result = await engine.contextAt({ ...cursor, maxTokens: BUDGET });
    assertValid('go', result, BUDGET, cursor);
    assertOrder(result);
    const struct = covering(result, 'ledger/ledger.go', 4);
    assert.ok(struct, 'type Ledger struct');
    assert.ok(covering(result, 'ledger/ledger.go', 5), 'field Entries');
    assert.ok(covering(result, 'ledger/ledger.go', 10), 'method Record');
    assert.ok(!covering(result, 'ledger/ledger.go', 11), 'not its body');
  });

  test('a tiny budget never overflows with the outline', async () => {
    const engine = engineFor('ts');
    after(() => engine.dispose());
    const cursor = cursorAfter('ts', 'src/ledger/ledger.ts', '    return rounded;', 'return ');
    for (const budget of [1, 20, 60, 200]) assertValid('ts', await engine.contextAt({ ...cursor, maxTokens: budget }), budget, cursor);
  });
});

describe('recent: windows around recent edits in other files', () => {
  const cursor = () => cursorAfter('ts', 'src/app.ts', 'return this.store.get(id);', 'return ');

  test('±3 lines around an edit in another file, exact lines, after definitions and scope', async () => {
    const engine = engineFor('ts');
    after(() => engine.dispose());
    engine.noteEdit('src/ledger/ledger.ts', 40);
    const c = cursor();
    const result = await engine.contextAt({ ...c, maxTokens: BUDGET });
    assertValid('ts', result, BUDGET, c);
    assertOrder(result);
    const recent = result.snippets.filter((s) => s.reason === 'recent');
    assert.deepEqual(
      recent.map((s) => [s.file, s.startLine, s.endLine]),
      [['src/ledger/ledger.ts', 37, 43]],
    );
  });

  test('absolute paths, nearby edits merged, newest first; the cursor file is left out', async () => {
    const engine = engineFor('ts');
    after(() => engine.dispose());
    engine.noteEdit(path.join(FIXTURES, 'ts', 'src/ledger/ledger.ts'), 20);
    engine.noteEdit('src/ledger/ledger.ts', 21);
    engine.noteEdit('src/app.ts', 3);
    engine.noteEdit('src/ledger/ledger.ts', 60);
    engine.noteEdit(path.join(FIXTURES, 'elsewhere.ts'), 3);
    const c = cursor();
    const result = await engine.contextAt({ ...c, maxTokens: BUDGET });
    assertValid('ts', result, BUDGET, c);
    const recent = result.snippets.filter((s) => s.reason === 'recent');
    assert.deepEqual(
      recent.map((s) => [s.file, s.startLine, s.endLine]),
      [
        ['src/ledger/ledger.ts', 57, 63],
        ['src/ledger/ledger.ts', 18, 24],
      ],
    );
  });

  test('keeps a bounded list and a budget share', async () => {
    const engine = engineFor('ts');
    after(() => engine.dispose());
    for (let l = 1; l <= 200; l += 8) engine.noteEdit('src/ledger/ledger.ts', l);
    const c = cursor();
    for (const budget of [30, 200, BUDGET]) {
      const result = await engine.contextAt({ ...c, maxTokens: budget });
      assertValid('ts', result, budget, c);
      assertOrder(result);
      const recent = result.snippets.filter((s) => s.reason === 'recent');
      assert.ok(recent.length <= 6, `${recent.length} windows`);
      // Newest first: the edits past the file's end give nothing, the last real one (line 81) comes first.
      if (recent.length) assert.ok(recent[0]!.startLine >= 70, `${recent[0]!.startLine}`);
    }
  });
});
