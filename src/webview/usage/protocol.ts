/**
 * The Usage & Savings view's protocol: the one state the host sends and the messages each side may send.
 * Host and page both validate what arrives against these schemas (the host with `listen`, the page with
 * `connectToHost`), so neither acts on a message the other did not mean to send.
 */
// zod/mini, not classic zod: the page bundles this file, and classic zod brings every locale (454 KB minified, against 25 KB).
import * as z from 'zod/mini';

const usd = z.number().check(z.nonnegative());
const count = z.int().check(z.nonnegative());
/** A local calendar day, `YYYY-MM-DD`. */
const dayString = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/));
const isoTime = z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), 'not a date'));

export const TIERS = ['claude', 'local', 'openai'] as const;
export const tierSchema = z.enum(TIERS);
export type Tier = z.infer<typeof tierSchema>;

export const dayFiguresSchema = z.object({
  /** The local calendar day. */
  day: dayString,
  /** Claude spend admitted that day (settled cost, or worst case while unsettled). */
  claudeUsd: usd,
  /** Claude requests admitted that day. */
  claudeRequests: count,
  /** Requests the local tiers ran that day. */
  localRequests: count,
  /** What those local requests would have cost on Claude. */
  savedUsd: usd,
});
export type DayFigures = z.infer<typeof dayFiguresSchema>;

export const totalsSchema = z.object({
  /** Requests (a local batch line counts each request it stands for). */
  requests: count,
  /** Tokens the model read, cache writes and reads included. */
  inputTokens: count,
  /** Tokens the model wrote. */
  outputTokens: count,
  /** Claude spend; 0 for the local tiers. */
  usd,
  /** What local requests would have cost on Claude; 0 for Claude. */
  savedUsd: usd,
});
export type Totals = z.infer<typeof totalsSchema>;

export const featureRowSchema = z.extend(totalsSchema, {
  /** What asked: `completion`, `review`, `debug`, `chat`, … as the ledger names it. */
  feature: z.string(),
  /** The tier that served it. */
  tier: tierSchema,
});
export type FeatureRow = z.infer<typeof featureRowSchema>;

export const capSchema = z.object({
  /** Claude spend counted against this cap now (open reservations at their worst case). */
  spentUsd: usd,
  /** The cap from the settings (`tiercel.budget.dailyUsd` / `monthlyUsd`). */
  capUsd: usd,
  /** This cap alone, as the budget gate sees it: warning from 80%, exceeded at 100% (a cap of 0 is always exceeded). */
  level: z.enum(['ok', 'warning', 'exceeded']),
});
export type Cap = z.infer<typeof capSchema>;

export const reservationSchema = z.object({
  /** The ledger's id for the reservation; what a release names. */
  id: z.string().check(z.minLength(1)),
  /** When the request was admitted. */
  time: isoTime,
  /** The feature that reserved it. */
  feature: z.string(),
  /** The Claude model it was for. */
  model: z.string(),
  /** The worst case it holds against the caps until settled or released. */
  maxCostUsd: usd,
  /** `pending`: maybe still in flight; `abandoned`: unsettled for longer than any request runs. */
  state: z.enum(['pending', 'abandoned']),
});
export type ReservationRow = z.infer<typeof reservationSchema>;

export const usageStateSchema = z.object({
  /** When the host read the ledger. */
  now: isoTime,
  /** The date of the price table the costs and savings were computed with. */
  pricesAsOf: z.string(),
  /** The report's days, oldest first, ending today; days without requests included. */
  days: z.array(dayFiguresSchema).check(z.maxLength(366)),
  /** Totals per tier over those days. */
  byTier: z.object({ claude: totalsSchema, local: totalsSchema, openai: totalsSchema }),
  /** Totals per feature and tier over those days, the busiest first. */
  byFeature: z.array(featureRowSchema),
  /** What the local tiers saved over those days. */
  savedUsd: usd,
  /** Today's Claude spend against the daily cap. */
  today: capSchema,
  /** This month's Claude spend against the monthly cap. */
  month: capSchema,
  /** Claude reservations without a settle line, newest first. */
  reservations: z.array(reservationSchema),
  /** Ledger lines that did not parse (a torn line, a hand edit); they count for nothing. */
  skippedLines: count,
  /** Local-only mode: the Claude tier is off, so nothing can be spent. */
  localOnly: z.boolean(),
});
export type UsageState = z.infer<typeof usageStateSchema>;

/** Messages the host sends the page. */
export const toPageSchema = z.discriminatedUnion('type', [
  z.object({
    /** `state`: everything to render, sent on `ready`/`refresh` and after every ledger change while the view is open. */
    type: z.literal('state'),
    /** The figures, computed exactly as `tiercel usage --json` computes them. */
    state: usageStateSchema,
  }),
  z.object({
    /** `failed`: the ledger could not be read. */
    type: z.literal('failed'),
    /** What went wrong and what to do, for a person. */
    message: z.string(),
  }),
]);
export type ToPage = z.infer<typeof toPageSchema>;

/** Messages the page sends the host. */
export const toHostSchema = z.discriminatedUnion('type', [
  z.object({
    /** `ready`: the page has loaded (or was shown again) and needs the state. */
    type: z.literal('ready'),
  }),
  z.object({
    /** `refresh`: read the ledger again now. */
    type: z.literal('refresh'),
  }),
  z.object({
    /** `exportCsv`: save the report's ledger entries as CSV; the host asks where. */
    type: z.literal('exportCsv'),
  }),
  z.object({
    /** `release`: release an abandoned reservation; the host asks for confirmation first. */
    type: z.literal('release'),
    /** The reservation's ledger id, as the state listed it. */
    id: z.string().check(z.minLength(1), z.maxLength(1000)),
  }),
  z.object({
    /** `openSettings`: show the budget settings (`tiercel.budget.*`). */
    type: z.literal('openSettings'),
  }),
  z.object({
    /** `openLedger`: open the ledger file in an editor (the page never sees its path). */
    type: z.literal('openLedger'),
  }),
]);
export type ToHost = z.infer<typeof toHostSchema>;
