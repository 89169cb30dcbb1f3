/** Where "Write Tests for This" puts its tests, and with which framework, by each language's convention. */
import path from 'node:path';

/**
 * The test file for `file` (workspace-relative): an existing one by the common names first, else the
 * conventional new one beside it (`x.test.ts`, `test_x.py`, `x_test.go`).
 */
export function testFilePath(file: string, languageId: string, exists: (relPath: string) => boolean): string {
  const dir = path.posix.dirname(file);
  const ext = path.posix.extname(file);
  const stem = path.posix.basename(file, ext);
  const join = (...parts: string[]) => path.posix.join(dir, ...parts);
  let candidates: string[];
  if (languageId === 'python') candidates = [join(`test_${stem}.py`), path.posix.join('tests', `test_${stem}.py`), join(`${stem}_test.py`)];
  else if (languageId === 'go') candidates = [join(`${stem}_test.go`)];
  else candidates = [join(`${stem}.test${ext}`), join(`${stem}.spec${ext}`), join('__tests__', `${stem}.test${ext}`)];
  return candidates.find(exists) ?? candidates[0]!;
}

/** The framework the tests should use: the one package.json names for JavaScript, the standard one elsewhere. */
export function testFrameworkFor(languageId: string, packageJson?: string): string {
  if (languageId === 'python') return 'pytest';
  if (languageId === 'go') return "Go's testing package (table-driven tests)";
  let deps: Record<string, unknown> = {};
  try {
    const manifest = JSON.parse(packageJson ?? '{}') as { dependencies?: object; devDependencies?: object };
    deps = { ...manifest.dependencies, ...manifest.devDependencies };
  } catch {
    // An unreadable package.json says nothing about the framework.
  }
  if ('vitest' in deps) return 'Vitest';
  if ('jest' in deps) return 'Jest';
  if ('mocha' in deps) return 'Mocha with node:assert';
  if ('ava' in deps) return 'AVA';
  return "Node's built-in node:test and node:assert/strict";
}
