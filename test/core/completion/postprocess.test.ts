/**
 * Post-processing: one block of unit tests per step, then the golden cases of
 * test/golden/postprocess/ (format in ./postprocessGolden.ts). UPDATE_GOLDEN=1 rewrites their
 * expected sections from the current output; review the diff before keeping it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  balanceBrackets,
  cutAtScopeEnd,
  cutAtUnopenedCloser,
  dropClosersTheSuffixRepeats,
  dropPrefixReplay,
  dropRepeatedLines,
  dropSameLineSuffixOverlap,
  dropSuffixLineOverlap,
  dropSuffixOverlap,
  IndentScope,
  indentOf,
  isBlockContinuation,
  isLoneCloser,
  keepFirstLine,
  postprocessCompletion,
  stripCodeFences,
  stripSpecialTokens,
  trimCompletion,
} from '../../../src/core/completion/postprocess';
import { at, loadGoldenCases, writeExpected } from './postprocessGolden';

/** A context from a document with █ at the cursor. */
describe('(a) special tokens', () => {
  test('cuts at the first Qwen special token, whichever comes first', () => {
    assert.equal(stripSpecialTokens('return x;<|file_sep|>b.ts\n<|endoftext|>', []), 'return x;');
    assert.equal(stripSpecialTokens('a<|im_end|>b<|fim_pad|>', []), 'a');
    assert.equal(stripSpecialTokens('<|fim_middle|>code', []), '');
  });

  test("also cuts at the template's own stop strings, ignoring empty ones", () => {
    assert.equal(stripSpecialTokens('foo()<|cursor|>bar', ['<|cursor|>']), 'foo()');
    assert.equal(stripSpecialTokens('foo()', ['']), 'foo()');
  });

  test('leaves text without tokens alone, including look-alikes', () => {
    assert.equal(stripSpecialTokens('if (a <| b) {}', []), 'if (a <| b) {}');
  });
});

describe('(b) code fences', () => {
  const ts = { prefix: 'function f() {\n', languageId: 'typescript' };

  test('drops a leading ```lang line and everything from the closing fence on', () => {
    assert.equal(stripCodeFences('```ts\nconst a = 1;\n```\nThis declares a.', ts), 'const a = 1;');
    assert.equal(stripCodeFences('```\nx = 1\n```', { prefix: '', languageId: 'python' }), 'x = 1');
  });

  test('keeps the line break before a fence that was not at the cursor', () => {
    assert.equal(stripCodeFences('\n```python\n    return x\n```', { prefix: 'def f(x):', languageId: 'python' }), '\n    return x');
  });

  test('a fence at an indented cursor: the code after it loses the indentation the cursor already has', () => {
    assert.equal(stripCodeFences('```ts\n  return 1;\n  }', { prefix: 'function f() {\n  ', languageId: 'typescript' }), 'return 1;\n  }');
  });

  test('a closing fence without an opening one still ends the code', () => {
    assert.equal(stripCodeFences('return 1;\n```\nExplanation', ts), 'return 1;');
  });

  test('backticks inside a line are code (template literals)', () => {
    assert.equal(stripCodeFences('const s = ```;', ts), 'const s = ```;');
  });

  test('in Markdown, or inside a fenced example in the document, fences are what the user writes', () => {
    assert.equal(stripCodeFences('```ts\nconst a = 1;\n```', { prefix: '# Usage\n\n', languageId: 'markdown' }), '```ts\nconst a = 1;\n```');
    const docstring = 'def f():\n    """Example:\n\n    ```python\n    f()\n    ';
    assert.equal(stripCodeFences('```\n    """', { prefix: docstring, languageId: 'python' }), '```\n    """');
  });
});

describe('(c) single line', () => {
  test('keeps the first line only', () => {
    assert.equal(keepFirstLine('items.length;\nconst b = 2;'), 'items.length;');
    assert.equal(keepFirstLine('no newline'), 'no newline');
  });

  test('a completion that starts with a line break keeps nothing', () => {
    assert.equal(keepFirstLine('\n  return x;'), '');
  });

  test('drops the \\r of a CRLF line', () => {
    assert.equal(keepFirstLine('a;\r\nb;'), 'a;');
  });
});

