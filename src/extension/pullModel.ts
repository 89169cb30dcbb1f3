import * as vscode from 'vscode';
import { describeError } from '../core/errors';
import { createOllamaClient } from '../core/ollama';
import type { App } from './app';

/** Pulls a model through Ollama with a cancellable progress notification fed by `/api/pull`'s stream. */
export async function pullModel(app: App, model: string): Promise<boolean> {
  const url = app.config.current.ollama.url;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Tiercel: pulling ${model}`, cancellable: true },
    async (progress, token) => {
      const stream = await createOllamaClient({ url }).pull({ model, stream: true });
      token.onCancellationRequested(() => stream.abort());
      let reported = 0;
      try {
        for await (const step of stream) {
          const percent = step.total ? Math.floor((100 * (step.completed ?? 0)) / step.total) : undefined;
          const increment = percent !== undefined && percent > reported ? percent - reported : undefined;
          if (increment !== undefined) reported = percent!;
          progress.report({ message: percent !== undefined ? `${step.status} ${percent}%` : step.status, increment });
        }
      } catch (error) {
        if (token.isCancellationRequested) return false;
        app.log.error(`pull ${model} failed: ${describeError(error)}`);
        void vscode.window.showErrorMessage(`Tiercel: pulling ${model} failed: ${describeError(error)}`, 'Show Log').then(
          (pick) => pick && app.log.show(),
        );
        return false;
      }
      app.log.info(`pulled ${model}`);
      void vscode.window.showInformationMessage(`Tiercel: ${model} is ready.`);
      await app.completions.reconnect();
      return true;
    },
  );
}
