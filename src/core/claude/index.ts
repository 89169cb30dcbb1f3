export { createClaudeClient } from './client';
export type { ClaudeClientOptions } from './client';
export {
  BUDGET_WARNING_FRACTION,
  BudgetExceededError,
  budgetLevel,
  cacheWriteTtlOf,
  decideBudget,
  estimateInputTokens,
  formatUsd,
  worstCaseOf,
} from './budget';
export type { BudgetDecision, BudgetLevel, BudgetLimits, InputTokenSource, WorstCase } from './budget';
export { BudgetLedger, DEFAULT_ABANDON_AFTER_MS, defaultLedgerPath, parseLedger, spendTotals, summarizeLedger } from './ledger';
export type {
  BudgetLedgerOptions,
  LedgerLine,
  LedgerOutcome,
  LedgerSummary,
  PeriodSummary,
  Reservation,
  SettleResult,
  SpendBucket,
  SpendTotals,
} from './ledger';
export { defaultPriceTable, parsePriceTable, priceOf, ratesFor } from './prices';
export type { ModelPrice, PriceTable, TokenRates } from './prices';
export { ClaudeRequestError, sendClaudeRequest, textOf } from './request';
export type { ClaudeFailure, ClaudeParams, ClaudeRequest, ClaudeRequestDeps, ClaudeResult } from './request';
export { addUsage, costOf, NO_USAGE, StreamUsage, totalInputTokens, usageFromSdk } from './usage';
export type { CacheTtl, SdkUsage, TokenUsage } from './usage';
