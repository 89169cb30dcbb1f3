/**
 * `npm run bench:context`: the context engine on the context benchmark's dev set (BENCH_CONTEXT_DIR, by
 * default ../shared/bench/context beside the checkout; its README explains cases and scoring), through
 * the CLI contract. Fetches the pinned sources once (cached), builds, runs the scorer with every call's
 * timings traced (TIERCEL_CONTEXT_TRACE), and writes BENCHMARKS.md: recall per language and per kind
 * against the targets, engine latency, how often the deadline cut a call short, and calls that returned
 * nothing although every case needs a definition. BENCH_CONTEXT_LIMIT=N scores N cases per language (a
 * fixed subset) for a quick look; BENCH_CONTEXT_BUDGETS=512,1024,2048 for more budgets;
 * BENCH_CONTEXT_SCALE=0 skips the index-at-scale measurement.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recordBenchmark } from './record';

const ROOT = path.resolve(__dirname, '..');
const BENCH = path.resolve(process.env.BENCH_CONTEXT_DIR ?? path.join(ROOT, '..', 'shared', 'bench', 'context'));
const CACHE = path.join(os.homedir(), '.cache', 'tiercel-context-bench');
const BUDGETS = process.env.BENCH_CONTEXT_BUDGETS ?? '1024';
const LIMIT = process.env.BENCH_CONTEXT_LIMIT;
const SCALE = process.env.BENCH_CONTEXT_SCALE !== '0';
/** Issue 15's targets at budget 1024 (dev set). */
const TARGET = { langRecall: 0.95, kindRecall: 0.9, p95Ms: 25 };
const LANGS: Record<string, string> = { ts: 'TypeScript', py: 'Python', go: 'Go' };

interface Figures {
  n: number;
  recall: number;
  failures: number;
  invalidSnippets: number;
  msP50: number;
  msP95: number;
  wallP50: number;
}

interface Row {
  id: string;
  lang: string;
  kind: string;
  repo: string;
  budget: number;
  recall: number;
  returned?: number;
  failure?: string;
}

interface Scored {
  nCases: number;
  seconds: number;
  byBudget: Record<string, { overall: Figures; byLang: Record<string, Figures>; byLangKind: Record<string, Figures> }>;
  rows: Row[];
}

/** One line of TIERCEL_CONTEXT_TRACE (src/cli/context.ts). */
interface Trace {
  workspace: string;
  file: string;
  offset: number;
  maxTokens: number;
  snippets: number;
  /** CPU time of the call's process over the same span as `ms`. */
  cpuMs?: number;
  timings: { deadlineHit: boolean; indexMs: number; cursorMs: number; gatherMs: number };
}

