import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeOllamaUrl, resolveOllamaUrl, sameModel } from '../../../src/core/ollama';

test('Ollama addresses as users write them become connectable URLs', () => {
  const cases: Array<[string, string]> = [
    ['', 'http://127.0.0.1:11434'],
    ['0.0.0.0', 'http://127.0.0.1:11434'],
    ['0.0.0.0:8080', 'http://127.0.0.1:8080'],
    ['localhost', 'http://localhost:11434'],
    ['gpu-box:11434', 'http://gpu-box:11434'],
    ['http://gpu-box', 'http://gpu-box:11434'],
    ['http://gpu-box:80', 'http://gpu-box'], // explicit :80 is http's own port, not Ollama's
    ['https://ollama.example.com', 'https://ollama.example.com'],
    ['https://ollama.example.com/prefix/', 'https://ollama.example.com/prefix'],
    [' http://127.0.0.1:11434/ ', 'http://127.0.0.1:11434'],
    ['[::1]:11434', 'http://[::1]:11434'],
  ];
  for (const [input, expected] of cases) assert.equal(normalizeOllamaUrl(input), expected, JSON.stringify(input));
});

test('flag beats OLLAMA_HOST beats the default', () => {
  assert.equal(resolveOllamaUrl('http://a:1', { OLLAMA_HOST: 'b:2' }), 'http://a:1');
  assert.equal(resolveOllamaUrl(undefined, { OLLAMA_HOST: 'b:2' }), 'http://b:2');
  assert.equal(resolveOllamaUrl(undefined, {}), 'http://127.0.0.1:11434');
});

test('a bare model name means its :latest tag', () => {
  assert.ok(sameModel('qwen2.5-coder', 'qwen2.5-coder:latest'));
  assert.ok(sameModel('Qwen2.5-Coder:1.5B-base', 'qwen2.5-coder:1.5b-base'));
  assert.ok(!sameModel('qwen2.5-coder', 'qwen2.5-coder:1.5b-base'));
});
