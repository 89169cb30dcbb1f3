/**
 * Token usage as the API reports it, and what it costs. Counts come only from the API's own `usage`
 * (never from a local tokenizer): peers that estimated, ignored the cache, or priced 1-hour cache writes
 * at the 5-minute rate showed users a fraction of their bill.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { TiercelError } from '../errors';
import { ratesFor, type ModelPrice } from './prices';

/** Tokens of one request by how they are billed. `input` excludes cache writes and reads, as in the API. */
export interface TokenUsage {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

export const NO_USAGE: Readonly<TokenUsage> = Object.freeze({
  input: 0,
  output: 0,
  cacheWrite5m: 0,
  cacheWrite1h: 0,
  cacheRead: 0,
});

export type CacheTtl = '5m' | '1h';

/** Everything the model read: uncached input plus cache writes plus cache reads. */
export function totalInputTokens(usage: TokenUsage): number {
  return usage.input + usage.cacheWrite5m + usage.cacheWrite1h + usage.cacheRead;
}

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    cacheWrite5m: a.cacheWrite5m + b.cacheWrite5m,
    cacheWrite1h: a.cacheWrite1h + b.cacheWrite1h,
    cacheRead: a.cacheRead + b.cacheRead,
  };
}

/** The SDK's `Usage` (message_start, final message) or anything shaped like it; missing counts are 0. */
export interface SdkUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation?: { ephemeral_5m_input_tokens?: number | null; ephemeral_1h_input_tokens?: number | null } | null;
}

/**
 * Converts the SDK's usage. `cache_creation_input_tokens` is the authoritative total of cache writes; the
 * 5m/1h split (`cache_creation`, sent only in message_start) decides their price. Tokens the split doesn't
 * account for are attributed to `unsplitWriteTtl`; pass '1h' when the request asked for any 1-hour entry,
 * so an unexplained write is never priced below what it may have cost.
 */
export function usageFromSdk(usage: SdkUsage, unsplitWriteTtl: CacheTtl = '5m'): TokenUsage {
  const split5m = usage.cache_creation?.ephemeral_5m_input_tokens ?? 0;
  const split1h = usage.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  const writes = usage.cache_creation_input_tokens ?? split5m + split1h;
  let cacheWrite5m: number;
  let cacheWrite1h: number;
  if (split5m + split1h <= writes) {
    const rest = writes - split5m - split1h;
    cacheWrite5m = split5m + (unsplitWriteTtl === '5m' ? rest : 0);
    cacheWrite1h = split1h + (unsplitWriteTtl === '1h' ? rest : 0);
  } else {
    // The split says more than the total: keep the total, and keep the dearer 1-hour share first.
    cacheWrite1h = Math.min(split1h, writes);
    cacheWrite5m = writes - cacheWrite1h;
  }
  return {
    input: usage.input_tokens ?? 0,
    output: usage.output_tokens ?? 0,
    cacheWrite5m,
    cacheWrite1h,
    cacheRead: usage.cache_read_input_tokens ?? 0,
  };
}

/**
 * Usage of one streamed message as the events report it: message_start's usage, then each message_delta's
 * counts *overwrite* it (they are cumulative whole-message totals; adding them double-bills). Tracked here,
 * not only read from `finalMessage()`, because a stream that fails midway has no final message and the
 * tokens it already used are still billed.
 */
export class StreamUsage {
  #usage: SdkUsage | undefined;
  #inferenceGeo: string | null = null;

  apply(event: Anthropic.Messages.MessageStreamEvent): void {
    if (event.type === 'message_start') {
      const { usage } = event.message;
      this.#usage = { ...usage, cache_creation: usage.cache_creation ? { ...usage.cache_creation } : null };
      this.#inferenceGeo = usage.inference_geo ?? null;
    } else if (event.type === 'message_delta' && this.#usage) {
      const { usage } = event;
      this.#usage.output_tokens = usage.output_tokens;
      if (usage.input_tokens != null) this.#usage.input_tokens = usage.input_tokens;
      if (usage.cache_creation_input_tokens != null) {
        this.#usage.cache_creation_input_tokens = usage.cache_creation_input_tokens;
      }
      if (usage.cache_read_input_tokens != null) this.#usage.cache_read_input_tokens = usage.cache_read_input_tokens;
    }
  }

  /** True once message_start arrived: from then on the request has used (and is billed for) its input. */
  get started(): boolean {
    return this.#usage !== undefined;
  }

  /** Where the request ran (`usage.inference_geo`), which can change its price. */
  get inferenceGeo(): string | null {
    return this.#inferenceGeo;
  }

  usage(unsplitWriteTtl: CacheTtl = '5m'): TokenUsage | undefined {
    return this.#usage && usageFromSdk(this.#usage, unsplitWriteTtl);
  }
}

/** Rounds away float noise (0.1 + 0.2) while keeping far more precision than any bill shows. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e10) / 1e10;
}

/**
 * What `usage` costs in USD at `price`: each kind of token at its own rate (cache writes replace the input
 * rate for those tokens, they are not charged on top), the long-context tier chosen by total input, times
 * the geo multiplier of `inferenceGeo`. Throws when the table has no rate for a prompt this long.
 */
export function costOf(usage: TokenUsage, price: ModelPrice, options: { inferenceGeo?: string | null } = {}): number {
  const rates = ratesFor(price, totalInputTokens(usage));
  if (!rates) {
    throw new TiercelError(
      `Tiercel has no price for ${price.model} prompts above ${price.unpricedAboveInputTokens} tokens.`,
      ['trimContext'],
    );
  }
  const perMillion =
    usage.input * rates.input +
    usage.output * rates.output +
    usage.cacheWrite5m * rates.cacheWrite5m +
    usage.cacheWrite1h * rates.cacheWrite1h +
    usage.cacheRead * rates.cacheRead;
  const geo = options.inferenceGeo ? (price.inferenceGeoMultipliers[options.inferenceGeo] ?? 1) : 1;
  return roundUsd((perMillion / 1_000_000) * geo);
}
