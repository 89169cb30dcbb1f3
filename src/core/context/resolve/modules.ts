/**
 * Module specifiers to workspace files, per language family:
 * - JS/TS: relative paths (ESM `./a.js` meaning `./a.ts`, extensionless, `index` files), tsconfig
 *   `paths`/`baseUrl`, and the workspace's own packages by name.
 * - Python: `a.b` from the workspace root (or `src/`, or the folder above the file's top package),
 *   relative `.a`/`..a`, modules and packages (`__init__.py`, or a folder without one).
 * - Go: import paths under a go.mod module path: the package's non-test files.
 */
import type { WorkspaceIndex } from '../store/workspaceIndex';
import { dirOf, join } from './projects';

export interface ModuleRef {
  /** The module's files: one for JS/Python modules, every non-test file of a Go package. */
  files: readonly string[];
  /** A Python package or Go package folder, where submodules live. */
  dir?: string;
}

const JS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.d.ts'];

export { dirOf };

export function resolveJsModule(index: WorkspaceIndex, fromFile: string, spec: string): ModuleRef | undefined {
  if (spec.startsWith('.')) return jsFile(index, join(dirOf(fromFile), spec));
  if (spec.startsWith('/')) return undefined;
  const projects = index.projects;
  for (const config of projects.tsconfigs) {
    if (config.dir && !fromFile.startsWith(`${config.dir}/`)) continue;
    for (const [pattern, targets] of Object.entries(config.paths ?? {})) {
      const star = pattern.indexOf('*');
      const matched = star < 0 ? (spec === pattern ? '' : undefined) : spec.startsWith(pattern.slice(0, star)) && spec.endsWith(pattern.slice(star + 1)) ? spec.slice(star, spec.length - (pattern.length - star - 1)) : undefined;
      if (matched === undefined) continue;
      for (const target of targets) {
        const found = jsFile(index, target.replace('*', matched));
        if (found) return found;
      }
    }
    if (config.baseUrl !== undefined) {
      const found = jsFile(index, join(config.baseUrl, spec));
      if (found) return found;
    }
  }
  for (const pkg of projects.packages) {
    if (spec !== pkg.name && !spec.startsWith(`${pkg.name}/`)) continue;
    const sub = spec.slice(pkg.name.length + 1);
    if (!sub) {
      const entry = pkg.entry ? sourceOf(index, pkg.entry) : undefined;
      return entry ?? jsFile(index, join(pkg.dir, 'src/index')) ?? jsFile(index, join(pkg.dir, 'index'));
    }
    const exported = exportTarget(pkg.exports, `./${sub}`);
    if (exported) {
      const found = sourceOf(index, exported);
      if (found) return found;
    }
    return jsFile(index, join(pkg.dir, 'src', sub)) ?? jsFile(index, join(pkg.dir, sub));
  }
  return undefined;
}

