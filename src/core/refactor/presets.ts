/**
 * The refactors offered by name (light bulb, palette, CLI `--preset`). Each is an instruction to the
 * model; a few apply only to some languages, and two change what the answer covers: Extract Function
 * rewrites the declaration around the selection (the new function has to go somewhere outside it), and
 * Write Tests answers with a test file instead of a rewrite.
 */

export type PresetId =
  | 'extract-function'
  | 'simplify'
  | 'add-types'
  | 'rename-for-clarity'
  | 'convert-to-async-await'
  | 'add-doc-comments'
  | 'add-error-handling'
  | 'write-tests';

export interface RefactorPreset {
  id: PresetId;
  /** Menu title; `titleFor` adapts a few to the language. */
  title: string;
  /** What the model is asked to do. `{comment}` is the language's doc comment style. */
  instruction: string;
  /** VS Code language ids it applies to; all when absent. */
  languages?: readonly string[];
  /** `enclosing`: rewrite the declaration around the selection; `tests`: answer with tests in a test file. */
  output?: 'enclosing' | 'tests';
}

const JS = ['javascript', 'javascriptreact', 'typescript', 'typescriptreact'];

export const PRESETS: readonly RefactorPreset[] = [
  {
    id: 'extract-function',
    title: 'Extract Function',
    instruction:
      'Extract the lines marked for extraction into a new, well-named function (a method when they are inside a class) and call it where they were. ' +
      'Pass it what it reads as parameters and return what the code after it uses. Put the new function right before the function it was extracted from, at the same indentation. Change nothing else.',
    output: 'enclosing',
  },
  {
    id: 'simplify',
    title: 'Simplify',
    instruction:
      'Simplify this code: remove redundancy and needless nesting, and use the clearest constructs idiomatic in the language. ' +
      'Keep its behaviour exactly, edge cases and errors included, and keep its name, signature and exports.',
  },
  {
    id: 'add-types',
    title: 'Add Types',
    instruction:
      'Add precise types: parameter and return types, and variables whose type is not obvious, using the types in the definitions given where they fit. ' +
      'Avoid `any` and casts. Do not change behaviour.',
    languages: [...JS, 'python'],
  },
  {
    id: 'rename-for-clarity',
    title: 'Rename for Clarity',
    instruction:
      'Rename local variables, parameters and inner helpers whose names are unclear so the code reads well. ' +
      'Do not rename anything used outside this code (its own name, exported names, fields, keyword arguments callers pass). Change nothing else.',
  },
  {
    id: 'convert-to-async-await',
    title: 'Convert to async/await',
    instruction:
      'Convert promise chains (.then/.catch/.finally) and callbacks to async/await, with try/catch where errors were handled. ' +
      'Keep behaviour, including what is returned and which errors propagate; mark functions async only where needed.',
    languages: [...JS, 'python'],
  },
  {
    id: 'add-doc-comments',
    title: 'Add Doc Comments',
    instruction:
      'Add a {comment} to each function, method and class here that lacks one: what it does and why, its parameters, what it returns and the errors it raises. ' +
      'Be brief and do not restate the code. Do not change the code itself.',
  },
  {
    id: 'add-error-handling',
    title: 'Add Error Handling',
    instruction:
      'Add error handling where this code can fail (I/O, parsing, network, missing or invalid values): validate inputs, handle errors where they can be handled, ' +
      'and otherwise rethrow them with context, in the style the surrounding code uses. Never swallow an error silently. Keep the behaviour when nothing fails.',
  },
  {
    id: 'write-tests',
    title: 'Write Tests for This',
    instruction:
      'Write unit tests for this code with {framework}: the main behaviour, edge cases and error cases, each test small and named for what it checks. ' +
      'Import what they test from the file under test. Do not rewrite the code under test.',
    // Where a test file goes by convention (testFilePath); Rust keeps tests inside the file, which this cannot touch.
    languages: [...JS, 'python', 'go'],
    output: 'tests',
  },
];

export function presetById(id: string): RefactorPreset | undefined {
  return PRESETS.find((p) => p.id === id);
}

/** The presets that apply to a language. */
export function presetsFor(languageId: string): RefactorPreset[] {
  return PRESETS.filter((p) => !p.languages || p.languages.includes(languageId));
}

/** "Add Type Hints" in Python, "Add Types" elsewhere. */
export function titleFor(preset: RefactorPreset, languageId: string): string {
  return preset.id === 'add-types' && languageId === 'python' ? 'Add Type Hints' : preset.title;
}

const DOC_COMMENTS: Record<string, string> = {
  python: 'docstring (PEP 257)',
  go: 'Go doc comment (// Name …)',
  rust: 'rustdoc comment (///)',
  java: 'Javadoc comment',
  c: 'Doxygen comment (/** … */)',
  cpp: 'Doxygen comment (/** … */)',
};

/** The preset's instruction for this language (doc comment style, test framework filled in). */
export function instructionFor(preset: RefactorPreset, languageId: string, testFramework?: string): string {
  const comment = DOC_COMMENTS[languageId] ?? (languageId.startsWith('typescript') ? 'TSDoc comment (/** … */)' : 'JSDoc comment (/** … */)');
  const hints = languageId === 'python' && preset.id === 'add-types' ? preset.instruction.replace('Avoid `any` and casts', 'Use typing constructs that fit (Optional, Sequence, …); avoid Any') : preset.instruction;
  return hints.replace('{comment}', comment).replace('{framework}', testFramework ?? 'the test framework the project uses');
}
