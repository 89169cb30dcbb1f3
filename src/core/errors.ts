/**
 * What the user can do next about a failure. The core names the action; each front end maps it to
 * something clickable (a command in VS Code, a hint line in the CLI).
 */
export type NextAction =
  | 'retry'
  | 'openSettings'
  | 'setApiKey'
  /** Set (or replace) the OpenAI-compatible server's API key. */
  | 'setOpenAiKey'
  | 'startOllama'
  | 'showLog'
  /** Raise the daily or monthly Claude budget (the settings that hold the caps). */
  | 'raiseBudget'
  /** Send the same task to the local model instead. */
  | 'runLocally'
  /** Send less context (fewer files, a smaller selection) and try again. */
  | 'trimContext';

/** An error whose message is fit to show a user as is, with the actions that may resolve it. */
export class TiercelError extends Error {
  override readonly name = 'TiercelError';

  constructor(
    message: string,
    readonly actions: readonly NextAction[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The message of anything thrown, for logs; user-facing text should come from a TiercelError. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
