import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { isLibraryPath, parseStackTrace, stripAnsi, type StackFrame } from '../../../src/core/debug/stackTrace';

const fixture = (name: string) => readFileSync(path.join(__dirname, '../../fixtures/debug', name), 'utf8');
/** `file:line[:column] fn` per frame, `L` for library and `I` for internal, so expectations read like the trace. */
const summary = (frames: readonly StackFrame[]) =>
  frames.map((f) => `${f.library ? 'L ' : ''}${f.internal ? 'I ' : ''}${f.file}:${f.line}${f.column ? `:${f.column}` : ''}${f.functionName ? ` ${f.functionName}` : ''}`);

test('Node: uncaught error with the source excerpt above it, async and file:// frames, dependencies and node:internal', () => {
  const parsed = parseStackTrace(fixture('node-uncaught.txt'));
  assert.equal(parsed.language, 'javascript');
  assert.equal(parsed.message, "TypeError: Cannot read properties of undefined (reading 'amount')");
  assert.deepEqual(summary(parsed.frames), [
    '/home/dana/projects/shop/src/cart/total.ts:14:57',
    '/home/dana/projects/shop/src/cart/total.ts:14:16 cartTotal',
    '/home/dana/projects/shop/src/checkout/handler.ts:31:19 checkout',
    'L /home/dana/projects/shop/node_modules/express/lib/router/layer.js:95:5 Layer.handle [as handle_request]',
    'L /home/dana/projects/shop/node_modules/express/lib/router/route.js:149:13 next',
    'L I node:internal/process/task_queues:95:5 process.processTicksAndRejections',
  ]);
  assert.equal(parsed.frames[0]!.raw, 'at /home/dana/projects/shop/src/cart/total.ts:14:57');
});

test('Node: an error with a [cause] keeps both traces and names the cause', () => {
  const parsed = parseStackTrace(fixture('node-cause.txt'));
  assert.equal(parsed.message, 'Error: Could not load config');
  assert.deepEqual(parsed.causes, ['SyntaxError: Unexpected token } in JSON at position 41']);
  // The outer trace's last frame ends in ` {` and is still read.
  assert.ok(parsed.frames.some((f) => f.file === 'node:internal/main/run_main_module' && f.internal));
  assert.ok(parsed.frames.some((f) => f.file === '/srv/app/src/config.js' && f.line === 19 && f.column === 20));
});

test('Node on Windows: CRLF, backslash paths and file:///C:/ URLs', () => {
  const parsed = parseStackTrace(fixture('node-windows.txt'));
  assert.match(parsed.message, /^Error: ENOENT: no such file or directory, open 'C:\\Users\\dana\\proj\\data\\seed.json'$/);
  assert.deepEqual(summary(parsed.frames), [
    'L I node:fs:601:3 Object.openSync',
    'L I node:fs:469:35 Object.readFileSync',
    'C:\\Users\\dana\\proj\\src\\db\\seed.ts:8:21 readSeed',
    'C:/Users/dana/proj/src/main.ts:3:1',
    'L I node:internal/modules/esm/module_job:218:25 ModuleJob.run',
  ]);
});

test('colour codes and terminal hyperlinks are ignored', () => {
  const coloured = '\x1b[31mTypeError: x is not a function\x1b[39m\n    at \x1b[36mrun\x1b[39m (\x1b]8;;file:///app/src/run.js\x07/app/src/run.js\x1b]8;;\x07:\x1b[33m3\x1b[39m:\x1b[33m9\x1b[39m)\n';
  const parsed = parseStackTrace(coloured);
  assert.equal(parsed.message, 'TypeError: x is not a function');
  assert.deepEqual(summary(parsed.frames), ['/app/src/run.js:3:9 run']);
  assert.equal(stripAnsi('\x1b[1;31mred\x1b[0m'), 'red');
});

