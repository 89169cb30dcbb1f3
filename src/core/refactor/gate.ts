/**
 * The quality gate between a model's answer and the user: the file as it would be, parsed with
 * tree-sitter in its language, must have no syntax error the file did not have already (a file being
 * typed in often has one, which is not the model's doing). Errors are compared by what they are and
 * the text they cover, not by line: the rewrite moves lines.
 */
import type { Node, Parser } from 'web-tree-sitter';

export interface SyntaxProblem {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** `missing "}"`, `unexpected "=>"`. */
  message: string;
}

/** What gives a parser for a language (SyntaxParsers): undefined when Tiercel has no grammar for it. */
export interface ParserSource {
  createParser(languageId: string): Promise<Parser | undefined>;
}

/** Most problems listed in a message (the first one is what a retry needs). */
const LISTED = 3;

/** The syntax errors of `text`, in order. Undefined when the language has no grammar (nothing to check). */
export async function syntaxProblems(parsers: ParserSource, languageId: string, text: string): Promise<SyntaxProblem[] | undefined> {
  const parser = await parsers.createParser(languageId);
  if (!parser) return undefined;
  const tree = parser.parse(text);
  try {
    return tree ? problemsIn(tree.rootNode) : [];
  } finally {
    tree?.delete();
    parser.delete();
  }
}

/**
 * The syntax errors `after` has that `before` did not; undefined when the language has no grammar.
 * `before` is '' for a new file.
 */
export async function newSyntaxProblems(parsers: ParserSource, languageId: string, before: string, after: string): Promise<SyntaxProblem[] | undefined> {
  const [old, now] = await Promise.all([before ? syntaxProblems(parsers, languageId, before) : Promise.resolve([]), syntaxProblems(parsers, languageId, after)]);
  if (!old || !now) return undefined;
  const known = new Map<string, number>();
  for (const p of old) known.set(keyOf(p), (known.get(keyOf(p)) ?? 0) + 1);
  return now.filter((p) => {
    const left = known.get(keyOf(p)) ?? 0;
    if (left > 0) known.set(keyOf(p), left - 1);
    return left === 0;
  });
}

/** "line 12:5: missing "}"; line 20:1: unexpected "else"" (the first few). */
export function describeProblems(problems: readonly SyntaxProblem[]): string {
  const listed = problems.slice(0, LISTED).map((p) => `line ${p.line}:${p.column}: ${p.message}`);
  const more = problems.length > LISTED ? ` (and ${problems.length - LISTED} more)` : '';
  return `${listed.join('; ')}${more}`;
}

function keyOf(problem: SyntaxProblem): string {
  return problem.message;
}

function problemsIn(root: Node): SyntaxProblem[] {
  const out: SyntaxProblem[] = [];
  const visit = (node: Node) => {
    if (node.isMissing) {
      out.push(at(node, `missing "${node.type}"`));
      return;
    }
    if (node.isError) {
      out.push(at(node, `unexpected "${snippet(node.text)}"`));
      return;
    }
    // Only subtrees holding an error are walked: a clean 2,000-line file costs one check at the root.
    if (!node.hasError) return;
    for (const child of node.children) if (child) visit(child);
  };
  visit(root);
  return out;
}

function at(node: Node, message: string): SyntaxProblem {
  return { line: node.startPosition.row + 1, column: node.startPosition.column + 1, message };
}

function snippet(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 40 ? `${line.slice(0, 40)}…` : line;
}
