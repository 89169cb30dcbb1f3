import { parseArgs } from 'node:util';
import { BudgetLedger, defaultPriceTable } from '../core/claude';
import { worstCaseOf } from '../core/claude/budget';
import { routeRequest, type TierPreference } from '../core/router';
import { DEFAULT_SETTINGS } from '../core/settings';
import { LOCAL_CONTEXT_TOKENS, TASK_KINDS, type TaskKind } from '../core/tiers';
import { UsageError, type CliIo } from './io';
import { budgetFromFlags, parseUsdFlag } from './usage';

export const ROUTE_HELP = `tiercel route --task KIND [--tokens N] [--files N] [--errors N] [--error-files N] [--local-failed]
              [--tier auto|local|claude] [--budget-left USD] [--no-key] [--claude-offline]
              [--local-offline] [--local-only] [--claude-share 0-100] [--max-tokens N] [--json]

Says which tier would answer a request, with which model, and why: the router the editor and the
other commands use, as a pure function of the flags. KIND: ${TASK_KINDS.join(', ')}.
--tokens: the prompt's tokens (default 1000); --files: files its context spans (default 1);
--errors / --error-files: error signals and the files they are in (stack frames, diagnostics).
Tiers are assumed reachable, with a key, unless --no-key / --claude-offline / --local-offline /
--local-only say otherwise. --budget-left defaults to what the ledger leaves of the default caps
(--ledger, --budget-day, --budget-month as in 'usage --help'). --json prints {"tier","model","reason"}.`;

export async function routeCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      task: { type: 'string' },
      tokens: { type: 'string', default: '1000' },
      files: { type: 'string', default: '1' },
      errors: { type: 'string', default: '0' },
      'error-files': { type: 'string' },
      'local-failed': { type: 'boolean', default: false },
      tier: { type: 'string', default: 'auto' },
      'budget-left': { type: 'string' },
      'no-key': { type: 'boolean', default: false },
      'claude-offline': { type: 'boolean', default: false },
      'local-offline': { type: 'boolean', default: false },
      'local-only': { type: 'boolean', default: false },
      'claude-share': { type: 'string', default: String(DEFAULT_SETTINGS.router.claudeShare) },
      'max-tokens': { type: 'string', default: String(DEFAULT_SETTINGS.review.maxOutputTokens) },
      ledger: { type: 'string' },
      'budget-day': { type: 'string' },
      'budget-month': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const task = values.task as TaskKind | undefined;
  if (!task || !TASK_KINDS.includes(task)) throw new UsageError(`--task must be one of ${TASK_KINDS.join(', ')}`);
  const preference = values.tier as TierPreference;
  if (!['auto', 'local', 'claude'].includes(preference)) throw new UsageError('--tier must be auto, local or claude');
  const count = (flag: string, value: string | undefined) => {
    const n = Number(value);
    if (value === undefined || !Number.isInteger(n) || n < 0) throw new UsageError(`--${flag} must be a whole number (0 or more)`);
    return n;
  };
  const promptTokens = count('tokens', values.tokens);
  const maxTokens = count('max-tokens', values['max-tokens']);
  const claudeShare = count('claude-share', values['claude-share']);
  if (claudeShare > 100) throw new UsageError('--claude-share must be between 0 and 100');

  const d = DEFAULT_SETTINGS;
  const budget = await budgetLeft(values, io);
  const claudeModel = task === 'explain' || task === 'chat' ? d.claude.lightModel : d.claude.model;
  const price = defaultPriceTable().priceOf(claudeModel);
  const worst = price && worstCaseOf(price, { model: claudeModel, max_tokens: maxTokens, messages: [], cache_control: { type: 'ephemeral' } }, { inputTokens: promptTokens, source: 'estimate' });

  const route = routeRequest({
    task,
    promptTokens,
    maxTokens,
    files: count('files', values.files),
    errors: count('errors', values.errors),
    ...(values['error-files'] !== undefined ? { errorFiles: count('error-files', values['error-files']) } : {}),
    localFailed: values['local-failed'],
    preference,
    localOnly: values['local-only'],
    claudeKey: !values['no-key'],
    claudeReachable: !values['claude-offline'],
    localReachable: !values['local-offline'],
    ...(values['local-offline'] ? { localProblem: 'Ollama offline' } : {}),
    budgetLeftUsd: budget.leftUsd,
    ...(budget.cap ? { budgetCap: budget.cap } : {}),
    worstCaseUsd: worst ? worst.usd : Number.POSITIVE_INFINITY,
    localContextTokens: LOCAL_CONTEXT_TOKENS,
    claudeShare,
    models: { local: d.ollama.chatModel, claude: d.claude.model, claudeLight: d.claude.lightModel },
  });
  if (values.json) io.out(JSON.stringify({ tier: route.tier, model: route.model, reason: route.reason }));
  else io.out(`${route.tier === 'claude' ? 'Claude' : 'Local'} (${route.model}): ${route.reason.replace(/^(Claude|Local): /, '')}`);
  return 0;
}

/** --budget-left, or what the ledger leaves of the caps (the tighter of the two). */
async function budgetLeft(
  values: { 'budget-left'?: string; ledger?: string; 'budget-day'?: string; 'budget-month'?: string },
  io: CliIo,
): Promise<{ leftUsd: number; cap?: { period: 'day' | 'month'; usd: number } }> {
  const given = parseUsdFlag(values['budget-left'], '--budget-left');
  if (given !== undefined) return { leftUsd: given };
  const { ledgerPath, limits } = budgetFromFlags(values, io.env);
  const daily = limits.dailyUsd ?? DEFAULT_SETTINGS.budget.dailyUsd;
  const monthly = limits.monthlyUsd ?? DEFAULT_SETTINGS.budget.monthlyUsd;
  const summary = await new BudgetLedger({ path: ledgerPath }).summary();
  const day = daily - summary.today.usd;
  const month = monthly - summary.thisMonth.usd;
  return day <= month ? { leftUsd: day, cap: { period: 'day', usd: daily } } : { leftUsd: month, cap: { period: 'month', usd: monthly } };
}
