/**
 * The debug prompt: the error, the stack listing, numbered windows of source around the frames, and what
 * else fits (files a diagnostic names, recent edits, definitions), within a token budget. It records which
 * lines it showed, because those are the only lines a fix may replace.
 */
import { redactSecrets } from '../privacy/redact';
import { normalizePath } from '../tiers/locatedItems';
import { mergeRanges, numberedLine, type ContextDefinition } from '../review/prompt';
import { CHARS_PER_TOKEN, estimateTokens } from '../tokens';
import type { LineRange } from '../edits/lineEdit';
import type { ParsedError, StackFrame } from './stackTrace';

export interface DebugFrameInput {
  /** Workspace-relative, as resolveFrames gives it. */
  relPath: string;
  line: number;
  column?: number;
  functionName?: string;
  /** The whole file, already redacted. */
  source: string;
}

export interface DebugInput {
  error: ParsedError;
  /** The frames in the user's code with their files' text, innermost first: the first get the most room. */
  frames: readonly DebugFrameInput[];
  /** Files to show besides the frames', e.g. the file a diagnostic is in (already redacted). */
  extraFiles?: ReadonlyArray<{ path: string; text: string }>;
  /** A unified diff of recent edits (already redacted): new bugs are usually in new code. */
  recentEdits?: string;
  /** Definitions the frames' code uses, from the context engine. */
  context?: readonly ContextDefinition[];
}

export interface DebugRequestOptions {
  /** Most (estimated) tokens of error, source, edits and definitions in the request. */
  maxInputTokens: number;
  /** Lines shown either side of a frame; the two innermost frames get twice as many. Default 20. */
  windowLines?: number;
}

/** A file as Claude saw it: the lines shown are the only ones a fix may replace. */
export interface SentSource {
  path: string;
  lineCount: number;
  /** Merged, sorted, 1-based inclusive. */
  ranges: Array<{ startLine: number; endLine: number }>;
}

const INSTRUCTIONS = `You are an expert debugger helping a colleague find out why their program fails.
You get the error, its stack trace (innermost frame first; frames in dependencies and the runtime are listed but
their source is not shown), the source around the frames in the colleague's code with lines numbered as in their
editor, and sometimes their recent edits (a unified diff) and definitions from other files.
Find the root cause, not only the line that failed: follow the values back through the frames and the recent edits,
and say what is wrong and why in rootCause. In explanation, walk through how the error arises, citing files and line
numbers as given. Give summary as one short line.
Propose fixes only in files shown in a <source> tag and only for lines shown there: the file path exactly as given,
startLine and endLine as numbered (1-based, inclusive), and in replacement the complete new text of those lines with
their indentation and without line numbers (an empty replacement deletes them; to insert, replace a neighbouring line
with itself plus the new lines). Keep each fix minimal and independent of the others, and give your confidence from
0 to 1. If the cause lies in code or data you were not shown, say where to look and return no fixes rather than guess.
Answer with JSON only.`;

/** Frames expanded into source windows at most; the rest of the trace is listed. */
const MAX_EXPANDED_FRAMES = 8;
/** Lines of the trace listing at most (runs of library frames are collapsed before this applies). */
const MAX_LISTED_FRAMES = 40;
/** Tokens kept back for the request's fixed words and the separators between sections. */
const RESERVED_TOKENS = 48;

/**
 * The debug prompt (instructions and one user message), and which lines of which files it shows: what
 * checkDebugAnswer lets fixes touch.
 */
