/**
 * What a Claude request is about to send, in numbers a user can judge before it goes:
 * "3 files, 4,210 tokens, 1 redaction; 2 files excluded".
 */
import { estimateTokens } from '../tokens';
import type { Redaction } from './redact';

export interface OutgoingFile {
  path: string;
  /** The text as it will be sent (already redacted); undefined when only the path goes (a deleted file). */
  text: string | undefined;
  /** The redactions made in `text`, or their count. */
  redactions?: readonly Redaction[] | number;
}

export interface OutgoingPart {
  /** What it is, for the log: `diff`, `prompt`, `context`. */
  label: string;
  text: string;
  redactions?: readonly Redaction[] | number;
}

export interface OutgoingRequest {
  files: readonly OutgoingFile[];
  /** Text sent besides whole files (a diff, the instructions, context snippets); counted in tokens and redactions, not files. */
  parts?: readonly OutgoingPart[];
  /** Files left out, with the rule that left each out. */
  excluded?: ReadonlyArray<{ path: string; reason: string }>;
}

export interface OutgoingSummary {
  files: number;
  /**
   * Estimated with the local tier's characters-per-token rule (src/core/tokens.ts), which
   * over-counts; the budget gate uses the API's count_tokens and this is only for the preview.
   */
  tokens: number;
  redactions: number;
  excluded: Array<{ path: string; reason: string }>;
  /** "N files, M tokens, K redactions", plus "; E files excluded" when any were. */
  line: string;
}

export function summarizeOutgoing(request: OutgoingRequest): OutgoingSummary {
  let tokens = 0;
  let redactions = 0;
  for (const item of [...request.files, ...(request.parts ?? [])]) {
    if (item.text) tokens += estimateTokens(item.text);
    redactions += countOf(item.redactions);
  }
  const excluded = (request.excluded ?? []).map(({ path, reason }) => ({ path, reason }));
  const files = request.files.length;
  let line = `${plural(files, 'file')}, ${plural(tokens, 'token')}, ${plural(redactions, 'redaction')}`;
  if (excluded.length > 0) line += `; ${plural(excluded.length, 'file')} excluded`;
  return { files, tokens, redactions, excluded, line };
}

function countOf(redactions: OutgoingFile['redactions']): number {
  if (redactions === undefined) return 0;
  return typeof redactions === 'number' ? redactions : redactions.length;
}

function plural(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}
