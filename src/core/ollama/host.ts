import { DEFAULT_SETTINGS } from '../settings';

const DEFAULT_PORT = '11434';

/**
 * Turns an Ollama address as users write it into a base URL. Accepts what `OLLAMA_HOST` accepts in
 * Ollama itself: a bare host (`0.0.0.0`), `host:port`, or a full URL. A listen-on-all address is not a
 * place to connect to, so it becomes loopback.
 */
export function normalizeOllamaUrl(address: string): string {
  let text = address.trim();
  if (text === '') return DEFAULT_SETTINGS.ollama.url;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `http://${text}`;
  // Ollama's default port applies whenever none is written; `new URL` cannot tell `:80` from nothing.
  const hasExplicitPort = /^[a-z][a-z0-9+.-]*:\/\/(\[[^\]]*\]|[^/:]*):\d+/i.test(text);
  const url = new URL(text);
  if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = '127.0.0.1';
  if (!hasExplicitPort && url.protocol === 'http:') url.port = DEFAULT_PORT;
  return url.toString().replace(/\/+$/, '');
}

/** The endpoint precedence for headless use: an explicit flag, then `OLLAMA_HOST`, then the default. */
export function resolveOllamaUrl(explicit: string | undefined, env: NodeJS.ProcessEnv): string {
  return normalizeOllamaUrl(explicit ?? env.OLLAMA_HOST ?? DEFAULT_SETTINGS.ollama.url);
}
