export { createOllamaClient, sameModel } from './client';
export type { OllamaClientOptions } from './client';
export { normalizeOllamaUrl, resolveOllamaUrl } from './host';
export { classifyModel, listLocalModels, rankForRole, roleWarning } from './models';
export type { ListModelsOptions, LocalModel, LocalModelKind, LocalModelRole } from './models';
export { IdleWarmUp } from './idleWarmUp';
export type { IdleWarmUpDeps } from './idleWarmUp';
export { keepAliveMsOf, OLLAMA_DEFAULT_KEEP_ALIVE_MS, parseKeepAlive } from './keepAlive';
