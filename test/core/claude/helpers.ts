/** Shared by the Claude-tier tests: a throwaway ledger directory and a replay of the ledger's commitments. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { LedgerLine } from '../../../src/core/claude/ledger';

export async function tempDir(): Promise<{ dir: string; ledgerPath: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tiercel-ledger-'));
  return { dir, ledgerPath: path.join(dir, 'nested', 'ledger.jsonl'), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Replays the ledger in file order and returns the most that was ever committed at once: settled costs
 * plus open reservations at their worst case. The cap holds only if this never passes it.
 */
export function peakCommittedUsd(lines: LedgerLine[]): number {
  const open = new Map<string, number>();
  let committed = 0;
  let peak = 0;
  for (const line of lines) {
    if (line.type === 'reserve') {
      open.set(line.id, line.maxCostUsd);
      committed += line.maxCostUsd;
    } else if (line.type === 'settle') {
      committed += line.costUsd - (open.get(line.id) ?? 0);
      open.delete(line.id);
    }
    peak = Math.max(peak, committed);
  }
  return peak;
}

/** Token counts by kind, zero unless given (written out, not the product's NO_USAGE, so tests stay independent of it). */
export const tokens = (t: Partial<Record<'input' | 'output' | 'cacheWrite5m' | 'cacheWrite1h' | 'cacheRead', number>>) => ({
  input: 0,
  output: 0,
  cacheWrite5m: 0,
  cacheWrite1h: 0,
  cacheRead: 0,
  ...t,
});
