import path from 'node:path';
import { parseArgs } from 'node:util';
import { BudgetExceededError, formatUsd } from '../core/claude';
import { PrivacyFilter } from '../core/privacy/ignore';
import { gatherDefinitions } from '../core/review/definitions';
import type { Finding } from '../core/review/findings';
import { runReview, type ReviewResult } from '../core/review/review';
import { collectReviewTarget, type ReviewScope } from '../core/review/scope';
import type { TierPreference } from '../core/router';
import { DEFAULT_SETTINGS } from '../core/settings';
import { RouteRefusedError } from '../core/tiers';
import { UsageError, type CliIo } from './io';
import { openContextEngine } from './position';
import { cliTiers, openaiUrlOf } from './tiers';
import { budgetFromFlags, parseUsdFlag } from './usage';

export const REVIEW_HELP = `tiercel review --workspace DIR (--file PATH [--range A:B] | --staged | --uncommitted | --diff FILE)
               [--tier claude|local|auto] [--model M] [--local-model M] [--ollama-url URL | --openai-url URL] [--no-context]
               [--ledger PATH] [--budget-day USD] [--budget-month USD] [--max-cost USD] [--json]

Reviews code and prints the findings (file:line severity category message), with the definitions
the changed code uses from other files (--no-context: without them).
--tier claude (default) reviews with Claude and exits 4 with the reason, nothing sent, when Claude
can't take it; --tier local reviews with the local model; --tier auto lets the router choose and
falls back to the local model, saying why.
The local model runs on Ollama (--ollama-url, else OLLAMA_HOST), or on an OpenAI-compatible server
(llama.cpp, vLLM, LM Studio) with --openai-url URL (else TIERCEL_OPENAI_BASE_URL), e.g.
http://127.0.0.1:8080/v1; its key, if it needs one, from TIERCEL_OPENAI_API_KEY. --local-model names
the model on either (required with an OpenAI-compatible server). A server on another machine receives
the code: the privacy filter and redaction guard only what is sent to Claude.
Every Claude request passes the budget gate first: with the ledger's spend, a request whose worst
case would pass --budget-day / --budget-month (defaults: ${formatUsd(DEFAULT_SETTINGS.budget.dailyUsd)} / ${formatUsd(DEFAULT_SETTINGS.budget.monthlyUsd)}) is not sent. A single request
above --max-cost (default ${formatUsd(DEFAULT_SETTINGS.budget.confirmAboveUsd)}) is not sent either (there is no one to ask).
Files matched by .gitignore, .tiercelignore and the built-in deny list (.env*, keys, credentials)
are never sent; secrets in text sent to Claude are redacted.
Claude needs ANTHROPIC_API_KEY; ANTHROPIC_BASE_URL points at another endpoint. --ledger: see 'usage --help'.
Exit: 0 reviewed, 1 failed, 2 usage, 4 refused (nothing sent).`;

const TIERS: readonly TierPreference[] = ['claude', 'local', 'auto'];

