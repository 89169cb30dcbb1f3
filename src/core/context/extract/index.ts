import { Query, type Parser, type QueryMatch } from 'web-tree-sitter';
import type { SyntaxParsers } from '../../syntax';
import { contextLanguageOf, grammarOf } from '../languages';
import { SUMMARY_VERSION, type ContextLanguage, type FileSummary } from '../summary';
import { C_QUERY, CPP_QUERY, JAVA_QUERY, RUST_QUERY, extractBasic } from './basic';
import { lineFingerprint } from '../cursor/lineMap';
import { LineIndex } from '../store/lineIndex';
import type { ExtractedSummary } from './common';
import { GO_QUERY, extractGo } from './go';
import { PYTHON_QUERY, extractPython } from './python';
import { TYPESCRIPT_QUERY, extractTypeScript } from './typescript';

/** Headers longer than this are read from the file when packed instead of stored in every summary. */
const MAX_STORED_HEADER = 400;

const EXTRACTORS: Record<ContextLanguage, { query: string; extract: (matches: QueryMatch[]) => ExtractedSummary }> = {
  typescript: { query: TYPESCRIPT_QUERY, extract: extractTypeScript },
  tsx: { query: TYPESCRIPT_QUERY, extract: extractTypeScript },
  javascript: { query: TYPESCRIPT_QUERY, extract: extractTypeScript },
  python: { query: PYTHON_QUERY, extract: extractPython },
  go: { query: GO_QUERY, extract: extractGo },
  rust: { query: RUST_QUERY, extract: extractBasic },
  java: { query: JAVA_QUERY, extract: extractBasic },
  c: { query: C_QUERY, extract: extractBasic },
  cpp: { query: CPP_QUERY, extract: extractBasic },
};

interface LoadedGrammar {
  parser: Parser;
  query: Query;
}

/**
 * Turns a file's text into its FileSummary with tree-sitter. Holds one parser and one compiled query per
 * grammar for its lifetime (the index build summarizes thousands of files); call dispose() to free the
 * wasm memory. Every tree is deleted as soon as its summary is made.
 */
export class Summarizer {
  private readonly grammars = new Map<string, Promise<LoadedGrammar | undefined>>();

  constructor(private readonly parsers: SyntaxParsers) {}

  /**
   * `cursor`: the offset of a cursor in `text` whose line is being typed. When the text does not parse,
   * that line is summarized as if it were blank: a half-typed `this.store.` or `foo(` otherwise makes
   * error recovery swallow the enclosing function or class (on the dev set of ../shared/bench/context,
   * 35 of 324 TypeScript cursors lost their enclosing function that way, 4 with the line left out).
   */
  async summarize(file: string, text: string, cursor?: number): Promise<FileSummary | undefined> {
    const lang = contextLanguageOf(file);
    const grammar = grammarOf(file);
    if (!lang || !grammar) return undefined;
    const loaded = await this.load(grammar, lang);
    if (!loaded) return undefined;
    let tree = loaded.parser.parse(text);
    if (tree && cursor !== undefined && tree.rootNode.hasError) {
      const repaired = withoutCursorLine(text, cursor, lang);
      if (repaired !== text) {
        tree.delete();
        tree = loaded.parser.parse(repaired);
      }
    }
    if (!tree) return undefined;
    try {
      const extracted = EXTRACTORS[lang].extract(loaded.query.matches(tree.rootNode));
      const lines = lineFingerprint(text);
      const index = new LineIndex(text);
      for (const def of extracted.defs) {
        const header = index.range(def.line, def.headerEnd);
        if (header !== undefined && header.length <= MAX_STORED_HEADER) def.header = header;
      }
      return { v: SUMMARY_VERSION, lang, lineCount: index.count, lines, ...extracted };
    } finally {
      tree.delete();
    }
  }

  dispose(): void {
    for (const loading of this.grammars.values()) {
      void loading.then((g) => {
        g?.query.delete();
        g?.parser.delete();
      });
    }
    this.grammars.clear();
  }

  private load(grammar: string, lang: ContextLanguage): Promise<LoadedGrammar | undefined> {
    let loading = this.grammars.get(grammar);
    if (!loading) {
      loading = this.parsers.createParser(grammar).then((parser) => {
        if (!parser?.language) return undefined;
        return { parser, query: compileQuery(parser, EXTRACTORS[lang].query) };
      });
      this.grammars.set(grammar, loading);
    }
    return loading;
  }
}

/**
 * The text with the cursor's line emptied (its indentation kept, so Python blocks stay blocks; Python
 * gets a `pass` so an `if x:` whose only statement was being typed still has a body). Line numbers are
 * unchanged, and only the tree comes from this text: headers and fingerprints are the real text's.
 */
export function withoutCursorLine(text: string, cursor: number, lang: ContextLanguage): string {
  const start = text.lastIndexOf('\n', cursor - 1) + 1;
  let end = text.indexOf('\n', cursor);
  if (end < 0) end = text.length;
  if (text[end - 1] === '\r') end--;
  const line = text.slice(start, end);
  const indent = /^[ \t]*/.exec(line)![0];
  if (indent.length === line.length) return text;
  return text.slice(0, start) + indent + (lang === 'python' ? 'pass' : '') + text.slice(end);
}

/**
 * Compiles the query; where the grammar lacks a node type one pattern names (the TypeScript patterns
 * also serve JavaScript), keeps the patterns that compile instead of failing the whole language.
 */
function compileQuery(parser: Parser, source: string): Query {
  const language = parser.language!;
  try {
    return new Query(language, source);
  } catch {
    const valid = source
      .split('\n')
      .filter((line) => line.trim())
      .filter((line) => {
        try {
          new Query(language, line).delete();
          return true;
        } catch {
          return false;
        }
      });
    return new Query(language, valid.join('\n'));
  }
}
