/** The multi-file context engine: definitions from other files that the code at a cursor needs. */
export { ContextEngine, type ContextEngineOptions } from './engine';
export type { ContextHint, ContextRequest, ContextResult, ContextSnippet, ContextTimings, SnippetReason } from './types';
export { defaultCacheDir } from './store/diskCache';
export type { IndexStats } from './store/workspaceIndex';
export { nodeFileSystem, type ContextFileSystem } from './workspace/fileSystem';
export { hintQueriesAt, type HintQuery } from './cursor/hintQueries';
