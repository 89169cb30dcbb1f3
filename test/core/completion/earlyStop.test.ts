/**
 * Streaming early stop: the rules on hand-made streams, then every golden case of
 * test/golden/postprocess/ streamed in pieces of many sizes. Whatever the chunking, early stop
 * must keep the same text, and post-processing that text must give what post-processing the
 * whole generation gives: stopping early may save time but never change the suggestion.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createEarlyStop } from '../../../src/core/completion/earlyStop';
import { postprocessCompletion, type CompletionContext } from '../../../src/core/completion/postprocess';
import { at, loadGoldenCases } from './postprocessGolden';

/** Feeds `chunks` until early stop says done; returns its last answer and how many chunks it read. */
function stream(ctx: CompletionContext, chunks: readonly string[]): { done: boolean; text: string; read: number } {
  const early = createEarlyStop(ctx);
  let last = { done: false, text: '' };
  let read = 0;
  for (const chunk of chunks) {
    last = early.push(chunk);
    read++;
    if (last.done) break;
  }
  return { ...last, read };
}

function split(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return chunks;
}

/** Deterministic uneven pieces (1–12 characters), like a tokenizer's. */
function splitUnevenly(text: string, seed: number): string[] {
  const chunks: string[] = [];
  let state = seed;
  for (let i = 0; i < text.length; ) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const size = 1 + (state % 12);
    chunks.push(text.slice(i, i + size));
    i += size;
  }
  return chunks;
}

describe('single-line mode', () => {
  const ctx = at('const n = █;', { multiline: false });

  test('done at the first line break after content; the text stops before it', () => {
    const result = stream(ctx, ['items', '.length;', '\nconst', ' more = 1;']);
    assert.deepEqual(result, { done: true, text: 'items.length;', read: 3 });
  });

  test('not done while the line goes on', () => {
    assert.deepEqual(stream(ctx, ['items', '.len']), { done: false, text: 'items.len', read: 2 });
  });

  test('a line break right at the cursor ends it with nothing', () => {
    assert.deepEqual(stream(ctx, ['\n', 'foo']), { done: true, text: '', read: 1 });
  });

  test('an opening fence is not the line: the line after it is', () => {
    const result = stream(ctx, ['```ts\n', 'items.length;\n', 'more']);
    assert.equal(result.done, true);
    assert.equal(postprocessCompletion(result.text, ctx), 'items.length');
  });
});

describe('stop strings', () => {
  test('done at a special token, cut before it', () => {
    const ctx = at('f(█)', { multiline: false });
    assert.deepEqual(stream(ctx, ['x', '<|endoftext|>', 'junk']), { done: true, text: 'x', read: 2 });
  });

  test('a token split across chunks is still found', () => {
    const ctx = at('function f() {\n  █');
    assert.deepEqual(stream(ctx, ['return 1;', '<|file', '_sep|>b.ts', '\nmore']), { done: true, text: 'return 1;', read: 3 });
  });

  test("the template's own stop strings count too", () => {
    const ctx = at('const a = █', { multiline: false, stopTokens: ['<|cursor|>'] });
    assert.deepEqual(stream(ctx, ['1;<|cur', 'sor|>']), { done: true, text: '1;', read: 2 });
  });
});

