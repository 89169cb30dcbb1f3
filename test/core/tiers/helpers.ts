/** A scripted ModelTier for feature tests: answers from a list, records every request it was sent. */
import type { LedgerSummary } from '../../../src/core/claude';
import { TierSet, type RoutingSettings } from '../../../src/core/tiers';
import type { ModelTier, TierAnswer, TierAvailability, TierKind, TierRequest } from '../../../src/core/tiers/types';

export interface ScriptedTier extends ModelTier {
  readonly requests: TierRequest[];
}

export function scriptedTier(
  kind: TierKind,
  answers: Array<string | Partial<TierAnswer>>,
  options: { model?: string; availability?: TierAvailability; costUsd?: number; window?: number } = {},
): ScriptedTier {
  const requests: TierRequest[] = [];
  const model = options.model ?? (kind === 'claude' ? 'claude-sonnet-5-5' : 'qwen2.5-coder:7b-instruct');
  return {
    kind,
    provider: kind === 'claude' ? 'claude' : 'ollama',
    defaultModel: model,
    leavesMachine: kind === 'claude',
    requests,
    label: (m = model) => `${kind === 'claude' ? 'Claude' : 'Local'} · ${m}`,
    contextWindow: () => options.window ?? (kind === 'local' ? 32_768 : undefined),
    availability: async () => options.availability ?? { available: true },
    estimate: (r) => ({ inputTokens: Math.ceil((r.system.length + r.messages.reduce((n, m) => n + m.content.length, 0)) / 3.2), worstCaseUsd: kind === 'claude' ? 0.05 : 0 }),
    async send(request) {
      requests.push(request);
      const next = answers.shift();
      if (next === undefined) throw new Error(`${kind} tier: no scripted answer left`);
      const scripted = typeof next === 'string' ? { text: next } : next;
      request.onText?.(scripted.text ?? '', scripted.text ?? '');
      return {
        text: '',
        tier: kind,
        provider: kind === 'claude' ? 'claude' : 'ollama',
        model: request.model ?? model,
        inputTokens: 100,
        outputTokens: 10,
        costUsd: kind === 'claude' ? (options.costUsd ?? 0.01) : 0,
        truncated: false,
        redactions: 0,
        ...scripted,
      };
    },
  };
}

/** A ledger summary with the given spend today and this month. */
export function spent(todayUsd: number, monthUsd = todayUsd): Pick<{ summary(): Promise<LedgerSummary> }, 'summary'> {
  const period = (usd: number) => ({ usd, requests: 0, tokens: { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 }, byFeature: {}, byModel: {}, pending: { count: 0, usd: 0 }, abandoned: { count: 0, usd: 0 } });
  return { summary: async () => ({ now: '', day: '', month: '', today: period(todayUsd), thisMonth: period(monthUsd), skippedLines: 0, abandonedReservations: [] }) };
}

export const ROUTING: RoutingSettings = { claudeShare: 50, claudeLightModel: 'claude-haiku-5-5', localOnly: false, limits: { dailyUsd: 2, monthlyUsd: 20 } };

export function tierSet(local: ModelTier, claude: ModelTier, options: { spentToday?: number; routing?: Partial<RoutingSettings> } = {}): TierSet {
  return new TierSet(() => local, claude, spent(options.spentToday ?? 0), () => ({ ...ROUTING, ...options.routing }));
}
