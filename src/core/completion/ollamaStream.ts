import type { GenerateRequest, GenerateResponse } from 'ollama';
import { createOllamaClient } from '../ollama';

/**
 * Streams `/api/generate` and stops the HTTP request, and so Ollama's generation, the moment `signal`
 * aborts. The ollama client can only abort a stream once its response has started; during a cold
 * load or prompt evaluation nothing has started yet, so the signal is wired into fetch itself.
 */
export async function* streamGenerate(
  url: string,
  request: GenerateRequest,
  signal: AbortSignal,
  baseFetch: typeof fetch = fetch,
): AsyncGenerator<GenerateResponse> {
  const fetchWithSignal: typeof fetch = (input, init) =>
    baseFetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
  const client = createOllamaClient({ url, fetch: fetchWithSignal });
  signal.throwIfAborted();
  const stream = await client.generate({ ...request, stream: true });
  const abort = () => stream.abort();
  signal.addEventListener('abort', abort, { once: true });
  try {
    yield* stream;
  } finally {
    signal.removeEventListener('abort', abort);
    // Leaving the loop early (enough text) must end the request too.
    stream.abort();
  }
}

/** Whether an error means the server could not be reached at all (as opposed to an HTTP error). */
export function isConnectionError(error: unknown): boolean {
  const text = `${(error as Error)?.message ?? ''} ${((error as Error)?.cause as Error)?.message ?? ''}`;
  return /fetch failed|ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|ETIMEDOUT|socket hang up|other side closed|terminated/i.test(text);
}

export function isAbortError(error: unknown): boolean {
  return (error as Error)?.name === 'AbortError' || /aborted/i.test((error as Error)?.message ?? '');
}

/** Ollama answers 404 for a model it does not have (ResponseError.status_code in the client). */
export function isModelNotFound(error: unknown): boolean {
  const e = error as { status_code?: number; message?: string };
  return e?.status_code === 404 || /model .* not found/i.test(e?.message ?? '');
}
