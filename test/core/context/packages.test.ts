/**
 * Module and package resolution beyond TypeScript barrels: Python `self.` attributes, annotated
 * parameters and isinstance checks; Go names and methods across a package of 150 files read through
 * the symbol hints (not file by file); Rust `mod`/`use`; Java packages and imports; package.json
 * `exports` subpaths; `files.exclude` kept out of the index.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ContextEngine, type ContextResult } from '../../../src/core/context';
import { assertCovers, contextAtFixture, covering, engineFor, FIXTURES, lineOf, parsers, tempDir } from './helpers';

const BUDGET = 1024;
/** Room for a few one-line headers: in a small fixture a large budget holds everything imported. */
const TIGHT = 64;

describe('Go lines: the types a used type names, what sibling methods use', () => {
  const WS = 'go-lines';
  const engine = engineFor(WS);
  after(() => engine.dispose());

  test('returning a web.Middleware (func(Handler) Handler): the line goes on with web.Handler', async () => {
    // Room for three headers, and web's other names are used more in the workspace: only the text of
    // the function's return type (Middleware) points at Handler.
    const result = await contextAtFixture(engine, WS, 'middleware/logger.go', '\treturn func(next web.Handler) web.Handler {', '\t', 30);
    assertCovers(result, 'web/types.go', lineOf(WS, 'web/types.go', 'Handler func(Context) error'), 'web.Handler');
  });

  test('past the deadline, the nearest names that need a lookup are looked up, however many locals are nearer', async () => {
    let t = 0;
    // Every reading of the clock is 100 ms later: the deadline has passed before the first lookup.
    const late = new ContextEngine({ root: path.join(FIXTURES, WS), parsers, now: () => (t += 100) });
    try {
      const result = await contextAtFixture(late, WS, 'bind/sum.go', '\tif total > limit {', '\t', BUDGET);
      assert.equal(result.timings.deadlineHit, true);
      assertCovers(result, 'bind/helpers.go', lineOf(WS, 'bind/helpers.go', 'const MaxFields = 64'), 'MaxFields, after fourteen locals');
    } finally {
      late.dispose();
    }
  });

  test('a method named like one on a sibling type uses what that one uses (formBinding.Bind -> decodeForm)', async () => {
    // The package's other names are used more; only formBinding.Bind's body points at decodeForm.
    const result = await contextAtFixture(engine, WS, 'bind/query.go', '\tif err := decodeForm(obj, values); err != nil {', '\t', 24);
    assertCovers(result, 'bind/helpers.go', lineOf(WS, 'bind/helpers.go', 'func decodeForm('), 'decodeForm');
  });
});

describe('Python attributes and annotations', () => {
  const WS = 'py-attrs';
  const engine = engineFor(WS);
  after(() => engine.dispose());
  const at = (line: string, before: string) => contextAtFixture(engine, WS, 'shop/service.py', line, before, TIGHT);

  test('self.x = Repository() in __init__ types self.x in every method', async () => {
    const result = await at('self.store.save(purchase)', 'self.store.');
    assertCovers(result, 'shop/repository.py', lineOf(WS, 'shop/repository.py', 'def save(self, item):'), 'Repository.save');
  });

  test('self.x = a parameter annotated in __init__ takes the annotation', async () => {
    const result = await at('self.outbox.send("placed")', 'self.outbox.');
    assertCovers(result, 'shop/notifier.py', lineOf(WS, 'shop/notifier.py', 'def send(self, message):'), 'Notifier.send');
  });

  test('an annotated parameter offers its class attributes; isinstance() narrows an untyped one', async () => {
    const total = await at('return purchase.total', 'return purchase.');
    assertCovers(total, 'shop/models.py', lineOf(WS, 'shop/models.py', 'total: float = 0.0'), 'Order.total');
    const reason = await at('return thing.reason', 'return thing.');
    const field = lineOf(WS, 'shop/models.py', 'reason: str = ""');
    assertCovers(reason, 'shop/models.py', field, 'Refund.reason');
    assert.equal(covering(reason, 'shop/models.py', field)?.reason, 'type', 'reached as a member of the checked type');
  });
});

