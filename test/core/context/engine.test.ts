/** The engine at cursors in small fixture workspaces, one per language, as the benchmark calls it. */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, describe, test } from 'node:test';
import { assertValid, covering, cursorAfter, engineFor, tempDir } from './helpers';

const BUDGET = 1024;

describe('TypeScript', () => {
  const engine = engineFor('ts');
  after(() => engine.dispose());

  test('a call through two barrels (export {x} from, export * from) reaches the definition, whole', async () => {
    const cursor = cursorAfter('ts', 'src/app.ts', 'const user = makeUser(name);', 'makeUser(');
    const result = await engine.contextAt({ ...cursor, maxTokens: BUDGET });
    assertValid('ts', result, BUDGET, cursor);
    const first = result.snippets[0]!;
    assert.deepEqual([first.file, first.startLine, first.reason], ['src/models/user.ts', 6, 'definition']);
    assert.match(first.text, /return \{ id: name\.toLowerCase\(\), name \};/);
  });

  test('this.store. follows the constructor parameter property to Store and lists its members', async () => {
    const cursor = cursorAfter('ts', 'src/app.ts', 'this.store.set(user.id, user);', 'this.store.');
    const result = await engine.contextAt({ ...cursor, maxTokens: BUDGET });
    assertValid('ts', result, BUDGET, cursor);
    assert.equal(covering(result, 'src/store.ts', 5)?.reason, 'type', 'get');
    assert.ok(covering(result, 'src/store.ts', 9), 'set');
  });

  test('this. reaches inherited members of a base class in another file', async () => {
    const cursor = cursorAfter('ts', 'src/app.ts', 'this.store.set(user.id, user);', 'this.');
    const result = await engine.contextAt({ ...cursor, maxTokens: BUDGET });
    assert.ok(covering(result, 'src/base.ts', 2), 'Base.describe');
  });

  test("an untyped callback parameter takes the callee's declared parameter type", async () => {
    const cursor = cursorAfter('ts', 'src/app.ts', '      store.get(key);', 'store.');
    const result = await engine.contextAt({ ...cursor, maxTokens: BUDGET });
    assert.equal(covering(result, 'src/store.ts', 5)?.reason, 'type', 'Store.get');
  });

  test('tsconfig paths resolve a path-mapped import', async () => {
    const cursor = cursorAfter('ts', 'src/report.mts', 'return formatName(name);', 'formatName(');
    const result = await engine.contextAt({ ...cursor, maxTokens: BUDGET });
    assert.ok(covering(result, 'src/util/format.ts', 1));
  });

  test('a tiny budget gets headers only, never a snippet past it', async () => {
    const cursor = cursorAfter('ts', 'src/app.ts', 'this.store.set(user.id, user);', 'this.store.');
    for (const budget of [1, 12, 40]) assertValid('ts', await engine.contextAt({ ...cursor, maxTokens: budget }), budget, cursor);
  });
});

describe('Go', () => {
  const engine = engineFor('go');
  after(() => engine.dispose());

  test('pkg.Name( resolves the import path through go.mod to the package folder', async () => {
    const cursor = cursorAfter('go', 'main.go', 'c := cart.NewCart()', 'cart.NewCart(');
    const result = await engine.contextAt({ ...cursor, maxTokens: BUDGET });
    assertValid('go', result, BUDGET, cursor);
    assert.deepEqual([result.snippets[0]?.file, result.snippets[0]?.startLine], ['cart/cart.go', 10]);
  });

  test('x := pkg.NewT() types x: methods declared in sibling files and struct fields are listed', async () => {
    const cursor = cursorAfter('go', 'main.go', 'c.Add(cart.Item{Name: "tea", Price: 3})', 'c.');
    const result = await engine.contextAt({ ...cursor, maxTokens: BUDGET });
    assertValid('go', result, BUDGET, cursor);
    assert.ok(covering(result, 'cart/item.go', 8), 'func (c *Cart) Add');
    assert.ok(covering(result, 'cart/item.go', 12), 'func (c *Cart) Total');
    assert.ok(covering(result, 'cart/cart.go', 5), 'Items field');
  });

  test('a name from the same package resolves to a sibling file', async () => {
    const cursor = cursorAfter('go', 'cart/checkout.go', 'c := NewCart()', 'NewCart(');
    const result = await engine.contextAt({ ...cursor, maxTokens: BUDGET });
    assert.ok(covering(result, 'cart/cart.go', 10));
  });
});

describe('Python', () => {
  const engine = engineFor('python');
  after(() => engine.dispose());

  test('a name re-exported by a package __init__ (from .util import *) resolves to its module', async () => {
    const cursor = cursorAfter('python', 'app.py', 'return total(cart.items)', 'total(');
    const result = await engine.contextAt({ ...cursor, maxTokens: BUDGET });
    assertValid('python', result, BUDGET, cursor);
    assert.deepEqual([result.snippets[0]?.file, result.snippets[0]?.startLine], ['shop/util.py', 1]);
  });

  test('a parameter annotation types the receiver: its methods and self.x fields are listed', async () => {
    const cursor = cursorAfter('python', 'app.py', 'cart.add(sc.Cart())', 'cart.');
    const result = await engine.contextAt({ ...cursor, maxTokens: BUDGET });
    assert.ok(covering(result, 'shop/cart.py', 10), 'def add');
    assert.ok(covering(result, 'shop/cart.py', 8), 'self.owner');
  });

  test('self.owner = Owner() types the field: cart.owner. lists Owner members', async () => {
    const cursor = cursorAfter('python', 'app.py', 'cart.owner.greet()', 'cart.owner.');
    const result = await engine.contextAt({ ...cursor, maxTokens: BUDGET });
    assert.ok(covering(result, 'shop/owner.py', 2), 'def greet');
  });

  test('import a.b as c: c.Name( resolves in module a/b.py', async () => {
    const cursor = cursorAfter('python', 'app.py', 'cart.add(sc.Cart())', 'sc.Cart(');
    const result = await engine.contextAt({ ...cursor, maxTokens: BUDGET });
    assert.ok(covering(result, 'shop/cart.py', 5));
  });
});

describe('the on-disk index', () => {
  test('a second engine (a new process) reuses the index: nothing parsed, edits mapped, same answer', async () => {
    const cacheDir = await tempDir('tiercel-context-cache-');
    try {
      const first = engineFor('ts', cacheDir);
      await first.contextAt({ ...cursorAfter('ts', 'src/app.ts', 'const user = makeUser(name);', 'makeUser('), maxTokens: BUDGET });
      assert.equal(first.stats.built, true);
      first.dispose();

      // An edit no process has seen: the cursor's file must be mapped from its last summary, not parsed.
      const cursor = cursorAfter('ts', 'src/app.ts', 'return this.store.get(id);', 'this.store.');
      const second = engineFor('ts', cacheDir);
      const warm = await second.contextAt({ ...cursor, maxTokens: BUDGET });
      second.dispose();
      assert.equal(second.stats.built, false);
      assert.equal(second.stats.parsed, 0, 'no file parsed on a warm call');
      assert.equal(second.stats.mapped, 1, "the cursor's edited file was mapped from its summary");

      const fresh = engineFor('ts');
      const parsed = await fresh.contextAt({ ...cursor, maxTokens: BUDGET });
      fresh.dispose();
      assert.deepEqual(warm.snippets, parsed.snippets, 'mapping answers as parsing does');
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});
