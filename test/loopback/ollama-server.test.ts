/**
 * The loopback Ollama is the product's only contact with a model here, so it is tested through the
 * real `ollama` client: if the client can parse it, so can the product.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Ollama } from 'ollama';
import { splitTokens, startOllamaServer, type OllamaServer } from './ollama-server';

describe('loopback Ollama through the real ollama client', () => {
  let server: OllamaServer;
  let client: Ollama;
  before(async () => {
    server = await startOllamaServer();
    client = new Ollama({ host: server.url });
  });
  after(() => server.close());
  beforeEach(() => {
    server.reset();
    server.configure({ respond: undefined, timeToFirstTokenMs: 0, tokenLatencyMs: 0, coldLoadMs: 0, disconnectAfterTokens: undefined });
  });

  test('version, tags and ps as Ollama reports them', async () => {
    assert.match((await client.version()).version, /^\d+\.\d+\.\d+$/);
    const tags = await client.list();
    assert.deepEqual(
      tags.models.map((m) => m.name),
      ['qwen2.5-coder:1.5b-base', 'qwen2.5-coder:7b-instruct'],
    );
    assert.equal(tags.models[0]?.details.family, 'qwen2');
    assert.deepEqual((await client.ps()).models, [], 'nothing loaded before the first request');
  });

  test('show returns template, details and model_info; an unknown model is a 404 ResponseError', async () => {
    const show = await client.show({ model: 'qwen2.5-coder:1.5b-base' });
    assert.match(show.template, /<\|fim_prefix\|>/);
    assert.ok(show.capabilities.includes('insert'));
    assert.equal((show.model_info as unknown as Record<string, unknown>)['general.architecture'], 'qwen2');
    await assert.rejects(client.show({ model: 'nope:1b' }), (error: { status_code?: number; message: string }) => {
      assert.equal(error.status_code, 404);
      assert.match(error.message, /not found/);
      return true;
    });
  });

  test('generate streams one NDJSON object per token, then done with counts and durations', async () => {
    server.configure({ respond: () => ['const', ' x', ' =', ' 1', ';'] });
    const parts: string[] = [];
    let final: Record<string, unknown> | undefined;
    for await (const part of await client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'p', raw: true, stream: true })) {
      if (part.done) final = part as unknown as Record<string, unknown>;
      else parts.push(part.response ?? '');
    }
    assert.deepEqual(parts, ['const', ' x', ' =', ' 1', ';']);
    assert.equal(final?.done_reason, 'stop');
    assert.equal(final?.eval_count, 5);
    assert.ok(Number(final?.total_duration) > 0 && Number(final?.prompt_eval_count) > 0);
    const [request] = server.requests.filter((r) => r.path === '/api/generate');
    assert.equal(request?.body.raw, true);
    assert.equal(request?.done, true);
    assert.ok(server.loaded.has('qwen2.5-coder:1.5b-base'), 'the model stays loaded afterwards');
  });

  test('stop sequences end generation and are not sent; num_predict caps it with done_reason length', async () => {
    server.configure({ respond: () => 'a = 1<|endoftext|>junk' });
    const stopped = await client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'p', stream: false, options: { stop: ['<|endoftext|>'] } });
    assert.equal(stopped.response, 'a = 1');
    assert.equal(stopped.done_reason, 'stop');
    server.configure({ respond: () => 'one two three four five' });
    const capped = await client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'p', stream: false, options: { num_predict: 2 } });
    assert.equal(capped.response, 'one two');
    assert.equal(capped.done_reason, 'length');
    assert.equal(capped.eval_count, 2);
  });

  test('an empty prompt loads the model (done_reason load), after the cold-load delay', async () => {
    server.configure({ coldLoadMs: 150 });
    const started = Date.now();
    const warm = await client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: '', keep_alive: '30m', stream: false });
    assert.equal(warm.done_reason, 'load');
    assert.ok(Date.now() - started >= 140);
    const ps = await client.ps();
    assert.equal(ps.models[0]?.name, 'qwen2.5-coder:1.5b-base');
    assert.ok(new Date(ps.models[0]?.expires_at ?? 0).getTime() > Date.now() + 29 * 60_000, 'keep_alive 30m honoured');
    const second = Date.now();
    await client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', stream: false });
    assert.ok(Date.now() - second < 140, 'no cold load once loaded');
  });

  test('generate for a missing model is a 404 with Ollama\'s message', async () => {
    await assert.rejects(client.generate({ model: 'qwen2.5-coder:32b-base', prompt: 'x', stream: false }), (error: { status_code?: number; message: string }) => {
      assert.equal(error.status_code, 404);
      assert.match(error.message, /model "qwen2\.5-coder:32b-base" not found, try pulling it first/);
      return true;
    });
  });

  test('scripted failures answer as Ollama does (500 with an error body)', async () => {
    server.failNext({ status: 500, error: 'llama runner process has terminated: signal: killed' });
    await assert.rejects(client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', stream: false }), /llama runner process has terminated/);
    assert.equal((await client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', stream: false })).done, true);
  });

  test('a stop sequence split across tokens is held back, never streamed', async () => {
    server.configure({ respond: () => ['x', ' =', ' 1', '\n', '\n', 'y'] });
    let text = '';
    for await (const part of await client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'p', stream: true, options: { stop: ['\n\n'] } })) {
      text += part.response;
    }
    assert.equal(text, 'x = 1');
  });

  test('chat streams message chunks', async () => {
    server.configure({ respond: () => 'Hello there' });
    let text = '';
    for await (const part of await client.chat({ model: 'qwen2.5-coder:7b-instruct', messages: [{ role: 'user', content: 'hi' }], stream: true })) {
      text += part.message.content;
    }
    assert.equal(text, 'Hello there');
  });

  test('pull streams progress, then success; an unknown model fails inside the stream', async () => {
    const statuses: string[] = [];
    let completed = 0;
    for await (const p of await client.pull({ model: 'qwen2.5-coder:1.5b-base', stream: true })) {
      statuses.push(p.status);
      if (p.completed) completed = p.completed;
    }
    assert.equal(statuses[0], 'pulling manifest');
    assert.equal(statuses.at(-1), 'success');
    assert.equal(completed, 986_000_000);
    await assert.rejects(async () => {
      for await (const p of await client.pull({ model: 'no-such-model', stream: true })) void p;
    }, /file does not exist/);
  });

  test('an abort mid-stream reaches the server: generation stops within one token', async () => {
    server.configure({ tokenLatencyMs: 20, respond: () => Array.from({ length: 100 }, (_, i) => ` t${i}`) });
    const stream = await client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', stream: true });
    let seen = 0;
    await assert.rejects(async () => {
      for await (const part of stream) {
        void part;
        if (++seen === 3) stream.abort();
      }
    }, /abort/i);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const [request] = server.requests.filter((r) => r.path === '/api/generate');
    assert.equal(request?.aborted, true);
    assert.ok((request?.tokens ?? 0) < 10, `sent ${request?.tokens} tokens`);
    assert.ok((request?.tokensAfterAbort ?? 99) <= 1);
  });

  test('one generation at a time: the second request queues behind the first', async () => {
    server.configure({ timeToFirstTokenMs: 100 });
    await Promise.all([
      client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'a', stream: false }),
      client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'b', stream: false }),
    ]);
    const [first, second] = server.requests.filter((r) => r.path === '/api/generate');
    assert.ok((first?.queuedMs ?? 1) < 20);
    assert.ok((second?.queuedMs ?? 0) >= 90, `queued ${second?.queuedMs} ms`);
  });

  test('disconnect mid-stream surfaces as an error in the client', async () => {
    server.configure({ disconnectAfterTokens: 2, respond: () => 'one two three four' });
    await assert.rejects(async () => {
      for await (const part of await client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', stream: true })) void part;
    });
  });

  test('stop drops the listener and open streams; start listens again on the same URL', async () => {
    await server.stop();
    await assert.rejects(client.version(), /fetch failed/);
    await server.start();
    assert.ok((await client.version()).version);
  });

  test('waitForRequests resolves on arrival and names what it waited for on timeout', async () => {
    const waiting = server.waitForRequests(1, 2000, '/api/tags');
    await client.list();
    assert.equal((await waiting).length, 1);
    await assert.rejects(server.waitForRequests(5, 50, '/api/chat'), /expected 5 request\(s\) to \/api\/chat within 50 ms, got 0/);
  });
});

test('splitTokens keeps every character, in order', () => {
  const text = 'function add(a, b) {\n  return a + b;\n}\n';
  assert.equal(splitTokens(text).join(''), text);
  assert.ok(splitTokens(text).length > 10);
});
