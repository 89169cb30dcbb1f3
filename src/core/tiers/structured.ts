/**
 * The one structured-task runner: a prompt and a zod schema in, a validated object out, on whichever tier
 * the router chose. Review and debug (and the features after them) are prompts and schemas over this.
 *
 * Structured output (Claude's `output_config.format`, Ollama's `format`, OpenAI's `response_format`)
 * makes malformed answers rare, not impossible: a `max_tokens` cut, a refusal, a server without the
 * feature. Such an answer gets one repair attempt (the answer and what was wrong with it, sent back), then
 * it is reported, never thrown: the user sees what came back.
 */
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import * as z from 'zod';
import type { ChatTurn, ModelTier, TaskKind, TierAnswer, TierRequest } from './types';

export interface StructuredTask<T> {
  task: TaskKind;
  /** What the model is asked to answer in (sent as JSON schema). */
  schema: z.ZodType;
  /**
   * What is accepted as an answer: the schema itself, or a looser one when the feature checks items one
   * by one (a review keeps its good findings when one is malformed, rather than asking again).
   */
  accept: z.ZodType<T>;
  system: string;
  /** The user message: everything the model needs, already filtered by the collector. */
  prompt: string;
  maxTokens: number;
  /** Workspace-relative files whose text the prompt carries (see TierRequest.sources). */
  sources?: readonly string[];
  workspace?: string;
  temperature?: number;
}

export interface StructuredRunOptions {
  model?: string;
  signal?: AbortSignal;
  /** Each delta of the answer being written (the repair's too). */
  onText?: (delta: string, snapshot: string) => void;
  onStatus?: (status: string) => void;
}

export type StructuredResult<T> = (
  | { ok: true; value: T }
  | {
      ok: false;
      /** What was wrong with the last answer. */
      error: string;
      raw: string;
    }
) & {
  /** Every answer the task took (2 when a repair was tried), for the label and the cost. */
  answers: TierAnswer[];
  costUsd: number;
};

/**
 * The JSON schema a tier is asked to answer in. The SDK's transform keeps what structured output supports
 * (it moves numeric bounds and lengths into descriptions and closes every object); answers are validated
 * against the full zod schema, so nothing is lost.
 */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  return zodOutputFormat(schema as z.ZodType<object>).schema as Record<string, unknown>;
}

/** Parses and validates an answer; some servers wrap JSON in a fence even when asked for JSON only. */
export function parseStructured<T>(raw: string, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(stripFence(raw));
  } catch (error) {
    return { ok: false, error: `the answer is not JSON (${(error as Error).message})` };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: `the answer does not have the expected shape: ${z.prettifyError(parsed.error)}` };
}

export function stripFence(text: string): string {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/.exec(text);
  return fenced ? fenced[1]! : text;
}

export async function runStructuredTask<T>(tier: ModelTier, task: StructuredTask<T>, options: StructuredRunOptions = {}): Promise<StructuredResult<T>> {
  const jsonSchema = jsonSchemaOf(task.schema);
  const messages: ChatTurn[] = [{ role: 'user', content: task.prompt }];
  const request = (turns: ChatTurn[]): TierRequest => ({
    task: task.task,
    system: task.system,
    messages: turns,
    maxTokens: task.maxTokens,
    jsonSchema,
    ...(options.model ? { model: options.model } : {}),
    ...(task.temperature !== undefined ? { temperature: task.temperature } : {}),
    ...(task.sources ? { sources: task.sources } : {}),
    ...(task.workspace ? { workspace: task.workspace } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onText ? { onText: options.onText } : {}),
    ...(options.onStatus ? { onStatus: options.onStatus } : {}),
  });

  const answers: TierAnswer[] = [];
  const cost = () => answers.reduce((sum, a) => sum + a.costUsd, 0);
  const first = await tier.send(request(messages));
  answers.push(first);
  let parsed = parseStructured(first.text, task.accept);
  if (parsed.ok) return { ok: true, value: parsed.value, answers, costUsd: cost() };

  // A cut answer repaired with the same limit would be cut again.
  if (first.truncated) return { ok: false, error: `the answer was cut at ${task.maxTokens} tokens (${parsed.error})`, raw: first.text, answers, costUsd: cost() };
  options.onStatus?.('The answer was malformed; asking once more…');
  const repair = await tier.send(
    request([
      ...messages,
      { role: 'assistant', content: first.text },
      { role: 'user', content: `That answer could not be used: ${parsed.error}. Answer again with only the JSON object, following the schema exactly.` },
    ]),
  );
  answers.push(repair);
  parsed = parseStructured(repair.text, task.accept);
  return parsed.ok ? { ok: true, value: parsed.value, answers, costUsd: cost() } : { ok: false, error: parsed.error, raw: repair.text, answers, costUsd: cost() };
}
