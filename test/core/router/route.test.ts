/** The router, rule by rule and fallback by fallback: each row is one decision a user would see. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routeRequest, type RouteInput } from '../../../src/core/router';

const base: RouteInput = {
  task: 'chat',
  promptTokens: 800,
  files: 1,
  errors: 0,
  localFailed: false,
  preference: 'auto',
  localOnly: false,
  claudeKey: true,
  claudeReachable: true,
  localReachable: true,
  budgetLeftUsd: 2,
  budgetCap: { period: 'day', usd: 2 },
  worstCaseUsd: 0.05,
  localContextTokens: 32_768,
  maxTokens: 1024,
  claudeShare: 50,
  models: { local: 'qwen2.5-coder:7b-instruct', claude: 'claude-sonnet-5-5', claudeLight: 'claude-haiku-5-5' },
};

const rows: Array<[string, Partial<RouteInput>, { tier: 'local' | 'claude'; model: string; reason: string | RegExp }]> = [
  // The policy.
  ['completion is always local', { task: 'completion', promptTokens: 50_000 }, { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: 'Local: completions run on the local model' }],
  ['completion stays local even with Ollama down', { task: 'completion', localReachable: false }, { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: /^Local: completions/ }],
  ['refactor is local', { task: 'refactor', files: 6, promptTokens: 9000 }, { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: /^Local: refactors run locally/ }],
  ['a short explanation is local', { task: 'explain' }, { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: 'Local: a short explanation' }],
  ['a short chat question is local', {}, { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: 'Local: a short question in one place' }],
  ['an explanation across files goes to the light Claude model', { task: 'explain', files: 4 }, { tier: 'claude', model: 'claude-haiku-5-5', reason: 'Claude: the question spans 4 files' }],
  ['a large chat prompt goes to the light Claude model', { promptTokens: 7000 }, { tier: 'claude', model: 'claude-haiku-5-5', reason: 'Claude: a large prompt (7,000 tokens)' }],
  ['review goes to the configured Claude model', { task: 'review', files: 3 }, { tier: 'claude', model: 'claude-sonnet-5-5', reason: 'Claude: review of 3 files' }],
  ['simple debugging is local', { task: 'debug', errors: 4, errorFiles: 1 }, { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: 'Local: the error is in one file' }],
  ['multi-file debugging goes to Claude', { task: 'debug', errors: 6, errorFiles: 3 }, { tier: 'claude', model: 'claude-sonnet-5-5', reason: 'Claude: the error spans 3 files' }],
  ['a large debugging prompt goes to Claude', { task: 'debug', errorFiles: 1, promptTokens: 9000 }, { tier: 'claude', model: 'claude-sonnet-5-5', reason: /^Claude: a large debugging prompt/ }],
  ['a chat message about an error across files goes to the main Claude model', { errors: 2, errorFiles: 2 }, { tier: 'claude', model: 'claude-sonnet-5-5', reason: 'Claude: an error across 2 files' }],
  // The user's choice.
  ['the user chose local', { task: 'review', preference: 'local' }, { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: 'Local: you chose the local model' }],
  ['the user chose Claude for a chat question: the light model', { preference: 'claude' }, { tier: 'claude', model: 'claude-haiku-5-5', reason: 'Claude: you chose Claude' }],
  ['the user chose Claude for debugging: the main model', { task: 'debug', preference: 'claude' }, { tier: 'claude', model: 'claude-sonnet-5-5', reason: 'Claude: you chose Claude' }],
  // Escalation.
  ['a failed local attempt escalates', { task: 'refactor', localFailed: true }, { tier: 'claude', model: 'claude-sonnet-5-5', reason: "Claude: the local model's refactor failed" }],
  ['a prompt past the local window goes to Claude', { task: 'refactor', promptTokens: 40_000 }, { tier: 'claude', model: 'claude-sonnet-5-5', reason: "Claude: 40,000 tokens do not fit the local model's window" }],
  ['the answer counts against the window too', { task: 'explain', promptTokens: 32_000, maxTokens: 1024 }, { tier: 'claude', model: 'claude-haiku-5-5', reason: /do not fit/ }],
  ['Ollama offline: a chat question escalates', { localReachable: false, localProblem: 'Ollama offline' }, { tier: 'claude', model: 'claude-haiku-5-5', reason: 'Claude: Ollama offline' }],
  ['Ollama offline, Claude share 0: stays local (it will say the tier is down)', { localReachable: false, claudeShare: 0 }, { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: /^Local:/ }],
  ['Ollama offline and the user chose local: stays local', { localReachable: false, preference: 'local' }, { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: 'Local: you chose the local model' }],
  // Every Claude choice falls back to local, saying why.
  ['review in local-only mode', { task: 'review', localOnly: true }, { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: 'Local: local-only mode is on' }],
  ['review without a key', { task: 'review', claudeKey: false }, { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: 'Local: no Anthropic API key is set' }],
  ['review with Claude unreachable', { task: 'review', claudeReachable: false }, { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: 'Local: Claude is unreachable' }],
  ['review over the daily cap', { task: 'review', budgetLeftUsd: 0 }, { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: "Local: over today's budget ($2.00)" }],
  ['review over the monthly cap', { task: 'review', budgetLeftUsd: -1, budgetCap: { period: 'month', usd: 20 } }, { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: "Local: over this month's budget ($20.00)" }],
  ['review whose worst case exceeds what is left', { task: 'review', budgetLeftUsd: 0.03, worstCaseUsd: 0.05 }, { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: 'Local: this request (up to $0.05) is more than the budget left ($0.03)' }],
  ['the user chose Claude but has no key', { preference: 'claude', claudeKey: false }, { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: 'Local: no Anthropic API key is set' }],
  ['a failed local attempt over budget stays local', { localFailed: true, budgetLeftUsd: 0 }, { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: "Local: over today's budget ($2.00)" }],
  ['Ollama offline and Claude over budget: local, with the budget as the reason', { localReachable: false, budgetLeftUsd: 0 }, { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: /^Local: a short question/ }],
  // The Claude share knob.
  ['share 0 keeps a cross-file question local', { files: 6, claudeShare: 0 }, { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: 'Local: Claude share is 0% (local unless you ask)' }],
  ['share 0 still honours an explicit Claude choice', { claudeShare: 0, preference: 'claude' }, { tier: 'claude', model: 'claude-haiku-5-5', reason: 'Claude: you chose Claude' }],
  ['share 100 sends a short question to Claude', { claudeShare: 100 }, { tier: 'claude', model: 'claude-haiku-5-5', reason: 'Claude: Claude share is 100%' }],
  ['share 100 never sends completions', { task: 'completion', claudeShare: 100 }, { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: /^Local: completions/ }],
  ['share 75 lowers the threshold: 2 files already count as cross-file', { files: 2, claudeShare: 75 }, { tier: 'claude', model: 'claude-haiku-5-5', reason: 'Claude: the question spans 2 files' }],
  ['share 25 raises it: 5 files do not', { files: 5, claudeShare: 25 }, { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: 'Local: a short question in one place' }],
  ['share 25: 2-file debugging stays local (threshold 4 files)', { task: 'debug', errorFiles: 2, claudeShare: 25 }, { tier: 'local', model: 'qwen2.5-coder:7b-instruct', reason: /^Local:/ }],
];

for (const [name, over, expected] of rows) {
  test(`route: ${name}`, () => {
    const route = routeRequest({ ...base, ...over });
    assert.equal(route.tier, expected.tier);
    assert.equal(route.model, expected.model);
    if (typeof expected.reason === 'string') assert.equal(route.reason, expected.reason);
    else assert.match(route.reason, expected.reason);
  });
}

test('route: a fallback says where it came from and why', () => {
  assert.deepEqual(routeRequest({ ...base, task: 'review', claudeKey: false }).fallback, { from: 'claude', why: 'no Anthropic API key is set', actions: ['setApiKey'] });
  assert.deepEqual(routeRequest({ ...base, task: 'review', budgetLeftUsd: 0 }).fallback?.actions, ['raiseBudget']);
  assert.deepEqual(routeRequest({ ...base, task: 'review', localOnly: true }).fallback?.actions, ['openSettings']);
  assert.deepEqual(routeRequest({ ...base, localReachable: false, localProblem: 'Ollama offline' }).fallback, { from: 'local', why: 'Ollama offline', actions: ['startOllama'] });
  assert.equal(routeRequest(base).fallback, undefined);
});
