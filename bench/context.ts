/**
 * `npm run bench:context`: the context engine on the context benchmark's dev set (../shared/bench/context,
 * its README explains cases and scoring), through the CLI contract, against the two baselines' published
 * figures. Fetches the pinned sources once (cached), builds, runs the scorer, writes BENCHMARKS.md.
 * BENCH_CONTEXT_DIR overrides where the benchmark lives; BENCH_CONTEXT_LIMIT=N scores N cases per
 * language (a fixed subset) for a quick look; BENCH_CONTEXT_BUDGETS=512,1024,2048 for more budgets.
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
/** The baselines' dev-set recall@1024 (RESULTS.md there), for the target "best baseline + 0.20". */
const BASELINE_1024: Record<string, { imports: number; jaccard: number }> = {
  ts: { imports: 0.426, jaccard: 0.136 },
  py: { imports: 0.488, jaccard: 0.142 },
  go: { imports: 0.263, jaccard: 0.08 },
};

interface Figures {
  n: number;
  recall: number;
  failures: number;
  invalidSnippets: number;
  msP50: number;
  msP95: number;
  wallP50: number;
}

function main(): void {
  if (!existsSync(path.join(BENCH, 'score.mjs'))) throw new Error(`no context benchmark at ${BENCH} (set BENCH_CONTEXT_DIR)`);
  execFileSync('bash', [path.join(BENCH, 'fetch-sources.sh'), CACHE], { stdio: 'inherit' });
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const out = path.join(os.tmpdir(), `tiercel-context-bench-${process.pid}.json`);
  const args = [path.join(BENCH, 'score.mjs'), '--engine', 'node dist/cli.js context', '--cache', CACHE, '--budget', BUDGETS, '--json', out, ...(LIMIT ? ['--limit', LIMIT] : [])];
  execFileSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  const result = JSON.parse(readFileSync(out, 'utf8')) as {
    nCases: number;
    seconds: number;
    byBudget: Record<string, { overall: Figures; byLang: Record<string, Figures>; byLangKind?: Record<string, Figures> }>;
  };

  const lines: string[] = [];
  for (const [budget, figures] of Object.entries(result.byBudget)) {
    lines.push(`Budget ${budget} tokens: ${figures.overall.n} cases, recall ${figures.overall.recall.toFixed(3)}, engine ms p50/p95 ${figures.overall.msP50}/${figures.overall.msP95}, failures ${figures.overall.failures}, invalid snippets ${figures.overall.invalidSnippets}`, '');
    lines.push('| lang | n | recall | best baseline @1024 | target | engine ms p50 / p95 | wall ms p50 |', '|---|---|---|---|---|---|---|');
    for (const [lang, f] of Object.entries(figures.byLang)) {
      const base = BASELINE_1024[lang];
      const best = base ? Math.max(base.imports, base.jaccard) : undefined;
      const target = best === undefined || budget !== '1024' ? '' : `≥ ${(best + 0.2).toFixed(3)} ${f.recall >= best + 0.2 ? '✓' : '✗'}`;
      lines.push(`| ${lang} | ${f.n} | ${f.recall.toFixed(3)} | ${best?.toFixed(3) ?? ''} | ${target} | ${f.msP50} / ${f.msP95} | ${f.wallP50} |`);
    }
    lines.push('');
  }
  lines.push(...indexAtScale());
  const command = `npm run bench:context${LIMIT ? ` (BENCH_CONTEXT_LIMIT=${LIMIT})` : ''}  (budgets ${BUDGETS}, ${new Date().toISOString().slice(0, 10)}, ${process.version}, ${os.cpus().length} cores, ${result.seconds.toFixed(0)} s)`;
  const table = [
    'Recall: the dev set of ../shared/bench/context (real repositories; cases where the line at the cursor uses a definition from another file), scored by its score.mjs through `node dist/cli.js context`. The same engine is also scored on held-out repositories; these are dev figures. Recall per kind and at other budgets: bench/context-results.md.',
    '',
    ...lines,
  ].join('\n');
  console.log(table);
  recordBenchmark('context', command, table);
}

/** Source files the index reads (what the scale target counts). */
const INDEXED = /\.(ts|tsx|js|mjs|cjs|py|go)$/;

/**
 * The issue's scale target: a workspace of ≥ 5,000 real files (the dev sources copied until there are
 * enough, a comment appended to each so no two share content: the index stores summaries by content
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
          // Debian's packaged sources link some files elsewhere (werkzeug's jquery.js): not real sources here.
          if (lstatSync(path.join(target, f)).isSymbolicLink()) continue;
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
    const cold = measure([process.execPath, 'dist/cli.js', 'context', '--workspace', big, '--file', first, '--offset', '0', '--max-tokens', '1024', '--json', '--cache-dir', path.join(big, '.index')]);
    const warm = measure([process.execPath, 'dist/cli.js', 'context', '--workspace', big, '--file', first, '--offset', '0', '--max-tokens', '1024', '--json', '--cache-dir', path.join(big, '.index')]);
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
