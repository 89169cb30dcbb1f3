/**
 * What a question carries to the model: its attachments as fenced blocks, within a token budget, and for a
 * request that leaves the machine without anything the privacy filter keeps local. Every attachment that
 * is not sent, or not whole, is listed with why, so the answer can say so.
 */
import { charsWithinTokens, estimateTokens } from '../tokens';
import type { Attachment } from './types';

export interface LeftOut {
  label: string;
  reason: string;
}

export interface AssembledContext {
  /** The attachments as prompt text ('' when none were sent). */
  text: string;
  /** Workspace-relative files whose text is in `text`. */
  sources: string[];
  leftOut: LeftOut[];
}

/**
 * The order attachments are given room in: what the user pointed at first, what the engine added last.
 * A budget too small for all of them cuts the later ones.
 */
const PRIORITY: Record<Attachment['kind'], number> = { selection: 0, problems: 1, file: 2, definitions: 3 };

/** Below this, a cut attachment is left out rather than sent as a stub. */
const MIN_USEFUL_TOKENS = 64;

export function assembleContext(attachments: readonly Attachment[], options: { leavesMachine: boolean; budgetTokens: number }): AssembledContext {
  const leftOut: LeftOut[] = [];
  const blocks: string[] = [];
  const sources = new Set<string>();
  let budget = options.budgetTokens;
  const ordered = [...attachments].sort((a, b) => PRIORITY[a.kind] - PRIORITY[b.kind]);
  for (const attachment of ordered) {
    if (options.leavesMachine && attachment.privateReason) {
      leftOut.push({ label: attachment.label, reason: `kept local (${attachment.privateReason})` });
      continue;
    }
    const heading = headingOf(attachment);
    const room = budget - estimateTokens(heading) - 8;
    if (room < MIN_USEFUL_TOKENS && estimateTokens(attachment.text) > room) {
      leftOut.push({ label: attachment.label, reason: 'no room left in the prompt' });
      continue;
    }
    let text = attachment.text;
    if (estimateTokens(text) > room) {
      text = cutToTokens(text, room);
      const kept = text.split('\n').length;
      leftOut.push({ label: attachment.label, reason: `cut to its first ${kept} of ${attachment.text.split('\n').length} lines to fit the prompt` });
    }
    const block = `${heading}\n${fenced(text, attachment.kind === 'problems' ? '' : (attachment.language ?? ''))}`;
    blocks.push(block);
    budget -= estimateTokens(block);
    for (const source of attachment.sources) sources.add(source);
  }
  return { text: blocks.join('\n\n'), sources: [...sources], leftOut };
}

function headingOf(attachment: Attachment): string {
  const where = attachment.range ? ` (lines ${attachment.range.startLine}-${attachment.range.endLine})` : '';
  switch (attachment.kind) {
    case 'selection':
      return `Selected code from ${attachment.path ?? attachment.label}${where}:`;
    case 'file':
      return `File ${attachment.path ?? attachment.label}${where}:`;
    case 'problems':
      return `Problems VS Code reports in ${attachment.path ?? attachment.label}:`;
    case 'definitions':
      return 'Definitions the code above uses (from the workspace):';
  }
}

/** A code fence longer than any backtick run inside, so the text cannot close it early. */
export function fenced(text: string, language: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text.replace(/\n$/, '')}\n${fence}`;
}

/** The text's whole lines that fit in `tokens`. */
function cutToTokens(text: string, tokens: number): string {
  const chars = charsWithinTokens(tokens);
  const cut = text.slice(0, chars);
  const lastNewline = cut.lastIndexOf('\n');
  return lastNewline > 0 ? cut.slice(0, lastNewline) : cut;
}
