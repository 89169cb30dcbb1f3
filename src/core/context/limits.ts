/**
 * Texts the engine will not parse or scan. A bundle or a minified file as the cursor's file cost the
 * engine 4.6 s at 1 MB and 253 s at 10 MB (tree-sitter and the scans are superlinear on one huge line)
 * while the keystroke budget is 25 ms, and the parse is synchronous, so in the editor the extension
 * host froze and in the CLI no signal was handled. Such a file gets no cross-file context: there is
 * nothing in a bundle a completion would find there anyway. The workspace walk already skips files
 * above its size limit; this covers the cursor's file and editor buffers, which arrive as text.
 */
import { isUnindexable } from './workspace/walk';

/** Above this many characters a file is not parsed as the cursor's file (the walk indexes ≤ 1.5 MB). */
export const MAX_CURSOR_CHARS = 1_000_000;

/** Why `text` is not worth parsing or scanning, or undefined when it is. Linear and cheap (~10 ms at 10 MB). */
export function unscannableReason(text: string): string | undefined {
  if (text.length > MAX_CURSOR_CHARS) return `larger than ${MAX_CURSOR_CHARS.toLocaleString('en-US')} characters`;
  if (isUnindexable(text)) return text.slice(0, 8000).includes('\0') ? 'binary' : 'minified (very long lines)';
  return undefined;
}
