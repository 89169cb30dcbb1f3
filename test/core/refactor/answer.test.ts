import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRefactorAnswer, partialCode } from '../../../src/core/refactor/answer';

const FILE = 'src/sum.ts';
const FILE_TEXT = [
  'import { log } from "./log";',
  '',
  'export function sum(xs: number[]): number {',
  '  let t = 0;',
  '  for (let i = 0; i < xs.length; i++) {',
  '    t = t + xs[i];',
  '  }',
  '  return t;',
  '}',
  '',
  'log(sum([1, 2]));',
  '',
].join('\n');
const CONTEXT = { file: FILE, fileText: FILE_TEXT, target: { startLine: 3, endLine: 9 } };
const SIMPLE = 'export function sum(xs: number[]): number {\n  return xs.reduce((t, x) => t + x, 0);\n}';

function code(raw: string): string | undefined {
  const parsed = parseRefactorAnswer(raw, CONTEXT);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.code;
}

test('a fenced block is the code, whatever prose surrounds it', () => {
  assert.equal(code('```typescript\n' + SIMPLE + '\n```'), SIMPLE);
  assert.equal(code('Here is the simplified function:\n\n```ts\n' + SIMPLE + '\n```\n\nThis uses reduce, which is clearer.'), SIMPLE);
  // Longer fences (the code holds a markdown fence) and tildes are fences too.
  assert.equal(code('````ts\nconst md = "```";\n````'), 'const md = "```";');
  assert.equal(code('~~~\n' + SIMPLE + '\n~~~'), SIMPLE);
  // An answer cut before its closing fence still has its code.
  assert.equal(code('```ts\n' + SIMPLE), SIMPLE);
  // A later block (an example of use) is not the rewrite.
  assert.equal(code('```ts\n' + SIMPLE + '\n```\nUsage:\n```ts\nsum([1]);\n```'), SIMPLE);
});

test('an answer without a fence loses its leading and trailing prose', () => {
  assert.equal(code(`Sure! Here is the simplified version of the function:\n${SIMPLE}\nThis version uses reduce and is shorter.`), SIMPLE);
  assert.equal(code(SIMPLE), SIMPLE);
  // Code that happens to start with a capital is not prose.
  const python = 'class Cart:\n    def total(self) -> int:\n        return sum(self.items)';
  assert.equal(parseRefactorAnswer(python, { ...CONTEXT, file: 'cart.py' }).ok && code(python), python);
});

test('blocks under another path are new files; the path may be written several ways', () => {
  const raw = [
    '```ts',
    SIMPLE,
    '```',
    '',
    'src/sum.test.ts',
    '```ts',
    "import { sum } from './sum';",
    '```',
    '',
    '**File: `src/other.ts`**',
    '```ts',
    'export const other = 1;',
    '```',
    '```ts title="src/third.ts"',
    'export const third = 3;',
    '```',
  ].join('\n');
  const parsed = parseRefactorAnswer(raw, CONTEXT);
  assert.ok(parsed.ok);
  assert.equal(parsed.code, SIMPLE);
  assert.deepEqual(parsed.files, [
    { path: 'src/sum.test.ts', text: "import { sum } from './sum';" },
    { path: 'src/other.ts', text: 'export const other = 1;' },
    { path: 'src/third.ts', text: 'export const third = 3;' },
  ]);
  // A block under the file's own path is the rewrite.
  assert.equal(code('src/sum.ts\n```ts\n' + SIMPLE + '\n```'), SIMPLE);
  // Only a test file: no rewrite of the target.
  const tests = parseRefactorAnswer('`src/sum.test.ts`:\n```ts\ntest(1);\n```', CONTEXT);
  assert.ok(tests.ok);
  assert.equal(tests.code, undefined);
  assert.equal(tests.files[0]?.path, 'src/sum.test.ts');
});

