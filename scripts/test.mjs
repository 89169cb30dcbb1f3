// `npm test`: lint, build and package the .vsix, install what the E2E suite needs (cached), then every
// suite in ONE node:test run so its closing summary counts everything.
// `node scripts/test.mjs unit|e2e|live` runs one suite alone (no lint, no install).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const suites = {
  unit: (f) => f.endsWith('.test.ts') && !f.startsWith('test/live/') && !f.startsWith('test/e2e/'),
  e2e: (f) => f.startsWith('test/e2e/') && f.endsWith('.e2e.ts'),
  live: (f) => f.startsWith('test/live/') && f.endsWith('.test.ts'),
};

function run(command, args, options = {}) {
  console.log(`\n$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(`\n${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

function testFiles(selected) {
  // Node 20's test runner takes no globs, so the files are listed here.
  return readdirSync(path.join(root, 'test'), { recursive: true })
    .map((f) => path.posix.join('test', f.split(path.sep).join('/')))
    .filter((f) => selected.some((s) => suites[s](f)))
    .sort();
}

const requested = process.argv.slice(2);
const selected = requested.length ? requested : Object.keys(suites);
for (const s of selected) if (!suites[s]) throw new Error(`unknown suite ${s}; use ${Object.keys(suites).join(', ')}`);

if (!requested.length) run('npm', ['run', 'lint']);
if (selected.includes('e2e')) {
  run('npm', ['run', 'package']);
  run('bash', ['test/e2e/install.sh']);
  // Installed just now: from here a missing prerequisite fails the suite instead of skipping it.
  process.env.TIERCEL_E2E_REQUIRED = '1';
} else {
  // The CLI tests run the built bundle.
  run('npm', ['run', 'build']);
}
run(process.execPath, [
  '--import', 'tsx',
  '--test',
  '--test-reporter=spec',
  // One file at a time: E2E drives a whole VS Code and its timing must not compete with other suites.
  '--test-concurrency=1',
  ...testFiles(selected),
]);
