/**
 * Loads a built dist/extension.js and runs its activate() in a fresh plain Node process, `vscode`
 * stubbed: what loading and activate() itself cost (CPU of its first call, when V8 compiles what it
 * runs) and whether it touched the network before returning. The bundle and activation tests and
 * bench:editor share it.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

export interface PlainActivation {
  /** CPU ms of requiring the bundle (compiling and running its top level). */
  loadCpuMs: number;
  /** CPU ms of the first activate() call. */
  cpuMs: number;
  /** fetch() calls made while activate() ran, and in the next 200 ms. */
  fetchesDuring: number;
  fetchesAfter: number;
}

/**
 * The stub gives every top-level name of the API (esbuild's import copies the module's own names once,
 * so each must exist up front): a callable, constructible object that answers any property
 * with another such object, plus a working EventEmitter and Disposable and an empty configuration.
 */
const SCRIPT = `
const Module = require('node:module');
const names = JSON.parse(process.argv[2]);
const bundle = process.argv[1];
function stub() {
  const own = {};
  return new Proxy(function () {}, {
    get: (_, k) => (k in own ? own[k] : k === 'then' || typeof k === 'symbol' ? undefined : (own[k] = stub())),
    set: (_, k, v) => ((own[k] = v), true),
    apply: () => stub(),
    construct: () => stub(),
  });
}
const vscode = {};
for (const name of names) vscode[name] = stub();
vscode.EventEmitter = class { listeners = []; event = (f) => (this.listeners.push(f), { dispose() {} }); fire(v) { for (const f of this.listeners) f(v); } dispose() {} };
vscode.Disposable = class { constructor(f) { this.f = f; } dispose() { this.f?.(); } static from(...d) { return { dispose: () => d.forEach((x) => x.dispose?.()) }; } };
vscode.workspace.workspaceFolders = [];
vscode.workspace.getConfiguration = () => ({ get: (_, fallback) => fallback, inspect: () => undefined, has: () => false });
const load = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? vscode : load.call(this, request, ...rest); };
const beforeLoad = process.cpuUsage();
const extension = require(bundle);
const loaded = process.cpuUsage(beforeLoad);
let fetches = 0;
globalThis.fetch = () => (fetches++, Promise.reject(new Error('no network here')));
const context = { subscriptions: [], secrets: stub(), extensionUri: stub(), globalState: stub(), workspaceState: stub(), extension: stub(), globalStorageUri: stub(), storageUri: undefined, logUri: stub() };
const before = process.cpuUsage();
extension.activate(context);
const used = process.cpuUsage(before);
const fetchesDuring = fetches;
setTimeout(() => {
  process.stdout.write(JSON.stringify({ loadCpuMs: (loaded.user + loaded.system) / 1000, cpuMs: (used.user + used.system) / 1000, fetchesDuring, fetchesAfter: fetches - fetchesDuring }));
  process.exit(0);
}, 200);
`;

export async function activateInPlainNode(bundle: string): Promise<PlainActivation> {
  // Every top-level name of the API, from its declarations: a minified bundle's own names say nothing.
  const api = await readFile(require.resolve('@types/vscode/index.d.ts'), 'utf8');
  const names = [...api.matchAll(/^\t(?:export )?(?:namespace|class|enum) (\w+)/gm)].map((m) => m[1]!);
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', SCRIPT, bundle, JSON.stringify(names)], { timeout: 30_000 });
  return JSON.parse(stdout) as PlainActivation;
}
