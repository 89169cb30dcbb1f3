/**
 * A refactor from request to proposal, editor-free: definitions in, prompt, the tier the router picks
 * (local unless the user asked for Claude), the answer read defensively, re-indented, and passed
 * through the syntax gate. An answer the gate refuses goes back once with the reason; a second refusal
 * is reported (with "Claude may do better" when the local model wrote it), never shown as a proposal.
 * The editor and the CLI both run this.
 */
import { textAfterChange, type FileChange } from '../edits/fileChange';
import { applyLineEdit, linesOf } from '../edits/lineEdit';
import { languageIdOf } from '../languages';
import type { ContextDefinition } from '../review/prompt';
import type { Route, TierPreference } from '../router';
import { RouteRefusedError, type TierSet } from '../tiers';
import { taskProgress } from '../tiers/progress';
import type { ChatTurn, TierAnswer, TierRequest } from '../tiers/types';
import { parseRefactorAnswer, partialCode } from './answer';
import { describeProblems, newSyntaxProblems, type ParserSource } from './gate';
import { matchIndentation } from './indent';
import { buildRefactorPrompt, type RefactorPromptOptions, type RefactorRequest } from './prompt';

export interface RefactorDeps {
  tiers: TierSet;
  parsers: ParserSource;
  /** Definitions the code uses, from the context engine, already privacy-filtered. */
  context?: (signal?: AbortSignal) => Promise<ContextDefinition[]>;
  /** A workspace file's text (one the answer names), undefined when it does not exist. */
  readFile?: (relPath: string) => Promise<string | undefined>;
  /** Which tier the router chose and why, as soon as it has. */
  onRoute?: (route: Route) => void;
  onProgress?: (message: string) => void;
  /** The proposed file as the answer streams (the refactored file, or the test file), for a live preview. */
  onPartial?: (partial: { path: string; text: string }) => void;
}

export interface RefactorOptions extends RefactorPromptOptions {
  /** The light bulb and palette: auto (the router keeps refactors local); "Try with Claude": claude. */
  preference: TierPreference;
  /** False: refuse (RouteRefusedError) rather than run on the other tier. */
  fallback?: boolean;
  /** The workspace folder (absolute) the paths are relative to: the Claude tier checks them against its privacy filter. */
  workspace?: string;
  signal?: AbortSignal;
  /** Higher on a user's Retry, so the same prompt gives another answer. */
  temperature?: number;
}

export interface ProposedFile {
  path: string;
  languageId: string;
  /** Its text now ('' for a new file) and with the change. */
  before: string;
  after: string;
}

export interface RefactorProposal {
  /** Applied together: the target's rewrite (or the tests) first, then any other file the answer wrote. */
  changes: FileChange[];
  files: ProposedFile[];
  /** The target lines' new text; undefined when the answer changes only other files (tests). */
  replacement?: string;
}

export type RefactorOutcome =
  | { ok: true; proposal: RefactorProposal }
  | {
      ok: false;
      /** syntax: the gate refused it; unreadable: no usable code in it; truncated: cut at the token limit. */
      kind: 'syntax' | 'unreadable' | 'truncated';
      /** What was wrong with the last answer, for the user (and, on the first answer, for the model). */
      problem: string;
      raw: string;
    };

export type RefactorResult = RefactorOutcome & {
  route: Route;
  answers: TierAnswer[];
  costUsd: number;
  /** The answers the gate looked at: 2 when the first was sent back. */
  attempts: number;
  /** Claude may do better: the answer that failed was the local model's. */
  canTryClaude: boolean;
};

const TEMPERATURE = 0.2;

