/**
 * `npm run bench:completion`: the completion engine's latency machinery under simulated typing, against
 * the loopback Ollama with a fixed speed (200 ms to first token, 10 ms per token), over a workspace of
 * real sources (date-fns's ~2,600 .js/.cjs files from npm). Bursts retype real lines of those files, with
 * 30-90 ms between keys and, in 40% of bursts, one 350-500 ms pause half-way; the model answers with the
 * real rest of the line, or (30% of prompts) with something else. Not a test: it prints figures and
 * writes them to BENCHMARKS.md.
 *
 * What it measures, per issue "Inline completions" targets:
 * - keystroke → request dispatch overhead beyond the debounce wait, p50/p95 (target p95 ≤ 10 ms warm);
 * - requests reaching the server per typing burst (target ≤ 1 per pause);
 * - tokens generated after an abort (target 0 beyond one in-flight token);
 * - requests while the user types through a shown suggestion (target 0).
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { recordBenchmark } from './record';
import { CompletionEngine, type Cursor } from '../src/core/completion/engine';
import { percentile } from '../src/core/completion/metrics';
import { languageIdOf } from '../src/core/languages';
import { startOllamaServer } from '../test/loopback/ollama-server';

const ROOT = path.resolve(__dirname, '..');
const WORKSPACE = path.join(ROOT, 'node_modules/date-fns');
const BURSTS = Number(process.env.BENCH_BURSTS ?? 60);
const TTFT_MS = 200;
const TOKEN_MS = 10;

/** A small deterministic PRNG so every run types the same bursts. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(c?js)$/.test(f))
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A line being typed: the text before it and after it exist, the line itself grows one character per
 * keystroke (what follows the cursor on that line has not been typed yet, as in real editing).
 */
interface Typing {
  file: string;
  head: string;
  line: string;
  typed: number;
  tail: string;
}

/** How often the loopback model guesses wrong, so that typing on after a pause has to abort it. */
const WRONG_GUESS_SHARE = 0.3;

/**
 * The loopback model's answer: the real rest of the line being typed (a "right" suggestion), except
 * for a fixed share of prompts where it says something else. Decided from the prompt alone, so a
 * retried prompt gets the same answer.
 */
