/**
 * The words of identifiers (`ExtractIPFromRealIPHeader` -> extract, ip, from, real, header;
 * `get_style` -> get, style), for relating names by what they say: code names the things it uses
 * after what it does (`WriteContentType` calls `writeContentType`; a line in `rotateMem` compares
 * `errHasFrozenMem`).
 */

/** Words too common in identifiers to relate two names. */
const STOP = new Set(['get', 'set', 'new', 'has', 'the', 'and', 'for', 'from', 'with', 'to', 'of', 'is', 'on', 'in', 'by', 'err', 'self', 'this', 'func', 'def', 'var', 'val', 'value', 'data', 'type', 'name']);

/** Lower-case words of an identifier, three or more letters, common ones left out. */
export function nameWords(name: string): string[] {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+|(?<=[A-Za-z])(?=[0-9])/)
    .map((w) => w.toLowerCase());
  return words.filter((w) => w.length >= 3 && !STOP.has(w));
}

/**
 * Every word of a text (identifiers and comments alike), lower-cased: one native regex pass, cheap
 * enough for a whole file in a cold process (splitting each identifier on its own cost milliseconds).
 */
export function wordsOfText(text: string): Set<string> {
  const out = new Set<string>();
  for (const w of text.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g) ?? []) {
    if (w.length < 3) continue;
    const lower = w.toLowerCase();
    if (!STOP.has(lower)) out.add(lower);
  }
  return out;
}

/** How many of a name's words occur in `context`. */
export function sharedWords(name: string, context: ReadonlySet<string>): number {
  let n = 0;
  for (const w of new Set(nameWords(name))) if (context.has(w)) n++;
  return n;
}
