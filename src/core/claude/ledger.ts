/**
 * The usage ledger: an append-only JSONL file shared by every process on the machine (each VS Code
 * window's extension host, the CLI), so they enforce one budget and report one history.
 *
 * Three kinds of line:
 * - `reserve`: written under the lock *together with* the budget check, before anything is sent. It holds
 *   the request's worst-case cost, so a concurrent request in another window sees it and the cap holds
 *   even while both are in flight.
 * - `settle`: written when the request ends; its actual cost (from the API's usage) replaces the hold.
 *   A request that never reached the model settles at 0 with outcome `released`.
 * - `local`: requests to a tier that bills nothing (the local model), with what they would have cost on
 *   Claude. They take part in no budget decision.
 *
 * An unsettled reservation keeps counting at its worst case, forever: the process that wrote it may have
 * crashed after the API billed it, and charging it is the only choice that keeps the cap true. After
 * `abandonAfterMs` (15 min, longer than any request Tiercel streams) it is reported as `abandoned` rather
 * than `pending`, and a late settle still replaces it.
 *
 * Spend is attributed to the reservation's time (when the request was sent), so a request that settles
 * after midnight counts against the day whose budget admitted it.
 *
 * Crash safety: each line is one `write` of a whole line to a file opened for append, then fdatasync,
 * under the lock. A crash can at worst leave a torn last line with no newline; readers skip lines that
 * don't parse, and the next writer starts on a fresh line so it never glues itself to the torn one.
 */
import { randomUUID } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, open, readFile, rename } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { lock } from 'proper-lockfile';
import * as z from 'zod';
import { TiercelError } from '../errors';
import { addUsage, NO_USAGE, roundUsd, type TokenUsage } from './usage';

export type LedgerOutcome = 'ok' | 'error' | 'aborted' | 'released';

const count = z.number().int().nonnegative();
const usd = z.number().finite().nonnegative();
const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date');
const tokensSchema = z.object({
  input: count,
  output: count,
  cacheWrite5m: count,
  cacheWrite1h: count,
  cacheRead: count,
});
const reserveLineSchema = z.object({
  v: z.literal(1),
  type: z.literal('reserve'),
  id: z.string().min(1),
  /** When the request was admitted; its spend counts on this (local) day. */
  time: isoTime,
  feature: z.string(),
  model: z.string(),
  /** The worst case the budget check admitted. */
  maxCostUsd: usd,
  pid: z.number().int().optional(),
});
const settleLineSchema = z.object({
  v: z.literal(1),
  type: z.literal('settle'),
  id: z.string().min(1),
  /** The reservation's time, repeated so a settle line reads on its own. */
  time: isoTime,
  settledAt: isoTime,
  feature: z.string(),
  model: z.string(),
  tokens: tokensSchema,
  costUsd: usd,
  requestId: z.string().nullable(),
  outcome: z.enum(['ok', 'error', 'aborted', 'released']),
  /**
   * Set when the user released an abandoned reservation (`usage --release`, the usage view) rather than
   * the request's own process: its cost is then unknown, and counted as 0 by the user's decision. Older
   * readers ignore the field and see an ordinary release.
   */
  releasedByUser: z.literal(true).optional(),
});
/**
 * Requests to a tier that bills nothing (Ollama, an OpenAI-compatible server): never reserved, never
 * counted against a cap, recorded so the usage view can show what the local tier did and saved. One line
 * may stand for a batch (`requests` > 1): completions are recorded a few minutes at a time, not per keystroke.
 */
const localLineSchema = z.object({
  v: z.literal(1),
  type: z.literal('local'),
  id: z.string().min(1),
  /** When the (first) request of the line ran. */
  time: isoTime,
  tier: z.enum(['local', 'openai']),
  feature: z.string(),
  model: z.string(),
  requests: z.number().int().positive(),
  /** As the server reported them (Ollama's prompt_eval_count / eval_count). */
  tokens: z.object({ input: count, output: count }),
  /** What the same tokens would have cost on `comparedModel` at Tiercel's prices when recorded. */
  savedUsd: usd,
  comparedModel: z.string(),
});
const lineSchema = z.discriminatedUnion('type', [reserveLineSchema, settleLineSchema, localLineSchema]);