/** A package's built file (`dist/x.js`) as the source it was built from when the workspace has it (`src/x.ts`). */
function sourceOf(index: WorkspaceIndex, target: string): ModuleRef | undefined {
  return jsFile(index, target.replace(/^(.*?)\/(dist|lib|build|out|esm|cjs)\//, '$1/src/').replace(/\.d\.(m|c)?ts$/, '')) ?? jsFile(index, target.replace(/\.d\.(m|c)?ts$/, '')) ?? jsFile(index, target);
}

/** The target an `exports` map gives a subpath: an exact key, else the longest `*` pattern that matches. */
function exportTarget(exports: Record<string, string> | undefined, subpath: string): string | undefined {
  if (!exports) return undefined;
  if (exports[subpath]) return exports[subpath];
  let best: { prefix: string; target: string; matched: string } | undefined;
  for (const [key, target] of Object.entries(exports)) {
    const star = key.indexOf('*');
    if (star < 0) continue;
    const [prefix, suffix] = [key.slice(0, star), key.slice(star + 1)];
    if (!subpath.startsWith(prefix) || !subpath.endsWith(suffix) || subpath.length < prefix.length + suffix.length) continue;
    if (!best || prefix.length > best.prefix.length) best = { prefix, target, matched: subpath.slice(prefix.length, subpath.length - suffix.length) };
  }
  return best && best.target.replace('*', best.matched);
}

/** The file a path means: itself, with a TypeScript extension for an ESM `.js`, or its `index` file. */
function jsFile(index: WorkspaceIndex, base: string): ModuleRef | undefined {
  const stem = base.replace(/\.(js|jsx|mjs|cjs)$/, '');
  const candidates = stem !== base ? [...JS_EXTENSIONS.map((e) => stem + e), base] : [base, ...JS_EXTENSIONS.map((e) => base + e)];
  candidates.push(...JS_EXTENSIONS.map((e) => `${base}/index${e}`));
  const found = candidates.find((c) => index.has(c) && !c.endsWith('.d.ts')) ?? candidates.find((c) => index.has(c));
  return found ? { files: [found] } : undefined;
}

export function resolvePythonModule(index: WorkspaceIndex, fromFile: string, spec: string): ModuleRef | undefined {
  const dots = /^\.*/.exec(spec)![0].length;
  const rest = spec.slice(dots).replace(/\./g, '/');
  if (dots > 0) {
    let base = dirOf(fromFile);
    for (let k = 1; k < dots; k++) base = dirOf(base);
    return pythonAt(index, rest ? join(base, rest) : base);
  }
  for (const root of pythonRoots(index, fromFile)) {
    const found = pythonAt(index, join(root, rest));
    if (found) return found;
  }
  return undefined;
}

/** Where absolute imports start: the root, `src`, and the folder above the file's top-level package. */
function pythonRoots(index: WorkspaceIndex, fromFile: string): string[] {
  const roots = ['', 'src', 'lib'];
  let dir = dirOf(fromFile);
  while (dir && index.has(`${dir}/__init__.py`)) dir = dirOf(dir);
  if (!roots.includes(dir)) roots.push(dir);
  const own = dirOf(fromFile);
  if (!roots.includes(own)) roots.push(own);
  return roots;
}

function pythonAt(index: WorkspaceIndex, path: string): ModuleRef | undefined {
  if (path && index.has(`${path}.py`)) return { files: [`${path}.py`] };
  if (index.has(`${path}/__init__.py`)) return { files: [`${path}/__init__.py`], dir: path };
  if (path && index.has(`${path}.pyi`)) return { files: [`${path}.pyi`] };
  // A namespace package: a folder of modules without __init__.py.
  if (path && index.isDir(path)) return { files: [], dir: path };
  return undefined;
}

export function resolveGoPackage(index: WorkspaceIndex, importPath: string): ModuleRef | undefined {
  for (const { dir, module } of index.projects.goModules) {
    if (importPath !== module && !importPath.startsWith(`${module}/`)) continue;
    const pkgDir = join(dir, importPath.slice(module.length + 1));
    const files = goPackageFiles(index, pkgDir);
    return files.length ? { files, dir: pkgDir } : undefined;
  }
  return undefined;
}

/**
 * A Go package: the non-test .go files of one folder (test files join only their own package). The
 * same array for the same folder while the index's folder listing stands (lookups cache by it).
 */
export function goPackageFiles(index: WorkspaceIndex, dir: string, includeTests = false): readonly string[] {
  return index.derived(`go\0${dir}\0${includeTests}`, () => index.filesIn(dir).filter((f) => f.endsWith('.go') && (includeTests || !f.endsWith('_test.go'))));
}

/** A Rust file's own module folder: where `mod x;` inside it looks for x.rs (src/a.rs -> src/a). */
function rustModuleDir(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1);
  return base === 'lib.rs' || base === 'main.rs' || base === 'mod.rs' ? dirOf(file) : file.replace(/\.rs$/, '');
}

/** The `src/` of the crate holding `file` (nearest Cargo.toml above it), else the folder of a lib.rs/main.rs above it. */
function rustCrateSrc(index: WorkspaceIndex, file: string): string | undefined {
  const crate = (index.projects.rustCrates ?? []).find((dir) => !dir || file.startsWith(`${dir}/`));
  if (crate !== undefined) return join(crate, 'src');
  for (let dir = dirOf(file); ; dir = dirOf(dir)) {
    if (index.has(join(dir, 'lib.rs')) || index.has(join(dir, 'main.rs'))) return dir;
    if (!dir) return undefined;
  }
}

/**
 * A Rust module path (`crate::a::b`, `self::x`, `super::super::y`, or a path from the crate root) as the
 * file that holds the module: `b.rs` or `b/mod.rs` in the folder the path leads to.
 */
export function resolveRustModule(index: WorkspaceIndex, fromFile: string, spec: string): ModuleRef | undefined {
  const segments = spec.split('::').filter(Boolean);
  let dir: string | undefined;
  let file: string | undefined;
  const first = segments[0];
  if (first === 'crate' || first === undefined) {
    dir = rustCrateSrc(index, fromFile);
    file = dir === undefined ? undefined : ['lib.rs', 'main.rs'].map((f) => join(dir!, f)).find((f) => index.has(f));
    segments.shift();
  } else if (first === 'self' || first === 'super') {
    dir = rustModuleDir(fromFile);
    file = fromFile;
    while (segments[0] === 'self' || segments[0] === 'super') {
      if (segments.shift() === 'super') {
        file = undefined;
        dir = dirOf(dir);
      }
    }
  } else dir = rustCrateSrc(index, fromFile); // 2015-style paths start at the crate root
  if (dir === undefined) return undefined;
  for (const seg of segments) {
    file = [join(dir, `${seg}.rs`), join(dir, seg, 'mod.rs')].find((f) => index.has(f));
    if (!file) return undefined;
    dir = join(dir, seg);
  }
  if (!file) file = [join(dir, 'mod.rs'), `${dir}.rs`].find((f) => index.has(f));
  return file ? { files: [file], dir } : undefined;
}

/**
 * A Java package (`com.acme.store`) as the .java files of its folder, found under whichever folder
 * above the importing file holds that package path (`src/main/java`, a module's source root).
 */
export function resolveJavaPackage(index: WorkspaceIndex, fromFile: string, pkg: string): ModuleRef | undefined {
  const rel = pkg.replace(/\./g, '/');
  for (let dir = dirOf(fromFile); ; dir = dirOf(dir)) {
    const candidate = join(dir, rel);
    const files = index.filesIn(candidate).filter((f) => f.endsWith('.java'));
    if (files.length) return { files, dir: candidate };
    if (!dir) return undefined;
  }
}

/** The .java files of the folder holding `file`: its package, whose classes need no import. */
export function javaPackageFiles(index: WorkspaceIndex, file: string): readonly string[] {
  const dir = dirOf(file);
  return index.derived(`java\0${dir}`, () => index.filesIn(dir).filter((f) => f.endsWith('.java')));
}
