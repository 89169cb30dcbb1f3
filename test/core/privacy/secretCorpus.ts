/** The secrets corpus (test/fixtures/secrets) and how a leak is recognised; see secretCorpus.test.ts. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const FIXTURES = path.resolve(__dirname, '../../fixtures');
export const SECRET_CORPUS: Record<string, { secrets: string[]; lookalikes: string[] }> = JSON.parse(
  readFileSync(path.join(FIXTURES, 'secrets-corpus.json'), 'utf8'),
);
export const SECRET_CORPUS_DIR = path.join(FIXTURES, 'secrets');

/** The secret, or a telling part of it (the middle of a long one), still in `sent`. */
export function leaked(sent: string, secret: string): boolean {
  if (sent.includes(secret)) return true;
  if (secret.length < 24) return false;
  const middle = secret.slice(Math.floor(secret.length / 2) - 8, Math.floor(secret.length / 2) + 8);
  return sent.includes(middle);
}

