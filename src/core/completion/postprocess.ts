/**
 * Turns what the model generated at the cursor into what is worth showing as ghost text.
 *
 * Small FIM models stop late: past the hole they leak special tokens, wrap code in markdown, retype
 * the code after the cursor, loop on a line, and run on into the next function. Each step below
 * removes one of those failures and is a pure function of (text, context), so each has its own
 * unit and golden tests (test/core/completion/postprocess.test.ts, test/golden/postprocess/).
 *
 * Every step only cuts or drops text, never adds any; and when a step is unsure it keeps the text:
 * a wrong cut breaks code the user would have accepted, a slightly long suggestion is easy to see.
 *
 * Streaming early stop (./earlyStop.ts) stops reading where these steps would cut anyway; both
 * share the line and scope rules below so they cannot drift apart.
 */
import { QWEN_SPECIAL_TOKENS } from './templates';

export interface CompletionContext {
  /** The whole document before the cursor: bracket balancing scans it from the start. */
  prefix: string;
  /** The document after the cursor. */
  suffix: string;
  /** VS Code language id; picks comment and string syntax for bracket balancing. */
  languageId: string;
  /** False when the suggestion must complete the current line only. */
  multiline: boolean;
  /** The template's stop strings: generation past any of them is another file or a chat turn. */
  stopTokens: readonly string[];
}

/** Runs every step in order; '' means show nothing. */
export function postprocessCompletion(raw: string, ctx: CompletionContext): string {
  let text = stripSpecialTokens(raw, ctx.stopTokens);
  text = stripCodeFences(text, ctx);
  if (!ctx.multiline) text = keepFirstLine(text);
  text = dropSuffixOverlap(text, ctx);
  text = dropRepetition(text, ctx);
  if (ctx.multiline) text = cutAtScopeEnd(text, ctx);
  text = balanceBrackets(text, ctx);
  return trimCompletion(text);
}

// ---------------------------------------------------------------------------------------------
// (a) Special tokens

/**
 * The Qwen tokens plus the template's own stop strings, without empty ones.
 *
 * Qwen2.5-Coder's control tokens are stripped whatever the template: Ollama's `stop` option should end
 * generation at them, but a template without `stop`, an older server or a fine-tune that spells them
 * out as text lets them through, and then they show up in the editor (continue#3852, vim-tabby#19).
 */
export function stopStrings(stopTokens: readonly string[]): string[] {
  return [...new Set([...QWEN_SPECIAL_TOKENS, ...stopTokens])].filter((t) => t.length > 0);
}

/** Index of the first stop string in `text` at or after `from`, or -1. */
export function findStopString(text: string, stops: readonly string[], from = 0): number {
  let first = -1;
  for (const stop of stops) {
    const at = text.indexOf(stop, from);
    if (at !== -1 && (first === -1 || at < first)) first = at;
  }
  return first;
}

/** (a) Cuts at the first special token or stop string: whatever follows belongs to another file or turn. */
export function stripSpecialTokens(text: string, stopTokens: readonly string[]): string {
  const at = findStopString(text, stopStrings(stopTokens));
  return at === -1 ? text : text.slice(0, at);
}

// ---------------------------------------------------------------------------------------------
// (b) Markdown code fences

/** A fence line that opens a block: three backticks and an optional language tag. */
export const OPENING_FENCE = /^[ \t]*```[\w#+.-]*[ \t]*$/;
/** A fence line that closes a block. */
export const CLOSING_FENCE = /^[ \t]*```[ \t]*$/;

const MARKDOWN_LIKE = new Set(['markdown', 'mdx', 'quarto', 'rmd']);

/**
 * Whether a fence in the completion is noise. In Markdown, or when the cursor sits inside a fenced
 * example (a docstring or comment holding Markdown), a fence is what the user is writing.
 */
