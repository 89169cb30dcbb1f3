/**
 * Reading a refactor answer defensively. The model is asked for the rewritten code in one fenced block
 * (and a new file's path on the line before its block), but small local models add prose around it,
 * leave the fence out, answer with a unified diff whose line numbers are wrong, or leave code out with
 * "// … rest unchanged". Markdown is read with `marked` (CommonMark fences, an unclosed fence running
 * to the end as a cut answer's does) and diffs are applied with `diff` (jsdiff), which finds a hunk
 * wherever its lines are, whatever the header says.
 */
import { applyPatch, parsePatch } from 'diff';
import { lexer, type Token, type Tokens } from 'marked';
import { linesOf } from '../edits/lineEdit';
import type { LineRange } from '../edits/lineEdit';

export interface AnswerContext {
  /** The file being refactored, workspace-relative. */
  file: string;
  fileText: string;
  /** The lines being rewritten. */
  target: LineRange;
}

export type ParsedAnswer =
  | {
      ok: true;
      /** The new text of the target lines; undefined when the answer only has other files (tests). */
      code: string | undefined;
      /** Blocks the answer put under another file's path, in order. */
      files: Array<{ path: string; text: string }>;
      /** How the answer was written: a fenced block, a diff, or bare code. */
      form: 'fenced' | 'diff' | 'bare';
    }
  | { ok: false; error: string };

interface Block {
  code: string;
  lang: string;
  path?: string;
}

/** Comments that stand for code the model left out ("// … rest unchanged"); pasting them would delete that code. */
const ELISIONS = [
  /^(?:\/\/|#|\/\*+|--|<!--)\s*(?:\.{3}|…)\s*(?:\*\/|-->)?$/,
  /^(?:\/\/|#|\/\*+|--|<!--)\s*(?:\.{3}|…)?\s*\(?(?:the\s+)?(?:rest|remaining|existing|other|unchanged|same as|previous)\b/i,
];

export function parseRefactorAnswer(raw: string, context: AnswerContext): ParsedAnswer {
  const blocks = fencedBlocks(raw);
  const own = (path: string | undefined) => !path || samePath(path, context.file);
  const files = dedupe(blocks.filter((b) => !own(b.path)).map((b) => ({ path: normalizePath(b.path!), text: b.code })));
  const main = blocks.find((b) => own(b.path));

  let code: string | undefined;
  let form: 'fenced' | 'diff' | 'bare' = 'fenced';
  if (main) {
    code = main.code;
  } else if (blocks.length === 0) {
    code = stripProse(raw);
    form = 'bare';
  }
  if (code !== undefined && (/^(?:diff|patch|udiff)$/i.test(main?.lang ?? '') || looksLikeDiff(code))) {
    const applied = applyAnswerDiff(code, context);
    if (!applied.ok) return applied;
    code = applied.text;
    form = 'diff';
  }
  if ((code === undefined || !code.trim()) && files.length === 0) return { ok: false, error: 'the answer has no code' };
  const elided = elision([code ?? '', ...files.map((f) => f.text)].join('\n'), context.fileText);
  if (elided) return { ok: false, error: `the answer leaves code out ("${elided}"); the complete code is needed` };
  return { ok: true, code: code?.trim() ? code : undefined, files, form };
}

/** The first comment line of `text` that stands for left-out code and is not in the file already. */
function elision(text: string, fileText: string): string | undefined {
  const existing = new Set(fileText.split(/\r?\n/).map((l) => l.trim()));
  return text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => ELISIONS.some((re) => re.test(l)) && !existing.has(l));
}

/**
 * The code so far of an answer still streaming, for a live preview: the inside of its first fence (or
 * the bare text, prose dropped). Undefined while nothing showable has arrived, and for diffs.
 */
export function partialCode(snapshot: string): string | undefined {
  const opener = /^[ \t]*(`{3,}|~{3,})([^\n]*)\n/m.exec(snapshot);
  if (!opener) {
    if (/^\s*(?:`|~)/.test(snapshot) || !snapshot.includes('\n')) return undefined;
    const bare = stripProse(snapshot.slice(0, snapshot.lastIndexOf('\n')));
    return bare && !looksLikeDiff(bare) ? bare : undefined;
  }
  if (/^\s*(?:diff|patch)\b/i.test(opener[2] ?? '')) return undefined;
  const body = snapshot.slice(opener.index + opener[0].length);
  const fence = opener[1]!;
  const close = new RegExp(`^[ \\t]*${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \\t]*$`, 'm').exec(body);
  const code = close ? body.slice(0, close.index) : body.slice(0, Math.max(0, body.lastIndexOf('\n')));
  return code.replace(/\n$/, '');
}

