/**
 * The Usage & Savings page: renders the host's state (validated on arrival) with text-only DOM, and asks the
 * host for everything else (refresh, CSV export, releasing a reservation). Re-rendered whole on each state,
 * keeping keyboard focus and the daily table's open/closed state across renders.
 */
import { connectToHost, el } from '../shared/host';
import { drawSpendChart } from './chart';
import { age, capViews, chartSummary, dayLabel, featureRows, formatCount, formatUsd, headlineFigures, isEmpty, tierRows, type Figure } from './model';
import { toPageSchema, usageStateSchema, type ToHost, type ToPage, type UsageState } from './protocol';
import './usage.css';

interface PageState {
  /** The last state shown, drawn at once when the panel is shown again, before the host answers. */
  last?: UsageState;
  dailyOpen?: boolean;
}

const host = connectToHost<ToHost, ToPage, PageState>(toPageSchema);
const root = document.getElementById('root')!;
let chart: { destroy(): void } | undefined;
let shown: UsageState | undefined;
let dailyOpen = host.getState()?.dailyOpen ?? false;
/** The button last pressed: a host dialog (the release's confirmation) can take focus away from the page meanwhile. */
let pressed: string | undefined;

function button(label: string, focusKey: string, message: ToHost, options: { secondary?: boolean; title?: string } = {}): HTMLButtonElement {
  const b = el('button', { class: options.secondary ? 'secondary' : undefined, text: label, title: options.title, attrs: { type: 'button', 'data-focus': focusKey } });
  b.addEventListener('click', () => {
    pressed = focusKey;
    host.post(message);
  });
  return b;
}

function toolbar(): HTMLElement {
  return el(
    'div',
    { class: 'actions', attrs: { role: 'toolbar', 'aria-label': 'Usage actions' } },
    button('Refresh', 'refresh', { type: 'refresh' }),
    button('Export CSV…', 'export', { type: 'exportCsv' }, { title: 'Save the last 30 days of ledger entries as CSV' }),
    button('Budget Settings…', 'settings', { type: 'openSettings' }, { secondary: true }),
    button('Open Ledger', 'ledger', { type: 'openLedger' }, { secondary: true }),
  );
}

function section(id: string, title: string, ...children: Array<Node | undefined | false>): HTMLElement {
  return el('section', { attrs: { 'aria-labelledby': id } }, el('h2', { text: title, attrs: { id } }), ...children);
}

function figureTile(f: Figure): HTMLElement {
  return el(
    'div',
    { class: `figure figure-${f.key}`, title: f.hint, attrs: { 'data-figure': f.key, 'data-value': String(f.value) } },
    el('div', { class: 'figure-label', text: f.label }),
    el('div', { class: 'figure-value', text: f.text }),
  );
}

function caps(state: UsageState): HTMLElement {
  const rows = capViews(state).map((c) => {
    const fill = el('div', { class: 'cap-fill' });
    // CSSOM, not a style attribute: the page's CSP allows no inline style.
    fill.style.width = `${c.percent}%`;
    return el(
      'div',
      { class: `cap cap-${c.level}`, attrs: { 'data-cap': c.key, 'data-value': String(c.spentUsd), 'data-cap-usd': String(c.capUsd) } },
      el('div', { class: 'cap-label', text: c.label }),
      el('div', { class: 'cap-text', text: c.text + (c.level === 'exceeded' ? ' · cap reached' : c.level === 'warning' ? ' · over 80%' : '') }),
      el(
        'div',
        {
          class: 'cap-track',
          attrs: { role: 'progressbar', 'aria-label': `${c.label}: ${c.text}`, 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(c.percent) },
        },
        fill,
      ),
    );
  });
  const note = state.localOnly ? el('p', { class: 'note', text: 'Local-only mode is on: the Claude tier is off and nothing is spent.' }) : undefined;
  return section('caps-h', 'Claude budget', note, el('div', { class: 'caps' }, ...rows));
}

type Column<R> = { title: string; value: (row: R) => string; numeric?: boolean; key?: string; raw?: (row: R) => number };

