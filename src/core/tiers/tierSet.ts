/**
 * The tiers a front end has (local, Claude) and the router between them: gathers what the router needs
 * (each tier's availability, the budget left, the worst case of this request on Claude), asks it, and runs
 * structured tasks on the tier it picked, escalating once when a local answer is unusable.
 */
import type { BudgetLimits } from '../claude/budget';
import { TiercelError } from '../errors';
import type { BudgetLedger } from '../claude/ledger';
import { routeRequest, type Route, type TierPreference } from '../router';
import { runStructuredTask, type StructuredResult, type StructuredRunOptions, type StructuredTask } from './structured';
import type { ModelTier, TierKind, TierRequest } from './types';

export interface RoutingSettings {
  /** 0–100; see routeRequest. */
  claudeShare: number;
  /** The cheaper Claude model for escalated explanations and chat. */
  claudeLightModel: string;
  localOnly: boolean;
  limits: Pick<BudgetLimits, 'dailyUsd' | 'monthlyUsd'>;
}

/** What a feature tells the router besides the prompt. */
export interface RoutingHints {
  files?: number;
  errors?: number;
  errorFiles?: number;
  preference?: TierPreference;
  localFailed?: boolean;
  /**
   * False: when the preferred tier can't take the request, refuse (RouteRefusedError) rather than use the
   * other. For front ends that must not change tiers behind a script's back (the CLI without --tier auto).
   */
  fallback?: boolean;
}

/** The preferred tier could not take the request and falling back was not allowed. Nothing was sent. */
export class RouteRefusedError extends TiercelError {
  constructor(readonly route: Route) {
    super(`Not sent: ${route.fallback?.why ?? route.reason}.`, [...(route.fallback?.actions ?? []), ...(route.fallback?.from === 'claude' ? ['runLocally' as const] : [])]);
  }
}

export interface Routed {
  tier: ModelTier;
  route: Route;
}

export class TierSet {
  /**
   * `local` is asked for on every use: which server is the local tier (Ollama or an OpenAI-compatible one)
   * is a setting the user may change at any time.
   */
  constructor(
    private readonly localTier: () => ModelTier,
    readonly claude: ModelTier,
    private readonly ledger: Pick<BudgetLedger, 'summary'>,
    private readonly settings: () => RoutingSettings,
  ) {}

  get local(): ModelTier {
    return this.localTier();
  }

  tier(kind: TierKind): ModelTier {
    return kind === 'claude' ? this.claude : this.local;
  }

  /** Asks the router which tier (and model) should answer this request. */
  async route(request: Pick<TierRequest, 'task' | 'system' | 'messages' | 'maxTokens'>, hints: RoutingHints = {}): Promise<Routed> {
    const settings = this.settings();
    const [local, claude, summary] = await Promise.all([this.local.availability(), this.claude.availability(), this.ledger.summary().catch(() => undefined)]);
    const { dailyUsd, monthlyUsd } = settings.limits;
    const dayLeft = dailyUsd === undefined ? Infinity : dailyUsd - (summary?.today.usd ?? 0);
    const monthLeft = monthlyUsd === undefined ? Infinity : monthlyUsd - (summary?.thisMonth.usd ?? 0);
    const tighter = dayLeft <= monthLeft ? { period: 'day' as const, usd: dailyUsd } : { period: 'month' as const, usd: monthlyUsd };
    const light = request.task === 'explain' || request.task === 'chat';
    const claudeModel = light ? settings.claudeLightModel : this.claude.defaultModel;
    const estimate = this.local.estimate(request);

    const route = routeRequest({
      task: request.task,
      promptTokens: estimate.inputTokens,
      maxTokens: request.maxTokens,
      files: hints.files ?? 0,
      errors: hints.errors ?? 0,
      ...(hints.errorFiles !== undefined ? { errorFiles: hints.errorFiles } : {}),
      localFailed: hints.localFailed ?? false,
      preference: hints.preference ?? 'auto',
      localOnly: settings.localOnly,
      claudeKey: claude.available || claude.short !== 'no API key',
      claudeReachable: claude.available || claude.short !== 'unreachable',
      localReachable: local.available,
      ...(local.available ? {} : { localProblem: local.short }),
      budgetLeftUsd: Math.min(dayLeft, monthLeft),
      ...(tighter.usd !== undefined ? { budgetCap: { period: tighter.period, usd: tighter.usd } } : {}),
      worstCaseUsd: this.claude.estimate({ ...request, model: claudeModel }).worstCaseUsd,
      localContextTokens: this.local.contextWindow() ?? Infinity,
      claudeShare: settings.claudeShare,
      models: { local: this.local.defaultModel, claude: this.claude.defaultModel, claudeLight: settings.claudeLightModel },
    });
    return { tier: this.tier(route.tier), route };
  }

  /**
   * Routes and runs a structured task. A local answer that stays unusable after its repair is escalated
   * once (the router decides whether Claude may take it); both routes are returned.
   */
  async runStructured<T>(
    task: StructuredTask<T>,
    hints: RoutingHints,
    options: StructuredRunOptions & { onRoute?: (routed: Routed) => void } = {},
  ): Promise<StructuredResult<T> & { route: Route; tier: ModelTier; earlier?: { route: Route; result: StructuredResult<T> } }> {
    const request = { task: task.task, system: task.system, messages: [{ role: 'user' as const, content: task.prompt }], maxTokens: task.maxTokens };
    const first = await this.route(request, hints);
    if (first.route.fallback && hints.fallback === false) throw new RouteRefusedError(first.route);
    options.onRoute?.(first);
    const result = await runStructuredTask(first.tier, task, { ...options, model: first.route.model });
    if (result.ok || first.route.tier !== 'local' || hints.preference === 'local') return { ...result, ...first };
    const second = await this.route(request, { ...hints, localFailed: true });
    if (second.route.tier !== 'claude') return { ...result, ...first };
    options.onRoute?.(second);
    const escalated = await runStructuredTask(second.tier, task, { ...options, model: second.route.model });
    return { ...escalated, ...second, earlier: { route: first.route, result } };
  }
}