export type ReserveLine = z.infer<typeof reserveLineSchema>;
export type SettleLine = z.infer<typeof settleLineSchema>;
export type LocalLine = z.infer<typeof localLineSchema>;
/** A LocalLine before the ledger gives it an id and (unless set) a time. */
export type LocalUsageEntry = Omit<LocalLine, 'v' | 'type' | 'id' | 'time'> & { time?: string };
export type LedgerLine = z.infer<typeof lineSchema>;

/** A hold on the budget for one request in flight; pass it back to `settle` or `release`. */
export interface Reservation {
  id: string;
  time: string;
  feature: string;
  model: string;
  maxCostUsd: number;
}

export interface SettleResult {
  tokens: TokenUsage;
  costUsd: number;
  requestId?: string | null;
  outcome: LedgerOutcome;
}

/** What counts against the caps right now: settled costs plus open reservations at their worst case. */
export interface SpendTotals {
  todayUsd: number;
  monthUsd: number;
}

export interface SpendBucket {
  usd: number;
  /** Requests admitted (settled, pending or abandoned), failed ones included. */
  requests: number;
  /** Tokens of settled requests; open reservations add none. */
  tokens: TokenUsage;
}

export interface PeriodSummary extends SpendBucket {
  byFeature: Record<string, SpendBucket>;
  byModel: Record<string, SpendBucket>;
  /** Reservations not settled yet, counted in `usd` at their worst case. */
  pending: { count: number; usd: number };
  /** Reservations unsettled for longer than `abandonAfterMs` (a crashed writer), still counted in `usd`. */
  abandoned: { count: number; usd: number };
}

/** A reservation no process settled in time: its worst case counts until someone releases it. */
export interface AbandonedReservation {
  id: string;
  /** When it was admitted, ISO. */
  time: string;
  feature: string;
  model: string;
  maxCostUsd: number;
  /** The process that wrote it, when recorded (the process may be gone, or its id reused). */
  pid?: number;
}

export interface LedgerSummary {
  /** The moment summarised, ISO. */
  now: string;
  /** Local calendar day and month of `now`, `YYYY-MM-DD` and `YYYY-MM`. */
  day: string;
  month: string;
  today: PeriodSummary;
  thisMonth: PeriodSummary;
  /** Lines that didn't parse (a torn last line after a crash, or hand edits); they count for nothing. */
  skippedLines: number;
  /** This month's abandoned reservations, oldest first, for the user to see and perhaps release. */
  abandonedReservations: AbandonedReservation[];
}

export interface LedgerContents {
  lines: LedgerLine[];
  skippedLines: number;
  /** False when the file ends in a torn line, so the next append must start a new line first. */
  endsWithNewline: boolean;
}

export interface BudgetLedgerOptions {
  path: string;
  now?: () => Date;
  /** Unsettled reservations older than this are reported as abandoned (still charged). Default 15 min. */
  abandonAfterMs?: number;
  /** Longest wait for another process's lock before giving up (and sending nothing). Default 20 s. */
  lockTimeoutMs?: number;
}

export const DEFAULT_ABANDON_AFTER_MS = 15 * 60_000;
// Longer than proper-lockfile's 10 s staleness, so a lock left by a crashed process is taken over, not waited out.
const DEFAULT_LOCK_TIMEOUT_MS = 20_000;
const LOCK_STALE_MS = 10_000;

/**
 * The machine-wide ledger: $XDG_CONFIG_HOME/tiercel/ledger.jsonl, else ~/.config/tiercel/ledger.jsonl
 * (%APPDATA%\\tiercel\\ledger.jsonl on Windows). The CLI's default; a front end that wants to share one
 * budget with the CLI uses the same path.
 */
export function defaultLedgerPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = env.HOME || os.homedir();
  const base =
    (env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : undefined) ??
    (platform === 'win32' ? env.APPDATA || path.join(home, 'AppData', 'Roaming') : path.join(home, '.config'));
  return path.join(base, 'tiercel', 'ledger.jsonl');
}

const pad = (n: number) => String(n).padStart(2, '0');
export const localMonth = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;
export const localDay = (d: Date) => `${localMonth(d)}-${pad(d.getDate())}`;

