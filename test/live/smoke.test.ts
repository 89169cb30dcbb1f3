/**
 * Smoke checks against the real services, for a machine that has them. Skipped (and reported as
 * skipped) unless TIERCEL_LIVE_OLLAMA (an Ollama address, or 1 for OLLAMA_HOST/the default) or
 * ANTHROPIC_API_KEY is set. The Claude check spends well under a cent.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createClaudeClient } from '../../src/core/claude';
import { createOllamaClient, resolveOllamaUrl } from '../../src/core/ollama';
import { DEFAULT_SETTINGS } from '../../src/core/settings';
import { checkStatus } from '../../src/core/status';

const liveOllama = process.env.TIERCEL_LIVE_OLLAMA;
const claudeKey = process.env.ANTHROPIC_API_KEY;

// Skips are per test so the runner's summary counts them as skipped.
const skipOllama = !liveOllama && 'set TIERCEL_LIVE_OLLAMA to run against a real Ollama';
const skipClaude = !claudeKey && 'set ANTHROPIC_API_KEY to run against the real API';

describe('live Ollama', () => {
  const url = resolveOllamaUrl(liveOllama === '1' ? undefined : liveOllama, process.env);
  const model = process.env.TIERCEL_LIVE_MODEL ?? DEFAULT_SETTINGS.ollama.completionModel;

  test('status sees the server and the completion model', { skip: skipOllama }, async () => {
    const settings = { ...DEFAULT_SETTINGS, ollama: { ...DEFAULT_SETTINGS.ollama, url, completionModel: model } };
    const report = await checkStatus({ ollama: createOllamaClient({ url, timeoutMs: 5000 }), settings, claudeKeySet: false });
    assert.ok(report.ollama.reachable, JSON.stringify(report.ollama));
    assert.ok(report.localReady, `${model} is installed (ollama pull ${model})`);
  });

  test('a raw fill-in-the-middle generation streams and finishes', { skip: skipOllama }, async () => {
    const ollama = createOllamaClient({ url });
    const stream = await ollama.generate({
      model,
      raw: true,
      stream: true,
      prompt: '<|fim_prefix|>def add(a, b):\n    return <|fim_suffix|>\n<|fim_middle|>',
      options: { num_predict: 16, temperature: 0, stop: ['<|endoftext|>', '<|file_sep|>', '<|fim_prefix|>'] },
    });
    let text = '';
    let done = false;
    for await (const chunk of stream) {
      text += chunk.response ?? '';
      done ||= chunk.done;
    }
    assert.ok(done);
    assert.match(text, /a\s*\+\s*b/);
  });
});

describe('live Claude', () => {
  const model = process.env.TIERCEL_LIVE_CLAUDE_MODEL ?? DEFAULT_SETTINGS.claude.model;

  test('count_tokens and a tiny message report usage', { skip: skipClaude }, async () => {
    const client = createClaudeClient({ apiKey: claudeKey!, baseUrl: process.env.ANTHROPIC_BASE_URL ?? '' });
    const messages = [{ role: 'user' as const, content: 'Reply with the single word: ok' }];
    const counted = await client.messages.countTokens({ model, messages });
    assert.ok(counted.input_tokens > 0);
    const reply = await client.messages.create({ model, max_tokens: 8, messages });
    assert.ok(reply.usage.input_tokens > 0 && reply.usage.output_tokens > 0);
  });
});