describe('multi-line mode', () => {
  test('done when a line dedents out of the block; the text ends with the line before', () => {
    const ctx = at('def f(x):\n    █', { languageId: 'python' });
    const result = stream(ctx, split('return x * 2\n\n\ndef g():\n    pass\n', 1));
    assert.equal(result.done, true);
    assert.equal(result.text, 'return x * 2\n\n');
  });

  test('keeps the closing line when nothing after the cursor closes the block', () => {
    const ctx = at('function f() {\n  █');
    assert.deepEqual(stream(ctx, ['return 1;\n', '}\n', 'function g']), { done: true, text: 'return 1;\n}', read: 2 });
  });

  test('leaves out the closing line the file already has', () => {
    const ctx = at('function f() {\n  █\n}\n');
    assert.deepEqual(stream(ctx, ['return 1;\n', '}\n', 'function g']), { done: true, text: 'return 1;', read: 2 });
  });

  test('a closing line is only judged once it is complete', () => {
    const ctx = at('function f() {\n  █');
    assert.equal(stream(ctx, ['return 1;\n', '}']).done, false);
    assert.equal(stream(ctx, ['return 1;\n', '})']).done, false);
  });

  test('not done inside the block, nor on else-branches of a block the cursor line opened', () => {
    const ctx = at('if (ok) {█\nnext();');
    const open = stream(ctx, ['\n  a();\n', '} else {\n', '  b();\n']);
    assert.equal(open.done, false);
    assert.deepEqual(stream(ctx, ['\n  a();\n', '} else {\n', '  b();\n', '}\n', 'c();']), {
      done: true,
      text: '\n  a();\n} else {\n  b();\n}',
      read: 4,
    });
  });

  test('done on the third copy of a line; the first copy is kept', () => {
    const ctx = at('function f() {\n  █');
    const result = stream(ctx, split('a();\n  b();\n  b();\n  b();\n  b();\n', 3));
    assert.equal(result.done, true);
    assert.equal(result.text, 'a();\n  b();');
  });

  test('done at a closing fence', () => {
    const ctx = at('function f() {\n  █\n}');
    const result = stream(ctx, ['```ts\n', '  return 1;\n', '```\n', 'This returns one.']);
    assert.equal(result.done, true);
    assert.equal(postprocessCompletion(result.text, ctx), 'return 1;');
  });

  test('CRLF lines', () => {
    const ctx = at('function f() {\r\n  █\r\n}\r\n');
    const result = stream(ctx, split('return 1;\r\n}\r\n\r\nfunction g() {}', 2));
    assert.equal(result.done, true);
    assert.equal(postprocessCompletion(result.text, ctx), 'return 1;');
  });
});

describe('the stream contract', () => {
  test('after done, further pushes change nothing', () => {
    const early = createEarlyStop(at('f(█)', { multiline: false }));
    assert.deepEqual(early.push('x\ny'), { done: true, text: 'x' });
    assert.deepEqual(early.push('more\n'), { done: true, text: 'x' });
  });

  test('empty chunks are harmless', () => {
    assert.deepEqual(stream(at('f(█)', { multiline: false }), ['', 'x', '', ')']), { done: false, text: 'x)', read: 4 });
  });

  test('a long line streamed a character at a time costs time linear in its length', () => {
    const early = createEarlyStop(at('const s = █', { multiline: true }));
    const started = performance.now();
    for (let i = 0; i < 200_000; i++) early.push('a');
    // Rescanning the line on every push would take tens of seconds here.
    assert.ok(performance.now() - started < 2000, `${Math.round(performance.now() - started)} ms`);
  });
});

describe('golden cases, streamed', () => {
  for (const golden of loadGoldenCases()) {
    test(golden.name, () => {
      const chunkings: [string, string[]][] = [
        ['whole', [golden.raw]],
        ...[1, 2, 3, 5, 8, 13].map((n): [string, string[]] => [`${n}-char`, split(golden.raw, n)]),
        ...[1, 2, 3].map((seed): [string, string[]] => [`uneven #${seed}`, splitUnevenly(golden.raw, seed)]),
      ];
      const byOneChar = stream(golden.ctx, split(golden.raw, 1));
      const full = postprocessCompletion(golden.raw, golden.ctx);
      for (const [label, chunks] of chunkings) {
        assert.equal(chunks.join(''), golden.raw);
        const result = stream(golden.ctx, chunks);
        assert.equal(result.text, byOneChar.text, `${label}: kept text differs from 1-char streaming`);
        assert.equal(result.done, byOneChar.done, `${label}: done differs from 1-char streaming`);
        assert.equal(postprocessCompletion(result.text, golden.ctx), full, `${label}: post-processing the kept text changed the suggestion`);
      }
    });
  }
});
