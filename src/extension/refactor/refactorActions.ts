import * as vscode from 'vscode';
import { presetsFor, titleFor, type PresetId } from '../../core/refactor';
import { SyntaxTrees } from './syntaxTrees';

export const REFACTOR_COMMAND = 'tiercel.refactorSelection';
export const INSTRUCTIONS_COMMAND = 'tiercel.refactorWithInstructions';
/** Every Tiercel refactor is `refactor.rewrite.tiercel`: a keybinding can ask for them by kind. */
export const REFACTOR_KIND = vscode.CodeActionKind.RefactorRewrite.append('tiercel');

/** What a light-bulb action passes to the refactor commands. */
export interface RefactorArgs {
  uri: vscode.Uri;
  range: vscode.Range;
  preset?: PresetId;
}

/** Documents longer than this get actions on a selection only, so the light bulb never waits on a parse of a huge file. */
const MAX_LINES_TO_PARSE = 5000;

/**
 * The light bulb's refactors: each preset for the file's language and "Refactor with Instructions…",
 * on the selection, or, with nothing selected, when the cursor is in a function or class.
 */
export class RefactorActions implements vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [REFACTOR_KIND];

  constructor(private readonly trees: SyntaxTrees) {}

  async provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    if (context.only && !context.only.contains(REFACTOR_KIND) && !REFACTOR_KIND.contains(context.only)) return [];
    if (!SyntaxTrees.supports(document)) return [];
    if (range.isEmpty) {
      if (document.lineCount > MAX_LINES_TO_PARSE) return [];
      const target = await this.trees.targetAt(document, range);
      if (!target) return [];
    }
    const args = (preset?: PresetId): RefactorArgs => ({ uri: document.uri, range, ...(preset ? { preset } : {}) });
    const actions = presetsFor(document.languageId).map((preset) => {
      const title = `Tiercel: ${titleFor(preset, document.languageId)}`;
      const action = new vscode.CodeAction(title, REFACTOR_KIND);
      action.command = { command: REFACTOR_COMMAND, title, arguments: [args(preset.id)] };
      return action;
    });
    const custom = new vscode.CodeAction('Tiercel: Refactor with Instructions…', REFACTOR_KIND);
    custom.command = { command: INSTRUCTIONS_COMMAND, title: custom.title, arguments: [args()] };
    return [...actions, custom];
  }
}
