/**
 * "Tiercel: Show Usage & Savings" in a real VS Code: the machine-wide ledger is seeded with both tiers, the
 * panel is opened from the palette, and every total it shows is checked against `tiercel usage --json` run on
 * the same file. Then: the page's CSP (present, and an inline script is refused), a ledger write from
 * another process showing up live, releasing the abandoned reservation from the keyboard after the
 * confirmation, the CSV export against `usage --csv`, and screenshots in a light, a dark and a narrow layout.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { BudgetLedger } from '../../src/core/claude/ledger';
import { formatCount, formatUsd } from '../../src/webview/usage/model';
import { ABANDONED_ID, PENDING_ID, seededLedgerText } from '../extension/usage/seedLedger';
import { startOllamaServer, type OllamaServer } from '../loopback/ollama-server';
import { EXTENSION_ID, missingPrerequisite, sleep, VsCode } from './vscode';

const skip = missingPrerequisite();
const ROOT = path.resolve(__dirname, '../..');
const LEDGER = 'tiercel/ledger.jsonl';
const DAILY_CAP = 0.4;
const MONTHLY_CAP = 20;

interface CliUsage {
  summary: {
    today: { usd: number; pending: { count: number }; abandoned: { count: number } };
    thisMonth: { usd: number; pending: { count: number }; abandoned: { count: number } };
    skippedLines: number;
  };
  report: {
    days: Array<{ day: string }>;
    byTier: Record<'claude' | 'local' | 'openai', { requests: number; inputTokens: number; outputTokens: number; usd: number; savedUsd: number }>;
    byFeature: Array<{ feature: string; tier: string; requests: number; inputTokens: number; outputTokens: number; usd: number; savedUsd: number }>;
    savedUsd: number;
  };
}

function cli(ledgerPath: string, ...flags: string[]): string {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'usage', '--ledger', ledgerPath, '--budget-day', String(DAILY_CAP), '--budget-month', String(MONTHLY_CAP), ...flags], {
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

/**
 * Evaluated inside the page (a string: the tests compile without the DOM library). Injects an inline script and a
 * remote image, as an XSS would, and reports whether the script ran, what the CSP refused, and the scripts left.
 */
const CSP_PROBE = `(async () => {
  const violations = [];
  document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
  const script = document.createElement('script');
  script.textContent = 'window.__tiercelInlineRan = true;';
  document.body.append(script);
  const img = document.createElement('img');
  img.src = 'https://example.com/pixel.png';
  document.body.append(img);
  await new Promise((resolve) => setTimeout(resolve, 300));
  script.remove();
  img.remove();
  const meta = document.querySelector('meta[http-equiv="Content-Security-Policy"]');
  const scripts = [...document.scripts].map((s) => ({
    id: s.id,
    src: s.src,
    nonce: s.nonce || '',
    inline: (s.textContent || '').trim().length > 0,
    // VS Code puts its own acquireVsCodeApi script in front of the page's CSP meta; the page's come after it.
    beforeCsp: !!meta && !!(s.compareDocumentPosition(meta) & Node.DOCUMENT_POSITION_FOLLOWING),
  }));
  return { ran: window.__tiercelInlineRan === true, violations, scripts };
})()`;

const cliUsage = (ledgerPath: string) => JSON.parse(cli(ledgerPath, '--json')) as CliUsage;