describe('a Go package of 150 files', () => {
  let root: string;
  let cacheDir: string;
  const FILES = 150;
  /** A line of cmd/main.go using the imported package store (the cursor is at its start). */
  const MAIN_LINE = '\tprintln(store.ErrSentinel)';

  const setUp = async () => {
    root = await tempDir('tiercel-go-big-');
    cacheDir = await tempDir('tiercel-go-big-cache-');
    await writeFile(path.join(root, 'go.mod'), 'module example.com/big\n\ngo 1.21\n');
    await mkdir(path.join(root, 'store'));
    const special: Record<number, string> = {
      43: 'type Base struct {\n\tID int\n}\n',
      44: 'func (b *Base) Describe() string {\n\treturn ""\n}\n',
      42: 'func (c *Config) Validate() error {\n\treturn nil\n}\n',
      73: 'var DefaultPerms = 0o644\n',
      99: 'type Config struct {\n\tBase\n\tPath string\n}\n',
      137: 'const ErrSentinel = "sentinel"\n',
    };
    for (let i = 0; i < FILES; i++) {
      await writeFile(path.join(root, 'store', `part${i}.go`), `package store\n\nfunc helper${i}() int {\n\treturn ${i}\n}\n\n${special[i] ?? ''}`);
    }
    await mkdir(path.join(root, 'cmd'));
    await writeFile(path.join(root, 'cmd', 'main.go'), `package main\n\nimport "example.com/big/store"\n\nfunc main() {\n\tif err := store.Open("db"); err != nil {\n\t\tpanic(err)\n\t}\n${MAIN_LINE}\n}\n`);
    await writeFile(
      path.join(root, 'store', 'open.go'),
      'package store\n\nfunc Open(path string) error {\n\tperms := DefaultPerms\n\tc := Config{Path: path}\n\tif c.Path == "" {\n\t\treturn ErrSentinel\n\t}\n\tc.Validate()\n\t_ = perms\n\treturn nil\n}\n',
    );
  };
  const engineAt = () => new ContextEngine({ root, parsers, cacheDir, now: () => 0 });
  const cursor = (line: string, before: string) => {
    const text = [
      'package store',
      '',
      'func Open(path string) error {',
      '\tperms := DefaultPerms',
      '\tc := Config{Path: path}',
      '\tif c.Path == "" {',
      '\t\treturn ErrSentinel',
      '\t}',
      '\tc.Validate()',
      '\t_ = perms',
      '\treturn nil',
      '}',
      '',
    ].join('\n');
    const offset = text.indexOf(line) + line.indexOf(before) + before.length;
    return { file: 'store/open.go', text: text.slice(0, offset) + text.slice(text.indexOf('\n', offset)), offset };
  };

  after(async () => {
    if (root) await rm(root, { recursive: true, force: true });
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  });

  test('package-level names and methods are found reading a few summaries, not the whole package', async () => {
    await setUp();
    const builder = engineAt();
    await builder.ready();
    builder.dispose();

    // A new process: every summary it reads comes from the disk cache and is counted.
    const engine = engineAt();
    try {
      const line = await engine.contextAt({ ...cursor('\t_ = perms', ''), maxTokens: BUDGET });
      assertCovers(line, 'store/part73.go', 7, 'var DefaultPerms');
      assertCovers(line, 'store/part99.go', 7, 'type Config');
      assertCovers(line, 'store/part137.go', 7, 'const ErrSentinel');
      const member = await engine.contextAt({ ...cursor('\tc.Validate()', 'c.'), maxTokens: BUDGET });
      assertCovers(member, 'store/part42.go', 7, 'func (c *Config) Validate');
      assertCovers(member, 'store/part44.go', 7, 'func (b *Base) Describe, promoted through the embedded Base');
      assertCovers(member, 'store/part43.go', 8, 'Base.ID, promoted');
      assert.ok(engine.stats.reusedFromDisk <= 50, `summaries read: ${engine.stats.reusedFromDisk} of ${FILES + 1}`);
    } finally {
      engine.dispose();
    }
  });

  test('a line whose nearby names are all locals still gets a few package guesses past the deadline, never nothing', async () => {
    let t = 0;
    // Every reading of the clock is 100 ms later: the deadline has passed before the first lookup.
    const late = new ContextEngine({ root, parsers, cacheDir, now: () => (t += 100) });
    try {
      const text = 'package store\n\nfunc Open(path string) error {\n\tn := len(path)\n\t_ = n\n\t\n}\n';
      const result = await late.contextAt({ file: 'store/open.go', text, offset: text.indexOf('\t\n}') + 1, maxTokens: BUDGET });
      assert.equal(result.timings.deadlineHit, true);
      assert.ok(result.snippets.some((s) => s.reason === 'definition'), 'some of the package is guessed');
    } finally {
      late.dispose();
    }
  });

  test("a line in another package guesses the imported package's names from the hints, reading a few of its summaries", async () => {
    const engine = engineAt();
    try {
      const original = await readFile(path.join(root, 'cmd', 'main.go'), 'utf8');
      const offset = original.indexOf(MAIN_LINE) + 1;
      const text = original.slice(0, offset) + original.slice(offset + MAIN_LINE.length - 1);
      const result = await engine.contextAt({ file: 'cmd/main.go', text, offset, maxTokens: BUDGET });
      assertCovers(result, 'store/part137.go', 7, 'store.ErrSentinel');
      // Reading every summary of the package to guess from it is what ran a line out of time.
      assert.ok(engine.stats.reusedFromDisk <= 30, `summaries read: ${engine.stats.reusedFromDisk} of ${FILES + 2}`);
    } finally {
      engine.dispose();
    }
  });
});

