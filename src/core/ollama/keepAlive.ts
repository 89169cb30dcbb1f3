/**
 * Ollama's `keep_alive`: how long a model stays in memory after its last request. Ollama reads it as a
 * Go duration string (`30m`, `1h30m`, `90s`, `1.5h`, `500ms`) or a number of seconds, and any negative
 * value as "forever" (ollama/ollama api/types.go, Duration.UnmarshalJSON; OLLAMA_KEEP_ALIVE also takes
 * bare seconds). Without one, Ollama unloads after 5 minutes.
 */

/** Ollama's own default when keep_alive is absent or unreadable. */
export const OLLAMA_DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;

// Go's time.ParseDuration units.
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const GO_DURATION = /^([+-]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/;
const GO_PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/**
 * keep_alive as milliseconds: Infinity for "never unload" (negative), undefined when Ollama would not
 * accept it (then it uses its default, OLLAMA_DEFAULT_KEEP_ALIVE_MS).
 */
export function parseKeepAlive(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? (value < 0 ? Infinity : value * 1000) : undefined;
  const text = value.trim();
  if (/^[+-]?\d+(\.\d+)?$/.test(text)) {
    const seconds = Number(text);
    return seconds < 0 ? Infinity : seconds * 1000;
  }
  const match = GO_DURATION.exec(text);
  if (!match) return undefined;
  let ms = 0;
  for (const [, amount, unit] of match[2]!.matchAll(GO_PART)) ms += Number(amount) * UNIT_MS[unit!]!;
  return match[1] === '-' && ms > 0 ? Infinity : ms;
}

/** How long Ollama keeps a model after its last request with this keep_alive. */
export function keepAliveMsOf(value: string | number): number {
  return parseKeepAlive(value) ?? OLLAMA_DEFAULT_KEEP_ALIVE_MS;
}

/**
 * keep_alive as the request should carry it: a bare number of seconds ("-1", "300") as a JSON number,
 * anything else as the duration string. Ollama parses a string with Go's time.ParseDuration, which
 * rejects "-1" (no unit): the README's "-1 for always" works only as a number.
 */
export function keepAliveForRequest(value: string): string | number {
  const text = value.trim();
  return /^[+-]?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}
