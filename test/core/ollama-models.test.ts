/**
 * What "Tiercel: Select Local Model" offers: Ollama's models through the real `ollama` client against
 * the loopback Ollama, each classed as base (fill-in-the-middle), instruct or other from its `/api/show`
 * metadata, never its tag.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { TiercelError } from '../../src/core/errors';
import { listLocalModels, rankForRole, roleWarning, type LocalModel } from '../../src/core/ollama';
import { DEFAULT_LOOPBACK_MODELS, startOllamaServer, type LoopbackModel, type OllamaServer } from '../loopback/ollama-server';

const QWEN_BASE_INFO = { 'general.architecture': 'qwen2', 'general.basename': 'Qwen2.5-Coder', 'general.name': 'Qwen2.5 Coder 1.5B', 'qwen2.vocab_size': 151936 };

const MODELS: LoopbackModel[] = [
  ...DEFAULT_LOOPBACK_MODELS,
  // A base Qwen2.5-Coder under a tag that says nothing: its weights decide.
  { name: 'my-coder:latest', modelInfo: QWEN_BASE_INFO },
  // A tag that says "base" on an instruct model: still instruct.
  {
    name: 'totally-base:7b',
    template: '{{- if .Messages }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}',
    modelInfo: { 'general.architecture': 'qwen2', 'general.name': 'Qwen2.5 Coder 7B Instruct', 'general.finetune': 'Instruct' },
    capabilities: ['completion', 'tools'],
  },
  {
    name: 'codellama:7b-code',
    template: '<PRE> {{ .Prompt }} <SUF>{{ .Suffix }} <MID>',
    modelInfo: { 'general.architecture': 'llama', 'general.name': 'CodeLlama 7B', 'llama.vocab_size': 32016 },
  },
  {
    name: 'llama3.1:8b',
    template: '{{- range .Messages }}<|start_header_id|>{{ .Role }}<|end_header_id|>\n\n{{ .Content }}<|eot_id|>{{- end }}',
    modelInfo: { 'general.architecture': 'llama', 'general.name': 'Meta Llama 3.1 8B Instruct', 'llama.vocab_size': 128256 },
    capabilities: ['completion', 'tools'],
  },
  { name: 'nomic-embed-text:latest', family: 'nomic-bert', template: '{{ .Prompt }}', modelInfo: { 'general.architecture': 'nomic-bert' }, capabilities: ['embedding'] },
];

describe('listLocalModels through the ollama client against the loopback Ollama', () => {
  let server: OllamaServer;
  before(async () => {
    server = await startOllamaServer({ models: MODELS });
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  const byName = (models: LocalModel[]) => Object.fromEntries(models.map((m) => [m.name, m]));

  test('every installed model, classed from /api/show metadata', async () => {
    const models = byName(await listLocalModels({ url: server.url }));
    assert.deepEqual(Object.keys(models).sort(), MODELS.map((m) => m.name).sort());
    const kinds = Object.fromEntries(Object.values(models).map((m) => [m.name, [m.kind, m.fimFormat]]));
    assert.deepEqual(kinds, {
      'qwen2.5-coder:1.5b-base': ['base', 'Qwen2.5-Coder'],
      'qwen2.5-coder:7b-instruct': ['instruct', 'Qwen2.5-Coder'],
      'my-coder:latest': ['base', 'Qwen2.5-Coder'],
      'totally-base:7b': ['instruct', 'Qwen2.5-Coder'],
      'codellama:7b-code': ['base', 'CodeLlama'],
      'llama3.1:8b': ['instruct', undefined],
      'nomic-embed-text:latest': ['other', undefined],
    });
    assert.equal(models['qwen2.5-coder:1.5b-base']?.parameterSize, '1.5B');
    assert.equal(models['qwen2.5-coder:1.5b-base']?.quantization, 'Q4_K_M');
    assert.ok((models['qwen2.5-coder:1.5b-base']?.sizeBytes ?? 0) > 0);
    assert.match(models['qwen2.5-coder:7b-instruct']?.note ?? '', /instruct\/chat/);
    assert.match(models['nomic-embed-text:latest']?.note ?? '', /embedding/);
    const shows = server.requests.filter((r) => r.path === '/api/show').map((r) => r.body.model).sort();
    assert.deepEqual(shows, MODELS.map((m) => m.name).sort(), 'one /api/show per model');
    assert.equal(server.requests.filter((r) => r.path === '/api/generate' || r.path === '/api/chat').length, 0, 'listing loads nothing');
  });

  test('a model whose metadata cannot be read is still listed, as other', async () => {
    server.failNext({ status: 500, error: 'read manifest: unexpected EOF' });
    const models = await listLocalModels({ url: server.url });
    const unreadable = models.filter((m) => /could not be read/.test(m.note));
    assert.equal(unreadable.length, 1);
    assert.equal(unreadable[0]?.kind, 'other');
    assert.equal(models.length, MODELS.length);
  });

  test('Ollama offline is a TiercelError naming the URL, with Start Ollama and Retry', async () => {
    const gone = await startOllamaServer();
    await gone.close();
    await assert.rejects(listLocalModels({ url: gone.url, timeoutMs: 1000 }), (error) => {
      assert.ok(error instanceof TiercelError);
      assert.ok(error.message.includes(gone.url));
      assert.deepEqual(error.actions, ['startOllama', 'retry']);
      return true;
    });
  });

  test('ranked per role: base models first for completions, instruct first for chat', async () => {
    const models = await listLocalModels({ url: server.url });
    assert.deepEqual(
      rankForRole(models, 'completion').map((m) => m.name),
      ['codellama:7b-code', 'my-coder:latest', 'qwen2.5-coder:1.5b-base', 'llama3.1:8b', 'qwen2.5-coder:7b-instruct', 'totally-base:7b', 'nomic-embed-text:latest'],
    );
    assert.deepEqual(
      rankForRole(models, 'chat').map((m) => m.name).slice(0, 3),
      ['llama3.1:8b', 'qwen2.5-coder:7b-instruct', 'totally-base:7b'],
    );
    const named = byName(models);
    assert.equal(roleWarning(named['qwen2.5-coder:1.5b-base']!, 'completion'), undefined);
    assert.match(roleWarning(named['qwen2.5-coder:7b-instruct']!, 'completion') ?? '', /instruct\/chat model/);
    assert.match(roleWarning(named['nomic-embed-text:latest']!, 'completion') ?? '', /will not use it/);
    assert.equal(roleWarning(named['qwen2.5-coder:7b-instruct']!, 'chat'), undefined);
    assert.match(roleWarning(named['qwen2.5-coder:1.5b-base']!, 'chat') ?? '', /base model/);
  });
});