export async function reviewCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      workspace: { type: 'string' },
      file: { type: 'string' },
      range: { type: 'string' },
      staged: { type: 'boolean', default: false },
      uncommitted: { type: 'boolean', default: false },
      diff: { type: 'string' },
      tier: { type: 'string', default: 'claude' },
      model: { type: 'string' },
      'local-model': { type: 'string' },
      'ollama-url': { type: 'string' },
      'openai-url': { type: 'string' },
      'no-context': { type: 'boolean', default: false },
      ledger: { type: 'string' },
      'budget-day': { type: 'string' },
      'budget-month': { type: 'string' },
      'max-cost': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.workspace) throw new UsageError('--workspace is required');
  const preference = values.tier as TierPreference;
  if (!TIERS.includes(preference)) throw new UsageError(`--tier must be one of ${TIERS.join(', ')}`);
  const root = path.resolve(values.workspace);
  const scope = scopeFromFlags(values);
  if (preference === 'claude' && !io.env.ANTHROPIC_API_KEY) throw new UsageError('ANTHROPIC_API_KEY is not set (or use --tier local)');
  if (values['openai-url'] && values['ollama-url']) throw new UsageError('give --ollama-url or --openai-url, not both');
  const openaiUrl = openaiUrlOf(values, io.env);
  if (openaiUrl && !values['local-model'] && preference !== 'claude') {
    throw new UsageError(`an OpenAI-compatible server needs --local-model (the model name as ${openaiUrl.replace(/\/+$/, '')}/models lists it)`);
  }

  const defaults = DEFAULT_SETTINGS;
  const { ledgerPath, limits } = budgetFromFlags(values, io.env);
  const maxCost = parseUsdFlag(values['max-cost'], '--max-cost') ?? defaults.budget.confirmAboveUsd;
  const { tiers, usage, ledger } = cliTiers(io, {
    ledgerPath,
    limits: { dailyUsd: limits.dailyUsd ?? defaults.budget.dailyUsd, monthlyUsd: limits.monthlyUsd ?? defaults.budget.monthlyUsd, confirmAboveUsd: maxCost },
    ...(values.model ? { claudeModel: values.model } : {}),
    ...(values['local-model'] ? { localModel: values['local-model'] } : {}),
    ...(values['ollama-url'] ? { ollamaUrl: values['ollama-url'] } : {}),
    ...(openaiUrl ? { openaiUrl } : {}),
  });
  // Before anything is read or counted: a token count already sends the text. (A local review needs no budget.)
  if (preference !== 'local') await ledger.checkAccess();

  const filter = await PrivacyFilter.load(root);
  const target = await collectReviewTarget(scope, { root, filter });
  for (const e of target.excluded) io.err(`not sent: ${e.path} (${e.reason})`);

  let result: ReviewResult;
  const engine = values['no-context'] ? undefined : openContextEngine(root, io.env);
  try {
    result = await runReview(
      target,
      {
        tiers,
        ...(engine ? { context: () => gatherDefinitions(engine, target.files, { filter }) } : {}),
        onRoute: (route) => io.err(route.reason),
      },
      {
        preference,
        fallback: preference === 'auto',
        workspace: root,
        maxTokens: defaults.review.maxOutputTokens,
        maxInputTokens: defaults.review.maxInputTokens,
        confidenceThreshold: defaults.review.confidenceThreshold,
        ...(io.signal ? { signal: io.signal } : {}),
      },
    );
  } catch (error) {
    if (error instanceof BudgetExceededError || error instanceof RouteRefusedError) {
      io.err(`tiercel review: not sent. ${error.message}`);
      return 4;
    }
    throw error;
  } finally {
    engine?.dispose();
    await usage.flush();
  }

  const tier = { tier: result.route.tier, model: result.reply.model, reason: result.route.reason };
  if (values.json) {
    io.out(JSON.stringify({ summary: result.summary, findings: result.shown, lowConfidence: result.hidden, rejected: result.rejected, malformed: result.malformed, ...tier, costUsd: result.costUsd, requestId: result.requestId, excluded: target.excluded }, null, 2));
    return result.malformed ? 1 : 0;
  }
  if (result.malformed) {
    io.err(`tiercel review: the answer could not be read as findings: ${result.malformed.error}`);
    return 1;
  }
  const lines = [...result.shown.map(formatFinding), ...(result.hidden.length ? [`(${result.hidden.length} low-confidence finding(s) not shown; --json lists them)`] : [])];
  const cost = result.route.tier === 'claude' ? `Cost: ${formatUsd(result.costUsd)}${result.requestId ? ` (request ${result.requestId})` : ''}` : `Local model ${result.reply.model}: no cost.`;
  io.out([result.summary, ...lines, cost].filter(Boolean).join('\n'));
  return 0;
}

function scopeFromFlags(values: { file?: string; range?: string; staged?: boolean; uncommitted?: boolean; diff?: string }): ReviewScope {
  const chosen = [values.file, values.staged || undefined, values.uncommitted || undefined, values.diff].filter((v) => v !== undefined);
  if (chosen.length !== 1) throw new UsageError('give exactly one of --file, --staged, --uncommitted, --diff');
  if (values.staged) return { kind: 'staged' };
  if (values.uncommitted) return { kind: 'uncommitted' };
  if (values.diff) return { kind: 'diffFile', path: path.resolve(values.diff) };
  const file = values.file!.split(path.sep).join('/');
  if (!values.range) return { kind: 'file', file };
  const match = /^(\d+):(\d+)$/.exec(values.range);
  if (!match || Number(match[1]) < 1 || Number(match[2]) < Number(match[1])) throw new UsageError('--range must be A:B, 1-based lines with A ≤ B');
  return { kind: 'selection', file, startLine: Number(match[1]), endLine: Number(match[2]) };
}

function formatFinding(f: Finding): string {
  const lines = f.startLine === f.endLine ? `${f.startLine}` : `${f.startLine}-${f.endLine}`;
  return `${f.file}:${lines}: ${f.severity} [${f.category}] ${f.message} (confidence ${Math.round(f.confidence * 100)}%)${f.suggestion ? '\n  suggestion:\n' + f.suggestion.replace(/^/gm, '    ') : ''}`;
}
