/** Usage of both tiers from the ledger: records, the 30-day report, savings, CSV, batching, and the old ledger's import. */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { BudgetLedger, parseLedger, summarizeLedger } from '../../../src/core/claude/ledger';
import { buildUsageReport, claudeEquivalentUsd, usageCsv, usageRecords } from '../../../src/core/usage/report';
import { LocalUsageRecorder } from '../../../src/core/usage/recorder';
import { tempDir, tokens } from '../claude/helpers';

let ledgerPath: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ ledgerPath, cleanup } = await tempDir()));
afterEach(() => cleanup());

const NOW = new Date(2026, 11, 3, 15, 0, 0);
const at = (daysAgo: number, hour = 10) => new Date(2026, 11, 3 - daysAgo, hour).toISOString();

function seeded(): string {
  const reserve = (id: string, time: string, maxCostUsd: number, feature = 'review') => ({ v: 1, type: 'reserve', id, time, feature, model: 'claude-sonnet-5-5', maxCostUsd });
  const settle = (id: string, time: string, costUsd: number, t = tokens({ input: 1000, cacheRead: 500, output: 200 }), feature = 'review') => ({
    v: 1, type: 'settle', id, time, settledAt: time, feature, model: 'claude-sonnet-5-5', tokens: t, costUsd, requestId: null, outcome: 'ok',
  });
  const local = (id: string, time: string, requests: number, input: number, output: number, savedUsd: number, feature = 'chat') => ({
    v: 1, type: 'local', id, time, tier: 'local', feature, model: 'qwen2.5-coder:7b-instruct', requests, tokens: { input, output }, savedUsd, comparedModel: 'claude-sonnet-5-5',
  });
  return [
    reserve('a', at(0), 0.05), settle('a', at(0), 0.02),
    reserve('b', at(1), 0.3, 'debug'), settle('b', at(1), 0.1, tokens({ input: 3000, output: 400 }), 'debug'),
    reserve('c', at(0, 14), 0.04), // pending (less than 15 min old at NOW? no: 1 h old → abandoned)
    local('l1', at(0), 40, 20_000, 2_000, 0.06, 'completion'),
    local('l2', at(2), 3, 9_000, 900, 0.027),
    local('old', at(40), 5, 1000, 100, 1), // outside the 30 days
  ].map((l) => JSON.stringify(l)).join('\n') + '\n';
}

test('records pair Claude reserves with settles, keep local batches, and mark the unsettled', () => {
  const records = usageRecords(parseLedger(seeded()).lines, NOW);
  assert.equal(records.length, 6);
  const a = records.find((r) => r.tier === 'claude' && r.feature === 'review' && !r.open)!;
  assert.deepEqual([a.inputTokens, a.outputTokens, a.usd], [1500, 200, 0.02]);
  const c = records.find((r) => r.open)!;
  assert.deepEqual([c.open, c.usd], ['abandoned', 0.04]);
  assert.deepEqual(records.filter((r) => r.tier === 'local').map((r) => r.requests), [40, 3, 5]);
});

test('the 30-day report: per day, per tier, per feature, and what the local tier saved', () => {
  const report = buildUsageReport(usageRecords(parseLedger(seeded()).lines, NOW), NOW, 30);
  assert.equal(report.days.length, 30);
  assert.equal(report.days.at(-1)!.day, '2026-12-03');
  assert.equal(report.days[0]!.day, '2026-11-04');
  assert.deepEqual(report.days.at(-1), { day: '2026-12-03', claudeUsd: 0.06, claudeRequests: 2, localRequests: 40, savedUsd: 0.06 });
  assert.deepEqual(report.days.at(-2), { day: '2026-12-02', claudeUsd: 0.1, claudeRequests: 1, localRequests: 0, savedUsd: 0 });
  assert.deepEqual(report.byTier.claude, { requests: 3, inputTokens: 4500, outputTokens: 600, usd: 0.16, savedUsd: 0 });
  assert.deepEqual(report.byTier.local, { requests: 43, inputTokens: 29_000, outputTokens: 2_900, usd: 0, savedUsd: 0.087 });
  assert.equal(report.savedUsd, 0.087, 'the 40-day-old batch is outside the window');
  assert.deepEqual(report.byFeature.map((r) => `${r.feature}/${r.tier}:${r.requests}`), ['completion/local:40', 'chat/local:3', 'review/claude:2', 'debug/claude:1']);
  // The caps still count only Claude, open reservations at their worst case.
  const summary = summarizeLedger(parseLedger(seeded()), NOW);
  assert.equal(summary.today.usd, 0.06);
  assert.equal(summary.today.requests, 2);
});

