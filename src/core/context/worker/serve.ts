/**
 * The worker side of the context worker: one ContextEngine per workspace folder, each call run after
 * the previous one on that engine (the engine keeps per-call state, so calls must not interleave at
 * their awaits), a keystroke's request skipped when it expired while it waited.
 */
import { readlinkSync } from 'node:fs';
import os from 'node:os';
import type { MessagePort } from 'node:worker_threads';
import { describeError } from '../../errors';
import { SyntaxParsers } from '../../syntax';
import { ContextEngine } from '../engine';
import { defaultCacheDir } from '../store/diskCache';
import type { ContextWorkerData, FolderOptions, FromWorker, ToWorker } from './protocol';

interface Opened {
  engine: ContextEngine;
  /** The last call queued on the engine; the next one starts when it ends. */
  tail: Promise<unknown>;
}

/** The subset of MessagePort the worker needs (a test can pass a channel's port). */
export type WorkerPort = Pick<MessagePort, 'on' | 'postMessage'>;

export function serveContext(port: WorkerPort, data: ContextWorkerData): void {
  if (data.lowPriority) lowerThreadPriority();
  const parsers = new SyntaxParsers(data.grammarsDir);
  const engines = new Map<string, Opened>();
  const send = (message: FromWorker) => port.postMessage(message);

  const open = (root: string, options: FolderOptions = {}): Opened => {
    let opened = engines.get(root);
    if (!opened) {
      const engine = new ContextEngine({
        root,
        parsers,
        cacheDir: options.cacheDir ?? defaultCacheDir(root),
        filesExclude: options.filesExclude,
        ...(data.indexPacing ? { indexPacing: data.indexPacing } : {}),
      });
      const ready = engine.ready().then(
        (stats) => send({ kind: 'ready', root, stats: { ...stats } }),
        (error: unknown) => send({ kind: 'indexFailed', root, message: describeError(error) }),
      );
      opened = { engine, tail: ready };
      engines.set(root, opened);
    }
    return opened;
  };

  const queue = (opened: Opened, run: () => Promise<void>) => {
    opened.tail = opened.tail.then(run, run);
  };

  port.on('message', (message: ToWorker) => {
    switch (message.kind) {
      case 'open':
        open(message.root, message);
        return;
      case 'contextAt': {
        const opened = open(message.root);
        const { id, request, expiresAt } = message;
        queue(opened, async () => {
          if (expiresAt !== undefined && Date.now() > expiresAt) {
            send({ kind: 'contextFailed', id, message: 'expired before it ran', late: true });
            return;
          }
          try {
            send({ kind: 'context', id, result: await opened.engine.contextAt(request) });
          } catch (error) {
            send({ kind: 'contextFailed', id, message: describeError(error) });
          }
        });
        return;
      }
      case 'noteEdit':
        engines.get(message.root)?.engine.noteEdit(message.file, message.line);
        return;
      case 'invalidate':
        engines.get(message.root)?.engine.invalidate(message.file);
        return;
      case 'close': {
        const opened = engines.get(message.root);
        if (!opened) return;
        engines.delete(message.root);
        queue(opened, async () => {
          opened.engine.dispose();
          send({ kind: 'closed', root: message.root });
        });
        return;
      }
    }
  });
}

/**
 * Linux schedules threads one by one: nice +10 on this thread only (its id from /proc/thread-self)
 * lets a cold index of thousands of files run without starving the editor on a 2-core machine.
 * Elsewhere, or when not allowed, the thread keeps its priority.
 */
function lowerThreadPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, 10);
  } catch {
    // Not Linux, or not permitted: normal priority.
  }
}
