import { Edit, Query, type Parser, type QueryMatch, type Tree } from 'web-tree-sitter';
import type { SyntaxParsers } from '../../syntax';
import { contextLanguageOf, grammarOf } from '../languages';
import { SUMMARY_VERSION, type ContextLanguage, type FileSummary } from '../summary';
import { C_QUERY, CPP_QUERY, JAVA_QUERY, RUST_QUERY, extractBasic } from './basic';
import { editBetween, lineFingerprint } from '../cursor/lineMap';
import { LineIndex } from '../store/lineIndex';
import type { ExtractedSummary } from './common';
import { GO_QUERY, extractGo } from './go';
import { PYTHON_QUERY, extractPython } from './python';
import { TYPESCRIPT_QUERY, extractTypeScript } from './typescript';

/** Headers longer than this are read from the file when packed instead of stored in every summary. */
const MAX_STORED_HEADER = 400;
/**
 * Trees kept after a summary, for an incremental reparse of the same file (the one being edited is
 * summarized at every pause): `tree.edit` + `parse(text, oldTree)` re-reads only around the edit.
 */
const KEPT_TREES = 4;

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
 * wasm memory. The last few trees are kept for incremental reparses (KEPT_TREES); the rest are deleted.
 */
export class Summarizer {
  private readonly grammars = new Map<string, Promise<LoadedGrammar | undefined>>();
  /** file → its last tree and the text it was parsed from, oldest first. */
  private readonly trees = new Map<string, { text: string; tree: Tree }>();

  constructor(private readonly parsers: SyntaxParsers) {}

  async summarize(file: string, text: string): Promise<FileSummary | undefined> {
    const lang = contextLanguageOf(file);
    const grammar = grammarOf(file);
    if (!lang || !grammar) return undefined;
    const loaded = await this.load(grammar, lang);
    if (!loaded) return undefined;
    const tree = this.parse(loaded.parser, file, text);
    if (!tree) return undefined;
    const extracted = EXTRACTORS[lang].extract(loaded.query.matches(tree.rootNode));
    const lines = lineFingerprint(text);
    const index = new LineIndex(text);
    for (const def of extracted.defs) {
      const header = index.range(def.line, def.headerEnd);
      if (header !== undefined && header.length <= MAX_STORED_HEADER) def.header = header;
    }
    return { v: SUMMARY_VERSION, lang, lineCount: index.count, lines, ...extracted };
  }

  dispose(): void {
    for (const { tree } of this.trees.values()) tree.delete();
    this.trees.clear();
    for (const loading of this.grammars.values()) {
      void loading.then((g) => {
        g?.query.delete();
        g?.parser.delete();
      });
    }
    this.grammars.clear();
  }

  /** Parses `text`, from the file's previous tree when one is kept; keeps the new tree. */
  private parse(parser: Parser, file: string, text: string): Tree | null {
    const kept = this.trees.get(file);
    this.trees.delete(file);
    let tree: Tree | null;
    if (kept) {
      const edit = editBetween(kept.text, text);
      if (edit) kept.tree.edit(new Edit(edit));
      tree = parser.parse(text, kept.tree);
      kept.tree.delete();
    } else {
      tree = parser.parse(text);
    }
    if (tree) this.trees.set(file, { text, tree });
    for (const [oldest, { tree: old }] of this.trees) {
      if (this.trees.size <= KEPT_TREES) break;
      old.delete();
      this.trees.delete(oldest);
    }
    return tree;
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
