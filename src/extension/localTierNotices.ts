import * as vscode from 'vscode';
import type { LocalTierState } from '../core/completion/engine';
import type { Ctx } from './ctx';

/**
 * Tells the user, once per episode, when the local tier stops working and what to do. A state that
 * persists (Ollama still down) never shows the notice again until it has recovered in between.
 */
export class LocalTierNotices {
  private previous: LocalTierState['kind'] = 'ready';
  private quiet = 0;

  constructor(private readonly app: Pick<Ctx, 'log'>) {}

  /**
   * Runs an explicit check (Show Status, Retry) whose own message already says what is wrong: state
   * changes during it are recorded but not announced a second time.
   */
  async quietly<T>(check: () => Promise<T>): Promise<T> {
    this.quiet++;
    try {
      return await check();
    } finally {
      this.quiet--;
    }
  }

  onState(state: LocalTierState): void {
    const before = this.previous;
    this.previous = state.kind;
    if (state.kind === before || (this.quiet > 0 && state.kind !== 'ready')) return;
    switch (state.kind) {
      case 'unreachable':
        void this.unreachable(state.url);
        break;
      case 'modelMissing':
        void this.modelMissing(state.model);
        break;
      case 'unsupportedModel':
        void vscode.window
          .showWarningMessage(
            `Tiercel: ${state.model} cannot do inline completions: ${state.reason}. Use a base (not instruct) code model such as qwen2.5-coder:1.5b-base.`,
            'Open Settings',
          )
          .then((pick) => pick && vscode.commands.executeCommand('workbench.action.openSettings', 'tiercel.ollama.completionModel'));
        break;
      case 'ready':
        if (before === 'unreachable') this.app.log.info('Ollama is reachable again; inline completions resumed');
        break;
    }
  }

  private async unreachable(url: string): Promise<void> {
    const pick = await vscode.window.showWarningMessage(
      `Tiercel: Ollama is not reachable at ${url}. Inline completions are paused and resume when it is back.`,
      'Retry',
      'Open Settings',
    );
    if (pick === 'Retry') await vscode.commands.executeCommand('tiercel.showStatus');
    if (pick === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'tiercel.ollama.url');
  }

  private async modelMissing(model: string): Promise<void> {
    const pull = `Pull ${model}`;
    const pick = await vscode.window.showWarningMessage(
      `Tiercel: the completion model ${model} is not installed in Ollama.`,
      pull,
      'Open Settings',
    );
    if (pick === pull) await vscode.commands.executeCommand('tiercel.pullCompletionModel');
    if (pick === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'tiercel.ollama.completionModel');
  }
}
