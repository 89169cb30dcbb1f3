import { Ollama } from 'ollama';
import { DEFAULT_OLLAMA_TIMEOUTS, fetchWithTimeouts, type OllamaTimeouts } from './timeouts';

export interface OllamaClientOptions {
  url: string;
  /** Injected for tests and for the extension's proxy-aware fetch; defaults to the global fetch. */
  fetch?: typeof fetch;
  /**
   * Upper bound for each HTTP request. Only for short probes (status, tags): a generation or a cold
   * model load is never cut off by a total, it is cancelled by the user or a newer keystroke (and by
   * the stall limits below).
   */
  timeoutMs?: number;
  /** Connect, first-token and between-token limits (timeouts.ts); defaults fit a laptop's Ollama. */
  timeouts?: Partial<OllamaTimeouts>;
}

/** The real `ollama` client, pointed at the configured server. */
export function createOllamaClient(options: OllamaClientOptions): Ollama {
  const baseFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs;
  const boundedFetch: typeof fetch =
    timeoutMs === undefined
      ? baseFetch
      : (input, init) => {
          const timeout = AbortSignal.timeout(timeoutMs);
          const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
          return baseFetch(input, { ...init, signal });
        };
  return new Ollama({ host: options.url, fetch: fetchWithTimeouts(boundedFetch, options.url, { ...DEFAULT_OLLAMA_TIMEOUTS, ...options.timeouts }) });
}

/**
 * Ollama lists `name:tag`; users often configure a bare name, which Ollama resolves to `:latest`.
 */
export function sameModel(a: string, b: string): boolean {
  const withTag = (name: string) => (name.includes(':') ? name : `${name}:latest`);
  return withTag(a.trim().toLowerCase()) === withTag(b.trim().toLowerCase());
}
