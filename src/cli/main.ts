import { runCli } from './run';

runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
}).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`tiercel: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
