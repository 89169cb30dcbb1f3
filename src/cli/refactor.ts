import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { BudgetExceededError, formatUsd } from '../core/claude';
import { languageIdOf } from '../core/languages';
import { PrivacyFilter } from '../core/privacy/ignore';
import {
  PRESETS,
  presetById,
  presetsFor,
  runRefactor,
  targetAt,
  testFilePath,
  testFrameworkFor,
  type RefactorRequest,
  type RefactorResult,
  type RefactorTarget,
} from '../core/refactor';
import { gatherDefinitions } from '../core/review/definitions';
import type { TierPreference } from '../core/router';
import { DEFAULT_SETTINGS } from '../core/settings';
import { SyntaxParsers } from '../core/syntax';
import { RouteRefusedError } from '../core/tiers';
import { UsageError, type CliIo } from './io';
import { grammarsDir, openContextEngine } from './position';
import { cliTiers } from './tiers';
import { budgetFromFlags, parseUsdFlag } from './usage';

export const REFACTOR_HELP = `tiercel refactor --workspace DIR --file PATH --range A:B (--preset NAME | --instructions TEXT)
                 [--tier local|claude|auto] [--ollama-url URL] [--local-model M] [--model M] [--no-context]
                 [--ledger PATH] [--budget-day USD] [--budget-month USD] [--max-cost USD] [--json] [--diff]

Rewrites lines A to B (1-based) of a file with the local model, as the editor's refactors do, and
prints the proposed replacement of those lines (--diff: a unified diff of every file it changes;
--json: all of it, with the tier and the route's reason). Nothing is written to the file.
Presets: ${PRESETS.map((p) => p.id).join(', ')}.
--instructions adds to a preset, or is the whole task without one. extract-function rewrites the
function around the range; write-tests proposes a test file (new, or added to the existing one).
The answer is checked before it is printed: parsed with tree-sitter, it may not have a syntax error
the file did not have. A bad answer is sent back once with the error; if the second is bad too,
nothing is printed, the error is, and the exit code is 1 (Claude may do better: --tier claude).
--tier local (default) uses the local model (Ollama); claude sends it to Claude through the budget
gate (ANTHROPIC_API_KEY; see 'review --help' for the budget flags); auto lets the router choose.
Exit: 0 proposed, 1 failed or refused by the check, 2 usage, 4 not sent (budget or tier).`;

const TIERS: readonly TierPreference[] = ['local', 'claude', 'auto'];

