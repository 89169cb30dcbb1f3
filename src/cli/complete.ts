import path from 'node:path';
import { parseArgs } from 'node:util';
import { CONTEXT_DEADLINE_MS, contextBudget, toPromptSnippets } from '../core/completion/contextSnippets';
import { prepareCompletion, resolveTemplate, runCompletion } from '../core/completion/pipeline';
import { createOllamaClient, resolveOllamaUrl } from '../core/ollama';
import { DEFAULT_SETTINGS } from '../core/settings';
import type { CliIo } from './io';
import { openContextEngine, positionFromFlags, POSITION_OPTIONS, readPositionText, reportUnreadable } from './position';
import { languageIdOf } from '../core/languages';

export const COMPLETE_HELP = `tiercel complete --workspace DIR --file PATH --offset N [--model M] [--ollama-url URL]
                 [--max-tokens N] [--max-prompt-tokens N] [--json]

Runs the inline-completion pipeline once at a position: cross-file context (the index is cached
as for 'context'), prompt, request to Ollama, streaming
early stop and post-processing, exactly as in the editor. Prints the suggestion; --json adds
the prompt, the request options and timings. PATH is relative to DIR; N is a character offset.`;

export async function completeCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...POSITION_OPTIONS,
      model: { type: 'string' },
      'ollama-url': { type: 'string' },
      'max-tokens': { type: 'string' },
      'max-prompt-tokens': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const position = positionFromFlags(values);
  const { workspace, file, offset } = position;
  const text = readPositionText(position);
  const defaults = DEFAULT_SETTINGS.completions;
  const settings = {
    url: resolveOllamaUrl(values['ollama-url'], io.env),
    model: values.model ?? DEFAULT_SETTINGS.ollama.completionModel,
    keepAlive: defaults.keepAlive,
    maxTokens: values['max-tokens'] ? Number(values['max-tokens']) : defaults.maxTokens,
    maxPromptTokens: values['max-prompt-tokens'] ? Number(values['max-prompt-tokens']) : defaults.maxPromptTokens,
  };
  const cursor = {
    repoName: path.basename(workspace),
    path: file,
    languageId: languageIdOf(file),
    prefix: text.slice(0, offset),
    suffix: text.slice(offset),
  };

  const started = performance.now();
  const { template, note } = await resolveTemplate(createOllamaClient({ url: settings.url, timeoutMs: 10_000 }), settings.model);
  // The same cross-file context as in the editor (index cached on disk, as for `context`).
  const engine = openContextEngine(workspace, io.env);
  const context = await engine
    .contextAt({ file: cursor.path, offset, text, maxTokens: contextBudget(settings.maxPromptTokens), deadlineMs: CONTEXT_DEADLINE_MS * 5 })
    .finally(() => {
      reportUnreadable(engine, io, 'complete');
      engine.dispose();
    });
  if (context.skipped) io.err(`tiercel complete: no cross-file context for ${file}: ${context.skipped}.`);
  const prepared = prepareCompletion(cursor, toPromptSnippets(context.snippets), template, settings);
  const run = await runCompletion(settings.url, prepared, io.signal ?? new AbortController().signal);
  const totalMs = performance.now() - started;

  if (!values.json) {
    io.out(run.text);
    return 0;
  }
  io.out(
    JSON.stringify(
      {
        completion: run.text,
        raw: run.raw,
        model: settings.model,
        template: template.id,
        context: context.snippets.map(({ file, startLine, endLine, reason }) => ({ file, startLine, endLine, reason })),
        templateNote: note,
        multiline: prepared.multiline,
        earlyStopped: run.earlyStopped,
        prompt: prepared.request.prompt,
        request: { raw: prepared.request.raw, keep_alive: prepared.request.keep_alive, options: prepared.request.options },
        timings: { firstTokenMs: round(run.firstTokenMs), generateMs: round(run.totalMs), totalMs: round(totalMs) },
      },
      null,
      2,
    ),
  );
  return 0;
}

function round(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.round(ms * 10) / 10;
}
