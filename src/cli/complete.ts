import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CONTEXT_DEADLINE_MS, CONTEXT_SHARE, toPromptSnippets } from '../core/completion/contextSnippets';
import { prepareCompletion, resolveTemplate, runCompletion } from '../core/completion/pipeline';
import { ContextEngine, defaultCacheDir } from '../core/context';
import { SyntaxParsers } from '../core/syntax';
import { grammarsDir } from './context';
import { createOllamaClient, resolveOllamaUrl } from '../core/ollama';
import { DEFAULT_SETTINGS } from '../core/settings';
import { UsageError, type CliIo } from './io';
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
      workspace: { type: 'string' },
      file: { type: 'string' },
      offset: { type: 'string' },
      model: { type: 'string' },
      'ollama-url': { type: 'string' },
      'max-tokens': { type: 'string' },
      'max-prompt-tokens': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.workspace || !values.file || values.offset === undefined) throw new UsageError('--workspace, --file and --offset are required');
  const offset = Number(values.offset);
  if (!Number.isInteger(offset) || offset < 0) throw new UsageError('--offset must be a character offset (0 or more)');

  const workspace = path.resolve(values.workspace);
  const text = await readFile(path.resolve(workspace, values.file), 'utf8');
  if (offset > text.length) throw new UsageError(`--offset ${offset} is past the end of ${values.file} (${text.length} characters)`);
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
    path: values.file.split(path.sep).join('/'),
    languageId: languageIdOf(values.file),
    prefix: text.slice(0, offset),
    suffix: text.slice(offset),
  };

  const started = performance.now();
  const { template, note } = await resolveTemplate(createOllamaClient({ url: settings.url, timeoutMs: 10_000 }), settings.model);
  // The same cross-file context as in the editor (index cached on disk, as for `context`).
  const engine = new ContextEngine({ root: workspace, parsers: new SyntaxParsers(grammarsDir()), cacheDir: defaultCacheDir(workspace, io.env) });
  const context = await engine
    .contextAt({ file: cursor.path, offset, text, maxTokens: Math.floor(settings.maxPromptTokens * CONTEXT_SHARE), deadlineMs: CONTEXT_DEADLINE_MS * 5 })
    .finally(() => engine.dispose());
  const prepared = prepareCompletion(cursor, toPromptSnippets(context.snippets), template, settings);
  const run = await runCompletion(settings.url, prepared, new AbortController().signal);
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
