import assert from 'node:assert/strict';
import { test } from 'node:test';
import { instructionFor, presetById, presetsFor, titleFor } from '../../../src/core/refactor/presets';
import { buildRefactorPrompt, type RefactorRequest } from '../../../src/core/refactor/prompt';
import { testFilePath, testFrameworkFor } from '../../../src/core/refactor/testFile';
import { estimateTokens } from '../../../src/core/tokens';

const FILE_TEXT = Array.from({ length: 200 }, (_, i) => `const line${i + 1} = ${i + 1};`).join('\n');
const REQUEST: RefactorRequest = {
  file: 'src/a.ts',
  languageId: 'typescript',
  fileText: FILE_TEXT,
  target: { kind: 'selection', startLine: 100, endLine: 102 },
  preset: 'simplify',
};

test('the code to rewrite comes last, whole, after the file around it and the definitions', () => {
  const { system, prompt, maxTokens } = buildRefactorPrompt(REQUEST, [{ file: 'src/b.ts', startLine: 1, endLine: 2, text: 'export type B = string;' }], { maxContextTokens: 400 });
  assert.match(system, /one fenced code block and nothing else/);
  const order = ['File: src/a.ts (TypeScript)', '<definition file="src/b.ts" lines="1-2">', 'The file around the code to rewrite', '⟦ the code to rewrite, lines 100-102 ⟧', 'Code to rewrite (lines 100-102 of src/a.ts):\n```typescript\nconst line100 = 100;\nconst line101 = 101;\nconst line102 = 102;\n```', 'Task: Simplify this code', 'Answer with the rewritten lines 100-102 in one ```typescript block.'];
  let at = -1;
  for (const part of order) {
    const next = prompt.indexOf(part);
    assert.ok(next > at, `"${part}" in order`);
    at = next;
  }
  // The surroundings are the lines nearest the target, as many as fit, and never the target itself twice.
  assert.match(prompt, /const line99 = 99;\n⟦ the code to rewrite, lines 100-102 ⟧\nconst line103 = 103;/);
  assert.ok(!prompt.includes('const line1 = 1;'), 'far lines are left out');
  assert.equal(prompt.match(/const line101 = 101;/g)?.length, 1);
  assert.ok(estimateTokens(prompt) < 400 + 250, 'the context stays within its budget');
  assert.equal(maxTokens, 512);
});

test('the task carries the preset, the instructions, the lines to extract and the tests\' file', () => {
  const extract = buildRefactorPrompt({ ...REQUEST, preset: 'extract-function', target: { kind: 'function', startLine: 90, endLine: 110, focus: { startLine: 100, endLine: 101 } } }, [], { maxContextTokens: 100 }).prompt;
  assert.match(extract, /Task: Extract the lines marked for extraction/);
  assert.match(extract, /Lines to extract \(lines 100-101\):\n```typescript\nconst line100 = 100;\nconst line101 = 101;\n```/);
  const custom = buildRefactorPrompt({ ...REQUEST, preset: undefined, instructions: ' Use a Map. ' }, [], { maxContextTokens: 100 }).prompt;
  assert.match(custom, /Task: Use a Map\.\n/);
  const both = buildRefactorPrompt({ ...REQUEST, instructions: 'Keep it a loop.' }, [], { maxContextTokens: 100 }).prompt;
  assert.match(both, /Task: Simplify this code.*\nAlso: Keep it a loop\./);
  const tests = buildRefactorPrompt({ ...REQUEST, preset: 'write-tests', tests: { path: 'src/a.test.ts', framework: 'Vitest', existing: "import { test } from 'vitest';\n" } }, [], { maxContextTokens: 300 });
  assert.match(tests.prompt, /Task: Write unit tests for this code with Vitest/);
  assert.match(tests.prompt, /The tests go in src\/a\.test\.ts, which exists: your tests are added at its end/);
  assert.match(tests.prompt, /The beginning of src\/a\.test\.ts:\n```typescript\nimport \{ test \} from 'vitest';/);
  assert.match(tests.prompt, /Answer with the tests in one ```typescript block, with the line src\/a\.test\.ts before it\./);
  assert.equal(tests.maxTokens, 1536);
});

test('presets by language, with their titles and instructions adapted', () => {
  assert.deepEqual(presetsFor('go').map((p) => p.id), ['extract-function', 'simplify', 'rename-for-clarity', 'add-doc-comments', 'add-error-handling', 'write-tests']);
  assert.equal(presetsFor('typescript').length, 8);
  assert.equal(titleFor(presetById('add-types')!, 'python'), 'Add Type Hints');
  assert.match(instructionFor(presetById('add-doc-comments')!, 'python'), /docstring \(PEP 257\)/);
  assert.match(instructionFor(presetById('add-doc-comments')!, 'typescript'), /TSDoc comment/);
  assert.match(instructionFor(presetById('write-tests')!, 'go', testFrameworkFor('go')), /with Go's testing package/);
});

test('tests go where the language\'s convention puts them, with the framework the project uses', () => {
  const none = () => false;
  assert.equal(testFilePath('src/cart.ts', 'typescript', none), 'src/cart.test.ts');
  assert.equal(testFilePath('src/cart.ts', 'typescript', (p) => p === 'src/cart.spec.ts'), 'src/cart.spec.ts');
  assert.equal(testFilePath('app/store.py', 'python', none), 'app/test_store.py');
  assert.equal(testFilePath('app/store.py', 'python', (p) => p === 'tests/test_store.py'), 'tests/test_store.py');
  assert.equal(testFilePath('cart/cart.go', 'go', none), 'cart/cart_test.go');
  assert.equal(testFrameworkFor('typescript', JSON.stringify({ devDependencies: { vitest: '^3' } })), 'Vitest');
  assert.equal(testFrameworkFor('javascript', '{not json'), "Node's built-in node:test and node:assert/strict");
  assert.equal(testFrameworkFor('python'), 'pytest');
});
