/**
 * The host side of the context worker: the context engines run in a `worker_threads` worker, so that
 * indexing thousands of files, tree-sitter parses and ranking never block the extension host's event
 * loop (a cold index of 5,000 files blocked it ~8 s when it ran there). The keystroke path asks with a
 * deadline and goes on without context when the answer is late or the index is not ready yet.
 *
 * Budget: a keystroke's context costs the host one postMessage and one reply, and never waits longer
 * than its deadline + KEYSTROKE_SLACK_MS; `npm run bench:editor` measures the host's event-loop delay.
 */
import { Worker } from 'node:worker_threads';
import type { IndexStats } from '../store/workspaceIndex';
import type { ContextRequest, ContextResult } from '../types';
import type { ContextWorkerData, FolderOptions, FromWorker, ToWorker } from './protocol';

/**
 * How much longer than the engine's own deadline a keystroke waits for its answer: the message both
 * ways, and the rest of a call the worker may be finishing.
 */
export const KEYSTROKE_SLACK_MS = 25;
/** A worker that dies (out of memory on a huge workspace, a crash) is restarted this often, then context stays off. */
const MAX_RESTARTS = 3;
/** How long dispose() lets the engines persist their index before the thread is ended. */
const CLOSE_TIMEOUT_MS = 2000;

export interface ContextWorkerOptions {
  /** The worker's script: dist/contextWorker.js in the extension. */
  script: string;
  data: ContextWorkerData;
  /** Node options for the worker thread (tests run the TypeScript entry through tsx). */
  execArgv?: string[];
  log?: (message: string) => void;
}

type Reply = Extract<FromWorker, { kind: 'context' | 'contextFailed' }>;

export class ContextWorker {
  private worker: Worker | undefined;
  private restarts = 0;
  private disposed = false;
  private nextId = 1;
  private readonly folders = new Map<string, ContextFolder>();
  private readonly replies = new Map<number, (reply: Reply) => void>();
  private readonly closing = new Map<string, () => void>();

  constructor(private readonly options: ContextWorkerOptions) {}

  /** The engine of a workspace folder, opened (and indexing) in the worker on first use. */
  folder(root: string, options: FolderOptions = {}): ContextFolder {
    let folder = this.folders.get(root);
    if (!folder) {
      folder = new ContextFolder(root, options, this);
      this.folders.set(root, folder);
      this.post({ kind: 'open', root, ...options });
    }
    return folder;
  }

  /** Persists every index and ends the thread. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const worker = this.worker;
    if (!worker) return;
    const closed = [...this.folders.keys()].map((root) => new Promise<void>((resolve) => this.closing.set(root, resolve)));
    for (const root of this.folders.keys()) this.post({ kind: 'close', root });
    await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref())]);
    this.worker = undefined;
    await worker.terminate();
  }

  /** @internal Used by ContextFolder. */
  post(message: ToWorker): void {
    if (this.disposed && message.kind !== 'close') return;
    this.ensureWorker()?.postMessage(message);
  }

  /** @internal Sends a context request; `onReply` gets exactly one answer, or none if `forget` is called first. */
  ask(root: string, request: ContextRequest, expiresAt: number | undefined, onReply: (reply: Reply) => void): { forget(): void } {
    const id = this.nextId++;
    this.replies.set(id, onReply);
    this.post({ kind: 'contextAt', id, root, request, ...(expiresAt !== undefined ? { expiresAt } : {}) });
    return { forget: () => this.replies.delete(id) };
  }

  /** @internal */
  drop(root: string): void {
    this.folders.delete(root);
    this.post({ kind: 'close', root });
  }

  private ensureWorker(): Worker | undefined {
    if (this.worker) return this.worker;
    if (this.restarts > MAX_RESTARTS) return undefined;
    const worker = new Worker(this.options.script, { workerData: this.options.data, ...(this.options.execArgv ? { execArgv: this.options.execArgv } : {}) });
    // The worker must never keep a process (the CLI, a test) alive on its own.
    worker.unref();
    worker.on('message', (message: FromWorker) => this.receive(message));
    worker.on('error', (error) => this.options.log?.(`context worker failed: ${error.message}`));
    worker.on('exit', (code) => this.exited(worker, code));
    this.worker = worker;
    return worker;
  }

