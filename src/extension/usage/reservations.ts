/**
 * Claude reservations that never settled, as the Usage & Savings view lists them, and the release of an
 * abandoned one. No vscode here: the view's host asks for the confirmation, this only reads and writes the ledger.
 */
import { DEFAULT_ABANDON_AFTER_MS, localMonth, type BudgetLedger, type LedgerLine, type ReserveLine } from '../../core/claude/ledger';
import { TiercelError } from '../../core/errors';
import type { ReservationRow } from '../../webview/usage/protocol';

/**
 * This month's reserve lines with no settle line for their id, newest first: the ones that count against a
 * cap now (an older one no longer weighs on any cap), as `tiercel usage` counts them.
 */
export function openReservations(lines: readonly LedgerLine[], now: Date, abandonAfterMs = DEFAULT_ABANDON_AFTER_MS): ReservationRow[] {
  const settled = new Set(lines.filter((l) => l.type === 'settle').map((l) => l.id));
  const month = localMonth(now);
  const open = new Map<string, ReserveLine>();
  for (const line of lines) {
    if (line.type === 'reserve' && !settled.has(line.id) && !open.has(line.id) && localMonth(new Date(line.time)) === month) open.set(line.id, line);
  }
  return [...open.values()]
    .map((r) => ({
      id: r.id,
      time: r.time,
      feature: r.feature,
      model: r.model,
      maxCostUsd: r.maxCostUsd,
      state: now.getTime() - Date.parse(r.time) > abandonAfterMs ? ('abandoned' as const) : ('pending' as const),
    }))
    .sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
}

export type ReleaseOutcome =
  | { kind: 'released'; reservation: ReservationRow }
  /** Settled (or released) since the view listed it: nothing to do. */
  | { kind: 'settled' }
  /** Still young enough to be in flight: releasing it could let a running request pass the cap. */
  | { kind: 'pending' }
  | { kind: 'unknown' };

/**
 * Ends an abandoned reservation at $0 through the ledger's own release (checked and written under its lock,
 * marked as released by the user), so it stops counting at its worst case. When the ledger refuses, the
 * ledger is read again to tell the user why: it settled meanwhile, it may still be running, or it is unknown.
 */
export async function releaseAbandoned(
  ledger: Pick<BudgetLedger, 'read' | 'releaseAbandoned'>,
  id: string,
  now: Date,
  abandonAfterMs = DEFAULT_ABANDON_AFTER_MS,
): Promise<ReleaseOutcome> {
  try {
    const released = await ledger.releaseAbandoned(id);
    return { kind: 'released', reservation: { ...released, state: 'abandoned' } };
  } catch (error) {
    if (!(error instanceof TiercelError)) throw error;
    const { lines } = await ledger.read();
    if (lines.some((l) => l.type === 'settle' && l.id === id)) return { kind: 'settled' };
    const row = openReservations(lines, now, abandonAfterMs).find((r) => r.id === id);
    return row ? { kind: 'pending' } : { kind: 'unknown' };
  }
}
