/**
 * `npm run bench:editor`: inline completions where users feel them. The packaged .vsix runs in a real
 * VS Code (code-server 4.139 + headless Chromium, the E2E harness of test/e2e/vscode.ts) on a real
 * TypeScript project (rxjs 7.8.2's `src/`, fetched from the npm registry into a cache, never committed),
 * against the loopback Ollama that serves one generation at a time. After Enter it types 20-character
 * lines at 80 ms/key (with one 150 ms hiccup half-way, the jitter a browser adds) and at 250 ms/key,
 * then pauses 3 s; the model answers after 200 ms + 20 ms/token, and in a slow variant after 1.5 s +
 * 60 ms/token ("a laptop with a 7B model"). Per line it records, from the page's own key and ghost-text
 * events and the server's request log: requests, stale requests (for a state typed past), tokens
 * generated after the next key, last key → request at Ollama, last key → ghost text on screen, queue
 * wait. Median of BENCH_EDITOR_RUNS (3) runs of BENCH_EDITOR_LINES (5) lines each.
 *
 * Then the cold index: a workspace of ≥ 5,000 files (rxjs src copied until there are enough, each
 * file made unique), typed in from the first second, while a probe extension in the same extension
 * host records `perf_hooks.monitorEventLoopDelay` every 250 ms. Also activate()'s own time (Tiercel's
 * log) and the bundle sizes. Writes BENCHMARKS.md. BENCH_EDITOR_DRY=1 prints without writing (for a
 * quick look with fewer runs or lines); BENCH_EDITOR_VERBOSE=1 prints every key, request and ghost text.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { recordBenchmark } from './record';
import { promptDigest } from '../src/core/completion/engine';
import { percentile } from '../src/core/completion/metrics';
import { startOllamaServer, type OllamaRequestRecord, type OllamaServer } from '../test/loopback/ollama-server';
import { missingPrerequisite, sleep, VsCode } from '../test/e2e/vscode';
import { activateInPlainNode } from '../test/extension/plainNodeActivation';

const ROOT = path.resolve(__dirname, '..');
const CACHE = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'tiercel-bench');
const RXJS = { name: 'rxjs', version: '7.8.2' };
const RUNS = Number(process.env.BENCH_EDITOR_RUNS ?? 3);
const LINES = Number(process.env.BENCH_EDITOR_LINES ?? 5);
const DRY = process.env.BENCH_EDITOR_DRY === '1';
/** Prints every line's keys, requests and ghost texts (to see why a figure is what it is). */
const VERBOSE = process.env.BENCH_EDITOR_VERBOSE === '1';
const PAUSE_MS = 3000;
/** The file typed in, and the end of the line after which new lines are typed (inside map()'s body). */
const TYPED_FILE = 'src/internal/operators/map.ts';
const TYPED_AFTER = '    let index = 0;';
/** The loopback model's answer at a pause: one line, 8 tokens (its first line is what the ghost shows). */
const ANSWER = ' * scale + offset;';
/** The answer's tokens as the loopback server streams them. */
const ANSWER_TOKENS = ANSWER.match(/<\|[a-z_]+\|>|\n|[ \t]*\w{1,4}|[ \t]+|[^\w\s]/g)!.length;
/** Seconds the inline-completion controller may take to exist after an editor opens (research note, pitfall 1). */
const CONTROLLER_STARTUP_MS = 5500;

interface Rhythm {
  name: string;
  keyMs: number;
  /** One late key per line: the gap before key `at` (1-based) is `ms` instead of keyMs. */
  hiccup?: { at: number; ms: number };
  ttftMs: number;
  tokenMs: number;
}

const RHYTHMS: Rhythm[] = [
  { name: '80 ms/key', keyMs: 80, hiccup: { at: 10, ms: 150 }, ttftMs: 200, tokenMs: 20 },
  { name: '250 ms/key', keyMs: 250, ttftMs: 200, tokenMs: 20 },
  { name: 'slow model (1.5 s + 60 ms/token), 80 ms/key', keyMs: 80, hiccup: { at: 10, ms: 150 }, ttftMs: 1500, tokenMs: 60 },
];

/** A key as the page saw it (keydown, capture phase), ms since the epoch. */
interface KeyEvent {
  key: string;
  t: number;
}

/** The ghost text on screen changed to `text` at `t`. */
interface GhostEvent {
  t: number;
  text: string;
}

interface TypedLine {
  text: string;
  keys: KeyEvent[];
  ghosts: GhostEvent[];
  /** The request log and debounce log lines are matched to lines after the run. */
  endedAt: number;
}

