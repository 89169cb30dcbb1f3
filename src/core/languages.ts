import path from 'node:path';

/** VS Code language ids by file extension, for headless use where no editor says what a file is. */
const BY_EXTENSION: Record<string, string> = {
  '.ts': 'typescript', '.mts': 'typescript', '.cts': 'typescript', '.tsx': 'typescriptreact',
  '.js': 'javascript', '.mjs': 'javascript', '.cjs': 'javascript', '.jsx': 'javascriptreact',
  '.py': 'python', '.go': 'go', '.rs': 'rust', '.java': 'java',
  '.c': 'c', '.h': 'c', '.cc': 'cpp', '.cpp': 'cpp', '.cxx': 'cpp', '.hpp': 'cpp', '.hh': 'cpp',
  '.md': 'markdown', '.json': 'json', '.txt': 'plaintext',
};

export function languageIdOf(file: string): string {
  return BY_EXTENSION[path.extname(file).toLowerCase()] ?? 'plaintext';
}
