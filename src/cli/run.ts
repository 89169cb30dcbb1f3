import { TIERCEL_VERSION } from '../core/version';
import { UsageError, type CliIo } from './io';
import { COMPLETE_HELP, completeCommand } from './complete';
import { CONTEXT_HELP, contextCommand } from './context';
import { REFACTOR_HELP, refactorCommand } from './refactor';
import { REVIEW_HELP, reviewCommand } from './review';
import { ROUTE_HELP, routeCommand } from './route';
import { STATUS_HELP, statusCommand } from './status';
import { USAGE_HELP, runUsage } from './usage';

interface CliCommand {
  summary: string;
  help: string;
  run(args: string[], io: CliIo): Promise<number>;
}

const COMMANDS: Record<string, CliCommand> = {
  version: {
    summary: 'print the Tiercel version',
    help: 'tiercel version [--json]',
    run: async (args, io) => {
      io.out(args.includes('--json') ? JSON.stringify({ version: TIERCEL_VERSION }) : TIERCEL_VERSION);
      return 0;
    },
  },
  status: { summary: 'check Ollama, the configured models and the Claude key', help: STATUS_HELP, run: statusCommand },
  complete: { summary: 'run the inline-completion pipeline once at a file offset', help: COMPLETE_HELP, run: completeCommand },
  review: { summary: 'review a file, a range or git changes (Claude within the budget, or the local model)', help: REVIEW_HELP, run: reviewCommand },
  refactor: { summary: 'rewrite lines of a file with the local model (a preset or instructions), syntax-checked', help: REFACTOR_HELP, run: refactorCommand },
  usage: { summary: 'print Claude spend from the usage ledger, against the caps', help: USAGE_HELP, run: runUsage },
  route: { summary: 'say which tier (local or Claude) would answer a request, and why', help: ROUTE_HELP, run: routeCommand },
  context: { summary: 'print the cross-file context picked at a file offset (index cached on disk)', help: CONTEXT_HELP, run: contextCommand },
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    `Tiercel ${TIERCEL_VERSION}: the local-first coding assistant, headless.`,
    '',
    'Usage: node dist/cli.js <command> [options]',
    '',
    'Commands:',
    ...rows,
    '',
    'Run `node dist/cli.js <command> --help` for a command\'s options.',
    'Environment: OLLAMA_HOST (Ollama address), ANTHROPIC_API_KEY (Claude tier), TIERCEL_OPENAI_BASE_URL and',
    'TIERCEL_OPENAI_API_KEY (an OpenAI-compatible server as the local tier).',
  ].join('\n');
}

/** Runs one CLI invocation and returns its exit code (0 ok, 1 failure, 2 usage, 3 not ready). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') return COMMANDS.version!.run([], io);
  const command = COMMANDS[name];
  if (!command) {
    io.err(`tiercel: unknown command '${name}'. Run 'node dist/cli.js --help' for the list.`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(command.help);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    // parseArgs reports unknown or malformed options with these codes; other errors carry numbers
    // (a DOMException's) or nothing there.
    const code = (error as { code?: unknown } | undefined)?.code;
    if (error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      io.err(`tiercel ${name}: ${(error as Error).message}\n\n${command.help}`);
      return 2;
    }
    io.err(`tiercel ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