/** Parses ledger text; lines that aren't valid JSON or don't match the schema are counted and skipped. */
export function parseLedger(text: string): LedgerContents {
  const lines: LedgerLine[] = [];
  let skippedLines = 0;
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      skippedLines++;
      continue;
    }
    const parsed = lineSchema.safeParse(json);
    if (parsed.success) lines.push(parsed.data);
    else skippedLines++;
  }
  return { lines, skippedLines, endsWithNewline: text === '' || text.endsWith('\n') };
}

function emptyBucket(): SpendBucket {
  return { usd: 0, requests: 0, tokens: { ...NO_USAGE } };
}

function emptyPeriod(): PeriodSummary {
  return { ...emptyBucket(), byFeature: {}, byModel: {}, pending: { count: 0, usd: 0 }, abandoned: { count: 0, usd: 0 } };
}

function addTo(bucket: SpendBucket, usdAmount: number, tokens: TokenUsage): void {
  bucket.usd = roundUsd(bucket.usd + usdAmount);
  bucket.requests++;
  bucket.tokens = addUsage(bucket.tokens, tokens);
}

/** Today and this month (local time) by feature and model, from parsed lines. Pure, for tests and the CLI. */
export function summarizeLedger(
  contents: Pick<LedgerContents, 'lines' | 'skippedLines'>,
  now: Date,
  abandonAfterMs = DEFAULT_ABANDON_AFTER_MS,
): LedgerSummary {
  const reserves = new Map<string, ReserveLine>();
  const settles = new Map<string, SettleLine>();
  for (const line of contents.lines) {
    if (line.type === 'reserve') {
      if (!reserves.has(line.id)) reserves.set(line.id, line);
    } else if (line.type === 'settle' && !settles.has(line.id)) {
      settles.set(line.id, line);
    }
  }

  const summary: LedgerSummary = {
    now: now.toISOString(),
    day: localDay(now),
    month: localMonth(now),
    today: emptyPeriod(),
    thisMonth: emptyPeriod(),
    skippedLines: contents.skippedLines,
    abandonedReservations: [],
  };
  for (const id of new Set([...reserves.keys(), ...settles.keys()])) {
    const reserve = reserves.get(id);
    const settle = settles.get(id);
    const head = (reserve ?? settle)!;
    const time = new Date(head.time);
    const periods = [
      localDay(time) === summary.day ? summary.today : undefined,
      localMonth(time) === summary.month ? summary.thisMonth : undefined,
    ].filter((p) => p !== undefined);
    if (periods.length === 0) continue;

    const amount = settle ? settle.costUsd : reserve!.maxCostUsd;
    const tokens = settle ? settle.tokens : NO_USAGE;
    const open = settle ? undefined : now.getTime() - time.getTime() > abandonAfterMs ? 'abandoned' : 'pending';
    if (open === 'abandoned' && reserve && localMonth(time) === summary.month) {
      const { id: reservedId, time: reservedAt, feature, model, maxCostUsd, pid } = reserve;
      summary.abandonedReservations.push({ id: reservedId, time: reservedAt, feature, model, maxCostUsd, ...(pid !== undefined ? { pid } : {}) });
    }
    for (const period of periods) {
      addTo(period, amount, tokens);
      addTo((period.byFeature[head.feature] ??= emptyBucket()), amount, tokens);
      addTo((period.byModel[head.model] ??= emptyBucket()), amount, tokens);
      if (open) {
        period[open].count++;
        period[open].usd = roundUsd(period[open].usd + amount);
      }
    }
  }
  summary.abandonedReservations.sort((a, b) => a.time.localeCompare(b.time));
  return summary;
}

export function spendTotals(summary: LedgerSummary): SpendTotals {
  return { todayUsd: summary.today.usd, monthUsd: summary.thisMonth.usd };
}

/** The ledger file of one machine; every Claude request goes through `reserve` and then `settle`/`release`. */
export class BudgetLedger {
  readonly path: string;
  readonly #now: () => Date;
  readonly #abandonAfterMs: number;
  readonly #lockTimeoutMs: number;

