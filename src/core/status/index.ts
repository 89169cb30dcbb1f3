export { checkStatus, formatStatusReport, summarizeStatus } from './checkStatus';
export type { StatusReport, ModelStatus, OllamaStatus, StatusDeps } from './checkStatus';