describe('Rust modules', () => {
  const WS = 'rust';
  const engine = engineFor(WS);
  after(() => engine.dispose());
  const at = (line: string, before: string) => contextAtFixture(engine, WS, 'src/app.rs', line, before, TIGHT);

  // src/legacy.rs defines the same names: only resolution through `use` picks the right ones.
  const first = (result: ContextResult) => `${result.snippets[0]?.file}:${result.snippets[0]?.startLine}`;

  test('use crate::util::checksum reaches util/mod.rs', async () => {
    assert.equal(first(await at('    checksum(data)', 'checksum(')), 'src/util/mod.rs:1');
  });

  test('a use tree with self (cache::{self, Cache}) reaches store/cache.rs; Store::new() types a local', async () => {
    assert.equal(first(await at('    cache::evict(&mut c);', 'cache::evict(')), 'src/store/cache.rs:5');
    const member = await at('    let value = store.get("k");', 'store.');
    assert.equal(covering(member, 'src/store.rs', lineOf(WS, 'src/store.rs', 'pub fn get('))?.reason, 'type', 'Store::get');
    assert.equal(covering(member, 'src/legacy.rs', lineOf(WS, 'src/legacy.rs', 'pub fn get(')), undefined, 'not the other Store');
  });
});

describe('Java packages', () => {
  const WS = 'java';
  const file = 'src/main/java/com/acme/app/App.java';
  const engine = engineFor(WS);
  after(() => engine.dispose());
  const at = (line: string, before: string) => contextAtFixture(engine, WS, file, line, before, TIGHT);
  const store = 'src/main/java/com/acme/store/Store.java';
  const item = 'src/main/java/com/acme/store/Item.java';

  test('an imported class: a local typed by it lists its methods, and their return types chain', async () => {
    const get = await at('Item thing = shelf.get("a");', 'shelf.');
    assert.equal(covering(get, store, lineOf(WS, store, 'public Item get(String id) {'))?.reason, 'type', 'Store.get');
    const label = await at('return Helper.shout(thing.label());', 'thing.');
    assert.equal(covering(label, item, lineOf(WS, item, 'public String label() {'))?.reason, 'type', 'Item.label');
  });

  test('a class of the same package needs no import (not com.acme.legacy.Helper)', async () => {
    const result = await at('return Helper.shout(thing.label());', 'Helper.shout(');
    const helper = 'src/main/java/com/acme/app/Helper.java';
    assert.equal(`${result.snippets[0]?.file}:${result.snippets[0]?.startLine}`, `${helper}:${lineOf(WS, helper, 'static String shout(String text) {')}`);
  });
});

