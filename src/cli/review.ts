import path from 'node:path';
import { parseArgs } from 'node:util';
import { BudgetExceededError, BudgetLedger, createClaudeClient, formatUsd, sendClaudeRequestForText } from '../core/claude';
import { PrivacyFilter } from '../core/privacy/ignore';
import type { Finding } from '../core/review/findings';
import { runReview, type ReviewResult, type SendReview } from '../core/review/review';
import { collectReviewTarget, type ReviewScope } from '../core/review/scope';
import { DEFAULT_SETTINGS } from '../core/settings';
import { UsageError, type CliIo } from './io';
import { budgetFromFlags, parseUsdFlag } from './usage';

export const REVIEW_HELP = `tiercel review --workspace DIR (--file PATH [--range A:B] | --staged | --uncommitted | --diff FILE)
               [--model M] [--ledger PATH] [--budget-day USD] [--budget-month USD] [--max-cost USD] [--json]

Reviews code with Claude and prints the findings (file:line severity category message).
Every request passes the budget gate first: with the ledger's spend, a request whose worst case
would pass --budget-day / --budget-month (defaults: ${formatUsd(DEFAULT_SETTINGS.budget.dailyUsd)} / ${formatUsd(DEFAULT_SETTINGS.budget.monthlyUsd)}) is not sent, and the command
exits 4 with the reason. A single request above --max-cost (default ${formatUsd(DEFAULT_SETTINGS.budget.confirmAboveUsd)}) is not sent either
(there is no one to ask). Files matched by .gitignore, .tiercelignore and the built-in deny list
(.env*, keys, credentials) are never sent; secrets in sent text are redacted.
Needs ANTHROPIC_API_KEY; ANTHROPIC_BASE_URL points at another endpoint. --ledger: see 'usage --help'.
Exit: 0 reviewed, 1 failed, 2 usage, 4 refused by the budget (nothing sent).`;

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
      model: { type: 'string' },
      ledger: { type: 'string' },
      'budget-day': { type: 'string' },
      'budget-month': { type: 'string' },
      'max-cost': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.workspace) throw new UsageError('--workspace is required');
  const root = path.resolve(values.workspace);
  const scope = scopeFromFlags(values);
  const apiKey = io.env.ANTHROPIC_API_KEY;
  if (!apiKey) throw new UsageError('ANTHROPIC_API_KEY is not set');

  const defaults = DEFAULT_SETTINGS;
  const { ledgerPath, limits } = budgetFromFlags(values, io.env);
  const maxCost = parseUsdFlag(values['max-cost'], '--max-cost') ?? defaults.budget.confirmAboveUsd;
  const client = createClaudeClient({ apiKey, ...(io.env.ANTHROPIC_BASE_URL ? { baseUrl: io.env.ANTHROPIC_BASE_URL } : {}) });
  const ledger = new BudgetLedger({ path: ledgerPath });

  const filter = await PrivacyFilter.load(root);
  const target = await collectReviewTarget(scope, { root, filter });
  for (const e of target.excluded) io.err(`not sent: ${e.path} (${e.reason})`);

  const send: SendReview = (request) =>
    sendClaudeRequestForText(
      {
        client,
        ledger,
        limits: { dailyUsd: limits.dailyUsd ?? defaults.budget.dailyUsd, monthlyUsd: limits.monthlyUsd ?? defaults.budget.monthlyUsd, confirmAboveUsd: maxCost },
        onStatus: (status) => io.err(status),
      },
      request,
    );

  let result: ReviewResult;
  try {
    result = await runReview(target, { send }, {
      model: values.model ?? defaults.claude.model,
      maxTokens: defaults.review.maxOutputTokens,
      maxInputTokens: defaults.review.maxInputTokens,
      confidenceThreshold: defaults.review.confidenceThreshold,
    });
  } catch (error) {
    if (error instanceof BudgetExceededError) {
      io.err(`tiercel review: not sent. ${error.message}`);
      return 4;
    }
    throw error;
  }

  if (values.json) {
    io.out(JSON.stringify({ summary: result.summary, findings: result.shown, lowConfidence: result.hidden, rejected: result.rejected, malformed: result.malformed, costUsd: result.costUsd, requestId: result.requestId, excluded: target.excluded }, null, 2));
    return result.malformed ? 1 : 0;
  }
  if (result.malformed) {
    io.err(`tiercel review: Claude's answer could not be read as findings: ${result.malformed.error}`);
    return 1;
  }
  const lines = [...result.shown.map(formatFinding), ...(result.hidden.length ? [`(${result.hidden.length} low-confidence finding(s) not shown; --json lists them)`] : [])];
  io.out([result.summary, ...lines, `Cost: ${formatUsd(result.costUsd)}${result.requestId ? ` (request ${result.requestId})` : ''}`].filter(Boolean).join('\n'));
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
