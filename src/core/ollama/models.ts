/**
 * The models Ollama has, and what each is good for in Tiercel: a base model that speaks a
 * fill-in-the-middle format (inline completions) or an instruct model (chat, explanations, refactors,
 * local reviews). Decided from each model's `/api/show` metadata by the completion engine's own
 * detector, never from the tag: tags are free text, and a wrong guess here would offer a model for
 * completions that the engine then refuses or prompts in the wrong format.
 */
import type { ModelResponse, Ollama, ShowResponse } from 'ollama';
import { detectTemplate } from '../completion/templates';
import { describeError, TiercelError } from '../errors';
import { createOllamaClient } from './client';

export type LocalModelKind = 'base' | 'instruct' | 'other';
export type LocalModelRole = 'completion' | 'chat';

export interface LocalModel {
  name: string;
  /** "1.5B", "7.6B" as Ollama reports it. */
  parameterSize: string;
  /** "Q4_K_M". */
  quantization: string;
  sizeBytes: number;
  /**
   * base: its weights speak a fill-in-the-middle format Tiercel knows (inline completions);
   * instruct: a chat/instruct model (chat and the other local tasks; it does fill-in-the-middle badly);
   * other: neither is known (no FIM format Tiercel knows, a general base model, unreadable metadata).
   */
  kind: LocalModelKind;
  /** The FIM format the completion engine would use with it ("Qwen2.5-Coder"), if any. */
  fimFormat?: string;
  /** Why it was classed so: the metadata that decided, or what is wrong with it for completions. */
  note: string;
}

export interface ListModelsOptions {
  url: string;
  fetch?: typeof fetch;
  /** Per request; listing is interactive, a dead server must not hold the picker. */
  timeoutMs?: number;
}

/** Every installed model, classified. Throws a TiercelError when Ollama cannot be asked. */
export async function listLocalModels(options: ListModelsOptions): Promise<LocalModel[]> {
  const client = createOllamaClient({ url: options.url, timeoutMs: options.timeoutMs ?? 5000, ...(options.fetch ? { fetch: options.fetch } : {}) });
  let models: ModelResponse[];
  try {
    ({ models } = await client.list());
  } catch (error) {
    throw new TiercelError(`Ollama is not reachable at ${options.url} (${describeError(error)}). Start Ollama, or check tiercel.ollama.url.`, ['startOllama', 'retry'], { cause: error });
  }
  // /api/show reads a manifest from disk: cheap, and Ollama answers them concurrently.
  return Promise.all(models.map((m) => describeModel(client, m)));
}

async function describeModel(client: Pick<Ollama, 'show'>, model: ModelResponse): Promise<LocalModel> {
  const facts = {
    name: model.name,
    parameterSize: model.details?.parameter_size ?? '',
    quantization: model.details?.quantization_level ?? '',
    sizeBytes: model.size ?? 0,
  };
  try {
    return { ...facts, ...classifyModel(await client.show({ model: model.name })) };
  } catch (error) {
    return { ...facts, kind: 'other', note: `its metadata could not be read (${describeError(error)})` };
  }
}

/** What a model is for, from its `/api/show` answer (see LocalModel.kind). */
export function classifyModel(show: ShowResponse): Pick<LocalModel, 'kind' | 'fimFormat' | 'note'> {
  const detected = detectTemplate(show);
  if (!detected) {
    // No FIM format: Ollama's capabilities still tell a chat model (tool calls and thinking need a chat
    // template) from an embedding model or an unknown base one.
    const capabilities = Array.isArray(show.capabilities) ? show.capabilities : [];
    if (capabilities.includes('embedding')) return { kind: 'other', note: 'an embedding model: it does not generate text' };
    if (capabilities.includes('tools') || capabilities.includes('thinking')) return { kind: 'instruct', note: 'a chat model (Ollama lists tool calls for it); no fill-in-the-middle format Tiercel knows' };
    return { kind: 'other', note: 'no fill-in-the-middle format Tiercel knows' };
  }
  const fimFormat = detected.template.label;
  if (!detected.warning) return { kind: 'base', fimFormat, note: detected.reason };
  // The detector words its instruct finding this way (a test pins it): the only other warning is for a
  // general, non-coder base model, which is neither a good completion model nor an instruct one.
  const instruct = /instruct\/chat model/.test(detected.warning);
  return { kind: instruct ? 'instruct' : 'other', fimFormat, note: detected.warning };
}

/** The models in the order to offer them for a role: the fitting kind first, then by name. */
export function rankForRole(models: readonly LocalModel[], role: LocalModelRole): LocalModel[] {
  const order: Record<LocalModelRole, LocalModelKind[]> = { completion: ['base', 'instruct', 'other'], chat: ['instruct', 'other', 'base'] };
  const rank = (m: LocalModel) => order[role].indexOf(m.kind);
  return [...models].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/** Whether a model fits a role; when not, what to tell the user before they use it anyway. */
export function roleWarning(model: LocalModel, role: LocalModelRole): string | undefined {
  if (role === 'completion') {
    if (model.kind === 'base') return undefined;
    return model.fimFormat ? `${model.name}: ${model.note}` : `${model.name}: ${model.note}, so the completion engine will not use it`;
  }
  if (model.kind === 'base') return `${model.name} is a base model: it continues code but does not follow instructions, so chat and reviews will be poor`;
  return undefined;
}
