/**
 * What a workspace's project files say about module resolution: tsconfig/jsconfig `baseUrl` and
 * `paths`, the workspace's own npm packages (for imports of them by name), and Go module paths.
 * Read once when the index is built and kept in its manifest.
 */
import type { ContextFileSystem } from '../workspace/fileSystem';

export interface TsPathConfig {
  /** Folder of the tsconfig, relative to the workspace root ('' for the root). */
  dir: string;
  /** Workspace-relative folder non-relative imports resolve from, if set. */
  baseUrl?: string;
  /** Pattern -> workspace-relative targets, `*` kept as the wildcard. */
  paths?: Record<string, string[]>;
}

export interface WorkspacePackage {
  name: string;
  dir: string;
  /** Workspace-relative entry (`exports['.']`, `types`, `module` or `main`), when given. */
  entry?: string;
  /**
   * The `exports` map's other subpaths (`./utils`, `./adapters/*`) to workspace-relative targets, each
   * condition set read as TypeScript does (`types`, then `import`, `default`, `require`).
   */
  exports?: Record<string, string>;
}

export interface GoModule {
  dir: string;
  module: string;
}

export interface ProjectConfig {
  tsconfigs: TsPathConfig[];
  packages: WorkspacePackage[];
  goModules: GoModule[];
  /** Folders holding a Cargo.toml: a Rust crate's modules start at its `src/`. */
  rustCrates?: string[];
}

export const EMPTY_PROJECT_CONFIG: ProjectConfig = { tsconfigs: [], packages: [], goModules: [], rustCrates: [] };

export function readProjectConfig(fs: ContextFileSystem, root: string, configs: readonly string[]): ProjectConfig {
  const out: ProjectConfig = { tsconfigs: [], packages: [], goModules: [], rustCrates: [] };
  for (const rel of configs) {
    const dir = dirOf(rel);
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    let text: string;
    try {
      text = fs.readFile(`${root}/${rel}`);
    } catch {
      continue;
    }
    if (name === 'Cargo.toml') {
      out.rustCrates!.push(dir);
      continue;
    }
    if (name === 'go.mod') {
      const module = /^\s*module\s+("?)([^\s"]+)\1/m.exec(text)?.[2];
      if (module) out.goModules.push({ dir, module });
    } else if (name === 'package.json') {
      const pkg = parseJsonc(text) as { name?: string; exports?: unknown; types?: string; typings?: string; module?: string; main?: string } | undefined;
      if (pkg?.name) {
        const exports = subpathExports(dir, pkg.exports);
        out.packages.push({ name: pkg.name, dir, entry: packageEntry(dir, pkg), ...(exports ? { exports } : {}) });
      }
    } else {
      const config = parseJsonc(text) as { compilerOptions?: { baseUrl?: string; paths?: Record<string, string[]> } } | undefined;
      const options = config?.compilerOptions;
      if (!options?.baseUrl && !options?.paths) continue;
      const baseUrl = options.baseUrl !== undefined ? join(dir, options.baseUrl) : undefined;
      const from = baseUrl ?? dir;
      const paths = options.paths
        ? Object.fromEntries(Object.entries(options.paths).map(([k, targets]) => [k, targets.map((t) => join(from, t))]))
        : undefined;
      out.tsconfigs.push({ dir, ...(baseUrl !== undefined ? { baseUrl } : {}), ...(paths ? { paths } : {}) });
    }
  }
  // The deepest config first: a file uses the nearest one above it.
  out.tsconfigs.sort((a, b) => b.dir.length - a.dir.length);
  out.goModules.sort((a, b) => b.module.length - a.module.length);
  out.rustCrates!.sort((a, b) => b.length - a.length);
  return out;
}

function packageEntry(dir: string, pkg: { exports?: unknown; types?: string; typings?: string; module?: string; main?: string }): string | undefined {
  const exp = pkg.exports;
  const entry = conditionTarget(typeof exp === 'string' || isConditions(exp) ? exp : (exp as Record<string, unknown> | undefined)?.['.']);
  const chosen = entry ?? pkg.types ?? pkg.typings ?? pkg.module ?? pkg.main;
  return chosen ? join(dir, chosen) : undefined;
}

/** An exports value through its conditions (nested ones too) to the path TypeScript would pick. */
function conditionTarget(value: unknown): string | undefined {
  let entry = value;
  while (entry && typeof entry === 'object' && !Array.isArray(entry)) {
    const conditions = entry as Record<string, unknown>;
    entry = conditions.types ?? conditions.import ?? conditions.default ?? conditions.require ?? conditions.node;
  }
  if (Array.isArray(entry)) return conditionTarget(entry[0]);
  return typeof entry === 'string' ? entry : undefined;
}

/** `{ "import": …, "types": … }` (conditions of the root export) rather than a map of subpaths. */
function isConditions(exp: unknown): boolean {
  return !!exp && typeof exp === 'object' && !Array.isArray(exp) && Object.keys(exp).every((k) => !k.startsWith('.'));
}

function subpathExports(dir: string, exp: unknown): Record<string, string> | undefined {
  if (!exp || typeof exp !== 'object' || Array.isArray(exp) || isConditions(exp)) return undefined;
  const out: Record<string, string> = {};
  for (const [subpath, value] of Object.entries(exp as Record<string, unknown>)) {
    if (subpath === '.' || !subpath.startsWith('./')) continue;
    const target = conditionTarget(value);
    if (target) out[subpath] = join(dir, target);
  }
  return Object.keys(out).length ? out : undefined;
}

/** The folder of a workspace-relative path ('' at the root). */
export const dirOf = (rel: string): string => (rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '');

/** Joins workspace-relative paths, resolving `.` and `..`; never climbs above the root. */
export function join(...parts: string[]): string {
  const out: string[] = [];
  for (const part of parts.join('/').split('/')) {
    if (!part || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

/** tsconfig.json (and VS Code's settings.json) allow comments and trailing commas. */
export function parseJsonc(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    try {
      const stripped = text.replace(/("(?:\\.|[^"\\])*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_m, str: string | undefined) => str ?? '').replace(/,(\s*[}\]])/g, '$1');
      return JSON.parse(stripped);
    } catch {
      return undefined;
    }
  }
}
