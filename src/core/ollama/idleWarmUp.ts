/**
 * When to load the completion model ahead of the next keystroke. Ollama unloads a model `keep_alive`
 * after its last request; a user who comes back to the window after that would pay a cold load (seconds
 * on a laptop) on the first suggestion. So on focus, if the model has not been used for longer than
 * keep_alive, it is loaded in the background: at most one such load at a time, and none while
 * completions are off or Ollama is unreachable (the engine's reconnect loop covers that case).
 */
import { keepAliveMsOf } from './keepAlive';

export interface IdleWarmUpDeps {
  /** Monotonic milliseconds (injected so the idle rule is tested without waiting). */
  now: () => number;
  /** The completion model's keep_alive setting as the user wrote it. */
  keepAlive: () => string;
  /** False while completions are off or the local tier is unreachable / missing its model. */
  canWarm: () => boolean;
  /** Loads the model; never rejects for a model or network failure (the engine turns those into state). */
  warmUp: () => Promise<void>;
  log?: (message: string) => void;
}

export class IdleWarmUp {
  /** When the model was last used (a request, or a warm-up that finished); -Infinity before any. */
  private lastUsedAt = -Infinity;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly deps: IdleWarmUpDeps) {}

  /** A completion request used the model: keep_alive counts from here. */
  noteUsed(): void {
    this.lastUsedAt = this.deps.now();
  }

  /** The window gained focus: warms the model if it has likely been unloaded. Returns the warm-up, if one started. */
  onFocus(): Promise<void> | undefined {
    const idleMs = this.deps.now() - this.lastUsedAt;
    const keepAliveMs = keepAliveMsOf(this.deps.keepAlive());
    if (idleMs <= keepAliveMs) return undefined;
    return this.now(`idle ${formatMs(idleMs)} > keep_alive ${this.deps.keepAlive()}`);
  }

  /** Warms now (activation, a new model picked) unless one is in flight or warming is off. */
  now(why = 'requested'): Promise<void> | undefined {
    if (this.inFlight || !this.deps.canWarm()) return undefined;
    this.deps.log?.(`warm-up: loading the completion model (${why})`);
    const run = this.deps
      .warmUp()
      .catch((error: unknown) => this.deps.log?.(`warm-up failed: ${String(error)}`))
      .finally(() => {
        this.inFlight = undefined;
        // A failed load (Ollama gone, model missing) pauses the engine: it did not make the model warm.
        if (this.deps.canWarm()) this.lastUsedAt = this.deps.now();
      });
    this.inFlight = run;
    return run;
  }
}

function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'since start';
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}
