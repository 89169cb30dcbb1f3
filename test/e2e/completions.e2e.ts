/**
 * Inline completions in a real VS Code, as a person uses them: type in a .ts file, ghost text from
 * the (loopback) local model appears, Tab inserts it. Then Ollama goes away mid-session: one notice,
 * completions pause; it comes back: completions resume without a reload.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startOllamaServer, type OllamaServer } from '../loopback/ollama-server';
import { missingPrerequisite, sleep, VsCode } from './vscode';

const skip = missingPrerequisite();
const FILE = 'src/greet.ts';
const SOURCE = 'export function greet(name: string): string {\n  \n}\n\nexport function shout(name: string): string {\n  \n}\n';
/** Seconds the inline-completion controller may take to exist after an editor opens (research note, pitfall 1). */
const CONTROLLER_STARTUP_MS = 5500;

/** The loopback model completes the two function bodies the test types into. */
function modelOutput(prompt: string): string {
  if (/shout\(name: string\): string \{\n {2}return <\|fim_suffix\|>/.test(prompt)) return 'name.toUpperCase() + "!";';
  if (/return <\|fim_suffix\|>/.test(prompt)) return '`Hello, ${name}!`;';
  return '';
}

describe('inline completions in code-server', { skip, timeout: 300_000 }, () => {
  let ollama: OllamaServer;
  let vscode: VsCode;

  before(async () => {
    ollama = await startOllamaServer({ respond: (request) => modelOutput(String(request.body.prompt ?? '')) });
    vscode = await VsCode.launch({
      settings: { 'tiercel.ollama.url': ollama.url },
      files: { [FILE]: SOURCE },
      openFile: FILE,
    });
  });

  after(async () => {
    await vscode?.close();
    await ollama?.close();
  });

  /** Puts the cursor at (line, column), 1-based, through Go to Line as a person would. */
  async function goTo(line: number, column: number): Promise<void> {
    const { page } = vscode;
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+G');
    await page.keyboard.type(`${line}:${column}`);
    await page.keyboard.press('Enter');
    await page.locator('[id="status.editor.selection"]', { hasText: `Ln ${line}, Col ${column}` }).waitFor({ timeout: 10_000 });
  }

  const ghost = () => vscode.page.locator('.monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text');

  async function ghostText(): Promise<string> {
    return (await ghost().allInnerTexts()).join('').replace(/\u00a0/g, ' ');
  }

  test('typing shows ghost text from the local model and Tab inserts it', async () => {
    await vscode.step('completions-activation', () => vscode.waitForActivation());
    // The completion model is warmed up at activation (an empty-prompt generate loads it).
    await vscode.step('completions-warm-up', () => ollama.waitForRequests(1, 30_000, '/api/generate'));
    await vscode.page.locator('.editor-instance .monaco-editor').first().waitFor();
    await sleep(CONTROLLER_STARTUP_MS);
    await goTo(2, 3);
    await vscode.page.keyboard.type('return ', { delay: 40 });
    await vscode.step('completions-ghost text', () => ghost().first().waitFor({ timeout: 20_000 }));
    assert.match(await ghostText(), /`Hello, \$\{name\}!`;/);
    // The context engine ran inside the packaged extension: tree-sitter and its grammars loaded from the .vsix.
    await vscode.step('completions-context index', () => vscode.waitForLog(/context: indexed workspace: \{"files":[1-9]\d*,"parsed":[1-9]/, 20_000));
    await vscode.screenshot('completion-ghost-text');

    const generate = ollama.requests.filter((r) => r.path === '/api/generate' && r.body.prompt);
    const last = generate.at(-1)!;
    assert.equal(last.body.raw, true, 'FIM prompts are sent raw');
    assert.match(String(last.body.prompt), /^<\|repo_name\|>workspace\n<\|file_sep\|>src\/greet\.ts\n<\|fim_prefix\|>/);
    assert.ok((last.body.options as { stop: string[] }).stop.includes('<|endoftext|>'));

    await vscode.page.keyboard.press('Tab');
    await vscode.page.keyboard.press('Control+S');
    const file = path.join(vscode.workspace, FILE);
    await vscode.step('completions-saved', async () => {
      for (let i = 0; i < 50; i++) {
        if ((await readFile(file, 'utf8')).includes('return `Hello, ${name}!`;')) return;
        await sleep(200);
      }
      throw new Error(`file never contained the accepted text:\n${await readFile(file, 'utf8')}`);
    });
  });

  test('Ollama stopped mid-session: one notice, then completions resume when it is back', async () => {
    await ollama.stop();
    await goTo(6, 3);
    await vscode.page.keyboard.type('ret', { delay: 40 });
    const notice = vscode.notification(/Ollama is not reachable at .*Inline completions are paused/);
    await vscode.step('completions-offline notice', () => notice.waitFor({ timeout: 20_000 }));
    await vscode.step('completions-offline status', () =>
      vscode.statusItem('tiercel.status').filter({ hasText: 'Ollama offline' }).waitFor({ timeout: 10_000 }),
    );
    // More typing while it is down: no second notice.
    await vscode.page.keyboard.type('urn', { delay: 40 });
    await sleep(1500);
    assert.equal(await notice.count(), 1, 'the notice is shown once');
    await vscode.screenshot('completion-ollama-offline');

    await ollama.start();
    // The engine looks for Ollama again every few seconds while it is down.
    await vscode.step('completions-back online', () =>
      vscode.statusItem('tiercel.status').filter({ hasText: /^\s*Tiercel\s*$/ }).waitFor({ timeout: 30_000 }),
    );
    await vscode.page.keyboard.type(' ', { delay: 40 });
    await vscode.step('completions-ghost text after resume', () => ghost().first().waitFor({ timeout: 20_000 }));
    assert.match(await ghostText(), /name\.toUpperCase\(\) \+ "!";/);
    await vscode.screenshot('completion-resumed');
  });
});