export function fencesAreNoise(ctx: Pick<CompletionContext, 'prefix' | 'languageId'>): boolean {
  if (MARKDOWN_LIKE.has(ctx.languageId)) return false;
  return (ctx.prefix.match(/^[ \t]*```/gm)?.length ?? 0) % 2 === 0;
}

/**
 * (b) Drops a leading ```lang line and everything from the next fence line on. Chat-tuned or
 * confused models answer in Markdown; the fence lines are never code, and what follows a closing
 * fence is prose about the code.
 */
export function stripCodeFences(text: string, ctx: Pick<CompletionContext, 'prefix' | 'languageId'>): string {
  if (!text.includes('```') || !fencesAreNoise(ctx)) return text;
  let lines = text.split('\n');
  const first = lines.findIndex((l) => !isBlank(l));
  const fenceLine = first === -1 ? undefined : lines[first];
  if (fenceLine !== undefined && OPENING_FENCE.test(stripCr(fenceLine))) {
    lines.splice(first, 1);
    // A fence right at an indented cursor is followed by code indented for the file, which the
    // cursor's own indentation would double.
    const linePrefix = currentLinePrefix(ctx.prefix);
    const next = lines[first];
    if (first === 0 && next !== undefined && linePrefix !== '' && isBlank(linePrefix) && next.startsWith(linePrefix)) {
      lines[0] = next.slice(linePrefix.length);
    }
  }
  const closing = lines.findIndex((l) => CLOSING_FENCE.test(stripCr(l)));
  if (closing !== -1) lines = lines.slice(0, closing);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// (c) Single-line mode

/**
 * (c) The first line only: mid-line, users expect the line completed, and a model that keeps going
 * after the newline is guessing at code the user has not asked for.
 */
export function keepFirstLine(text: string): string {
  const newline = text.indexOf('\n');
  return newline === -1 ? text : stripCr(text.slice(0, newline));
}

// ---------------------------------------------------------------------------------------------
// (d) Overlap with the text after the cursor

/**
 * (d) FIM models often retype what already follows the cursor (continue#4721, cody#994): the
 * auto-closed `)` of the same line, or the next lines of the file. Both copies are dropped.
 */
export function dropSuffixOverlap(text: string, ctx: CompletionContext): string {
  const withoutLines = ctx.multiline ? dropSuffixLineOverlap(text, ctx.suffix) : text;
  return dropSameLineSuffixOverlap(withoutLines, ctx);
}

/** How many of the suffix's lines below the cursor are compared with the completion. */
const SUFFIX_LINES_COMPARED = 40;

/**
 * (d, lines) Cuts where the completion starts repeating the lines below the cursor: when its
 * trailing lines equal the next non-blank lines of the suffix, or when two or more of them do and
 * the first is more than a closing bracket (the model retyped the file and then went on).
 * Lines are compared with their indentation, so the completion's own `}` is not mistaken for the
 * enclosing block's.
 */
export function dropSuffixLineOverlap(text: string, suffix: string): string {
  const lines = text.split('\n');
  if (lines.length < 2) return text;
  const below = linesBelowCursor(suffix, Math.min(lines.length, SUFFIX_LINES_COMPARED));
  const firstBelow = below[0];
  if (firstBelow === undefined) return text;
  for (let j = 1; j < lines.length; j++) {
    if (lines[j]!.trimEnd() !== firstBelow) continue;
    let matched = 0;
    let k = j;
    while (k < lines.length && matched < below.length) {
      const line = lines[k]!.trimEnd();
      if (line === '') {
        k++;
        continue;
      }
      if (line !== below[matched]) break;
      matched++;
      k++;
    }
    while (k < lines.length && isBlank(lines[k]!)) k++;
    if (k === lines.length || (matched >= 2 && isSubstantial(firstBelow))) return lines.slice(0, j).join('\n');
  }
  return text;
}

/**
 * (d, same line) Drops the completion's end when it repeats the start of the rest of the cursor's
 * line: `foo)` before `)` becomes `foo`. The longest such overlap wins, but only if it is a whole
 * token (no `f` of `foo` shaved off a word) and, when it holds brackets or quotes, only if dropping
 * it leaves the brackets around the cursor better balanced (`bar(x)` before `)` stays whole).
 */
export function dropSameLineSuffixOverlap(text: string, ctx: CompletionContext): string {
  const lineSuffix = firstLineOf(ctx.suffix).trimEnd();
  if (lineSuffix.trim() === '') return text;
  const body = text.trimEnd();
  for (let k = Math.min(lineSuffix.length, body.length); k >= 1; k--) {
    const overlap = lineSuffix.slice(0, k);
    if (overlap.trim() === '' || !body.endsWith(overlap)) continue;
    const kept = body.slice(0, body.length - k);
    if (!isWholeToken(kept, overlap, lineSuffix.slice(k))) continue;
    if (/[()[\]{}'"`]/.test(overlap) && !balancesBetter(kept, body, ctx)) continue;
    return kept;
  }
  return text;
}

function isWholeToken(before: string, overlap: string, after: string): boolean {
  if (/^\w/.test(overlap) && /\w$/.test(before)) return false;
  if (/\w$/.test(overlap) && /^\w/.test(after)) return false;
  // A bare word is dropped only when long enough not to be a coincidence (`x` before `x + 1`).
  return /[^\w\s]/.test(overlap) || overlap.replace(/\s/g, '').length >= 3;
}

// ---------------------------------------------------------------------------------------------
// (e) Repetition

/** A line seen this many times in a row means the model is looping. */
export const REPEAT_LIMIT = 3;
/** How far back in the prefix a replay of the last lines is looked for. */
const REPLAY_WINDOW = 10;

/** (e) Small models loop: on one line, or by replaying the lines just above the cursor. */
export function dropRepetition(text: string, ctx: Pick<CompletionContext, 'prefix'>): string {
  return dropPrefixReplay(dropRepeatedLines(text, ctx), ctx);
}

/**
 * (e, loop) Cuts at the second copy when a non-blank line comes REPEAT_LIMIT times in a row. Two in a
 * row is common in real code (`i++;`), three identical lines at the same indentation rarely is.
 */
export function dropRepeatedLines(text: string, ctx: Pick<CompletionContext, 'prefix'>): string {
  const lines = text.split('\n');
  const linePrefix = currentLinePrefix(ctx.prefix);
  let previous: string | undefined;
  let run = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = (i === 0 ? linePrefix + lines[i]! : lines[i]!).trimEnd();
    if (line.trim() !== '' && line === previous) {
      run++;
      if (run >= REPEAT_LIMIT) return lines.slice(0, i - REPEAT_LIMIT + 2).join('\n');
    } else {
      previous = line.trim() === '' ? undefined : line;
      run = 1;
    }
  }
  return text;
}

/**
 * (e, replay) On an empty line, a completion whose first line retypes one of the last lines above
 * the cursor, and goes on retyping through the line just above, repeats code that is already
 * there: it is dropped. Only the completion's start is checked: the same lines later on (Go's
 * `if err != nil { return err }` after each call) are normal.
 */
export function dropPrefixReplay(text: string, ctx: Pick<CompletionContext, 'prefix'>): string {
  const linePrefix = currentLinePrefix(ctx.prefix);
  if (linePrefix.trim() !== '') return text;
  const tail = lastLinesAbove(ctx.prefix, REPLAY_WINDOW);
  const lines = text.split('\n');
  const full = (i: number): string => (i === 0 ? linePrefix + lines[i]! : lines[i]!).trimEnd();
  let start = 0;
  while (start < lines.length && full(start) === '') start++;
  if (start === lines.length || !isSubstantial(full(start))) return text;
  for (let k = 0; k < tail.length; k++) {
    if (tail[k] !== full(start)) continue;
    let t = k;
    for (let i = start; i < lines.length && t < tail.length; i++) {
      const line = full(i);
      if (line === '') continue;
      if (line !== tail[t]) break;
      t++;
    }
    if (t === tail.length) return lines.slice(0, start).join('\n');
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// (f) Indentation scope

/** What a line of the completion means for the block the cursor is in. */
export type ScopeVerdict = 'inside' | 'end-before' | 'end-after';

/**
 * Follows the completion line by line and says where the cursor's block ends, from indentation
 * alone (it works the same for braces and for Python, and on a line at a time while streaming).
 *
 * The reference indentation is the cursor line's (as completed), or, when the cursor is at the
 * start of an empty line and the completion leaves it empty, that of the first line written. Then:
 * - if the cursor's line has code before the cursor and the next line is deeper, that line opened a
 *   block (`function f() {`, `if x:`, `= [`): the block ends at the first line back at the
 *   reference indentation. A lone closer there (`}`, `});`) is kept unless the suffix already
 *   closes the block; `} else {`, `else:` and the like continue it.
 * - otherwise the completion is writing statements (blocks included) in the cursor's block: it ends
 *   at the first line that dedents below the reference. A lone closer at exactly the indentation
 *   of the line that opened that block is kept unless the suffix closes it already.
 * Blank lines never decide anything.
 */
export class IndentScope {
  private readonly linePrefix: string;
  private index = 0;
  private anchor: number | undefined;
  private mode: 'unknown' | 'opening' | 'flat' = 'unknown';
  private parent: number | undefined;

  constructor(private readonly ctx: Pick<CompletionContext, 'prefix' | 'suffix'>) {
    this.linePrefix = currentLinePrefix(ctx.prefix);
  }

  /** Feeds the completion's next whole line; the first is the rest of the cursor's line. */
  feed(rawLine: string): ScopeVerdict {
    const index = this.index++;
    const line = stripCr(index === 0 ? this.linePrefix + rawLine : rawLine);
    const blank = isBlank(line);
    if (this.anchor === undefined) {
      // An indented empty cursor line already says where its block's statements go.
      if (!blank) this.anchor = indentOf(line);
      else if (index === 0 && this.linePrefix !== '') this.anchor = indentOf(this.linePrefix);
      return 'inside';
    }
    if (blank) return 'inside';
    const indent = indentOf(line);
    // Only text before the cursor can open the block: on an empty line the completion is writing
    // statements, and its first one opening a block (`if x:`) does not make the rest out of scope.
    if (this.mode === 'unknown') this.mode = indent > this.anchor && this.linePrefix.trim() !== '' ? 'opening' : 'flat';
    if (this.mode === 'opening') {
      if (indent > this.anchor) return 'inside';
      if (indent === this.anchor && isBlockContinuation(line)) return 'inside';
      if (indent === this.anchor && isLoneCloser(line)) return this.suffixCloses(line, indent) ? 'end-before' : 'end-after';
      return 'end-before';
    }
    if (indent >= this.anchor) return 'inside';
    if (isLoneCloser(line) && indent === this.parentIndent()) return this.suffixCloses(line, indent) ? 'end-before' : 'end-after';
    return 'end-before';
  }

  /** Indentation of the prefix line that opened the cursor's block, or -1. */
  private parentIndent(): number {
    if (this.parent === undefined) {
      this.parent = -1;
      const anchor = this.anchor ?? 0;
      const prefix = this.ctx.prefix;
      let end = prefix.lastIndexOf('\n');
      while (end > 0) {
        const start = prefix.lastIndexOf('\n', end - 1) + 1;
        const line = stripCr(prefix.slice(start, end));
        if (!isBlank(line) && indentOf(line) < anchor) {
          this.parent = indentOf(line);
          break;
        }
        end = start - 1;
      }
    }
    return this.parent;
  }

  /** Whether the text after the cursor already closes the block that `closer` (at `indent`) would. */
  private suffixCloses(closer: string, indent: number): boolean {
    const key = closerKey(closer);
    const lineSuffix = firstLineOf(this.ctx.suffix).trim();
    if (lineSuffix !== '') return lineSuffix.startsWith(key);
    const next = linesBelowCursor(this.ctx.suffix, 1)[0];
    if (next === undefined) return false;
    const nextIndent = indentOf(next);
    // Deeper means the block's body goes on below the cursor, and the file closes it later.
    return nextIndent > indent || (nextIndent === indent && next.trim().startsWith(key));
  }
}

/** (f) Multi-line mode: stops where the cursor's block ends (see IndentScope). */
export function cutAtScopeEnd(text: string, ctx: Pick<CompletionContext, 'prefix' | 'suffix'>): string {
  const scope = new IndentScope(ctx);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const verdict = scope.feed(lines[i]!);
    if (verdict === 'end-before') return lines.slice(0, i).join('\n');
    if (verdict === 'end-after') return lines.slice(0, i + 1).join('\n');
  }
  return text;
}

/** `}`, `});`, `],`, `</div>` …: a line that only closes brackets, or a JSX/HTML element. */
export function isLoneCloser(line: string): boolean {
  return /^\s*[)\]}][)\]};,]*\s*$/.test(line) || CLOSING_TAG.test(line);
}