interface LineFigures {
  /** Last key → its change event in the extension host; engine: that event → request sent; then → Ollama. */
  transitInMs: number | undefined;
  engineMs: number | undefined;
  transitOutMs: number | undefined;
  requests: number;
  stale: number;
  /**
   * Stale requests for a state the page then held longer than the engine's debounce (the driver, on a
   * loaded machine, delivered a pause mid-line): right by the engine's rules, wrong for the figure.
   */
  staleAfterDeliveredPause: number;
  /** Stale requests for a state the extension host saw for longer than the debounce (keys delayed on their way). */
  staleAfterHostPause: number;
  /** Gaps between this line's keys as the page saw them, ms. */
  gaps: number[];
  tokensAfterNextKey: number;
  keyToRequestMs: number | undefined;
  keyToGhostMs: number | undefined;
  /**
   * The loopback model's own time for the answer: its request received → the answer's last token. The
   * scripted TTFT + tokens, plus the drift of the server's timers (it runs in this busy process).
   */
  modelMs: number | undefined;
  /** The way back: Ollama's last token → the engine's suggestion ready (Tiercel), → ghost text on screen (VS Code). */
  lastTokenToAnsweredMs: number | undefined;
  answeredToGhostMs: number | undefined;
  queueMs: number;
  debounceMs: number | undefined;
  /** The context worker's answer for the request, as the engine waited for it (round trip included). */
  contextMs: number | undefined;
  shown: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Setup: sources, packages, the probe extension.

/** rxjs's src/ from the npm registry, unpacked once into the cache. */
function rxjsSources(): string {
  const dir = path.join(CACHE, `${RXJS.name}-${RXJS.version}`);
  const src = path.join(dir, 'package/src');
  if (existsSync(src)) return src;
  mkdirSync(dir, { recursive: true });
  execFileSync('npm', ['pack', `${RXJS.name}@${RXJS.version}`, '--silent', '--pack-destination', dir], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  execFileSync('tar', ['-xzf', `${RXJS.name}-${RXJS.version}.tgz`, 'package/src', 'package/package.json'], { cwd: dir });
  return src;
}

/** A workspace folder holding rxjs as `src/` with its package.json. */
function rxjsWorkspace(scratch: string, name = 'rxjs'): string {
  const src = rxjsSources();
  const ws = path.join(scratch, name);
  cpSync(src, path.join(ws, 'src'), { recursive: true });
  cpSync(path.join(src, '../package.json'), path.join(ws, 'package.json'));
  return ws;
}

/** ≥ 5,000 source files: rxjs src copied under copyN/, each file made unique (the index keys summaries by content). */
function bigWorkspace(scratch: string): { dir: string; files: number } {
  const src = rxjsSources();
  const ws = path.join(scratch, 'big');
  let files = 0;
  for (let copy = 1; files < 5000; copy++) {
    const target = path.join(ws, `copy${copy}`, 'src');
    cpSync(src, target, { recursive: true });
    for (const f of readdirSync(target, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ts|js)$/.test(f))) {
      appendFileSync(path.join(target, f), `\n// copy ${copy}\n`);
      files++;
    }
  }
  cpSync(path.join(src, '../package.json'), path.join(ws, 'package.json'));
  return { dir: ws, files };
}

/**
 * A second extension in the same extension host: it shares Tiercel's event loop, so its
 * monitorEventLoopDelay sees every stall of that thread. It appends one line per 250 ms window.
 */
function probeExtension(scratch: string): string {
  const dir = path.join(scratch, 'loop-probe');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'loop-probe', publisher: 'tiercel-bench', version: '0.0.1', engines: { vscode: '^1.90.0' }, main: './extension.js', activationEvents: ['*'] }),
  );
  writeFileSync(path.join(dir, 'README.md'), 'Records the extension host event-loop delay for bench:editor.\n');
  writeFileSync(
    path.join(dir, 'extension.js'),
    `const { monitorEventLoopDelay, performance } = require('node:perf_hooks');
const fs = require('node:fs');
const vscode = require('vscode');
exports.activate = (context) => {
  const out = process.env.TIERCEL_BENCH_LOOP_FILE;
  if (!out) return;
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let last = performance.eventLoopUtilization();
  // The host thread's time ready to run but without a CPU (Linux scheduler statistics, ns).
  const runQueueNs = () => { try { return Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]); } catch { return NaN; } };
  let lastWait = runQueueNs();
  setInterval(() => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    const wait = runQueueNs();
    fs.appendFileSync(out, JSON.stringify({ t: Date.now(), maxMs: histogram.max / 1e6, busy, waitMs: (wait - lastWait) / 1e6 }) + '\\n');
    lastWait = wait;
    histogram.reset();
  }, 250).unref();
  // When each keystroke reached this host (the change event Tiercel also listens to).
  context.subscriptions.push(vscode.workspace.onDidChangeTextDocument((e) => {
    if (e.document.uri.scheme === 'file' && e.contentChanges.length) fs.appendFileSync(out, JSON.stringify({ change: Date.now() }) + '\\n');
  }));
};
`,
  );
  const vsix = path.join(scratch, 'loop-probe.vsix');
  execFileSync(path.join(ROOT, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', vsix], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  return vsix;
}

// ---------------------------------------------------------------------------------------------------
// The page: key and ghost-text events with the page's own clock (Date.now(), the same as this process's).

/** Runs in the page (a string: this project compiles without the DOM types). */
const PAGE_RECORDER = `(() => {
  const bench = (window.__bench = { keys: [], ghosts: [] });
  window.addEventListener('keydown', (e) => bench.keys.push({ key: e.key, t: Date.now() }), true);
  const selector = '.monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text';
  let last = '';
  new MutationObserver(() => {
    const text = [...document.querySelectorAll(selector)].map((e) => e.textContent || '').join('').replace(/\\u00a0/g, ' ');
    if (text !== last) {
      last = text;
      bench.ghosts.push({ t: Date.now(), text });
    }
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
})()`;

async function instrument(vscode: VsCode): Promise<void> {
  await vscode.page.evaluate(PAGE_RECORDER);
}

async function takeEvents(vscode: VsCode): Promise<{ keys: KeyEvent[]; ghosts: GhostEvent[] }> {
  return vscode.page.evaluate('({ keys: window.__bench.keys.splice(0), ghosts: window.__bench.ghosts.splice(0) })');
}

/** Presses Enter, then types `text` on a fixed schedule (keys do not drift with the driver's latency), then pauses. */
async function typeLine(vscode: VsCode, text: string, rhythm: Rhythm, pauseMs = PAUSE_MS): Promise<TypedLine> {
  await takeEvents(vscode);
  // The schedule starts before Enter: on a loaded machine the press itself can take 100 ms or more.
  let due = Date.now() + rhythm.keyMs;
  await vscode.page.keyboard.press('Enter');
  for (let i = 0; i < text.length; i++) {
    if (rhythm.hiccup && i + 1 === rhythm.hiccup.at) due += rhythm.hiccup.ms - rhythm.keyMs;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    await vscode.page.keyboard.type(text[i]!);
    due += rhythm.keyMs;
  }
  await sleep(pauseMs);
  const { keys, ghosts } = await takeEvents(vscode);
  return { text, keys, ghosts, endedAt: Date.now() };
}

/** A 20-character line, different each time, with nothing VS Code auto-closes. */
function lineText(n: number): string {
  const text = `const r${n} = a * ${n % 10} + b`;
  return text.length > 20 ? text.slice(0, 20) : text.padEnd(20, ' ');
}

// ---------------------------------------------------------------------------------------------------
// Figures.

/** The cursor line of a FIM prompt without its indentation: what the user had typed when the request left. */
function promptLine(prompt: string): string {
  const prefix = prompt.slice(prompt.lastIndexOf('<|fim_prefix|>') + '<|fim_prefix|>'.length, prompt.lastIndexOf('<|fim_suffix|>'));
  // Only the indentation goes: a state that ends in a space is not the one before that space.
  return prefix.slice(prefix.lastIndexOf('\n') + 1).trimStart();
}

/**
 * Per line: its requests are those that arrived between its Enter and its end; the "next key" of a
 * request is the first key (of any later line) after it arrived. `debounces` are the engine's own
 * per-request debounce choices, in request order (Tiercel's debug log).
 */
function lineFigures(lines: TypedLine[], requests: OllamaRequestRecord[], traceOf: (r: OllamaRequestRecord) => string | undefined, changes: number[]): LineFigures[] {
  const allKeys = lines.flatMap((l) => l.keys).map((k) => k.t);
  return lines.map((line) => {
    const start = line.keys[0]?.t ?? 0;
    const lastKey = line.keys.at(-1)?.t ?? 0;
    const mine = requests.filter((r) => r.time >= start - 5 && r.time <= line.endedAt);
    const final = mine.filter((r) => promptLine(String(r.body.prompt)) === line.text);
    const answer = final.at(-1);
    const tokensAfterNextKey = mine.reduce((sum, r) => {
      const next = allKeys.find((t) => t > r.time);
      return sum + (next === undefined ? 0 : r.tokenTimes.filter((t) => t > next).length);
    }, 0);
    const ghost = line.ghosts.find((g) => g.t > lastKey && g.text.includes(ANSWER.trim()));
    const hostChanges = changes.filter((t) => t >= start - 5 && t <= line.endedAt);
    const hostSaw = hostChanges.at(-1);
    const engineMs = answer ? engineSentIn(traceOf(answer)) : undefined;
    const answeredAt = answer ? answeredAtIn(traceOf(answer)) : undefined;
    return {
      transitInMs: hostSaw === undefined ? undefined : hostSaw - lastKey,
      engineMs,
      transitOutMs: answer && hostSaw !== undefined && engineMs !== undefined ? answer.time - hostSaw - engineMs : undefined,
      requests: mine.length,
      stale: mine.length - final.length,
      staleAfterDeliveredPause: mine.filter((r) => {
        if (final.includes(r)) return false;
        // Key k (0 = Enter) produced the request's state; the page held it until key k + 1.
        const k = promptLine(String(r.body.prompt)).length;
        const held = (line.keys[k + 1]?.t ?? Infinity) - (line.keys[k]?.t ?? 0);
        const debounce = debounceIn(traceOf(r));
        return debounce !== undefined && held > debounce;
      }).length,
      staleAfterHostPause: mine.filter((r) => {
        if (final.includes(r)) return false;
        // One change event per key (Enter's auto-indent is part of its edit).
        const k = promptLine(String(r.body.prompt)).length;
        const held = (hostChanges[k + 1] ?? Infinity) - (hostChanges[k] ?? 0);
        const debounce = debounceIn(traceOf(r));
        return debounce !== undefined && held > debounce;
      }).length,
      gaps: line.keys.slice(1).map((key, i) => key.t - line.keys[i]!.t),
      tokensAfterNextKey,
      keyToRequestMs: answer ? answer.time - lastKey : undefined,
      keyToGhostMs: ghost ? ghost.t - lastKey : undefined,
      modelMs: answer?.tokenTimes.length ? (answer.tokenTimes[ANSWER_TOKENS - 1] ?? answer.tokenTimes.at(-1)!) - answer.time : undefined,
      lastTokenToAnsweredMs: answeredAt !== undefined && answer?.tokenTimes.length ? answeredAt - answer.tokenTimes.at(-1)! : undefined,
      answeredToGhostMs: answeredAt !== undefined && ghost ? ghost.t - answeredAt : undefined,
      queueMs: Math.max(0, ...mine.map((r) => r.queuedMs)),
      debounceMs: answer ? debounceIn(traceOf(answer)) : undefined,
      contextMs: answer ? contextMsIn(traceOf(answer)) : undefined,
      shown: ghost !== undefined,
    };
  });
}

function explain(lines: TypedLine[], requests: OllamaRequestRecord[], traceOf: (r: OllamaRequestRecord) => string | undefined): void {
  for (const line of lines) {
    const start = line.keys[0]?.t ?? 0;
    const rel = (t: number) => `+${t - start}`;
    console.log(`line "${line.text}": keys ${line.keys.map((k) => rel(k.t)).join(' ')}`);
    for (const r of requests.filter((r) => r.time >= start - 5 && r.time <= line.endedAt)) {
      console.log(`  request ${rel(r.time)} "${promptLine(String(r.body.prompt))}" queued ${r.queuedMs} tokens ${rel(r.tokenTimes[0] ?? start)}..${rel(r.tokenTimes.at(-1) ?? start)} (${r.tokenTimes.length}) aborted ${r.aborted}; ${traceOf(r)}`);
    }
    for (const g of line.ghosts) console.log(`  ghost ${rel(g.t)} "${g.text}"`);
  }
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const defined = (values: (number | undefined)[]) => values.filter((v): v is number => v !== undefined);
const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);
const fmt = (v: number | undefined, digits = 0) => (v === undefined ? 'n/a' : v.toFixed(digits));

/** One run's figures: per-line means, and the median of the per-line latencies. */
interface RunFigures {
  requestsPerLine: number;
  maxRequestsPerLine: number;
  stalePerLine: number;
  staleAfterDeliveredPausePerLine: number;
  staleAfterHostPausePerLine: number;
  /** The rhythm the page delivered: median and longest gap between keys. */
  gapMedianMs: number | undefined;
  gapMaxMs: number;
  tokensAfterNextKeyPerLine: number;
  keyToRequestMs: number | undefined;
  transitInMs: number | undefined;
  engineMs: number | undefined;
  transitOutMs: number | undefined;
  keyToGhostMs: number | undefined;
  modelMs: number | undefined;
  lastTokenToAnsweredMs: number | undefined;
  answeredToGhostMs: number | undefined;
  debounceMs: number | undefined;
  /** The ghost-text target of the issue: debounce + TTFT + the first line's tokens + 80 ms, with the model's time as served... */
  ghostBudgetMs: number | undefined;
  /** ...and as scripted. */
  scriptedGhostBudgetMs: number | undefined;
  maxQueueMs: number;
  shown: string;
  /** Lines whose request left later than the debounce + 30 ms, or whose ghost came later than its budget. */
  slowRequests: number;
  slowGhosts: number;
  /** The machine's 1-minute load average at the run's end (2 cores here, shared). */
  load: number;
  contextMs: number[];
}

function runFigures(lines: LineFigures[], rhythm: Rhythm): RunFigures {
  const scripted = (d: number) => d + rhythm.ttftMs + (ANSWER_TOKENS - 1) * rhythm.tokenMs + 80;
  const budget = (l: LineFigures) => (l.debounceMs === undefined ? undefined : l.debounceMs + (l.modelMs ?? rhythm.ttftMs + (ANSWER_TOKENS - 1) * rhythm.tokenMs) + 80);
  const debounce = median(defined(lines.map((l) => l.debounceMs)));
  return {
    requestsPerLine: mean(lines.map((l) => l.requests)),
    maxRequestsPerLine: Math.max(...lines.map((l) => l.requests)),
    stalePerLine: mean(lines.map((l) => l.stale)),
    staleAfterDeliveredPausePerLine: mean(lines.map((l) => l.staleAfterDeliveredPause)),
    staleAfterHostPausePerLine: mean(lines.map((l) => l.staleAfterHostPause)),
    gapMedianMs: median(lines.flatMap((l) => l.gaps)),
    gapMaxMs: Math.max(...lines.flatMap((l) => l.gaps)),
    tokensAfterNextKeyPerLine: mean(lines.map((l) => l.tokensAfterNextKey)),
    keyToRequestMs: median(defined(lines.map((l) => l.keyToRequestMs))),
    transitInMs: median(defined(lines.map((l) => l.transitInMs))),
    engineMs: median(defined(lines.map((l) => l.engineMs))),
    transitOutMs: median(defined(lines.map((l) => l.transitOutMs))),
    keyToGhostMs: median(defined(lines.map((l) => l.keyToGhostMs))),
    modelMs: median(defined(lines.map((l) => l.modelMs))),
    lastTokenToAnsweredMs: median(defined(lines.map((l) => l.lastTokenToAnsweredMs))),
    answeredToGhostMs: median(defined(lines.map((l) => l.answeredToGhostMs))),
    debounceMs: debounce,
    ghostBudgetMs: median(defined(lines.map(budget))),
    scriptedGhostBudgetMs: debounce === undefined ? undefined : scripted(debounce),
    maxQueueMs: Math.max(...lines.map((l) => l.queueMs)),
    shown: `${lines.filter((l) => l.shown).length}/${lines.length}`,
    slowRequests: lines.filter((l) => l.keyToRequestMs !== undefined && l.debounceMs !== undefined && l.keyToRequestMs > l.debounceMs + 30).length,
    slowGhosts: lines.filter((l) => l.keyToGhostMs === undefined || l.keyToGhostMs > (budget(l) ?? Infinity)).length,
    load: os.loadavg()[0]!,
    contextMs: defined(lines.map((l) => l.contextMs)),
  };
}

// ---------------------------------------------------------------------------------------------------
// Sessions.

/** Generation requests with a prompt (the load request has none). */
const generations = (ollama: OllamaServer) => ollama.requests.filter((r) => r.path === '/api/generate' && r.body.prompt);

/** What the probe extension wrote: event-loop windows and the times keystrokes reached the host. */
function probeRecords(file: string): { windows: ProbeWindow[]; changes: number[] } {
  const records = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ProbeWindow | { change: number });
  return {
    windows: records.filter((r): r is ProbeWindow => 'maxMs' in r),
    changes: records.flatMap((r) => ('change' in r ? [r.change] : [])),
  };
}

