/**
 * "Review with Claude", editor-free: the scope's files and diff in, findings out. The extension shows
 * them as comment threads and diagnostics; the CLI prints them. Sending goes through the caller's
 * `send`, which is the budget-gated Claude request (nothing reaches the API without passing the gate).
 */
import { TiercelError } from '../errors';
import { parseReviewAnswer, splitByConfidence, type Finding } from './findings';
import { buildReviewRequest, type ContextDefinition, type ReviewInput } from './prompt';

export type ReviewRequestParams = ReturnType<typeof buildReviewRequest>;

/** Sends one request through the budget gate and returns the answer's text. */
export type SendReview = (request: {
  feature: 'review';
  params: ReviewRequestParams;
  signal?: AbortSignal;
  onText?: (delta: string) => void;
}) => Promise<{ text: string; costUsd: number; requestId?: string }>;

export interface ReviewOptions {
  model: string;
  maxTokens: number;
  maxInputTokens: number;
  /** Findings below this confidence are hidden behind "Show N more". */
  confidenceThreshold: number;
  signal?: AbortSignal;
}

export interface ReviewDeps {
  send: SendReview;
  /** Definitions the reviewed code uses, from the context engine; [] when there is none. */
  context?: (input: ReviewInput, signal?: AbortSignal) => Promise<ContextDefinition[]>;
  /** Streaming status for a progress notification ("Claude is reviewing… 1.2k characters"). */
  onProgress?: (message: string) => void;
  /**
   * Sees exactly what would be sent, context included, and may stop it (the privacy preview).
   * Resolving false sends nothing and rejects with ReviewNotSentError.
   */
  beforeSend?: (params: ReviewRequestParams, context: readonly ContextDefinition[]) => Promise<boolean>;
}

export class ReviewNotSentError extends TiercelError {
  constructor() {
    super('The review was not sent.');
  }
}

export interface ReviewResult {
  summary: string;
  shown: Finding[];
  hidden: Finding[];
  /** Findings dropped because they did not point at reviewed lines, with why. */
  rejected: Array<{ finding: unknown; reason: string }>;
  /** Set when the answer could not be read at all: the user sees this instead of findings. */
  malformed?: { error: string; raw: string };
  costUsd: number;
  requestId: string | undefined;
}

export async function runReview(input: ReviewInput, deps: ReviewDeps, options: ReviewOptions): Promise<ReviewResult> {
  const files = input.files.filter((f) => f.text !== undefined || input.diff);
  if (files.length === 0) throw new TiercelError('Nothing to review: the scope has no files Tiercel may send (see the privacy settings).');

  deps.onProgress?.('Gathering the definitions the code uses…');
  const context = deps.context ? await deps.context(input, options.signal).catch(() => []) : [];
  const params = buildReviewRequest({ ...input, files }, context, options);
  if (deps.beforeSend && !(await deps.beforeSend(params, context))) throw new ReviewNotSentError();

  deps.onProgress?.('Waiting for Claude…');
  let received = 0;
  const answer = await deps.send({
    feature: 'review',
    params,
    ...(options.signal ? { signal: options.signal } : {}),
    onText: (delta) => {
      received += delta.length;
      deps.onProgress?.(`Claude is reviewing… ${received.toLocaleString('en-US')} characters`);
    },
  });

  const reviewed = files.filter((f) => f.text !== undefined).map((f) => ({ path: f.path, lineCount: f.text!.split(/\r?\n/).length }));
  const parsed = parseReviewAnswer(answer.text, reviewed);
  if (!parsed.ok) {
    return { summary: '', shown: [], hidden: [], rejected: [], malformed: { error: parsed.error, raw: parsed.raw }, costUsd: answer.costUsd, requestId: answer.requestId };
  }
  const { shown, hidden } = splitByConfidence(parsed.findings, options.confidenceThreshold);
  return { summary: parsed.summary, shown, hidden, rejected: parsed.rejected, costUsd: answer.costUsd, requestId: answer.requestId };
}