test('browser traces: V8 eval frames and the fn@url form', () => {
  const v8 = parseStackTrace('Error: boom\n    at eval (eval at compile (/app/src/tpl.js:10:5), <anonymous>:1:7)\n    at Array.forEach (<anonymous>)');
  assert.deepEqual(summary(v8.frames), ['/app/src/tpl.js:10:5 eval']);
  const gecko = parseStackTrace('render@http://localhost:5173/src/App.tsx:12:9\n@http://localhost:5173/src/main.tsx:4:1');
  assert.deepEqual(summary(gecko.frames), ['http://localhost:5173/src/App.tsx:12:9 render', 'http://localhost:5173/src/main.tsx:4:1']);
});

test('Python: chained traceback, innermost first, message is the last exception, the earlier one is a cause', () => {
  const parsed = parseStackTrace(fixture('python-chained.txt'));
  assert.equal(parsed.language, 'python');
  assert.equal(parsed.message, "app.errors.ConfigError: bad port 'eighty'");
  assert.deepEqual(parsed.causes, ["ValueError: invalid literal for int() with base 10: 'eighty'"]);
  assert.deepEqual(summary(parsed.frames), [
    'L /home/dana/svc/.venv/lib/python3.12/site-packages/structlog/_base.py:88 __init__',
    '/home/dana/svc/app/parsing.py:14 parse_port',
    '/home/dana/svc/app/settings.py:41 load_settings',
    '/home/dana/svc/main.py:24 main',
    '/home/dana/svc/main.py:30 <module>',
    '/home/dana/svc/app/parsing.py:12 parse_port',
  ]);
});

test('Python on Windows: frozen frames are internal, the standard library (Lib) is library', () => {
  const parsed = parseStackTrace(fixture('python-simple.txt'));
  assert.equal(parsed.message, "KeyError: 'total'");
  assert.deepEqual(summary(parsed.frames), [
    'C:\\Users\\dana\\tool\\report.py:19 report',
    'L C:\\Python312\\Lib\\csv.py:116 __next__',
    'C:\\Users\\dana\\tool\\cli.py:7 <module>',
    'L I <frozen runpy>:88 _run_code',
    'L I <frozen runpy>:198 _run_module_as_main',
  ]);
});

test('Python: a SyntaxError frame has no function; pytest short output is read too', () => {
  const syntax = parseStackTrace('  File "/app/a.py", line 3\n    print("a"\n         ^\nSyntaxError: \'(\' was never closed\n');
  assert.equal(syntax.message, "SyntaxError: '(' was never closed");
  assert.deepEqual(summary(syntax.frames), ['/app/a.py:3']);
  const pytest = parseStackTrace(
    '    def test_total():\n>       assert total([1, 2]) == 4\nE       assert 3 == 4\nE        +  where 3 = total([1, 2])\n\ntests/test_cart.py:8: AssertionError\n',
  );
  assert.equal(pytest.language, 'python');
  assert.equal(pytest.message, 'assert 3 == 4');
  assert.deepEqual(summary(pytest.frames), ['tests/test_cart.py:8']);
});

test('Go: panic with goroutine frames, function names from the line above each location', () => {
  const parsed = parseStackTrace(fixture('go-panic.txt'));
  assert.equal(parsed.language, 'go');
  assert.equal(parsed.message, 'panic: runtime error: index out of range [3] with length 3');
  assert.deepEqual(summary(parsed.frames), [
    '/home/dana/inventory/internal/stock/ledger.go:42 github.com/dana/inventory/internal/stock.(*Ledger).Take',
    '/home/dana/inventory/internal/stock/reserve.go:17 github.com/dana/inventory/internal/stock.Reserve',
    '/home/dana/inventory/cmd/inventory/main.go:25 main.main',
  ]);
  assert.equal(parsed.frames[2]!.raw, 'main.main()\n/home/dana/inventory/cmd/inventory/main.go:25 +0x8b');
});

test('Go: GOROOT and the module cache are library; a recovered panic and "created by" are read', () => {
  const parsed = parseStackTrace(fixture('go-goroutine.txt'));
  assert.equal(parsed.message, 'panic: assignment to entry in nil map');
  assert.deepEqual(summary(parsed.frames), [
    'L /usr/local/go/src/testing/testing.go:1631 testing.tRunner.func1.2',
    'L /usr/local/go/src/runtime/panic.go:770 panic',
    '/src/cache/cache.go:31 example.com/cache.(*Cache).Put',
    '/src/cache/cache_test.go:12 example.com/cache.TestPut',
    'L /root/go/pkg/mod/github.com/stretchr/testify@v1.9.0/assert/assertions.go:333 github.com/stretchr/testify/assert.Fail',
    'L /usr/local/go/src/testing/testing.go:1689 testing.tRunner',
    'L /usr/local/go/src/testing/testing.go:1742 testing.(*T).Run',
  ]);
});

