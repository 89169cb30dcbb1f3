// Copies the tree-sitter runtime and grammar .wasm files named in grammars/manifest.json out of
// node_modules. They are build outputs (ignored by git) so versions follow package-lock.json.
import { copyFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const grammarsDir = path.join(root, 'grammars');
const require = createRequire(path.join(root, 'package.json'));

export async function copyGrammars() {
  const manifest = require('./grammars/manifest.json');
  const entries = [manifest.runtime, ...manifest.grammars];
  for (const { package: pkg, wasm } of entries) {
    // Not require.resolve: packages with an `exports` map (web-tree-sitter) hide package.json.
    const packageDir = path.join(root, 'node_modules', pkg);
    const from = path.join(packageDir, wasm);
    const to = path.join(grammarsDir, wasm);
    const [src, dst] = await Promise.all([stat(from), stat(to).catch(() => undefined)]);
    if (dst && dst.size === src.size && dst.mtimeMs >= src.mtimeMs) continue;
    await copyFile(from, to);
  }
  return entries.length;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const n = await copyGrammars();
  console.log(`copied ${n} wasm files to grammars/`);
}