/**
 * The engine's per-request trace lines from Tiercel's debug log, matched to a request by its prompt's
 * digest: the one written when it was sent, and `answered at <epoch ms>` from the one written when its
 * suggestion was ready (the log's own timestamp, local time on this machine).
 */
async function traceLookup(vscode: VsCode): Promise<(r: OllamaRequestRecord) => string | undefined> {
  const logs = await vscode.logs();
  const lines = new Map([...logs.matchAll(/request ([0-9a-f]{8}): (debounce .*)/g)].map((m) => [m[1]!, m[2]!]));
  const answered = new Map(
    [...logs.matchAll(/(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) \[debug\] request ([0-9a-f]{8}): answered/g)].map((m) => [m[3]!, new Date(`${m[1]}T${m[2]}`).getTime()]),
  );
  return (r) => {
    const digest = promptDigest(String(r.body.prompt));
    const sent = lines.get(digest);
    const at = answered.get(digest);
    return sent === undefined ? undefined : `${sent}${at === undefined ? '' : `; answered at ${at}`}`;
  };
}

const debounceIn = (trace: string | undefined) => (trace ? Number(/debounce (\d+) ms/.exec(trace)?.[1]) : undefined);
const contextMsIn = (trace: string | undefined) => (trace ? Number(/context file\(s\) in (\d+) ms/.exec(trace)?.[1]) : undefined);
const answeredAtIn = (trace: string | undefined) => (trace ? Number(/answered at (\d+)/.exec(trace)?.[1]) || undefined : undefined);
const engineSentIn = (trace: string | undefined) => (trace ? Number(/sent (\d+) ms after the keystroke/.exec(trace)?.[1]) : undefined);

