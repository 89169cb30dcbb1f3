/**
 * Golden cases for post-processing (test/golden/postprocess/*.txt), shared by the post-processing
 * and early-stop tests. One case per file:
 *
 *   Free text before the first section says what the case is about.
 *   --- options
 *   multiline: true, languageId: typescript, crlf: true, stop: <|cursor|> <|other|>
 *   --- code
 *   the document, with █ where the cursor is
 *   --- raw
 *   what the model generated
 *   --- expected
 *   what postprocessCompletion returns (nothing: show nothing)
 *
 * A section is the lines between its header and the next one; the file's final line break is not
 * part of the last section. `␣` stands for a space where trailing spaces matter (editors strip
 * them). `crlf` and `stop` are optional; with `crlf: true` every line break in code, raw and
 * expected becomes \r\n when the case is loaded.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CompletionContext } from '../../../src/core/completion/postprocess';

export const GOLDEN_DIR = path.resolve(__dirname, '../../golden/postprocess');

const CURSOR = '█';
const VISIBLE_SPACE = '␣';
const SECTIONS = ['options', 'code', 'raw', 'expected'] as const;
type Section = (typeof SECTIONS)[number];

export interface GoldenCase {
  name: string;
  file: string;
  ctx: CompletionContext;
  raw: string;
  expected: string;
  crlf: boolean;
}

export function loadGoldenCases(): GoldenCase[] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => parseGoldenCase(path.join(GOLDEN_DIR, f)));
}

export function parseGoldenCase(file: string): GoldenCase {
  const name = path.basename(file, '.txt');
  const text = readFileSync(file, 'utf8').replace(/\r\n/g, '\n').replace(/\n$/, '');
  const sections = new Map<Section, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const header = /^--- (\w+)$/.exec(line);
    if (header) {
      const section = header[1] as Section;
      if (!SECTIONS.includes(section)) throw new Error(`${name}: unknown section "${line}"`);
      current = [];
      sections.set(section, current);
    } else current?.push(line);
  }
  const section = (s: Section): string => {
    const lines = sections.get(s);
    if (!lines) throw new Error(`${name}: missing "--- ${s}" section`);
    return lines.join('\n');
  };

  const options = new Map<string, string>();
  for (const pair of section('options').split(',')) {
    const colon = pair.indexOf(':');
    if (colon === -1) throw new Error(`${name}: option "${pair.trim()}" is not "key: value"`);
    options.set(pair.slice(0, colon).trim(), pair.slice(colon + 1).trim());
  }
  const crlf = options.get('crlf') === 'true';
  const decode = (s: string): string => {
    const spaced = s.replaceAll(VISIBLE_SPACE, ' ');
    return crlf ? spaced.replace(/\n/g, '\r\n') : spaced;
  };

  const code = decode(section('code'));
  const cursor = code.indexOf(CURSOR);
  if (cursor === -1 || code.indexOf(CURSOR, cursor + 1) !== -1) throw new Error(`${name}: the code needs exactly one ${CURSOR}`);
  const languageId = options.get('languageId');
  if (!languageId) throw new Error(`${name}: options need a languageId`);
  return {
    name,
    file,
    crlf,
    raw: decode(section('raw')),
    expected: decode(section('expected')),
    ctx: {
      prefix: code.slice(0, cursor),
      suffix: code.slice(cursor + CURSOR.length),
      languageId,
      multiline: options.get('multiline') === 'true',
      stopTokens: (options.get('stop') ?? '').split(/\s+/).filter(Boolean),
    },
  };
}

/** Rewrites a case's expected section (UPDATE_GOLDEN=1). */
export function writeExpected(golden: GoldenCase, actual: string): void {
  const text = readFileSync(golden.file, 'utf8').replace(/\r\n/g, '\n');
  const header = text.indexOf('\n--- expected\n');
  if (header === -1 && !text.endsWith('\n--- expected')) throw new Error(`${golden.name}: "--- expected" must be the last section`);
  const head = text.slice(0, header === -1 ? text.length : header + '\n--- expected'.length);
  const body = (golden.crlf ? actual.replace(/\r\n/g, '\n') : actual).replace(/ +$/gm, (spaces) => VISIBLE_SPACE.repeat(spaces.length));
  writeFileSync(golden.file, `${head}\n${body}${body === '' ? '' : '\n'}`);
}

/** A cursor context from code with the cursor marked `█` (TypeScript, multi-line unless told). */
export function at(code: string, options: Partial<Omit<CompletionContext, 'prefix' | 'suffix'>> = {}): CompletionContext {
  const cursor = code.indexOf('█');
  if (cursor === -1) throw new Error('the code marks the cursor with █');
  return {
    prefix: code.slice(0, cursor),
    suffix: code.slice(cursor + 1),
    languageId: 'typescript',
    multiline: true,
    stopTokens: [],
    ...options,
  };
}
