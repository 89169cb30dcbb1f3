/**
 * The words of identifiers (`ExtractIPFromRealIPHeader` -> extract, ip, from, real, header;
 * `get_style` -> get, style), for relating names by what they say: code names the things it uses
 * after what it does (`WriteContentType` calls `writeContentType`; a line in `rotateMem` compares
 * `errHasFrozenMem`).
 */

/** Words too common in identifiers to relate two names. */
const STOP = new Set(['get', 'set', 'new', 'has', 'the', 'and', 'for', 'from', 'with', 'to', 'of', 'is', 'on', 'in', 'by', 'err', 'self', 'this', 'func', 'def', 'var', 'val', 'value', 'data', 'type', 'name']);

/** One word of an identifier: an acronym (`IP` in `RealIPHeader`), a capitalised or lower-case run, digits. */
const WORD = /[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g;

/**
 * Lower-case words of an identifier, three or more letters, common ones left out, each once. Plain
 * loops: a Go line scores every name of its package (hundreds) in a cold process, where closures and
 * per-word indexOf cost ~1 ms of the call's 25 (bench:context, Go `line`).
 */
export function nameWords(name: string): string[] {
  const out: string[] = [];
  const matched = name.match(WORD);
  if (!matched) return out;
  for (let i = 0; i < matched.length; i++) {
    const w = matched[i]!;
    if (w.length < 3) continue;
    const lower = w.toLowerCase();
    if (!STOP.has(lower) && !out.includes(lower)) out.push(lower);
  }
  return out;
}

/**
 * Every word of a text (identifiers and comments alike), lower-cased: one native regex pass, cheap
 * enough for a whole file in a cold process (splitting each identifier on its own cost milliseconds).
 * Repeats are dropped before lower-casing: a file says the same few hundred words thousands of times,
 * and lower-casing each occurrence cost ~0.5 ms a call.
 */
export function wordsOfText(text: string): Set<string> {
  const out = new Set<string>();
  for (const w of new Set(text.match(WORD))) {
    if (w.length < 3) continue;
    const lower = w.toLowerCase();
    if (!STOP.has(lower)) out.add(lower);
  }
  return out;
}

/** How many of a name's words occur in `context` (a word repeated in the name counts once). */
export function sharedWords(name: string, context: ReadonlySet<string>): number {
  return context.size ? countShared(nameWords(name), context) : 0;
}

/** sharedWords over words already split by nameWords (each once; a name weighed against several contexts splits once). */
export function countShared(words: readonly string[], context: ReadonlySet<string>): number {
  let n = 0;
  for (let i = 0; i < words.length; i++) if (context.has(words[i]!)) n++;
  return n;
}
