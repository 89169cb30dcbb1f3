/**
 * Definitions the code under review (or a stack trace's frames) uses, from the context engine: what a
 * reader of those lines would look up. Files the privacy filter excludes are dropped here (the Claude
 * tier would refuse the request otherwise), and files already in the request are not repeated.
 */
import type { ContextRequest, ContextResult } from '../context';
import type { PrivacyFilter } from '../privacy/ignore';
import type { ContextDefinition } from './prompt';

export interface DefinitionsOptions {
  filter?: Pick<PrivacyFilter, 'isExcluded'>;
  /** Most tokens of definitions across all files. Default 4,000. */
  maxTokens?: number;
  /** Places per file the engine is asked about (each changed range's first line, the largest first). Default 3. */
  placesPerFile?: number;
  /** Not typing speed: the engine may take its time, within reason. Default 1.5 s. */
  deadlineMs?: number;
}

export async function gatherDefinitions(
  engine: { contextAt(request: ContextRequest): Promise<ContextResult> },
  files: ReadonlyArray<{ path: string; text: string | undefined; changedRanges: ReadonlyArray<{ startLine: number; endLine: number }> }>,
  options: DefinitionsOptions = {},
): Promise<ContextDefinition[]> {
  const places = files.flatMap((f) =>
    f.text === undefined
      ? []
      : [...(f.changedRanges.length ? f.changedRanges : [{ startLine: 1, endLine: 1 }])]
          .sort((a, b) => b.endLine - b.startLine - (a.endLine - a.startLine))
          .slice(0, options.placesPerFile ?? 3)
          .map((r) => ({ file: f.path, text: f.text!, offset: offsetOfLine(f.text!, r.startLine) })),
  );
  if (places.length === 0) return [];
  const share = Math.floor((options.maxTokens ?? 4000) / places.length);
  const inRequest = new Set(files.map((f) => f.path));
  const seen = new Set<string>();
  const definitions: ContextDefinition[] = [];
  for (const place of places) {
    const result = await engine.contextAt({ file: place.file, offset: place.offset, text: place.text, maxTokens: share, deadlineMs: options.deadlineMs ?? 1500 });
    for (const s of result.snippets) {
      const key = `${s.file}:${s.startLine}-${s.endLine}`;
      if (seen.has(key) || inRequest.has(s.file) || options.filter?.isExcluded(s.file).excluded) continue;
      seen.add(key);
      definitions.push({ file: s.file, startLine: s.startLine, endLine: s.endLine, text: s.text });
    }
  }
  return definitions;
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
