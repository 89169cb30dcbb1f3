/** Where a CLI command writes and what it may read; injected so commands run in-process in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Aborted when the user stops the command (SIGINT, SIGTERM): work in flight should end cleanly. */
  signal?: AbortSignal;
  /** Asks a yes/no question (one line of standard input); absent or no answer means no. */
  confirm?(question: string): Promise<boolean>;
}

/** A usage mistake: printed with the help hint, exit code 2. */
export class UsageError extends Error {}
