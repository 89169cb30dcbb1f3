/**
 * The Claude tier. Every request, from the editor or the CLI, takes the same path:
 *   availability (local-only mode, key) → privacy (each declared source through the privacy filter)
 *   → redaction (every text sent) → preview (optional) → budget gate → reserve → stream → settle.
 * Nothing reaches Anthropic any other way: features hand this tier a prompt, never the SDK.
 *
 * The Anthropic SDK is loaded on the first request, not when the tier is made: activation must not pay
 * for a client the user may never use (issue: activate() ≤ 50 ms).
 */
import { formatUsd, type BudgetDecision, type BudgetLimits } from '../claude/budget';
import { estimateInputTokens, worstCaseOf } from '../claude/budget';
import type { BudgetLedger } from '../claude/ledger';
import { defaultPriceTable, type PriceTable } from '../claude/prices';
import { totalInputTokens } from '../claude/usage';
import { TiercelError } from '../errors';
import { PrivacyFilter } from '../privacy/ignore';
import { redactSecrets } from '../privacy/redact';
import { estimateTokens } from '../tokens';
import type { ChatTurn, ModelTier, TierAnswer, TierAvailability, TierEstimate, TierRequest } from './types';

export interface ClaudeTierSettings {
  /** The configured model (review, hard debugging); requests may name another (the router's light model). */
  model: string;
  /** Empty for the official endpoint. */
  baseUrl: string;
  localOnly: boolean;
  limits: BudgetLimits;
}

/** What a preview shows before a request leaves: the files it carries and its size. */
export interface OutgoingPreview {
  task: TierRequest['task'];
  model: string;
  sources: readonly string[];
  /** Estimated with the local token rule (over-counts); the gate counts with the API. */
  tokens: number;
  redactions: number;
}

export interface ClaudeTierDeps {
  /** The key for each request: SecretStorage in the editor, ANTHROPIC_API_KEY in the CLI. */
  apiKey: () => Promise<string | undefined>;
  settings: () => ClaudeTierSettings;
  ledger: BudgetLedger;
  /** The privacy filter of a workspace folder; default: its .gitignore, .tiercelignore and the deny list. */
  privacyFilter?: (workspace: string) => Promise<Pick<PrivacyFilter, 'isExcluded'>>;
  /** Asked when a request's worst case is above the confirmation threshold; without it such requests are not sent. */
  confirmCost?: (decision: Extract<BudgetDecision, { kind: 'confirm' }>) => Promise<boolean>;
  /** The privacy preview; resolve false to send nothing. Absent: no preview. */
  confirmOutgoing?: (preview: OutgoingPreview) => Promise<boolean>;
  /** After every request that reached the gate (sent, refused or failed): the spend shown anywhere may have moved. */
  onSpend?: () => void;
  log?: (message: string) => void;
  fetch?: typeof fetch;
  prices?: PriceTable;
  now?: () => number;
}

/** A request that failed as unreachable keeps the tier "offline" for the router this long. */
const OFFLINE_FOR_MS = 60_000;

export class ClaudeTier implements ModelTier {
  readonly kind = 'claude' as const;
  readonly provider = 'claude' as const;
  readonly leavesMachine = true;
  private unreachableAt: number | undefined;

  constructor(private readonly deps: ClaudeTierDeps) {}

  get defaultModel(): string {
    return this.deps.settings().model;
  }

  label(model = this.defaultModel): string {
    return `Claude · ${model}`;
  }

  contextWindow(): number | undefined {
    // Larger than any prompt Tiercel builds; the price table's long-prompt limits are enforced by the gate.
    return undefined;
  }

  async availability(): Promise<TierAvailability> {
    if (this.deps.settings().localOnly) {
      return { available: false, reason: 'The Claude tier is off (local-only mode: tiercel.claude.localOnly).', short: 'local-only mode', actions: ['openSettings'] };
    }
    if (!(await this.deps.apiKey())) {
      return { available: false, reason: 'Set your Anthropic API key to use Claude.', short: 'no API key', actions: ['setApiKey'] };
    }
    const now = this.deps.now?.() ?? Date.now();
    if (this.unreachableAt !== undefined && now - this.unreachableAt < OFFLINE_FOR_MS) {
      return { available: false, reason: 'Claude was unreachable a moment ago (offline?).', short: 'unreachable', actions: ['retry'] };
    }
    return { available: true };
  }

  estimate(request: Pick<TierRequest, 'system' | 'messages' | 'maxTokens' | 'model'>): TierEstimate {
    const model = request.model ?? this.defaultModel;
    const params = { model, max_tokens: request.maxTokens, system: request.system, messages: [...request.messages] };
    const inputTokens = estimateInputTokens(params);
    const price = (this.deps.prices ?? defaultPriceTable()).priceOf(model);
    const worst = price && worstCaseOf(price, params, { inputTokens, source: 'estimate' });
    // Unpriced: the gate refuses it anyway; Infinity keeps the router from choosing it.
    return { inputTokens, worstCaseUsd: worst ? worst.usd : Number.POSITIVE_INFINITY };
  }

