/**
 * Changes to a conversation, as plain functions over its data: the host applies them and saves, the
 * tests call them directly.
 */
import { shorten } from './prompt';
import type { AssistantMessage, Attachment, Conversation, UserMessage } from './types';
import type { TierPreference } from '../router';

const TITLE_CHARS = 60;

export function newConversation(id: string, now: number): Conversation {
  return { id, title: 'New chat', createdAt: now, updatedAt: now, messages: [] };
}

/** Appends a question; the first one names the conversation. */
export function addQuestion(
  conversation: Conversation,
  question: { id: string; text: string; attachments: readonly Attachment[]; preference: TierPreference; now: number; workspace?: string },
): UserMessage {
  const message: UserMessage = {
    id: question.id,
    role: 'user',
    createdAt: question.now,
    text: question.text,
    attachments: [...question.attachments],
    preference: question.preference,
    ...(question.workspace ? { workspace: question.workspace } : {}),
  };
  if (!conversation.messages.some((m) => m.role === 'user')) conversation.title = shorten(question.text, TITLE_CHARS) || 'New chat';
  conversation.messages.push(message);
  conversation.updatedAt = question.now;
  return message;
}

/**
 * Puts an answer in place of the message with its id, or else right after its question's other answers:
 * "Ask Claude instead" on an early answer belongs under that question, not at the end of the conversation.
 */
export function putAnswer(conversation: Conversation, answer: AssistantMessage): void {
  const at = conversation.messages.findIndex((m) => m.id === answer.id);
  if (at >= 0) conversation.messages[at] = answer;
  else conversation.messages.splice(insertionIndex(conversation.messages, answer.replyTo), 0, answer);
  conversation.updatedAt = Math.max(conversation.updatedAt, answer.createdAt);
}

/** After the question `replyTo` and its answers; the end when the question is not there. */
export function insertionIndex(messages: ReadonlyArray<{ id: string; role: string; replyTo?: string }>, replyTo: string): number {
  let last = -1;
  messages.forEach((m, i) => {
    if (m.id === replyTo || (m.role === 'assistant' && m.replyTo === replyTo)) last = i;
  });
  return last < 0 ? messages.length : last + 1;
}

/** Drops a message (a failed answer being retried). */
export function removeMessage(conversation: Conversation, id: string): void {
  conversation.messages = conversation.messages.filter((m) => m.id !== id);
}

export function findQuestion(conversation: Conversation, id: string): UserMessage | undefined {
  return conversation.messages.find((m): m is UserMessage => m.role === 'user' && m.id === id);
}

export function findAnswer(conversation: Conversation, id: string): AssistantMessage | undefined {
  return conversation.messages.find((m): m is AssistantMessage => m.role === 'assistant' && m.id === id);
}

/**
 * An answer saved while it was streaming belongs to a window that closed or reloaded: the stream is gone,
 * so it is shown as stopped, with the text it had.
 */
export function settleInterrupted(conversation: Conversation): boolean {
  let changed = false;
  for (const message of conversation.messages) {
    if (message.role === 'assistant' && message.status === 'streaming') {
      message.status = 'cancelled';
      changed = true;
    }
  }
  return changed;
}