/** Opens the typed file at the end of TYPED_AFTER and waits until typing can trigger completions. */
async function openAndWait(vscode: VsCode, ollama: OllamaServer, file: string): Promise<void> {
  await vscode.waitForActivation();
  await ollama.waitForRequests(1, 60_000, '/api/generate');
  await placeCursor(vscode, file);
}

/** Waits for the editor (and the inline-completion controller), then puts the cursor at the end of TYPED_AFTER. */
async function placeCursor(vscode: VsCode, file: string): Promise<void> {
  await vscode.page.locator('.editor-instance .monaco-editor').first().waitFor({ timeout: 60_000 });
  await sleep(CONTROLLER_STARTUP_MS);
  const text = readFileSync(path.join(vscode.workspace, file), 'utf8');
  const line = text.slice(0, text.indexOf(TYPED_AFTER)).split('\n').length;
  const column = TYPED_AFTER.length + 1;
  await vscode.page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await vscode.page.keyboard.press('Control+G');
  await vscode.page.keyboard.type(`${line}:${column}`);
  await vscode.page.keyboard.press('Enter');
  await vscode.page.locator('[id="status.editor.selection"]', { hasText: `Ln ${line}, Col ${column}` }).waitFor({ timeout: 10_000 });
  await instrument(vscode);
}

const LAUNCH_SETTINGS_PLAIN = { 'editor.autoClosingBrackets': 'never', 'editor.autoIndent': 'keep' };
const LAUNCH_SETTINGS = (ollama: OllamaServer) => ({ 'tiercel.ollama.url': ollama.url, ...LAUNCH_SETTINGS_PLAIN });
/** Tiercel's debug log carries the engine's debounce per request (code-server's --log, passed on to VS Code). */
const DEBUG_LOG_ENV = { LOG_LEVEL: 'debug' };

