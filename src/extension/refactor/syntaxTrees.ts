import * as vscode from 'vscode';
import type { Tree } from 'web-tree-sitter';
import { targetAt, type RefactorTarget, type Selection } from '../../core/refactor';
import { SyntaxParsers } from '../../core/syntax';

/** Documents whose tree is kept: the light bulb asks about the one being edited, again and again. */
const KEPT = 4;

/**
 * The parsed tree of each recently asked-about document, reparsed only when its version changes. The
 * light bulb asks on every cursor move: with the tree kept, a move costs a node lookup; a new version
 * costs one parse (budget ≤ 30 ms for a 2,000-line file: web-tree-sitter 0.27 parses one in 18-26 ms
 * warm, measured on two busy cores when the context engine was built).
 */
export class SyntaxTrees implements vscode.Disposable {
  readonly parsers: SyntaxParsers;
  private readonly trees = new Map<string, { version: number; tree: Promise<Tree | undefined> }>();

  constructor(extensionUri: vscode.Uri) {
    this.parsers = new SyntaxParsers(vscode.Uri.joinPath(extensionUri, 'grammars').fsPath);
  }

  static supports(document: vscode.TextDocument): boolean {
    return SyntaxParsers.supports(document.languageId);
  }

  /** The refactor target at a selection (see targetAt); undefined when there is none or no grammar. */
  async targetAt(document: vscode.TextDocument, selection: vscode.Selection | vscode.Range, options: { enclosing?: boolean } = {}): Promise<RefactorTarget | undefined> {
    const tree = await this.treeOf(document);
    if (!tree) return undefined;
    return targetAt(tree.rootNode, document.getText(), toSelection(selection), options);
  }

  private treeOf(document: vscode.TextDocument): Promise<Tree | undefined> {
    const key = document.uri.toString();
    const kept = this.trees.get(key);
    if (kept && kept.version === document.version) return kept.tree;
    if (kept) void kept.tree.then((t) => t?.delete());
    const tree = this.parse(document);
    this.trees.delete(key);
    this.trees.set(key, { version: document.version, tree });
    // Oldest first in a Map: drop beyond the few kept (wasm memory is freed only by delete()).
    for (const [oldKey, old] of this.trees) {
      if (this.trees.size <= KEPT) break;
      this.trees.delete(oldKey);
      void old.tree.then((t) => t?.delete());
    }
    return tree;
  }

  private async parse(document: vscode.TextDocument): Promise<Tree | undefined> {
    const parser = await this.parsers.createParser(document.languageId).catch(() => undefined);
    if (!parser) return undefined;
    try {
      return parser.parse(document.getText()) ?? undefined;
    } finally {
      parser.delete();
    }
  }

  dispose(): void {
    for (const { tree } of this.trees.values()) void tree.then((t) => t?.delete());
    this.trees.clear();
  }
}

/** An editor selection as the core's: 1-based lines, 0-based columns. */
export function toSelection(range: vscode.Range): Selection {
  return { start: { line: range.start.line + 1, column: range.start.character }, end: { line: range.end.line + 1, column: range.end.character } };
}
