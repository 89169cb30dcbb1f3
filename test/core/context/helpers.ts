/** Shared by the context engine tests: fixture workspaces, engines over them, cursors in them. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ContextEngine, type ContextResult } from '../../../src/core/context';
import { SyntaxParsers } from '../../../src/core/syntax';
import { estimateTokens } from '../../../src/core/tokens';

export const ROOT = path.resolve(__dirname, '../../..');
export const GRAMMARS = path.join(ROOT, 'grammars');
export const FIXTURES = path.join(ROOT, 'test/fixtures/context');

/** One SyntaxParsers per test process: loading the wasm runtime is the slow part. */
export const parsers = new SyntaxParsers(GRAMMARS);

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export function engineFor(workspace: string, cacheDir?: string): ContextEngine {
  return new ContextEngine({ root: path.join(FIXTURES, workspace), parsers, cacheDir, now: () => 0 });
}

/**
 * A cursor as the benchmark makes one: the file's text up to just after `before` (found on the line
 * holding `line`), with the rest of that line removed (not typed yet).
 */
export function cursorAfter(workspace: string, file: string, line: string, before: string): { file: string; text: string; offset: number } {
  const original = readFileSync(path.join(FIXTURES, workspace, file), 'utf8');
  const lineStart = original.indexOf(line);
  assert.ok(lineStart >= 0, `fixture ${file} has the line ${line}`);
  const offset = lineStart + line.indexOf(before) + before.length;
  const lineEnd = original.indexOf('\n', offset);
  return { file, text: original.slice(0, offset) + original.slice(lineEnd < 0 ? original.length : lineEnd), offset };
}

/** The 1-based line of `file` (in a fixture workspace) that contains `text`. */
export function lineOf(workspace: string, file: string, text: string): number {
  const lines = readFileSync(path.join(FIXTURES, workspace, file), 'utf8').split('\n');
  const index = lines.findIndex((l) => l.includes(text));
  assert.ok(index >= 0, `fixture ${file} has a line with ${text}`);
  return index + 1;
}

/** Asserts the result honours the contract: exact lines of real files, within the budget. */
export function assertValid(workspace: string, result: ContextResult, maxTokens: number, cursor?: { file: string; text: string }): void {
  let total = 0;
  for (const s of result.snippets) {
    const source = cursor && s.file === cursor.file ? cursor.text : readFileSync(path.join(FIXTURES, workspace, s.file), 'utf8');
    const lines = source.split('\n').slice(s.startLine - 1, s.endLine).join('\n');
    assert.equal(s.text, lines, `${s.file}:${s.startLine}-${s.endLine} is exactly those lines`);
    total += estimateTokens(s.text);
  }
  assert.equal(result.tokens, total);
  assert.ok(total <= maxTokens, `${total} tokens within ${maxTokens}`);
}

/** The snippet of `file` containing `line`, if any. */
export function covering(result: ContextResult, file: string, line: number) {
  return result.snippets.find((s) => s.file === file && s.startLine <= line && line <= s.endLine);
}

/** The engine's context at a cursor in a fixture (see cursorAfter), checked against the contract. */
export async function contextAtFixture(engine: ContextEngine, workspace: string, file: string, line: string, before: string, maxTokens: number): Promise<ContextResult> {
  const cursor = cursorAfter(workspace, file, line, before);
  const result = await engine.contextAt({ ...cursor, maxTokens });
  assertValid(workspace, result, maxTokens, cursor);
  return result;
}

/** Asserts a snippet covers `file:line`, listing what was returned when none does. */
export function assertCovers(result: ContextResult, file: string, line: number, what: string): void {
  assert.ok(covering(result, file, line), `${what}: ${file}:${line} not in ${result.snippets.map((s) => `${s.file}:${s.startLine}-${s.endLine}`).join(' ')}`);
}
