import type { GenerateRequest, Ollama } from 'ollama';
import { estimateTokens } from '../tokens';
import { createEarlyStop } from './earlyStop';
import { streamGenerate } from './ollamaStream';
import { postprocessCompletion } from './postprocess';
import { buildFimPrompt } from './prompt';
import { detectTemplate, type FimTemplate } from './templates';
import type { CompletionSettings, Cursor, Snippet } from './engine';

/** Generated tokens for a single-line completion: a line rarely needs more, and fewer finish sooner. */
const SINGLE_LINE_MAX_TOKENS = 48;
/** Low but not zero: greedy decoding loops more often on small models. */
const TEMPERATURE = 0.1;

export interface PreparedCompletion {
  request: GenerateRequest & { options: NonNullable<GenerateRequest['options']> };
  multiline: boolean;
  /** What post-processing and early stop need to know about the cursor. */
  context: { prefix: string; suffix: string; languageId: string; multiline: boolean; stopTokens: readonly string[] };
}

/** The one place that turns a cursor into an Ollama request: the extension, the CLI and the benchmark share it. */
export function prepareCompletion(cursor: Cursor, snippets: Snippet[], template: FimTemplate, settings: CompletionSettings): PreparedCompletion {
  const multiline = wantsMultiline(cursor);
  const numPredict = multiline ? settings.maxTokens : Math.min(settings.maxTokens, SINGLE_LINE_MAX_TOKENS);
  const built = buildFimPrompt(
    { repoName: cursor.repoName, currentPath: cursor.path, prefix: cursor.prefix, suffix: cursor.suffix, snippets },
    template,
    // Sized for the larger (multi-line) output so num_ctx stays the same between single- and
    // multi-line requests: Ollama reloads the model whenever num_ctx changes.
    { maxPromptTokens: settings.maxPromptTokens, numPredict: settings.maxTokens },
  );
  return {
    request: {
      model: settings.model,
      prompt: built.prompt,
      // The prompt already is the model's FIM format: Ollama must not wrap it in a chat template.
      raw: true,
      keep_alive: settings.keepAlive,
      // num_ctx fits prompt + output, so Ollama never cuts the front of the prompt (and its <|fim_prefix|>).
      options: { num_predict: numPredict, temperature: TEMPERATURE, num_ctx: built.numCtx, stop: [...built.stop] },
    },
    multiline,
    context: { prefix: cursor.prefix, suffix: cursor.suffix, languageId: cursor.languageId, multiline, stopTokens: built.stop },
  };
}

export interface CompletionRun {
  /** Everything the model generated before we stopped reading. */
  raw: string;
  /** The suggestion to show ('' for none). */
  text: string;
  earlyStopped: boolean;
  firstTokenMs: number | undefined;
  totalMs: number;
  /**
   * Tokens the request cost: Ollama's own counts (prompt_eval_count, eval_count) when the stream
   * finished; estimated from the prompt and the text read when early stop ended it first.
   */
  inputTokens: number;
  outputTokens: number;
}

/**
 * Streams the request and stops reading (which aborts it) once early stop has enough; then
 * post-processes. Abort errors propagate: the caller knows whether it aborted.
 */
export async function runCompletion(
  url: string,
  prepared: PreparedCompletion,
  signal: AbortSignal,
  options: { fetch?: typeof fetch; now?: () => number; onRaw?: (raw: string) => void } = {},
): Promise<CompletionRun> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const earlyStop = createEarlyStop(prepared.context);
  let raw = '';
  let kept = '';
  let firstTokenMs: number | undefined;
  let earlyStopped = false;
  let counted: { prompt_eval_count?: number; eval_count?: number } | undefined;
  for await (const chunk of streamGenerate(url, prepared.request, signal, options.fetch)) {
    if (chunk.done) counted = chunk;
    const piece = chunk.response ?? '';
    if (piece && firstTokenMs === undefined) firstTokenMs = now() - started;
    raw += piece;
    options.onRaw?.(raw);
    const step = earlyStop.push(piece);
    kept = step.text;
    if (step.done && !chunk.done) {
      earlyStopped = true;
      break;
    }
  }
  return {
    raw,
    text: postprocessCompletion(kept, prepared.context),
    earlyStopped,
    firstTokenMs,
    totalMs: now() - started,
    inputTokens: counted?.prompt_eval_count ?? estimateTokens(prepared.request.prompt),
    outputTokens: counted?.eval_count ?? estimateTokens(raw),
  };
}

/** A model's FIM template from its metadata (`/api/show`); throws UnsupportedModelError when none fits. */
export async function resolveTemplate(client: Pick<Ollama, 'show'>, model: string): Promise<{ template: FimTemplate; note: string }> {
  const detected = detectTemplate(await client.show({ model }));
  if (!detected) throw new UnsupportedModelError(model, 'its metadata matches no fill-in-the-middle format Tiercel knows');
  return { template: detected.template, note: `${detected.template.id} template (${detected.reason})${detected.warning ? `; ${detected.warning}` : ''}` };
}

export class UnsupportedModelError extends Error {
  constructor(
    readonly model: string,
    readonly reason: string,
  ) {
    super(`${model}: ${reason}`);
  }
}

/**
 * Multi-line suggestions where users expect a block: at the end of a line that is empty or opens a
 * block. Mid-line, a suggestion completes the line only.
 */
export function wantsMultiline(cursor: Pick<Cursor, 'prefix' | 'suffix'>): boolean {
  const newline = cursor.suffix.indexOf('\n');
  const lineSuffix = newline === -1 ? cursor.suffix : cursor.suffix.slice(0, newline);
  if (!/^[\s)\]}'";,]*$/.test(lineSuffix)) return false;
  const linePrefix = cursor.prefix.slice(cursor.prefix.lastIndexOf('\n') + 1);
  return linePrefix.trim() === '' || /[{([:]\s*$/.test(linePrefix) || /=>\s*$/.test(linePrefix);
}
