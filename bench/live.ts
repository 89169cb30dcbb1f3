/**
 * `npm run bench:live`: does cross-file context make the real model's suggestions better? A sample of
 * the context benchmark's dev cases (BENCH_CONTEXT_DIR, as for bench:context) goes through the real
 * completion pipeline (prompt, Ollama, early stop, post-processing: what the editor and `tiercel
 * complete` run) twice, with the engine's cross-file context and without it, and the first line of each
 * suggestion is compared with the case's `target` (the rest of the line the user had not typed yet):
 * exact match and edit similarity, with the prompt's size and the latency of each.
 *
 * Needs a live Ollama: TIERCEL_LIVE_OLLAMA (its address, or 1 for OLLAMA_HOST / the default address) and
 * the model (TIERCEL_LIVE_MODEL, default the completion model setting's default) pulled. Without it, says
 * so and exits 0. BENCH_LIVE_CASES=N cases per language (a fixed sample, default 30).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { distance } from 'fastest-levenshtein';
import { CONTEXT_DEADLINE_MS, contextBudget, toPromptSnippets } from '../src/core/completion/contextSnippets';
import { prepareCompletion, resolveTemplate, runCompletion } from '../src/core/completion/pipeline';
import { ContextEngine } from '../src/core/context';
import { languageIdOf } from '../src/core/languages';
import { createOllamaClient, resolveOllamaUrl } from '../src/core/ollama';
import { DEFAULT_SETTINGS } from '../src/core/settings';
import { SyntaxParsers } from '../src/core/syntax';
import { estimateTokens } from '../src/core/tokens';
import { recordBenchmark } from './record';

const ROOT = path.resolve(__dirname, '..');

/** A benchmark case, as in the context benchmark's cases/*.jsonl. */
export interface LiveCase {
  id: string;
  lang: string;
  kind: string;
  repo: string;
  file: string;
  offset: number;
  target: string;
}