describe('Usage & Savings panel in code-server', { skip, timeout: 420_000 }, () => {
  let ollama: OllamaServer;
  let vscode: VsCode;
  let ledgerPath: string;
  let view: FrameLocator;

  before(async () => {
    ollama = await startOllamaServer();
    vscode = await VsCode.launch({
      settings: {
        'tiercel.budget.dailyUsd': DAILY_CAP,
        'tiercel.budget.monthlyUsd': MONTHLY_CAP,
        'tiercel.completions.enabled': false,
        'tiercel.ollama.url': ollama.url,
        'workbench.colorTheme': 'Default Light Modern',
      },
      configFiles: { [LEDGER]: seededLedgerText(new Date()) },
    });
    ledgerPath = path.join(vscode.configDir, LEDGER);
    view = vscode.page.frameLocator(`iframe.webview.ready[src*="extensionId=${EXTENSION_ID}"]`).frameLocator('#active-frame');
  });

  after(async () => {
    await vscode?.close();
    await ollama?.close();
  });

  /** Every figure the page shows, compared with the CLI's for the ledger as it is now. */
  async function assertTotalsMatchCli(): Promise<CliUsage> {
    const expected = cliUsage(ledgerPath);
    const { byTier } = expected.report;
    const figures: Array<[string, number, string]> = [
      ['claudeUsd', byTier.claude.usd, formatUsd(byTier.claude.usd)],
      ['savedUsd', expected.report.savedUsd, formatUsd(expected.report.savedUsd)],
      ['claudeRequests', byTier.claude.requests, formatCount(byTier.claude.requests)],
      ['localRequests', byTier.local.requests + byTier.openai.requests, formatCount(byTier.local.requests + byTier.openai.requests)],
    ];
    for (const [key, value, text] of figures) {
      const tile = view.locator(`[data-figure="${key}"]`);
      assert.equal(Number(await tile.getAttribute('data-value')), value, key);
      assert.equal(await tile.locator('.figure-value').textContent(), text, key);
    }
    assert.equal(await view.locator('[data-figure="savedUsd"] .figure-label').textContent(), 'Saved');

    for (const [key, usd] of [['today', expected.summary.today.usd], ['month', expected.summary.thisMonth.usd]] as const) {
      const cap = view.locator(`[data-cap="${key}"]`);
      assert.equal(Number(await cap.getAttribute('data-value')), usd, `cap ${key}`);
      assert.match((await cap.locator('.cap-text').textContent())!, new RegExp(`^${formatUsd(usd).replace(/[$.]/g, '\\$&')} of `));
    }

    const columns = ['requests', 'inputTokens', 'outputTokens', 'usd', 'savedUsd'] as const;
    for (const tier of ['claude', 'local', 'openai'] as const) {
      for (const column of columns) {
        const cell = view.locator(`[aria-label="Requests and tokens by tier"] tr[data-row="${tier}"] [data-col="${column}"]`);
        assert.equal(Number(await cell.getAttribute('data-value')), byTier[tier][column], `${tier} ${column}`);
      }
    }
    const featureRows = view.locator('[aria-label="Requests and tokens by feature"] tbody tr');
    assert.equal(await featureRows.count(), expected.report.byFeature.length);
    for (const row of expected.report.byFeature) {
      for (const column of columns) {
        const cell = view.locator(`[aria-label="Requests and tokens by feature"] tr[data-row="${row.feature}:${row.tier}"] [data-col="${column}"]`);
        assert.equal(Number(await cell.getAttribute('data-value')), row[column], `${row.feature}/${row.tier} ${column}`);
      }
    }
    assert.equal(await view.locator('[data-reservation][data-state="abandoned"]').count(), expected.summary.thisMonth.abandoned.count);
    assert.equal(await view.locator('[data-reservation][data-state="pending"]').count(), expected.summary.thisMonth.pending.count);
    return expected;
  }

  test('opens from the palette and shows what tiercel usage --json reports for the same ledger', async () => {
    const { page } = vscode;
    await vscode.step('usage-activation', () => vscode.waitForActivation());
    await vscode.runCommand('Tiercel: Show Usage & Savings');
    await vscode.step('usage-panel', () => view.locator('[data-figure="savedUsd"]').waitFor({ timeout: 30_000 }));
    await vscode.step('usage-chart', () => view.locator('.chart canvas').first().waitFor({ timeout: 10_000 }));
    await page.locator('.tab.active', { hasText: 'Usage & Savings' }).waitFor({ timeout: 5_000 });

    const expected = await vscode.step('usage-totals', () => assertTotalsMatchCli());
    // The seeded ledger has both tiers, both open kinds, and a torn line: none of the checks above is vacuous.
    assert.ok(expected.report.byTier.claude.requests > 0 && expected.report.byTier.local.requests > 0 && expected.report.byTier.openai.requests > 0);
    assert.equal(expected.summary.thisMonth.abandoned.count, 1);
    assert.equal(expected.summary.thisMonth.pending.count, 1);
    assert.equal(expected.summary.skippedLines, 1);
    assert.match((await view.locator('footer').textContent())!, /1 unreadable ledger line/);
    await vscode.screenshot('usage-light');
    await view.locator('#reservations-h').scrollIntoViewIfNeeded();
    await vscode.screenshot('usage-light-reservations');
    await view.locator('h1').scrollIntoViewIfNeeded();
  });

  test('the page runs under its CSP: a nonce on its one script, and an inline script is refused', async () => {
    const csp = await view.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.ok(csp, 'the CSP meta is present');
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.match(directives.get('script-src')!.join(' '), /^'nonce-[A-Za-z0-9+/=]{16,}'$/, 'scripts: only the one carrying this load\'s nonce');
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|unsafe-hashes/);
    for (const [name, values] of directives) assert.ok(!values.includes('*') && !values.includes('https:'), `${name} allows any origin`);
    const probe = (await view.locator('body').evaluate(CSP_PROBE)) as {
      ran: boolean;
      violations: string[];
      scripts: Array<{ id: string; src: string; nonce: string; inline: boolean; beforeCsp: boolean }>;
    };
    assert.equal(probe.ran, false, 'an inline script injected into the page did not run');
    assert.ok(probe.violations.some((v) => v.startsWith('script-src')), `the CSP reported it: ${probe.violations.join(', ')}`);
    assert.ok(probe.violations.some((v) => v.startsWith('img-src')), 'a remote image was refused too');
    const ours = probe.scripts.filter((s) => !s.beforeCsp);
    assert.equal(ours.length, 1, JSON.stringify(probe.scripts));
    assert.match(ours[0]!.src, /\/dist\/webview\/usage\.js$/);
    assert.ok(ours[0]!.nonce.length >= 16 && !ours[0]!.inline, 'the page has one script: its bundle, with the nonce, nothing inline');
    assert.deepEqual(
      probe.scripts.filter((s) => s.beforeCsp).map((s) => s.id),
      ['_vscodeApiScript'],
      'the only script ahead of the CSP is VS Code’s own acquireVsCodeApi',
    );
  });

  test('a ledger write from another process shows up live', async () => {
    // The CLI or another window: a separate writer, through the same lock, while the panel is open.
    await new BudgetLedger({ path: ledgerPath }).recordLocal({
      tier: 'local',
      feature: 'explain',
      model: 'qwen2.5-coder:7b-instruct',
      requests: 7,
      tokens: { input: 9_000, output: 1_200 },
      savedUsd: 0.021,
      comparedModel: 'claude-sonnet-5-5',
    });
    const row = view.locator('[aria-label="Requests and tokens by feature"] tr[data-row="explain:local"]');
    await vscode.step('usage-live', () => row.waitFor({ timeout: 20_000 }));
    await vscode.step('usage-live-totals', () => assertTotalsMatchCli());
  });

  test('the abandoned reservation is released from the keyboard after a confirmation; the pending one stays', async () => {
    const { page } = vscode;
    const before = cliUsage(ledgerPath).summary.today.usd;
    const release = view.locator(`[data-reservation="${ABANDONED_ID}"] button`, { hasText: 'Release…' });
    assert.equal(await view.locator(`[data-reservation="${PENDING_ID}"] button`).count(), 0, 'a pending reservation offers no release');
    await release.focus();
    await page.keyboard.press('Enter');
    const dialog = page.locator('.monaco-dialog-box');
    await vscode.step('usage-release-confirm', () => dialog.filter({ hasText: 'Release the review reservation of $0.30?' }).waitFor({ timeout: 15_000 }));
    await vscode.screenshot('usage-release-confirm');
    await dialog.getByRole('button', { name: 'Release' }).click();
    await vscode.step('usage-released', () => view.locator(`[data-reservation="${ABANDONED_ID}"]`).waitFor({ state: 'detached', timeout: 20_000 }));
    // Its button is gone; the keyboard user lands on the next release button, here none, so the toolbar.
    assert.equal(await view.locator('body').evaluate("document.activeElement && document.activeElement.getAttribute('data-focus')"), 'refresh');
    const settles = (await new BudgetLedger({ path: ledgerPath }).read()).lines.filter((l) => l.type === 'settle' && l.id === ABANDONED_ID);
    assert.deepEqual(
      settles.map((l) => l.type === 'settle' && [l.outcome, l.costUsd]),
      [['released', 0]],
    );
    const after = await vscode.step('usage-released-totals', () => assertTotalsMatchCli());
    assert.equal(after.summary.thisMonth.abandoned.count, 0);
    assert.equal(Math.round((before - after.summary.today.usd) * 1e6) / 1e6, 0.3, 'today no longer counts its $0.30');
  });

  test('Export CSV… writes what tiercel usage --csv prints', async () => {
    const { page } = vscode;
    await view.locator('button', { hasText: 'Export CSV…' }).click();
    // VS Code's own save dialog in the browser: a quick input holding the proposed path.
    const input = page.locator('.quick-input-widget input');
    await vscode.step('usage-save-dialog', async () => {
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      for (let i = 0; i < 50 && !/tiercel-usage-\d{4}-\d{2}-\d{2}\.csv$/.test(await input.inputValue()); i++) await sleep(100);
    });
    const proposed = await input.inputValue();
    assert.match(proposed, /tiercel-usage-\d{4}-\d{2}-\d{2}\.csv$/);
    await page.keyboard.press('Enter');
    const file = path.join(vscode.workspace, path.basename(proposed));
    const written = await vscode.step('usage-csv-written', async () => {
      for (let i = 0; i < 100; i++) {
        const text = await readFile(file, 'utf8').catch(() => undefined);
        if (text) return text;
        await sleep(200);
      }
      throw new Error(`${file} was never written`);
    });
    assert.equal(written.trimEnd(), cli(ledgerPath, '--csv').trimEnd());
    assert.match(written, /^time,tier,feature,model,requests,input_tokens,output_tokens,cost_usd,saved_usd,state\r\n/);
    await vscode.step('usage-csv-notice', () => vscode.notification(/usage exported to/).waitFor({ timeout: 10_000 }));
  });

  /**
   * Picks the quick-input row whose label starts with `label` by keyboard, as a person does: arrows until it
   * has focus, then Enter. A mouse click raced the list's re-layout under load (the row moved, then hid).
   */
  async function chooseRow(label: string): Promise<void> {
    const { page } = vscode;
    await page.locator(`.quick-input-list .monaco-list-row[aria-label^="${label}"]`).first().waitFor({ timeout: 15_000 });
    for (let i = 0; i < 20; i++) {
      const focused = await page.locator('.quick-input-list .monaco-list-row.focused').first().getAttribute('aria-label', { timeout: 2_000 }).catch(() => null);
      if (focused?.startsWith(label)) {
        await page.keyboard.press('Enter');
        return;
      }
      await page.keyboard.press('ArrowDown');
      await sleep(100);
    }
    throw new Error(`no row "${label}" took the focus`);
  }

  test('follows a switch to a dark theme, and stays readable in a narrow window', async () => {
    const { page } = vscode;
    await page.keyboard.press('Escape');
    // Not runCommand: its Enter takes the top row, and "Browse Color Themes in Marketplace" can rank first.
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').fill('>Preferences: Color Theme');
    await vscode.step('usage-theme-command', () => chooseRow('Preferences: Color Theme'));
    // The palette's input is reused by the theme picker: wait for the picker itself before typing.
    const input = page.locator('.quick-input-widget input[placeholder^="Select Color Theme"]');
    await vscode.step('usage-theme-picker', () => input.waitFor({ state: 'visible', timeout: 15_000 }));
    // The picker lists the theme "Default Dark Modern" (its settings id) as "Dark Modern".
    await input.fill('Dark Modern');
    await vscode.step('usage-theme-row', () => chooseRow('Dark Modern'));
    await vscode.step('usage-dark', () => view.locator('body.vscode-dark').waitFor({ timeout: 20_000 }));
    // The page redraws the chart on the theme's class change; give it a frame to paint.
    await sleep(500);
    await view.locator('.chart canvas').first().waitFor();
    await vscode.screenshot('usage-dark');
    await page.setViewportSize({ width: 620, height: 900 });
    await sleep(800);
    await vscode.screenshot('usage-dark-narrow');
    const overflow = (await view.locator('body').evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
    assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px in a narrow panel (tables scroll inside their own region)`);
    await view.locator('#reservations-h').scrollIntoViewIfNeeded();
    await vscode.screenshot('usage-dark-narrow-bottom');
  });

  test('an empty ledger shows the empty state, not an empty chart', async () => {
    await writeFile(ledgerPath, '');
    await vscode.step('usage-empty', () => view.locator('.empty', { hasText: 'No usage in the last 30 days' }).waitFor({ timeout: 20_000 }));
    assert.equal(await view.locator('.chart').count(), 0);
    assert.equal(await view.locator('[data-figure="savedUsd"]').getAttribute('data-value'), '0');
    await vscode.screenshot('usage-dark-empty');
  });
});
