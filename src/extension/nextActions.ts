import * as vscode from 'vscode';
import type { NextAction } from '../core/errors';
import type { Ctx } from './ctx';

/** What a button may use: only the log today. */
type ActionHost = Pick<Ctx, 'log'>;

/**
 * What "Retry" and "Run Locally" do for the task that failed: re-run that task, on the same tier or the
 * local one. Without them, Retry re-checks Ollama and Run Locally is not offered.
 */
export interface TaskActions {
  retry?: () => unknown;
  runLocally?: () => unknown;
}

interface ActionButton {
  title: string;
  run: (app: ActionHost) => Thenable<unknown>;
}

/** How each of the core's NextActions looks as a notification button, and what clicking it does. */
const BUTTONS: Record<NextAction, ActionButton> = {
  retry: { title: 'Retry', run: () => vscode.commands.executeCommand('tiercel.showStatus') },
  openSettings: {
    title: 'Open Settings',
    run: () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:tiercel.tiercel'),
  },
  setApiKey: { title: 'Set Claude Key', run: () => vscode.commands.executeCommand('tiercel.setAnthropicApiKey') },
  setOpenAiKey: { title: 'Set Server Key', run: () => vscode.commands.executeCommand('tiercel.setOpenAiCompatibleKey') },
  startOllama: {
    title: 'How to Start Ollama',
    run: () => vscode.env.openExternal(vscode.Uri.parse('https://ollama.com/download')),
  },
  showLog: { title: 'Show Log', run: (app) => Promise.resolve(app.log.show()) },
  raiseBudget: { title: 'Raise the Cap', run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'tiercel.budget') },
  // Offered only with the failed task's own handler (TaskActions): there is nothing generic to run locally.
  runLocally: { title: 'Run Locally', run: () => Promise.resolve() },
  trimContext: {
    title: 'Send Less Context',
    run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'tiercel.review.maxInputTokens'),
  },
};

/** The button text of a next action, for surfaces that draw their own buttons (the chat). */
export function nextActionTitle(action: NextAction): string {
  return BUTTONS[action].title;
}

/** Runs a next action's generic handler (the chat runs Retry and Run Locally itself). */
export function runNextAction(app: ActionHost, action: NextAction): Thenable<unknown> {
  return BUTTONS[action].run(app);
}

type Severity = 'info' | 'warning' | 'error';

/** Shows a message with buttons for the given actions and runs the one the user picks. */
export async function showWithActions(
  app: ActionHost,
  severity: Severity,
  message: string,
  actions: readonly NextAction[],
  task: TaskActions = {},
): Promise<void> {
  const buttons = [...new Set(actions)]
    .filter((a) => a !== 'runLocally' || task.runLocally)
    .map((a): ActionButton => {
      const own = a === 'retry' ? task.retry : a === 'runLocally' ? task.runLocally : undefined;
      return own ? { title: BUTTONS[a].title, run: () => Promise.resolve(own()) } : BUTTONS[a];
    });
  const show =
    severity === 'error'
      ? vscode.window.showErrorMessage
      : severity === 'warning'
        ? vscode.window.showWarningMessage
        : vscode.window.showInformationMessage;
  const picked = await show(message, ...buttons.map((b) => b.title));
  await buttons.find((b) => b.title === picked)?.run(app);
}