export function composeDebugRequest(input: DebugInput, options: DebugRequestOptions): { system: string; prompt: string; sent: SentSource[] } {
  const radius = Math.max(1, options.windowLines ?? 20);
  let budget = options.maxInputTokens - RESERVED_TOKENS;
  const sections: string[] = [];
  const push = (section: string) => {
    sections.push(section);
    budget -= estimateTokens(section) + 1;
  };

  // The error text comes from a terminal, unredacted: a connection string in a message is common.
  const message = redactSecrets(input.error.message).text;
  push(`<error format="${input.error.language}">\n${fitText(message, Math.floor(budget * 0.1))}\n</error>`);
  for (const cause of input.error.causes.slice(0, 3)) {
    if (budget <= 0) break;
    push(`<caused-by>\n${fitText(redactSecrets(cause).text, Math.floor(budget * 0.05))}\n</caused-by>`);
  }

  // The listing marks the frames whose source follows, so it is written after the windows are chosen;
  // its room is set aside first, at the larger of its two extremes (no frame shown, every frame shown).
  const expanded = distinctFrames(input.frames).slice(0, MAX_EXPANDED_FRAMES);
  const stackSection = (shown: readonly DebugFrameInput[], maxTokens: number) => {
    const listing = stackListing(input.error.frames, shown);
    return listing ? `<stack innermost-first="true">\n${fitText(redactSecrets(listing).text, maxTokens - 16)}\n</stack>` : '';
  };
  const stackRoom = Math.min(
    Math.floor(Math.max(0, budget) * 0.15),
    Math.max(estimateTokens(stackSection([], Infinity)), estimateTokens(stackSection(expanded, Infinity))) + 2,
  );

  const hasMore = Boolean(input.extraFiles?.length || input.recentEdits || input.context?.length);
  const sent: SentSource[] = [];
  const sources = sourceWindows(expanded, radius, Math.floor(Math.max(0, budget - stackRoom) * (hasMore ? 0.7 : 1)));
  const stack = stackRoom > 24 ? stackSection(sources.shown, stackRoom) : '';
  if (stack) push(stack);
  for (const file of sources.files) {
    push(file.text);
    sent.push(file.sent);
  }

  const extras = (input.extraFiles ?? []).filter((f) => !sent.some((s) => s.path === normalizePath(f.path)));
  for (const extra of extras) {
    const share = Math.floor(Math.max(0, budget) * ((input.recentEdits || input.context?.length ? 0.5 : 1) / extras.length));
    const file = extraFileExcerpt(extra, input.error.frames, radius * 2, share);
    if (!file) continue;
    push(file.text);
    sent.push(file.sent);
  }

  if (input.recentEdits && budget > 64) {
    const share = Math.floor(budget * (input.context?.length ? 0.6 : 1)) - 16;
    push(`<recent-edits>\n${fitText(input.recentEdits, share)}\n</recent-edits>`);
  }

  const definitionsHeader = 'Definitions the code uses, from other files (for understanding; fixes may not touch them):';
  const definitions: string[] = [];
  for (const d of input.context ?? []) {
    const text = `<definition file="${d.file}" lines="${d.startLine}-${d.endLine}">\n${d.text}\n</definition>`;
    const cost = estimateTokens(text) + 1 + (definitions.length ? 0 : estimateTokens(definitionsHeader) + 1);
    if (cost > budget) continue;
    budget -= cost;
    definitions.push(text);
  }
  if (definitions.length) sections.push(`${definitionsHeader}\n${definitions.join('\n')}`);

  return { system: INSTRUCTIONS, prompt: `Debug this error.\n\n${sections.join('\n\n')}`, sent };
}

/** One entry per place (a recursion lists the same line many times), innermost first. */
function distinctFrames(frames: readonly DebugFrameInput[]): DebugFrameInput[] {
  const seen = new Map<string, DebugFrameInput>();
  const out: DebugFrameInput[] = [];
  for (const frame of frames) {
    const relPath = normalizePath(frame.relPath);
    const key = `${relPath}:${frame.line}`;
    const twin = seen.get(key);
    if (twin) {
      // V8 lists an anonymous callback and its caller on the same line; keep the name that says something.
      if (!twin.functionName && frame.functionName) twin.functionName = frame.functionName;
      continue;
    }
    const kept = { ...frame, relPath };
    seen.set(key, kept);
    out.push(kept);
  }
  return out;
}

/**
 * The whole trace, one line per frame: what the model needs of dependency and runtime frames is that
 * they are there. Frames whose source follows are named by their workspace path, so the two line up.
 */