describe('package.json exports', () => {
  const WS = 'exports';
  const engine = engineFor(WS);
  after(() => engine.dispose());

  test('a subpath export and a pattern export resolve to the sources the dist files are built from', async () => {
    const file = 'apps/web/src/main.js';
    const button = await contextAtFixture(engine, WS, file, "const button = createButton('ok');", 'createButton(', TIGHT);
    assertCovers(button, 'packages/ui/src/components/button/index.ts', 1, 'createButton');
    const star = await contextAtFixture(engine, WS, file, 'return starIcon(16) + button.label + version;', 'starIcon(', TIGHT);
    assertCovers(star, 'packages/ui/src/assets/icons/star.ts', 1, 'starIcon');
  });
});

describe('files.exclude', () => {
  test('excluded files are not indexed, from the editor setting or .vscode/settings.json', async () => {
    const root = await tempDir('tiercel-files-exclude-');
    try {
      await mkdir(path.join(root, 'gen'), { recursive: true });
      await mkdir(path.join(root, '.vscode'));
      await writeFile(path.join(root, 'gen', 'model.ts'), 'export function makeThing(): number {\n  return 1;\n}\n');
      await writeFile(path.join(root, 'main.ts'), 'export function run() {\n  return makeThing(\n}\n');
      const at = { file: 'main.ts', offset: 'export function run() {\n  return makeThing('.length, maxTokens: BUDGET };

      const plain = new ContextEngine({ root, parsers, now: () => 0 });
      assert.ok(covering(await plain.contextAt(at), 'gen/model.ts', 1), 'found while not excluded');
      plain.dispose();

      const fromEditor = new ContextEngine({ root, parsers, now: () => 0, filesExclude: { '**/gen': true } });
      assert.equal(covering(await fromEditor.contextAt(at), 'gen/model.ts', 1), undefined);
      assert.equal((await fromEditor.ready()).files, 1);
      fromEditor.dispose();

      await writeFile(path.join(root, '.vscode', 'settings.json'), '{\n  // hidden from the editor\n  "files.exclude": { "gen/": true, "**/*.tmp": true },\n}\n');
      const fromSettings = new ContextEngine({ root, parsers, now: () => 0 });
      assert.equal(covering(await fromSettings.contextAt(at), 'gen/model.ts', 1), undefined);
      fromSettings.dispose();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('an untyped receiver guessed from the members used on it', () => {
  let root = '';
  let cacheDir = '';
  after(async () => {
    if (root) await rm(root, { recursive: true, force: true });
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  });

  test('the type declaring them all wins, reading the strongest files first and not every file with one of them', async () => {
    root = await tempDir('tiercel-py-guess-');
    cacheDir = await tempDir('tiercel-py-guess-cache-');
    await mkdir(path.join(root, 'io'));
    // Twelve classes declare `close` (the hints list at most 12 files a member), one of them also `send`
    // and `recv`; another declares `send` and `close`.
    for (let i = 0; i < 12; i++) {
      const extra = i === 7 ? '    def send(self, data):\n        pass\n\n    def recv(self):\n        pass\n\n' : i === 3 ? '    def send(self, data):\n        pass\n\n' : '';
      await writeFile(path.join(root, 'io', `kind${i}.py`), `class Kind${i}:\n${extra}    def close(self):\n        pass\n`);
    }
    const text = 'def pump(conn):\n    conn.send(b"x")\n    conn.recv()\n    conn.close()\n    conn.\n';
    await writeFile(path.join(root, 'app.py'), text);
    const open = () => new ContextEngine({ root, parsers, cacheDir, now: () => 0 });
    const builder = open();
    await builder.ready();
    builder.dispose();

    // A new process: every summary it reads comes from the disk cache and is counted.
    const engine = open();
    try {
      const result = await engine.contextAt({ file: 'app.py', text, offset: text.lastIndexOf('conn.') + 5, maxTokens: BUDGET });
      assert.equal(result.snippets.find((s) => s.reason === 'type')?.file, 'io/kind7.py', 'the best guess ranks first');
      assertCovers(result, 'io/kind3.py', 1, 'the second guess, which declares two of the three');
      // kind7 and kind3 can outscore the other ten, which declare only `close`: those are not read.
      assert.ok(engine.stats.reusedFromDisk <= 4, `summaries read: ${engine.stats.reusedFromDisk}`);
    } finally {
      engine.dispose();
    }
  });
});
