/**
 * The request for one answer: instructions, the earlier exchanges that fit, and the question with its
 * attachments. Earlier questions carry only the names of what they had attached: their answers already
 * say what mattered, and resending every file on every turn would multiply a Claude conversation's cost.
 * A request that leaves the machine carries nothing the privacy filter keeps local, not even an earlier
 * local answer that saw such a file.
 */
import type { ChatTurn } from '../tiers/types';
import { estimateTokens } from '../tokens';
import { assembleContext, type LeftOut } from './context';
import { fitNewest } from './trim';
import type { AssistantMessage, Conversation, UserMessage } from './types';

export const CHAT_SYSTEM = `You are Tiercel, a coding assistant inside VS Code. Answer the developer's question about their code.
Be concise and concrete; use Markdown. Put code in fenced blocks with a language tag. When a block is meant to replace
code in a specific file, write that file's workspace path after the language tag (\`\`\`ts src/sum.ts) and give the
complete function or block it replaces, so it can be applied as is. Say so when you are unsure.`;

/** Share of the input budget the current question's attachments may use; the rest is for the conversation. */
const CONTEXT_SHARE = 0.6;
/** Role and framing overhead per message, in tokens. */
const PER_MESSAGE_TOKENS = 4;

export interface ChatPrompt {
  system: string;
  messages: ChatTurn[];
  /** Workspace-relative files whose text the request carries. */
  sources: string[];
  leftOut: LeftOut[];
  /** Earlier exchanges that did not fit the budget. */
  trimmed: number;
  /** The oldest message sent. */
  contextStart: string;
}

interface Exchange {
  question: UserMessage;
  answer: AssistantMessage;
}

/** Earlier exchanges, oldest first: each question with its last answer that has text. */
export function exchangesBefore(conversation: Conversation, question: UserMessage): Exchange[] {
  const exchanges: Exchange[] = [];
  for (const message of conversation.messages) {
    if (message.id === question.id) break;
    if (message.role === 'user') continue;
    const asked = conversation.messages.find((m): m is UserMessage => m.role === 'user' && m.id === message.replyTo);
    if (!asked || !message.text.trim() || (message.status !== 'done' && message.status !== 'cancelled')) continue;
    const last = exchanges.at(-1);
    if (last?.question.id === asked.id) last.answer = message;
    else exchanges.push({ question: asked, answer: message });
  }
  return exchanges;
}

export function buildChatPrompt(
  conversation: Conversation,
  question: UserMessage,
  options: { leavesMachine: boolean; budgetTokens: number },
): ChatPrompt {
  const leftOut: LeftOut[] = [];
  let exchanges = exchangesBefore(conversation, question);
  if (options.leavesMachine) {
    const isPrivate = (e: Exchange) => e.answer.tier === 'local' && e.question.attachments.some((a) => a.privateReason);
    for (const e of exchanges.filter(isPrivate)) leftOut.push({ label: `earlier question “${shorten(e.question.text, 40)}”`, reason: 'its local answer used files kept local' });
    exchanges = exchanges.filter((e) => !isPrivate(e));
  }
  const context = assembleContext(question.attachments, { leavesMachine: options.leavesMachine, budgetTokens: Math.floor(options.budgetTokens * CONTEXT_SHARE) });
  leftOut.push(...context.leftOut);
  const current: ChatTurn = { role: 'user', content: context.text ? `${context.text}\n\n${question.text}` : question.text };
  const fixed = estimateTokens(CHAT_SYSTEM) + estimateTokens(current.content) + PER_MESSAGE_TOKENS;
  const turnsOf = (e: Exchange): ChatTurn[] => [
    { role: 'user', content: historyQuestion(e.question) },
    { role: 'assistant', content: e.answer.text },
  ];
  const fitted = fitNewest(exchanges, options.budgetTokens - fixed, (e) => turnsOf(e).reduce((sum, t) => sum + estimateTokens(t.content) + PER_MESSAGE_TOKENS, 0));
  return {
    system: CHAT_SYSTEM,
    messages: [...fitted.kept.flatMap(turnsOf), current],
    sources: context.sources,
    leftOut,
    trimmed: fitted.dropped,
    contextStart: fitted.kept[0]?.question.id ?? question.id,
  };
}

function historyQuestion(question: UserMessage): string {
  if (!question.attachments.length) return question.text;
  return `${question.text}\n\n(Attached then: ${question.attachments.map((a) => a.label).join(', ')})`;
}

export function shorten(text: string, max: number): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