const CLOSING_TAG = /^\s*<\/[\w.:-]*>[)\]};,]*\s*$/;

/** What a line that closes the same thing starts with: the bracket, or the whole closing tag. */
function closerKey(closer: string): string {
  const trimmed = closer.trim();
  return CLOSING_TAG.test(trimmed) ? trimmed.slice(0, trimmed.indexOf('>') + 1) : trimmed.charAt(0);
}

/** `} else {`, `} catch (e) {`, `elif x:`: closes one branch of a statement and opens the next. */
export function isBlockContinuation(line: string): boolean {
  return /^\s*[)\]}].*[{([]\s*$/.test(line) || /^\s*(?:else|elif|except|finally)\b.*:\s*(?:#.*)?$/.test(line);
}

// ---------------------------------------------------------------------------------------------
// (g) Brackets

/**
 * (g) Closing brackets must match what is open: small models close the call they are in and then
 * the suffix closes it again, or close a block that was never opened. Needs the prefix scanned
 * with the language's comments and strings; for other languages, or when the scan is unsure (a
 * closer that matched nothing), this step keeps the text.
 */
export function balanceBrackets(text: string, ctx: CompletionContext): string {
  const syntax = bracketSyntaxOf(ctx.languageId);
  if (!syntax) return text;
  const open = scanPrefix(ctx.prefix, syntax);
  if (!open.reliable) return text;
  return cutAtUnopenedCloser(dropClosersTheSuffixRepeats(text, ctx), ctx);
}

/**
 * (g, suffix) Drops closing brackets at the completion's end when the suffix (after whitespace)
 * brings the same closers: of the candidates (drop the last 1, 2, … trailing closers) the one that
 * leaves the fewest brackets mismatched wins, and dropping nothing wins ties.
 */
export function dropClosersTheSuffixRepeats(text: string, ctx: CompletionContext): string {
  const body = text.trimEnd();
  const positions: number[] = [];
  for (let i = body.length - 1; i >= 0; i--) {
    const ch = body.charAt(i);
    if (CLOSERS.has(ch)) positions.push(i);
    else if (!/\s/.test(ch)) break;
  }
  if (positions.length === 0) return text;
  let best = text;
  let bestCost = bracketCost(body, ctx);
  if (bestCost === undefined) return text;
  for (const at of positions) {
    const candidate = body.slice(0, at);
    const cost = bracketCost(candidate, ctx);
    if (cost !== undefined && cost < bestCost) {
      best = candidate;
      bestCost = cost;
    }
  }
  return best;
}

/**
 * (g, unopened) Cuts before the first closer in the completion that closes nothing the prefix or
 * the completion opened (or the wrong kind): past it the model is writing for some other code.
 */
export function cutAtUnopenedCloser(text: string, ctx: Pick<CompletionContext, 'prefix' | 'languageId'>): string {
  const syntax = bracketSyntaxOf(ctx.languageId);
  if (!syntax) return text;
  const open = scanPrefix(ctx.prefix, syntax);
  if (!open.reliable) return text;
  const stack = [...open.stack];
  let cut = -1;
  new CodeScanner(syntax, open.mode).scan(text, (ch, at) => {
    if (cut !== -1) return;
    if (OPENERS.has(ch)) stack.push(ch);
    else if (stack.at(-1) === OPENER_OF[ch]) stack.pop();
    else cut = at;
  });
  return cut === -1 ? text : text.slice(0, cut);
}

/** Whether dropping the end of `full` (leaving `kept`) leaves the brackets around the cursor better matched. */
function balancesBetter(kept: string, full: string, ctx: CompletionContext): boolean {
  const keptCost = bracketCost(kept, ctx);
  const fullCost = bracketCost(full, ctx);
  return keptCost !== undefined && fullCost !== undefined && keptCost < fullCost;
}

/**
 * How badly brackets and quotes would match with `completion` at the cursor: closers that close
 * nothing or the wrong kind, closers of the suffix that would close a bracket the completion opened
 * (stealing it from the prefix's), and a string left open where the suffix's first line was not in
 * one. Undefined when the language or the prefix scan gives nothing to go on.
 */
function bracketCost(completion: string, ctx: Pick<CompletionContext, 'prefix' | 'suffix' | 'languageId'>): number | undefined {
  const syntax = bracketSyntaxOf(ctx.languageId);
  if (!syntax) return undefined;
  const open = scanPrefix(ctx.prefix, syntax);
  if (!open.reliable) return undefined;
  const stack = open.stack.map((ch) => ({ ch, ours: false }));
  let cost = 0;
  const scanner = new CodeScanner(syntax, open.mode);
  scanner.scan(completion, (ch) => {
    if (OPENERS.has(ch)) stack.push({ ch, ours: true });
    else if (stack.at(-1)?.ch === OPENER_OF[ch]) stack.pop();
    else cost++;
  });
  const onSuffix = (ch: string): void => {
    if (OPENERS.has(ch)) {
      stack.push({ ch, ours: false });
      return;
    }
    const top = stack.at(-1);
    if (!top || top.ch !== OPENER_OF[ch]) cost++;
    else {
      // The suffix's closer was meant for a bracket of the prefix; the completion took its place.
      if (top.ours) cost++;
      stack.pop();
    }
  };
  const head = suffixHead(ctx.suffix);
  const newline = head.indexOf('\n');
  const headLine = newline === -1 ? head : head.slice(0, newline);
  scanner.scan(headLine, onSuffix);
  const baseline = new CodeScanner(syntax, open.mode);
  baseline.scan(headLine, () => undefined);
  if (scanner.mode !== baseline.mode) cost++;
  scanner.scan(head.slice(headLine.length), onSuffix);
  return cost;
}

/**
 * What the completion runs into: the rest of the cursor's line (all of it: `sum(█), 6);` closes
 * two calls), then the closers, quotes and separators that start the lines below.
 */
function suffixHead(suffix: string): string {
  const newline = suffix.indexOf('\n');
  if (newline === -1) return suffix;
  const below = /^[\s)\]}'"`;,]*/.exec(suffix.slice(newline, newline + 256))?.[0] ?? '';
  return suffix.slice(0, newline) + below;
}

const OPENERS = new Set(['(', '[', '{']);
const CLOSERS = new Set([')', ']', '}']);
const OPENER_OF: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

interface BracketSyntax {
  lineComment: string;
  blockComment: boolean;
  /** Backtick strings (JS templates, Go raw strings), which may span lines. */
  backtick: boolean;
  /** Python's ''' and """ strings, which may span lines. */
  tripleQuotes: boolean;
}

const C_LIKE: BracketSyntax = { lineComment: '//', blockComment: true, backtick: true, tripleQuotes: false };
const PYTHON: BracketSyntax = { lineComment: '#', blockComment: false, backtick: false, tripleQuotes: true };
const C_LIKE_LANGUAGES = new Set([
  'typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'go', 'rust', 'java', 'c', 'cpp',
  'csharp', 'kotlin', 'swift', 'scala', 'dart', 'json', 'jsonc',
]);

/** Comment and string syntax for the bracket scan; undefined for languages it does not know. */
export function bracketSyntaxOf(languageId: string): BracketSyntax | undefined {
  if (C_LIKE_LANGUAGES.has(languageId)) return C_LIKE;
  if (languageId === 'python') return PYTHON;
  return undefined;
}

type ScanMode = 'code' | 'line-comment' | 'block-comment' | "'" | '"' | '`' | "'''" | '"""';

/**
 * Finds brackets outside comments and strings. Approximate by design (no regex literals, no
 * `${}` inside templates); the prefix scan reports when it met a closer that fit nothing, and then
 * no bracket rule trusts it. Single- and double-quoted strings end at a line break, so a stray
 * quote (a Rust lifetime, an apostrophe in JSX) hides one line at most.
 */
class CodeScanner {
  constructor(
    private readonly syntax: BracketSyntax,
    public mode: ScanMode = 'code',
  ) {}

  scan(text: string, onBracket: (ch: string, at: number) => void): void {
    const s = this.syntax;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charAt(i);
      switch (this.mode) {
        case 'code':
          // Outside strings a backslash escapes only in regex literals (`/\(/`), where brackets are not brackets.
          if (ch === '\\') i++;
          else if (OPENERS.has(ch) || CLOSERS.has(ch)) onBracket(ch, i);
          else if (text.startsWith(s.lineComment, i)) this.mode = 'line-comment';
          else if (s.blockComment && text.startsWith('/*', i)) {
            this.mode = 'block-comment';
            i++;
          } else if (ch === '"' || ch === "'") {
            if (s.tripleQuotes && text.startsWith(ch.repeat(3), i)) {
              this.mode = ch === '"' ? '"""' : "'''";
              i += 2;
            } else this.mode = ch;
          } else if (ch === '`' && s.backtick) this.mode = '`';
          break;
        case 'line-comment':
          if (ch === '\n') this.mode = 'code';
          break;
        case 'block-comment':
          if (text.startsWith('*/', i)) {
            this.mode = 'code';
            i++;
          }
          break;
        case "'":
        case '"':
          if (ch === '\\') i++;
          else if (ch === this.mode || ch === '\n') this.mode = 'code';
          break;
        case '`':
          if (ch === '\\') i++;
          else if (ch === '`') this.mode = 'code';
          break;
        case "'''":
        case '"""':
          if (ch === '\\') i++;
          else if (text.startsWith(this.mode, i)) {
            this.mode = 'code';
            i += 2;
          }
          break;
      }
    }
  }
}

