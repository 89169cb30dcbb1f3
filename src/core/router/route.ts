/**
 * Which tier answers a request, and why, in one line a user can read. A pure function of what is known
 * before sending: the task, its size and spread, error signals, what the user asked for, and what each
 * tier can do right now. Every feature asks it; the answer's label shows its reason.
 *
 * Policy (README "Routing"): completions and refactors stay local; explanations, chat and simple
 * debugging stay local unless large or spread across files; review and multi-file debugging go to Claude.
 * Any Claude choice falls back to local when Claude can't be used (local-only, no key, unreachable, over
 * budget), saying so; a failed local attempt escalates to Claude (through the budget gate); a prompt too
 * long for the local model goes to Claude. `claudeShare` (0–100) moves the size thresholds: 0 keeps
 * everything local unless asked, 100 sends everything but completions to Claude.
 *
 * Heuristics, strongest first, from editor peers and routing work (RouteLLM's threshold calibrated to a
 * target share of strong-model calls): task type, prompt size, files spanned, error signals, a local
 * attempt's outcome, budget left.
 */
import { formatUsd } from '../claude/budget';
import type { NextAction } from '../errors';
import type { TaskKind, TierKind } from '../tiers/types';

export type TierPreference = 'auto' | 'local' | 'claude';

export interface RouteInput {
  task: TaskKind;
  /** Estimated prompt tokens. */
  promptTokens: number;
  /** Files (or, failing that, symbols) the prompt's context spans. */
  files: number;
  /** Error signals: diagnostics, stack frames, failing test lines. */
  errors: number;
  /** Stack frames in different files of the workspace (multi-file debugging), when known. */
  errorFiles?: number;
  /** The local tier already tried this request and failed (an unusable or refused answer). */
  localFailed: boolean;
  /** What the user asked for this request: a tier picker, or the command they ran. */
  preference: TierPreference;
  /** Tier settings and state. */
  localOnly: boolean;
  claudeKey: boolean;
  claudeReachable: boolean;
  localReachable: boolean;
  /** Why the local tier is not reachable, for the reason line ("Ollama offline"). */
  localProblem?: string;
  /** What is left of the tighter of the daily and monthly caps, USD. */
  budgetLeftUsd: number;
  /** That tighter cap, for the reason line: "over today's budget ($2.00)". */
  budgetCap?: { period: 'day' | 'month'; usd: number };
  /** The request's worst case on the Claude model the router would pick, USD (from the tier's estimate). */
  worstCaseUsd?: number;
  /** The local model's window in tokens (prompt and answer); a longer prompt can't run locally. */
  localContextTokens: number;
  /** Tokens the answer may take (counts against the local window). */
  maxTokens?: number;
  /** 0–100: 50 is the default policy; lower keeps more local, higher sends more to Claude. */
  claudeShare: number;
  models: {
    local: string;
    /** The configured Claude model: review and hard debugging. */
    claude: string;
    /** A cheaper Claude model for escalated explanations and chat. */
    claudeLight: string;
  };
}

export interface Route {
  tier: TierKind;
  model: string;
  /** One line: "Claude: review of 3 files", "Local: over today's budget ($2.00)". */
  reason: string;
  /** Set when the tier the policy wanted could not be used: why, and what would let it be used. */
  fallback?: { from: TierKind; why: string; actions: NextAction[] };
}

/** Prompt tokens above which an explanation or chat message goes to Claude at claudeShare 50. */
export const LARGE_PROMPT_TOKENS = 6_000;
/** Files spanned from which an explanation or chat message counts as cross-file at claudeShare 50. */
export const CROSS_FILE_FILES = 3;

/** Thresholds scale by 4× per 50 points of claudeShare: 0 → ×4 (more local), 100 → ×¼ (more Claude). */
function scale(share: number): number {
  return 4 ** ((50 - clamp(share, 0, 100)) / 50);
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Number.isFinite(n) ? n : 50));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const taskNoun: Record<TaskKind, string> = {
  completion: 'completion',
  refactor: 'refactor',
  explain: 'explanation',
  chat: 'chat',
  review: 'review',
  debug: 'debugging',
};

