import type { ContextSnippet } from '../context';
import { DEFAULT_SNIPPET_SHARE } from './prompt';
import type { Snippet } from './engine';

/**
 * The context engine's snippets as FIM prompt files: one entry per file (repo-level FIM shows each
 * file once, after its `<|file_sep|>` path), its pieces in line order, files in the order of their
 * most relevant piece. A gap between pieces is marked with a line of its own, so the model does not
 * read two distant definitions as adjacent code.
 */
export function toPromptSnippets(snippets: readonly ContextSnippet[]): Snippet[] {
  const byFile = new Map<string, ContextSnippet[]>();
  for (const s of snippets) {
    const list = byFile.get(s.file) ?? [];
    list.push(s);
    byFile.set(s.file, list);
  }
  return [...byFile].map(([file, pieces]) => {
    const sorted = [...pieces].sort((a, b) => a.startLine - b.startLine);
    let text = '';
    let lastEnd = 0;
    for (const piece of sorted) {
      if (piece.endLine <= lastEnd) continue;
      // Overlapping pieces (a header, then the whole definition) contribute only their new lines.
      const lines = piece.text.replace(/\r?\n$/, '').split(/\r?\n/).slice(Math.max(0, lastEnd - piece.startLine + 1));
      if (text) text += piece.startLine > lastEnd + 1 ? '\n...\n' : '\n';
      text += lines.join('\n');
      lastEnd = piece.endLine;
    }
    return { path: file, text };
  });
}

/** Tokens of cross-file context to ask the engine for: what the prompt builder holds for snippets. */
export function contextBudget(maxPromptTokens: number): number {
  return Math.floor(maxPromptTokens * DEFAULT_SNIPPET_SHARE);
}
/** Time the context engine gets on the keystroke path; it runs during the debounce. */
export const CONTEXT_DEADLINE_MS = 40;