  constructor(options: BudgetLedgerOptions) {
    this.path = path.resolve(options.path);
    this.#now = options.now ?? (() => new Date());
    this.#abandonAfterMs = options.abandonAfterMs ?? DEFAULT_ABANDON_AFTER_MS;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  }

  /**
   * Every line; a missing file is an empty ledger. Reads without the lock, so a line being appended right
   * now may show as one skipped line; only `reserve`, which reads under the lock, decides anything.
   */
  async read(): Promise<LedgerContents> {
    try {
      return parseLedger(await readFile(this.path, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return parseLedger('');
      throw this.#permissionError(error, 'read') ?? error;
    }
  }

  async summary(now: Date = this.#now()): Promise<LedgerSummary> {
    return summarizeLedger(await this.read(), now, this.#abandonAfterMs);
  }

  /** A snapshot for a pre-flight check; only `reserve` decides, under the lock. */
  async spent(now: Date = this.#now()): Promise<SpendTotals> {
    return spendTotals(await this.summary(now));
  }

  /**
   * Atomically: reads the spend, asks `admit`, and when it says yes appends a reservation of
   * `hold.maxCostUsd`. Returns undefined (and writes nothing) when refused.
   */
  async reserve(
    hold: { feature: string; model: string; maxCostUsd: number },
    admit: (spent: SpendTotals) => boolean,
  ): Promise<Reservation | undefined> {
    return this.#withLock(async (stillHeld) => {
      const now = this.#now();
      const contents = await this.read();
      if (!admit(spendTotals(summarizeLedger(contents, now, this.#abandonAfterMs)))) return undefined;
      const reservation: Reservation = {
        id: randomUUID(),
        time: now.toISOString(),
        feature: hold.feature,
        model: hold.model,
        maxCostUsd: roundUsd(hold.maxCostUsd),
      };
      const line: ReserveLine = { v: 1, type: 'reserve', ...reservation, pid: process.pid };
      stillHeld();
      await this.#append(line);
      return reservation;
    });
  }

  /** Replaces the reservation's worst case with what the request actually cost. */
  async settle(reservation: Reservation, result: SettleResult): Promise<void> {
    const line = this.#settleLine(reservation, result);
    await this.#withLock(async (stillHeld) => {
      stillHeld();
      await this.#append(line);
    });
  }

  /**
   * Appends the lines of another ledger file that this one does not have yet (by id and type), then
   * renames that file to `<name>.imported`: how an older per-window ledger joins the machine's one.
   * Returns how many lines were added; 0 when the file does not exist.
   */
  async importFrom(otherPath: string): Promise<number> {
    let text: string;
    try {
      text = await readFile(otherPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    const incoming = parseLedger(text).lines;
    const added = await this.#withLock(async (stillHeld) => {
      const have = new Set((await this.read()).lines.map((l) => `${l.type}:${l.id}`));
      const missing = incoming.filter((l) => !have.has(`${l.type}:${l.id}`));
      stillHeld();
      for (const line of missing) await this.#append(line);
      return missing.length;
    });
    await rename(otherPath, `${otherPath}.imported`);
    return added;
  }

  /** Records requests to a tier that bills nothing; they never count against a cap. */
  async recordLocal(entry: LocalUsageEntry): Promise<void> {
    const line: LocalLine = {
      v: 1,
      type: 'local',
      id: randomUUID(),
      ...entry,
      time: entry.time ?? this.#now().toISOString(),
      savedUsd: roundUsd(entry.savedUsd),
    };
    await this.#withLock(async (stillHeld) => {
      stillHeld();
      await this.#append(line);
    });
  }

  /** Ends a reservation whose request never reached the model: it costs nothing. */
  async release(reservation: Reservation): Promise<void> {
    await this.settle(reservation, { tokens: { ...NO_USAGE }, costUsd: 0, outcome: 'released' });
  }

  /**
   * Throws the permission error now when the ledger cannot be written (or read), so a caller can stop
   * before anything leaves the machine: token counting sends the request's text to the API before the
   * first reservation touches the ledger.
   */
  async checkAccess(): Promise<void> {
    const dir = path.dirname(this.path);
    try {
      await mkdir(dir, { recursive: true });
      await access(dir, fsConstants.W_OK);
      await access(this.path, fsConstants.R_OK | fsConstants.W_OK).catch((error: unknown) => {
        if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
      });
    } catch (error) {
      throw this.#permissionError(error, 'write') ?? error;
    }
  }

  /**
   * The user's release of an abandoned reservation (after they confirmed: if its request did reach
   * Claude, that cost stops counting against the caps). `id` may be a unique prefix of at least 6
   * characters, as the usage report shows it. Only an abandoned reservation can be released: one still
   * pending belongs to a request in flight, which settles it itself. Returns what was released.
   */
  async releaseAbandoned(id: string): Promise<AbandonedReservation> {
    return this.#withLock(async (stillHeld) => {
      const summary = summarizeLedger(await this.read(), this.#now(), this.#abandonAfterMs);
      const wanted = id.trim().toLowerCase();
      const matches = wanted.length >= 6 ? summary.abandonedReservations.filter((r) => r.id.toLowerCase().startsWith(wanted)) : [];
      if (matches.length !== 1) {
        throw new TiercelError(
          matches.length > 1
            ? `${id} matches ${matches.length} abandoned reservations; give more of the id.`
            : `No abandoned reservation ${id} this month (only reservations unsettled for ${Math.round(this.#abandonAfterMs / 60_000)} minutes can be released).`,
        );
      }
      const found = matches[0]!;
      const line: SettleLine = { ...this.#settleLine(found, { tokens: { ...NO_USAGE }, costUsd: 0, outcome: 'released' }), releasedByUser: true };
      stillHeld();
      await this.#append(line);
      return found;
    });
  }

  #settleLine(reservation: Pick<Reservation, 'id' | 'time' | 'feature' | 'model'>, result: SettleResult): SettleLine {
    return {
      v: 1,
      type: 'settle',
      id: reservation.id,
      time: reservation.time,
      settledAt: this.#now().toISOString(),
      feature: reservation.feature,
      model: reservation.model,
      tokens: { ...result.tokens },
      costUsd: roundUsd(result.costUsd),
      requestId: result.requestId ?? null,
      outcome: result.outcome,
    };
  }

  /** A TiercelError that says the ledger's file or folder is not writable or readable, for those errors. */
  #permissionError(error: unknown, doing: 'read' | 'write'): TiercelError | undefined {
    const code = (error as { code?: unknown }).code;
    if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') return undefined;
    const what = code === 'EROFS' ? 'is on a read-only file system' : 'permission denied';
    return new TiercelError(
      `Cannot ${doing} the Claude usage ledger ${this.path} (${what}), so no Claude request is sent. ` +
        'Make the file and its folder writable, or use another ledger (--ledger PATH in the CLI).',
      ['showLog'],
      { cause: error },
    );
  }

