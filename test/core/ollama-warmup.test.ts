/**
 * Warm-up on focus: Ollama's keep_alive as Ollama reads it, the idle rule on an injected clock, and the
 * rule driving the real completion engine against the loopback Ollama (a cold model gets one empty-prompt
 * load, a warm one none).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CompletionEngine } from '../../src/core/completion/engine';
import { IdleWarmUp, keepAliveMsOf, OLLAMA_DEFAULT_KEEP_ALIVE_MS, parseKeepAlive } from '../../src/core/ollama';
import { keepAliveForRequest } from '../../src/core/ollama/keepAlive';
import { startOllamaServer, type OllamaServer } from '../loopback/ollama-server';

const MIN = 60_000;

test('keep_alive goes on the wire as Ollama accepts it: bare seconds as a number, durations as strings', () => {
  assert.equal(keepAliveForRequest('-1'), -1);
  assert.equal(keepAliveForRequest(' 300 '), 300);
  assert.equal(keepAliveForRequest('30m'), '30m');
  assert.equal(keepAliveForRequest('1h30m'), '1h30m');
});

test('keep_alive parses as Ollama reads it: Go durations, bare seconds, negative = forever', () => {
  const cases: Array<[string | number, number | undefined]> = [
    ['30m', 30 * MIN],
    ['1h', 60 * MIN],
    ['1h30m', 90 * MIN],
    ['1.5h', 90 * MIN],
    ['90s', 90_000],
    ['500ms', 500],
    ['2m30s', 150_000],
    ['0', 0],
    ['0s', 0],
    ['300', 300_000],
    [' 10m ', 10 * MIN],
    [600, 600_000],
    ['-1', Infinity],
    ['-1m', Infinity],
    [-1, Infinity],
    ['', undefined],
    ['30 minutes', undefined],
    ['m', undefined],
    ['1d', undefined],
    ['1h-30m', undefined],
  ];
  for (const [value, expected] of cases) assert.equal(parseKeepAlive(value), expected, JSON.stringify(value));
  assert.equal(keepAliveMsOf('soon'), OLLAMA_DEFAULT_KEEP_ALIVE_MS, 'unreadable: Ollama uses its 5-minute default');
});

describe('IdleWarmUp on an injected clock', () => {
  let clock: number;
  let keepAlive: string;
  let canWarm: boolean;
  let warmUps: number;
  let release: () => void;
  let idle: IdleWarmUp;

  beforeEach(() => {
    clock = 0;
    keepAlive = '30m';
    canWarm = true;
    warmUps = 0;
    idle = new IdleWarmUp({
      now: () => clock,
      keepAlive: () => keepAlive,
      canWarm: () => canWarm,
      warmUp: () => {
        warmUps++;
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
  });

  async function warmOnce(): Promise<void> {
    const run = idle.now();
    assert.ok(run);
    release();
    await run;
  }

  test('focus within keep_alive of the last use: nothing; after it: one warm-up', async () => {
    idle.noteUsed();
    clock += 30 * MIN;
    assert.equal(idle.onFocus(), undefined, 'exactly keep_alive: Ollama still has it');
    clock += 1;
    const run = idle.onFocus();
    assert.ok(run);
    assert.equal(warmUps, 1);
    release();
    await run;
  });

  test('a finished warm-up counts as a use: focusing again right after does nothing', async () => {
    await warmOnce();
    clock += 5 * MIN;
    assert.equal(idle.onFocus(), undefined);
    assert.equal(warmUps, 1);
  });

  test('never more than one warm-up in flight', async () => {
    clock = 60 * MIN;
    const first = idle.onFocus();
    clock += 31 * MIN;
    assert.equal(idle.onFocus(), undefined, 'the first is still loading');
    assert.equal(idle.now(), undefined);
    assert.equal(warmUps, 1);
    release();
    await first;
    clock += 31 * MIN;
    assert.ok(idle.onFocus(), 'after it finished, the next idle focus warms again');
    assert.equal(warmUps, 2);
  });

  test('not while completions are off or Ollama is offline; a failed load is not a use', async () => {
    clock = 60 * MIN;
    canWarm = false;
    assert.equal(idle.onFocus(), undefined);
    assert.equal(warmUps, 0);
    canWarm = true;
    const run = idle.onFocus();
    canWarm = false; // the load failed: the engine is paused now
    release();
    await run;
    canWarm = true;
    clock += MIN;
    assert.ok(idle.onFocus(), 'the failed load did not reset the idle time');
  });

  test('keep_alive -1 never unloads: never warms on focus; a short keep_alive warms sooner', async () => {
    idle.noteUsed();
    keepAlive = '-1';
    clock += 1000 * 60 * MIN;
    assert.equal(idle.onFocus(), undefined);
    keepAlive = '90s';
    assert.ok(idle.onFocus());
  });

  test('the first focus before any use warms (the model was never loaded by this window)', () => {
    assert.ok(idle.onFocus());
  });
});

describe('IdleWarmUp driving the real completion engine against the loopback Ollama', () => {
  let server: OllamaServer;
  before(async () => {
    server = await startOllamaServer();
  });
  after(() => server.close());

  test('after keep_alive idle the unloaded model gets one empty-prompt load; a warm one none', async () => {
    let clock = 0;
    const settings = { url: server.url, model: 'qwen2.5-coder:1.5b-base', keepAlive: '30m', maxTokens: 64, maxPromptTokens: 1024 };
    const engine = new CompletionEngine({ settings: () => settings, now: () => clock });
    const idle = new IdleWarmUp({ now: () => clock, keepAlive: () => settings.keepAlive, canWarm: () => !engine.paused, warmUp: () => engine.warmUp() });
    engine.onDidChangeState((state) => state.kind === 'generating' && idle.noteUsed());
    const loads = () => server.requests.filter((r) => r.path === '/api/generate' && r.body.prompt === '');
    try {
      await engine.complete({ repoName: 'r', path: 'a.ts', languageId: 'typescript', prefix: 'const x = ', suffix: ';\n' }, new AbortController().signal);
      assert.equal(loads().length, 1, 'the first completion loaded the model');
      assert.ok(server.loaded.has(settings.model));

      clock += 10 * MIN;
      assert.equal(idle.onFocus(), undefined, 'within keep_alive: no request at all');

      // 31 minutes on, Ollama has unloaded the model (keep_alive ran out).
      clock += 21 * MIN;
      server.reset();
      server.configure({ coldLoadMs: 100 });
      const first = idle.onFocus();
      assert.ok(first);
      assert.equal(idle.onFocus(), undefined, 'a second focus during the load starts nothing');
      await first;
      const [load] = loads();
      assert.ok(load, 'an empty-prompt generate loaded the model');
      assert.equal(load.body.keep_alive, '30m');
      assert.equal(loads().length, 1);
      assert.ok(server.loaded.has(settings.model), 'the model is in memory for the next keystroke');
      assert.equal(server.requests.filter((r) => r.path === '/api/generate' && r.body.prompt).length, 0, 'nothing was generated');

      clock += MIN;
      assert.equal(idle.onFocus(), undefined);
    } finally {
      engine.dispose();
    }
  });

  test('Ollama offline: no warm-up on focus', async () => {
    const gone = await startOllamaServer();
    await gone.close();
    let clock = 0;
    const engine = new CompletionEngine({ settings: () => ({ url: gone.url, model: 'qwen2.5-coder:1.5b-base', keepAlive: '30m', maxTokens: 64, maxPromptTokens: 1024 }), now: () => clock, reconnectIntervalMs: 60_000 });
    let calls = 0;
    const idle = new IdleWarmUp({ now: () => clock, keepAlive: () => '30m', canWarm: () => !engine.paused, warmUp: () => (calls++, engine.warmUp()) });
    try {
      await idle.now();
      assert.equal(engine.currentState.kind, 'unreachable');
      clock += 60 * MIN;
      assert.equal(idle.onFocus(), undefined);
      assert.equal(calls, 1);
    } finally {
      engine.dispose();
    }
  });
});
