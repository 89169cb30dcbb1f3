/**
 * Typing while the workspace is being indexed, in a real VS Code: the context index of a few thousand
 * files is built in Tiercel's worker thread, so the extension host keeps serving keystrokes and the
 * suggestion arrives (without cross-file context) before the index is done; once it is, suggestions
 * carry definitions from other files.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startOllamaServer, type OllamaServer } from '../loopback/ollama-server';
import { missingPrerequisite, sleep, VsCode } from './vscode';

const skip = missingPrerequisite();
/** Enough files that a cold index outlasts a keystroke's round trip many times over (~10 s and more here). */
const LIBRARY_FILES = 4000;
const FILE = 'src/main.ts';
const SOURCE = [
  "import { scale0 } from './lib/m0/scale0';",
  '',
  'export function run(value: number): number {',
  '  const scaled = value;',
  '  ',
  '}',
  '',
].join('\n');
/** Seconds the inline-completion controller may take to exist after an editor opens (research note, pitfall 1). */
const CONTROLLER_STARTUP_MS = 5500;

function library(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < LIBRARY_FILES; i++) {
    const body = Array.from({ length: 6 }, (_, j) => `export function scale${i}_${j}(n: number): number {\n  return n * ${j + 1} + ${i};\n}\n`).join('\n');
    files[`src/lib/m${i % 40}/scale${i}.ts`] = `/** Scaling helpers, part ${i}. */\nexport function scale${i}(n: number): number {\n  return n * ${i};\n}\n\n${body}`;
  }
  return files;
}

describe('typing while the workspace is indexed', { skip, timeout: 420_000 }, () => {
  let ollama: OllamaServer;
  let vscode: VsCode;
  const generates = () => ollama.requests.filter((r) => r.path === '/api/generate' && r.body.prompt);

  before(async () => {
    ollama = await startOllamaServer({
      timeToFirstTokenMs: 100,
      tokenLatencyMs: 10,
      respond: (request) => (/return <\|fim_suffix\|>/.test(String(request.body.prompt)) ? 'scale0(scaled);' : ' + 1;'),
    });
    vscode = await VsCode.launch({
      settings: { 'tiercel.ollama.url': ollama.url, 'editor.autoClosingBrackets': 'never' },
      files: { ...library(), [FILE]: SOURCE },
      openFile: FILE,
    });
  });

  after(async () => {
    await vscode?.close();
    await ollama?.close();
  });

  const ghost = () => vscode.page.locator('.monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text');
  const indexed = async () => /context: indexed workspace/.test(await vscode.logs());

  test('ghost text arrives while the index is built, and context once it is', async () => {
    await vscode.step('indexing-activation', () => vscode.waitForActivation());
    await vscode.step('indexing-warm-up', () => ollama.waitForRequests(1, 30_000, '/api/generate'));
    await vscode.page.locator('.editor-instance .monaco-editor').first().waitFor();
    await sleep(CONTROLLER_STARTUP_MS);
    const { page } = vscode;
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+G');
    await page.keyboard.type('5:3');
    await page.keyboard.press('Enter');
    await page.locator('[id="status.editor.selection"]', { hasText: 'Ln 5, Col 3' }).waitFor({ timeout: 10_000 });
    assert.equal(await indexed(), false, 'nothing is indexed before the first edit');

    // The first keystroke in the folder starts its index in the worker.
    await page.keyboard.type('return ', { delay: 60 });
    await vscode.step('indexing-ghost text during the index', () => ghost().first().waitFor({ timeout: 20_000 }));
    assert.match((await ghost().allInnerTexts()).join(''), /scale0\(scaled\);/);
    assert.equal(await indexed(), false, 'the suggestion came while the index was still being built');
    const during = generates().at(-1)!;
    assert.doesNotMatch(String(during.body.prompt), /<\|file_sep\|>src\/lib\//, 'no context before the index is ready');
    await vscode.screenshot('indexing-ghost-text-during-index');

    await vscode.step('indexing-index built', () => vscode.waitForLog(/context: indexed workspace: \{"files":(\d+)/, 300_000));
    const files = Number(/context: indexed workspace: \{"files":(\d+)/.exec(await vscode.logs())![1]);
    assert.ok(files > LIBRARY_FILES, `${files} files indexed`);

    // A new state after the index ("scale0(" types through the shown suggestion, "v" leaves it): the
    // prompt carries the definition of the function called, from another file.
    await page.keyboard.type('scale0(v', { delay: 60 });
    await vscode.step('indexing-ghost text after the index', async () => {
      for (let i = 0; i < 100 && !generates().some((r) => r.time > during.time && /<\|file_sep\|>src\/lib\/m0\/scale0\.ts/.test(String(r.body.prompt))); i++) await sleep(200);
      await ghost().first().waitFor({ timeout: 20_000 });
    });
    const after = generates().filter((r) => r.time > during.time);
    assert.ok(after.some((r) => /<\|file_sep\|>src\/lib\/m0\/scale0\.ts\n[\s\S]*export function scale0\(/.test(String(r.body.prompt))), 'the definition of scale0 is in the prompt');
  });
});