function table<R>(label: string, columns: Column<R>[], rows: readonly R[], rowKey: (row: R) => string): HTMLElement {
  const head = el('tr', {}, ...columns.map((c) => el('th', { text: c.title, class: c.numeric ? 'num' : undefined, attrs: { scope: 'col' } })));
  const body = rows.map((row) =>
    el(
      'tr',
      { attrs: { 'data-row': rowKey(row) } },
      ...columns.map((c, i) => {
        // The column's title goes on each cell too: a narrow panel lays each row out as label/value pairs.
        const attrs: Record<string, string> = { 'data-label': c.title };
        if (c.key) attrs['data-col'] = c.key;
        if (c.raw) attrs['data-value'] = String(c.raw(row));
        return i === 0 ? el('th', { text: c.value(row), attrs: { ...attrs, scope: 'row' } }) : el('td', { text: c.value(row), class: c.numeric ? 'num' : undefined, attrs });
      }),
    ),
  );
  // A focusable region, so a keyboard user can scroll a table that is still wider than the panel.
  return el('div', { class: 'scroll', attrs: { role: 'region', 'aria-label': label, tabindex: '0' } }, el('table', {}, el('thead', {}, head), el('tbody', {}, ...body)));
}

const totalColumns = <R extends { requests: number; inputTokens: number; outputTokens: number; usd: number; savedUsd: number }>(): Column<R>[] => [
  { title: 'Requests', key: 'requests', value: (r) => formatCount(r.requests), raw: (r) => r.requests, numeric: true },
  { title: 'Tokens in', key: 'inputTokens', value: (r) => formatCount(r.inputTokens), raw: (r) => r.inputTokens, numeric: true },
  { title: 'Tokens out', key: 'outputTokens', value: (r) => formatCount(r.outputTokens), raw: (r) => r.outputTokens, numeric: true },
  { title: 'Cost', key: 'usd', value: (r) => formatUsd(r.usd), raw: (r) => r.usd, numeric: true },
  { title: 'Saved', key: 'savedUsd', value: (r) => formatUsd(r.savedUsd), raw: (r) => r.savedUsd, numeric: true },
];

function perDay(state: UsageState): HTMLElement {
  const container = el('div', { class: 'chart', attrs: { role: 'img', 'aria-label': chartSummary(state) } });
  const details = el(
    'details',
    {},
    el('summary', { text: 'Daily figures', attrs: { 'data-focus': 'daily' } }),
    table(
      'Daily figures',
      [
        { title: 'Day', value: (d) => dayLabel(d.day) },
        { title: 'Claude', value: (d) => formatUsd(d.claudeUsd), numeric: true },
        { title: 'Claude requests', value: (d) => formatCount(d.claudeRequests), numeric: true },
        { title: 'Local requests', value: (d) => formatCount(d.localRequests), numeric: true },
        { title: 'Saved', value: (d) => formatUsd(d.savedUsd), numeric: true },
      ],
      [...state.days].reverse(),
      (d) => d.day,
    ),
  );
  details.open = dailyOpen;
  details.addEventListener('toggle', () => {
    dailyOpen = details.open;
    host.setState({ last: shown, dailyOpen });
  });
  return section('chart-h', 'Per day', container, details);
}

function reservations(state: UsageState): HTMLElement | undefined {
  if (!state.reservations.length) return undefined;
  const items = state.reservations.map((r) => {
    const text = `${r.feature} · ${r.model} · ${age(r.time, state.now)} · ${formatUsd(r.maxCostUsd)} held`;
    return el(
      'li',
      { class: `reservation reservation-${r.state}`, attrs: { 'data-reservation': r.id, 'data-state': r.state } },
      el('span', { class: 'badge', text: r.state === 'abandoned' ? 'Abandoned' : 'Pending' }),
      el('span', { class: 'reservation-text', text, title: new Date(r.time).toLocaleString() }),
      r.state === 'abandoned'
        ? button('Release…', `release:${r.id}`, { type: 'release', id: r.id }, { secondary: true, title: 'Stop counting this reservation against the caps (asks first)' })
        : undefined,
    );
  });
  const abandoned = state.reservations.filter((r) => r.state === 'abandoned').length;
  const explain = el('p', {
    class: 'note',
    text:
      'A Claude request holds its worst-case cost until it settles. ' +
      (abandoned
        ? 'Abandoned ones never settled (a window or the CLI stopped mid-request) and keep counting against the caps until released.'
        : 'Pending ones are probably still running.'),
  });
  return section('reservations-h', 'Open Claude reservations', explain, el('ul', { class: 'reservations' }, ...items));
}

