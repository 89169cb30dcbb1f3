/**
 * The chat's vocabulary: conversations of user questions and tier answers, and what a question carries
 * (attachments). Stored as JSON per workspace (store.ts), so every shape here has a schema: a file from an
 * older version or a damaged one is read as far as it is valid, never trusted blindly.
 */
import * as z from 'zod';

export const ATTACHMENT_KINDS = ['file', 'selection', 'problems', 'definitions'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

const lineRange = z.object({ startLine: z.number().int().min(1), endLine: z.number().int().min(1) });
export type LineRange = z.infer<typeof lineRange>;

export const attachmentSchema = z.object({
  id: z.string(),
  kind: z.enum(ATTACHMENT_KINDS),
  /** What the chip shows: "sum.ts", "sum.ts:3-7", "Problems in sum.ts (2)", "Definitions (3)". */
  label: z.string(),
  /** Hover text: the full path, which definitions, why it was cut. */
  detail: z.string().default(''),
  /** Workspace-relative path of the file the text is from (definitions: the first of `sources`). */
  path: z.string().optional(),
  /** Every workspace-relative file whose text this carries; what the Claude tier's privacy guard checks. */
  sources: z.array(z.string()).default([]),
  /** The lines of `path` the text covers, when not the whole file. */
  range: lineRange.optional(),
  /** VS Code language id, for the code fence. */
  language: z.string().optional(),
  text: z.string(),
  /** Why this must not leave the machine (the privacy filter's rule); absent when it may go to Claude. */
  privateReason: z.string().optional(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

export const PREFERENCES = ['auto', 'local', 'claude'] as const;
const preference = z.enum(PREFERENCES);

export const userMessageSchema = z.object({
  id: z.string(),
  role: z.literal('user'),
  createdAt: z.number(),
  text: z.string(),
  attachments: z.array(attachmentSchema).default([]),
  /** The tier picker when it was sent. */
  preference: preference.default('auto'),
  /** The workspace folder (absolute) the attachments' paths are relative to; the Claude tier checks them there. */
  workspace: z.string().optional(),
});
export type UserMessage = z.infer<typeof userMessageSchema>;

export const ANSWER_STATUSES = ['streaming', 'done', 'cancelled', 'error'] as const;
const nextAction = z.enum(['retry', 'openSettings', 'setApiKey', 'setOpenAiKey', 'startOllama', 'showLog', 'raiseBudget', 'runLocally', 'trimContext']);

export const assistantMessageSchema = z.object({
  id: z.string(),
  role: z.literal('assistant'),
  createdAt: z.number(),
  /** The user message this answers; "Ask Claude instead" adds a second answer to the same one. */
  replyTo: z.string(),
  text: z.string(),
  status: z.enum(ANSWER_STATUSES),
  tier: z.enum(['local', 'claude']).optional(),
  model: z.string().optional(),
  costUsd: z.number().default(0),
  /** "Local · qwen2.5-coder:7b-instruct", "Claude · claude-haiku-5-5 · $0.0012". */
  label: z.string().default(''),
  /** The router's one line: "Local: a short question in one place". */
  reason: z.string().default(''),
  /** Why the tier the policy (or the user) wanted was not used, when it was not. */
  fallback: z.string().optional(),
  /** What was attached but not sent, and why ("sum.env: default deny list: .env.*"). */
  leftOut: z.array(z.object({ label: z.string(), reason: z.string() })).default([]),
  /** Earlier messages left out because the conversation is longer than the model's window. */
  trimmed: z.number().int().min(0).default(0),
  /** Id of the oldest message that was sent with this answer's request (the trim marker goes above it). */
  contextStart: z.string().optional(),
  redactions: z.number().int().min(0).default(0),
  /** The answer stopped at the output limit. */
  truncated: z.boolean().default(false),
  error: z.object({ message: z.string(), actions: z.array(nextAction).default([]) }).optional(),
});
export type AssistantMessage = z.infer<typeof assistantMessageSchema>;

export const chatMessageSchema = z.discriminatedUnion('role', [userMessageSchema, assistantMessageSchema]);
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const conversationSchema = z.object({
  id: z.string(),
  title: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  messages: z.array(chatMessageSchema),
});
export type Conversation = z.infer<typeof conversationSchema>;

export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: number;
  messages: number;
}
