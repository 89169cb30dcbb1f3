/**
 * The chat view's protocol: every message the host and the page may send each other. The host validates
 * what the page sends against `toHost` before acting (the page renders model output and is untrusted);
 * the page validates what the host sends against `toPage`. Attachments' text and the API key never cross.
 */
// zod/mini like every page's protocol: the page bundles this file, and classic zod would be most of its size.
import * as z from 'zod/mini';

/** Host-made ids: conversation, message and chip ids are short and plain. */
const id = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/));
const count = z.int().check(z.nonnegative());
const preference = z.enum(['auto', 'local', 'claude']);
const attachmentKind = z.enum(['file', 'selection', 'problems', 'definitions']);
const nextAction = z.enum(['retry', 'openSettings', 'setApiKey', 'setOpenAiKey', 'startOllama', 'showLog', 'raiseBudget', 'runLocally', 'trimContext']);

/** Context for the next question, as its chip shows it. */
export const chipSchema = z.object({
  /** Names the chip in `removeChip`. */
  id,
  kind: attachmentKind,
  /** The chip's text: "sum.ts", "sum.ts:3-7", "Problems (2)", "Definitions". */
  label: z.string(),
  /** Its tooltip: the full path, what it holds. */
  detail: z.string(),
  /** Why it will not be sent to Claude (the privacy rule that matched); absent when it may be. */
  privateReason: z.optional(z.string()),
  /** Follows the active editor (the current file or its selection) instead of being fixed when added. */
  live: z.boolean(),
});
export type Chip = z.infer<typeof chipSchema>;

/** What the add buttons can offer for the active editor. */
export const editorSchema = z.object({
  /** Its file's name, when an editor is open and the current-file chip was removed (offers "+ Current file"). */
  file: z.optional(z.string()),
  /** Problems VS Code reports in it (offers "+ Problems" when above 0 and not attached). */
  problems: count,
});

/** A sent attachment, as the question shows it (no text). */
const attachmentView = z.object({ kind: attachmentKind, label: z.string(), detail: z.string(), privateReason: z.optional(z.string()) });

const userMessage = z.object({
  id,
  role: z.literal('user'),
  text: z.string(),
  attachments: z.array(attachmentView),
});

const assistantMessage = z.object({
  id,
  role: z.literal('assistant'),
  /** The question it answers. */
  replyTo: id,
  /** Markdown, rendered by the page with raw HTML off and sanitized. */
  text: z.string(),
  status: z.enum(['streaming', 'done', 'cancelled', 'error']),
  /** Which tier answered; absent until routed. */
  tier: z.optional(z.enum(['local', 'claude'])),
  /** "Local · qwen2.5-coder:7b-instruct" or "Claude · claude-haiku-5-5 · $0.0012". */
  label: z.string(),
  /** The router's reason, shown on hover over the label. */
  reason: z.string(),
  /** Why the wanted tier was not used, shown under the label. */
  fallback: z.optional(z.string()),
  /** What was attached but not sent, and why. */
  leftOut: z.array(z.object({ label: z.string(), reason: z.string() })),
  /** Earlier exchanges not sent (the conversation was longer than the window). */
  trimmed: count,
  /** The oldest message sent with it: the trim marker goes above that one. */
  contextStart: z.optional(id),
  /** Secrets replaced before sending. */
  redactions: count,
  /** Stopped at the output limit. */
  truncated: z.boolean(),
  error: z.optional(z.object({ message: z.string(), actions: z.array(z.object({ action: nextAction, title: z.string() })) })),
  /** A local answer that may be asked of Claude instead (Claude is not switched off). */
  canAskClaude: z.boolean(),
});

export const messageSchema = z.discriminatedUnion('role', [userMessage, assistantMessage]);
export type MessageView = z.infer<typeof messageSchema>;
export type AssistantView = z.infer<typeof assistantMessage>;

export const toPage = z.discriminatedUnion('type', [
  /** Everything the page shows; sent when the page loads and when the conversation changes. */
  z.object({
    type: z.literal('state'),
    conversation: z.object({ id, title: z.string(), messages: z.array(messageSchema) }),
    chips: z.array(chipSchema),
    editor: editorSchema,
    /** The tier picker. */
    preference,
    /** An answer is streaming: Send becomes Stop. */
    busy: z.boolean(),
  }),
  /** A message added, or replaced by id (an answer when it is routed, and when it ends). */
  z.object({
    type: z.literal('message'),
    message: messageSchema,
    /** Where a new message goes in the transcript ("Ask Claude instead" answers go under their question). */
    at: count,
  }),
  /** A streaming answer's text so far (whole, so a lost update cannot garble it). */
  z.object({ type: z.literal('text'), id, text: z.string() }),
  z.object({ type: z.literal('chips'), chips: z.array(chipSchema), editor: editorSchema }),
  z.object({ type: z.literal('busy'), busy: z.boolean() }),
  /** Put the keyboard in the input (from "Ask in Chat" and the focus command). */
  z.object({ type: z.literal('focus') }),
]);
export type ToPage = z.infer<typeof toPage>;

/** Code from an answer's block: what Copy, Insert and Apply carry. */
const code = z.string().check(z.maxLength(1_000_000));

export const toHost = z.discriminatedUnion('type', [
  /** The page has loaded (or reloaded): send `state`. */
  z.object({ type: z.literal('ready') }),
  /** Ask a question with the chips attached. */
  z.object({ type: z.literal('send'), text: z.string().check(z.minLength(1), z.maxLength(100_000)), preference }),
  /** Stop the streaming answer (Esc or Stop). */
  z.object({ type: z.literal('cancel') }),
  /** Send the question a local answer answered to Claude, with the same context. */
  z.object({ type: z.literal('askClaude'), id }),
  /** One of a failed answer's next actions. */
  z.object({ type: z.literal('action'), id, action: nextAction }),
  /** Attach context: the current file again, its problems, or a file picked from the workspace. */
  z.object({ type: z.literal('addChip'), kind: z.enum(['currentFile', 'problems', 'pickFile', 'definitions']) }),
  z.object({ type: z.literal('removeChip'), id }),
  z.object({ type: z.literal('copy'), code }),
  /** Put the code at the cursor of the last active editor. */
  z.object({ type: z.literal('insert'), code }),
  /** Show the code applied to its file as a diff, then apply it as one undoable edit. */
  z.object({
    type: z.literal('apply'),
    code,
    /** The answer it came from (its question's attachments help find the place). */
    answerId: id,
    /** The path the block's fence named (```ts src/sum.ts), checked by the host to be in the workspace. */
    file: z.optional(z.string().check(z.maxLength(1000))),
  }),
  /** A link in an answer; the host opens only http and https. */
  z.object({ type: z.literal('openLink'), url: z.string().check(z.maxLength(4096)) }),
  z.object({ type: z.literal('setPreference'), preference }),
  /** The empty state's and the header's buttons. */
  z.object({ type: z.literal('command'), command: z.enum(['new', 'history', 'export']) }),
]);
export type ToHost = z.infer<typeof toHost>;

/** What the page keeps across being hidden and shown: the unsent text and the picker. */
export interface PageState {
  draft: string;
}
