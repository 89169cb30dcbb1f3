/**
 * What the index keeps per file: the structure the engine needs at a cursor, extracted once with
 * tree-sitter and persisted, so a warm call never has to load a grammar for files that did not change.
 * Lines are 1-based. Type and value texts are kept as written and interpreted at resolution time.
 */

/** Bump when the shape or meaning of a summary changes: cached summaries of other versions are rebuilt. */
export const SUMMARY_VERSION = 8;

export type ContextLanguage = 'typescript' | 'tsx' | 'javascript' | 'python' | 'go' | 'rust' | 'java' | 'c' | 'cpp';

export type DefKind =
  | 'function'
  | 'class'
  | 'interface'
  | 'type'
  | 'enum'
  | 'variable'
  | 'namespace'
  | 'method'
  | 'field'
  | 'struct'
  | 'trait'
  | 'module';

export interface SymbolDef {
  name: string;
  kind: DefKind;
  /** The line holding the name: `export function f(`, `class C:`, `func (s *S) M(`, a field's line. */
  line: number;
  /** Last line of the signature (the line the body opens on); equals `line` for one-line headers. */
  headerEnd: number;
  /** Last line of the whole definition. */
  end: number;
  /** Index (in `defs`) of the class, interface, struct, enum or namespace declaring this member, or -1. */
  parent: number;
  /** Declared type of a field or variable, or the return type of a function or method, as written. */
  type?: string;
  /**
   * How an untyped variable or field gets its value: `new X`, `call f`, `call a.B`, `ref x`, `type T`;
   * `elem <value>` for an element of a value (a `for … of` variable); for an untyped callback parameter,
   * `arg f#i#j` (parameter j of the function passed as argument i to f); for a parameter of a function
   * whose type is declared elsewhere (`const h: Handler = (req) => …`, a function returned from one
   * declared to return a function type), `fnparam <type>#j`. In an object literal's method m, whose
   * type comes from `<source>` (`arg f#i`: argument i of a call to f; `type T`: declared as T),
   * `thisof <source>@m` is `this` and `paramof <source>@m@j` is parameter j.
   */
  value?: string;
  /** Functions and methods (TypeScript/JavaScript): each parameter's declared type as written, '' when untyped. */
  params?: string[];
  /** Extended classes, implemented interfaces, Python bases, Go embedded fields, as written. */
  bases?: string[];
  /**
   * Generic parameters of a class, interface, type alias or function (TypeScript), as written:
   * `T`, `T extends Base`, `T = Default`. Type texts that name them are read through them.
   */
  typeParams?: string[];
  /** Go methods (and Rust impl items): the receiver's type name, without pointer or type arguments. */
  receiver?: string;
  /**
   * Lines line..headerEnd exactly (joined with '\n'), kept so packing a header needs no file read.
   * Absent for very long headers.
   */
  header?: string;
}

/** A parameter or local variable, visible in lines [from, to] (the enclosing function's extent). */
export interface LocalBinding {
  name: string;
  line: number;
  from: number;
  to: number;
  type?: string;
  value?: string;
}

export interface ImportedName {
  /** The exported name (`default` for a default import). */
  name: string;
  /** The name bound in the importing file. */
  local: string;
}

export interface ImportDecl {
  line: number;
  /** Last line, when the statement spans several. */
  end?: number;
  /** Module specifier as written: `./a.js`, `rich.console`, `..util`, `github.com/x/y`. */
  from: string;
  names?: ImportedName[];
  /** Local name of the whole module: `import * as ns`, Python `import a.b as c`, a Go package name. */
  namespace?: string;
  /** `export * from`, `from m import *`, Go dot imports. */
  star?: boolean;
  /** TypeScript `export … from`: the names become this module's exports without a local binding. */
  reexport?: boolean;
}

export interface FileSummary {
  v: number;
  /**
   * Set when only the part other files need was loaded (no `bindings`, no `lines`): what the
   * engine reads about every file but the cursor's, kept apart on disk so warm calls read less.
   */
  partial?: boolean;
  lang: ContextLanguage;
  lineCount: number;
  /** Enough about the text's lines to map the summary onto an edited copy (cursor/lineMap.ts). */
  lines: LineFingerprint;
  /** Go: the package clause. */
  pkg?: string;
  imports: ImportDecl[];
  defs: SymbolDef[];
  bindings: LocalBinding[];
  /** TypeScript `export { a as b }` (no source) and `export default x`: exported name -> local name. */
  exportAliases?: Record<string, string>;
}

/**
 * Line lengths find where an edit starts and ends; hashes of 16-line blocks, counted from the start
 * and from the end, confirm the lines around it are unchanged. Per-line hashes would be exact but cost
 * ~8 ms for a 2,000-line file in a cold process; this costs ~1 ms (see cursor/lineMap.ts).
 */
export interface LineFingerprint {
  /** Comma-joined line lengths (UTF-16 code units, without line terminators). */
  lengths: string;
  /** Hash of lines [16k, 16k+16) for each k. */
  head: string[];
  /** Hash of the k-th 16-line block counted from the end. */
  tail: string[];
}
