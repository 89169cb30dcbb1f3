import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { SyntaxParsers } from '../../src/core/syntax';

const ROOT = path.resolve(__dirname, '../..');
const GRAMMARS = path.join(ROOT, 'grammars');

test('parses every shipped language from the copied grammars', async () => {
  const samples: Record<string, [string, RegExp]> = {
    typescript: ['type Id = string; export function f(x: Id): Id { return x; }', /type_alias_declaration/],
    typescriptreact: ['const el = <div className="a">{x}</div>;', /jsx_element/],
    javascript: ['import { a } from "./a"; a();', /import_statement/],
    javascriptreact: ['export const App = () => <main>{a}</main>;', /jsx_element/],
    python: ['from .store import Store\nclass A(Store):\n    pass\n', /import_from_statement/],
    go: ['package main\nfunc main() {}\n', /function_declaration/],
    rust: ['use crate::a::B;\nfn main() {}\n', /use_declaration/],
    java: ['package a; class B { void c() {} }', /class_declaration/],
    c: ['int main(void) { return 0; }', /function_definition/],
    cpp: ['namespace n { class A {}; }', /namespace_definition/],
  };
  assert.deepEqual(SyntaxParsers.supportedLanguageIds().sort(), Object.keys(samples).sort());
  const parsers = new SyntaxParsers(GRAMMARS);
  for (const [languageId, [source, expected]] of Object.entries(samples)) {
    const parser = await parsers.createParser(languageId);
    assert.ok(parser, languageId);
    const tree = parser.parse(source)!;
    assert.match(tree.rootNode.toString(), expected, languageId);
    assert.equal(tree.rootNode.hasError, false, `${languageId} parsed without errors`);
    tree.delete();
    parser.delete();
  }
});

test('no parser for languages without a grammar, and nothing loaded for them', async () => {
  const parsers = new SyntaxParsers('/nonexistent');
  assert.equal(await parsers.createParser('plaintext'), undefined);
  assert.equal(SyntaxParsers.supports('markdown'), false);
});

test('a missing grammar folder is an error that a later call can recover from', async () => {
  const parsers = new SyntaxParsers(path.join(os.tmpdir(), 'tiercel-no-grammars'));
  await assert.rejects(parsers.createParser('python'));
  await assert.rejects(parsers.createParser('python'));
});

test('tree-sitter loads inside a cjs bundle built with the product esbuild options', async () => {
  // The pitfall this guards: web-tree-sitter's ESM build inside cjs output has an empty import.meta.url.
  const { nodeBundleOptions } = await import('../../esbuild.mjs');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tiercel-bundle-'));
  try {
    const outfile = path.join(dir, 'probe.js');
    await esbuild.build({ ...nodeBundleOptions, entryPoints: [path.join(ROOT, 'test/fixtures/parse-probe.ts')], outfile, logLevel: 'silent' });
    const { stdout } = await promisify(execFile)(process.execPath, [outfile, GRAMMARS, 'typescript', 'let x: number = 1;']);
    assert.match(stdout, /^\(program \(lexical_declaration/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
