/**
 * The refactor prompt: the task, the code to rewrite last (nearest the answer, where small models attend
 * most), and before it, for reference, the definitions it uses from other files and the file around it,
 * within a token budget. The instructions never change between requests, so the Claude tier caches them.
 */
import { fenced } from '../markdown/fence';
import type { ContextDefinition } from '../review/prompt';
import { estimateTokens } from '../tokens';
import { instructionFor, presetById, type PresetId } from './presets';
import type { LineRange } from '../edits/lineEdit';
import type { RefactorTarget } from './target';

export interface RefactorRequest {
  /** Workspace-relative, forward slashes. */
  file: string;
  languageId: string;
  fileText: string;
  target: RefactorTarget;
  /** A preset, free-form instructions, or both (the instructions then add to the preset's). */
  preset?: PresetId;
  instructions?: string;
  /** Write Tests: where the tests go and with what; `existing` is that file's text when it exists. */
  tests?: { path: string; framework: string; existing?: string };
}

export interface RefactorPromptOptions {
  /** Most (estimated) tokens of definitions and surrounding code; the code to rewrite always goes in whole. */
  maxContextTokens: number;
}

export interface RefactorPrompt {
  system: string;
  prompt: string;
  /** The answer's token limit: room for the rewrite (or the tests) with some slack. */
  maxTokens: number;
}

const SYSTEM = `You rewrite code in the user's editor. You get a task, the code to rewrite, and for reference the file around it and definitions the code uses from other files.
Answer with the complete rewritten code in one fenced code block and nothing else: no explanation before or after it, no line numbers, and no placeholder such as "..." or "rest unchanged" standing for code. The block replaces the code to rewrite exactly, so it covers the same declarations and keeps their indentation. You cannot change anything outside it: use only names it can already reach.
When the task asks for code in another file (tests, a new module), write that file's path alone on the line before its block.
Keep the code's behaviour unless the task says to change it.`;

/** Fence info strings by VS Code language id. */
const FENCE: Record<string, string> = { typescriptreact: 'tsx', javascriptreact: 'jsx' };
const NAMES: Record<string, string> = {
  typescript: 'TypeScript', typescriptreact: 'TypeScript (TSX)', javascript: 'JavaScript', javascriptreact: 'JavaScript (JSX)',
  python: 'Python', go: 'Go', rust: 'Rust', java: 'Java', c: 'C', cpp: 'C++',
};

/** The answer's limits: twice the rewritten code plus room, tests three times; never below a useful minimum. */
const ANSWER = { perToken: 2, slack: 256, min: 512, testsPerToken: 3, testsSlack: 1024, testsMin: 1536, max: 8192 };

