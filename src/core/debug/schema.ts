/**
 * The debug answer: the JSON schema the model is asked to answer in, and the looser shape that is
 * accepted so that one malformed fix costs only itself.
 */
import * as z from 'zod';
import { jsonSchemaOf } from '../tiers/structured';

export const DebugFixSchema = z.object({
  file: z.string().min(1).describe('Path of the file, exactly as given in a <source> tag'),
  startLine: z.number().int().min(1).describe('First line replaced (1-based, as numbered in the input)'),
  endLine: z.number().int().min(1).describe('Last line replaced (inclusive)'),
  replacement: z
    .string()
    .describe('The full new text of lines startLine..endLine, with indentation and without line numbers; empty deletes them'),
  description: z.string().min(1).describe('What the fix changes and why, in one sentence'),
  confidence: z.number().min(0).max(1).describe('How sure you are that this fix removes the error'),
});

export const DebugAnswerSchema = z.object({
  summary: z.string().describe('One line: what goes wrong'),
  rootCause: z.string().describe('The root cause, in markdown: why the error happens, not only where'),
  explanation: z.string().describe('How the failure unfolds through the frames, in markdown, citing files and lines'),
  fixes: z.array(DebugFixSchema),
});

export type DebugFix = z.infer<typeof DebugFixSchema>;
export type DebugAnswer = z.infer<typeof DebugAnswerSchema>;

/** The JSON schema a debug answer is asked for. */
export function debugJsonSchema(): Record<string, unknown> {
  return jsonSchemaOf(DebugAnswerSchema);
}

/** What is accepted: fixes are checked one by one (checkDebugAnswer), so one bad fix costs only itself. */
export const DebugAnswerShape = z.object({
  summary: z.string().default(''),
  rootCause: z.string().default(''),
  explanation: z.string().default(''),
  fixes: z.array(z.unknown()).default([]),
});
