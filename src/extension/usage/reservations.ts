/**
 * Claude reservations that never settled, as the Usage & Savings view lists them, and the release of an
 * abandoned one. No vscode here: the view's host asks for the confirmation, this only reads and writes the ledger.
 */
import { DEFAULT_ABANDON_AFTER_MS, localMonth, type BudgetLedger, type LedgerLine, type Reservation, type ReserveLine } from '../../core/claude/ledger';
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
 * Ends an abandoned reservation at $0 (a `settle` line with outcome `released`), so it stops counting at its
 * worst case. Re-reads the ledger first, so a reservation that settled meanwhile, or is not abandoned, is left.
 *
 * The check and the write are not one locked step (the ledger offers no such call yet): a settle line that
 * lands between them is kept too, and the first settle line of an id is the one every reader counts.
 */
export async function releaseAbandoned(
  ledger: Pick<BudgetLedger, 'read' | 'release'>,
  id: string,
  now: Date,
  abandonAfterMs = DEFAULT_ABANDON_AFTER_MS,
): Promise<ReleaseOutcome> {
  const { lines } = await ledger.read();
  if (lines.some((l) => l.type === 'settle' && l.id === id)) return { kind: 'settled' };
  const row = openReservations(lines, now, abandonAfterMs).find((r) => r.id === id);
  if (!row) return { kind: 'unknown' };
  if (row.state !== 'abandoned') return { kind: 'pending' };
  const reservation: Reservation = { id: row.id, time: row.time, feature: row.feature, model: row.model, maxCostUsd: row.maxCostUsd };
  await ledger.release(reservation);
  return { kind: 'released', reservation: row };
}