interface PrefixScan {
  /** Brackets open at the cursor, outermost first. */
  stack: string[];
  /** Whether the cursor is in code, a comment or a string. */
  mode: ScanMode;
  /** False once a closer matched nothing: then the scan misread something and the stack is a guess. */
  reliable: boolean;
}

// Steps (d) and (g) each ask for the same prefix's scan; one entry is enough to scan it once.
let lastScan: { prefix: string; syntax: BracketSyntax; scan: PrefixScan } | undefined;

function scanPrefix(prefix: string, syntax: BracketSyntax): PrefixScan {
  if (lastScan?.prefix === prefix && lastScan.syntax === syntax) return lastScan.scan;
  const stack: string[] = [];
  let reliable = true;
  const scanner = new CodeScanner(syntax);
  scanner.scan(prefix, (ch) => {
    if (OPENERS.has(ch)) stack.push(ch);
    else if (stack.at(-1) === OPENER_OF[ch]) stack.pop();
    else {
      reliable = false;
      const match = stack.lastIndexOf(OPENER_OF[ch] ?? '');
      if (match !== -1) stack.length = match;
    }
  });
  const scan = { stack, mode: scanner.mode, reliable };
  lastScan = { prefix, syntax, scan };
  return scan;
}

// ---------------------------------------------------------------------------------------------
// (h) Whitespace

