import { createInterface } from 'node:readline/promises';
import { runCli } from './run';

const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };
/** After a stop signal, how long a command may take to settle (a Claude request releases its budget hold). */
const STOP_GRACE_MS = 2_000;

const stop = new AbortController();
// proper-lockfile's signal-exit replaces Node's default handlers with ones that run only when the event
// loop is free; these say so, give a request in flight a moment to settle in the ledger, and then exit
// whatever the command is doing. A second signal exits at once.
for (const signal of Object.keys(SIGNAL_EXIT) as NodeJS.Signals[]) {
  process.on(signal, () => {
    const code = SIGNAL_EXIT[signal]!;
    if (stop.signal.aborted) process.exit(code);
    process.stderr.write(`tiercel: stopping (${signal})\n`);
    process.exitCode = code;
    stop.abort();
    setTimeout(() => process.exit(code), STOP_GRACE_MS).unref();
  });
}

runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  signal: stop.signal,
  confirm: async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    // Standard input that ends without a line (a script, /dev/null) is a no.
    const closed = new Promise<string>((resolve) => rl.once('close', () => resolve('')));
    try {
      const answer = await Promise.race([rl.question(`${question} [y/N] `), closed]);
      return /^y(?:es)?$/i.test(answer.trim());
    } finally {
      rl.close();
    }
  },
}).then(
  (code) => (process.exitCode = stop.signal.aborted ? process.exitCode : code),
  (error: unknown) => {
    process.stderr.write(`tiercel: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