/** Every fenced code block, in order, with the path the line before it names (`src/a.test.ts`, **File: x.py**). */
function fencedBlocks(raw: string): Block[] {
  const blocks: Block[] = [];
  const walk = (tokens: readonly Token[]) => {
    let previous: Token | undefined;
    for (const token of tokens) {
      if (token.type === 'code' && (token as Tokens.Code).codeBlockStyle !== 'indented') {
        const code = token as Tokens.Code;
        const [lang = '', ...info] = (code.lang ?? '').split(/\s+/);
        const path = pathIn(info.join(' ')) ?? pathIn(lang.includes(':') ? lang.slice(lang.indexOf(':') + 1) : '') ?? (previous ? pathIn(lastLine(previous.raw)) : undefined);
        blocks.push({ code: code.text, lang: lang.split(':')[0]!, ...(path ? { path } : {}) });
      } else if ('tokens' in token && Array.isArray(token.tokens) && token.type !== 'paragraph') {
        walk(token.tokens);
      } else if (token.type === 'list') {
        for (const item of (token as Tokens.List).items) walk(item.tokens);
      }
      if (token.type !== 'space') previous = token;
    }
  };
  walk(lexer(raw));
  return blocks;
}

/** A path written on its own: `src/a.test.ts`, `**File: tests/test_a.py**`, `title="a.go"`, `// a.ts`. */
function pathIn(text: string): string | undefined {
  const cleaned = text
    .trim()
    .replace(/^(?:#+|\/\/|#)\s*/, '')
    .replace(/[*_`"']/g, '')
    .replace(/^(?:title|file(?:name)?|path)\s*[:=]\s*/i, '')
    .replace(/:\s*$/, '')
    .trim();
  return /^(?:\.\/)?[\w@.-]+(?:\/[\w@.-]+)*\.[A-Za-z0-9]{1,6}$/.test(cleaned) ? cleaned : undefined;
}

function lastLine(text: string): string {
  return text.trimEnd().split('\n').at(-1) ?? '';
}

function normalizePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^\.\//, '');
}

function samePath(a: string, b: string): boolean {
  const x = normalizePath(a);
  const y = normalizePath(b);
  return x === y || y.endsWith(`/${x}`);
}

function dedupe(files: Array<{ path: string; text: string }>): Array<{ path: string; text: string }> {
  const seen = new Map<string, { path: string; text: string }>();
  for (const f of files) seen.set(f.path, f);
  return [...seen.values()];
}

/**
 * An answer without a fence: its code, with prose lines before and after dropped ("Here is the
 * simplified function:", "This version avoids …"). What is left is checked by the syntax gate.
 */
function stripProse(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let start = 0;
  let end = lines.length;
  while (start < end && (isProse(lines[start]!) || !lines[start]!.trim())) start++;
  while (end > start && (isProse(lines[end - 1]!) || !lines[end - 1]!.trim())) end--;
  return lines.slice(start, end).join('\n');
}

/** A sentence, not code: several words, a capital first, no code punctuation, ending like a sentence. */
function isProse(line: string): boolean {
  const t = line.trim();
  return /^[A-Z][a-z']*\b/.test(t) && t.split(/\s+/).length >= 4 && !/[;{}]|\s=\s|=>/.test(t) && /[:.!]$/.test(t);
}

function looksLikeDiff(text: string): boolean {
  const lines = text.split('\n');
  if (lines.some((l) => /^@@ .*@@/.test(l) || l.startsWith('diff --git '))) return true;
  return lines.some((l) => l.startsWith('--- ')) && lines.some((l) => l.startsWith('+++ '));
}

/**
 * The target's new text from a diff the model wrote: each hunk found by its lines (the header's numbers
 * and counts are often wrong and are recomputed), applied to the target, or to the file when its context
 * reaches outside the target, as long as nothing outside the target changes.
 */
export function applyAnswerDiff(diff: string, context: AnswerContext): { ok: true; text: string } | { ok: false; error: string } {
  const patch = normalizeDiff(diff);
  if (!patch) return { ok: false, error: 'the answer is a diff without changes' };
  // Indentation may differ between the model's context lines and the file (re-indentation comes later).
  const compareLine = (_n: number, line: string | undefined, _op: string, patchContent: string) => line !== undefined && line.trim() === patchContent.trim();
  let parsed;
  try {
    parsed = parsePatch(patch);
  } catch (error) {
    return { ok: false, error: `the answer's diff could not be read (${(error as Error).message})` };
  }
  const original = linesOf(context.fileText, context.target.startLine, context.target.endLine);
  const onTarget = applyPatch(original, parsed[0]!, { fuzzFactor: 2, compareLine });
  if (onTarget !== false) return { ok: true, text: onTarget };
  const normalized = context.fileText.replace(/\r\n/g, '\n');
  const onFile = applyPatch(normalized, parsed[0]!, { fuzzFactor: 2, compareLine });
  if (onFile === false) return { ok: false, error: "the answer's diff does not match the code (its removed lines are not there)" };
  const before = normalized.split('\n');
  const after = onFile.split('\n');
  const head = context.target.startLine - 1;
  const tail = before.length - context.target.endLine;
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((l, i) => l === b[i]);
  if (after.length < head + tail || !same(before.slice(0, head), after.slice(0, head)) || !same(before.slice(before.length - tail), after.slice(after.length - tail))) {
    return { ok: false, error: "the answer's diff changes lines outside the code to rewrite" };
  }
  return { ok: true, text: after.slice(head, after.length - tail).join('\n') };
}

/** One well-formed hunk list from what the model wrote: file headers dropped, hunk counts recomputed. */
function normalizeDiff(diff: string): string | undefined {
  const lines = diff.replace(/\r\n?/g, '\n').split('\n');
  const hunks: Array<{ start: number; body: string[] }> = [];
  for (const line of lines) {
    if (/^(?:diff --git |index |--- |\+\+\+ |new file mode|deleted file mode)/.test(line)) continue;
    const header = /^@@\s*-?(\d+)?/.exec(line);
    if (header) {
      hunks.push({ start: Number(header[1] ?? 1) || 1, body: [] });
      continue;
    }
    if (line.startsWith('\\')) continue;
    if (!hunks.length) hunks.push({ start: 1, body: [] });
    // A context line whose leading space the model dropped (blank lines, mostly) is still context.
    hunks.at(-1)!.body.push(/^[-+ ]/.test(line) ? line : ` ${line}`);
  }
  const kept = hunks
    .map((h) => ({ ...h, body: trimContext(h.body) }))
    .filter((h) => h.body.some((l) => l[0] === '+' || l[0] === '-'));
  if (!kept.length) return undefined;
  const out = ['--- a', '+++ b'];
  for (const h of kept) {
    const removed = h.body.filter((l) => l[0] !== '+').length;
    const added = h.body.filter((l) => l[0] !== '-').length;
    out.push(`@@ -${h.start},${removed} +${h.start},${added} @@`, ...h.body);
  }
  return `${out.join('\n')}\n`;
}

/** Blank context lines at a hunk's end are usually the model's trailing newline, not the file's. */
function trimContext(body: string[]): string[] {
  const out = [...body];
  while (out.length && out.at(-1)!.trim() === '') out.pop();
  return out;
}
