import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';
import manifest from '../../../grammars/manifest.json';

/**
 * Loads tree-sitter lazily: nothing (runtime or grammar) is read until a language is first asked for,
 * so activation stays cheap. One instance per process; grammars are cached once loaded.
 */
export class SyntaxParsers {
  private runtime: Promise<void> | undefined;
  private readonly languages = new Map<string, Promise<Language>>();

  /** @param grammarsDir the folder holding the copied .wasm files (`<extension>/grammars`). */
  constructor(private readonly grammarsDir: string) {}

  /** VS Code language ids that have a grammar. */
  static supportedLanguageIds(): string[] {
    return manifest.grammars.flatMap((g) => g.languageIds);
  }

  static supports(languageId: string): boolean {
    return SyntaxParsers.supportedLanguageIds().includes(languageId);
  }

  /**
   * A fresh parser for the language, or undefined when Tiercel has no grammar for it. The caller owns
   * the parser and every tree it makes: call `tree.delete()` and `parser.delete()` (wasm memory is not
   * garbage collected).
   */
  async createParser(languageId: string): Promise<Parser | undefined> {
    const language = await this.language(languageId);
    if (!language) return undefined;
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  }

  private language(languageId: string): Promise<Language> | undefined {
    const grammar = manifest.grammars.find((g) => g.languageIds.includes(languageId));
    if (!grammar) return undefined;
    let loading = this.languages.get(grammar.wasm);
    if (!loading) {
      loading = this.init().then(async () => Language.load(await readFile(path.join(this.grammarsDir, grammar.wasm))));
      // A failed load is not cached, so a later call can succeed once the file is there.
      loading.catch(() => this.languages.delete(grammar.wasm));
      this.languages.set(grammar.wasm, loading);
    }
    return loading;
  }

  private init(): Promise<void> {
    // locateFile: bundled as cjs, web-tree-sitter cannot find its own .wasm (import.meta.url is empty there),
    // so it is always told where the copied runtime lives.
    this.runtime ??= Parser.init({
      locateFile: (file: string) => path.join(this.grammarsDir, file === 'tree-sitter.wasm' ? manifest.runtime.wasm : file),
    });
    return this.runtime;
  }
}