function main(): void {
  if (!existsSync(path.join(BENCH, 'score.mjs'))) throw new Error(`no context benchmark at ${BENCH} (set BENCH_CONTEXT_DIR)`);
  execFileSync('bash', [path.join(BENCH, 'fetch-sources.sh'), CACHE], { stdio: 'inherit' });
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const out = path.join(os.tmpdir(), `tiercel-context-bench-${process.pid}.json`);
  const traceFile = path.join(os.tmpdir(), `tiercel-context-trace-${process.pid}.jsonl`);
  rmSync(traceFile, { force: true });
  const args = [path.join(BENCH, 'score.mjs'), '--engine', 'node dist/cli.js context', '--cache', CACHE, '--budget', BUDGETS, '--json', out, ...(LIMIT ? ['--limit', LIMIT] : [])];
  execFileSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, TIERCEL_CONTEXT_TRACE: traceFile } });
  const result = JSON.parse(readFileSync(out, 'utf8')) as Scored;
  const traces = existsSync(traceFile) ? readFileSync(traceFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Trace) : [];
  rmSync(traceFile, { force: true });
  rmSync(out, { force: true });

  const lines: string[] = [];
  const traceOf = joinTraces(result.rows, traces);
  for (const [budget, figures] of Object.entries(result.byBudget)) {
    const atTarget = budget === '1024';
    const rows = result.rows.filter((r) => String(r.budget) === budget);
    lines.push(`Budget ${budget} tokens: ${figures.overall.n} cases, recall ${figures.overall.recall.toFixed(3)}, engine ms p50/p95 ${figures.overall.msP50}/${figures.overall.msP95}, failures ${figures.overall.failures}, invalid snippets ${figures.overall.invalidSnippets}`, '');
    lines.push('| lang | kind | n | recall | target | engine ms p50 / p95 | engine CPU ms p50 / p95 | deadline hit | returned nothing |', '|---|---|---|---|---|---|---|---|---|');
    for (const [lang, f] of Object.entries(figures.byLang)) {
      for (const kind of ['call', 'member', 'line']) {
        const k = figures.byLangKind[`${lang}/${kind}`];
        if (!k) continue;
        const target = atTarget ? `≥ ${TARGET.kindRecall.toFixed(2)} ${k.recall >= TARGET.kindRecall ? '✓' : '✗'}` : '';
        lines.push(`| ${lang} | ${kind} | ${k.n} | ${k.recall.toFixed(3)} | ${target} | ${k.msP50} / ${k.msP95} | ${cpu(rows, traceOf, lang, kind)} | ${counted(rows, traceOf, lang, kind)} |`);
      }
      const target = atTarget ? `≥ ${TARGET.langRecall.toFixed(2)} ${f.recall >= TARGET.langRecall ? '✓' : '✗'}; p95 ≤ ${TARGET.p95Ms} ms ${f.msP95 <= TARGET.p95Ms ? '✓' : '✗'}` : '';
      lines.push(`| **${lang}** | all | ${f.n} | **${f.recall.toFixed(3)}** | ${target} | ${f.msP50} / ${f.msP95} | ${cpu(rows, traceOf, lang)} | ${counted(rows, traceOf, lang)} |`);
    }
    lines.push('');
  }
  lines.push(
    `"engine CPU ms": the CPU time of the call's process over the same span as the engine's ms, all its threads together (from the trace): V8 compiles and collects garbage on helper threads, so it can exceed ms; ms above it is time spent waiting for a core other jobs held. "deadline hit": calls the engine cut short at its deadline (25 ms from the CLI's entry, where ms starts too) and answered with what it had, from the trace every call appends (TIERCEL_CONTEXT_TRACE). "returned nothing": calls that returned no snippet at all; every case needs at least one definition that exists in the workspace, so each of these is a miss the engine could not even guess at.`,
    '',
  );
  // The recall tables first: the scale measurement takes a minute and must not cost them if it fails.
  console.log(lines.join('\n'));
  if (SCALE) lines.push(...indexAtScale());
  const command = `npm run bench:context${LIMIT ? ` (BENCH_CONTEXT_LIMIT=${LIMIT})` : ''}  (budgets ${BUDGETS}, ${new Date().toISOString().slice(0, 10)}, ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)} at the end, ${result.seconds.toFixed(0)} s)`;
  const table = [
    `Recall: the context benchmark's dev set (${Object.values(LANGS).join(', ')}; ${result.nCases} cases in real repositories where the code at the cursor uses a definition from another file), scored by its scorer through \`node dist/cli.js context\`, a fresh process per call. Targets (issue 15): recall ≥ ${TARGET.langRecall} per language and ≥ ${TARGET.kindRecall} per kind, engine p95 ≤ ${TARGET.p95Ms} ms. The same engine is also scored on held-out repositories; these are dev figures.`,
    '',
    ...lines,
  ].join('\n');
  console.log(table);
  recordBenchmark('context', command, table);
}

/** The trace line of each scored row: same workspace (the scorer's copy of the repository), file, offset and budget. */
function joinTraces(rows: Row[], traces: Trace[]): (row: Row) => Trace | undefined {
  const cases = new Map<string, { file: string; offset: number }>();
  for (const l of readFileSync(path.join(BENCH, 'cases', 'dev.jsonl'), 'utf8').split('\n')) {
    if (!l.trim()) continue;
    const c = JSON.parse(l) as { id: string; file: string; offset: number };
    cases.set(c.id, c);
  }
  const byKey = new Map<string, Trace>();
  for (const t of traces) byKey.set(`${path.basename(t.workspace)}\0${t.file}\0${t.offset}\0${t.maxTokens}`, t);
  return (row) => {
    const c = cases.get(row.id);
    // The scorer names each repository's copy after the repository, unsafe characters replaced.
    return c && byKey.get(`${row.repo.replace(/[^\w.@-]+/g, '_')}\0${c.file}\0${c.offset}\0${row.budget}`);
  };
}

