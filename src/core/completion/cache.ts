/**
 * Remembers recent completions so that typing through a suggestion, or coming back to a position,
 * needs no new request. Keyed by the text around the cursor, not by document version, because the
 * same text recurs when the user types what was suggested or undoes.
 */
interface Entry {
  prefix: string;
  suffix: string;
  completion: string;
}

export class CompletionCache {
  private entries: Entry[] = [];

  constructor(private readonly capacity = 200) {}

  /**
   * The rest of a cached completion for this cursor: an exact hit, or an earlier position from which
   * the user has since typed the first characters of the suggestion.
   */
  lookup(prefix: string, suffix: string): string | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!;
      if (e.suffix !== suffix || prefix.length < e.prefix.length) continue;
      const typed = prefix.length - e.prefix.length;
      if (typed >= e.completion.length) continue;
      // Cheap checks first: the typed part against the suggestion, then the (long) shared prefix.
      if (!e.completion.startsWith(prefix.slice(e.prefix.length))) continue;
      if (!prefix.startsWith(e.prefix)) continue;
      this.touch(i);
      return e.completion.slice(typed);
    }
    return undefined;
  }

  store(prefix: string, suffix: string, completion: string): void {
    if (completion === '') return;
    this.entries = this.entries.filter((e) => e.prefix !== prefix || e.suffix !== suffix);
    this.entries.push({ prefix, suffix, completion });
    if (this.entries.length > this.capacity) this.entries.shift();
  }

  clear(): void {
    this.entries = [];
  }

  get size(): number {
    return this.entries.length;
  }

  private touch(index: number): void {
    const [entry] = this.entries.splice(index, 1);
    this.entries.push(entry!);
  }
}
