export { createOllamaClient, sameModel } from './client';
export type { OllamaClientOptions } from './client';
export { normalizeOllamaUrl, resolveOllamaUrl } from './host';
