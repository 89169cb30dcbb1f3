/**
 * Line access into a file's text without splitting it: one pass records where lines start, and only
 * the lines a snippet needs become strings (a warm call touches many files but few of their lines).
 */
export class LineIndex {
  private readonly starts: Int32Array;

  constructor(readonly text: string) {
    let count = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
    const starts = new Int32Array(count + 1);
    let k = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts[k++] = i + 1;
    starts[count] = text.length + 1;
    this.starts = starts;
  }

  get count(): number {
    return this.starts.length - 1;
  }

  /** Lines start..end (1-based, inclusive) joined with '\n', without '\r'; undefined when out of range. */
  range(start: number, end: number): string | undefined {
    if (start < 1 || end > this.count || end < start) return undefined;
    const text = this.text.slice(this.starts[start - 1], this.starts[end]! - 1);
    return text.includes('\r') ? text.replace(/\r$/gm, '') : text;
  }

  /** UTF-16 offset where 1-based `line` starts (the text's length past the last line). */
  offsetOf(line: number): number {
    return this.starts[Math.max(0, Math.min(line, this.count + 1) - 1)] ?? this.text.length;
  }

  /** 1-based line of a UTF-16 offset. */
  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}
