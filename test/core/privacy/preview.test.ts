import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeOutgoing } from '../../../src/core/privacy/preview';
import { redactSecrets } from '../../../src/core/privacy/redact';
import { estimateTokens } from '../../../src/core/tokens';

test('counts files, estimated tokens and redactions over files and other parts', () => {
  const a = redactSecrets(`const key = "AKIA${'IOSFODNN7EXAMPLE'}";\n`);
  const b = 'export const x = 1;\n'.repeat(100);
  const diff = 'diff --git a/a.ts b/a.ts\n+const x = 1;\n';
  const summary = summarizeOutgoing({
    files: [
      { path: 'src/a.ts', text: a.text, redactions: a.redactions },
      { path: 'src/b.ts', text: b },
      { path: 'src/gone.ts', text: undefined },
    ],
    parts: [{ label: 'diff', text: diff, redactions: 2 }],
    excluded: [
      { path: '.env', reason: 'default deny list: .env' },
      { path: 'dist/x.js', reason: '.gitignore: dist/' },
    ],
  });
  assert.equal(summary.files, 3);
  assert.equal(summary.tokens, estimateTokens(a.text) + estimateTokens(b) + estimateTokens(diff));
  assert.equal(summary.redactions, 3);
  assert.deepEqual(summary.excluded.map((e) => e.path), ['.env', 'dist/x.js']);
  assert.equal(summary.line, `3 files, ${summary.tokens.toLocaleString('en-US')} tokens, 3 redactions; 2 files excluded`);
  assert.match(summary.line, /^3 files, 6\d\d tokens, 3 redactions; 2 files excluded$/);
});

test('the line is singular for one and leaves out exclusions when there are none', () => {
  const one = summarizeOutgoing({ files: [{ path: 'a.ts', text: 'abc', redactions: 1 }] });
  assert.equal(one.line, '1 file, 1 token, 1 redaction');
  assert.deepEqual(one.excluded, []);
  const none = summarizeOutgoing({ files: [], excluded: [{ path: '.env', reason: 'default deny list: .env' }] });
  assert.equal(none.line, '0 files, 0 tokens, 0 redactions; 1 file excluded');
});

test('thousands are grouped', () => {
  const big = summarizeOutgoing({ files: [{ path: 'a.ts', text: 'x'.repeat(32_000) }] });
  assert.equal(big.line, '1 file, 10,000 tokens, 0 redactions');
});
