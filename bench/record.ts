import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const HEADER =
  '# Benchmarks\n\nFigures from `npm run bench:*`, each with the command and date that produced it. Machines here are noisy (2 cores, shared): compare ratios within one run.\n';

/** Replaces one benchmark's section in BENCHMARKS.md (between its markers), keeping the others. */
export function recordBenchmark(name: string, command: string, body: string): void {
  const file = path.join(ROOT, 'BENCHMARKS.md');
  let text = existsSync(file) ? readFileSync(file, 'utf8') : HEADER;
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const section = `${start}\n## ${name}\n\n\`${command}\`\n\n${body}\n${end}`;
  const pattern = new RegExp(`${start}[\\s\\S]*?${end}`);
  text = pattern.test(text) ? text.replace(pattern, section) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, text);
}
