import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReviewAnswer, reviewJsonSchema, splitByConfidence, type Finding } from '../../../src/core/review/findings';
import { buildReviewPrompt, numberedExcerpt } from '../../../src/core/review/prompt';
import { runReview } from '../../../src/core/review/review';
import { scriptedTier, tierSet } from '../tiers/helpers';

const FILES = [{ path: 'src/a.ts', lineCount: 20 }];
const finding = (over: Partial<Finding> = {}): Finding => ({
  file: 'src/a.ts',
  startLine: 3,
  endLine: 4,
  severity: 'warning',
  category: 'bug',
  message: 'Off by one.',
  confidence: 0.9,
  ...over,
});

test('the JSON schema sent to the API describes findings and has no $schema key', () => {
  const schema = reviewJsonSchema() as { type: string; properties: Record<string, unknown>; required: string[] };
  assert.equal(schema.type, 'object');
  assert.deepEqual(schema.required.sort(), ['findings', 'summary']);
  assert.ok(!('$schema' in schema));
  assert.match(JSON.stringify(schema), /"startLine"/);
});

test('a well-formed answer parses; findings come most severe first', () => {
  const raw = JSON.stringify({ summary: 'ok', findings: [finding({ severity: 'info', startLine: 1, endLine: 1 }), finding({ severity: 'error', startLine: 9, endLine: 9 })] });
  const parsed = parseReviewAnswer(raw, FILES);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.findings.map((f) => f.severity), ['error', 'info']);
  assert.deepEqual(parsed.rejected, []);
});

test('malformed output is reported, not thrown', () => {
  const truncated = parseReviewAnswer('{"summary":"cut off by max_tok', FILES);
  assert.equal(truncated.ok, false);
  assert.match(!truncated.ok ? truncated.error : '', /not JSON/);
  const wrongShape = parseReviewAnswer('{"issues": []}', FILES);
  assert.equal(wrongShape.ok, false);
});

test('findings that point outside the reviewed files or lines are rejected with a reason; bad fields too', () => {
  const raw = JSON.stringify({
    summary: '',
    findings: [
      finding({ file: 'src/other.ts' }),
      finding({ startLine: 40, endLine: 41 }),
      { ...finding(), severity: 'catastrophic' },
      finding({ file: './src/a.ts', startLine: 19, endLine: 99 }),
    ],
  });
  const parsed = parseReviewAnswer(raw, FILES);
  assert.ok(parsed.ok);
  assert.equal(parsed.rejected.length, 3);
  assert.match(parsed.rejected[0]!.reason, /not part of the review/);
  assert.match(parsed.rejected[1]!.reason, /past the end/);
  assert.deepEqual(parsed.findings.map((f) => [f.file, f.startLine, f.endLine]), [['src/a.ts', 19, 20]]);
});

test('a fenced answer (gateway without structured output) still parses', () => {
  const parsed = parseReviewAnswer('```json\n{"summary":"s","findings":[]}\n```', FILES);
  assert.ok(parsed.ok);
});

test('low-confidence findings are split off', () => {
  const { shown, hidden } = splitByConfidence([finding({ confidence: 0.9 }), finding({ confidence: 0.3 })], 0.6);
  assert.equal(shown.length, 1);
  assert.equal(hidden.length, 1);
});

test('numbered excerpts keep editor line numbers, whole or in windows around the change', () => {
  const text = Array.from({ length: 500 }, (_, i) => `line ${i + 1}`).join('\n');
  const whole = numberedExcerpt('a\nb', [], 1000, 5);
  assert.equal(whole, '1| a\n2| b');
  const windowed = numberedExcerpt(text, [{ startLine: 250, endLine: 251 }], 200, 3);
  assert.match(windowed, /^247\| line 247$/m);
  assert.match(windowed, /^254\| line 254$/m);
  assert.doesNotMatch(windowed, /^ {2}1\| line 1$/m);
});

