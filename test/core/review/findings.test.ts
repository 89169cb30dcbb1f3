import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReviewAnswer, reviewJsonSchema, splitByConfidence, type Finding } from '../../../src/core/review/findings';
import { buildReviewRequest, numberedExcerpt } from '../../../src/core/review/prompt';
import { runReview, type SendReview } from '../../../src/core/review/review';

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

test('the request caches the instructions, asks for the schema and carries the diff, files and context', () => {
  const params = buildReviewRequest(
    { diff: '--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1 +1 @@\n-x\n+y', files: [{ path: 'src/a.ts', text: 'y\n', changedRanges: [{ startLine: 1, endLine: 1 }] }] },
    [{ file: 'src/b.ts', startLine: 3, endLine: 5, text: 'export function helper() {}' }],
    { model: 'claude-sonnet-5-5', maxTokens: 4096, maxInputTokens: 8000 },
  );
  assert.equal(params.system[0]?.cache_control.type, 'ephemeral');
  assert.equal(params.output_config.format.type, 'json_schema');
  const user = params.messages[0]!.content;
  assert.match(user, /<diff>[\s\S]*\+y[\s\S]*<\/diff>/);
  assert.match(user, /<file path="src\/a.ts" review-lines="1">\n1\| y/);
  assert.match(user, /<definition file="src\/b.ts" lines="3-5">/);
});

test('runReview sends once through the given sender and splits the findings', async () => {
  const sent: unknown[] = [];
  const send: SendReview = async (request) => {
    sent.push(request);
    request.onText?.('{');
    return { text: JSON.stringify({ summary: 'one bug', findings: [finding(), finding({ confidence: 0.2, startLine: 7, endLine: 7 })] }), costUsd: 0.012, requestId: 'req_1' };
  };
  const progress: string[] = [];
  const result = await runReview(
    { diff: '', files: [{ path: 'src/a.ts', text: 'x\n'.repeat(19), changedRanges: [] }] },
    { send, onProgress: (m) => progress.push(m) },
    { model: 'claude-sonnet-5-5', maxTokens: 1000, maxInputTokens: 4000, confidenceThreshold: 0.6 },
  );
  assert.equal(sent.length, 1);
  assert.equal(result.shown.length, 1);
  assert.equal(result.hidden.length, 1);
  assert.equal(result.costUsd, 0.012);
  assert.ok(progress.some((p) => /Claude is reviewing/.test(p)));
});

test('runReview with nothing sendable refuses before sending', async () => {
  let called = false;
  await assert.rejects(
    runReview({ diff: '', files: [] }, { send: async () => ((called = true), { text: '', costUsd: 0 }) }, { model: 'm', maxTokens: 1, maxInputTokens: 1, confidenceThreshold: 0 }),
    /Nothing to review/,
  );
  assert.equal(called, false);
});