async function typingSession(scratch: string, ollama: OllamaServer, probe: string): Promise<{ rows: Map<string, RunFigures[]>; activationMs: string[] }> {
  const loopFile = path.join(scratch, 'loop-rxjs.ndjson');
  const vscode = await VsCode.launch({
    workspaceFrom: rxjsWorkspace(scratch),
    openFile: TYPED_FILE,
    settings: LAUNCH_SETTINGS(ollama),
    extensions: [probe],
    env: { TIERCEL_BENCH_LOOP_FILE: loopFile, ...DEBUG_LOG_ENV },
  });
  const rows = new Map<string, RunFigures[]>();
  try {
    await vscode.step('bench-open', () => openAndWait(vscode, ollama, TYPED_FILE));
    // A first line builds the index (250 files) and warms everything; not measured.
    ollama.configure({ timeToFirstTokenMs: 200, tokenLatencyMs: 20 });
    await typeLine(vscode, lineText(0), RHYTHMS[0]!);
    await vscode.waitForLog(/context: indexed workspace/, 60_000);
    let n = 1;
    for (const rhythm of RHYTHMS) {
      ollama.configure({ timeToFirstTokenMs: rhythm.ttftMs, tokenLatencyMs: rhythm.tokenMs });
      // One line at the new rhythm first, unmeasured: the figures are for a user typing at a steady pace.
      await typeLine(vscode, lineText(n++), rhythm);
      for (let run = 0; run < RUNS; run++) {
        const lines: TypedLine[] = [];
        for (let i = 0; i < LINES; i++) lines.push(await typeLine(vscode, lineText(n++), rhythm));
        const traceOf = await traceLookup(vscode);
        const figures = runFigures(lineFigures(lines, generations(ollama), traceOf, probeRecords(loopFile).changes), rhythm);
        if (VERBOSE) explain(lines, generations(ollama), traceOf);
        console.log(rhythm.name, `run ${run + 1}`, JSON.stringify(figures));
        rows.set(rhythm.name, [...(rows.get(rhythm.name) ?? []), figures]);
      }
    }
    await vscode.screenshot('bench-editor-rxjs');
    const activationMs = [...(await vscode.logs()).matchAll(/Tiercel [\d.]+ activated in (.+)/g)].map((m) => m[1]!);
    return { rows, activationMs };
  } finally {
    await vscode.close();
  }
}

interface ColdFigures {
  files: number;
  indexMs: number | undefined;
  linesDuring: LineFigures[];
  linesAfter: LineFigures[];
  loopBefore: LoopStats;
  loopDuring: LoopStats;
  loopAfter: LoopStats;
  /** The typed lines' span while indexing, and the lines typed then (the baseline types as many). */
  duringMs: number;
  /** Tiercel's own "activated in …" (wall, and CPU where the host's Node reports it). */
  activationMs: string | undefined;
}

/** One 250 ms window of the probe: the longest event-loop delay, the loop's utilization, the thread's run-queue wait (ms, NaN off Linux). */
interface ProbeWindow {
  t: number;
  maxMs: number;
  busy: number;
  waitMs?: number;
}

/**
 * Event-loop delay over 250 ms windows: the worst, how many windows had a stall over 50 ms, how busy the
 * thread was, and in the windows over 50 ms how long the thread was ready to run but had no CPU.
 */
interface LoopStats {
  maxMs: number;
  over50: number;
  windows: number;
  busy?: number;
  /** Over the windows > 50 ms: their longest delays summed, and the run-queue wait in them summed. */
  stalls?: { delayMs: number; waitMs: number };
}

function loopStats(windows: { maxMs: number; busy?: number; waitMs?: number }[]): LoopStats {
  const busy = windows.flatMap((w) => (w.busy === undefined ? [] : [w.busy]));
  const over = windows.filter((w) => w.maxMs > 50);
  const waits = over.flatMap((w) => (w.waitMs === undefined || !Number.isFinite(w.waitMs) ? [] : [w.waitMs]));
  return {
    maxMs: Math.max(0, ...windows.map((w) => w.maxMs)),
    over50: over.length,
    windows: windows.length,
    ...(busy.length ? { busy: mean(busy) } : {}),
    ...(over.length && waits.length === over.length ? { stalls: { delayMs: over.reduce((a, w) => a + w.maxMs, 0), waitMs: waits.reduce((a, b) => a + b, 0) } } : {}),
  };
}

const fmtLoop = (l: LoopStats) =>
  `${fmt(l.maxMs)} ms (${l.over50} of ${l.windows} windows > 50 ms${l.busy === undefined ? '' : `; thread busy ${fmt(100 * l.busy)}%`}` +
  `${l.stalls ? `; in those windows ${fmt(l.stalls.waitMs)} ms waiting for a CPU against ${fmt(l.stalls.delayMs)} ms of their longest delays` : ''})`;

/**
 * The same host-side code without VS Code: ContextWorker (what ContextService runs) indexing the
 * ≥ 5,000-file workspace cold while a keystroke every 80 ms notes an edit and every 20th asks for
 * context, as the extension does; and, for comparison, the engine built on the main thread as it ran
 * before the worker. Event-loop delay from monitorEventLoopDelay in this process.
 */
async function hostCodeAlone(scratch: string, dir: string): Promise<Record<'idle' | 'worker' | 'inProcess', LoopStats & { indexMs: number; busy: number }>> {
  const { ContextWorker } = await import('../src/core/context/worker/client');
  const { ContextEngine } = await import('../src/core/context');
  const { SyntaxParsers } = await import('../src/core/syntax');
  const grammarsDir = path.join(ROOT, 'grammars');
  const measure = async (build: () => Promise<unknown>, typing: () => void) => {
    const windows: { maxMs: number }[] = [];
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    const sampler = setInterval(() => {
      windows.push({ maxMs: histogram.max / 1e6 });
      histogram.reset();
    }, 250);
    const keys = setInterval(typing, 80);
    const utilization = performance.eventLoopUtilization();
    const started = performance.now();
    await build();
    const indexMs = performance.now() - started;
    // The delay of a stall that just ended is recorded at the monitor's next tick.
    await sleep(100);
    clearInterval(keys);
    clearInterval(sampler);
    windows.push({ maxMs: histogram.max / 1e6 });
    histogram.disable();
    return { ...loopStats(windows), indexMs, busy: performance.eventLoopUtilization(utilization).utilization };
  };
  const idle = await measure(
    () => sleep(10_000),
    () => undefined,
  );
  const file = `copy1/${TYPED_FILE}`;
  const text = readFileSync(path.join(dir, file), 'utf8');
  const offset = text.indexOf(TYPED_AFTER) + TYPED_AFTER.length;
  const pool = new ContextWorker({ script: path.join(ROOT, 'dist/contextWorker.js'), data: { grammarsDir, lowPriority: true } });
  let key = 0;
  const worker = await measure(
    () => pool.folder(dir, { cacheDir: path.join(scratch, 'index-worker') }).ready(),
    () => {
      const folder = pool.folder(dir, { cacheDir: path.join(scratch, 'index-worker') });
      folder.noteEdit(file, 50);
      if (++key % 20 === 0) void folder.contextNow({ file, text, offset, maxTokens: 1024, deadlineMs: 40 });
    },
  );
  await pool.dispose();
  const engine = new ContextEngine({ root: dir, parsers: new SyntaxParsers(grammarsDir), cacheDir: path.join(scratch, 'index-main') });
  const inProcess = await measure(
    () => engine.ready(),
    () => engine.noteEdit(file, 50),
  );
  engine.dispose();
  return { idle, worker, inProcess };
}

