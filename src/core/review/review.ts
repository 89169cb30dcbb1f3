/**
 * "Review with Claude", editor-free: the scope's files and diff in, findings out, on the tier the router
 * picks (Claude unless it can't be used; then the local model, and the result says why). The extension
 * shows findings as comment threads and diagnostics; the CLI prints them.
 */
import type { TierPreference } from '../router';
import { TiercelError } from '../errors';
import type { Route } from '../router';
import type { TierSet } from '../tiers';
import { taskProgress } from '../tiers/progress';
import type { TierAnswer } from '../tiers/types';
import { checkFindings, ReviewAnswerShape, ReviewSchema, splitByConfidence, type Finding } from './findings';
import { buildReviewPrompt, type ContextDefinition, type ReviewInput } from './prompt';

export interface ReviewOptions {
  maxTokens: number;
  maxInputTokens: number;
  /** Findings below this confidence are hidden behind "Show N more". */
  confidenceThreshold: number;
  /** Which tier the user asked for ("Review with Claude": claude; "Review with Local Model": local). */
  preference: TierPreference;
  /** False: refuse rather than fall back to the other tier (see RoutingHints.fallback). */
  fallback?: boolean;
  /** The workspace folder (absolute) the files' paths are relative to: the Claude tier checks them against its privacy filter. */
  workspace?: string;
  signal?: AbortSignal;
}

export interface ReviewDeps {
  tiers: TierSet;
  /** Definitions the reviewed code uses, from the context engine, already filtered; [] when there is none. */
  context?: (input: ReviewInput, signal?: AbortSignal) => Promise<ContextDefinition[]>;
  /** Streaming status for a progress notification ("Claude is reviewing… 1.2k characters"). */
  onProgress?: (message: string) => void;
  /** Which tier the router chose and why, as soon as it has. */
  onRoute?: (route: Route) => void;
}

export interface ReviewResult {
  summary: string;
  shown: Finding[];
  hidden: Finding[];
  /** Findings dropped because they did not point at reviewed lines, with why. */
  rejected: Array<{ finding: unknown; reason: string }>;
  /** Set when the answer could not be read at all: the user sees this instead of findings. */
  malformed?: { error: string; raw: string };
  /** Which tier answered, and the router's reason. */
  route: Route;
  /** The last answer (model, tokens, label). */
  reply: TierAnswer;
  costUsd: number;
  requestId: string | undefined;
}

export async function runReview(input: ReviewInput, deps: ReviewDeps, options: ReviewOptions): Promise<ReviewResult> {
  const files = input.files.filter((f) => f.text !== undefined || input.diff);
  if (files.length === 0) throw new TiercelError('Nothing to review: the scope has no files Tiercel may send (see the privacy settings).');

  deps.onProgress?.('Gathering the definitions the code uses…');
  const context = deps.context ? await deps.context(input, options.signal).catch(() => []) : [];
  const { system, prompt } = buildReviewPrompt({ ...input, files }, context, options);
  const sources = [...new Set([...files.map((f) => f.path), ...context.map((c) => c.file)])];

  const run = await deps.tiers.runStructured(
    { task: 'review', schema: ReviewSchema, accept: ReviewAnswerShape, system, prompt, maxTokens: options.maxTokens, sources, ...(options.workspace ? { workspace: options.workspace } : {}) },
    { files: files.length, preference: options.preference, ...(options.fallback === false ? { fallback: false } : {}) },
    { ...(options.signal ? { signal: options.signal } : {}), ...taskProgress('reviewing', deps.onProgress, deps.onRoute) },
  );
  const reply = run.answers.at(-1)!;
  const base = { route: run.route, reply, costUsd: run.costUsd, requestId: reply.requestId };
  if (!run.ok) return { summary: '', shown: [], hidden: [], rejected: [], malformed: { error: run.error, raw: run.raw }, ...base };

  const reviewed = files.filter((f) => f.text !== undefined).map((f) => ({ path: f.path, lineCount: f.text!.split(/\r?\n/).length }));
  const checked = checkFindings(run.value, reviewed);
  const { shown, hidden } = splitByConfidence(checked.findings, options.confidenceThreshold);
  return { summary: checked.summary, shown, hidden, rejected: checked.rejected, ...base };
}