test('Go: locations copied with spaces instead of tabs, and go test failure lines', () => {
  const spaced = parseStackTrace('panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n    /work/app/main.go:9 +0x25\n');
  assert.deepEqual(summary(spaced.frames), ['/work/app/main.go:9 main.main']);
  const failed = parseStackTrace('--- FAIL: TestTotal (0.00s)\n    cart_test.go:14: total = 3, want 4\nFAIL\n');
  assert.equal(failed.language, 'go');
  assert.equal(failed.message, 'total = 3, want 4');
  assert.deepEqual(summary(failed.frames), ['cart_test.go:14']);
});

test('Java and Kotlin: thread header, module prefixes, Caused by, Native Method and "... n more" skipped', () => {
  const parsed = parseStackTrace(fixture('java-caused-by.txt'));
  assert.equal(parsed.language, 'java');
  assert.equal(parsed.message, 'java.lang.IllegalStateException: Failed to load order 1042');
  assert.deepEqual(parsed.causes, ['java.lang.NullPointerException: Cannot invoke "String.trim()" because "line" is null']);
  assert.deepEqual(summary(parsed.frames), [
    'OrderService.java:58 com.acme.orders.OrderService.load',
    'OrderController.kt:23 com.acme.orders.OrderController.show',
    'L Optional.java:260 java.util.Optional.map',
    'App.java:12 com.acme.App.main',
    'OrderParser.java:31 com.acme.orders.OrderParser.parse',
    'OrderParser.java:77 com.acme.orders.OrderParser$Line.<init>',
    'L DirectMethodHandleAccessor.java:103 jdk.internal.reflect.DirectMethodHandleAccessor.invoke',
    'OrderService.java:55 com.acme.orders.OrderService.load',
  ]);
});

test('Java: a JUnit failure without a thread header takes the exception line above the frames', () => {
  const parsed = parseStackTrace(
    'org.opentest4j.AssertionFailedError: expected: <4> but was: <3>\n\tat org.junit.jupiter.api.AssertionUtils.fail(AssertionUtils.java:55)\n\tat app//com.acme.CartTest.total(CartTest.kt:19)\n',
  );
  assert.equal(parsed.message, 'org.opentest4j.AssertionFailedError: expected: <4> but was: <3>');
  assert.deepEqual(summary(parsed.frames), ['L AssertionUtils.java:55 org.junit.jupiter.api.AssertionUtils.fail', 'CartTest.kt:19 com.acme.CartTest.total']);
});

test('Rust: 1.73+ panic with backtrace; the panic place takes its function name; /rustc/ is library', () => {
  const parsed = parseStackTrace(fixture('rust-backtrace.txt'));
  assert.equal(parsed.language, 'rust');
  assert.equal(parsed.message, 'called `Option::unwrap()` on a `None` value');
  const user = parsed.frames.filter((f) => !f.library);
  assert.deepEqual(summary(user), ['src/main.rs:5:10 wordcount::first_word', './src/main.rs:10:13 wordcount::main']);
  assert.equal(parsed.frames[0]!.file, 'src/main.rs');
  assert.equal(parsed.frames.filter((f) => f.library).length, 5);
  assert.ok(parsed.frames.filter((f) => f.library).every((f) => f.file.startsWith('/rustc/')));
});

test('Rust: the pre-1.73 quoted form, one line or several', () => {
  const one = parseStackTrace(fixture('rust-legacy-oneline.txt'));
  assert.equal(one.message, 'index out of bounds: the len is 2 but the index is 5');
  assert.deepEqual(summary(one.frames), ['src/grid.rs:14:17']);
  const multi = parseStackTrace(fixture('rust-legacy.txt'));
  assert.equal(multi.message, 'assertion failed: `(left == right)`\n  left: `3`,\n right: `4`');
  assert.deepEqual(summary(multi.frames), ['src/header.rs:88:9']);
});

