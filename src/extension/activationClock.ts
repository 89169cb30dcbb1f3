import { readFileSync } from 'node:fs';

/** `process.threadCpuUsage` (Node ≥ 23.9; VS Code 1.139's extension host has it), µs. */
type ThreadCpuUsage = () => { user: number; system: number };

/**
 * Times activate(): wall time, the extension host thread's CPU time where Node reports it, and on Linux
 * the time the thread was ready to run but waited for a CPU (the scheduler's run-queue wait, from
 * /proc/thread-self/schedstat). activate() is synchronous: its wall time is its CPU time plus that wait,
 * and at startup, when the whole editor starts at once on a busy machine, the wait is most of it
 * (bench:editor: 116 ms wall for 9.5 ms CPU). The CPU time measures the code (budget ≤ 50 ms, reported
 * by `npm run bench:editor`); the wait measures the machine.
 */
export function startActivationClock(): () => string {
  const threadCpu = (process as { threadCpuUsage?: ThreadCpuUsage }).threadCpuUsage?.bind(process);
  const wallStart = performance.now();
  const cpuStart = threadCpu?.();
  const waitStart = runQueueWaitMs();
  return () => {
    const wall = `${(performance.now() - wallStart).toFixed(1)} ms`;
    const waitEnd = runQueueWaitMs();
    const parts = [
      ...(threadCpu && cpuStart ? [`${cpuMs(cpuStart, threadCpu()).toFixed(1)} ms CPU`] : []),
      ...(waitStart !== undefined && waitEnd !== undefined ? [`${(waitEnd - waitStart).toFixed(1)} ms waiting for a CPU`] : []),
    ];
    return parts.length ? `${wall} (${parts.join(', ')})` : wall;
  };
}

function cpuMs(start: { user: number; system: number }, end: { user: number; system: number }): number {
  return (end.user - start.user + end.system - start.system) / 1000;
}

/**
 * This thread's total run-queue wait so far (ms), or undefined where the kernel does not report it.
 * A read of procfs is served from kernel memory (no disk), a few µs.
 */
function runQueueWaitMs(): number | undefined {
  try {
    const fields = readFileSync('/proc/thread-self/schedstat', 'utf8').trim().split(/\s+/);
    const waitNs = Number(fields[1]);
    return Number.isFinite(waitNs) ? waitNs / 1e6 : undefined;
  } catch {
    return undefined;
  }
}
