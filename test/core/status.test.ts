import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Ollama } from 'ollama';
import { DEFAULT_SETTINGS } from '../../src/core/settings';
import { checkStatus, formatStatusReport, summarizeStatus } from '../../src/core/status';
import { OpenAiCompatibleTier } from '../../src/core/tiers/openaiCompatible';
import { DEFAULT_OPENAI_MODELS, startOpenAiServer } from '../loopback/openai-server';

type Probe = Pick<Ollama, 'version' | 'list' | 'ps'>;

function fakeOllama(installed: string[], loaded: string[] = []): Probe {
  const model = (name: string) => ({ name, model: name }) as Awaited<ReturnType<Ollama['list']>>['models'][number];
  return {
    version: async () => ({ version: '0.12.6' }),
    list: async () => ({ models: installed.map(model) }),
    ps: async () => ({ models: loaded.map(model) }),
  };
}

const unreachable: Probe = {
  version: async () => {
    throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:11434') });
  },
  list: async () => ({ models: [] }),
  ps: async () => ({ models: [] }),
};

test('ready when Ollama answers and the completion model is installed', async () => {
  const report = await checkStatus({
    ollama: fakeOllama(['qwen2.5-coder:1.5b-base', 'qwen2.5-coder:7b-instruct'], ['qwen2.5-coder:1.5b-base']),
    settings: DEFAULT_SETTINGS,
    claudeKeySet: true,
  });
  assert.equal(report.localReady, true);
  assert.deepEqual(report.ollama, { reachable: true, url: 'http://127.0.0.1:11434', version: '0.12.6' });
  assert.deepEqual(
    report.models.map((m) => [m.role, m.installed, m.loaded]),
    [['completion', true, true], ['chat', true, false]],
  );
  assert.deepEqual(report.actions, []);
  assert.match(summarizeStatus(report), /running with qwen2\.5-coder:1\.5b-base and qwen2\.5-coder:7b-instruct\. Claude API key is set\./);
});

test('a missing completion model is not ready, names the pull command, and offers settings', async () => {
  const report = await checkStatus({ ollama: fakeOllama(['qwen2.5-coder:7b-instruct']), settings: DEFAULT_SETTINGS, claudeKeySet: false });
  assert.equal(report.localReady, false);
  assert.deepEqual(report.actions, ['openSettings', 'setApiKey']);
  assert.ok(formatStatusReport(report).includes('Completion model qwen2.5-coder:1.5b-base: not installed (ollama pull qwen2.5-coder:1.5b-base)'));
  assert.match(summarizeStatus(report), /qwen2\.5-coder:1\.5b-base is not installed/);
});

test('unreachable Ollama is reported with its cause, never thrown, with Retry first', async () => {
  const report = await checkStatus({ ollama: unreachable, settings: DEFAULT_SETTINGS, claudeKeySet: true });
  assert.equal(report.localReady, false);
  assert.equal(report.models.length, 0);
  assert.ok(!report.ollama.reachable && report.ollama.error.includes('ECONNREFUSED'));
  assert.equal(report.actions[0], 'retry');
  assert.match(formatStatusReport(report)[0]!, /unreachable \(fetch failed \(connect ECONNREFUSED/);
});

test('with the OpenAI-compatible server as the local provider, Show Status probes it through its tier and says what is wrong', async () => {
  const server = await startOpenAiServer();
  const closed = await startOpenAiServer();
  await closed.close();
  try {
    const check = async (baseUrl: string, model: string) => {
      const settings = { ...DEFAULT_SETTINGS, local: { provider: 'openaiCompatible' as const }, openaiCompatible: { baseUrl, model } };
      const tier = new OpenAiCompatibleTier({ settings: () => settings.openaiCompatible, apiKey: async () => undefined });
      return checkStatus({ ollama: fakeOllama(['qwen2.5-coder:1.5b-base']), settings, claudeKeySet: true, openaiCompatible: () => tier.availability() });
    };
    const served = DEFAULT_OPENAI_MODELS[0]!.id;
    const up = await check(server.baseUrl, served);
    assert.deepEqual(up.openaiCompatible, { baseUrl: server.baseUrl, model: served, available: true });
    assert.ok(formatStatusReport(up).includes(`Chat server ${server.baseUrl} (${served}): reachable`));

    const down = await check(closed.baseUrl, served);
    assert.ok(down.openaiCompatible && !down.openaiCompatible.available && /not reachable/.test(down.openaiCompatible.reason));
    assert.ok(down.actions.includes('openSettings'));
    assert.match(formatStatusReport(down).join('\n'), /Chat server .* unavailable \(.*not reachable/);

    // With Ollama as the provider the server is not asked.
    const ollamaOnly = await checkStatus({ ollama: fakeOllama(['qwen2.5-coder:1.5b-base']), settings: DEFAULT_SETTINGS, claudeKeySet: true, openaiCompatible: () => assert.fail('asked') });
    assert.equal(ollamaOnly.openaiCompatible, undefined);
  } finally {
    await server.close();
  }
});