/** (h) Trailing whitespace is noise in ghost text; a completion of whitespace alone shows nothing. */
export function trimCompletion(text: string): string {
  const trimmed = text.trimEnd();
  return trimmed.trim() === '' ? '' : trimmed;
}

// ---------------------------------------------------------------------------------------------
// Line helpers

/** The cursor's line up to the cursor. */
export function currentLinePrefix(prefix: string): string {
  return prefix.slice(prefix.lastIndexOf('\n') + 1);
}

function firstLineOf(text: string): string {
  const newline = text.indexOf('\n');
  return stripCr(newline === -1 ? text : text.slice(0, newline));
}

/** Up to `max` non-blank lines of the suffix after the cursor's line, without line-end whitespace. */
function linesBelowCursor(suffix: string, max: number): string[] {
  const found: string[] = [];
  let start = suffix.indexOf('\n') + 1;
  while (start > 0 && start <= suffix.length && found.length < max) {
    const end = suffix.indexOf('\n', start);
    const line = suffix.slice(start, end === -1 ? suffix.length : end).trimEnd();
    if (line !== '') found.push(line);
    if (end === -1) break;
    start = end + 1;
  }
  return found;
}

/** The last `max` non-blank lines before the cursor's line, in document order, without line-end whitespace. */
function lastLinesAbove(prefix: string, max: number): string[] {
  const found: string[] = [];
  let end = prefix.lastIndexOf('\n');
  while (end >= 0 && found.length < max) {
    const start = end === 0 ? 0 : prefix.lastIndexOf('\n', end - 1) + 1;
    const line = prefix.slice(start, end).trimEnd();
    if (line !== '') found.unshift(line);
    if (start === 0) break;
    end = start - 1;
  }
  return found;
}

/** Columns of leading whitespace; a tab counts 4, which only matters in files that mix them. */
export function indentOf(line: string): number {
  let columns = 0;
  for (const ch of line) {
    if (ch === ' ') columns++;
    else if (ch === '\t') columns += 4;
    else break;
  }
  return columns;
}

/** More than punctuation: a line whose repeat means something (`return err`, not `}`). */
function isSubstantial(line: string): boolean {
  const t = line.trim();
  return t.length >= 5 && /\w/.test(t);
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

/** A line without its trailing `\r`. */
export function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
