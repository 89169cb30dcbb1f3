import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError, type CliIo } from './io';
import { openContextEngine, positionFromFlags, POSITION_OPTIONS, readPositionText, reportUnreadable } from './position';

export const CONTEXT_HELP = `tiercel context --workspace DIR --file PATH --offset N [--max-tokens N] [--json]
                [--cache-dir DIR] [--no-cache] [--deadline-ms N] [--trace]

Prints the cross-file context the engine picks at a position: definitions the code there needs
(followed through imports, barrels, packages and declared types), packed into --max-tokens
(default 1024, counted as ceil(chars / 3.2)). --json prints
{"snippets":[{"file","startLine","endLine","text","reason"}],"tokens":n,"ms":n}.
PATH is relative to DIR; N is a UTF-16 offset into the file as it is on disk. --deadline-ms
(or TIERCEL_CONTEXT_DEADLINE_MS) bounds the call from its start (default 25; a call that builds
the index counts from then): past it the engine returns what it has. --trace adds the engine's
timings and index statistics; TIERCEL_CONTEXT_TRACE=FILE appends them to FILE as one JSON line
per call (benchmarks count deadline hits with it while the scorer passes fixed flags).

The first call indexes the workspace (every source file parsed once) and keeps the index in
--cache-dir, by default <user cache>/tiercel/context/<hash of DIR> (on Linux
$XDG_CACHE_HOME or ~/.cache); later calls re-read only files whose size or mtime changed.`;

export async function contextCommand(args: string[], io: CliIo): Promise<number> {
  // The contract's `ms`: from here (the engine's entry, its code loaded) to the printed answer.
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const { values } = parseArgs({
    args,
    options: {
      ...POSITION_OPTIONS,
      'max-tokens': { type: 'string', default: '1024' },
      'cache-dir': { type: 'string' },
      'no-cache': { type: 'boolean', default: false },
      'deadline-ms': { type: 'string' },
      json: { type: 'boolean', default: false },
      trace: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const position = positionFromFlags(values);
  const { workspace, file, offset } = position;
  const text = readPositionText(position);
  const maxTokens = Number(values['max-tokens']);
  if (!Number.isInteger(maxTokens) || maxTokens <= 0) throw new UsageError('--max-tokens must be a positive integer');
  // The environment variable lets a benchmark run (which passes fixed flags) try another deadline.
  const deadlineText = values['deadline-ms'] ?? io.env.TIERCEL_CONTEXT_DEADLINE_MS;
  const deadlineMs = deadlineText === undefined ? undefined : Number(deadlineText);
  if (deadlineMs !== undefined && !(deadlineMs > 0)) throw new UsageError('--deadline-ms must be a positive number of milliseconds');

  const engine = openContextEngine(workspace, io.env, values['no-cache'] ? null : values['cache-dir']);
  try {
    const entered = performance.now();
    const result = await engine.contextAt({ file, offset, text, maxTokens, deadlineMs, spentMs: entered - started });
    reportUnreadable(engine, io, 'context');
    if (result.skipped) io.err(`tiercel context: no cross-file context for ${file}: ${result.skipped}.`);
    // The index is persisted by dispose(), after the answer is printed: the caller has what it asked
    // for, and writing the manifest (every call changes the cursor's file) is not part of answering.
    const ms = Math.round((performance.now() - started) * 10) / 10;
    const traceFile = io.env.TIERCEL_CONTEXT_TRACE;
    if (traceFile) {
      // CPU time tells the engine's own cost apart from waiting for a busy machine's cores.
      const cpu = process.cpuUsage(cpuAtStart);
      const cpuMs = Math.round((cpu.user + cpu.system) / 100) / 10;
      const line = { workspace, file, offset, maxTokens, ms, cpuMs, beforeMs: Math.round((entered - started) * 10) / 10, snippets: result.snippets.length, tokens: result.tokens, timings: result.timings, index: engine.stats };
      appendFileSync(traceFile, `${JSON.stringify(line)}\n`);
    }
    if (values.json) {
      const snippets = result.snippets.map(({ file: f, startLine, endLine, text, reason }) => ({ file: f, startLine, endLine, text, reason }));
      const trace = values.trace ? { timings: result.timings, index: engine.stats } : {};
      io.out(JSON.stringify({ snippets, tokens: result.tokens, ms, ...trace }));
    } else {
      for (const s of result.snippets) io.out(`── ${s.file}:${s.startLine}-${s.endLine} (${s.reason}${s.symbol ? `: ${s.symbol}` : ''})\n${s.text}`);
      const t = result.timings;
      io.out(`── ${result.snippets.length} snippets, ${result.tokens} tokens, ${ms} ms (index ${t.indexMs.toFixed(1)}, cursor ${t.cursorMs.toFixed(1)}, gather ${t.gatherMs.toFixed(1)}${t.deadlineHit ? ', deadline hit' : ''})`);
    }
    return 0;
  } finally {
    engine.dispose();
  }
}
