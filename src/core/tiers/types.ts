/**
 * The vocabulary of the tier layer: the one way any feature reaches a model. A feature is a prompt (and,
 * for structured tasks, a schema) handed to a `ModelTier`; the router (src/core/router) says which tier.
 */
import type { NextAction } from '../errors';

/** What a request is for. The router decides on it; the ledger groups by it. */
export type TaskKind = 'completion' | 'refactor' | 'explain' | 'chat' | 'review' | 'debug';
export const TASK_KINDS: readonly TaskKind[] = ['completion', 'refactor', 'explain', 'chat', 'review', 'debug'];

/** The two tiers the router chooses between. The local tier is Ollama or an OpenAI-compatible server. */
export type TierKind = 'local' | 'claude';

/** What serves a tier. */
export type TierProvider = 'ollama' | 'openai' | 'claude';

export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
}

export interface TierRequest {
  task: TaskKind;
  /** The tier's default model when absent (the router names one per task). */
  model?: string;
  /** Instructions. The same for every request of a task, so the Claude tier marks them for prompt caching. */
  system: string;
  messages: readonly ChatTurn[];
  /** Most tokens the answer may have; the Claude tier's budget gate prices this worst case. */
  maxTokens: number;
  temperature?: number;
  /**
   * Workspace-relative paths of the files whose text the messages carry. A tier whose requests leave the
   * machine checks each against the privacy filter and sends nothing if one is excluded: collectors filter
   * first, this is the guard that a collector's bug cannot get past.
   */
  sources?: readonly string[];
  /** The workspace folder (absolute) that `sources` are relative to. */
  workspace?: string;
  /** JSON schema the answer must follow; the structured-task runner sets it. */
  jsonSchema?: Record<string, unknown>;
  signal?: AbortSignal;
  /** Each text delta as it streams, with the answer so far. */
  onText?: (delta: string, snapshot: string) => void;
  /** Progress worth showing, e.g. a rate-limit countdown. */
  onStatus?: (status: string) => void;
}

export interface TierAnswer {
  text: string;
  tier: TierKind;
  provider: TierProvider;
  model: string;
  /** As the server reported them; estimates only where a server reports none. */
  inputTokens: number;
  outputTokens: number;
  /** What it cost (Claude: from the API's usage at Tiercel's prices); 0 on the local tier. */
  costUsd: number;
  /** The answer was cut at `maxTokens`. */
  truncated: boolean;
  requestId?: string;
  /** Secrets replaced in what was sent (tiers that leave the machine). */
  redactions: number;
}

export type TierAvailability =
  | { available: true }
  | {
      available: false;
      /** One sentence for the user ("Ollama is not reachable at http://…", "no Anthropic API key"). */
      reason: string;
      /** Short form for the router's reason line ("no key", "offline"). */
      short: string;
      actions: readonly NextAction[];
    };

export interface TierEstimate {
  /** Estimated prompt tokens (system + messages). */
  inputTokens: number;
  /** The most the request can cost: 0 on the local tier. */
  worstCaseUsd: number;
}

/** A model behind one provider. Implementations: ClaudeTier, OllamaChatTier, OpenAiCompatibleTier. */
export interface ModelTier {
  readonly kind: TierKind;
  readonly provider: TierProvider;
  /** The model used when a request names none. */
  readonly defaultModel: string;
  /** Whether requests leave this machine: then the privacy filter and redaction are on their path. */
  readonly leavesMachine: boolean;
  /** "Local · qwen2.5-coder:7b-instruct", "Claude · claude-sonnet-5-5". */
  label(model?: string): string;
  /** Tokens (prompt and answer) the model can take, when known: a longer prompt is routed elsewhere. */
  contextWindow(model?: string): number | undefined;
  availability(): Promise<TierAvailability>;
  estimate(request: Pick<TierRequest, 'system' | 'messages' | 'maxTokens' | 'model'>): TierEstimate;
  /** Streams one answer. Throws a TiercelError (with next actions) when it cannot. */
  send(request: TierRequest): Promise<TierAnswer>;
}