export async function refactorCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      workspace: { type: 'string' },
      file: { type: 'string' },
      range: { type: 'string' },
      preset: { type: 'string' },
      instructions: { type: 'string' },
      tier: { type: 'string', default: 'local' },
      model: { type: 'string' },
      'local-model': { type: 'string' },
      'ollama-url': { type: 'string' },
      'no-context': { type: 'boolean', default: false },
      ledger: { type: 'string' },
      'budget-day': { type: 'string' },
      'budget-month': { type: 'string' },
      'max-cost': { type: 'string' },
      json: { type: 'boolean', default: false },
      diff: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.workspace || !values.file || !values.range) throw new UsageError('--workspace, --file and --range are required');
  if (!values.preset && !values.instructions?.trim()) throw new UsageError('give --preset NAME or --instructions TEXT');
  const preference = values.tier as TierPreference;
  if (!TIERS.includes(preference)) throw new UsageError(`--tier must be one of ${TIERS.join(', ')}`);
  if (preference === 'claude' && !io.env.ANTHROPIC_API_KEY) throw new UsageError('ANTHROPIC_API_KEY is not set (or use --tier local)');
  const root = path.resolve(values.workspace);
  const file = path.relative(root, path.resolve(root, values.file)).split(path.sep).join('/');
  if (file.startsWith('../') || path.isAbsolute(file)) throw new UsageError(`--file must be inside --workspace: ${values.file}`);
  const fileText = await readFile(path.join(root, file), 'utf8').catch(() => {
    throw new UsageError(`no such file in the workspace: ${values.file}`);
  });
  const languageId = languageIdOf(file);
  const preset = values.preset ? presetById(values.preset) : undefined;
  if (values.preset && !preset) throw new UsageError(`unknown preset ${values.preset}; presets: ${PRESETS.map((p) => p.id).join(', ')}`);
  if (preset && !presetsFor(languageId).includes(preset)) throw new UsageError(`${preset.id} does not apply to ${languageId} files`);
  const range = lineRange(values.range, fileText);

  const parsers = new SyntaxParsers(grammarsDir());
  const target = await targetOf(parsers, languageId, fileText, range, preset?.output === 'enclosing');
  if (target.kind !== 'selection' || target.startLine !== range.startLine || target.endLine !== range.endLine) {
    io.err(`rewriting lines ${target.startLine}-${target.endLine}${target.name ? ` (${target.name})` : ''}`);
  }
  const request: RefactorRequest = {
    file,
    languageId,
    fileText,
    target,
    ...(preset ? { preset: preset.id } : {}),
    ...(values.instructions?.trim() ? { instructions: values.instructions } : {}),
  };
  if (preset?.output === 'tests') {
    const testsPath = testFilePath(file, languageId, (rel) => existsSync(path.join(root, rel)));
    const existing = await readWorkspaceFile(root, testsPath);
    const framework = testFrameworkFor(languageId, await readWorkspaceFile(root, 'package.json'));
    request.tests = { path: testsPath, framework, ...(existing !== undefined ? { existing } : {}) };
  }

  const defaults = DEFAULT_SETTINGS;
  const { ledgerPath, limits } = budgetFromFlags(values, io.env);
  const { tiers, usage } = cliTiers(io, {
    ledgerPath,
    limits: {
      dailyUsd: limits.dailyUsd ?? defaults.budget.dailyUsd,
      monthlyUsd: limits.monthlyUsd ?? defaults.budget.monthlyUsd,
      confirmAboveUsd: parseUsdFlag(values['max-cost'], '--max-cost') ?? defaults.budget.confirmAboveUsd,
    },
    ...(values.model ? { claudeModel: values.model } : {}),
    ...(values['local-model'] ? { localModel: values['local-model'] } : {}),
    ...(values['ollama-url'] ? { ollamaUrl: values['ollama-url'] } : {}),
  });
  const maxContextTokens = defaults.refactor.contextTokens;
  const engine = values['no-context'] ? undefined : openContextEngine(root, io.env);
  let result: RefactorResult;
  try {
    const filter = engine ? await PrivacyFilter.load(root) : undefined;
    result = await runRefactor(
      request,
      {
        tiers,
        parsers,
        ...(engine
          ? {
              context: () =>
                gatherDefinitions(engine, [{ path: file, text: fileText, changedRanges: [target] }], { ...(filter ? { filter } : {}), maxTokens: Math.floor(maxContextTokens / 2) }),
            }
          : {}),
        readFile: (rel) => readWorkspaceFile(root, rel),
        onRoute: (route) => io.err(route.reason),
      },
      { preference, fallback: preference === 'auto', workspace: root, maxContextTokens },
    );
  } catch (error) {
    if (error instanceof BudgetExceededError || error instanceof RouteRefusedError) {
      io.err(`tiercel refactor: not sent. ${error.message}`);
      return 4;
    }
    throw error;
  } finally {
    engine?.dispose();
    await usage.flush();
  }
  return report(result, request, values, io);
}

