import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseDebugAnswer } from '../../../src/core/debug/answer';
import { formatDebugMarkdown } from '../../../src/core/debug/markdown';
import { composeDebugRequest, type DebugInput } from '../../../src/core/debug/prompt';
import { runDebug, type DebugResult } from '../../../src/core/debug/run';
import { debugJsonSchema, type DebugAnswer, type DebugFix } from '../../../src/core/debug/schema';
import { parseStackTrace } from '../../../src/core/debug/stackTrace';
import type { Route } from '../../../src/core/router';
import type { TierAnswer } from '../../../src/core/tiers';
import { estimateTokens } from '../../../src/core/tokens';
import { scriptedTier, tierSet } from '../tiers/helpers';

const fixture = (name: string) => readFileSync(path.join(__dirname, '../../fixtures/debug', name), 'utf8');
/** A file whose every line says its own number, so a window's edges can be read off the request. */
const numberedFile = (lines: number, tag: string) => Array.from({ length: lines }, (_, i) => `  const ${tag}${i + 1} = step(${tag}${i}); // ${tag} line ${i + 1}`).join('\n');

function nodeInput(over: Partial<DebugInput> = {}): DebugInput {
  return {
    error: parseStackTrace(fixture('node-uncaught.txt')),
    frames: [
      { relPath: 'src/cart/total.ts', line: 14, source: numberedFile(300, 't') },
      { relPath: 'src/cart/total.ts', line: 14, functionName: 'cartTotal', source: numberedFile(300, 't') },
      { relPath: 'src/checkout/handler.ts', line: 31, functionName: 'checkout', source: numberedFile(200, 'h') },
    ],
    ...over,
  };
}

const OPTIONS = { maxTokens: 4096, maxInputTokens: 6000, preference: 'claude' as const };
const userText = (request: { prompt: string }) => request.prompt;
const buildDebugRequest = (input: DebugInput, options: typeof OPTIONS) => composeDebugRequest(input, options);

test('the JSON schema sent to the API describes the answer and has no $schema key', () => {
  const schema = debugJsonSchema() as { type: string; required: string[] };
  assert.equal(schema.type, 'object');
  assert.deepEqual([...schema.required].sort(), ['explanation', 'fixes', 'rootCause', 'summary']);
  assert.ok(!('$schema' in schema));
  assert.match(JSON.stringify(schema), /"replacement"/);
});

