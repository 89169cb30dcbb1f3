/**
 * Runs the built CLI as a user without root's rights, so permission failures (EACCES) are real: root
 * reads and writes through any file mode, and the tests run as root in CI. The bundle and its grammars
 * are copied to a folder that user can read, since the checkout may not be.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmod, cp, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const NOBODY = 65534;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export interface OtherUser {
  run(args: string[], env?: NodeJS.ProcessEnv): Promise<Run>;
  /** Folders made for the test: readable by that user; `chmod 700` on one shuts it out. */
  scratch: string;
}

/** undefined (with why) when the machine cannot run a process as another user. */
export async function otherUser(): Promise<OtherUser | string> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'tiercel-user-'));
  await chmod(scratch, 0o755);
  const bundle = path.join(scratch, 'tiercel');
  for (const file of ['cli.js', 'cliMain.js']) await cp(path.join(ROOT, 'dist', file), path.join(bundle, 'dist', file));
  await cp(path.join(ROOT, 'grammars'), path.join(bundle, 'grammars'), { recursive: true });
  execFileSync('chmod', ['-R', 'a+rX', bundle]);
  const asRoot = process.getuid?.() === 0;
  const prefix = asRoot ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'] : [];
  try {
    execFileSync(prefix[0] ?? process.execPath, [...prefix.slice(1), ...(asRoot ? [process.execPath] : []), '--version'], { stdio: 'pipe' });
  } catch (error) {
    return `cannot run node as another user: ${(error as Error).message}`;
  }
  const home = path.join(scratch, 'home');
  execFileSync('mkdir', ['-p', home]);
  if (asRoot) execFileSync('chown', [String(NOBODY), home]);
  return {
    scratch,
    run: (args, env = {}) =>
      new Promise((resolve) => {
        const command = [...prefix, process.execPath, path.join(bundle, 'dist/cli.js'), ...args];
        execFile(command[0]!, command.slice(1), { env: { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: path.join(home, 'cache'), XDG_CONFIG_HOME: path.join(home, 'config'), ...env } }, (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      }),
  };
}