test('the prompt carries the instructions, the diff, the files with their review lines, and the context', () => {
  const { system, prompt } = buildReviewPrompt(
    { diff: '--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1 +1 @@\n-x\n+y', files: [{ path: 'src/a.ts', text: 'y\n', changedRanges: [{ startLine: 1, endLine: 1 }] }] },
    [{ file: 'src/b.ts', startLine: 3, endLine: 5, text: 'export function helper() {}' }],
    { maxInputTokens: 8000 },
  );
  assert.match(system, /reviewing code/);
  assert.match(prompt, /<diff>[\s\S]*\+y[\s\S]*<\/diff>/);
  assert.match(prompt, /<file path="src\/a.ts" review-lines="1">\n1\| y/);
  assert.match(prompt, /<definition file="src\/b.ts" lines="3-5">/);
});

const OPTIONS = { maxTokens: 1000, maxInputTokens: 4000, confidenceThreshold: 0.6, preference: 'claude' as const };

test('runReview sends once through the routed tier, declares its files, and splits the findings', async () => {
  const claude = scriptedTier('claude', [{ text: JSON.stringify({ summary: 'one bug', findings: [finding(), finding({ confidence: 0.2, startLine: 7, endLine: 7 })] }), costUsd: 0.012, requestId: 'req_1' }]);
  const progress: string[] = [];
  const result = await runReview(
    { diff: '', files: [{ path: 'src/a.ts', text: 'x\n'.repeat(19), changedRanges: [] }] },
    { tiers: tierSet(scriptedTier('local', []), claude), onProgress: (m) => progress.push(m), context: async () => [{ file: 'src/b.ts', startLine: 1, endLine: 2, text: 'b' }] },
    { ...OPTIONS, workspace: '/w' },
  );
  assert.equal(claude.requests.length, 1);
  assert.equal(claude.requests[0]!.task, 'review');
  assert.deepEqual(claude.requests[0]!.sources, ['src/a.ts', 'src/b.ts']);
  assert.equal(result.shown.length, 1);
  assert.equal(result.hidden.length, 1);
  assert.equal(result.costUsd, 0.012);
  assert.equal(result.route.reason, 'Claude: review of 1 file');
  assert.ok(progress.some((p) => /Claude is reviewing/.test(p)));
});

test('"Review with Claude" with no key, or over the budget, runs on the local model and says why', async () => {
  const input = { diff: '', files: [{ path: 'src/a.ts', text: 'x\n'.repeat(19), changedRanges: [] }] };
  const noKey = scriptedTier('claude', [], { availability: { available: false, reason: 'Set your key.', short: 'no API key', actions: ['setApiKey'] } });
  const local = scriptedTier('local', [JSON.stringify({ summary: 'fine', findings: [] }), JSON.stringify({ summary: 'fine', findings: [] })]);
  const first = await runReview(input, { tiers: tierSet(local, noKey) }, OPTIONS);
  assert.equal(first.route.tier, 'local');
  assert.equal(first.route.reason, 'Local: no Anthropic API key is set');
  const broke = scriptedTier('claude', []);
  const second = await runReview(input, { tiers: tierSet(local, broke, { spentToday: 5 }) }, OPTIONS);
  assert.equal(second.route.reason, "Local: over today's budget ($2.00)");
  assert.equal(broke.requests.length, 0);
  assert.equal(local.requests.length, 2);
  // A script that must not change tiers is refused instead.
  await assert.rejects(runReview(input, { tiers: tierSet(local, broke, { spentToday: 5 }) }, { ...OPTIONS, fallback: false }), /Not sent: over today's budget/);
});

test('runReview with nothing sendable refuses before sending', async () => {
  const claude = scriptedTier('claude', []);
  await assert.rejects(runReview({ diff: '', files: [] }, { tiers: tierSet(scriptedTier('local', []), claude) }, { ...OPTIONS, maxTokens: 1, maxInputTokens: 1, confidenceThreshold: 0 }), /Nothing to review/);
  assert.equal(claude.requests.length, 0);
});
