/**
 * Claude prices as data. The rates live in prices.json (dated, with its source) because Anthropic changes
 * ids and prices more often than Tiercel ships; this module only validates and looks them up.
 *
 * A model the table doesn't list has no price, and a request to it is refused for billing: a guessed rate
 * is how peers ended up showing a fraction of the real bill. Dated snapshot ids (`claude-sonnet-5-5-20261001`)
 * are priced only when the table lists them under the alias's `snapshots`; they are never matched by
 * stripping the date, since a snapshot can predate a price change of its alias.
 */
import * as z from 'zod';
import PRICE_DATA from './prices.json';

/** USD per million tokens, one rate per way a token can be billed. */
export interface TokenRates {
  input: number;
  output: number;
  /** Writing a prompt-cache entry that lives 5 minutes (the API's default TTL). */
  cacheWrite5m: number;
  /** Writing a prompt-cache entry that lives 1 hour. */
  cacheWrite1h: number;
  cacheRead: number;
}

export interface ModelPrice extends TokenRates {
  /** The table's id for the model (the alias, when looked up by a listed snapshot id). */
  model: string;
  status: 'current' | 'legacy';
  /** Prompts with more input tokens (input + cache writes + cache reads) have no known rate: refuse them. */
  unpricedAboveInputTokens?: number;
  /** Higher rates for every token of a request whose input passes `aboveInputTokens`. */
  longContext?: TokenRates & { aboveInputTokens: number };
  /** Multiplier on the whole cost by the response's `usage.inference_geo` (US-only inference costs more). */
  inferenceGeoMultipliers: Readonly<Record<string, number>>;
  /** When the table was last checked against its source. */
  asOf: string;
  source: string;
}

export interface PriceTable {
  asOf: string;
  source: string;
  /** Every id that has a price: the aliases and any listed snapshots. */
  ids: readonly string[];
  priceOf(model: string): ModelPrice | undefined;
}

const rate = z.number().finite().nonnegative();
const ratesSchema = z.object({ input: rate, output: rate, cacheWrite5m: rate, cacheWrite1h: rate, cacheRead: rate });
const modelSchema = ratesSchema.extend({
  status: z.enum(['current', 'legacy']),
  snapshots: z.array(z.string().min(1)).optional(),
  unpricedAboveInputTokens: z.number().int().positive().optional(),
  longContext: ratesSchema.extend({ aboveInputTokens: z.number().int().positive() }).optional(),
  note: z.string().optional(),
});
const tableSchema = z.object({
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  source: z.string().min(1),
  currency: z.literal('USD'),
  unit: z.literal('per million tokens'),
  note: z.string().optional(),
  inferenceGeoMultipliers: z.record(z.string(), z.number().finite().min(1)),
  models: z.record(z.string(), modelSchema),
});

/** Validates price data (prices.json, or a test's own table); throws on anything malformed. */
export function parsePriceTable(data: unknown): PriceTable {
  const table = tableSchema.parse(data);
  const byId = new Map<string, ModelPrice>();
  for (const [model, entry] of Object.entries(table.models)) {
    const { snapshots = [], note: _note, ...rest } = entry;
    const price: ModelPrice = {
      ...rest,
      model,
      inferenceGeoMultipliers: table.inferenceGeoMultipliers,
      asOf: table.asOf,
      source: table.source,
    };
    for (const id of [model, ...snapshots]) {
      if (byId.has(id)) throw new Error(`prices: '${id}' is listed twice`);
      byId.set(id, price);
    }
  }
  return { asOf: table.asOf, source: table.source, ids: [...byId.keys()], priceOf: (model) => byId.get(model) };
}

let defaultTable: PriceTable | undefined;

/** The bundled prices.json, validated on first use. */
export function defaultPriceTable(): PriceTable {
  defaultTable ??= parsePriceTable(PRICE_DATA);
  return defaultTable;
}

/** The price of `model` by exact id, or undefined: unknown models are refused for billing, never guessed. */
export function priceOf(model: string, table: PriceTable = defaultPriceTable()): ModelPrice | undefined {
  return table.priceOf(model);
}

/** The rates that apply to a request with this many input tokens, or undefined when the table has none. */
export function ratesFor(price: ModelPrice, totalInputTokens: number): TokenRates | undefined {
  if (price.unpricedAboveInputTokens !== undefined && totalInputTokens > price.unpricedAboveInputTokens) return undefined;
  if (price.longContext && totalInputTokens > price.longContext.aboveInputTokens) return price.longContext;
  return price;
}

/**
 * The geo multiplier a request may be billed at, for worst-case estimates made before the response says
 * where it ran. Without an explicit `inference_geo` the workspace default applies, which Tiercel can't see,
 * so the dearest multiplier is assumed.
 */
export function worstGeoMultiplier(price: ModelPrice, requestedGeo?: string | null): number {
  if (requestedGeo) return price.inferenceGeoMultipliers[requestedGeo] ?? 1;
  return Math.max(1, ...Object.values(price.inferenceGeoMultipliers));
}
