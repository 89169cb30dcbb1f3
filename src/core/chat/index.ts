/** The sidebar chat's core: conversations, prompts per tier, answers through the router, history on disk. */
export { answerQuestion } from './answer';
export type { AnswerOptions, ChatLimits } from './answer';
export { planApply, proposeChange } from './apply';
export type { ApplyPlan } from './apply';
export { assembleContext, fenced } from './context';
export type { AssembledContext, LeftOut } from './context';
export { addQuestion, findAnswer, findQuestion, insertionIndex, newConversation, putAnswer, removeMessage, settleInterrupted } from './conversation';
export { conversationToMarkdown } from './export';
export { buildChatPrompt, CHAT_SYSTEM, exchangesBefore } from './prompt';
export type { ChatPrompt } from './prompt';
export { ChatStore, folderChatStorage, MAX_CONVERSATIONS, memoryChatStorage } from './store';
export type { ChatStorage } from './store';
export { fitNewest } from './trim';
export type { Fitted } from './trim';
export * from './types';
