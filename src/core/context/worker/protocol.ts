/**
 * The messages between a host (the VS Code extension host) and the context worker thread, which owns
 * the context engines: indexing, parsing and ranking run there, never on the host's event loop.
 * Structured-clone data only (no functions, no class instances).
 */
import type { FilesExcludeSetting } from '../../privacy/ignore';
import type { IndexPacing, IndexStats } from '../store/workspaceIndex';
import type { ContextRequest, ContextResult } from '../types';

/** Given once, at the worker's start. */
export interface ContextWorkerData {
  /** Folder holding the tree-sitter runtime and grammar .wasm files. */
  grammarsDir: string;
  /**
   * Lower the worker thread's scheduling priority (Linux: nice +10) so that on a busy machine a cold
   * index yields the CPU to the editor's own threads.
   */
  lowPriority?: boolean;
  /** Rest between slices of a cold index build (the editor's worker; see IndexPacing). */
  indexPacing?: IndexPacing;
}

/** How a workspace folder's engine is opened. */
export interface FolderOptions {
  /** Where its index persists (default: the CLI's cache for that folder). */
  cacheDir?: string;
  /** The editor's `files.exclude` globs for the folder: matching files are not indexed. */
  filesExclude?: FilesExcludeSetting;
}

export type ToWorker =
  /** Opens the engine of a workspace folder (idempotent) and starts indexing it. */
  | ({ kind: 'open'; root: string } & FolderOptions)
  /**
   * Context at a cursor. `expiresAt` (ms since the epoch, comparable across threads) marks a
   * keystroke's request: one still queued when it expires is answered `late` without running.
   */
  | { kind: 'contextAt'; id: number; root: string; request: ContextRequest; expiresAt?: number }
  | { kind: 'noteEdit'; root: string; file: string; line: number }
  | { kind: 'invalidate'; root: string; file: string }
  /** Persists and drops the folder's engine. */
  | { kind: 'close'; root: string };

export type FromWorker =
  | { kind: 'ready'; root: string; stats: IndexStats }
  | { kind: 'indexFailed'; root: string; message: string }
  | { kind: 'context'; id: number; result: ContextResult }
  | { kind: 'contextFailed'; id: number; message: string; late?: true }
  /** The folder's engine persisted its index and is gone. */
  | { kind: 'closed'; root: string };
