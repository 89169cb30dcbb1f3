/**
 * The sidebar chat in a real VS Code, as a person uses it: open the Tiercel view, ask in the textarea,
 * read the streamed local answer and its label; switch the picker to Claude and see the cost and the
 * status-bar spend move; "Ask Claude instead"; an answer full of HTML and script renders inert; Insert at
 * Cursor edits the file; after a window reload the conversation is still there. The local model and Claude
 * are the loopback servers, reached through the real clients.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Frame } from 'playwright-core';
import { startAnthropicServer, type AnthropicServer } from '../loopback/anthropic-server';
import { startOllamaServer, type OllamaServer } from '../loopback/ollama-server';
import { missingPrerequisite, sleep, VsCode } from './vscode';

const skip = missingPrerequisite();
const FILE = 'src/sum.ts';
const SOURCE = 'export function sum(xs: number[]): number {\n  let t = 0;\n  for (let i = 0; i <= xs.length; i++) t += xs[i];\n  return t;\n}\n';
const KEY = 'sk-ant-e2e-chat-0123456789';
const LOCAL_ANSWER = 'The loop runs while `i <= xs.length`, so it reads `xs[xs.length]`, which is `undefined`, and the sum becomes `NaN`. Use `i < xs.length`.';
const CLAUDE_ANSWER = 'Off by one: the condition should be `i < xs.length`.\n\nSee [the MDN page](https://developer.mozilla.org/docs/Web/JavaScript/Reference/Statements/for).';
// Everything a model could emit to run script in the page; none of it may become live DOM.
const XSS_ANSWER = [
  'Here you go:',
  '<img src=x onerror="window.__pwned=1">',
  '<script>window.__pwned=2</script>',
  '<iframe srcdoc="<script>parent.__pwned=3</script>"></iframe>',
  '[click me](javascript:window.__pwned=4)',
  '<a href="javascript:window.__pwned=5">raw link</a>',
  '<svg onload="window.__pwned=6"></svg>',
  '![img](javascript:window.__pwned=7)',
  // Long enough that, with tiercel.chat.maxInputTokens at 1000, later questions trim this exchange and those before it.
  'That is all. '.repeat(250),
].join('\n\n');
const LONG_ANSWER = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
const FIXED = SOURCE.replace('i <= xs.length', 'i < xs.length');
const APPLY_ANSWER = `Stop one earlier:\n\n\`\`\`ts ${FILE}\n${FIXED}\`\`\`\n`;
const INSERTED = 'export const EMPTY: number[] = [];';
const CODE_ANSWER = `Add a named empty list:\n\n\`\`\`ts\n${INSERTED}\n\`\`\`\n`;
// Claude haiku-5-5 at $0.10 / $0.50 per MTok: 50,000 in + 2,000 out = $0.006.
const CLAUDE_USAGE = { input_tokens: 50_000, output_tokens: 2_000 };

describe('sidebar chat in code-server', { skip, timeout: 420_000 }, () => {
  let claude: AnthropicServer;
  let ollama: OllamaServer;
  let vscode: VsCode;

  before(async () => {
    claude = await startAnthropicServer({ respond: () => ({ kind: 'message', text: CLAUDE_ANSWER, usage: CLAUDE_USAGE, chunkDelayMs: 20 }) });
    ollama = await startOllamaServer({
      tokenLatencyMs: 25,
      respond: (request) => {
        const last = String((request.body.messages as Array<{ content: string }>).at(-1)?.content ?? '');
        if (last.includes('inert')) return XSS_ANSWER;
        if (last.includes('empty list')) return CODE_ANSWER;
        if (last.includes('long story')) return LONG_ANSWER;
        if (last.includes('Fix the loop')) return APPLY_ANSWER;
        return LOCAL_ANSWER;
      },
    });
    vscode = await VsCode.launch({
      settings: {
        'tiercel.ollama.url': ollama.url,
        'tiercel.claude.baseUrl': claude.url,
        'tiercel.completions.enabled': false,
        'tiercel.chat.maxInputTokens': 1000,
        'workbench.colorTheme': 'Default Dark Modern',
      },
      files: { [FILE]: SOURCE },
      openFile: FILE,
    });
  });

  after(async () => {
    await vscode?.close();
    await claude?.close();
    await ollama?.close();
  });

  /** Opens the Tiercel container from the activity bar and returns the chat page's frame. */
  async function openChat(): Promise<Frame> {
    const icon = vscode.page.locator('.activitybar .action-label[aria-label^="Tiercel"]');
    await icon.waitFor({ timeout: 30_000 });
    const frame = await vscode.webviewFrame(3_000).catch(async () => {
      await icon.click();
      return vscode.webviewFrame();
    });
    await frame.locator('textarea.input').waitFor({ timeout: 30_000 });
    return frame;
  }

  async function ask(frame: Frame, text: string): Promise<void> {
    const input = frame.locator('textarea.input');
    await input.click();
    await input.pressSequentially(text, { delay: 10 });
    await input.press('Enter');
  }

  /** The n-th answer (0-based), once it has finished. */
  function finishedAnswer(frame: Frame, n: number) {
    return frame.locator('.msg.assistant').nth(n).and(frame.locator('.msg.assistant.done, .msg.assistant.error'));
  }

  test('ask, stream, label; Claude with cost and spend; Ask Claude instead; inert HTML; Insert at Cursor; survives a reload', async () => {
    const { page } = vscode;
    await vscode.step('chat-activation', () => vscode.waitForActivation());
    await vscode.step('chat-budget', () => vscode.statusItem('tiercel.budget').filter({ hasText: '$0.00 / $2.00 today' }).waitFor({ timeout: 30_000 }));
    // Click into the editor so it is the chat's "current file".
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
    let frame = await vscode.step('chat-open', openChat);
    await vscode.step('chat-empty-state', () => frame.locator('.empty h2', { hasText: 'Ask about your code' }).waitFor({ timeout: 15_000 }));
    await vscode.step('chat-live-chip', () => frame.locator('.chip.live', { hasText: 'sum.ts' }).waitFor({ timeout: 15_000 }));
    await vscode.screenshot('chat-empty-dark');

    // 1. A local answer, streamed: the page shows part of the text before the whole.
    // Scripts run in the page are strings: this project's TypeScript has no DOM types outside src/webview.
    await frame.evaluate(`(() => {
      const seen = [];
      window.__lengths = seen;
      new MutationObserver(() => {
        const body = document.querySelector('.msg.assistant.streaming .body');
        if (body && body.textContent) seen.push(body.textContent.length);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    })()`);
    await ask(frame, 'Why is sum NaN?');
    await vscode.step('chat-local-answer', () => finishedAnswer(frame, 0).waitFor({ timeout: 60_000 }));
    const first = frame.locator('.msg.assistant').nth(0);
    assert.equal(await first.locator('.tier-label').textContent(), 'Local · qwen2.5-coder:7b-instruct');
    assert.equal(await first.locator('.tier-label').getAttribute('title'), 'Local: a short question in one place');
    assert.match((await first.locator('.body').textContent()) ?? '', /reads xs\[xs\.length\], which is undefined/);
    const lengths = await frame.evaluate<number[]>('window.__lengths');
    assert.ok(lengths.some((n) => n > 0 && n < LOCAL_ANSWER.length - 20), `streamed in parts: ${lengths.join(',')}`);
    const chat = ollama.requests.filter((r) => r.path === '/api/chat');
    assert.equal(chat.length, 1);
    assert.match(chat[0]!.body.messages.at(-1).content, /File src\/sum\.ts:\n```typescript\nexport function sum[\s\S]*Why is sum NaN\?$/);
    assert.equal(await frame.locator('.msg.user .chip.small', { hasText: 'sum.ts' }).count(), 1, 'the question shows what was attached');

    // 2. Claude, chosen in the picker: the light model, its cost in the label, the spend in the status bar.
    await vscode.runCommand('Tiercel: Set Anthropic API Key');
    const keyBox = page.locator('.quick-input-widget input[placeholder^="sk-ant"]');
    await vscode.step('chat-key box', () => keyBox.waitFor({ state: 'visible', timeout: 15_000 }));
    await keyBox.fill(KEY);
    await page.keyboard.press('Enter');
    await vscode.step('chat-key saved', () => vscode.notification(/API key saved/).waitFor({ timeout: 15_000 }));
    await frame.locator('select.picker').selectOption('claude');
    await ask(frame, 'How do I fix it?');
    await vscode.step('chat-claude-answer', () => finishedAnswer(frame, 1).waitFor({ timeout: 60_000 }));
    const second = frame.locator('.msg.assistant').nth(1);
    assert.equal(await second.locator('.tier-label').textContent(), 'Claude · claude-haiku-5-5 · $0.006');
    assert.equal(await second.locator('.tier-label').getAttribute('title'), 'Claude: you chose Claude');
    assert.equal(await second.locator('.body a').getAttribute('href'), 'https://developer.mozilla.org/docs/Web/JavaScript/Reference/Statements/for');
    await vscode.step('chat-spend', () => vscode.statusItem('tiercel.budget').filter({ hasText: '$0.006 / $2.00 today' }).waitFor({ timeout: 15_000 }));
    const toClaude = claude.requests.filter((r) => r.path === '/v1/messages');
    assert.equal(toClaude.length, 1);
    assert.equal(toClaude[0]!.body.model, 'claude-haiku-5-5');
    // The earlier exchange travels as history; the key only ever as a header.
    assert.match(toClaude[0]!.rawBody, /Why is sum NaN\?/);
    assert.ok(!toClaude[0]!.rawBody.includes(KEY));
    await vscode.screenshot('chat-answers-dark');

    // 3. "Ask Claude instead" on the local answer: the same question and context, to Claude.
    await first.locator('button.ask-claude').click();
    // The new answer goes under its question, before the next question.
    await vscode.step('chat-ask-claude', () => frame.locator('.msg.assistant').nth(2).waitFor({ timeout: 30_000 }));
    await vscode.step('chat-ask-claude-done', () => finishedAnswer(frame, 1).waitFor({ timeout: 60_000 }));
    const transcript = await frame.locator('.msg').evaluateAll((nodes) => nodes.map((n) => n.querySelector('.tier-label, .user-text')?.textContent ?? ''));
    assert.deepEqual(transcript, ['Why is sum NaN?', 'Local · qwen2.5-coder:7b-instruct', 'Claude · claude-haiku-5-5 · $0.006', 'How do I fix it?', 'Claude · claude-haiku-5-5 · $0.006']);
    const asked = claude.requests.filter((r) => r.path === '/v1/messages').at(-1)!;
    const lastTurn = asked.body.messages.at(-1).content as string;
    assert.match(lastTurn, /File src\/sum\.ts:\n```typescript\nexport function sum[\s\S]*Why is sum NaN\?$/);
    assert.equal(asked.body.messages.length, 1, 'the same question, with nothing after it in the history');
    await vscode.step('chat-spend-2', () => vscode.statusItem('tiercel.budget').filter({ hasText: '$0.012 / $2.00 today' }).waitFor({ timeout: 15_000 }));
    assert.equal(await first.locator('button.ask-claude').count(), 0, 'asked once: the button goes');

    // 4. An answer made of HTML and script renders as text: nothing runs, nothing live is in the DOM.
    await frame.locator('select.picker').selectOption('local');
    await ask(frame, 'Show that this renders inert');
    await vscode.step('chat-xss-answer', () => finishedAnswer(frame, 3).waitFor({ timeout: 60_000 }));
    await sleep(500);
    const dom = await frame.evaluate<{ pwned?: number; scripts: string[]; dangerous: number; handlers: string[]; badLinks: string[]; text: string; html: string }>(`(() => {
      const all = [...document.querySelectorAll('*')];
      return {
        pwned: window.__pwned,
        scripts: [...document.querySelectorAll('script')].map((s) => s.getAttribute('src') || (s.textContent.includes('__pwned') ? 'payload' : 'inline')),
        dangerous: document.querySelectorAll('.transcript img, .transcript iframe, .transcript script, .transcript svg, .transcript object, .transcript embed').length,
        handlers: all.flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => e.tagName + '.' + a.name)),
        badLinks: [...document.querySelectorAll('a')].map((a) => a.getAttribute('href') || '').filter((h) => !/^https?:/i.test(h)),
        text: document.querySelectorAll('.msg.assistant')[3]?.textContent || '',
        html: document.documentElement.outerHTML,
      };
    })()`);
    assert.equal(dom.pwned, undefined, 'no payload ran');
    // VS Code injects one inline script of its own (acquireVsCodeApi); the page loads one file.
    assert.ok(!dom.scripts.includes('payload'), `no script from the answer: ${dom.scripts.join(', ')}`);
    assert.deepEqual(dom.scripts.filter((s) => s !== 'inline').map((s) => path.basename(s)), ['chat.js']);
    assert.equal(dom.dangerous, 0);
    assert.deepEqual(dom.handlers, []);
    assert.deepEqual(dom.badLinks, []);
    assert.match(dom.text, /<script>window\.__pwned=2<\/script>/, 'shown as text');
    assert.ok(!dom.html.includes(KEY), 'the page never sees the API key');
    await vscode.screenshot('chat-inert-dark');

    // 5. Shift+Enter is a new line in the question; Esc stops a streaming answer, keeping what came.
    const input = frame.locator('textarea.input');
    await input.click();
    await input.pressSequentially('Tell me a long story', { delay: 10 });
    await input.press('Shift+Enter');
    await input.pressSequentially('please', { delay: 10 });
    await input.press('Enter');
    await vscode.step('chat-streaming', () => frame.locator('.msg.assistant.streaming .body', { hasText: 'word3' }).waitFor({ timeout: 30_000 }));
    await input.press('Escape');
    await vscode.step('chat-stopped', () => frame.locator('.msg.assistant.cancelled', { hasText: 'Stopped.' }).waitFor({ timeout: 15_000 }));
    assert.equal(await frame.locator('.msg.user .user-text').nth(3).textContent(), 'Tell me a long story\nplease');
    assert.ok(!((await frame.locator('.msg.assistant.cancelled .body').textContent()) ?? '').includes('word399'), 'stopped before the end');
    assert.ok(ollama.requests.filter((r) => r.path === '/api/chat').at(-1)!.aborted, 'the stop reached the model server');

    // 6. Insert at Cursor: the code block goes into the editor at the cursor.
    await ask(frame, 'Give me an empty list constant');
    await vscode.step('chat-code-answer', () => finishedAnswer(frame, 5).waitFor({ timeout: 60_000 }));
    // The conversation is now longer than the 1,000-token budget: the oldest exchanges were not sent, and the
    // transcript says so right above the oldest question that was.
    const sentForCode = ollama.requests.filter((r) => r.path === '/api/chat').at(-1)!.body.messages as Array<{ content: string }>;
    assert.ok(!sentForCode.some((m) => m.content.includes('Why is sum NaN?')), 'trimmed from the oldest');
    assert.ok(sentForCode.some((m) => m.content.includes('Tell me a long story')), 'the newest exchange kept');
    const marker = frame.locator('.trim-marker');
    assert.equal(await marker.textContent(), "3 earlier questions above were not sent with the last one: the conversation is longer than the model's window.");
    assert.equal(await marker.evaluate((m) => m.nextElementSibling?.querySelector('.user-text')?.textContent), 'Tell me a long story\nplease');
    await marker.scrollIntoViewIfNeeded();
    await vscode.screenshot('chat-trimmed-dark');
    await frame.locator('.msg.assistant').nth(5).locator('.code-block button', { hasText: 'Insert' }).click();
    await sleep(500);
    await page.keyboard.press('Control+S');
    const file = path.join(vscode.workspace, FILE);
    await vscode.step('chat-inserted', async () => {
      for (let i = 0; i < 50; i++) {
        if ((await readFile(file, 'utf8')).includes(INSERTED)) return;
        await sleep(200);
      }
      throw new Error(`the code never reached the file:\n${await readFile(file, 'utf8')}`);
    });
    // Exactly the block, at the cursor, and nothing of the fence around it.
    assert.equal((await readFile(file, 'utf8')).replace(`${INSERTED}\n`, '').replace(INSERTED, ''), SOURCE);

    // Apply: the block (its fence names src/sum.ts) placed over the function it replaces, shown as a diff, applied on confirmation.
    await ask(frame, 'Fix the loop');
    await vscode.step('chat-apply-answer', () => finishedAnswer(frame, 6).waitFor({ timeout: 60_000 }));
    await frame.locator('.msg.assistant').nth(6).locator('.code-block button', { hasText: 'Apply' }).click();
    const confirm = page.locator('.notifications-toasts .monaco-button', { hasText: 'Apply' });
    await vscode.step('chat-apply-diff', () => page.locator('.tab.active', { hasText: 'proposed' }).waitFor({ timeout: 15_000 }));
    await vscode.step('chat-apply-confirm', () => confirm.waitFor({ timeout: 15_000 }));
    assert.match((await vscode.notification(/apply this change to src\/sum\.ts/).textContent()) ?? '', /lines 1-5, matching block/);
    await vscode.screenshot('chat-apply-diff-dark');
    await confirm.click();
    await vscode.runCommand('File: Save All Files');
    await vscode.step('chat-applied', async () => {
      for (let i = 0; i < 50; i++) {
        if ((await readFile(file, 'utf8')).includes('i < xs.length')) return;
        await sleep(200);
      }
      throw new Error(`the fix never reached the file:\n${await readFile(file, 'utf8')}`);
    });
    assert.equal((await readFile(file, 'utf8')).replace(`${INSERTED}\n`, '').replace(INSERTED, ''), FIXED, 'the function replaced, the rest kept');

    // 7. Light theme: the page follows VS Code's colours.
    await vscode.step('chat-theme', () => vscode.colorTheme('Light Modern'));
    await vscode.step('chat-light', () => frame.locator('body.vscode-light').waitFor({ timeout: 30_000 }));
    await sleep(500);
    await vscode.screenshot('chat-answers-light');

    // 8. Reload the window: a new extension host; the conversation comes back from the workspace's storage.
    const activations = (await vscode.logs()).match(/Tiercel [\d.]+ activated/g)?.length ?? 0;
    await vscode.reload();
    await vscode.step('chat-reactivated', async () => {
      for (let i = 0; i < 240; i++) {
        if (((await vscode.logs()).match(/Tiercel [\d.]+ activated/g)?.length ?? 0) > activations) return;
        await sleep(250);
      }
      throw new Error('Tiercel did not activate after the reload');
    });
    frame = await vscode.step('chat-reopen', openChat);
    await vscode.step('chat-restored', () => frame.locator('.msg.assistant.done').nth(5).waitFor({ timeout: 30_000 }));
    assert.equal(await frame.locator('.msg.assistant.cancelled').count(), 1, 'the stopped answer is kept as stopped');
    assert.equal(await frame.locator('.msg.user').first().locator('.user-text').textContent(), 'Why is sum NaN?');
    assert.equal(await frame.locator('.msg.assistant').nth(1).locator('.tier-label').textContent(), 'Claude · claude-haiku-5-5 · $0.006');
    assert.equal(await frame.locator('select.picker').inputValue(), 'local', 'the picker is remembered too');
    await vscode.screenshot('chat-restored-light');
  });
});
