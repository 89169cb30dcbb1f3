/** Local refactors: presets, targets, the prompt, reading the answer, the syntax gate and the pipeline. */
export { parseRefactorAnswer, partialCode } from './answer';
export type { AnswerContext, ParsedAnswer } from './answer';
export { describeProblems, newSyntaxProblems, syntaxProblems } from './gate';
export type { ParserSource, SyntaxProblem } from './gate';
export { matchIndentation } from './indent';
export { instructionFor, PRESETS, presetById, presetsFor, titleFor } from './presets';
export type { PresetId, RefactorPreset } from './presets';
export { buildRefactorPrompt } from './prompt';
export type { RefactorPrompt, RefactorPromptOptions, RefactorRequest } from './prompt';
export { runRefactor } from './run';
export type { ProposedFile, RefactorDeps, RefactorOptions, RefactorOutcome, RefactorProposal, RefactorResult } from './run';
export { isEmpty, selectedLines, targetAt } from './target';
export type { LineRange } from '../edits/lineEdit';
export type { RefactorTarget, Selection } from './target';
export { testFilePath, testFrameworkFor } from './testFile';
