import { parseArgs } from 'node:util';
import { createOllamaClient, resolveOllamaUrl } from '../core/ollama';
import { DEFAULT_SETTINGS } from '../core/settings';
import { checkStatus, formatStatusReport } from '../core/status';
import type { CliIo } from './io';

export const STATUS_HELP = `tiercel status [--ollama-url URL] [--timeout MS] [--json]

Reports whether Ollama is reachable, whether the completion and chat models are installed,
and whether ANTHROPIC_API_KEY is set. Exit code 0 when the local tier is ready, 3 when not.`;

export async function statusCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'ollama-url': { type: 'string' },
      'completion-model': { type: 'string' },
      'chat-model': { type: 'string' },
      timeout: { type: 'string', default: '3000' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const settings = {
    ...DEFAULT_SETTINGS,
    ollama: {
      url: resolveOllamaUrl(values['ollama-url'], io.env),
      completionModel: values['completion-model'] ?? DEFAULT_SETTINGS.ollama.completionModel,
      chatModel: values['chat-model'] ?? DEFAULT_SETTINGS.ollama.chatModel,
    },
  };
  const report = await checkStatus({
    ollama: createOllamaClient({ url: settings.ollama.url, timeoutMs: Number(values.timeout) }),
    settings,
    claudeKeySet: Boolean(io.env.ANTHROPIC_API_KEY),
  });
  if (values.json) io.out(JSON.stringify(report, null, 2));
  else io.out(formatStatusReport(report).join('\n'));
  return report.localReady ? 0 : 3;
}