  async send(request: TierRequest): Promise<TierAnswer> {
    const availability = await this.availability();
    if (!availability.available && availability.short !== 'unreachable') throw new TiercelError(availability.reason, availability.actions);
    const settings = this.deps.settings();
    const model = request.model ?? settings.model;

    await this.checkSources(request);
    let redactions = 0;
    const redact = (text: string) => {
      const result = redactSecrets(text);
      redactions += result.redactions.length;
      return result.text;
    };
    const messages: ChatTurn[] = request.messages.map((m) => ({ role: m.role, content: redact(m.content) }));
    const system = redact(request.system);

    if (this.deps.confirmOutgoing) {
      const tokens = estimateTokens(system) + messages.reduce((sum, m) => sum + estimateTokens(m.content), 0);
      const go = await this.deps.confirmOutgoing({ task: request.task, model, sources: request.sources ?? [], tokens, redactions });
      if (!go) throw new TiercelError('Not sent to Claude.', ['runLocally']);
    }

    const key = await this.deps.apiKey();
    if (!key) throw new TiercelError('Set your Anthropic API key to use Claude.', ['setApiKey']);
    // Before anything leaves: counting tokens already sends the text, and a ledger that cannot be written
    // would leave that request outside the budget.
    await this.deps.ledger.checkAccess();
    // Loaded here, on first use: the SDK is the largest part of the bundle.
    const [{ createClaudeClient }, { sendClaudeRequest, ClaudeRequestError }] = await Promise.all([import('../claude/client'), import('../claude/request')]);
    const client = createClaudeClient({ apiKey: key, ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}), ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}) });
    try {
      const result = await sendClaudeRequest(
        {
          client,
          ledger: this.deps.ledger,
          limits: settings.limits,
          ...(this.deps.confirmCost ? { confirm: this.deps.confirmCost } : {}),
          ...(request.onStatus ? { onStatus: request.onStatus } : {}),
          ...(this.deps.log ? { log: this.deps.log } : {}),
          ...(this.deps.prices ? { prices: this.deps.prices } : {}),
        },
        {
          feature: request.task,
          params: {
            model,
            max_tokens: request.maxTokens,
            // Instructions first and marked for caching: they repeat across requests of a task.
            system: [{ type: 'text', text: system, cache_control: { type: 'ephemeral' } }],
            messages,
            ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
            ...(request.jsonSchema ? { output_config: { format: { type: 'json_schema', schema: request.jsonSchema } } } : {}),
          },
          ...(request.signal ? { signal: request.signal } : {}),
          ...(request.onText ? { onText: request.onText } : {}),
        },
      );
      this.unreachableAt = undefined;
      const text = result.message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
      return {
        text,
        tier: 'claude',
        provider: 'claude',
        model,
        inputTokens: totalInputTokens(result.usage),
        outputTokens: result.usage.output,
        costUsd: result.costUsd,
        truncated: result.message.stop_reason === 'max_tokens',
        ...(result.requestId ? { requestId: result.requestId } : {}),
        redactions,
      };
    } catch (error) {
      if (error instanceof ClaudeRequestError && error.failure === 'unreachable') this.unreachableAt = this.deps.now?.() ?? Date.now();
      throw error;
    } finally {
      this.deps.onSpend?.();
    }
  }

  /** Sends nothing when a declared source is one the privacy filter excludes. */
  private async checkSources(request: TierRequest): Promise<void> {
    const sources = request.sources ?? [];
    if (sources.length === 0) return;
    if (!request.workspace) throw new TiercelError('Tiercel cannot check which workspace these files belong to, so it will not send them to Claude.', ['showLog']);
    const filter = await (this.deps.privacyFilter ?? ((root: string) => PrivacyFilter.load(root)))(request.workspace);
    for (const source of sources) {
      const verdict = filter.isExcluded(source);
      if (verdict.excluded) {
        this.deps.log?.(`claude: refused to send ${source} (${verdict.reason ?? 'excluded'})`);
        throw new TiercelError(`Not sent to Claude: ${source} is excluded by your privacy settings (${verdict.reason ?? 'excluded'}).`, ['openSettings']);
      }
    }
  }
}

/** "Claude · claude-sonnet-5-5 · $0.012" for an answer's label. */
export function describeAnswer(answer: Pick<TierAnswer, 'tier' | 'model' | 'costUsd'>): string {
  return answer.tier === 'claude' ? `Claude · ${answer.model} · ${formatUsd(answer.costUsd)}` : `Local · ${answer.model}`;
}
