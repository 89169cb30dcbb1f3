/**
 * The completion engine against the loopback Ollama, through the real `ollama` client: what reaches
 * the server (prompt format, options, aborts) is asserted on the server's own request record.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { CompletionEngine, type CompletionSettings, type Cursor, type LocalTierState } from '../../../src/core/completion/engine';
import { startOllamaServer, type OllamaServer } from '../../loopback/ollama-server';

// Written out, not imported: the test must fail if the product's list loses one.
const QWEN_SPECIAL_TOKENS = ['<|endoftext|>', '<|fim_prefix|>', '<|fim_middle|>', '<|fim_suffix|>', '<|fim_pad|>', '<|repo_name|>', '<|file_sep|>', '<|im_start|>', '<|im_end|>'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function cursor(prefix: string, suffix = '\n'): Cursor {
  return { repoName: 'demo', path: 'src/greet.ts', languageId: 'typescript', prefix, suffix };
}

describe('CompletionEngine against the loopback Ollama', () => {
  let server: OllamaServer;
  let engine: CompletionEngine;
  let settings: CompletionSettings;
  let states: LocalTierState['kind'][];
  const generates = () => server.requests.filter((r) => r.path === '/api/generate' && r.body.prompt);

  before(async () => {
    server = await startOllamaServer();
  });
  after(() => server.close());
  beforeEach(() => {
    engine?.dispose();
    server.reset();
    server.configure({ respond: undefined, timeToFirstTokenMs: 0, tokenLatencyMs: 0, coldLoadMs: 0, models: undefined });
    settings = { url: server.url, model: 'qwen2.5-coder:1.5b-base', keepAlive: '30m', maxTokens: 128, maxPromptTokens: 2048 };
    engine = new CompletionEngine({ settings: () => settings, reconnectIntervalMs: 100 });
    states = [];
    engine.onDidChangeState((s) => states.push(s.kind));
  });

  /** The n-th generation request with a prompt (the model's load request has none), once it arrived. */
  async function nthGenerate(n: number) {
    for (let waited = 0; waited < 3000; waited += 5) {
      const found = generates()[n - 1];
      if (found) return found;
      await sleep(5);
    }
    throw new Error(`no generation request #${n}`);
  }

  /** One VS Code provider call: a fresh cancellation per keystroke, the previous one cancelled. */
  function typist() {
    let previous: AbortController | undefined;
    return (c: Cursor) => {
      previous?.abort();
      const controller = new AbortController();
      previous = controller;
      return engine.complete(c, controller.signal);
    };
  }

  test('sends a raw Qwen2.5-Coder repo-level FIM prompt with every Qwen stop token and a num_ctx that fits', async () => {
    server.configure({ respond: () => '`Hello, ${name}!`;' });
    const result = await engine.complete(cursor('export function greet(name: string) {\n  return ', ';\n}\n'), new AbortController().signal);
    const [request] = generates();
    assert.ok(request);
    const { prompt, raw, options, keep_alive: keepAlive } = request.body;
    assert.equal(raw, true, 'raw: Ollama must not wrap the FIM prompt in its template');
    assert.match(prompt, /^<\|repo_name\|>demo\n<\|file_sep\|>src\/greet\.ts\n<\|fim_prefix\|>export function greet/);
    assert.ok(String(prompt).endsWith('<|fim_suffix|>;\n}\n<|fim_middle|>'), prompt);
    for (const token of QWEN_SPECIAL_TOKENS) assert.ok(options.stop.includes(token), `stop on ${token}`);
    assert.ok(options.temperature <= 0.2);
    assert.equal(keepAlive, '30m');
    assert.equal(options.num_predict, 48, 'mid-line: single-line budget');
    assert.ok(options.num_ctx >= Math.ceil(prompt.length / 2) + 128, `num_ctx ${options.num_ctx} holds the prompt and the output`);
    assert.equal(result?.text, '`Hello, ${name}!`', 'the suffix\'s ";" is not repeated');
    assert.equal(result?.source, 'model');
  });

  test('num_ctx is the same for single- and multi-line requests (a change would reload the model)', async () => {
    await engine.complete(cursor('const a = '), new AbortController().signal);
    await engine.complete(cursor('function f() {\n  '), new AbortController().signal);
    const [single, multi] = generates();
    assert.equal(single?.body.options.num_predict, 48);
    assert.equal(multi?.body.options.num_predict, 128);
    assert.equal(single?.body.options.num_ctx, multi?.body.options.num_ctx);
  });

  test('picks the template from /api/show metadata, not the model name', async () => {
    server.configure({ models: [{ name: 'my-coder:latest', parameterSize: '1.5B' }] });
    settings = { ...settings, model: 'my-coder:latest' };
    await engine.complete(cursor('let x = '), new AbortController().signal);
    assert.match(generates()[0]?.body.prompt, /<\|fim_prefix\|>/);
    assert.ok(server.requests.some((r) => r.path === '/api/show' && r.body.model === 'my-coder:latest'));
  });

  test('a typing burst sends one request, after the pause', async () => {
    const type = typist();
    const text = 'const total = items.reduce(';
    let last: Promise<unknown> = Promise.resolve();
    for (let i = 10; i <= text.length; i++) {
      last = type(cursor(text.slice(0, i)));
      await sleep(25);
    }
    await last;
    assert.equal(generates().length, 1);
    assert.ok(String(generates()[0]?.body.prompt).includes('items.reduce(<|fim_suffix|>'));
  });

  test('a newer keystroke that does not match aborts the request at the server, within one token', async () => {
    server.configure({ tokenLatencyMs: 30, respond: () => Array.from({ length: 60 }, (_, i) => `v${i}`) });
    const type = typist();
    void type(cursor('const a = '));
    await server.waitForRequests(1, 2000, '/api/generate');
    await sleep(120);
    await type(cursor('const a = 9')); // "9" is not what the model was generating
    await sleep(100);
    const [first] = generates();
    assert.equal(first?.aborted, true);
    assert.ok((first?.tokens ?? 99) < 20, `first request streamed ${first?.tokens} tokens`);
    assert.ok((first?.tokensAfterAbort ?? 99) <= 1);
    assert.ok(engine.metrics.aborts >= 1);
  });

  test('typing through a shown suggestion asks nothing again', async () => {
    server.configure({ respond: () => 'items.length;' });
    const type = typist();
    const prefix = 'const n = ';
    const first = await type(cursor(prefix));
    assert.equal(first?.text, 'items.length;');
    for (let i = 1; i < 'items.length;'.length; i++) {
      const next = await type(cursor(prefix + 'items.length;'.slice(0, i)));
      assert.equal(next?.text, 'items.length;'.slice(i));
      assert.equal(next?.source, 'cache');
    }
    assert.equal(generates().length, 1);
  });

  test('a keystroke that types what the in-flight request is generating adopts it', async () => {
    server.configure({ timeToFirstTokenMs: 50, tokenLatencyMs: 20, respond: () => ['retu', 'rn', ' a', ' +', ' b', ';'] });
    const type = typist();
    const prefix = 'function add(a: number, b: number) {\n  ';
    void type(cursor(prefix, '\n}\n'));
    await server.waitForRequests(1, 2000, '/api/generate');
    await sleep(90); // "retu" has streamed
    const adopted = await type(cursor(`${prefix}r`, '\n}\n'));
    assert.equal(adopted?.text, 'eturn a + b;');
    assert.equal(adopted?.source, 'inFlight');
    assert.equal(generates().length, 1);
    assert.equal(generates()[0]?.aborted, false);
  });

  test('an adopted request is judged on every streamed token and abandoned at the first that disagrees', async () => {
    const tokens = ['re', 'tu', 'rn', ' a', ' +', ' b', ';', ...Array.from({ length: 40 }, () => ' //')];
    server.configure({ timeToFirstTokenMs: 60, tokenLatencyMs: 40, respond: (r) => (String(r.body.prompt).includes('rel<|fim_suffix|>') ? 'ease();' : tokens) });
    const type = typist();
    const prefix = 'function add(a: number, b: number) {\n  ';
    void type(cursor(prefix, '\n}\n'));
    const first = await nthGenerate(1);
    // "rel" agrees with the "re" streamed so far; the next token ("tu") does not.
    await sleep(70);
    const started = Date.now();
    const result = await type(cursor(`${prefix}rel`, '\n}\n'));
    assert.equal(first?.aborted, true, 'the disagreeing request was aborted');
    assert.ok((first?.tokens ?? 99) <= 3, `it streamed ${first?.tokens} tokens, not its whole answer`);
    assert.ok((first?.tokensAfterAbort ?? 99) <= 1);
    const [, second] = generates();
    assert.ok(second, 'a request for "rel" followed');
    assert.ok(second.queuedMs <= 5, `the new request did not queue behind the abandoned one (${second.queuedMs} ms)`);
    assert.ok(second.time - started < 600, `it left ${second.time - started} ms after the keystroke, not after the old answer ended`);
    assert.equal(result?.text, 'ease();');
  });

  test('a request typed past before its first token is abandoned at once: it would hold the only slot for nothing', async () => {
    server.configure({ timeToFirstTokenMs: 1500, tokenLatencyMs: 20, respond: (r) => (String(r.body.prompt).includes('= x<|fim_suffix|>') ? ' + 1;' : 'items.length;') });
    const type = typist();
    void type(cursor('const n = '));
    const first = await nthGenerate(1);
    await sleep(20);
    const typedAt = Date.now();
    const result = await type(cursor('const n = x'));
    assert.equal(first?.aborted, true);
    assert.equal(first?.tokens, 0, 'nothing streamed');
    const second = generates()[1];
    // Sent after the debounce (≤ 400 ms), not after the first request's 1.5 s to its first token.
    assert.ok(second && second.time - typedAt < 900, `the next request left ${second ? second.time - typedAt : '-'} ms after the keystroke`);
    assert.equal(result?.text, ' + 1;');
    assert.equal(generates().length, 2);
  });

  test('a keystroke the editor reports before asking again abandons a request typed past, with no provider call', async () => {
    server.configure({ timeToFirstTokenMs: 40, tokenLatencyMs: 30, respond: () => Array.from({ length: 60 }, (_, i) => `v${i}`) });
    const controller = new AbortController();
    void engine.complete(cursor('const a = '), controller.signal);
    const first = await nthGenerate(1);
    await sleep(80);
    // VS Code cancels the call and reports the change; its next call would come ~50 ms later.
    controller.abort();
    engine.noteKeystroke(performance.now(), () => cursor('const a = 9'));
    await sleep(60);
    assert.equal(first?.aborted, true, 'aborted at the keystroke, not after the adoption grace');
    assert.ok((first?.tokensAfterAbort ?? 99) <= 1);
    assert.ok((first?.tokens ?? 99) <= 4, `${first?.tokens} tokens streamed`);
  });

  test('a jittered burst (80 ms/key, one 150 ms hiccup half-way) sends one request, for the whole line', async () => {
    server.configure({ respond: () => ';' });
    // Loaded beforehand, so a request that fires mid-line reaches the server at once.
    await engine.warmUp();
    const type = typist();
    const line = 'let total = idx + 10';
    let last: Promise<unknown> = Promise.resolve();
    for (let i = 1; i <= line.length; i++) {
      last = type(cursor(`function f(idx: number) {\n  ${line.slice(0, i)}`, '\n}\n'));
      await sleep(i === 12 ? 150 : 80);
    }
    await last;
    assert.equal(generates().length, 1, generates().map((r) => String(r.body.prompt).split('<|fim_prefix|>')[1]).join('\n'));
    assert.ok(String(generates()[0]?.body.prompt).includes(`${line}<|fim_suffix|>`));
  });

  test('Enter does not fire a request by itself: a user who types on gets one request, after the pause', async () => {
    server.configure({ respond: () => ';' });
    await engine.warmUp();
    const type = typist();
    const head = 'function f(idx: number) {\n  const a = 1;\n  ';
    let last = type(cursor(head, '\n}\n'));
    await sleep(80);
    for (const typed of ['l', 'le', 'let', 'let ', 'let b']) {
      last = type(cursor(head + typed, '\n}\n'));
      await sleep(80);
    }
    await last;
    assert.equal(generates().length, 1);
    assert.ok(String(generates()[0]?.body.prompt).includes('let b<|fim_suffix|>'));
  });

  test('keys that reached a busy host while the debounce ran out are read before the request leaves', async () => {
    await engine.warmUp();
    const controller = new AbortController();
    const typedAt = performance.now();
    const pending = engine.complete(cursor('const a = '), controller.signal, undefined, { typedAt });
    // A key arrives (a message, read on the I/O phase as the editor's are) while the host is stuck
    // past the debounce (400 ms); after the stall the expired timer runs before the I/O phase reads it.
    const { port1, port2 } = new MessageChannel();
    port2.on('message', () => engine.noteKeystroke(performance.now()));
    setTimeout(() => {
      setImmediate(() => {
        port1.postMessage('key');
        const until = performance.now() + 150;
        while (performance.now() < until);
      });
    }, 300);
    assert.equal(await pending, undefined);
    port1.close();
    assert.equal(generates().length, 0, 'no request for a state the user had typed past');
  });

  test('single-line mode stops reading at the first newline, which ends the generation', async () => {
    server.configure({ tokenLatencyMs: 10, respond: () => 'x + 1;\nconsole.log(x);\n'.repeat(20) });
    const result = await engine.complete(cursor('const y = '), new AbortController().signal);
    assert.equal(result?.text, 'x + 1;');
    await sleep(50);
    assert.equal(generates()[0]?.aborted, true, 'the HTTP request was closed');
    assert.ok((generates()[0]?.tokens ?? 99) < 10);
    assert.equal(engine.metrics.earlyStops, 1);
  });

  test('usage: a finished generation reports the token counts Ollama gives; an early-stopped one an estimate; an aborted one nothing', async () => {
    const usage: { model: string; inputTokens: number; outputTokens: number }[] = [];
    engine.dispose();
    engine = new CompletionEngine({ settings: () => settings, reconnectIntervalMs: 100, onUsage: (u) => usage.push(u) });
    server.configure({ respond: () => 'x + 1;' });
    await engine.complete(cursor('const y = '), new AbortController().signal);
    const prompt = String(generates()[0]!.body.prompt);
    // The loopback server counts like Ollama's final chunk: prompt_eval_count and eval_count (one per token sent).
    assert.deepEqual(usage, [{ model: settings.model, inputTokens: Math.ceil(prompt.length / 3.2), outputTokens: generates()[0]!.tokens }]);

    server.configure({ tokenLatencyMs: 10, respond: () => 'x + 1;\nconsole.log(x);\n'.repeat(20) });
    await engine.complete(cursor('const z = '), new AbortController().signal);
    assert.equal(usage.length, 2);
    assert.ok(usage[1]!.inputTokens > 0 && usage[1]!.outputTokens > 0 && usage[1]!.outputTokens < 20, JSON.stringify(usage[1]));

    server.configure({ tokenLatencyMs: 50, respond: () => 'never shown '.repeat(20) });
    const aborted = new AbortController();
    const pending = engine.complete(cursor('const w = '), aborted.signal);
    await nthGenerate(3);
    aborted.abort();
    await pending;
    await sleep(300); // past the adoption grace (120 ms), when an orphaned request is aborted
    assert.equal(usage.length, 2, 'an aborted generation is not counted');
  });

  test('a cold load is shown as loading and not cancelled by keystrokes', async () => {
    server.configure({ coldLoadMs: 600 });
    const type = typist();
    void type(cursor('let a = '));
    await server.waitForRequests(1, 2000, '/api/generate'); // the load, after the debounce
    await sleep(20);
    assert.ok(states.includes('loading'));
    for (const more of ['1', '12', '123']) {
      void type(cursor(`let a = ${more}`));
      await sleep(60);
    }
    const result = await type(cursor('let a = 1234'));
    const loads = server.requests.filter((r) => r.path === '/api/generate' && r.body.prompt === '');
    assert.equal(loads.length, 1, 'one load request');
    assert.equal(loads[0]?.aborted, false, 'never aborted');
    assert.equal(result?.source, 'model');
    assert.equal(generates().length, 1);
  });

  test('Ollama stopping pauses completions; they resume by themselves when it is back', async () => {
    await engine.complete(cursor('let a = '), new AbortController().signal);
    await server.stop();
    assert.equal(await engine.complete(cursor('let b = '), new AbortController().signal), undefined);
    assert.equal(engine.currentState.kind, 'unreachable');
    assert.equal(engine.paused, true);
    const before = server.requests.length;
    assert.equal(await engine.complete(cursor('let c = '), new AbortController().signal), undefined);
    assert.equal(server.requests.length, before, 'paused: nothing sent');
    await server.start();
    for (let i = 0; i < 30 && engine.paused; i++) await sleep(50);
    assert.equal(engine.currentState.kind, 'ready');
    const resumed = await engine.complete(cursor('let d = '), new AbortController().signal);
    assert.equal(resumed?.source, 'model');
  });

  test('a model Ollama does not have becomes the modelMissing state', async () => {
    settings = { ...settings, model: 'qwen2.5-coder:32b-base' };
    assert.equal(await engine.complete(cursor('let a = '), new AbortController().signal), undefined);
    assert.deepEqual(engine.currentState, { kind: 'modelMissing', model: 'qwen2.5-coder:32b-base' });
  });

  test('metrics count requests, cache hits and latencies', async () => {
    server.configure({ respond: () => 'done();' });
    await engine.complete(cursor('x = '), new AbortController().signal);
    await engine.complete(cursor('x = d'), new AbortController().signal);
    const stats = engine.metrics.snapshot();
    assert.equal(stats.requests, 1);
    assert.equal(stats.cacheHits, 1);
    assert.ok(stats.timeToFirstTokenMs.p50 !== undefined);
  });
});
