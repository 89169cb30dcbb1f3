/**
 * Tiercel's own limits on Ollama requests, through the real `ollama` client against the loopback
 * Ollama (and a server that accepts and never answers): each stall fails fast, with a message that
 * names Ollama and the address, instead of Node's 300 s wait or `fetch failed`.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createOllamaClient } from '../../../src/core/ollama';
import { TiercelError } from '../../../src/core/errors';
import { startOllamaServer, type OllamaServer } from '../../loopback/ollama-server';

const fast = { connectMs: 300, firstTokenMs: 600, betweenTokensMs: 400 };

async function failure(run: () => Promise<unknown>): Promise<{ error: Error; ms: number }> {
  const started = performance.now();
  try {
    await run();
  } catch (error) {
    return { error: error as Error, ms: performance.now() - started };
  }
  assert.fail('expected a failure');
}

async function drain(stream: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of stream) n++;
  return n;
}

describe('Ollama requests time out with a message that names Ollama and its address', () => {
  let ollama: OllamaServer;
  let silent: Server;
  let silentUrl: string;
  before(async () => {
    ollama = await startOllamaServer();
    // Accepts the connection, reads the request, never answers.
    silent = createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  });
  after(async () => {
    await ollama.close();
    silent.close();
  });

  test('a short request to a server that never answers: connect limit', async () => {
    const { error, ms } = await failure(() => createOllamaClient({ url: silentUrl, timeouts: fast }).list());
    assert.ok(error instanceof TiercelError, String(error));
    assert.match(error.message, new RegExp(`Cannot reach Ollama at ${silentUrl} \\(no answer within 0\\.3 s\\)`));
    assert.ok(ms < 2000, `${ms} ms`);
  });

  test('a generation that never starts: first-token limit; refused connections say so', async () => {
    const { error, ms } = await failure(() => createOllamaClient({ url: silentUrl, timeouts: fast }).generate({ model: 'm', prompt: 'x', stream: true }));
    assert.ok(error instanceof TiercelError, String(error));
    assert.match(error.message, new RegExp(`Ollama at ${silentUrl} took the request but sent nothing for 0\\.6 s`));
    assert.ok(ms < 2500, `${ms} ms`);

    const closed = 'http://127.0.0.1:45999';
    const refused = await failure(() => createOllamaClient({ url: closed, timeouts: fast }).generate({ model: 'm', prompt: 'x', stream: true }));
    assert.match(refused.error.message, /Cannot reach Ollama at http:\/\/127\.0\.0\.1:45999 \(connection refused\)\. Start it with `ollama serve`/);
  });

  test('the loopback Ollama loading a model for longer than the first-token limit', async () => {
    ollama.reset();
    ollama.configure({ timeToFirstTokenMs: 5_000 });
    const client = createOllamaClient({ url: ollama.url, timeouts: fast });
    const { error, ms } = await failure(async () => drain(await client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', stream: true })));
    assert.match(error.message, /sent nothing for 0\.6 s/);
    assert.ok(ms < 2500, `${ms} ms`);
  });

  test('a stream that stalls between tokens: between-token limit; a steady stream is not cut', async () => {
    // Its own server: the loopback runs one generation at a time, and the last test's is still queued.
    const ollama = await startOllamaServer();
    after(() => ollama.close());
    const client = createOllamaClient({ url: ollama.url, timeouts: fast });
    // 10 tokens 100 ms apart take a second in all, longer than each limit, and are not cut.
    ollama.configure({ timeToFirstTokenMs: 0, tokenLatencyMs: 100, respond: () => Array.from({ length: 10 }, (_, i) => `t${i}`) });
    const steady = await client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', stream: true });
    assert.ok((await drain(steady)) >= 10);

    ollama.configure({ tokenLatencyMs: 3_000, respond: () => ['a', 'b', 'c'] });
    const { error, ms } = await failure(async () => drain(await client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', stream: true })));
    assert.match(error.message, new RegExp(`Ollama at ${ollama.url} stopped answering mid-stream \\(nothing for 0\\.4 s\\)`));
    assert.ok(ms < 5000, `${ms} ms`);
  });
});


test('a connection closed under a request is named as such, with Ollama and its address, not "fetch failed"', async () => {
  const server = createHttpServer((req) => req.socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const { error } = await failure(() => createOllamaClient({ url }).generate({ model: 'm', prompt: 'x', stream: true }));
    assert.ok(error instanceof TiercelError, String(error));
    assert.match(error.message, new RegExp(`^Lost the connection to Ollama at ${url} \\(other side closed\\)`));
  } finally {
    server.close();
  }
});