test('diagnostics: tsc, tsc --pretty with colours, eslint stylish, rustc, gcc/mypy style', () => {
  const tsc = parseStackTrace(fixture('tsc.txt'));
  assert.equal(tsc.language, 'diagnostics');
  assert.equal(tsc.message, "error TS2322: Type 'string' is not assignable to type 'number'.");
  assert.deepEqual(summary(tsc.frames), ['src/api/client.ts:12:5', 'src/api/client.ts:40:18']);
  assert.equal(tsc.frames[1]!.message, "error TS2339: Property 'retries' does not exist on type 'Options'.");

  const pretty = parseStackTrace(fixture('tsc-pretty.txt'));
  assert.deepEqual(summary(pretty.frames), ['src/api/client.ts:12:5']);
  assert.equal(pretty.message, "error TS2322: Type 'string' is not assignable to type 'number'.");

  const eslint = parseStackTrace(fixture('eslint-stylish.txt'));
  assert.deepEqual(summary(eslint.frames), ['/home/dana/projects/shop/src/cart/total.ts:3:10', '/home/dana/projects/shop/src/cart/total.ts:14:7']);
  assert.equal(eslint.message, "error 'formatPrice' is defined but never used (@typescript-eslint/no-unused-vars)");

  const rustc = parseStackTrace(fixture('rustc.txt'));
  assert.deepEqual(summary(rustc.frames), ['src/main.rs:4:18']);
  assert.equal(rustc.message, 'error[E0308]: mismatched types');

  const gnu = parseStackTrace('./cmd/main.go:12:5: undefined: parseFlags\napp\\models.py:40: error: Incompatible return value type\n');
  assert.deepEqual(summary(gnu.frames), ['./cmd/main.go:12:5', 'app\\models.py:40']);
  assert.equal(gnu.message, 'error: Incompatible return value type');
});

test('text without frames gives its first line and language unknown', () => {
  const parsed = parseStackTrace('\n  connect ECONNREFUSED 127.0.0.1:5432\n');
  assert.deepEqual(parsed, { message: 'connect ECONNREFUSED 127.0.0.1:5432', frames: [], language: 'unknown', causes: [] });
});

test('library paths across ecosystems, and user code that only looks similar', () => {
  for (const p of [
    '/app/node_modules/react-dom/cjs/react-dom.development.js',
    'C:\\proj\\node_modules\\.pnpm\\lodash@4.17.21\\node_modules\\lodash\\lodash.js',
    '/usr/lib/python3.11/json/decoder.py',
    '/opt/venv/lib/python3.12/site-packages/django/db/models/query.py',
    '/usr/lib/go-1.22/src/net/http/server.go',
    '/home/me/go/pkg/mod/golang.org/x/sync@v0.6.0/errgroup/errgroup.go',
    '/rustc/90c541806f23a127002de5b4038be731ba1458ca/library/core/src/option.rs',
    '/home/me/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde_json-1.0.108/src/de.rs',
  ]) {
    assert.equal(isLibraryPath(p), true, p);
  }
  for (const p of ['/home/me/proj/src/lib/python/helpers.py', '/home/me/go/src/github.com/me/tool/main.go', 'src/modules/node.ts', 'C:\\proj\\lib\\util.py']) {
    assert.equal(isLibraryPath(p), false, p);
  }
});

test('a huge selection (a minified line, a long log) is read in bounded time, its end kept', () => {
  const started = Date.now();
  const minified = parseStackTrace(`${'x'.repeat(300_000)}.js\nat ${'a('.repeat(100_000)}`);
  assert.equal(minified.frames.length, 0);
  const log = parseStackTrace(`${'GET /health 200 1ms\n'.repeat(50_000)}Error: late\n    at handler (/app/src/h.js:9:3)\n`);
  assert.equal(log.message, 'Error: late');
  assert.deepEqual(summary(log.frames), ['/app/src/h.js:9:3 handler']);
  assert.ok(Date.now() - started < 2000, `${Date.now() - started} ms`);
});
