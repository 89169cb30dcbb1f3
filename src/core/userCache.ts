import os from 'node:os';
import path from 'node:path';

/**
 * The user's cache folder for Tiercel: `$XDG_CACHE_HOME/tiercel` (Linux default ~/.cache/tiercel),
 * ~/Library/Caches/tiercel on macOS, %LOCALAPPDATA%\tiercel on Windows. What lives there can be
 * deleted at any time: the context index and the CLI's code cache are rebuilt on the next call.
 */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CACHE_HOME ||
    (process.platform === 'win32' ? env.LOCALAPPDATA || path.join(os.homedir(), 'AppData', 'Local') : path.join(os.homedir(), process.platform === 'darwin' ? 'Library/Caches' : '.cache'));
  return path.join(base, 'tiercel');
}
