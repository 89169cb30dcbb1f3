import * as vscode from 'vscode';
import { redactSecrets } from '../../core/privacy/redact';
import type { ContextDefinition } from '../../core/review/prompt';
import type { ReviewContextSource } from '../review/reviewController';
import type { ContextService } from './contextService';

/** Most tokens of definitions a review carries, across all its files. */
const REVIEW_CONTEXT_TOKENS = 4000;
/** Places per file the engine is asked about (each changed range's first line, the largest first). */
const PLACES_PER_FILE = 3;
/** The review is not typing-speed: the engine may take its time, within reason. */
const DEADLINE_MS = 1500;

/**
 * Definitions the reviewed code uses, from the context engine, made safe to send to Claude: a snippet
 * from a file the privacy filter excludes is dropped, secrets in the rest are redacted, and files
 * already in the review are not repeated.
 */
export function reviewContextSource(contextService: ContextService): ReviewContextSource {
  return async (files, root, filter) => {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(root));
    if (!folder) return [];
    const engine = contextService.engineForFolder(folder);
    const reviewed = new Set(files.map((f) => f.path));
    const places = files.flatMap((f) =>
      f.text === undefined
        ? []
        : [...f.changedRanges]
            .sort((a, b) => b.endLine - b.startLine - (a.endLine - a.startLine))
            .slice(0, PLACES_PER_FILE)
            .map((r) => ({ file: f.path, text: f.text!, offset: offsetOfLine(f.text!, r.startLine) })),
    );
    if (places.length === 0) return [];
    const share = Math.floor(REVIEW_CONTEXT_TOKENS / places.length);
    const seen = new Set<string>();
    const definitions: ContextDefinition[] = [];
    for (const place of places) {
      const result = await engine.contextAt({ file: place.file, offset: place.offset, text: place.text, maxTokens: share, deadlineMs: DEADLINE_MS });
      for (const s of result.snippets) {
        const key = `${s.file}:${s.startLine}-${s.endLine}`;
        if (seen.has(key) || reviewed.has(s.file) || filter.isExcluded(s.file).excluded) continue;
        seen.add(key);
        definitions.push({ file: s.file, startLine: s.startLine, endLine: s.endLine, text: redactSecrets(s.text).text });
      }
    }
    return definitions;
  };
}

function offsetOfLine(text: string, line: number): number {
  let offset = 0;
  for (let i = 1; i < line; i++) {
    const next = text.indexOf('\n', offset);
    if (next === -1) return text.length;
    offset = next + 1;
  }
  return offset;
}