function modelAnswer(typing: Typing | undefined, prompt: string): string {
  const prefix = prompt.slice(prompt.lastIndexOf('<|fim_prefix|>') + '<|fim_prefix|>'.length, prompt.lastIndexOf('<|fim_suffix|>'));
  const lastLine = prefix.slice(prefix.lastIndexOf('\n') + 1);
  if (hash(prompt) % 100 < WRONG_GUESS_SHARE * 100) return 'undefined; // a wrong guess';
  if (typing && typing.line.startsWith(lastLine)) return typing.line.slice(lastLine.length);
  return 'value;';
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

async function main(): Promise<void> {
  const files = sourceFiles(WORKSPACE);
  if (files.length < 2000) throw new Error(`need ≥ 2,000 source files, found ${files.length} in ${WORKSPACE}`);
  let active: Typing | undefined;
  const ollama = await startOllamaServer({
    timeToFirstTokenMs: TTFT_MS,
    tokenLatencyMs: TOKEN_MS,
    respond: (request) => modelAnswer(active, String(request.body.prompt ?? '')),
  });
  const engine = new CompletionEngine({
    settings: () => ({ url: ollama.url, model: 'qwen2.5-coder:1.5b-base', keepAlive: '30m', maxTokens: 128, maxPromptTokens: 2048 }),
  });
  await engine.warmUp();

  const rand = random(42);
  const requestsPerPause: number[] = [];
  const typeThroughRequests: number[] = [];
  let pauses = 0;
  let suggestionsShown = 0;
  let keystrokes = 0;
  let current: AbortController | undefined;
  const generated = () => ollama.requests.filter((r) => r.path === '/api/generate' && r.body.prompt).length;

  /** One keystroke as VS Code delivers it: the previous provider call is cancelled, a new one starts. */
  const keystroke = (typing: Typing) => {
    current?.abort();
    current = new AbortController();
    keystrokes++;
    typing.typed++;
    const cursor: Cursor = {
      repoName: 'date-fns',
      path: typing.file,
      languageId: languageIdOf(typing.file),
      prefix: typing.head + typing.line.slice(0, typing.typed),
      suffix: typing.tail,
    };
    return engine.complete(cursor, current.signal);
  };

  for (let burst = 0; burst < BURSTS; burst++) {
    const file = files[Math.floor(rand() * files.length)]!;
    const original = await readFile(path.join(WORKSPACE, file), 'utf8');
    const lines = original.split('\n');
    // A line with something to type, somewhere after the first tenth of the file.
    const candidates = lines.map((l, i) => [l, i] as const).filter(([l, i]) => l.trim().length > 20 && i > lines.length / 10);
    if (candidates.length === 0) continue;
    const [line, index] = candidates[Math.floor(rand() * candidates.length)]!;
    const typing: Typing = {
      file,
      head: lines.slice(0, index).join('\n') + (index > 0 ? '\n' : ''),
      line,
      typed: line.search(/\S/),
      tail: `\n${lines.slice(index + 1).join('\n')}`,
    };
    active = typing;

    // A burst of 5-14 keys; in some, a short pause half-way (long enough for a request to go out)
    // after which the user types on, adopting or aborting what is in flight.
    const burstLength = 5 + Math.floor(rand() * 10);
    const pauseAt = rand() < 0.4 ? Math.floor(burstLength / 2) : -1;
    const before = generated();
    let last: Promise<unknown> = Promise.resolve();
    // The pause at the end, plus the one half-way if the line was long enough to reach it.
    let burstPauses = 1;
    for (let k = 0; k < burstLength && typing.typed < line.length - 1; k++) {
      last = keystroke(typing);
      await sleep(k === pauseAt ? 350 + rand() * 150 : 30 + rand() * 60);
      if (k === pauseAt) burstPauses++;
    }
    pauses += burstPauses;
    const shown = (await last) as { text: string } | undefined;
    requestsPerPause.push((generated() - before) / burstPauses);

    if (shown && shown.text.length > 2 && line.slice(typing.typed).startsWith(shown.text)) {
      suggestionsShown++;
      // Type the suggestion's own characters: every keystroke should be served without a request.
      const beforeTypeThrough = generated();
      const typeCount = Math.min(shown.text.length - 1, 8);
      for (let k = 0; k < typeCount; k++) {
        await keystroke(typing);
        await sleep(40);
      }
      typeThroughRequests.push(generated() - beforeTypeThrough);
    }
    await sleep(300);
    active = undefined;
  }

  const stats = engine.metrics.snapshot();
  const aborted = ollama.requests.filter((r) => r.path === '/api/generate' && r.aborted);
  const sent = generated();
  const afterAbort = aborted.map((r) => r.tokensAfterAbort ?? 0);
  const maxAfterAbort = afterAbort.length ? Math.max(...afterAbort) : 0;
  const sorted = [...requestsPerPause].sort((a, b) => a - b);
  engine.dispose();
  await ollama.close();

  const overhead = stats.dispatchOverheadMs;
  const rows = [
    ['Workspace', `date-fns 4.4.0 from npm: ${files.length} .js/.cjs files`],
    ['Loopback model speed', `${TTFT_MS} ms to first token, ${TOKEN_MS} ms/token`],
    ['Bursts / pauses / keystrokes', `${requestsPerPause.length} / ${pauses} / ${keystrokes}`],
    ['Model answers that are wrong (so typing on must abort them)', `${WRONG_GUESS_SHARE * 100}%`],
    ['Keystroke → dispatch overhead (beyond debounce)', `p50 ${overhead.p50?.toFixed(2)} ms, p95 ${overhead.p95?.toFixed(2)} ms (target p95 ≤ 10 ms)`],
    ['Requests reaching Ollama per pause (per burst ÷ its pauses)', `mean ${(requestsPerPause.reduce((a, b) => a + b, 0) / requestsPerPause.length).toFixed(2)}, p95 ${percentile(sorted, 0.95)}, max ${sorted.at(-1)}; ${sent} requests in all; bursts above 1 per pause: ${sorted.filter((n) => n > 1).length} (target ≤ 1 per pause)`],
    ['Aborted requests / tokens generated after abort', `${aborted.length} / max ${maxAfterAbort} per request, total ${afterAbort.reduce((a, b) => a + b, 0)} (target 0 beyond one in-flight token)`],
    ['Requests while typing through a shown suggestion', `${typeThroughRequests.reduce((a, b) => a + b, 0)} over ${typeThroughRequests.length} suggestions (target 0)`],
    ['Suggestions shown after a burst', `${suggestionsShown}`],
    ['Cache hits / in-flight reuses', `${stats.cacheHits} / ${stats.reusedInFlight}`],
    ['Time to first token (engine-measured)', `p50 ${stats.timeToFirstTokenMs.p50?.toFixed(0)} ms, p95 ${stats.timeToFirstTokenMs.p95?.toFixed(0)} ms`],
    ['End-to-end per request', `p50 ${stats.endToEndMs.p50?.toFixed(0)} ms, p95 ${stats.endToEndMs.p95?.toFixed(0)} ms`],
  ];
  const table = ['| figure | value |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
  console.log(table);
  recordBenchmark('completion', `npm run bench:completion  (BENCH_BURSTS=${BURSTS}, ${new Date().toISOString().slice(0, 10)}, ${process.version})`, table);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