function stackListing(frames: readonly StackFrame[], expanded: readonly DebugFrameInput[]): string {
  const lines: string[] = [];
  let libraryRun = 0;
  const flushRun = () => {
    if (libraryRun > 0) lines.push(`  … ${libraryRun} more library frame${libraryRun === 1 ? '' : 's'}`);
    libraryRun = 0;
  };
  let previousLibrary = 0;
  frames.forEach((frame, index) => {
    if (frame.library) {
      // Two library frames in a row say where the user's code called into a dependency; the rest of the run says nothing more.
      if (previousLibrary >= 2) {
        libraryRun++;
        return;
      }
      previousLibrary++;
    } else {
      flushRun();
      previousLibrary = 0;
    }
    const shown = expanded.find((e) => e.line === frame.line && sameFile(frame.file, e.relPath));
    const place = `${shown ? shown.relPath : shortLibraryPath(frame.file)}:${frame.line}${frame.column ? `:${frame.column}` : ''}`;
    const tag = shown ? ' (source below)' : frame.internal ? ' [runtime]' : frame.library ? ' [library]' : '';
    const note = frame.message ? ` — ${frame.message}` : '';
    lines.push(`#${index} ${frame.functionName ? `${frame.functionName} ` : ''}at ${place}${tag}${note}`);
  });
  flushRun();
  if (lines.length > MAX_LISTED_FRAMES) {
    const dropped = lines.length - MAX_LISTED_FRAMES;
    return [...lines.slice(0, MAX_LISTED_FRAMES), `  … ${dropped} more frames`].join('\n');
  }
  return lines.join('\n');
}

/**
 * Numbered windows around the frames, per file, within `maxTokens`. Room is handed out in rounds, each in
 * frame order: the two innermost frames ±radius, every other frame ±5 lines, then ±radius, then the two
 * innermost ±2·radius. A tight budget still shows where the error arose with some context and then as
 * many callers as fit, briefly; a deep trace's outer frames are the ones left out.
 */
function sourceWindows(
  frames: readonly DebugFrameInput[],
  radius: number,
  maxTokens: number,
): { files: Array<{ text: string; sent: SentSource }>; shown: DebugFrameInput[] } {
  const files = new Map<string, { lines: string[]; width: number; ranges: LineRange[]; frames: DebugFrameInput[] }>();
  let used = 0;
  const rounds = [
    { r: radius, from: 0, to: 2, admit: true },
    { r: Math.min(5, radius), from: 2, to: Infinity, admit: true },
    { r: radius, from: 2, to: Infinity, admit: false },
    { r: radius * 2, from: 0, to: 2, admit: false },
  ];
  for (const { r, from, to, admit } of rounds) {
    frames.forEach((frame, rank) => {
      if (rank < from || rank >= to) return;
      let file = files.get(frame.relPath);
      const isNew = !file?.frames.includes(frame);
      // A frame left out of its first round stays out: the later rounds only widen.
      if (isNew && !admit) return;
      const lines = file?.lines ?? frame.source.split(/\r?\n/);
      if (frame.line < 1 || frame.line > lines.length) return;
      const width = String(lines.length).length;
      const tag = file ? 0 : estimateTokens(`<source path="${frame.relPath}" frame-lines="">\n</source>`) + 8;
      const mark = isNew ? estimateTokens(`${frame.line} (${frame.functionName ?? ''}), `) : 0;
      // A frame's first window narrows until it fits; widening an existing one is all or nothing.
      for (let tryR = r; tryR >= 1; tryR = isNew ? Math.floor(tryR / 2) : 0) {
        const range = { startLine: Math.max(1, frame.line - tryR), endLine: Math.min(lines.length, frame.line + tryR) };
        const added = newLines(file?.ranges ?? [], range);
        const cost = tag + mark + added.reduce((sum, n) => sum + estimateTokens(`${numberedLine(n, width, lines[n - 1]!)}\n`), 0) + (added.length ? 2 : 0);
        if (used + cost > maxTokens) continue;
        used += cost;
        if (!file) {
          file = { lines, width, ranges: [], frames: [] };
          files.set(frame.relPath, file);
        }
        file.ranges = mergeRanges([...file.ranges, range]);
        if (isNew) file.frames.push(frame);
        return;
      }
    });
  }
  const shown = [...files.values()].flatMap((f) => f.frames);
  const rendered = [...files].map(([path, file]) => {
    const body = file.ranges.map((r) => renderLines(file.lines, r, file.width)).join('\n…\n');
    const marks = file.frames.map((f) => (f.functionName ? `${f.line} (${escapeAttribute(f.functionName)})` : String(f.line))).join(', ');
    return {
      text: `<source path="${path}" frame-lines="${marks}">\n${body}\n</source>`,
      sent: { path, lineCount: file.lines.length, ranges: file.ranges },
    };
  });
  return { files: rendered, shown };
}

