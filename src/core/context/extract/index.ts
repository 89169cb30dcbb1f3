import { Edit, Query, type Parser, type QueryMatch, type Tree } from 'web-tree-sitter';
import type { SyntaxParsers } from '../../syntax';
import { contextLanguageOf, grammarOf } from '../languages';
import { SUMMARY_VERSION, type ContextLanguage, type FileSummary } from '../summary';
import { C_QUERY, CPP_QUERY, JAVA_QUERY, RUST_QUERY, extractBasic } from './basic';
import { editBetween, lineFingerprint } from '../cursor/lineMap';
import { LineIndex } from '../store/lineIndex';
import type { ExtractedSummary } from './common';
import type { DefKind } from '../summary';
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
/** A file split into more declarations than this is parsed whole, errors and all. */
const MAX_CHUNKS = 2000;

/** An unindented line that starts a top-level declaration, per language (see Summarizer.parseChunks). */
const JS_START = /^(export|import|function|async\s+function|class|abstract\s+class|interface|type\s|enum|const\s+enum|const|let|var|declare|namespace|module\s|@)/;
const TOP_LEVEL_START: Partial<Record<ContextLanguage, RegExp>> = {
  typescript: JS_START,
  tsx: JS_START,
  javascript: JS_START,
  python: /^(def|class|async\s+def|@|import|from|[A-Za-z_][\w.]*\s*(:|=[^=]))/,
  go: /^(func|type|var|const|import|package)\b/,
  rust: /^(pub|fn|struct|enum|impl|trait|mod|use|const|static|type|#\[)/,
  java: /^(public|private|protected|abstract|final|class|interface|enum|record|import|package|@)/,
};

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
 * wasm memory. The last few trees of the text as given are kept for incremental reparses (KEPT_TREES);
 * the repaired and chunked trees are deleted as soon as their summary is made.
 */
export class Summarizer {
  private readonly grammars = new Map<string, Promise<LoadedGrammar | undefined>>();
  /** file → its last tree and the text it was parsed from, oldest first. */
  private readonly trees = new Map<string, { text: string; tree: Tree }>();

  constructor(private readonly parsers: SyntaxParsers) {}

  /**
   * `cursor`: the offset of a cursor in `text` whose line is being typed. When the text does not parse,
   * that line is summarized as if it were blank: a half-typed `this.store.` or `foo(` otherwise makes
   * error recovery swallow the enclosing function or class (on the context benchmark's dev set,
   * 35 of 324 TypeScript cursors lost their enclosing function that way, 4 with the line left out).
   */
  async summarize(file: string, text: string, cursor?: number): Promise<FileSummary | undefined> {
    const lang = contextLanguageOf(file);
    const grammar = grammarOf(file);
    if (!lang || !grammar) return undefined;
    const loaded = await this.load(grammar, lang);
    if (!loaded) return undefined;
    let source = text;
    const kept = this.parse(loaded.parser, file, text);
    // `tree` is what the summary reads; every tree but `kept` (the cache's) is deleted here.
    let tree = kept;
    const release = (t: Tree) => {
      if (t !== kept) t.delete();
    };
    // Two repairs, only for text that does not parse: finish the line (a placeholder name, its brackets
    // closed), else drop it, kept only if that parses cleanly (dropping a line that opens a block
    // unbalances the rest). Each costs one more parse.
    // A Python function whose last statement is being typed ends before the cursor's blank line.
    if (kept && tree && cursor !== undefined && (tree.rootNode.hasError || (lang === 'python' && isBlankLine(text, cursor)))) {
      const completedText = completedCursorLine(text, cursor, lang);
      const completed = reparse(loaded.parser, kept, text, completedText);
      if (completed) {
        release(tree);
        [tree, source] = [completed, completedText];
      }
      if (tree.rootNode.hasError) {
        const droppedText = withoutCursorLine(text, cursor, lang);
        const dropped = reparse(loaded.parser, kept, text, droppedText);
        if (dropped && !dropped.rootNode.hasError) {
          release(tree);
          [tree, source] = [dropped, droppedText];
        } else dropped?.delete();
      }
    }
    if (!tree) return undefined;
    let trees = [tree];
    let broken: Chunk[] = [];
    if (tree.rootNode.hasError) {
      // Error recovery can swallow everything after a construct the grammar misreads (a generic call
      // signature after a comment in an interface hid 60 lines of mobx's api/action.ts): parsed one
      // top-level declaration at a time, the damage stays in its own declaration.
      const chunks = this.parseChunks(loaded.parser, source, lang);
      if (chunks.length > 1) {
        release(tree);
        trees = chunks.map((c) => c.tree);
        broken = chunks.filter((c) => c.tree.rootNode.hasError);
      } else for (const c of chunks) c.tree.delete();
    }
    try {
      const extracted = EXTRACTORS[lang].extract(trees.flatMap((t) => loaded.query.matches(t.rootNode)));
      const sourceLines = broken.length ? new LineIndex(source) : undefined;
      for (const chunk of broken) declarationByLine(extracted, sourceLines!.range(chunk.firstLine, chunk.firstLine) ?? '', chunk, lang);
      const lines = lineFingerprint(text);
      const index = new LineIndex(text);
      for (const def of extracted.defs) {
        const header = index.range(def.line, def.headerEnd);
        if (header !== undefined && header.length <= MAX_STORED_HEADER) def.header = header;
      }
      return { v: SUMMARY_VERSION, lang, lineCount: index.count, lines, ...extracted };
    } finally {
      for (const t of trees) release(t);
    }
  }

  /**
   * The text parsed as separate top-level declarations (each its own tree, positions those of the whole
   * text): a declaration starts on a line that begins, unindented, with a declaration keyword.
   */
  private parseChunks(parser: Parser, text: string, lang: ContextLanguage): Chunk[] {
    const pattern = TOP_LEVEL_START[lang];
    if (!pattern) return [];
    const starts: { index: number; row: number }[] = [];
    let row = 0;
    for (let at = 0; at <= text.length; row++) {
      const next = text.indexOf('\n', at);
      const end = next < 0 ? text.length : next;
      if (pattern.test(text.slice(at, Math.min(end, at + 40)))) starts.push({ index: at, row });
      if (next < 0) break;
      at = next + 1;
    }
    if (starts.length < 2 || starts.length > MAX_CHUNKS) return [];
    if (starts[0]!.index > 0) starts.unshift({ index: 0, row: 0 });
    const chunks: Chunk[] = [];
    for (let k = 0; k < starts.length; k++) {
      const from = starts[k]!;
      const to = starts[k + 1] ?? { index: text.length, row: row };
      const endPosition = starts[k + 1] ? { row: to.row, column: 0 } : { row: to.row, column: text.length - (text.lastIndexOf('\n') + 1) };
      const range = { startIndex: from.index, endIndex: to.index, startPosition: { row: from.row, column: 0 }, endPosition };
      const tree = parser.parse(text, null, { includedRanges: [range] });
      if (tree) chunks.push({ tree, firstLine: from.row + 1, lastLine: Math.max(from.row + 1, starts[k + 1] ? to.row : to.row + 1) });
    }
    return chunks;
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
    const tree = kept ? reparse(parser, kept.tree, kept.text, text) : parser.parse(text);
    kept?.tree.delete();
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

/** Where the cursor's line starts and ends (before its `\r\n` or `\n`). */
function cursorLine(text: string, cursor: number): { start: number; end: number } {
  const start = text.lastIndexOf('\n', cursor - 1) + 1;
  let end = text.indexOf('\n', cursor);
  if (end < 0) end = text.length;
  if (text[end - 1] === '\r') end--;
  return { start, end };
}

function isBlankLine(text: string, cursor: number): boolean {
  const { start, end } = cursorLine(text, cursor);
  return !text.slice(start, end).trim();
}

/** One top-level declaration parsed on its own (see Summarizer.parseChunks). */
interface Chunk {
  tree: Tree;
  /** 1-based lines it spans. */
  firstLine: number;
  lastLine: number;
}

/** `export const dual: {` and the like: a declaration's keyword and name on its first line. */
const DECLARATION_LINE: Partial<Record<ContextLanguage, RegExp>> = {
  typescript: /^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:async\s+)?(const|let|var|function\*?|class|abstract\s+class|interface|type|enum|namespace)\s+([A-Za-z_$][\w$]*)/,
  javascript: /^(?:export\s+)?(?:default\s+)?(?:async\s+)?(const|let|var|function\*?|class)\s+([A-Za-z_$][\w$]*)/,
  python: /^(?:async\s+)?(def|class)\s+([A-Za-z_]\w*)/,
  go: /^(func|type|var|const)\s+([A-Za-z_]\w*)/,
};
DECLARATION_LINE.tsx = DECLARATION_LINE.typescript;

const DECLARED_KINDS: Record<string, DefKind> = { class: 'class', interface: 'interface', type: 'type', enum: 'enum', namespace: 'namespace', def: 'function', func: 'function' };

/**
 * A declaration the grammar cannot read even alone (tree-sitter-typescript misreads the generic call
 * signatures of effect's `dual`) still defines its name: taken from its first line, spanning its chunk.
 */
function declarationByLine(extracted: ExtractedSummary, firstLine: string, chunk: Chunk, lang: ContextLanguage): void {
  const pattern = DECLARATION_LINE[lang];
  if (!pattern) return;
  const m = pattern.exec(firstLine);
  if (!m || extracted.defs.some((d) => d.parent === -1 && d.name === m[2] && d.line === chunk.firstLine)) return;
  const keyword = m[1]!.replace(/\*$/, '').replace(/^abstract\s+/, '');
  const kind = DECLARED_KINDS[keyword] ?? (keyword === 'function' ? 'function' : 'variable');
  extracted.defs.push({ name: m[2]!, kind, line: chunk.firstLine, headerEnd: chunk.firstLine, end: chunk.lastLine, parent: -1 });
}

/**
 * The text with the cursor's line finished where the cursor is, as its next line suggests. The next
 * line indented deeper means the line opened something: a block when it starts with a block keyword
 * (`if (x.`, `for (const a of b.`: the brackets are closed and the block opened with `{`, or `:` in
 * Python), else a call or literal that continues below (left open). Otherwise the line ends here: a
 * placeholder name where one is expected (after `.`, `(`, an operator) and its brackets closed. What
 * followed the cursor on its line is dropped.
 */
export function completedCursorLine(text: string, cursor: number, lang: ContextLanguage): string {
  const { start, end } = cursorLine(text, cursor);
  const before = text.slice(start, cursor);
  // A statement about to be typed on an empty line: Python needs one there (`if x:` with no body).
  if (!before.trim()) return lang === 'python' ? text.slice(0, cursor) + 'pass' + text.slice(end) : text;
  const open: string[] = [];
  for (const c of before.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '')) {
    if (c === '(' || c === '[' || c === '{') open.push(c);
    else if (c === ')' || c === ']' || c === '}') open.pop();
  }
  const indent = (line: string) => /^[ \t]*/.exec(line)![0].replace(/\t/g, '    ').length;
  const next = text.slice(end + 1).split('\n').find((l) => l.trim());
  const deeper = next !== undefined && indent(next) > indent(before);
  const block = deeper && /^\s*(?:\}\s*)?(if|else|for|while|switch|catch|function|with|elif|def|class|try|except|func|match|case)\b/.test(before);
  if (deeper && !block && open.some((c) => c !== '{')) return text.slice(0, cursor) + text.slice(end);
  const placeholder = /[.(,[=:+\-*/%<>!&|?]\s*$/.test(before) || /\b(return|await|new|yield|not|and|or|in|if|elif|while)\s*$/.test(before) ? '_' : '';
  const keepOpen = open[open.length - 1] === '{' && /\{\s*$/.test(before) ? 1 : 0;
  const closers = open.slice(0, open.length - keepOpen).reverse().map((c) => (c === '(' ? ')' : c === '[' ? ']' : '}')).join('');
  const opener = block && !keepOpen ? (lang === 'python' ? ':' : ' {') : '';
  return text.slice(0, cursor) + placeholder + closers + opener + text.slice(end);
}

/**
 * The text with the cursor's line emptied (its indentation kept, so Python blocks stay blocks; Python
 * gets a `pass` so an `if x:` whose only statement was being typed still has a body). Line numbers are
 * unchanged, and only the tree comes from this text: headers and fingerprints are the real text's.
 */
export function withoutCursorLine(text: string, cursor: number, lang: ContextLanguage): string {
  const { start, end } = cursorLine(text, cursor);
  const line = text.slice(start, end);
  const indent = /^[ \t]*/.exec(line)![0];
  if (indent.length === line.length) return text;
  return text.slice(0, start) + indent + (lang === 'python' ? 'pass' : '') + text.slice(end);
}

/**
 * `text` parsed from a copy of `base` (the tree of `baseText`), edited where the texts differ: the edited
 * file's next version and a cursor-line repair each change one region, and only that region is re-read.
 */
function reparse(parser: Parser, base: Tree, baseText: string, text: string): Tree | null {
  const old = base.copy();
  const edit = editBetween(baseText, text);
  if (edit) old.edit(new Edit(edit));
  try {
    return parser.parse(text, old);
  } finally {
    old.delete();
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
