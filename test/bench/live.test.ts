/**
 * bench:live's plumbing against the loopback Ollama (the real client, the real pipeline, a scripted
 * model): each case is completed twice, the context reaches the prompt only in the first run, and the
 * first line of each answer is scored against the case's target. Without TIERCEL_LIVE_OLLAMA the
 * benchmark says so and exits 0.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { compareFirstLine, liveTable, runLive, sampleCases, type LiveCase } from '../../bench/live';
import { startOllamaServer, type OllamaServer } from '../loopback/ollama-server';
import { FIXTURES, GRAMMARS, ROOT } from '../core/context/helpers';

const WORKSPACE = path.join(FIXTURES, 'ts');
const MODEL = 'qwen2.5-coder:1.5b-base';

/** A case as the benchmark writes one: the rest of the line after `before`, in the fixture's file. */
function caseAt(file: string, line: string, before: string): LiveCase {
  const text = readFileSync(path.join(WORKSPACE, file), 'utf8');
  const offset = text.indexOf(line) + line.indexOf(before) + before.length;
  const end = text.indexOf('\n', offset);
  return { id: `fixture/${file}:${offset}`, lang: 'ts', kind: 'call', repo: 'fixture', file, offset, target: text.slice(offset, end < 0 ? undefined : end) };
}

let server: OllamaServer;
before(async () => {
  // The scripted model knows the answer only when the definition it needs is in its prompt.
  server = await startOllamaServer({
    tokenLatencyMs: 0,
    respond: (request) => (String(request.body.prompt).includes('export function makeUser(') ? 'name);\n' : 'undefined;\n'),
  });
});
after(() => server.stop());

test('each case runs with and without cross-file context; the context is what makes the scripted model right', async () => {
  const c = caseAt('src/app.ts', 'const user = makeUser(name);', 'makeUser(');
  assert.equal(c.target, 'name);');
  const [result] = await runLive({ url: server.url, model: MODEL, cases: [c], rootOf: () => WORKSPACE, grammars: GRAMMARS });
  assert.ok(result);
  assert.deepEqual([result.withContext.firstLine, result.withContext.exact, result.withContext.similarity], ['name);', true, 1]);
  assert.equal(result.withoutContext.exact, false);
  assert.ok(result.withoutContext.similarity < 0.5);
  assert.ok(result.contextFiles >= 1);
  assert.ok(result.withContext.promptTokens > result.withoutContext.promptTokens, 'the context takes room in the prompt');
  const generated = server.requests.filter((r) => r.path === '/api/generate' && r.body.prompt);
  assert.equal(generated.length, 2, 'two completions per case');
  assert.match(generated[0]!.body.prompt, /<\|file_sep\|>src\/models\/user\.ts/);
  assert.doesNotMatch(generated[1]!.body.prompt, /src\/models\/user\.ts/);
  assert.ok(generated.every((r) => r.body.raw === true && r.body.model === MODEL));
  const table = liveTable([result]);
  assert.match(table, /\| ts \| cross-file \| 1 \| 1\.000 \|/);
  assert.match(table, /\| ts \| none \| 1 \| 0\.000 \|/);
});

test('scoring compares the first line only; the sample is fixed per language', () => {
  assert.deepEqual(compareFirstLine('name);\nmore', 'name);'), { firstLine: 'name);', exact: true, similarity: 1 });
  assert.equal(compareFirstLine('nam);', 'name);').similarity.toFixed(3), (1 - 1 / 6).toFixed(3));
  const cases = ['a', 'b', 'c', 'd'].flatMap((id) => [{ id, lang: 'ts' }, { id: `${id}p`, lang: 'py' }]) as LiveCase[];
  const ids = (list: LiveCase[]) => sampleCases(list, 2).map((c) => c.id).sort();
  assert.deepEqual(ids(cases), ids([...cases].reverse()), 'the same cases whatever their order');
  assert.equal(ids(cases).length, 4);
});

test('without TIERCEL_LIVE_OLLAMA it says so and exits 0', () => {
  const env = { ...process.env };
  delete env.TIERCEL_LIVE_OLLAMA;
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/live.ts'], { cwd: ROOT, env, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /TIERCEL_LIVE_OLLAMA is not set/);
});
