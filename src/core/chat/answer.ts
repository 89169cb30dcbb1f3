/**
 * One answer to one question: ask the router which tier (with the picker's preference), build the prompt
 * for that tier (nothing kept local goes to a tier that leaves the machine), stream it, and return the
 * answer as a message. Failures are answers too (status "error" with the next actions), so the transcript
 * shows what happened where it happened.
 */
import { describeError, TiercelError } from '../errors';
import type { TierPreference } from '../router';
import { describeAnswer, RouteRefusedError, type TierSet } from '../tiers';
import { buildChatPrompt } from './prompt';
import type { AssistantMessage, Conversation, UserMessage } from './types';

export interface ChatLimits {
  /** Most (estimated) tokens of conversation and attachments in one request. */
  maxInputTokens: number;
  /** Most tokens an answer may have; the budget gate prices this worst case. */
  maxOutputTokens: number;
}

export interface AnswerOptions {
  tiers: Pick<TierSet, 'route'>;
  limits: ChatLimits;
  /** The workspace folder (absolute) attachments' paths are relative to: the Claude tier checks them there. */
  workspace?: string;
  preference: TierPreference;
  /**
   * False: when the chosen tier cannot take the question, answer with why instead of using the other tier.
   * "Ask Claude instead" sets it: a second local answer to the same question would not be what was asked.
   */
  fallback?: boolean;
  signal?: AbortSignal;
  /** The answer as soon as its tier is known (label, reason, what was left out), before any text. */
  onStart?: (answer: AssistantMessage) => void;
  onText?: (delta: string, snapshot: string) => void;
  id: string;
  now?: () => number;
}

export async function answerQuestion(conversation: Conversation, question: UserMessage, options: AnswerOptions): Promise<AssistantMessage> {
  const now = options.now ?? Date.now;
  const base: AssistantMessage = {
    id: options.id,
    role: 'assistant',
    createdAt: now(),
    replyTo: question.id,
    text: '',
    status: 'streaming',
    costUsd: 0,
    label: '',
    reason: '',
    leftOut: [],
    trimmed: 0,
    redactions: 0,
    truncated: false,
  };
  let answer = base;
  let snapshot = '';
  try {
    const { maxInputTokens, maxOutputTokens } = options.limits;
    const draft = buildChatPrompt(conversation, question, { leavesMachine: false, budgetTokens: maxInputTokens });
    const problems = question.attachments.filter((a) => a.kind === 'problems');
    const routed = await options.tiers.route(
      { task: 'chat', system: draft.system, messages: draft.messages, maxTokens: maxOutputTokens },
      {
        files: new Set(question.attachments.flatMap((a) => a.sources)).size,
        errors: problems.reduce((n, a) => n + a.text.split('\n').filter(Boolean).length, 0),
        errorFiles: problems.length,
        preference: options.preference,
      },
    );
    const { tier, route } = routed;
    if (route.fallback && options.fallback === false) throw new RouteRefusedError(route);
    const budgetTokens = Math.min(maxInputTokens, (tier.contextWindow(route.model) ?? Infinity) - maxOutputTokens);
    const prompt = buildChatPrompt(conversation, question, { leavesMachine: tier.leavesMachine, budgetTokens });
    answer = {
      ...base,
      tier: route.tier,
      model: route.model,
      label: tier.label(route.model),
      reason: route.reason,
      ...(route.fallback ? { fallback: route.fallback.why } : {}),
      leftOut: prompt.leftOut,
      trimmed: prompt.trimmed,
      contextStart: prompt.contextStart,
    };
    options.onStart?.(answer);
    const result = await tier.send({
      task: 'chat',
      model: route.model,
      system: prompt.system,
      messages: prompt.messages,
      maxTokens: maxOutputTokens,
      sources: prompt.sources,
      ...(options.workspace ? { workspace: options.workspace } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      onText: (delta, text) => {
        snapshot = text;
        options.onText?.(delta, text);
      },
    });
    return {
      ...answer,
      text: result.text,
      status: 'done',
      model: result.model,
      costUsd: result.costUsd,
      label: describeAnswer(result),
      redactions: result.redactions,
      truncated: result.truncated,
    };
  } catch (error) {
    if (options.signal?.aborted) return { ...answer, text: snapshot, status: 'cancelled' };
    const known = error instanceof TiercelError;
    return {
      ...answer,
      text: snapshot,
      status: 'error',
      error: { message: known ? error.message : `The answer failed: ${describeError(error)}`, actions: known ? [...error.actions] : ['retry', 'showLog'] },
    };
  }
}