test('the prompt carries the instructions, the error and the listing', () => {
  const params = buildDebugRequest(nodeInput(), OPTIONS);
  assert.match(params.system, /expert debugger/);
  const user = userText(params);
  assert.match(user, /<error format="javascript">\nTypeError: Cannot read properties of undefined \(reading 'amount'\)\n<\/error>/);
  // Frames whose source follows are named by their workspace path, so the listing and the windows line up.
  assert.match(user, /^#0 at src\/cart\/total\.ts:14:57 \(source below\)$/m);
  assert.match(user, /^#2 checkout at src\/checkout\/handler\.ts:31:19 \(source below\)$/m);
  // Library frames: one line each (dependency path shortened), never expanded.
  assert.match(user, /^#3 Layer\.handle \[as handle_request\] at node_modules\/express\/lib\/router\/layer\.js:95:5 \[library\]$/m);
  assert.doesNotMatch(user, /<source path="[^"]*node_modules/);
  assert.doesNotMatch(user, /\/home\/dana\/projects\/shop\/node_modules/);
});

test('source windows are numbered as in the editor, around each frame, with the frame lines named', () => {
  const user = userText(buildDebugRequest(nodeInput(), OPTIONS));
  assert.match(user, /<source path="src\/cart\/total\.ts" frame-lines="14 \(cartTotal\)">\n {2}1\| {3}const t1 = /);
  assert.match(user, /^ 14\| {3}const t14 = step\(t13\); \/\/ t line 14$/m);
  assert.match(user, /<source path="src\/checkout\/handler\.ts" frame-lines="31 \(checkout\)">/);
  assert.match(user, /^ 31\| {3}const h31 = /m);
  // ±40 lines for the two innermost frames by default, nothing further.
  assert.match(user, /^ 54\| {3}const t54 /m);
  assert.doesNotMatch(user, /^ 55\| {3}const t55 /m);
  assert.match(user, /^ 71\| {3}const h71 /m);
  assert.doesNotMatch(user, /^ 72\| {3}const h72 /m);
});

test('the innermost frames get more room than the outer ones, and windows in one file merge', () => {
  const source = numberedFile(400, 'x');
  const { sent } = composeDebugRequest(
    {
      error: { message: 'Error: deep', frames: [], language: 'javascript', causes: [] },
      frames: [
        { relPath: 'a.ts', line: 100, source },
        { relPath: 'b.ts', line: 100, source },
        { relPath: 'c.ts', line: 100, source },
        { relPath: 'a.ts', line: 300, source },
        { relPath: 'a.ts', line: 110, source },
      ],
    },
    { ...OPTIONS, maxInputTokens: 20_000, windowLines: 10 },
  );
  const ranges = Object.fromEntries(sent.map((s) => [s.path, s.ranges.map((r) => [r.startLine, r.endLine])]));
  assert.deepEqual(ranges, { 'a.ts': [[80, 120], [290, 310]], 'b.ts': [[80, 120]], 'c.ts': [[90, 110]] });
});

test('the request stays within maxInputTokens however much there is, shrinking the outer frames first', () => {
  const big = numberedFile(5000, 'z');
  const input: DebugInput = {
    error: { ...parseStackTrace(fixture('python-chained.txt')), message: `ValueError: ${'x'.repeat(20_000)}` },
    frames: Array.from({ length: 12 }, (_, i) => ({ relPath: `pkg/m${i}.py`, line: 2000 + i, functionName: `f${i}`, source: big })),
    extraFiles: [{ path: 'pkg/extra.py', text: big }],
    recentEdits: `--- a/pkg/m0.py\n+++ b/pkg/m0.py\n${'+added line\n'.repeat(3000)}`,
    context: Array.from({ length: 40 }, (_, i) => ({ file: `pkg/d${i}.py`, startLine: 1, endLine: 30, text: 'def helper():\n    pass\n'.repeat(15) })),
  };
  for (const maxInputTokens of [800, 2000, 8000, 30_000]) {
    const request = composeDebugRequest(input, { ...OPTIONS, maxInputTokens });
    const { sent } = request;
    const user = userText(request);
    assert.ok(estimateTokens(user) <= maxInputTokens, `${estimateTokens(user)} > ${maxInputTokens}`);
    const first = sent.find((s) => s.path === 'pkg/m0.py');
    assert.ok(first, `the innermost frame is shown at ${maxInputTokens}`);
    assert.ok(first.ranges[0]!.startLine <= 2000 && first.ranges[0]!.endLine >= 2000);
    const width = (p: string) => sent.find((s) => s.path === p)?.ranges.reduce((n, r) => n + r.endLine - r.startLine + 1, 0) ?? 0;
    assert.ok(width('pkg/m0.py') >= width('pkg/m5.py'));
    assert.match(user, /more lines not shown/);
  }
});

test('the error text is redacted (the files are the caller\'s to redact); recent edits and definitions are carried', () => {
  const params = buildDebugRequest(
    {
      error: parseStackTrace('Error: connect failed for postgres://app:Vq8rT2pLx9@db.internal:5432/shop\n    at connect (/w/src/db.ts:3:9)'),
      frames: [{ relPath: 'src/db.ts', line: 3, functionName: 'connect', source: 'a\nb\nconnect()\n' }],
      recentEdits: '--- a/src/db.ts\n+++ b/src/db.ts\n@@ -3 +3 @@\n-old()\n+connect()',
      context: [{ file: 'src/pool.ts', startLine: 5, endLine: 7, text: 'export function connect() {}' }],
    },
    OPTIONS,
  );
  const user = userText(params);
  assert.doesNotMatch(user, /Vq8rT2pLx9/);
  assert.match(user, /\[REDACTED:connection-password\]/);
  assert.match(user, /<recent-edits>\n--- a\/src\/db\.ts[\s\S]*\+connect\(\)\n<\/recent-edits>/);
  assert.match(user, /<definition file="src\/pool\.ts" lines="5-7">\nexport function connect\(\) \{\}\n<\/definition>/);
});

test('an extra file (a diagnostic\'s) is shown whole when small, around the diagnostics when large', () => {
  const error = parseStackTrace(fixture('tsc.txt'));
  const small = composeDebugRequest({ error, frames: [], extraFiles: [{ path: 'src/api/client.ts', text: numberedFile(45, 'c') }] }, OPTIONS);
  assert.deepEqual(small.sent, [{ path: 'src/api/client.ts', lineCount: 45, ranges: [{ startLine: 1, endLine: 45 }] }]);
  assert.match(userText(small), /<source path="src\/api\/client\.ts">\n 1\| /);
  const large = composeDebugRequest({ error, frames: [], extraFiles: [{ path: 'src/api/client.ts', text: numberedFile(3000, 'c') }] }, OPTIONS);
  assert.deepEqual(large.sent[0]!.ranges, [{ startLine: 1, endLine: 80 }]);
  assert.match(userText(large), /^#0 at src\/api\/client\.ts:12:5 — error TS2322/m);
});

// ---------------------------------------------------------------------------------------------------

const SHOWN = [{ path: 'src/cart/total.ts', lineCount: 300, ranges: [{ startLine: 1, endLine: 54 }] }];
const fix = (over: Partial<DebugFix> = {}): DebugFix => ({
  file: 'src/cart/total.ts',
  startLine: 14,
  endLine: 14,
  replacement: '  return items.reduce((sum, item) => sum + (item.price?.amount ?? 0) * item.quantity, 0);',
  description: 'Treat items without a price as free instead of crashing.',
  confidence: 0.8,
  ...over,
});
const answer = (over: Partial<DebugAnswer> = {}): DebugAnswer => ({
  summary: 'An item without a price reaches cartTotal.',
  rootCause: '`item.price` is optional but `cartTotal` reads `price.amount` unguarded.',
  explanation: 'The checkout handler (src/checkout/handler.ts:31) passes the raw cart…',
  fixes: [fix()],
  ...over,
});

test('a well-formed answer parses; the summary is cut to one line', () => {
  const parsed = parseDebugAnswer(JSON.stringify(answer({ summary: '\nFirst line.\nSecond line.' })), SHOWN);
  assert.ok(parsed.ok);
  assert.equal(parsed.answer.summary, 'First line.');
  assert.equal(parsed.answer.fixes.length, 1);
  assert.deepEqual(parsed.rejected, []);
});

test('malformed answers are reported, not thrown; a fenced one still parses', () => {
  const cut = parseDebugAnswer('{"summary":"cut off by max_tok', SHOWN);
  assert.equal(cut.ok, false);
  assert.match(!cut.ok ? cut.error : '', /not JSON/);
  assert.equal(parseDebugAnswer('{"fixes": "none"}', SHOWN).ok, false);
  assert.equal(parseDebugAnswer('{}', SHOWN).ok, false);
  assert.ok(parseDebugAnswer(`\`\`\`json\n${JSON.stringify(answer())}\n\`\`\``, SHOWN).ok);
});

test('fixes outside the shown files or lines, in the wrong order, or with bad fields are rejected with a reason', () => {
  const raw = JSON.stringify(
    answer({
      fixes: [
        fix({ file: 'src/other.ts' }),
        fix({ startLine: 299, endLine: 301 }),
        fix({ startLine: 50, endLine: 60 }),
        fix({ startLine: 20, endLine: 18 }),
        { ...fix(), confidence: 7 },
        fix({ file: './src/cart/total.ts', startLine: 13, endLine: 15 }),
      ],
    }),
  );
  const parsed = parseDebugAnswer(raw, SHOWN);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.answer.fixes.map((f) => [f.file, f.startLine, f.endLine]), [['src/cart/total.ts', 13, 15]]);
  const reasons = parsed.rejected.map((r) => r.reason);
  assert.equal(reasons.length, 5);
  assert.match(reasons[0]!, /src\/other\.ts was not shown/);
  assert.match(reasons[1]!, /past the end/);
  assert.match(reasons[2]!, /lines 50-60 of src\/cart\/total\.ts were not shown to Claude/);
  assert.match(reasons[3]!, /wrong order/);
  assert.match(reasons[4]!, /confidence/);
  // Without ranges, only the file's length bounds a fix (like parseReviewAnswer).
  const unbounded = parseDebugAnswer(JSON.stringify(answer({ fixes: [fix({ startLine: 200, endLine: 201 })] })), [{ path: 'src/cart/total.ts', lineCount: 300 }]);
  assert.ok(unbounded.ok && unbounded.answer.fixes.length === 1);
});

// ---------------------------------------------------------------------------------------------------

test('runDebug sends once as task "debug" (the files it shows as sources) and drops fixes to lines the model was not shown', async () => {
  const claude = scriptedTier('claude', [{ text: JSON.stringify(answer({ fixes: [fix(), fix({ startLine: 250, endLine: 250 })] })), costUsd: 0.021, requestId: 'req_dbg' }]);
  const progress: string[] = [];
  const result = await runDebug(nodeInput(), { tiers: tierSet(scriptedTier('local', []), claude), onProgress: (m) => progress.push(m) }, { ...OPTIONS, workspace: '/w' });
  assert.equal(claude.requests.length, 1);
  assert.equal(claude.requests[0]!.task, 'debug');
  assert.deepEqual(claude.requests[0]!.sources, ['src/cart/total.ts', 'src/checkout/handler.ts']);
  assert.equal(claude.requests[0]!.workspace, '/w');
  assert.ok(claude.requests[0]!.jsonSchema);
  assert.equal(result.answer?.fixes.length, 1);
  assert.equal(result.rejectedFixes.length, 1);
  assert.match(result.rejectedFixes[0]!.reason, /not shown to Claude/);
  assert.equal(result.costUsd, 0.021);
  assert.equal(result.requestId, 'req_dbg');
  assert.equal(result.route.tier, 'claude');
  assert.equal(result.malformed, undefined);
  assert.ok(progress.some((p) => /Claude is debugging… \d+ characters/.test(p)));
});

test('runDebug: a malformed answer is repaired once, then returned, not thrown; nothing to debug refuses', async () => {
  const claude = scriptedTier('claude', ['Sorry, I cannot help with that.', 'Still no JSON.'], { costUsd: 0.001 });
  const tiers = tierSet(scriptedTier('local', []), claude);
  const result = await runDebug(nodeInput(), { tiers }, OPTIONS);
  assert.equal(claude.requests.length, 2, 'one repair attempt');
  assert.equal(claude.requests[1]!.messages.length, 3);
  assert.equal(result.answer, undefined);
  assert.match(result.malformed?.error ?? '', /not JSON/);
  assert.equal(result.costUsd, 0.002);
  await assert.rejects(runDebug({ error: { message: ' ', frames: [], language: 'unknown', causes: [] }, frames: [] }, { tiers }, OPTIONS), /Nothing to debug/);
  assert.equal(claude.requests.length, 2);
});

test('runDebug with the budget used up runs on the local model and says why', async () => {
  const local = scriptedTier('local', [JSON.stringify(answer())]);
  const claude = scriptedTier('claude', []);
  const result = await runDebug(nodeInput(), { tiers: tierSet(local, claude, { spentToday: 2 }) }, OPTIONS);
  assert.equal(claude.requests.length, 0);
  assert.equal(local.requests.length, 1);
  assert.equal(result.route.tier, 'local');
  assert.match(result.route.reason, /^Local: over today's budget \(\$2\.00\)$/);
  assert.equal(result.costUsd, 0);
});

// ---------------------------------------------------------------------------------------------------

const CLAUDE_ROUTE: Route = { tier: 'claude', model: 'claude-sonnet-5-5', reason: 'Claude: you chose Claude' };
const reply = (costUsd: number): TierAnswer => ({ text: '', tier: 'claude', provider: 'claude', model: 'claude-sonnet-5-5', inputTokens: 1, outputTokens: 1, costUsd, truncated: false, redactions: 0 });

const TOTAL_TS = ['export function cartTotal(items: Item[]): number {', '  return items.reduce((sum, item) => sum + item.price.amount * item.quantity, 0);', '}', ''].join('\n');

test('the markdown report: summary heading, the error, root cause, explanation, each fix as a diff', () => {
  const result: DebugResult = {
    answer: answer({ fixes: [fix({ startLine: 2, endLine: 2 })] }),
    rejectedFixes: [{ fix: {}, reason: 'lines 250-250 of src/cart/total.ts were not shown to Claude' }],
    sent: [],
    route: CLAUDE_ROUTE,
    reply: reply(0.0213),
    costUsd: 0.0213,
    requestId: 'req_dbg',
  };
  const markdown = formatDebugMarkdown(result, {
    errorMessage: "TypeError: Cannot read properties of undefined (reading 'amount')",
    fileTexts: new Map([['src/cart/total.ts', TOTAL_TS]]),
  });
  assert.equal(
    markdown,
    [
      '# An item without a price reaches cartTotal.',
      '',
      '*Claude · claude-sonnet-5-5 · $0.021 — Claude: you chose Claude*',
      '',
      '```text',
      "TypeError: Cannot read properties of undefined (reading 'amount')",
      '```',
      '',
      '## Root cause',
      '',
      '`item.price` is optional but `cartTotal` reads `price.amount` unguarded.',
      '',
      '## Explanation',
      '',
      'The checkout handler (src/checkout/handler.ts:31) passes the raw cart…',
      '',
      '## Proposed fixes',
      '',
      '### 1. Treat items without a price as free instead of crashing.',
      '',
      '`src/cart/total.ts`, line 2 · confidence 80%',
      '',
      '```diff',
      '@@ -2,1 +2,1 @@ src/cart/total.ts',
      '-  return items.reduce((sum, item) => sum + item.price.amount * item.quantity, 0);',
      '+  return items.reduce((sum, item) => sum + (item.price?.amount ?? 0) * item.quantity, 0);',
      '```',
      '',
      '> 1 proposed fix was left out: lines 250-250 of src/cart/total.ts were not shown to Claude',
      '',
      '---',
      '',
      'Estimated cost $0.021 · request `req_dbg`',
      '',
    ].join('\n'),
  );
});

test('the report survives backticks in a fix, a missing file text, and a malformed answer', () => {
  const withFence = formatDebugMarkdown(
    { answer: answer({ fixes: [fix({ startLine: 1, endLine: 1, replacement: 'const doc = `\n```\n`;' })] }), rejectedFixes: [], sent: [], route: CLAUDE_ROUTE, reply: reply(0), costUsd: 0, requestId: undefined },
    { errorMessage: 'Error: x' },
  );
  assert.match(withFence, /^````diff\n@@ -1,1 \+1,3 @@ src\/cart\/total\.ts\n# \(current lines not available\)\n\+const doc = `\n\+```\n\+`;\n````$/m);

  const malformed = formatDebugMarkdown(
    { answer: undefined, rejectedFixes: [], malformed: { error: 'the answer is not JSON (Unexpected token S)', raw: 'Sorry' }, sent: [], route: CLAUDE_ROUTE, reply: reply(0.001), costUsd: 0.001, requestId: 'r' },
    { errorMessage: 'KeyError: total\nmore' },
  );
  assert.match(malformed, /^# KeyError: total\n/);
  assert.match(malformed, /## Claude's answer could not be read\n\nthe answer is not JSON \(Unexpected token S\)\n\n```text\nSorry\n```/);
});