export async function runRefactor(request: RefactorRequest, deps: RefactorDeps, options: RefactorOptions): Promise<RefactorResult> {
  deps.onProgress?.('Gathering the definitions the code uses…');
  const definitions = deps.context ? await deps.context(options.signal).catch(() => []) : [];
  const { system, prompt, maxTokens } = buildRefactorPrompt(request, definitions, options);
  const first: ChatTurn[] = [{ role: 'user', content: prompt }];
  const files = 1 + new Set(definitions.map((d) => d.file)).size;
  const routed = await deps.tiers.route({ task: 'refactor', system, messages: first, maxTokens }, { files, preference: options.preference });
  if (routed.route.fallback && options.fallback === false) throw new RouteRefusedError(routed.route);
  const { tier, route } = routed;
  const progress = taskProgress('refactoring', deps.onProgress, deps.onRoute);
  progress.onRoute(routed);
  const who = route.tier === 'claude' ? 'Claude' : 'the local model';

  const sources = [...new Set([request.file, ...definitions.map((d) => d.file), ...(request.tests?.existing !== undefined ? [request.tests.path] : [])])];
  const answers: TierAnswer[] = [];
  const ask = async (messages: ChatTurn[]): Promise<TierAnswer> => {
    const sent: TierRequest = {
      task: 'refactor',
      model: route.model,
      system,
      messages,
      maxTokens,
      temperature: options.temperature ?? TEMPERATURE,
      sources,
      ...(options.workspace ? { workspace: options.workspace } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      onStatus: progress.onStatus,
      onText: (delta, snapshot) => {
        progress.onText(delta);
        const partial = deps.onPartial && previewOf(request, snapshot);
        if (partial) deps.onPartial!(partial);
      },
    };
    const answer = await tier.send(sent);
    answers.push(answer);
    return answer;
  };
  const result = (outcome: RefactorOutcome, attempts: number): RefactorResult => ({
    ...outcome,
    route,
    answers,
    costUsd: answers.reduce((sum, a) => sum + a.costUsd, 0),
    attempts,
    canTryClaude: !outcome.ok && route.tier === 'local',
  });

  const answer = await ask(first);
  const checked = await evaluate(answer, request, deps, maxTokens);
  // A cut answer sent back with the same limit would be cut again.
  if (checked.ok || checked.kind === 'truncated') return result(checked, 1);
  deps.onProgress?.(`The answer ${checked.problem}; asking ${who} once more…`);
  const retry = await ask(
    [
      ...first,
      { role: 'assistant', content: answer.text },
      { role: 'user', content: `That answer ${checked.problem}. Answer again with the complete, corrected code only, in one fenced code block.` },
    ],
  );
  return result(await evaluate(retry, request, deps, maxTokens), 2);
}

/** The answer as a proposal, or what is wrong with it. */
async function evaluate(answer: TierAnswer, request: RefactorRequest, deps: RefactorDeps, maxTokens: number): Promise<RefactorOutcome> {
  const raw = answer.text;
  if (answer.truncated) return { ok: false, kind: 'truncated', problem: `was cut at ${maxTokens.toLocaleString('en-US')} tokens`, raw };
  const parsed = parseRefactorAnswer(raw, { file: request.file, fileText: request.fileText, target: request.target });
  if (!parsed.ok) return { ok: false, kind: 'unreadable', problem: `could not be used: ${parsed.error}`, raw };

  const changes: FileChange[] = [];
  let replacement: string | undefined;
  let others = parsed.files;
  if (request.tests) {
    const tests = request.tests;
    const block = parsed.files.find((f) => f.path === tests.path) ?? parsed.files[0] ?? (parsed.code !== undefined ? { path: tests.path, text: parsed.code } : undefined);
    if (!block) return { ok: false, kind: 'unreadable', problem: 'could not be used: it has no tests', raw };
    others = parsed.files.filter((f) => f !== block && f.path !== tests.path);
    changes.push(tests.existing !== undefined ? { kind: 'append', path: tests.path, text: block.text } : { kind: 'create', path: tests.path, text: block.text });
  } else {
    if (parsed.code === undefined) return { ok: false, kind: 'unreadable', problem: 'could not be used: it has no rewrite of the code', raw };
    const { startLine, endLine } = request.target;
    const original = linesOf(request.fileText, startLine, endLine);
    replacement = matchIndentation(parsed.code, original, request.fileText);
    changes.push({ kind: 'lines', path: request.file, edit: { startLine, endLine, replacement }, expected: original });
  }
  for (const other of others) {
    // Only files inside the workspace, named the way the answer was asked to name them.
    if (other.path.startsWith('/') || other.path.split('/').includes('..')) continue;
    const existing = await deps.readFile?.(other.path);
    changes.push(existing === undefined ? { kind: 'create', path: other.path, text: other.text } : { kind: 'append', path: other.path, text: other.text });
  }

  const files: ProposedFile[] = [];
  for (const change of changes) {
    const before = change.kind === 'lines' ? request.fileText : change.kind === 'append' ? ((change.path === request.tests?.path ? request.tests.existing : await deps.readFile?.(change.path)) ?? '') : '';
    const after = textAfterChange(change, before);
    const languageId = change.path === request.file ? request.languageId : languageIdOf(change.path);
    // Only the Claude tier redacts: its placeholder written into the file would replace the real secret.
    if (/\[REDACTED:[a-z-]+\]/.test(after) && !/\[REDACTED:[a-z-]+\]/.test(before)) {
      return { ok: false, kind: 'unreadable', problem: 'could not be used: it has a [REDACTED:…] placeholder where the code has a secret (the secret was never sent)', raw };
    }
    const problems = await newSyntaxProblems(deps.parsers, languageId, before, after);
    if (problems?.length) {
      const where = change.kind === 'lines' ? '' : ` in ${change.path}`;
      return { ok: false, kind: 'syntax', problem: `has ${problems.length > 1 ? 'syntax errors' : 'a syntax error'}${where}: ${describeProblems(problems)}`, raw };
    }
    files.push({ path: change.path, languageId, before, after });
  }
  return { ok: true, proposal: { changes, files, ...(replacement !== undefined ? { replacement } : {}) } };
}

/** The file being proposed as it would look with the answer so far. */
function previewOf(request: RefactorRequest, snapshot: string): { path: string; text: string } | undefined {
  const code = partialCode(snapshot);
  if (!code) return undefined;
  if (request.tests) return { path: request.tests.path, text: textAfterChange({ kind: request.tests.existing !== undefined ? 'append' : 'create', path: request.tests.path, text: code }, request.tests.existing ?? '') };
  const { startLine, endLine } = request.target;
  const replacement = matchIndentation(code, linesOf(request.fileText, startLine, endLine), request.fileText);
  return { path: request.file, text: applyLineEdit(request.fileText, { startLine, endLine, replacement }) };
}