/** Types in a ≥ 5,000-file workspace from the start: the index is built while the user types. */
async function coldIndexSession(scratch: string, ollama: OllamaServer, probe: string, { dir, files }: { dir: string; files: number }): Promise<ColdFigures> {
  const loopFile = path.join(scratch, 'loop-cold.ndjson');
  const file = `copy1/${TYPED_FILE}`;
  const vscode = await VsCode.launch({ workspaceFrom: dir, openFile: file, settings: LAUNCH_SETTINGS(ollama), extensions: [probe], env: { TIERCEL_BENCH_LOOP_FILE: loopFile, ...DEBUG_LOG_ENV } });
  const rhythm = RHYTHMS[0]!;
  ollama.configure({ timeToFirstTokenMs: rhythm.ttftMs, tokenLatencyMs: rhythm.tokenMs });
  try {
    await vscode.step('bench-open-cold', () => openAndWait(vscode, ollama, file));
    const lines: TypedLine[] = [];
    let indexedAt: number | undefined;
    let n = 100;
    for (let i = 0; i < 40 && (indexedAt === undefined || lines.filter((l) => l.keys[0]!.t > indexedAt!).length < LINES); i++) {
      lines.push(await typeLine(vscode, lineText(n++), rhythm));
      indexedAt ??= await indexedTime(vscode);
    }
    const traceOf = await traceLookup(vscode);
    const probe = probeRecords(loopFile);
    const figures = lineFigures(lines, generations(ollama), traceOf, probe.changes);
    if (VERBOSE) explain(lines, generations(ollama), traceOf);
    const firstKey = lines[0]!.keys[0]!.t;
    const windows = probe.windows;
    const end = indexedAt ?? Date.now();
    const during = windows.filter((w) => w.t > firstKey && w.t <= end + 250);
    const activation = (await vscode.logs()).match(/Tiercel [\d.]+ activated in (.+)/);
    const typedDuring = lines.filter((l) => indexedAt === undefined || l.endedAt <= indexedAt);
    return {
      duringMs: (typedDuring.at(-1)?.endedAt ?? end) - firstKey,
      files,
      indexMs: indexedAt === undefined ? undefined : indexedAt - firstKey,
      linesDuring: figures.filter((_, i) => indexedAt === undefined || lines[i]!.endedAt <= indexedAt),
      linesAfter: figures.filter((_, i) => indexedAt !== undefined && lines[i]!.keys[0]!.t > indexedAt),
      loopBefore: loopStats(windows.filter((w) => w.t <= firstKey && w.t > firstKey - 5000)),
      loopDuring: loopStats(during),
      loopAfter: loopStats(windows.filter((w) => w.t > end + 250)),
      activationMs: activation?.[1],
    };
  } finally {
    await vscode.close();
  }
}

/**
 * The same editor without Tiercel: the probe alone in the same ≥ 5,000-file workspace, typing the
 * same lines for as long as the cold index took. What the host's event loop does then is code-server's
 * own work (its built-in TypeScript, git, npm extensions opening a large fresh workspace), not Tiercel's.
 */
async function withoutTiercelSession(scratch: string, probe: string, dir: string, typingMs: number): Promise<{ loopBefore: LoopStats; loopTyping: LoopStats; lines: number }> {
  const loopFile = path.join(scratch, 'loop-baseline.ndjson');
  const file = `copy1/${TYPED_FILE}`;
  const vscode = await VsCode.launch({ workspaceFrom: dir, openFile: file, settings: { 'editor.autoClosingBrackets': 'never', 'editor.autoIndent': 'keep' }, extensions: [probe], tiercel: false, env: { TIERCEL_BENCH_LOOP_FILE: loopFile } });
  try {
    // As the Tiercel session types only after its activation (onStartupFinished): typing here must not
    // overlap the host's own startup either, so wait for it and for 5 s of the probe's windows.
    await vscode.step('bench-open-baseline', async () => {
      await vscode.waitForLog(/Eager extensions activated/, 120_000);
      for (let waited = 0; !existsSync(loopFile) || probeRecords(loopFile).windows.length < 20; waited += 250) {
        if (waited > 60_000) throw new Error('the probe extension wrote no event-loop windows');
        await sleep(250);
      }
      await placeCursor(vscode, file);
    });
    const lines: TypedLine[] = [];
    let n = 200;
    const started = Date.now();
    do lines.push(await typeLine(vscode, lineText(n++), RHYTHMS[0]!));
    while (Date.now() - started < typingMs);
    const firstKey = lines[0]!.keys[0]!.t;
    const windows = probeRecords(loopFile).windows;
    return {
      loopBefore: loopStats(windows.filter((w) => w.t <= firstKey && w.t > firstKey - 5000)),
      loopTyping: loopStats(windows.filter((w) => w.t > firstKey && w.t <= lines.at(-1)!.endedAt)),
      lines: lines.length,
    };
  } finally {
    await vscode.close();
  }
}

/**
 * VS Code's own way for a key, page → extension host, in the same rxjs workspace with Tiercel not
 * installed (the probe alone): the part of "last key → request" no extension controls. Median of
 * TRANSIT_LINES lines per rhythm (one unmeasured line first, as in the typing session).
 */