/**
 * A file shown besides the frames' (the one a diagnostic is in): whole when it fits, else windows around
 * the trace's locations in it, else its beginning.
 */
function extraFileExcerpt(
  extra: { path: string; text: string },
  traceFrames: readonly StackFrame[],
  radius: number,
  maxTokens: number,
): { text: string; sent: SentSource } | undefined {
  const path = normalizePath(extra.path);
  const lines = extra.text.split(/\r?\n/);
  const width = String(lines.length).length;
  const open = `<source path="${path}">\n`;
  const close = '\n</source>';
  const room = maxTokens - estimateTokens(open + close) - 4;
  if (room <= 0) return undefined;
  const wrap = (ranges: LineRange[]) => ({
    text: `${open}${ranges.map((r) => renderLines(lines, r, width)).join('\n…\n')}${close}`,
    sent: { path, lineCount: lines.length, ranges },
  });
  const whole = [{ startLine: 1, endLine: lines.length }];
  if (estimateTokens(renderLines(lines, whole[0]!, width)) <= room) return wrap(whole);

  const targets = traceFrames.filter((f) => sameFile(f.file, path) && f.line >= 1 && f.line <= lines.length);
  const ranges: LineRange[] = [];
  let used = 0;
  for (const f of targets) {
    const range = { startLine: Math.max(1, f.line - radius), endLine: Math.min(lines.length, f.line + radius) };
    const cost = newLines(ranges, range).reduce((sum, n) => sum + estimateTokens(`${numberedLine(n, width, lines[n - 1]!)}\n`), 0) + 2;
    if (used + cost > room) break;
    used += cost;
    ranges.splice(0, ranges.length, ...mergeRanges([...ranges, range]));
  }
  if (ranges.length) return wrap(ranges);

  let end = 0;
  let cost = 0;
  while (end < lines.length) {
    cost += estimateTokens(`${numberedLine(end + 1, width, lines[end]!)}\n`);
    if (cost > room) break;
    end++;
  }
  return end > 0 ? wrap([{ startLine: 1, endLine: end }]) : undefined;
}

function renderLines(lines: readonly string[], range: LineRange, width: number): string {
  const out: string[] = [];
  for (let n = range.startLine; n <= range.endLine; n++) out.push(numberedLine(n, width, lines[n - 1]!));
  return out.join('\n');
}

/** Line numbers of `range` not yet in `ranges`. */
function newLines(ranges: readonly LineRange[], range: LineRange): number[] {
  const out: number[] = [];
  for (let n = range.startLine; n <= range.endLine; n++) if (!ranges.some((r) => n >= r.startLine && n <= r.endLine)) out.push(n);
  return out;
}

/** Whether a path as printed in a trace (absolute, `./`, backslashes) names a workspace-relative path. */
function sameFile(traced: string, relPath: string): boolean {
  const a = normalizePath(traced.replace(/^file:\/\/\/?/, ''));
  const b = normalizePath(relPath);
  return a === b || a.endsWith(`/${b}`);
}

/** `/home/me/app/node_modules/express/lib/router.js` → `node_modules/express/lib/router.js`: the rest is noise. */
function shortLibraryPath(file: string): string {
  const p = file.replace(/\\/g, '/');
  const at = Math.max(p.lastIndexOf('/node_modules/'), p.lastIndexOf('/site-packages/'), p.lastIndexOf('/pkg/mod/'));
  return at >= 0 ? p.slice(at + 1) : file;
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts text to a token budget at a line boundary, saying so. */
function fitText(text: string, maxTokens: number): string {
  if (estimateTokens(text) <= maxTokens) return text;
  const note = (n: number) => `… (${n} more lines not shown)`;
  const lines = text.split('\n');
  const kept: string[] = [];
  let used = estimateTokens(note(lines.length)) + 1;
  for (const line of lines) {
    used += estimateTokens(`${line}\n`);
    if (used > maxTokens) break;
    kept.push(line);
  }
  if (kept.length === 0) {
    // One long line (a minified bundle's message): keep its beginning rather than nothing.
    const chars = Math.max(0, Math.floor((maxTokens - estimateTokens(note(lines.length))) * CHARS_PER_TOKEN) - 8);
    return chars > 0 ? `${text.slice(0, chars)}…` : note(lines.length);
  }
  return `${kept.join('\n')}\n${note(lines.length - kept.length)}`;
}