  private receive(message: FromWorker): void {
    switch (message.kind) {
      case 'ready':
        this.folders.get(message.root)?.settle({ stats: message.stats });
        return;
      case 'indexFailed':
        this.folders.get(message.root)?.settle({ error: message.message });
        return;
      case 'closed':
        this.closing.get(message.root)?.();
        this.closing.delete(message.root);
        return;
      default: {
        const reply = this.replies.get(message.id);
        this.replies.delete(message.id);
        reply?.(message);
      }
    }
  }

  private exited(worker: Worker, code: number): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const [id, reply] of this.replies) reply({ kind: 'contextFailed', id, message: `the context worker stopped (exit ${code})` });
    this.replies.clear();
    if (this.disposed) return;
    this.restarts++;
    const again = this.restarts <= MAX_RESTARTS;
    this.options.log?.(`context worker stopped (exit ${code}); ${again ? 'restarting it' : 'context stays off until the window reloads'}`);
    for (const folder of this.folders.values()) {
      folder.restart(again ? undefined : 'the context worker stopped repeatedly');
      if (again) this.post({ kind: 'open', root: folder.root, ...folder.options });
    }
  }
}

/** One workspace folder's engine, seen from the host. */
export class ContextFolder {
  private readiness!: Promise<IndexStats>;
  private settleReadiness!: (outcome: { stats: IndexStats } | { error: string }) => void;
  private state: 'indexing' | 'ready' | 'failed' = 'indexing';

  constructor(
    readonly root: string,
    readonly options: FolderOptions,
    private readonly worker: ContextWorker,
  ) {
    this.restart();
  }

  /** Whether the index is built (or loaded) and calls are answered. */
  get isReady(): boolean {
    return this.state === 'ready';
  }

  /** Resolves with the index statistics once it is built or loaded; rejects when indexing failed. */
  ready(): Promise<IndexStats> {
    return this.readiness;
  }

  /** Context at a cursor, waiting for the index if need be (review, "Show Context for Cursor"). */
  async contextAt(request: ContextRequest): Promise<ContextResult> {
    await this.readiness;
    return new Promise((resolve, reject) => {
      this.worker.ask(this.root, request, undefined, (reply) => (reply.kind === 'context' ? resolve(reply.result) : reject(new Error(reply.message))));
    });
  }

  /**
   * Context for a keystroke: undefined at once while the index is not ready, and undefined when the
   * answer has not come within the request's deadline + KEYSTROKE_SLACK_MS or `signal` aborts. The
   * suggestion then goes out without context instead of waiting.
   */
  contextNow(request: ContextRequest & { deadlineMs: number }, signal?: AbortSignal): Promise<ContextResult | undefined> {
    if (this.state !== 'ready' || signal?.aborted) return Promise.resolve(undefined);
    const waitMs = request.deadlineMs + KEYSTROKE_SLACK_MS;
    return new Promise((resolve) => {
      const done = (result: ContextResult | undefined) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        asked.forget();
        resolve(result);
      };
      const onAbort = () => done(undefined);
      const asked = this.worker.ask(this.root, request, Date.now() + waitMs, (reply) => done(reply.kind === 'context' ? reply.result : undefined));
      const timer = setTimeout(() => done(undefined), waitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The user edited `file` at 1-based `line` (see ContextEngine.noteEdit). */
  noteEdit(file: string, line: number): void {
    this.worker.post({ kind: 'noteEdit', root: this.root, file, line });
  }

  /** A file changed on disk: the next call reads it again. */
  invalidate(file: string): void {
    this.worker.post({ kind: 'invalidate', root: this.root, file });
  }

  /** Persists the index and forgets the folder (it was removed from the workspace). */
  close(): void {
    this.worker.drop(this.root);
  }

  /** @internal The worker (re)opened the folder: indexing anew, or failed for good with `error`. */
  restart(error?: string): void {
    this.state = 'indexing';
    this.readiness = new Promise((resolve, reject) => {
      this.settleReadiness = (outcome) => ('stats' in outcome ? resolve(outcome.stats) : reject(new Error(outcome.error)));
    });
    // Callers that never await readiness must not see an unhandled rejection.
    this.readiness.catch(() => undefined);
    if (error) this.settle({ error });
  }

  /** @internal */
  settle(outcome: { stats: IndexStats } | { error: string }): void {
    this.state = 'stats' in outcome ? 'ready' : 'failed';
    this.settleReadiness(outcome);
  }
}