describe('(d) overlap with the suffix', () => {
  test('drops the copy of the auto-closed bracket on the same line', () => {
    assert.equal(dropSameLineSuffixOverlap('foo)', at('bar(█)', { multiline: false })), 'foo');
    assert.equal(dropSameLineSuffixOverlap("'total', total);", at('console.log(█);', { multiline: false })), "'total', total");
  });

  test('drops a duplicated semicolon, and a duplicated word when it is a whole token', () => {
    assert.equal(dropSameLineSuffixOverlap('items.length;', at('const n = █;', { multiline: false })), 'items.length');
    assert.equal(dropSameLineSuffixOverlap('this.value', at('return █value;', { multiline: false })), 'this.');
  });

  test('keeps a bracket the completion opened itself', () => {
    assert.equal(dropSameLineSuffixOverlap('bar(x)', at('foo(█)', { multiline: false })), 'bar(x)');
  });

  test('keeps a closer when two brackets are open and the suffix closes only one', () => {
    assert.equal(dropSameLineSuffixOverlap('x)', at('foo(bar(█)', { multiline: false })), 'x)');
  });

  test('drops two closers when the suffix has both', () => {
    assert.equal(dropSameLineSuffixOverlap('x))', at('foo(bar(█))', { multiline: false })), 'x');
  });

  test('does not shave letters off a word, nor drop short coincidences', () => {
    assert.equal(dropSameLineSuffixOverlap('const x = f', at('█foo();', { multiline: false })), 'const x = f');
    assert.equal(dropSameLineSuffixOverlap('a + x', at('y = █x;', { multiline: false })), 'a + x');
  });

  test('brackets and quotes are only dropped where the bracket scan knows the language', () => {
    assert.equal(dropSameLineSuffixOverlap('foo)', at('bar(█)', { multiline: false, languageId: 'plaintext' })), 'foo)');
    assert.equal(dropSameLineSuffixOverlap('foo;', at('bar █;', { multiline: false, languageId: 'plaintext' })), 'foo');
  });

  test('quotes: a closing quote the editor already typed', () => {
    assert.equal(dropSameLineSuffixOverlap('hello")', at('say("█")', { multiline: false })), 'hello');
  });

  test('drops trailing lines that retype the lines below the cursor', () => {
    const suffix = '\n  return total;\n}\n';
    assert.equal(dropSuffixLineOverlap('const total = a + b;\n  return total;\n}', suffix), 'const total = a + b;');
    assert.equal(dropSuffixLineOverlap('const total = a + b;\n  return total;', suffix), 'const total = a + b;');
  });

  test('drops a retyped run of two lines even when the model went on after it', () => {
    const suffix = '\n  return total;\n}\n';
    assert.equal(dropSuffixLineOverlap('x();\n  return total;\n}\n\nfunction g() {', suffix), 'x();');
  });

  test('keeps a lone matching `}` in the middle, and lines that differ in indentation', () => {
    assert.equal(dropSuffixLineOverlap('a();\n}\n\nfunction g() {', '\n}\n'), 'a();\n}\n\nfunction g() {');
    assert.equal(dropSuffixLineOverlap('if (x) {\n    y();\n  }', '\n}\n'), 'if (x) {\n    y();\n  }');
  });

  test('line overlap applies to multi-line suggestions only', () => {
    assert.equal(dropSuffixOverlap('a\nb', at('█\nb', { multiline: false })), 'a\nb');
    assert.equal(dropSuffixOverlap('a\nb', at('█\nb')), 'a');
  });
});