function footer(state: UsageState): HTMLElement {
  const lines = [
    `Claude figures are estimates from the API's own token counts at Tiercel's prices as of ${state.pricesAsOf}; the Anthropic Console has the bill.`,
    'Saved is what the local requests would have cost on your Claude model.',
  ];
  if (state.skippedLines) lines.push(`${formatCount(state.skippedLines)} unreadable ledger line(s) skipped.`);
  return el('footer', { class: 'note' }, ...lines.map((t) => el('p', { text: t })));
}

function render(state: UsageState): void {
  const focused = document.activeElement?.getAttribute('data-focus') ?? pressed;
  pressed = undefined;
  chart?.destroy();
  chart = undefined;
  shown = state;
  const first = state.days[0]?.day;
  const last = state.days.at(-1)?.day;
  const period = first && last ? `Last ${state.days.length} days, ${dayLabel(first)} – ${dayLabel(last)}` : 'No days';
  const empty = isEmpty(state);
  const main = el(
    'main',
    { class: 'usage' },
    el('header', { class: 'top' }, el('h1', { text: 'Usage & Savings' }), toolbar()),
    el('p', { class: 'meta', text: `${period} (local time). Updated ${new Date(state.now).toLocaleTimeString()}.` }),
    el('div', { class: 'figures', attrs: { role: 'group', 'aria-label': 'Totals' } }, ...headlineFigures(state).map(figureTile)),
    caps(state),
    empty
      ? el(
          'section',
          { class: 'empty', attrs: { 'aria-label': 'No usage yet' } },
          el('h2', { text: 'No usage in the last 30 days' }),
          el('p', { text: 'Inline completions, local reviews and Claude requests appear here as you use them: Claude spend per day, what the local model saved, and both tiers by feature.' }),
        )
      : perDay(state),
    !empty && section('tiers-h', 'By tier', table('Requests and tokens by tier', [{ title: 'Tier', value: (r) => r.label }, ...totalColumns()], tierRows(state), (r) => r.tier)),
    !empty &&
      state.byFeature.length > 0 &&
      section(
        'features-h',
        'By feature',
        table(
          'Requests and tokens by feature',
          [{ title: 'Feature', value: (r) => r.feature }, { title: 'Tier', value: (r) => r.tierLabel }, ...totalColumns()],
          featureRows(state),
          (r) => `${r.feature}:${r.tier}`,
        ),
      ),
    reservations(state),
    footer(state),
  );
  root.replaceChildren(main);
  const container = main.querySelector<HTMLElement>('.chart');
  if (container) chart = drawSpendChart(container, state.days);
  if (focused) {
    // A released reservation's button is gone: keep the keyboard user in that list, or at the top.
    const candidates = [`[data-focus="${CSS.escape(focused)}"]`, ...(focused.startsWith('release:') ? ['[data-focus^="release:"]', '[data-focus="refresh"]'] : [])];
    candidates.map((selector) => main.querySelector<HTMLElement>(selector)).find(Boolean)?.focus();
  }
  host.setState({ last: state, dailyOpen });
}

function renderFailure(message: string): void {
  chart?.destroy();
  chart = undefined;
  root.replaceChildren(
    el(
      'main',
      { class: 'usage' },
      el('header', { class: 'top' }, el('h1', { text: 'Usage & Savings' }), toolbar()),
      el('div', { class: 'error', attrs: { role: 'alert' } }, el('p', { text: message })),
    ),
  );
}

host.onMessage((message) => {
  if (message.type === 'state') render(message.state);
  else renderFailure(message.message);
});

// A theme switch changes the CSS variables but not the canvas: draw the chart again in the new colours.
new MutationObserver(() => {
  if (shown) render(shown);
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

const saved = usageStateSchema.safeParse(host.getState()?.last);
if (saved.success) render(saved.data);
else root.replaceChildren(el('main', { class: 'usage' }, el('p', { class: 'meta', text: 'Reading the usage ledger…' })));
host.post({ type: 'ready' });
