/**
 * The same review on the local tier: the request built for Claude, sent to the Ollama chat model with
 * the findings schema as Ollama's structured-output `format`. Free and private, weaker; offered when
 * the Claude request is refused (budget), fails (overloaded, offline), or Claude is off.
 */
import { createOllamaClient } from '../ollama';
import { estimateTokens } from '../tokens';
import type { ReviewRequestParams, SendReview } from './review';

export interface LocalReviewOptions {
  url: string;
  model: string;
  fetch?: typeof fetch;
}

const NUM_CTX_STEP = 1024;
const MAX_NUM_CTX = 32_768;

export function localReviewSender(options: LocalReviewOptions): SendReview {
  return async ({ params, signal, onText }) => {
    const client = createOllamaClient({ url: options.url, ...(options.fetch ? { fetch: options.fetch } : {}) });
    const messages = toOllamaMessages(params);
    const promptTokens = estimateTokens(messages.map((m) => m.content).join('\n'));
    // Ollama's default context (2-4k) would cut the front of a review prompt: size it to fit.
    const numCtx = Math.min(MAX_NUM_CTX, Math.ceil((promptTokens + params.max_tokens) / NUM_CTX_STEP) * NUM_CTX_STEP);
    signal?.throwIfAborted();
    const stream = await client.chat({
      model: options.model,
      messages,
      stream: true,
      format: params.output_config.format.schema,
      options: { temperature: 0.2, num_ctx: numCtx, num_predict: params.max_tokens },
    });
    const abort = () => stream.abort();
    signal?.addEventListener('abort', abort, { once: true });
    let text = '';
    try {
      for await (const part of stream) {
        const delta = part.message?.content ?? '';
        text += delta;
        if (delta) onText?.(delta);
      }
    } finally {
      signal?.removeEventListener('abort', abort);
    }
    return { text, costUsd: 0 };
  };
}

function toOllamaMessages(params: ReviewRequestParams): Array<{ role: string; content: string }> {
  return [
    { role: 'system', content: params.system.map((block) => block.text).join('\n\n') },
    ...params.messages.map((m) => ({ role: m.role, content: m.content })),
  ];
}
