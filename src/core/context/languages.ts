import type { ContextLanguage } from './summary';

/** File extensions the context engine indexes, with the grammar (a SyntaxParsers language id) for each. */
const BY_EXTENSION: Record<string, { lang: ContextLanguage; grammar: string }> = {
  '.ts': { lang: 'typescript', grammar: 'typescript' },
  '.mts': { lang: 'typescript', grammar: 'typescript' },
  '.cts': { lang: 'typescript', grammar: 'typescript' },
  '.tsx': { lang: 'tsx', grammar: 'typescriptreact' },
  '.js': { lang: 'javascript', grammar: 'javascript' },
  '.mjs': { lang: 'javascript', grammar: 'javascript' },
  '.cjs': { lang: 'javascript', grammar: 'javascript' },
  '.jsx': { lang: 'javascript', grammar: 'javascriptreact' },
  '.py': { lang: 'python', grammar: 'python' },
  '.pyi': { lang: 'python', grammar: 'python' },
  '.go': { lang: 'go', grammar: 'go' },
  '.rs': { lang: 'rust', grammar: 'rust' },
  '.java': { lang: 'java', grammar: 'java' },
  '.c': { lang: 'c', grammar: 'c' },
  '.h': { lang: 'c', grammar: 'c' },
  '.cc': { lang: 'cpp', grammar: 'cpp' },
  '.cpp': { lang: 'cpp', grammar: 'cpp' },
  '.cxx': { lang: 'cpp', grammar: 'cpp' },
  '.hpp': { lang: 'cpp', grammar: 'cpp' },
  '.hh': { lang: 'cpp', grammar: 'cpp' },
};

function extensionOf(file: string): string {
  const slash = file.lastIndexOf('/');
  const dot = file.lastIndexOf('.');
  return dot > slash ? file.slice(dot).toLowerCase() : '';
}

export function contextLanguageOf(file: string): ContextLanguage | undefined {
  return BY_EXTENSION[extensionOf(file)]?.lang;
}

export function grammarOf(file: string): string | undefined {
  return BY_EXTENSION[extensionOf(file)]?.grammar;
}

/** Languages whose modules resolve the same way (TypeScript and JavaScript import each other). */
export type LanguageFamily = 'js' | 'python' | 'go' | 'rust' | 'java' | 'other';

export function familyOf(lang: ContextLanguage): LanguageFamily {
  switch (lang) {
    case 'typescript':
    case 'tsx':
    case 'javascript':
      return 'js';
    case 'python':
      return 'python';
    case 'go':
      return 'go';
    case 'rust':
      return 'rust';
    case 'java':
      return 'java';
    default:
      return 'other';
  }
}