describe('(e) repetition', () => {
  const body = { prefix: 'function f() {\n  ' };

  test('a line three times in a row: cut at the second copy', () => {
    assert.equal(dropRepeatedLines('a();\n  b();\n  b();\n  b();\n  b();', body), 'a();\n  b();');
  });

  test('the first line counts with the text before the cursor', () => {
    assert.equal(dropRepeatedLines('b();\n  b();\n  b();', body), 'b();');
  });

  test('twice is normal, and blank lines break a run', () => {
    assert.equal(dropRepeatedLines('i++;\n  i++;', body), 'i++;\n  i++;');
    assert.equal(dropRepeatedLines('b();\n\n  b();\n\n  b();', body), 'b();\n\n  b();\n\n  b();');
  });

  test('a completion that starts by retyping the lines above the cursor is dropped', () => {
    const prefix = 'def load(path):\n    data = read(path)\n    validate(data)\n    ';
    assert.equal(dropPrefixReplay('validate(data)\n    return data', { prefix }), '');
    assert.equal(dropPrefixReplay('data = read(path)\n    validate(data)\n    return data', { prefix }), '');
  });

  test('the same lines later in the completion are normal (Go error checks)', () => {
    const prefix = 'func f() error {\n\tx, err := a()\n\tif err != nil {\n\t\treturn err\n\t}\n\t';
    const raw = 'y, err := b(x)\n\tif err != nil {\n\t\treturn err\n\t}';
    assert.equal(dropPrefixReplay(raw, { prefix }), raw);
  });

  test('a partial replay that stops short of the line above is kept, and so are short lines', () => {
    const prefix = 'a = compute(1)\nb = compute(2)\nc = compute(3)\n';
    assert.equal(dropPrefixReplay('a = compute(1)\nprint(a)', { prefix }), 'a = compute(1)\nprint(a)');
    assert.equal(dropPrefixReplay('}', { prefix: 'if (a) {\n}\n' }), '}');
  });

  test('mid-line completions are not checked', () => {
    assert.equal(dropPrefixReplay('(data)', { prefix: '    validate(data)\n    validate' }), '(data)');
  });
});

describe('(f) indentation scope', () => {
  test('Python: the body ends where a line dedents below it', () => {
    const ctx = at('def f(x):\n    █', { languageId: 'python' });
    assert.equal(cutAtScopeEnd('if x:\n        return 1\n    return 2\n\ndef g():\n    pass', ctx), 'if x:\n        return 1\n    return 2\n');
  });

  test('the enclosing `}` is kept at the end of the file and dropped when the file has it', () => {
    const raw = 'return 1;\n}\n\nfunction g() {}';
    assert.equal(cutAtScopeEnd(raw, at('function f() {\n  █')), 'return 1;\n}');
    assert.equal(cutAtScopeEnd(raw, at('function f() {\n  █\n}\n')), 'return 1;');
  });

  test('a closer at another indentation than the block opener is not kept', () => {
    const ctx = at('function f() {\n  if (x) {\n    █');
    assert.equal(cutAtScopeEnd('return 1;\n  }', ctx), 'return 1;\n  }');
    assert.equal(cutAtScopeEnd('return 1;\n }', ctx), 'return 1;');
    assert.equal(cutAtScopeEnd('return 1;\n}', ctx), 'return 1;');
  });

  test('a block opened on the cursor line ends at its closer; else-branches continue it', () => {
    const ctx = at('if (ok) {█\nnext();');
    assert.equal(cutAtScopeEnd('\n  a();\n} else {\n  b();\n}\nc();', ctx), '\n  a();\n} else {\n  b();\n}');
  });

  test('the closer of a block opened on the cursor line is dropped when the body goes on below', () => {
    assert.equal(cutAtScopeEnd('\n  a();\n}', at('if (ok) {█\n  existing();\n}')), '\n  a();');
  });

  test('the same-line suffix can close the block', () => {
    assert.equal(cutAtScopeEnd('\n  a: 1,\n}', at('const o = {█};')), '\n  a: 1,');
    assert.equal(cutAtScopeEnd('\n  a: 1,\n}', at('const o = {█')), '\n  a: 1,\n}');
  });

  test('blank lines never end the scope, and a cursor at column 0 takes the first line as reference', () => {
    const ctx = at('def f():\n    x = 1\n█', { languageId: 'python' });
    assert.equal(cutAtScopeEnd('    y = 2\n\n    return x + y\n\nprint(f())', ctx), '    y = 2\n\n    return x + y\n');
  });

  test('a JSX closing tag is a closer: kept unless the file has it', () => {
    const raw = '\n      <li>{item}</li>\n    </ul>\n  );';
    const jsx = (suffix: string) => at(`return (\n    <ul>█${suffix}`, { languageId: 'typescriptreact' });
    assert.equal(cutAtScopeEnd(raw, jsx('\n  );\n}')), '\n      <li>{item}</li>\n    </ul>');
    assert.equal(cutAtScopeEnd(raw, jsx('\n    </ul>\n  );\n}')), '\n      <li>{item}</li>');
  });

  test('IndentScope says where to stop, line by line', () => {
    const scope = new IndentScope(at('function f() {\n  █'));
    assert.deepEqual(['return 1;', '}', 'more'].map((l) => scope.feed(l)), ['inside', 'end-after', 'end-before']);
  });

  test('line shapes', () => {
    for (const closer of ['}', '  });', ']', '),', '})', '    </div>', '</>', '</Foo.Bar>);']) assert.ok(isLoneCloser(closer), closer);
    for (const other of ['} else {', 'x }', '', '<div>', '</div> text']) assert.ok(!isLoneCloser(other), other);
    for (const continuation of ['} else {', '} catch (e) {', '  elif x > 1:', 'else:', 'except ValueError as e:', '})).then(() => {']) {
      assert.ok(isBlockContinuation(continuation), continuation);
    }
    assert.ok(!isBlockContinuation('}'));
    assert.equal(indentOf('\t  x'), 6);
  });
});