function report(result: RefactorResult, request: RefactorRequest, flags: { json?: boolean; diff?: boolean }, io: CliIo): number {
  const answer = result.answers.at(-1);
  const tier = { tier: result.route.tier, model: answer?.model ?? result.route.model, reason: result.route.reason, attempts: result.attempts, costUsd: result.costUsd };
  const who = result.route.tier === 'claude' ? "Claude's" : "the local model's";
  if (!result.ok) {
    const hint = result.canTryClaude ? 'Claude may do better: run again with --tier claude (needs ANTHROPIC_API_KEY).' : undefined;
    const tries = result.attempts > 1 ? ' (after one retry with the error)' : '';
    if (flags.json) io.out(JSON.stringify({ ok: false, kind: result.kind, problem: `${who} answer ${result.problem}`, hint, raw: result.raw, ...tier }, null, 2));
    io.err([`tiercel refactor: ${who} answer ${result.problem}${tries}; nothing proposed.`, hint].filter(Boolean).join('\n'));
    return 1;
  }
  const { proposal } = result;
  const diff = proposal.files.map((f) => createTwoFilesPatch(f.before ? `a/${f.path}` : '/dev/null', `b/${f.path}`, f.before, f.after, '', '', { context: 3, headerOptions: FILE_HEADERS_ONLY })).join('');
  if (flags.json) {
    const { startLine, endLine, kind, name } = request.target;
    io.out(JSON.stringify({ ok: true, file: request.file, target: { startLine, endLine, kind, ...(name ? { name } : {}) }, replacement: proposal.replacement, changes: proposal.changes, diff, ...tier }, null, 2));
  } else if (flags.diff) {
    io.out(diff.trimEnd());
  } else {
    // The replacement of the lines (or, for tests, the tests); other files only in --diff and --json.
    const main = proposal.changes[0]!;
    io.out(main.kind === 'lines' ? main.edit.replacement : main.text);
  }
  const others = proposal.changes.slice(1).map((c) => `${c.kind === 'create' ? 'new file' : 'added to'} ${c.path}`);
  const tests = proposal.changes[0]!.kind !== 'lines' ? [`tests: ${proposal.changes[0]!.kind === 'create' ? 'new file' : 'added to'} ${proposal.changes[0]!.path}`] : [];
  const cost = result.route.tier === 'claude' ? `cost ${formatUsd(result.costUsd)}` : 'no cost';
  io.err([...tests, ...others, `${result.route.tier === 'claude' ? 'Claude' : 'Local'} · ${tier.model}${result.attempts > 1 ? ' · fixed after one retry' : ''} · ${cost}`].join('\n'));
  return 0;
}

function lineRange(value: string, fileText: string): { startLine: number; endLine: number } {
  const match = /^(\d+):(\d+)$/.exec(value);
  const lineCount = fileText.split(/\r?\n/).length;
  if (!match || Number(match[1]) < 1 || Number(match[2]) < Number(match[1])) throw new UsageError('--range must be A:B, 1-based lines with A ≤ B');
  if (Number(match[2]) > lineCount) throw new UsageError(`--range ends past the end of the file (${lineCount} lines)`);
  return { startLine: Number(match[1]), endLine: Number(match[2]) };
}

/** The range as a target; Extract Function widens it to the function around it (when there is a grammar). */
async function targetOf(parsers: SyntaxParsers, languageId: string, text: string, range: { startLine: number; endLine: number }, enclosing: boolean): Promise<RefactorTarget> {
  const selected: RefactorTarget = { kind: 'selection', ...range };
  const parser = enclosing ? await parsers.createParser(languageId) : undefined;
  if (!parser) return selected;
  const tree = parser.parse(text);
  try {
    const last = text.split(/\r?\n/)[range.endLine - 1] ?? '';
    return (tree && targetAt(tree.rootNode, text, { start: { line: range.startLine, column: 0 }, end: { line: range.endLine, column: Math.max(1, last.length) } }, { enclosing })) ?? selected;
  } finally {
    tree?.delete();
    parser.delete();
  }
}

async function readWorkspaceFile(root: string, rel: string): Promise<string | undefined> {
  return readFile(path.join(root, rel), 'utf8').catch(() => undefined);
}
