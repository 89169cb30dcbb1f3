import * as vscode from 'vscode';
import type { CompletionEngine, LocalTierState } from '../core/completion/engine';
import { IdleWarmUp } from '../core/ollama';
import type { Ctx } from './ctx';

/** What other adapters may ask of the warm-up: load the completion model now, in the background. */
export interface WarmUp {
  now(): void;
}

/**
 * Keeps the completion model warm across breaks: on window focus after more than keep_alive without a
 * request, the engine's warmUp() loads it (src/core/ollama/idleWarmUp.ts has the rule). The engine's
 * state changes tell when the model was used.
 */
export class FocusWarmUp implements WarmUp, vscode.Disposable {
  private readonly idle: IdleWarmUp;
  private readonly subscriptions: vscode.Disposable[];
  private last: LocalTierState['kind'] | undefined;

  constructor(ctx: Pick<Ctx, 'config' | 'log'>, completions: Pick<CompletionEngine, 'warmUp' | 'paused' | 'onDidChangeState'>) {
    this.idle = new IdleWarmUp({
      now: () => performance.now(),
      keepAlive: () => ctx.config.current.completions.keepAlive,
      canWarm: () => ctx.config.current.completions.enabled && !completions.paused,
      warmUp: () => completions.warmUp(),
      log: (m) => ctx.log.info(m),
    });
    this.subscriptions = [
      vscode.window.onDidChangeWindowState((state) => {
        if (state.focused) void this.idle.onFocus();
      }),
      completions.onDidChangeState((state) => {
        // A request starts as "generating" and ends as "ready" (a load as "loading" → "ready"); keep_alive
        // counts from its end. "ready" after a reconnect used no model.
        const used = state.kind === 'generating' || (state.kind === 'ready' && (this.last === 'generating' || this.last === 'loading'));
        if (used) this.idle.noteUsed();
        this.last = state.kind;
      }),
    ];
  }

  now(): void {
    void this.idle.now();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
