import Anthropic from '@anthropic-ai/sdk';

export interface ClaudeClientOptions {
  apiKey: string;
  /** Empty or undefined for the official endpoint. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** The SDK's own retry (honours `retry-after`); callers that stream set this per request as needed. */
  maxRetries?: number;
}

/** The real Anthropic SDK client. The key comes from SecretStorage (extension) or the environment (CLI). */
export function createClaudeClient(options: ClaudeClientOptions): Anthropic {
  return new Anthropic({
    apiKey: options.apiKey,
    ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    maxRetries: options.maxRetries ?? 2,
  });
}
