/**
 * "Debug with Claude", editor-free: a parsed error and the source around its frames in, a root cause and
 * fixes out. Mirrors the review: instructions cached in the system prompt, numbered lines, the answer as
 * structured output through the tier layer's one runner (`tiers.runStructured`: the router, the budget gate
 * and the privacy path for Claude), checked against the lines Claude was shown (answer.ts).
 */
import { TiercelError } from '../errors';
import { normalizePath } from '../tiers/locatedItems';
import type { Route, TierPreference } from '../router';
import type { TierSet } from '../tiers';
import { taskProgress } from '../tiers/progress';
import type { TierAnswer } from '../tiers/types';
import { checkDebugAnswer } from './answer';
import { composeDebugRequest, type DebugInput, type DebugRequestOptions, type SentSource } from './prompt';
import { DebugAnswerSchema, DebugAnswerShape, type DebugAnswer } from './schema';

export interface DebugDeps {
  tiers: TierSet;
  /** Streaming status for a progress notification. */
  onProgress?: (message: string) => void;
  /** Which tier the router chose and why, as soon as it has. */
  onRoute?: (route: Route) => void;
}

export interface DebugOptions extends DebugRequestOptions {
  /** Most tokens the answer may have. */
  maxTokens: number;
  /** "Debug with Claude": claude; the router's own choice: auto. */
  preference: TierPreference;
  /** The workspace folder (absolute) the frames' paths are relative to. */
  workspace?: string;
  signal?: AbortSignal;
}

export interface DebugResult {
  /** Undefined when the answer could not be read (then `malformed` says why). */
  answer: DebugAnswer | undefined;
  /** Fixes dropped because they did not replace lines the model was shown, with why. */
  rejectedFixes: Array<{ fix: unknown; reason: string }>;
  /** Set when the answer could not be read at all: the user sees this instead of a diagnosis. */
  malformed?: { error: string; raw: string };
  /** The files and lines the request showed. */
  sent: SentSource[];
  /** Which tier answered, and the router's reason. */
  route: Route;
  /** The last answer (model, tokens). */
  reply: TierAnswer;
  costUsd: number;
  requestId: string | undefined;
}

export async function runDebug(input: DebugInput, deps: DebugDeps, options: DebugOptions): Promise<DebugResult> {
  if (!input.error.message.trim() && input.frames.length === 0 && !input.extraFiles?.length) {
    throw new TiercelError('Nothing to debug: select an error message or a stack trace.');
  }
  const { system, prompt, sent } = composeDebugRequest(input, options);
  const sources = [...new Set([...sent.map((s) => s.path), ...(input.context ?? []).map((c) => c.file)])];
  const errorFiles = new Set(input.frames.map((f) => normalizePath(f.relPath))).size;

  const run = await deps.tiers.runStructured(
    { task: 'debug', schema: DebugAnswerSchema, accept: DebugAnswerShape, system, prompt, maxTokens: options.maxTokens, sources, ...(options.workspace ? { workspace: options.workspace } : {}) },
    { files: sources.length, errors: Math.max(1, input.error.frames.length), errorFiles, preference: options.preference },
    { ...(options.signal ? { signal: options.signal } : {}), ...taskProgress('debugging', deps.onProgress, deps.onRoute) },
  );
  const reply = run.answers.at(-1)!;
  const base = { sent, route: run.route, reply, costUsd: run.costUsd, requestId: reply.requestId };
  if (!run.ok) return { answer: undefined, rejectedFixes: [], malformed: { error: run.error, raw: run.raw }, ...base };
  const checked = checkDebugAnswer(run.value, sent);
  if (!checked.ok) return { answer: undefined, rejectedFixes: [], malformed: { error: checked.error, raw: reply.text }, ...base };
  return { answer: checked.answer, rejectedFixes: checked.rejected, ...base };
}
