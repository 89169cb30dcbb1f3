/**
 * "Review with Claude" in a real VS Code, as a person uses it: set the key from the palette, run the
 * review on the current file, see the finding as a comment thread and in Problems, apply the
 * suggestion with the quick fix, and see the spend in the status bar. Claude is the loopback server,
 * reached through the real SDK; what it received is checked on its record.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAnthropicServer, type AnthropicServer } from '../loopback/anthropic-server';
import { startOllamaServer, type OllamaServer } from '../loopback/ollama-server';
import { missingPrerequisite, sleep, VsCode } from './vscode';

const skip = missingPrerequisite();
const FILE = 'src/sum.ts';
const SOURCE = 'export function sum(xs: number[]): number {\n  let t = 0;\n  for (let i = 0; i <= xs.length; i++) t += xs[i];\n  return t;\n}\n';
const KEY = 'sk-ant-e2e-0123456789';
const ANSWER = JSON.stringify({
  summary: 'The loop reads one element past the end.',
  findings: [
    {
      file: FILE,
      startLine: 3,
      endLine: 3,
      severity: 'error',
      category: 'bug',
      message: 'i <= xs.length reads xs[xs.length], which is undefined, so the sum is NaN.',
      suggestion: '  for (let i = 0; i < xs.length; i++) t += xs[i];',
      confidence: 0.95,
    },
  ],
});

const TRACE_FILE = 'src/trace.txt';
// What a Node run of a caller of sum() printed: the frame points into src/sum.ts line 3.
const TRACE = 'TypeError: Cannot read properties of undefined (reading \'length\')\n    at sum (/somewhere/else/workspace/src/sum.ts:3:31)\n    at main (/somewhere/else/workspace/src/main.ts:2:3)\n';
const DEBUG_ANSWER = JSON.stringify({
  summary: 'sum() is called with undefined',
  rootCause: 'The caller passes `undefined` where an array is expected.',
  explanation: 'main calls sum() before the list is loaded; `xs.length` then throws at src/sum.ts:3.',
  fixes: [{ file: FILE, startLine: 1, endLine: 1, replacement: 'export function sum(xs: number[] = []): number {', description: 'Default xs to an empty array', confidence: 0.8 }],
});

describe('review with Claude in code-server', { skip, timeout: 300_000 }, () => {
  let claude: AnthropicServer;
  let ollama: OllamaServer;
  let vscode: VsCode;

  before(async () => {
    claude = await startAnthropicServer({
      respond: (request) =>
        request.rawBody.includes('rootCause')
          ? { kind: 'message', text: DEBUG_ANSWER, usage: { input_tokens: 3000, output_tokens: 400 } }
          : { kind: 'message', text: ANSWER, usage: { input_tokens: 2400, output_tokens: 350 } },
    });
    // The local tier answers a review with the same findings (structured output through /api/chat).
    ollama = await startOllamaServer({ respond: (request) => (request.path === '/api/chat' ? ANSWER : 'x') });
    vscode = await VsCode.launch({
      settings: { 'tiercel.ollama.url': ollama.url, 'tiercel.claude.baseUrl': claude.url, 'tiercel.completions.enabled': false },
      files: { [FILE]: SOURCE, [TRACE_FILE]: TRACE, 'src/main.ts': 'export function main() {\n  sum(undefined as never);\n}\n' },
      openFile: FILE,
    });
  });

  after(async () => {
    await vscode?.close();
    await claude?.close();
    await ollama?.close();
  });

  test('review the current file: a comment thread and a problem; the quick fix applies the suggestion; spend shows', async () => {
    const { page } = vscode;
    await vscode.step('review-activation', () => vscode.waitForActivation());
    await vscode.step('review-budget item', () => vscode.statusItem('tiercel.budget').filter({ hasText: '$0.00 / $2.00 today' }).waitFor({ timeout: 30_000 }));

    await vscode.runCommand('Tiercel: Set Anthropic API Key');
    // The palette's input is reused for the key's password box: wait for the box itself.
    const input = page.locator('.quick-input-widget input[placeholder^="sk-ant"]');
    await vscode.step('review-key box', () => input.waitFor({ state: 'visible', timeout: 15_000 }));
    await input.fill(KEY);
    await page.keyboard.press('Enter');
    await vscode.step('review-key saved', () => vscode.notification(/API key saved/).waitFor({ timeout: 15_000 }));

    await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await vscode.runCommand('Tiercel: Review with Claude');
    const currentFile = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Current file' });
    await vscode.step('review-scope pick', () => currentFile.waitFor({ timeout: 15_000 }));
    await currentFile.click();

    await vscode.step('review-result', () => vscode.notification(/Claude \(claude-sonnet-5-5\) found 1 issue/).waitFor({ timeout: 60_000 }));
    await vscode.step('review-comment thread', () => page.locator('.review-widget', { hasText: 'reads xs[xs.length]' }).first().waitFor({ timeout: 15_000 }));
    await vscode.screenshot('review-comment-thread');

    const [request] = claude.requests.filter((r) => r.path === '/v1/messages');
    assert.ok(request, 'the review reached Claude');
    assert.match(request.rawBody, /3\| {3}for \(let i = 0; i <= xs\.length/);
    assert.ok(!request.rawBody.includes(KEY), 'the key is a header, never in the body');
    assert.equal(request.headers.authorization, `Bearer ${KEY}`);
    assert.ok(claude.requests.some((r) => r.path === '/v1/messages/count_tokens'), 'the budget gate counted tokens first');

    // The spend reached the status bar (sonnet-5-5 at $2/$10 per MTok: 2,400 in + 350 out ≈ $0.0083).
    await vscode.step('review-spend', () => vscode.statusItem('tiercel.budget').filter({ hasText: /\$0\.008\d? \/ \$2\.00 today/ }).waitFor({ timeout: 15_000 }));

    // Quick fix on the finding's line: Ctrl+. then the action.
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+G');
    await page.keyboard.type('3:5');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+.');
    const fix = page.getByText("Apply Claude's suggestion");
    // Ctrl+. is not always delivered to the editor in the browser; the palette's Quick Fix opens the same menu.
    await sleep(1000);
    if (!(await fix.first().isVisible().catch(() => false))) await vscode.runCommand('Quick Fix...');
    await vscode.step('review-quick fix', () => fix.first().waitFor({ timeout: 15_000 }));
    await vscode.screenshot('review-quick-fix');
    await fix.first().click();
    await page.keyboard.press('Control+S');
    const file = path.join(vscode.workspace, FILE);
    await vscode.step('review-applied', async () => {
      for (let i = 0; i < 50; i++) {
        if ((await readFile(file, 'utf8')).includes('i < xs.length;')) return;
        await sleep(200);
      }
      throw new Error(`suggestion never reached the file:\n${await readFile(file, 'utf8')}`);
    });
    assert.equal((await readFile(file, 'utf8')).split('\n').length, SOURCE.split('\n').length, 'one line replaced by one line');
    await vscode.screenshot('review-applied');
  });

  test('with the daily cap at 0, Review with Claude runs on the local model and says why', async () => {
    const { page } = vscode;
    await mkdir(path.join(vscode.workspace, '.vscode'), { recursive: true });
    await writeFile(path.join(vscode.workspace, '.vscode/settings.json'), JSON.stringify({ 'tiercel.budget.dailyUsd': 0 }));
    await vscode.step('review-cap-zero', () => vscode.statusItem('tiercel.budget').filter({ hasText: '/ $0.00 today' }).waitFor({ timeout: 20_000 }));
    const claudeBefore = claude.requests.filter((r) => r.path === '/v1/messages').length;
    await openFile(FILE);
    await vscode.runCommand('Tiercel: Review with Claude');
    const currentFile = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Current file' });
    await vscode.step('review-local-scope', () => currentFile.waitFor({ timeout: 15_000 }));
    await currentFile.click();
    const result = vscode.notification(/the local model \(qwen2\.5-coder:7b-instruct\) found 1 issue\. Local: over today's budget \(\$0\.00\)\./);
    await vscode.step('review-local-result', () => result.waitFor({ timeout: 60_000 }));
    await vscode.screenshot('review-local-over-budget');
    assert.equal(claude.requests.filter((r) => r.path === '/v1/messages').length, claudeBefore, 'nothing was sent to Claude');
    const chat = ollama.requests.filter((r) => r.path === '/api/chat').at(-1);
    assert.ok(chat, 'the review went to the local chat model');
    assert.equal(chat.body.model, 'qwen2.5-coder:7b-instruct');
    assert.equal(typeof chat.body.format, 'object', 'structured output: the findings schema as Ollama\'s format');
    await writeFile(path.join(vscode.workspace, '.vscode/settings.json'), '{}');
  });

  /** Quick Open, as a person does it: Ctrl+P, the path, the matching row. */
  async function openFile(relPath: string): Promise<void> {
    const { page } = vscode;
    await page.keyboard.press('Escape');
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(relPath);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(relPath) }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
  }

  test('Debug with Claude on a selected stack trace: a report, then the fix as a diff, applied', async () => {
    const { page } = vscode;
    await openFile(TRACE_FILE);
    await vscode.step('review-debug-open', () => page.locator('.tab.active', { hasText: 'trace.txt' }).waitFor({ timeout: 15_000 }));
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+A');
    const before = claude.requests.filter((r) => r.path === '/v1/messages').length;
    await vscode.runCommand('Tiercel: Debug with Claude', { keepSelection: true });
    await vscode.step('review-debug-proposal', () => vscode.notification(/Claude \(claude-sonnet-5-5\) proposes 1 fix/).waitFor({ timeout: 60_000 }));
    const sent = claude.requests.filter((r) => r.path === '/v1/messages')[before];
    assert.ok(sent, 'the debug request reached Claude');
    // The frame's path was from another machine; the source sent is the workspace's src/sum.ts, numbered.
    assert.match(sent.rawBody, /3\| {3}for \(let i = 0; i < xs\.length/);
    const preview = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame').locator('body', { hasText: 'sum() is called with undefined' });
    await vscode.step('review-debug-report', () => preview.waitFor({ timeout: 20_000 }));
    await vscode.screenshot('debug-report');
    await page.locator('.notifications-toasts .monaco-button', { hasText: 'Review and Apply' }).click();
    const option = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Default xs to an empty array' });
    await vscode.step('review-debug-fix-pick', () => option.waitFor({ timeout: 15_000 }));
    await option.click();
    const apply = page.locator('.notifications-toasts .monaco-button', { hasText: 'Apply Fix' });
    await vscode.step('review-debug-apply', () => apply.waitFor({ timeout: 15_000 }));
    await vscode.screenshot('debug-fix-diff');
    await apply.click();
    await openFile(FILE);
    await page.keyboard.press('Control+S');
    const file = path.join(vscode.workspace, FILE);
    await vscode.step('review-debug-applied', async () => {
      for (let i = 0; i < 50; i++) {
        if ((await readFile(file, 'utf8')).startsWith('export function sum(xs: number[] = []): number {')) return;
        await sleep(200);
      }
      throw new Error(`fix never reached the file:\n${await readFile(file, 'utf8')}`);
    });
  });
});
