/**
 * A ledger holding both tiers, relative to `now`: settled Claude requests on several days, one pending and
 * one abandoned reservation, local (Ollama) and OpenAI-compatible batches with savings, an entry older than
 * the 30-day window and a torn line. Used by the view's unit tests and by the E2E test, which seeds it into
 * the machine-wide ledger the extension reads.
 */
import type { LedgerLine } from '../../../src/core/claude/ledger';

const ago = (now: Date, ms: number) => new Date(now.getTime() - ms).toISOString();
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const MODEL = 'claude-sonnet-5-5';

export const ABANDONED_ID = 'res-abandoned-1';
export const PENDING_ID = 'res-pending-1';

function claude(now: Date, id: string, msAgo: number, feature: string, costUsd: number, input: number, output: number, cacheRead = 0): LedgerLine[] {
  const time = ago(now, msAgo);
  return [
    { v: 1, type: 'reserve', id, time, feature, model: MODEL, maxCostUsd: 0.25, pid: 4242 },
    {
      v: 1,
      type: 'settle',
      id,
      time,
      settledAt: ago(now, msAgo - 20_000),
      feature,
      model: MODEL,
      tokens: { input, output, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead },
      costUsd,
      requestId: `req_${id}`,
      outcome: 'ok',
    },
  ];
}

function local(now: Date, id: string, msAgo: number, tier: 'local' | 'openai', feature: string, model: string, requests: number, input: number, output: number, savedUsd: number): LedgerLine {
  return { v: 1, type: 'local', id, time: ago(now, msAgo), tier, feature, model, requests, tokens: { input, output }, savedUsd, comparedModel: MODEL };
}

export function seededLedgerLines(now: Date): LedgerLine[] {
  return [
    ...claude(now, 'c-old', 40 * DAY, 'review', 0.5, 40_000, 4_000),
    ...claude(now, 'c-1', 6 * DAY, 'review', 0.0421, 3_000, 500, 1_000),
    ...claude(now, 'c-2', 1 * DAY, 'debug', 0.0188, 2_400, 350),
    ...claude(now, 'c-3', 10 * MIN, 'review', 0.0125, 1_800, 300),
    { v: 1, type: 'reserve', id: ABANDONED_ID, time: ago(now, 3 * HOUR), feature: 'review', model: MODEL, maxCostUsd: 0.3, pid: 999_999 },
    { v: 1, type: 'reserve', id: PENDING_ID, time: ago(now, 1 * MIN), feature: 'debug', model: MODEL, maxCostUsd: 0.05, pid: 999_998 },
    local(now, 'l-1', 5 * DAY, 'local', 'completion', 'qwen2.5-coder:1.5b-base', 240, 180_000, 9_000, 0.45),
    local(now, 'l-2', 2 * DAY, 'local', 'review', 'qwen2.5-coder:7b-instruct', 3, 15_000, 2_000, 0.05),
    local(now, 'l-3', 20 * MIN, 'local', 'completion', 'qwen2.5-coder:1.5b-base', 57, 41_000, 2_100, 0.1031),
    local(now, 'l-4', 4 * DAY, 'openai', 'chat', 'qwen2.5-coder-32b', 5, 6_000, 1_500, 0.0345),
    local(now, 'l-old', 45 * DAY, 'local', 'completion', 'qwen2.5-coder:1.5b-base', 900, 700_000, 30_000, 1.9),
  ];
}

/** The ledger file's text: one JSON line each, plus a torn line a crash could leave (skipped by readers). */
export function seededLedgerText(now: Date): string {
  return `${seededLedgerLines(now).map((l) => JSON.stringify(l)).join('\n')}\n{"v":1,"type":"settle","id":"torn`;
}
