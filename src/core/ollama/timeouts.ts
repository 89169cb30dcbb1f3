/**
 * Tiercel's own clock on every Ollama request. Node's fetch waits ~300 s for response headers and
 * forever between body chunks, so a server that accepts and never answers, a generation that never
 * starts and one that stalls mid-stream each looked like a hang (and then `fetch failed`). Three limits,
 * each failing with a message that names Ollama and its address:
 * - connect: a generation's server must take the TCP connection (checked only once the answer is late,
 *   so a fast answer costs nothing), and a short request (tags, version, show) must answer at all;
 * - first token: a generation's answer must start (a cold model load is inside this, hence generous);
 * - between tokens: a started answer must keep coming.
 * A refused connection says that Ollama is not running there, rather than `fetch failed`.
 */
import net from 'node:net';
import { TiercelError } from '../errors';

export interface OllamaTimeouts {
  connectMs: number;
  firstTokenMs: number;
  betweenTokensMs: number;
}

/**
 * A 7B model loads from disk in well under a minute on a laptop; 120 s leaves room for a slow disk
 * while failing long before Node's 300 s. Tokens come every few to few hundred ms, so 60 s between
 * two is a stalled server.
 */
export const DEFAULT_OLLAMA_TIMEOUTS: OllamaTimeouts = { connectMs: 10_000, firstTokenMs: 120_000, betweenTokensMs: 60_000 };

/** Endpoints whose answer streams as the model works: their first byte may wait for a model load. */
const GENERATING = /\/api\/(?:generate|chat|pull|create|embed|embeddings)$/;

/** The error codes of a server that is not there (as opposed to one that answered badly). */
const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET|ETIMEDOUT/;

/**
 * `fetch` with the three limits. `baseUrl` is the configured address, for messages. The caller's own
 * signal (a newer keystroke, the user's cancel) still aborts as before, with its own reason.
 */
export function fetchWithTimeouts(baseFetch: typeof fetch, baseUrl: string, timeouts: OllamaTimeouts = DEFAULT_OLLAMA_TIMEOUTS): typeof fetch {
  return async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const generating = GENERATING.test(url.pathname);
    const timer = new AbortController();
    const signal = init?.signal ? AbortSignal.any([init.signal, timer.signal]) : timer.signal;
    const fail = (error: TiercelError) => timer.abort(error);

    const waits: Array<ReturnType<typeof setTimeout>> = [];
    if (generating) {
      // Late: is anything listening at all? A refused or silent TCP connect is a connect failure.
      waits.push(
        setTimeout(() => {
          void canConnect(url, Math.min(timeouts.connectMs, 5_000)).then((ok) => {
            if (!ok) fail(unreachable(baseUrl, `no connection within ${seconds(timeouts.connectMs)}`));
          });
        }, timeouts.connectMs),
      );
      waits.push(setTimeout(() => fail(new TiercelError(
        `Ollama at ${baseUrl} took the request but sent nothing for ${seconds(timeouts.firstTokenMs)} (the model may be too large to load, or Ollama is stuck). Check \`ollama ps\` and Ollama's log, then retry.`,
        ['retry', 'showLog'],
      )), timeouts.firstTokenMs));
    } else {
      waits.push(setTimeout(() => fail(unreachable(baseUrl, `no answer within ${seconds(timeouts.connectMs)}`)), timeouts.connectMs));
    }

    let response: Response;
    try {
      response = await baseFetch(input, { ...init, signal });
    } catch (error) {
      throw explain(error, timer.signal, baseUrl);
    } finally {
      for (const w of waits) clearTimeout(w);
    }
    if (!response.body) return response;
    return new Response(watchBody(response.body, timeouts.betweenTokensMs, baseUrl, timer), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/**
 * The body, failing when no chunk arrives for `idleMs` while the reader waits for one (a slow reader is
 * not the server's fault, hence no buffering ahead). Aborting `timer` also aborts the fetch, so the
 * pending read fails with the timer's reason; the caller's signal ends the body as fetch always did.
 */
function watchBody(body: ReadableStream<Uint8Array>, idleMs: number, baseUrl: string, timer: AbortController): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const idle = setTimeout(
        () => timer.abort(new TiercelError(`Ollama at ${baseUrl} stopped answering mid-stream (nothing for ${seconds(idleMs)}). Check Ollama's log, then retry.`, ['retry', 'showLog'])),
        idleMs,
      );
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(explain(error, timer.signal, baseUrl));
      } finally {
        clearTimeout(idle);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

function explain(error: unknown, timer: AbortSignal, baseUrl: string): unknown {
  if (timer.aborted && timer.reason instanceof TiercelError) return timer.reason;
  // The caller's own bound on a short request (createOllamaClient's timeoutMs).
  if ((error as Error)?.name === 'TimeoutError') return unreachable(baseUrl, 'no answer in time', error);
  const code = errorCode(error);
  if (code && UNREACHABLE.test(code)) return unreachable(baseUrl, code === 'ECONNREFUSED' ? 'connection refused' : code, error);
  // Anything else fetch reports this way is the connection failing under the request (a closed socket).
  if (error instanceof TypeError && error.message === 'fetch failed') {
    const detail = (error.cause as Error | undefined)?.message ?? code ?? 'no detail';
    return new TiercelError(`Lost the connection to Ollama at ${baseUrl} (${detail}). Retry; if it keeps happening, check Ollama's log.`, ['retry', 'showLog'], { cause: error });
  }
  return error;
}

function unreachable(baseUrl: string, why: string, cause?: unknown): TiercelError {
  return new TiercelError(
    `Cannot reach Ollama at ${baseUrl} (${why}). Start it with \`ollama serve\` (or the Ollama app), or set the address (tiercel.ollama.url, OLLAMA_HOST).`,
    ['startOllama', 'openSettings'],
    { cause: cause ?? new Error(`ETIMEDOUT: ${why}`) },
  );
}

/** fetch hides the socket's error code in `cause` (undici), sometimes one level deeper. */
function errorCode(error: unknown): string | undefined {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

function canConnect(url: URL, timeoutMs: number): Promise<boolean> {
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