async function keyTransitWithoutTiercel(scratch: string, probe: string): Promise<Map<string, number | undefined>> {
  const loopFile = path.join(scratch, 'loop-transit.ndjson');
  const vscode = await VsCode.launch({ workspaceFrom: rxjsWorkspace(scratch, 'rxjs-plain'), openFile: TYPED_FILE, settings: LAUNCH_SETTINGS_PLAIN, extensions: [probe], tiercel: false, env: { TIERCEL_BENCH_LOOP_FILE: loopFile } });
  try {
    await vscode.step('bench-open-transit', async () => {
      await vscode.waitForLog(/Eager extensions activated/, 120_000);
      await placeCursor(vscode, TYPED_FILE);
    });
    const transit = new Map<string, number | undefined>();
    let n = 300;
    for (const rhythm of RHYTHMS) {
      await typeLine(vscode, lineText(n++), rhythm);
      const lines: TypedLine[] = [];
      for (let i = 0; i < TRANSIT_LINES; i++) lines.push(await typeLine(vscode, lineText(n++), rhythm));
      const { changes } = probeRecords(loopFile);
      const ms = lines.map((line) => {
        const seen = changes.filter((t) => t >= line.keys[0]!.t - 5 && t <= line.endedAt).at(-1);
        return seen === undefined ? undefined : seen - line.keys.at(-1)!.t;
      });
      transit.set(rhythm.name, median(defined(ms)));
    }
    return transit;
  } finally {
    await vscode.close();
  }
}

const TRANSIT_LINES = 5;

