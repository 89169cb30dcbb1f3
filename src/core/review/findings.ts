/**
 * Review findings: the JSON schema Claude is asked to answer in (structured output), and the
 * validation of what actually came back. The API's structured output makes malformed JSON rare, not
 * impossible (a max_tokens cut, a refusal, a proxy without the feature), and a finding can be well
 * formed yet point at a file or lines that were not reviewed: both are reported, never crashed on.
 */
import * as z from 'zod';
import { locatedItems } from '../tiers/locatedItems';
import { jsonSchemaOf, parseStructured } from '../tiers/structured';

export const SEVERITIES = ['error', 'warning', 'info'] as const;
export const CATEGORIES = ['bug', 'security', 'performance', 'correctness', 'maintainability', 'style', 'test'] as const;

export const FindingSchema = z.object({
  file: z.string().min(1).describe('Path of the file, exactly as given in the review input'),
  startLine: z.number().int().min(1).describe('First line the finding is about (1-based, in the current file)'),
  endLine: z.number().int().min(1).describe('Last line the finding is about (inclusive)'),
  severity: z.enum(SEVERITIES),
  category: z.enum(CATEGORIES),
  message: z.string().min(1).describe('What is wrong and why it matters, in one or two sentences'),
  suggestion: z
    .string()
    .optional()
    .describe('Replacement text for lines startLine..endLine (whole lines, same indentation), when a fix is clear'),
  confidence: z.number().min(0).max(1).describe('How sure you are that this is a real problem'),
});

export const ReviewSchema = z.object({
  summary: z.string().describe('One or two sentences on the change as a whole'),
  findings: z.array(FindingSchema),
});

export type Finding = z.infer<typeof FindingSchema>;
export type ReviewAnswer = z.infer<typeof ReviewSchema>;

/** The JSON schema a review is asked to answer in. */
export function reviewJsonSchema(): Record<string, unknown> {
  return jsonSchemaOf(ReviewSchema);
}

/** What is accepted as a review answer: findings are checked one by one (checkFindings), so one bad finding costs only itself. */
export const ReviewAnswerShape = z.object({ summary: z.string().default(''), findings: z.array(z.unknown()) });

export interface ReviewedFile {
  path: string;
  /** Number of lines in the file as reviewed (findings beyond it are rejected). */
  lineCount: number;
}

export type ParsedReview =
  | { ok: true; summary: string; findings: Finding[]; rejected: Array<{ finding: unknown; reason: string }> }
  | { ok: false; error: string; raw: string };

/** Parses the model's raw answer and keeps the findings that point at reviewed lines (see checkFindings). */
export function parseReviewAnswer(raw: string, files: readonly ReviewedFile[]): ParsedReview {
  const parsed = parseStructured(raw, ReviewAnswerShape);
  return parsed.ok ? { ok: true, ...checkFindings(parsed.value, files) } : { ok: false, error: parsed.error, raw };
}

/**
 * Keeps the findings that point at reviewed lines. A finding that names another file or lines outside the
 * file is dropped with a reason rather than shown on a wrong line.
 */
export function checkFindings(
  answer: z.infer<typeof ReviewAnswerShape>,
  files: readonly ReviewedFile[],
): { summary: string; findings: Finding[]; rejected: Array<{ finding: unknown; reason: string }> } {
  const { kept: findings, rejected } = locatedItems(answer.findings, FindingSchema, files, {
    notShown: (file) => `${file} was not part of the review`,
    check: (finding, file) => {
      if (finding.startLine > file.lineCount) return `line ${finding.startLine} is past the end of ${finding.file} (${file.lineCount} lines)`;
      finding.endLine = Math.min(Math.max(finding.endLine, finding.startLine), file.lineCount);
      return undefined;
    },
  });
  return { summary: answer.summary, findings: sortFindings(findings), rejected: rejected.map(({ candidate, reason }) => ({ finding: candidate, reason })) };
}

/** Most severe first, then by place, so "1 of N" walks the file top to bottom within a severity. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const rank = (s: Finding['severity']) => SEVERITIES.indexOf(s);
  return [...findings].sort((a, b) => rank(a.severity) - rank(b.severity) || a.file.localeCompare(b.file) || a.startLine - b.startLine);
}

/** Splits findings at the confidence threshold: the rest hide behind "Show N more". */
export function splitByConfidence(findings: readonly Finding[], threshold: number): { shown: Finding[]; hidden: Finding[] } {
  return { shown: findings.filter((f) => f.confidence >= threshold), hidden: findings.filter((f) => f.confidence < threshold) };
}