test('a unified diff is applied to the target, wherever its header says it is', () => {
  const diff = [
    '--- a/src/sum.ts',
    '+++ b/src/sum.ts',
    // Wrong numbers and wrong counts: found by its lines.
    '@@ -40,9 +40,2 @@',
    ' export function sum(xs: number[]): number {',
    '-  let t = 0;',
    '-  for (let i = 0; i < xs.length; i++) {',
    '-    t = t + xs[i];',
    '-  }',
    '-  return t;',
    '+  return xs.reduce((t, x) => t + x, 0);',
    ' }',
  ].join('\n');
  const parsed = parseRefactorAnswer('```diff\n' + diff + '\n```', CONTEXT);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  assert.equal(parsed.form, 'diff');
  assert.equal(parsed.code, SIMPLE);
  // Bare, with a hunk header that has no numbers, and context lines without their leading space.
  const bare = ['@@ ... @@', 'export function sum(xs: number[]): number {', '-  let t = 0;', '+  let t = 0; // total', '  for (let i = 0; i < xs.length; i++) {'].join('\n');
  const second = parseRefactorAnswer(bare, CONTEXT);
  assert.ok(second.ok, second.ok ? '' : second.error);
  assert.match(second.code!, /let t = 0; \/\/ total\n {2}for/);
  assert.equal(second.code!.split('\n').length, 7);
});

test('a diff whose context reaches outside the target applies only if nothing outside changes', () => {
  const reaching = ['@@ -1,4 +1,4 @@', ' ', ' export function sum(xs: number[]): number {', '-  let t = 0;', '+  let total = 0;'].join('\n');
  const inside = parseRefactorAnswer('```diff\n' + reaching + '\n```', CONTEXT);
  assert.ok(inside.ok, inside.ok ? '' : inside.error);
  assert.match(inside.code!, /^export function sum.*\n {2}let total = 0;/);
  const outside = parseRefactorAnswer('```diff\n@@ -1,1 +1,1 @@\n-import { log } from "./log";\n+import { log } from "./logger";\n```', CONTEXT);
  assert.deepEqual(outside, { ok: false, error: "the answer's diff changes lines outside the code to rewrite" });
  const missing = parseRefactorAnswer('```diff\n@@ -1 +1 @@\n-const nothing = here;\n+const x = 1;\n```', CONTEXT);
  assert.equal(missing.ok, false);
});

test('an answer that leaves code out, or has none, is refused with the reason', () => {
  const elided = parseRefactorAnswer('```ts\nexport function sum(xs: number[]): number {\n  // ... rest of the code unchanged\n}\n```', CONTEXT);
  assert.deepEqual(elided, { ok: false, error: 'the answer leaves code out ("// ... rest of the code unchanged"); the complete code is needed' });
  assert.equal(parseRefactorAnswer('```ts\n# ...\n```', { ...CONTEXT, file: 'a.py' }).ok, false);
  // A comment the file already had is not an elision.
  const kept = parseRefactorAnswer('```ts\n// ...\nx();\n```', { ...CONTEXT, fileText: `// ...\n${FILE_TEXT}` });
  assert.ok(kept.ok);
  assert.deepEqual(parseRefactorAnswer('```ts\n```', CONTEXT), { ok: false, error: 'the answer has no code' });
  assert.deepEqual(parseRefactorAnswer('', CONTEXT), { ok: false, error: 'the answer has no code' });
});

test('partialCode shows the code of an answer still streaming', () => {
  assert.equal(partialCode('Here is'), undefined);
  assert.equal(partialCode('Here is the code:\n```ts'), undefined);
  assert.equal(partialCode('Here is the code:\n```ts\nexport function sum('), '');
  assert.equal(partialCode('```ts\nexport function sum(xs) {\n  return'), 'export function sum(xs) {');
  assert.equal(partialCode('```ts\na();\nb();\n```\nThis is'), 'a();\nb();');
  assert.equal(partialCode('```diff\n-a\n+b\n'), undefined);
  assert.equal(partialCode('const a = 1;\nconst b'), 'const a = 1;');
});