export interface LiveOptions {
  /** Ollama's address. */
  url: string;
  model: string;
  cases: LiveCase[];
  /** The folder a case's repository is copied from (its files are read, never written). */
  rootOf: (repo: string) => string;
  grammars: string;
  maxPromptTokens?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface LiveRun {
  firstLine: string;
  exact: boolean;
  similarity: number;
  /** The prompt's size by the project's estimator (ceil(chars / 3.2)); early stop ends the stream before Ollama's own count. */
  promptTokens: number;
  /** Context gathering (0 without context), ms. */
  contextMs: number;
  firstTokenMs: number | undefined;
  /** From the request to the post-processed suggestion, ms. */
  completionMs: number;
}

export interface LiveResult {
  case: LiveCase;
  withContext: LiveRun;
  withoutContext: LiveRun;
  /** Files the context brought into the prompt. */
  contextFiles: number;
}

/** The first line of a suggestion against the rest of the case's line. */
export function compareFirstLine(suggestion: string, target: string): { firstLine: string; exact: boolean; similarity: number } {
  const firstLine = suggestion.split('\n')[0]!.trimEnd();
  const want = target.trimEnd();
  const longest = Math.max(firstLine.length, want.length);
  return { firstLine, exact: firstLine === want, similarity: longest === 0 ? 1 : 1 - distance(firstLine, want) / longest };
}

/** Runs every case twice through the completion pipeline: with the engine's context, then without. */
export async function runLive(options: LiveOptions): Promise<LiveResult[]> {
  const settings = {
    url: options.url,
    model: options.model,
    keepAlive: DEFAULT_SETTINGS.completions.keepAlive,
    maxTokens: DEFAULT_SETTINGS.completions.maxTokens,
    maxPromptTokens: options.maxPromptTokens ?? DEFAULT_SETTINGS.completions.maxPromptTokens,
  };
  const { template } = await resolveTemplate(createOllamaClient({ url: options.url, timeoutMs: 10_000 }), options.model);
  const parsers = new SyntaxParsers(options.grammars);
  const engines = new Map<string, ContextEngine>();
  const results: LiveResult[] = [];
  try {
    for (const c of options.cases) {
      const root = options.rootOf(c.repo);
      let engine = engines.get(c.repo);
      if (!engine) {
        engine = new ContextEngine({ root, parsers });
        await engine.ready();
        engines.set(c.repo, engine);
      }
      const original = readFileSync(path.join(root, c.file), 'utf8');
      const text = original.slice(0, c.offset) + original.slice(c.offset + c.target.length);
      const cursor = { repoName: path.basename(root), path: c.file, languageId: languageIdOf(c.file), prefix: text.slice(0, c.offset), suffix: text.slice(c.offset) };
      const contextStarted = performance.now();
      const context = await engine.contextAt({ file: c.file, offset: c.offset, text, maxTokens: contextBudget(settings.maxPromptTokens), deadlineMs: CONTEXT_DEADLINE_MS });
      const contextMs = performance.now() - contextStarted;
      const snippets = toPromptSnippets(context.snippets);
      const run = async (withContext: boolean): Promise<LiveRun> => {
        const prepared = prepareCompletion(cursor, withContext ? snippets : [], template, settings);
        const started = performance.now();
        const completion = await runCompletion(settings.url, prepared, new AbortController().signal);
        return {
          ...compareFirstLine(completion.text, c.target),
          promptTokens: estimateTokens(prepared.request.prompt),
          contextMs: withContext ? contextMs : 0,
          firstTokenMs: completion.firstTokenMs,
          completionMs: performance.now() - started,
        };
      };
      const result = { case: c, withContext: await run(true), withoutContext: await run(false), contextFiles: snippets.length };
      results.push(result);
      options.log?.(`${c.id}: with ${result.withContext.exact ? 'exact' : result.withContext.similarity.toFixed(2)}, without ${result.withoutContext.exact ? 'exact' : result.withoutContext.similarity.toFixed(2)}`);
    }
  } finally {
    for (const engine of engines.values()) engine.dispose();
  }
  return results;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : 0;
};

/** The results as a markdown table: per language, with and without context. */
export function liveTable(results: LiveResult[]): string {
  const lines = [
    '| lang | context | n | exact match | edit similarity | prompt tokens (est.) | context ms p50 | completion ms p50 / p95 |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const langs = [...new Set(results.map((r) => r.case.lang))];
  for (const lang of [...langs, 'all']) {
    const rows = results.filter((r) => lang === 'all' || r.case.lang === lang);
    for (const mode of ['withContext', 'withoutContext'] as const) {
      const runs = rows.map((r) => r[mode]);
      const label = mode === 'withContext' ? 'cross-file' : 'none';
      lines.push(
        `| ${lang} | ${label} | ${runs.length} | ${mean(runs.map((r) => (r.exact ? 1 : 0))).toFixed(3)} | ${mean(runs.map((r) => r.similarity)).toFixed(3)} | ${mean(runs.map((r) => r.promptTokens)).toFixed(0)} | ${mode === 'withContext' ? percentile(runs.map((r) => r.contextMs), 50).toFixed(1) : '–'} | ${percentile(runs.map((r) => r.completionMs), 50).toFixed(0)} / ${percentile(runs.map((r) => r.completionMs), 95).toFixed(0)} |`,
      );
    }
  }
  return lines.join('\n');
}

/** A fixed sample: `perLanguage` cases of each language, chosen by a hash of their ids. */
export function sampleCases(cases: LiveCase[], perLanguage: number): LiveCase[] {
  const hash = (s: string) => {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
    return h;
  };
  const byLang = new Map<string, LiveCase[]>();
  for (const c of cases) byLang.set(c.lang, [...(byLang.get(c.lang) ?? []), c]);
  return [...byLang.values()].flatMap((list) => [...list].sort((a, b) => hash(a.id) - hash(b.id) || (a.id < b.id ? -1 : 1)).slice(0, perLanguage));
}

async function main(): Promise<void> {
  const live = process.env.TIERCEL_LIVE_OLLAMA;
  if (!live) {
    console.log('bench:live: TIERCEL_LIVE_OLLAMA is not set (an Ollama address, or 1 for the default one), so there is nothing to measure. Nothing was run; BENCHMARKS.md is unchanged.');
    return;
  }
  const bench = path.resolve(process.env.BENCH_CONTEXT_DIR ?? path.join(ROOT, '..', 'shared', 'bench', 'context'));
  if (!existsSync(path.join(bench, 'cases', 'dev.jsonl'))) throw new Error(`no context benchmark at ${bench} (set BENCH_CONTEXT_DIR)`);
  const cache = path.join(os.homedir(), '.cache', 'tiercel-context-bench');
  execFileSync('bash', [path.join(bench, 'fetch-sources.sh'), cache], { stdio: 'inherit' });
  const roots = new Map<string, string>();
  for (const line of readFileSync(path.join(bench, 'sources-dev.txt'), 'utf8').split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [, name, version, , root] = line.split(/\s+/);
    roots.set(`${name}@${version}`, path.join(cache, `${name}@${version}`, root!));
  }
  const all = readFileSync(path.join(bench, 'cases', 'dev.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LiveCase);
  const perLanguage = Number(process.env.BENCH_LIVE_CASES ?? 30);
  const url = resolveOllamaUrl(live === '1' ? undefined : live, process.env);
  const model = process.env.TIERCEL_LIVE_MODEL ?? DEFAULT_SETTINGS.ollama.completionModel;
  const started = Date.now();
  const results = await runLive({ url, model, cases: sampleCases(all, perLanguage), rootOf: (repo) => roots.get(repo)!, grammars: path.join(ROOT, 'grammars'), log: (l) => console.log(l) });
  const table = [
    `${results.length} dev cases of the context benchmark (${perLanguage} per language, a fixed sample), each completed twice through the real pipeline (${model}, prompt budget ${DEFAULT_SETTINGS.completions.maxPromptTokens} tokens): with the engine's cross-file context, and without. Compared: the suggestion's first line against the rest of the case's line.`,
    '',
    liveTable(results),
    '',
  ].join('\n');
  console.log(table);
  recordBenchmark('live', `npm run bench:live  (TIERCEL_LIVE_OLLAMA set, ${new Date().toISOString().slice(0, 10)}, ${process.version}, ${((Date.now() - started) / 1000).toFixed(0)} s)`, table);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