/** The policy's wish before availability and budget: a tier, the Claude model it would use, and why. */
function wanted(input: RouteInput): { tier: TierKind; claudeModel: string; why: string } {
  const { task, promptTokens, files, preference } = input;
  const share = clamp(input.claudeShare, 0, 100);
  const light = input.models.claudeLight;
  const main = input.models.claude;
  const modelFor = task === 'explain' || task === 'chat' ? light : main;

  if (task === 'completion') return { tier: 'local', claudeModel: main, why: 'completions run on the local model' };
  if (preference === 'local') return { tier: 'local', claudeModel: modelFor, why: 'you chose the local model' };
  if (preference === 'claude') {
    const what = task === 'review' ? `review of ${plural(Math.max(1, files), 'file')}` : `you chose Claude`;
    return { tier: 'claude', claudeModel: modelFor, why: what };
  }
  if (input.localFailed) return { tier: 'claude', claudeModel: modelFor, why: `the local model's ${taskNoun[task]} failed` };
  const window = input.localContextTokens - (input.maxTokens ?? 0);
  if (promptTokens > window) {
    return { tier: 'claude', claudeModel: modelFor, why: `${promptTokens.toLocaleString('en-US')} tokens do not fit the local model's window` };
  }
  if (share >= 100) return { tier: 'claude', claudeModel: modelFor, why: `Claude share is 100%` };
  if (share <= 0) return { tier: 'local', claudeModel: modelFor, why: 'Claude share is 0% (local unless you ask)' };

  const k = scale(share);
  switch (task) {
    case 'refactor':
      return { tier: 'local', claudeModel: main, why: 'refactors run locally (free, private, fast to retry)' };
    case 'review':
      return { tier: 'claude', claudeModel: main, why: `review of ${plural(Math.max(1, files), 'file')}` };
    case 'debug': {
      const spread = input.errorFiles ?? files;
      if (spread >= Math.max(2, Math.round(2 * k))) return { tier: 'claude', claudeModel: main, why: `the error spans ${plural(spread, 'file')}` };
      if (promptTokens > LARGE_PROMPT_TOKENS * k) return { tier: 'claude', claudeModel: main, why: `a large debugging prompt (${promptTokens.toLocaleString('en-US')} tokens)` };
      return { tier: 'local', claudeModel: main, why: input.errors > 0 ? 'the error is in one file' : 'simple debugging' };
    }
    case 'explain':
    case 'chat': {
      if (files > CROSS_FILE_FILES * k) return { tier: 'claude', claudeModel: light, why: `the question spans ${plural(files, 'file')}` };
      if (promptTokens > LARGE_PROMPT_TOKENS * k) return { tier: 'claude', claudeModel: light, why: `a large prompt (${promptTokens.toLocaleString('en-US')} tokens)` };
      if (input.errors > 0 && (input.errorFiles ?? 0) >= 2) return { tier: 'claude', claudeModel: main, why: `an error across ${plural(input.errorFiles!, 'file')}` };
      return { tier: 'local', claudeModel: light, why: task === 'chat' ? 'a short question in one place' : 'a short explanation' };
    }
  }
}

/** Why Claude can't take this request now and what would change that, or undefined when it can. */
function claudeBlocked(input: RouteInput): { why: string; actions: NextAction[] } | undefined {
  if (input.localOnly) return { why: 'local-only mode is on', actions: ['openSettings'] };
  if (!input.claudeKey) return { why: 'no Anthropic API key is set', actions: ['setApiKey'] };
  if (!input.claudeReachable) return { why: 'Claude is unreachable', actions: ['retry'] };
  if (input.budgetLeftUsd <= 0) {
    const cap = input.budgetCap;
    const why = cap ? `over ${cap.period === 'day' ? "today's" : "this month's"} budget (${formatUsd(cap.usd)})` : `over budget (${formatUsd(Math.max(0, input.budgetLeftUsd))} left)`;
    return { why, actions: ['raiseBudget'] };
  }
  if (input.worstCaseUsd !== undefined && input.worstCaseUsd > input.budgetLeftUsd) {
    return { why: `this request (up to ${formatUsd(input.worstCaseUsd)}) is more than the budget left (${formatUsd(input.budgetLeftUsd)})`, actions: ['trimContext', 'raiseBudget'] };
  }
  return undefined;
}

export function routeRequest(input: RouteInput): Route {
  const wish = wanted(input);
  const local = input.models.local;
  if (wish.tier === 'claude') {
    const blocked = claudeBlocked(input);
    if (!blocked) return { tier: 'claude', model: wish.claudeModel, reason: `Claude: ${wish.why}` };
    return { tier: 'local', model: local, reason: `Local: ${blocked.why}`, fallback: { from: 'claude', ...blocked } };
  }
  // The local tier is down: escalate what may go to Claude (never completions, never what the user kept local).
  if (!input.localReachable && input.task !== 'completion' && input.preference !== 'local' && input.claudeShare > 0) {
    const problem = input.localProblem ?? 'the local model is unreachable';
    if (!claudeBlocked(input)) return { tier: 'claude', model: wish.claudeModel, reason: `Claude: ${problem}`, fallback: { from: 'local', why: problem, actions: ['startOllama'] } };
  }
  return { tier: 'local', model: local, reason: `Local: ${wish.why}` };
}