describe('(g) brackets', () => {
  test('drops closers the suffix brings again, across a line break', () => {
    const ctx = at('total = sum(\n    p for p in █\n)\n', { languageId: 'python', multiline: false });
    assert.equal(dropClosersTheSuffixRepeats('zip(a, b))', ctx), 'zip(a, b)');
  });

  test('keeps a closer that the prefix needs even when the suffix starts with one too', () => {
    const ctx = at('function f() {\n  if (x) {\n    █\n}\n');
    assert.equal(dropClosersTheSuffixRepeats('a();\n  }', ctx), 'a();\n  }');
  });

  test('cuts before a closer that closes nothing, or the wrong kind', () => {
    assert.equal(cutAtUnopenedCloser('0 });', at('const p = { x: 0, y: █', { multiline: false })), '0 }');
    assert.equal(cutAtUnopenedCloser('a])', at('f(█')), 'a');
  });

  test('brackets in strings and comments of the prefix do not count', () => {
    assert.equal(cutAtUnopenedCloser('x)', at('// (\nconst s = "(";\nf(█')), 'x)');
    assert.equal(cutAtUnopenedCloser('x)', at('s = """(\n"""\n# (\nf(█', { languageId: 'python' })), 'x)');
    assert.equal(cutAtUnopenedCloser('x)', at('s = """(\n"""\n# (\n█', { languageId: 'python' })), 'x');
  });

  test('brackets in strings of the completion do not count', () => {
    assert.equal(cutAtUnopenedCloser('")")', at('f(█')), '")")');
  });

  test('when the prefix scan met a closer that fit nothing, it is not trusted', () => {
    const ctx = at('const re = /[)]/;\nf(█', { multiline: false });
    assert.equal(balanceBrackets('x))', ctx), 'x))');
  });

  test('languages without known comment syntax are left alone', () => {
    assert.equal(balanceBrackets('x))', at('f(█', { languageId: 'ruby' })), 'x))');
  });
});

describe('(h) whitespace', () => {
  test('trims the end and turns whitespace alone into nothing', () => {
    assert.equal(trimCompletion('return x;  \n\n'), 'return x;');
    assert.equal(trimCompletion('\n  return x;\r\n'), '\n  return x;');
    assert.equal(trimCompletion(' \n\t\n'), '');
  });
});

describe('postprocessCompletion', () => {
  test('runs the steps in order', () => {
    const ctx = at('function f(a: number) {\n  █\n}\n');
    const raw = '```ts\n  return a * 2;\n}\n```<|endoftext|>';
    assert.equal(postprocessCompletion(raw, ctx), 'return a * 2;');
  });

  test('single-line mode after the special-token cut', () => {
    assert.equal(postprocessCompletion('x)\nmore<|endoftext|>', at('f(█)', { multiline: false })), 'x');
  });

  test('is idempotent on its own output', () => {
    for (const golden of loadGoldenCases()) {
      const once = postprocessCompletion(golden.raw, golden.ctx);
      assert.equal(postprocessCompletion(once, golden.ctx), once, golden.name);
    }
  });
});

describe('golden cases', () => {
  const cases = loadGoldenCases();
  test('there are enough of them', () => assert.ok(cases.length >= 14, `${cases.length} cases`));
  for (const golden of cases) {
    test(golden.name, () => {
      const actual = postprocessCompletion(golden.raw, golden.ctx);
      if (process.env.UPDATE_GOLDEN === '1') {
        writeExpected(golden, actual);
        return;
      }
      assert.equal(actual, golden.expected);
    });
  }
});