test('savings price the same tokens on the compared Claude model; an unknown model saves nothing', () => {
  // Sonnet 5.5: $2 in / $10 out per million.
  assert.equal(claudeEquivalentUsd({ input: 1_000_000, output: 100_000 }, 'claude-sonnet-5-5'), 3);
  assert.equal(claudeEquivalentUsd({ input: 10, output: 10 }, 'gpt-9'), 0);
});

test('CSV: a header and one row per record in the window, quoted where needed', () => {
  const records = usageRecords(parseLedger(seeded()).lines, NOW);
  const csv = usageCsv(records, buildUsageReport(records, NOW, 30));
  const rows = csv.trimEnd().split('\r\n');
  assert.equal(rows[0], 'time,tier,feature,model,requests,input_tokens,output_tokens,cost_usd,saved_usd,state');
  assert.equal(rows.length, 1 + 5);
  assert.ok(rows.some((r) => r.endsWith(',0.04,0,abandoned')));
  const quoted = usageCsv([{ ...records[0]!, feature: 'a,"b"' }], { days: [{ day: '2000-01-01', claudeUsd: 0, claudeRequests: 0, localRequests: 0, savedUsd: 0 }] });
  assert.match(quoted, /,"a,""b""",/);
});

test('the recorder batches local requests per tier, feature and model, with their savings, in one line each', async () => {
  const ledger = new BudgetLedger({ path: ledgerPath });
  const recorder = new LocalUsageRecorder({ ledger, comparedModel: () => 'claude-sonnet-5-5', flushAfterMs: 60_000, now: () => NOW });
  for (let i = 0; i < 25; i++) recorder.record({ tier: 'local', feature: 'completion', model: 'qwen2.5-coder:1.5b-base', inputTokens: 1000, outputTokens: 20 });
  recorder.record({ tier: 'local', feature: 'chat', model: 'qwen2.5-coder:7b-instruct', inputTokens: 500_000, outputTokens: 50_000 });
  assert.equal((await ledger.read()).lines.length, 0, 'nothing written before the flush');
  await recorder.flush();
  const lines = (await ledger.read()).lines;
  assert.equal(lines.length, 2);
  const [completion, chat] = lines as Array<Extract<(typeof lines)[number], { type: 'local' }>>;
  assert.deepEqual([completion!.requests, completion!.tokens], [25, { input: 25_000, output: 500 }]);
  assert.equal(chat!.savedUsd, 1.5);
  assert.equal(chat!.comparedModel, 'claude-sonnet-5-5');
  await recorder.flush();
  assert.equal((await ledger.read()).lines.length, 2, 'an empty flush writes nothing');
});

test('an older per-window ledger is imported once, without duplicating lines the machine ledger has', async () => {
  const ledger = new BudgetLedger({ path: ledgerPath });
  const old = `${ledgerPath}.old`;
  const text = seeded();
  await mkdir(path.dirname(ledgerPath), { recursive: true });
  await writeFile(old, text);
  const first = parseLedger(text).lines.slice(0, 2).map((l) => JSON.stringify(l)).join('\n') + '\n';
  await writeFile(ledgerPath, first);
  assert.equal(await ledger.importFrom(old), 6);
  assert.equal((await ledger.read()).lines.length, 8);
  assert.equal(await readFile(`${old}.imported`, 'utf8'), text);
  assert.equal(await ledger.importFrom(old), 0, 'gone after the import');
});