  async #append(line: LedgerLine): Promise<void> {
    const file = await open(this.path, 'a+').catch((error: unknown) => {
      throw this.#permissionError(error, 'write') ?? error;
    });
    try {
      const { size } = await file.stat();
      let lead = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        await file.read(last, 0, 1, size - 1);
        // A torn last line (crash mid-write) must not swallow this one.
        if (last[0] !== 0x0a) lead = '\n';
      }
      await file.write(`${lead}${JSON.stringify(line)}\n`);
      await file.datasync();
    } finally {
      await file.close();
    }
  }

  /** Runs `fn` holding the cross-process lock; `fn` calls `stillHeld()` right before it writes. */
  async #withLock<T>(fn: (stillHeld: () => void) => Promise<T>): Promise<T> {
    // The lock is a folder made beside the ledger: without write access proper-lockfile would retry
    // for the whole lock timeout (20 s) and then blame another process.
    await this.checkAccess();
    let compromised: Error | undefined;
    let release: () => Promise<void>;
    try {
      release = await lock(this.path, {
        realpath: false,
        stale: LOCK_STALE_MS,
        retries: { retries: 10_000, factor: 1.3, minTimeout: 2, maxTimeout: 50, randomize: true, maxRetryTime: this.#lockTimeoutMs },
        // The default throws from a timer (and would take the extension host down); fail this operation instead.
        onCompromised: (error) => {
          compromised = error;
        },
      });
    } catch (error) {
      throw new TiercelError(
        `Could not lock the Claude usage ledger (${this.path}); another process holds it.`,
        ['retry', 'showLog'],
        { cause: error },
      );
    }
    const stillHeld = () => {
      // Lost only when the critical section outlived the staleness window (a suspended machine, a huge ledger).
      if (compromised) {
        throw new TiercelError('The Claude usage ledger lock was lost mid-update.', ['retry', 'showLog'], {
          cause: compromised,
        });
      }
    };
    try {
      return await fn(stillHeld);
    } finally {
      await release().catch(() => undefined);
    }
  }
}