/** "deadline hit | returned nothing" cells for the rows of a language (and kind). */
function counted(rows: Row[], traceOf: (row: Row) => Trace | undefined, lang: string, kind?: string): string {
  const selected = rows.filter((r) => r.lang === lang && (!kind || r.kind === kind));
  const traced = selected.map(traceOf).filter((t): t is Trace => !!t);
  const hits = traced.filter((t) => t.timings.deadlineHit).length;
  const empty = selected.filter((r) => !r.failure && r.returned === 0).length;
  const share = traced.length ? ` (${((100 * hits) / traced.length).toFixed(1)}%)` : '';
  const missing = traced.length < selected.length ? `, ${selected.length - traced.length} untraced` : '';
  return `${hits}${share}${missing} | ${empty}`;
}

/** "p50 / p95" of the traced CPU time of the rows of a language (and kind). */
function cpu(rows: Row[], traceOf: (row: Row) => Trace | undefined, lang: string, kind?: string): string {
  const ms = rows
    .filter((r) => r.lang === lang && (!kind || r.kind === kind))
    .map((r) => traceOf(r)?.cpuMs)
    .filter((m): m is number => m !== undefined)
    .sort((a, b) => a - b);
  if (!ms.length) return '–';
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)]!;
  return `${at(0.5)} / ${at(0.95)}`;
}

/** Source files the index reads (what the scale target counts). */
const INDEXED = /\.(ts|tsx|js|mjs|cjs|py|go)$/;

/**
 * The scale target of issue 4: a workspace of ≥ 5,000 real files (the dev sources copied until there
 * are enough, a comment appended to each so no two share content: the index stores summaries by content
 * hash), indexed cold by one CLI call; wall time and peak RSS from /usr/bin/time, against `node -e 0`.
 */
function indexAtScale(): string[] {
  const roots = readFileSync(path.join(BENCH, 'sources-dev.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.split(/\s+/))
    .map(([, name, version, , root]) => ({ dir: path.join(CACHE, `${name}@${version}`, root!), label: `${name}@${version}`.replace(/[^\w.@-]/g, '_') }));
  const big = mkdtempSync(path.join(os.tmpdir(), 'tiercel-index-scale-'));
  try {
    let files = 0;
    for (let copy = 1; files < 5000; copy++) {
      for (const root of roots) {
        const target = path.join(big, `copy${copy}`, root.label);
        cpSync(root.dir, target, { recursive: true });
        for (const f of readdirSync(target, { recursive: true, encoding: 'utf8' }).filter((f) => INDEXED.test(f))) {
          // Debian packages link some files elsewhere (werkzeug's jquery.js): only real files count.
          if (!lstatSync(path.join(target, f)).isFile()) continue;
          appendFileSync(path.join(target, f), f.endsWith('.py') ? `\n# copy ${copy}\n` : `\n// copy ${copy}\n`);
          files++;
        }
      }
    }
    const first = readdirSync(big, { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith('.ts'))!;
    const measure = (args: string[]) => {
      const run = spawnSync('/usr/bin/time', ['-v', ...args], { cwd: ROOT, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`${args.join(' ')} failed: ${run.stderr.slice(-2000)}`);
      const field = (name: string) => run.stderr.match(new RegExp(`${name}: (.+)`))?.[1]?.trim() ?? '?';
      return { wall: field('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)'), rssMb: Number(field('Maximum resident set size \\(kbytes\\)')) / 1024 };
    };
    const baseline = measure([process.execPath, '-e', '0']);
    const call = [process.execPath, 'dist/cli.js', 'context', '--workspace', big, '--file', first, '--offset', '0', '--max-tokens', '1024', '--json', '--cache-dir', path.join(big, '.index')];
    const cold = measure(call);
    const warm = measure(call);
    return [
      `Index at scale: ${files} source files (the dev sources copied until ≥ 5,000, each made unique), one cold \`context\` call:`,
      '',
      '| figure | value | target |',
      '|---|---|---|',
      `| cold call (index built, every file parsed) | ${cold.wall} wall | ≤ 30 s |`,
      `| peak RSS growth over \`node -e 0\` | ${(cold.rssMb - baseline.rssMb).toFixed(0)} MB (${cold.rssMb.toFixed(0)} vs ${baseline.rssMb.toFixed(0)} MB) | ≤ 150 MB |`,
      `| next call (index loaded from disk) | ${warm.wall} wall | |`,
      '',
    ];
  } finally {
    rmSync(big, { recursive: true, force: true });
  }
}

main();
