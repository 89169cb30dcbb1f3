/**
 * The context engine's public vocabulary: what a caller asks for and what it gets back. Editor-free:
 * the VS Code adapter, the CLI and the completion pipeline all speak these types.
 */

/** Why a snippet was chosen; also what the CLI prints and "Show Context for Cursor" lists. */
export type SnippetReason = 'definition' | 'import' | 'type' | 'similar' | 'recent' | 'scope';

/** A run of whole lines from one workspace file. */
export interface ContextSnippet {
  /** Path relative to the workspace root, forward slashes. */
  file: string;
  /** 1-based, inclusive. */
  startLine: number;
  /** 1-based, inclusive. */
  endLine: number;
  /** Exactly lines startLine..endLine of the file, joined with '\n' (no trailing newline). */
  text: string;
  reason: SnippetReason;
  /** The symbol the snippet was chosen for, when there is one (for display and logs). */
  symbol?: string;
}

export interface ContextRequest {
  /** The cursor's file, relative to the workspace root or absolute inside it. */
  file: string;
  /** UTF-16 offset of the cursor in `text`. */
  offset: number;
  /** The file's current text (an unsaved editor buffer); read from disk when absent. */
  text?: string;
  /** Budget for all snippets together, counted with estimateTokens (src/core/tokens.ts). */
  maxTokens: number;
  /**
   * Time allowed for the call. Past it the engine stops gathering and returns what it has packed:
   * partial context beats late context on the keystroke path.
   */
  deadlineMs?: number;
  /**
   * Time the caller already spent on this call before handing it over (the CLI parsing its arguments
   * and reading the file): it counts against the deadline, so the deadline is the caller's, not the
   * engine's alone.
   */
  spentMs?: number;
  /** Other files the user has open (workspace-relative), searched for similar code before the rest. */
  openFiles?: readonly string[];
  /**
   * Where a language server says the names at the cursor are defined (the editor asks VS Code's
   * definition and type-definition providers): the engine ranks the definitions there first. Plain
   * data, so a request can cross to a worker thread; hints outside the workspace are ignored.
   */
  hints?: readonly ContextHint[];
}

/** A definition a language server located, as a place in a file. */
export interface ContextHint {
  /** Absolute, or relative to the workspace root. */
  file: string;
  /** 1-based line of the definition (the line holding its name). */
  line: number;
  /** `type`: the type of the expression before the cursor (its members are worth showing too). */
  kind?: 'definition' | 'type';
}

export interface ContextResult {
  /** Most relevant first; together within `maxTokens` by estimateTokens, snippet by snippet. */
  snippets: ContextSnippet[];
  /** Sum of estimateTokens over the snippets' text. */
  tokens: number;
  /** What the call spent its time on, for logs and benchmarks. */
  timings: ContextTimings;
  /** Set when the cursor's file was not looked at, with why (a bundle, minified, binary): see limits.ts. */
  skipped?: string;
}

export interface ContextTimings {
  /** Loading or building the workspace index (first call, or files changed since the cache). */
  indexMs: number;
  /** Understanding the cursor's file: summary (parsed or reused), tokens, scopes. */
  cursorMs: number;
  /** Resolving names and types to definitions and packing them. */
  gatherMs: number;
  totalMs: number;
  /** True when the deadline cut the work short. */
  deadlineHit: boolean;
  /** Ms from the call's start at which each step of gathering and packing ended (for traces). */
  marks?: Record<string, number>;
}