export function buildRefactorPrompt(request: RefactorRequest, definitions: readonly ContextDefinition[], options: RefactorPromptOptions): RefactorPrompt {
  const { file, languageId, fileText, target } = request;
  const lines = fileText.split(/\r?\n/);
  const fence = FENCE[languageId] ?? languageId;
  const code = lines.slice(target.startLine - 1, target.endLine).join('\n');
  const span = `lines ${target.startLine}-${target.endLine}`;
  let budget = options.maxContextTokens;
  const sections: string[] = [`File: ${file} (${NAMES[languageId] ?? languageId})`];

  const shownDefinitions: string[] = [];
  for (const d of definitions) {
    const text = `<definition file="${d.file}" lines="${d.startLine}-${d.endLine}">\n${d.text}\n</definition>`;
    const cost = estimateTokens(text) + 1;
    // Definitions take at most half: the code right around the target usually says more.
    if (cost > budget - options.maxContextTokens / 2) continue;
    budget -= cost;
    shownDefinitions.push(text);
  }
  if (shownDefinitions.length) sections.push(`Definitions the code uses, from other files (for reference):\n${shownDefinitions.join('\n')}`);

  const existingTests = request.tests?.existing;
  const testsRoom = existingTests ? Math.floor(budget / 3) : 0;
  const around = surroundings(lines, target, budget - testsRoom);
  if (around) sections.push(`The file around the code to rewrite (for reference; the marker stands for that code):\n${fenced(around, fence)}`);

  sections.push(`Code to rewrite (${span} of ${file}):\n${fenced(code, fence)}`);

  const preset = request.preset ? presetById(request.preset) : undefined;
  const task: string[] = [];
  if (preset) task.push(instructionFor(preset, languageId, request.tests?.framework));
  if (request.instructions?.trim()) task.push(preset ? `Also: ${request.instructions.trim()}` : request.instructions.trim());
  sections.push(`Task: ${task.join('\n')}`);

  const focus = target.focus;
  if (preset?.output === 'enclosing') {
    sections.push(focus ? `Lines to extract (${focusSpan(focus)}):\n${fenced(lines.slice(focus.startLine - 1, focus.endLine).join('\n'), fence)}` : 'Extract the part of it that is best given a name of its own.');
  } else if (focus) {
    sections.push(`Concentrate on ${focusSpan(focus)}.`);
  }

  if (request.tests) {
    const where = existingTests ? `${request.tests.path}, which exists: your tests are added at its end, so do not repeat its imports or tests` : `a new file, ${request.tests.path}`;
    sections.push(`The tests go in ${where}. The code under test is in ${file}.`);
    if (existingTests) sections.push(`The beginning of ${request.tests.path}:\n${fenced(headOf(existingTests, testsRoom), fence)}`);
    sections.push(`Answer with the tests in one \`\`\`${fence} block, with the line ${request.tests.path} before it.`);
  } else {
    sections.push(`Answer with the rewritten ${span} in one \`\`\`${fence} block.`);
  }

  const tokens = estimateTokens(code);
  const maxTokens = request.tests
    ? clamp(tokens * ANSWER.testsPerToken + ANSWER.testsSlack, ANSWER.testsMin, ANSWER.max)
    : clamp(tokens * ANSWER.perToken + ANSWER.slack, ANSWER.min, ANSWER.max);
  return { system: SYSTEM, prompt: sections.join('\n\n'), maxTokens };
}

function focusSpan(focus: LineRange): string {
  return focus.startLine === focus.endLine ? `line ${focus.startLine}` : `lines ${focus.startLine}-${focus.endLine}`;
}

/**
 * The lines nearest the target, above and below in turn, within `maxTokens`, with a marker line where
 * the target is. Undefined when nothing fits or the target is the whole file.
 */
function surroundings(lines: readonly string[], target: LineRange, maxTokens: number): string | undefined {
  let above = target.startLine - 1;
  let below = target.endLine + 1;
  let first = target.startLine;
  let last = target.endLine;
  let used = 0;
  while (above >= 1 || below <= lines.length) {
    let grew = false;
    for (const side of ['above', 'below'] as const) {
      const n = side === 'above' ? above : below;
      if (n < 1 || n > lines.length) continue;
      const cost = estimateTokens(`${lines[n - 1]}\n`);
      if (used + cost > maxTokens) continue;
      used += cost;
      grew = true;
      if (side === 'above') first = above--;
      else last = below++;
    }
    if (!grew) break;
  }
  if (first === target.startLine && last === target.endLine) return undefined;
  const marker = `⟦ the code to rewrite, lines ${target.startLine}-${target.endLine} ⟧`;
  return [...lines.slice(first - 1, target.startLine - 1), marker, ...lines.slice(target.endLine, last)].join('\n');
}

/** The first lines of a text within `maxTokens` (imports and helpers a test file starts with). */
function headOf(text: string, maxTokens: number): string {
  const kept: string[] = [];
  let used = 0;
  for (const line of text.split(/\r?\n/)) {
    used += estimateTokens(`${line}\n`);
    if (used > maxTokens) break;
    kept.push(line);
  }
  return kept.join('\n');
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.ceil(n)));
}
