export { createClaudeClient } from './client';
export type { ClaudeClientOptions } from './client';
