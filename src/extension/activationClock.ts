/** `process.threadCpuUsage` (Node ≥ 23.9; VS Code 1.139's extension host has it), µs. */
type ThreadCpuUsage = () => { user: number; system: number };

/**
 * Times activate(): wall time, and the extension host thread's CPU time where Node reports it. On a
 * loaded machine the wall time measures the machine; the CPU time measures the code (budget ≤ 50 ms,
 * reported by `npm run bench:editor`).
 */
export function startActivationClock(): () => string {
  const threadCpu = (process as { threadCpuUsage?: ThreadCpuUsage }).threadCpuUsage?.bind(process);
  const wallStart = performance.now();
  const cpuStart = threadCpu?.();
  return () => {
    const wall = `${(performance.now() - wallStart).toFixed(1)} ms`;
    if (!threadCpu || !cpuStart) return wall;
    const end = threadCpu();
    const cpuMs = (end.user - cpuStart.user + end.system - cpuStart.system) / 1000;
    return `${wall} (${cpuMs.toFixed(1)} ms CPU)`;
  };
}
