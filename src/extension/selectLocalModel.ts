import * as vscode from 'vscode';
import { TiercelError } from '../core/errors';
import { listLocalModels, rankForRole, roleWarning, sameModel, type LocalModel, type LocalModelKind, type LocalModelRole } from '../core/ollama';
import type { App } from './app';
import { showWithActions } from './nextActions';

const ROLES: Record<LocalModelRole, { setting: 'completionModel' | 'chatModel'; name: string; use: string }> = {
  completion: { setting: 'completionModel', name: 'Completion model', use: 'inline suggestions: wants a base model that fills in the middle' },
  chat: { setting: 'chatModel', name: 'Chat model', use: 'chat, explanations, refactors and local reviews: wants an instruct model' },
};

const KINDS: Record<LocalModelKind, { heading: string; icon: string; short: (m: LocalModel) => string }> = {
  base: { heading: 'Base models (fill-in-the-middle)', icon: '$(symbol-snippet)', short: (m) => `base · fill-in-the-middle (${m.fimFormat ?? '?'} format)` },
  instruct: { heading: 'Instruct models', icon: '$(comment-discussion)', short: () => 'instruct' },
  other: { heading: 'Other', icon: '$(question)', short: () => 'neither' },
};

type ModelItem = vscode.QuickPickItem & { model?: LocalModel };

/**
 * Tiercel: Select Local Model. Picks Ollama's completion or chat model from what `/api/tags` lists,
 * each marked base (fill-in-the-middle) or instruct from its metadata, and writes the setting; the
 * settings listener then resets the engine and the status bar, and a new completion model is loaded
 * in the background. `role` may be given by a caller ("completion" | "chat").
 */
export async function selectLocalModel(app: Pick<App, 'config' | 'log' | 'warmUp'>, role?: unknown): Promise<void> {
  const chosenRole = role === 'completion' || role === 'chat' ? role : await pickRole(app);
  if (!chosenRole) return;
  const { ollama } = app.config.current;
  let models: LocalModel[];
  try {
    models = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Tiercel: listing Ollama models' }, () => listLocalModels({ url: ollama.url }));
  } catch (error) {
    if (!(error instanceof TiercelError)) throw error;
    return showWithActions(app, 'error', `Tiercel: ${error.message}`, error.actions);
  }
  if (models.length === 0) {
    return showWithActions(app, 'warning', `Tiercel: Ollama at ${ollama.url} has no models yet. Pull one, e.g. "ollama pull qwen2.5-coder:1.5b-base".`, ['startOllama']);
  }

  const { setting, name } = ROLES[chosenRole];
  const current = ollama[setting];
  const items: ModelItem[] = [];
  let heading: LocalModelKind | undefined;
  for (const model of rankForRole(models, chosenRole)) {
    if (model.kind !== heading) {
      heading = model.kind;
      items.push({ label: KINDS[model.kind].heading, kind: vscode.QuickPickItemKind.Separator });
    }
    const isCurrent = sameModel(model.name, current);
    items.push({
      label: `${KINDS[model.kind].icon} ${model.name}`,
      description: [isCurrent ? 'current' : '', KINDS[model.kind].short(model)].filter(Boolean).join(' · '),
      detail: [model.parameterSize, model.quantization, formatSize(model.sizeBytes), model.note].filter(Boolean).join(' · '),
      picked: isCurrent,
      model,
    });
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: `Tiercel: ${name} (${ROLES[chosenRole].use})`,
    placeHolder: `Now: ${current}`,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  const model = picked?.model;
  if (!model) return;
  const warning = roleWarning(model, chosenRole);
  if (warning) {
    const use = 'Use Anyway';
    if ((await vscode.window.showWarningMessage(`Tiercel: ${warning}.`, { modal: true }, use)) !== use) return;
  }

  await updateWhereDefined(`ollama.${setting}`, model.name);
  app.log.info(`settings: tiercel.ollama.${setting} = ${model.name} (${model.kind}; ${model.note})`);
  // The settings listener has reset the engine by now: load the new model so its first suggestion is warm.
  if (chosenRole === 'completion') app.warmUp.now();
  void vscode.window.setStatusBarMessage(`Tiercel: ${name.toLowerCase()} is now ${model.name}`, 4000);
}

async function pickRole(app: Pick<App, 'config'>): Promise<LocalModelRole | undefined> {
  const { ollama, local } = app.config.current;
  const note = local.provider === 'openaiCompatible' ? ' (the local tier uses your OpenAI-compatible server; this is used when tiercel.local.provider is ollama)' : '';
  const items = (Object.keys(ROLES) as LocalModelRole[]).map((role) => ({
    label: ROLES[role].name,
    description: ollama[ROLES[role].setting],
    detail: `${ROLES[role].use}${role === 'chat' ? note : ''}`,
    role,
  }));
  return (await vscode.window.showQuickPick(items, { title: 'Tiercel: Select Local Model', placeHolder: 'Which model to change?' }))?.role;
}

/** Writes where the user keeps the setting now, so a workspace value does not silently win over it. */
async function updateWhereDefined(key: string, value: string): Promise<void> {
  const config = vscode.workspace.getConfiguration('tiercel');
  const where = config.inspect(key);
  await config.update(key, value, where?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
}

function formatSize(bytes: number): string {
  return bytes > 0 ? `${(bytes / 1e9).toFixed(1)} GB` : '';
}
