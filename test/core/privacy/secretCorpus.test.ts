/**
 * The secrets corpus (test/fixtures/secrets): realistic files by kind (YAML, .properties, INI, shell,
 * compose, Dockerfile, Kubernetes, .NET and Java config, Python, TypeScript, Go, Java, Ruby, PHP,
 * Terraform, PowerShell, HTTP files, docs), each secret and each look-alike listed in
 * test/fixtures/secrets-corpus.json. Every text that leaves for Claude goes through redactSecrets,
 * in whatever shape the sender gives it: the file as is, a diff's `+`/`-`/context lines, the numbered
 * lines of a review (`12| password = …`). No secret may survive any of them, in whole or in part, and
 * no look-alike may be touched.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { redactSecrets } from '../../../src/core/privacy/redact';
import { buildReviewPrompt, numberedLine } from '../../../src/core/review/prompt';
import { leaked, SECRET_CORPUS, SECRET_CORPUS_DIR } from './secretCorpus';

const shapes: Record<string, (text: string) => string> = {
  file: (text) => text,
  'diff added': (text) => text.split('\n').map((l) => `+${l}`).join('\n'),
  'diff removed': (text) => text.split('\n').map((l) => `-${l}`).join('\n'),
  'diff context': (text) => text.split('\n').map((l) => ` ${l}`).join('\n'),
  numbered: (text) => {
    const lines = text.split('\n');
    const width = String(lines.length).length;
    return lines.map((l, i) => numberedLine(i + 1, width, l)).join('\n');
  },
};

// What the Claude tier redacts at its boundary: a whole review prompt, the diff and the numbered file together.
shapes['review request'] = (text) => {
  const diff = `diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -0,0 +1,${text.split('\n').length} @@\n${shapes['diff added']!(text)}`;
  return buildReviewPrompt({ files: [{ path: 'f', text, changedRanges: [] }], diff }, [], { maxInputTokens: 1_000_000 }).prompt;
};

for (const [shape, render] of Object.entries(shapes)) {
  test(`secret corpus, ${shape}: every secret redacted, every look-alike kept`, () => {
    const leaks: string[] = [];
    const touched: string[] = [];
    let secrets = 0;
    for (const [rel, expected] of Object.entries(SECRET_CORPUS)) {
      const sent = redactSecrets(render(readFileSync(path.join(SECRET_CORPUS_DIR, rel), 'utf8'))).text;
      secrets += expected.secrets.length;
      for (const s of expected.secrets) if (leaked(sent, s)) leaks.push(`${rel}: ${s}`);
      for (const l of expected.lookalikes) if (!sent.includes(l)) touched.push(`${rel}: ${l}`);
    }
    assert.ok(secrets >= 50, `${secrets} secrets in the corpus`);
    assert.deepEqual(leaks, [], `${leaks.length} of ${secrets} secrets left in the ${shape} text`);
    assert.deepEqual(touched, [], 'look-alikes redacted');
  });
}

test('secret corpus, every file in one text (as one prompt carries them): what marks one file’s values secret stays in that file', () => {
  const files = Object.keys(SECRET_CORPUS).sort();
  const text = files.map((rel) => `<file path="${rel}">\n${shapes.numbered!(readFileSync(path.join(SECRET_CORPUS_DIR, rel), 'utf8'))}\n</file>`).join('\n\n');
  const sent = redactSecrets(`${text}\n${files.map((rel) => shapes['diff added']!(readFileSync(path.join(SECRET_CORPUS_DIR, rel), 'utf8'))).join('\ndiff --git a/x b/x\n')}`).text;
  const leaks = files.flatMap((rel) => SECRET_CORPUS[rel]!.secrets.filter((s) => leaked(sent, s)).map((s) => `${rel}: ${s}`));
  const touched = files.flatMap((rel) => SECRET_CORPUS[rel]!.lookalikes.filter((l) => !sent.includes(l)).map((l) => `${rel}: ${l}`));
  assert.deepEqual(leaks, []);
  assert.deepEqual(touched, []);
});