/** When Tiercel logged that the index was built (its log's local timestamp), or undefined if not yet. */
async function indexedTime(vscode: VsCode): Promise<number | undefined> {
  const match = /(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) \[info\] context: indexed workspace/.exec(await vscode.logs());
  return match ? new Date(`${match[1]}T${match[2]}`).getTime() : undefined;
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  execFileSync('npm', ['run', 'package'], { cwd: ROOT, stdio: 'inherit' });
  const missing = missingPrerequisite();
  if (missing) throw new Error(`bench:editor needs the E2E install (bash test/e2e/install.sh): ${missing}`);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'tiercel-bench-editor-'));
  const ollama = await startOllamaServer({ respond: () => ANSWER });
  try {
    const probe = probeExtension(scratch);
    const typing = await typingSession(scratch, ollama, probe);
    const transit = await keyTransitWithoutTiercel(scratch, probe);
    ollama.reset();
    const big = bigWorkspace(scratch);
    const cold = await coldIndexSession(scratch, ollama, probe, big);
    const baseline = await withoutTiercelSession(scratch, probe, big.dir, cold.duringMs);
    const alone = await hostCodeAlone(scratch, big.dir);
    const sizes = Object.fromEntries(['extension.js', 'anthropicSdk.js', 'contextWorker.js', 'cli.js'].map((f) => [f, statSync(path.join(ROOT, 'dist', f)).size]));
    const body = report(typing.rows, transit, cold, baseline, alone, [...typing.activationMs, ...(cold.activationMs !== undefined ? [cold.activationMs] : [])], sizes, await plainNodeFigures());
    console.log(body);
    if (!DRY) recordBenchmark('editor', `npm run bench:editor  (BENCH_EDITOR_RUNS=${RUNS}, BENCH_EDITOR_LINES=${LINES}, ${new Date().toISOString().slice(0, 10)}, ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)})`, body);
  } finally {
    await ollama.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * dist/extension.js in fresh plain Node processes with `vscode` stubbed, median of 5: the CPU ms of
 * loading it (VS Code requires the whole file before activate() runs: compiling and running the
 * bundle's top level), and of activate()'s own first call.
 */
async function plainNodeFigures(): Promise<{ loadMs: number; activateMs: number }> {
  const runs = [];
  for (let i = 0; i < 5; i++) runs.push(await activateInPlainNode(path.join(ROOT, 'dist/extension.js')));
  return { loadMs: median(runs.map((r) => r.loadCpuMs))!, activateMs: median(runs.map((r) => r.cpuMs))! };
}

function report(
  rows: Map<string, RunFigures[]>,
  transitWithoutTiercel: Map<string, number | undefined>,
  cold: ColdFigures,
  baseline: Awaited<ReturnType<typeof withoutTiercelSession>>,
  alone: Awaited<ReturnType<typeof hostCodeAlone>>,
  activationMs: string[],
  sizes: Record<string, number>,
  { loadMs, activateMs }: { loadMs: number; activateMs: number },
): string {
  const names = [...rows.keys()];
  const med = (name: string, pick: (r: RunFigures) => number | undefined, digits = 0) => fmt(median(defined(rows.get(name)!.map(pick))), digits);
  const all = (name: string, pick: (r: RunFigures) => number | string | undefined) => rows.get(name)!.map((r) => (typeof pick(r) === 'number' ? fmt(pick(r) as number) : String(pick(r) ?? 'n/a'))).join(' / ');
  const table = (title: string, targets: string, cells: (name: string) => string) => `| ${title} | ${names.map(cells).join(' | ')} | ${targets} |`;
  const coldDuring = median(defined(cold.linesDuring.map((l) => l.keyToGhostMs)));
  const coldAfter = median(defined(cold.linesAfter.map((l) => l.keyToGhostMs)));
  return [
    `Real VS Code (code-server 4.139.1, headless Chromium), the packaged .vsix, ${RXJS.name} ${RXJS.version} \`src/\` (251 .ts files), loopback Ollama serving one generation at a time. Each line: Enter, 20 characters, a 3 s pause; at 80 ms/key one key per line comes 150 ms late (jitter). The model answers \`${ANSWER}\` (8 tokens). Median of ${RUNS} runs × ${LINES} lines (each run's per-line mean or median); every run in the last rows.`,
    '',
    `| per typed line | ${names.join(' | ')} | target |`,
    `|---|${names.map(() => '---|').join('')}---|`,
    table('generation requests', '≤ 1', (n) => `${med(n, (r) => r.requestsPerLine, 2)} (max ${med(n, (r) => r.maxRequestsPerLine)})`),
    table('stale requests (for a state typed past)', '0', (n) => med(n, (r) => r.stalePerLine, 2)),
    table('... of which the page held that state longer than the debounce (the driver paused)', '', (n) => med(n, (r) => r.staleAfterDeliveredPausePerLine, 2)),
    table('... of which the extension host saw that state longer than the debounce (keys delayed on the way)', '', (n) => med(n, (r) => r.staleAfterHostPausePerLine, 2)),
    table('tokens generated after the next key', '0', (n) => med(n, (r) => r.tokensAfterNextKeyPerLine, 2)),
    table('debounce the engine chose (its debug log)', '', (n) => `${med(n, (r) => r.debounceMs)} ms`),
    table('last key → request at Ollama', '≤ debounce + 30 ms', (n) => `${med(n, (r) => r.keyToRequestMs)} ms`),
    table('... of which: key in the page → change event in the extension host', '', (n) => `${med(n, (r) => r.transitInMs)} ms`),
    table(`... (the same without Tiercel installed: VS Code's own way for a key, same workspace, probe alone, median of ${TRANSIT_LINES} lines)`, '', (n) => `${fmt(transitWithoutTiercel.get(n))} ms`),
    table('... the engine: change event → request sent (debounce + its own overhead)', '', (n) => `${med(n, (r) => r.engineMs)} ms`),
    table('... request sent → received by the loopback Ollama', '', (n) => `${med(n, (r) => r.transitOutMs)} ms`),
    table('last key → ghost text on screen', '≤ debounce + TTFT + first line + 80 ms', (n) => `${med(n, (r) => r.keyToGhostMs)} ms (budget ${med(n, (r) => r.ghostBudgetMs)}; with the model's times as scripted ${med(n, (r) => r.scriptedGhostBudgetMs)})`),
    table('... the loopback model\'s own time: request received → the answer\'s last token (scripted TTFT + tokens, and its timers\' drift in the busy bench process)', '', (n) => `${med(n, (r) => r.modelMs)} ms`),
    table('... of which: Ollama\'s last token → the engine\'s suggestion ready (its log, 1 ms resolution)', '', (n) => `${med(n, (r) => r.lastTokenToAnsweredMs)} ms`),
    table('... the suggestion ready → ghost text on screen (VS Code: the provider\'s answer to the page, drawn)', '', (n) => `${med(n, (r) => r.answeredToGhostMs)} ms`),
    table('context on the keystroke path (worker round trip): p50 / p95 over all runs', 'deadline 40 + 25 ms', (n) => {
      const all = rows.get(n)!.flatMap((r) => r.contextMs).sort((a, b) => a - b);
      return `${fmt(percentile(all, 0.5))} / ${fmt(percentile(all, 0.95))} ms`;
    }),
    table('queue wait (max over a run)', 'slow model: 0', (n) => `${med(n, (r) => r.maxQueueMs)} ms`),
    table('suggestions shown, per run', 'slow model: all', (n) => all(n, (r) => r.shown)),
    table('load average (1 min) at the end of each run', '', (n) => all(n, (r) => r.load.toFixed(1))),
    table('keys as delivered: median / longest gap, per run (ms)', '', (n) => rows.get(n)!.map((r) => `${fmt(r.gapMedianMs)}/${fmt(r.gapMaxMs)}`).join(' · ')),
    table('lines over the request target, per run', '0', (n) => all(n, (r) => r.slowRequests)),
    table('lines over the ghost-text target, per run', '0', (n) => all(n, (r) => r.slowGhosts)),
    table('last key → ghost text, per run (ms)', '', (n) => all(n, (r) => r.keyToGhostMs)),
    '',
    `Cold index: ${cold.files} files (${RXJS.name} src copied until ≥ 5,000, each file unique), typed in from the first key at 80 ms/key; indexing starts at the first edit. The extension host's event loop measured by \`perf_hooks.monitorEventLoopDelay\` in a probe extension in the same host (max per 250 ms window).`,
    '',
    '| figure | value | target |',
    '|---|---|---|',
    `| index built (first key → "indexed" in Tiercel's log) | ${fmt(cold.indexMs === undefined ? undefined : cold.indexMs / 1000, 1)} s | |`,
    `| extension host event-loop delay while indexing | ${fmtLoop(cold.loopDuring)} | ≤ 50 ms |`,
    `| ... in the 5 s before the first key (nothing indexing) | ${fmtLoop(cold.loopBefore)} | |`,
    `| ... after the index | ${fmtLoop(cold.loopAfter)} | |`,
    `| the same editor without Tiercel (probe alone, same workspace): typing ${baseline.lines} lines, as long as the index took | ${fmtLoop(baseline.loopTyping)} | |`,
    `| ... without Tiercel, the 5 s before the first key | ${fmtLoop(baseline.loopBefore)} | |`,
    `| last key → ghost text while indexing (median of ${cold.linesDuring.length} lines) | ${fmt(coldDuring)} ms, shown ${cold.linesDuring.filter((l) => l.shown).length}/${cold.linesDuring.length} | same as after |`,
    `| last key → ghost text after the index (median of ${cold.linesAfter.length} lines) | ${fmt(coldAfter)} ms, shown ${cold.linesAfter.filter((l) => l.shown).length}/${cold.linesAfter.length} | |`,
    `| requests / stale per line while indexing | ${fmt(mean(cold.linesDuring.map((l) => l.requests)), 2)} / ${fmt(mean(cold.linesDuring.map((l) => l.stale)), 2)} | ≤ 1 / 0 |`,
    '',
    `The same host-side code alone (plain Node, this process): ContextWorker indexing the ${cold.files} files cold while a keystroke every 80 ms notes an edit and every 20th asks for context; against the engine on the main thread, as before the worker.`,
    '',
    '| host thread during a cold index | event-loop delay | thread busy (event-loop utilization) | index built |',
    '|---|---|---|---|',
    `| nothing running (10 s, the machine's own noise) | ${fmtLoop(alone.idle)} | ${fmt(100 * alone.idle.busy, 1)}% | |`,
    `| context engine in the worker (now) | ${fmtLoop(alone.worker)} | ${fmt(100 * alone.worker.busy, 1)}% | ${fmt(alone.worker.indexMs / 1000, 1)} s |`,
    `| context engine on the host thread (before) | ${fmtLoop(alone.inProcess)} | ${fmt(100 * alone.inProcess.busy, 1)}% | ${fmt(alone.inProcess.indexMs / 1000, 1)} s |`,
    '',
    '| activation and bundle | value | target |',
    '|---|---|---|',
    `| activate() (Tiercel's log, each launch: wall, the host thread's CPU, and its wait for a CPU: /proc/thread-self/schedstat) | ${activationMs.join('; ')} | ≤ 50 ms |`,
    `| activate() alone, first call (plain Node, \`vscode\` stubbed: CPU, median of 5) | ${fmt(activateMs, 1)} ms | ≤ 50 ms |`,
    `| loading dist/extension.js before activate() (plain Node, \`vscode\` stubbed: CPU, median of 5) | ${fmt(loadMs)} ms | |`,
    `| dist/extension.js (production) | ${(sizes['extension.js']! / 1024).toFixed(0)} KB | ≤ 1 MB |`,
    `| dist/anthropicSdk.js (required on the first Claude request) | ${(sizes['anthropicSdk.js']! / 1024).toFixed(0)} KB | |`,
    `| dist/contextWorker.js (the context engine's thread) | ${(sizes['contextWorker.js']! / 1024).toFixed(0)} KB | |`,
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
