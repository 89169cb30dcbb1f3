/** Entry of the context worker bundle (dist/contextWorker.js), started by ContextWorker. */
import { parentPort, workerData } from 'node:worker_threads';
import type { ContextWorkerData } from './protocol';
import { serveContext } from './serve';

if (!parentPort) throw new Error('the context worker runs in a worker thread (see ContextWorker)');
serveContext(parentPort, workerData as ContextWorkerData);
