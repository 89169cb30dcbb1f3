/** Conversations and attachments for the chat tests. */
import { addQuestion, newConversation, putAnswer, type AssistantMessage, type Attachment, type Conversation, type UserMessage } from '../../../src/core/chat';

let counter = 0;
export const nextId = (prefix = 'm') => `${prefix}${++counter}`;

export function attachment(overrides: Partial<Attachment> & Pick<Attachment, 'kind' | 'text'>): Attachment {
  return { id: nextId('a'), label: overrides.path ?? overrides.kind, detail: '', sources: overrides.path ? [overrides.path] : [], ...overrides };
}

export function answer(question: UserMessage, text: string, overrides: Partial<AssistantMessage> = {}): AssistantMessage {
  return {
    id: nextId('r'), role: 'assistant', createdAt: 2, replyTo: question.id, text, status: 'done', tier: 'local', model: 'qwen', costUsd: 0,
    label: 'Local · qwen', reason: 'Local: a short question in one place', leftOut: [], trimmed: 0, redactions: 0, truncated: false, ...overrides,
  };
}

/** A conversation of `exchanges` question/answer pairs, each `size` characters long, and a last question. */
export function conversationOf(exchanges: number, size: number, last = 'and now?'): { conversation: Conversation; question: UserMessage } {
  const conversation = newConversation(nextId('c'), 1);
  for (let i = 0; i < exchanges; i++) {
    const q = addQuestion(conversation, { id: nextId(), text: `question ${i} ${'q'.repeat(size)}`, attachments: [], preference: 'auto', now: 1 });
    putAnswer(conversation, answer(q, `answer ${i} ${'a'.repeat(size)}`));
  }
  const question = addQuestion(conversation, { id: nextId(), text: last, attachments: [], preference: 'auto', now: 3 });
  return { conversation, question };
}
