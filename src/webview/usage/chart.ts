/**
 * Spend per day as a uPlot chart: Claude's cost and the local tier's savings as paired bars on a dollar
 * axis, local requests as a line on a second axis. Colours are VS Code's chart colours, read from the theme's
 * CSS variables each time the chart is drawn, so a theme switch redraws it in the new theme.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { chartColumns, formatCount, formatUsd, secondsLabel } from './model';
import type { DayFigures } from './protocol';

const HEIGHT = 220;

function themeColour(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || getComputedStyle(document.documentElement).getPropertyValue(fallback).trim();
}

function options(width: number): uPlot.Options {
  const foreground = themeColour('--vscode-charts-foreground', '--vscode-foreground');
  // charts.lines is a strong line in most themes; the grid behind the bars should recede, as the editor's rulers do.
  const grid = themeColour('--vscode-editorRuler-foreground', '--vscode-charts-lines');
  const lines = themeColour('--vscode-charts-lines', '--vscode-foreground');
  const claude = themeColour('--vscode-charts-blue', '--vscode-foreground');
  const saved = themeColour('--vscode-charts-green', '--vscode-foreground');
  const local = themeColour('--vscode-charts-orange', '--vscode-foreground');
  const family = themeColour('--vscode-font-family', '--vscode-editor-font-family') || 'sans-serif';
  const font = `11px ${family}`;
  const axis = { stroke: foreground, font, grid: { stroke: grid, width: 1 }, ticks: { stroke: lines, width: 1, size: 4 } };
  const none = '–';
  const day = 86_400;
  return {
    width,
    height: HEIGHT,
    // uPlot's own time labels follow the browser's locale; the days read the same as in the table below.
    scales: {
      x: { time: true, range: (_u, min, max) => [min - day / 2, max + day / 2] },
      usd: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] },
      requests: { range: (_u, _min, max) => [0, max > 0 ? Math.ceil(max * 1.15) : 10] },
    },
    axes: [
      { ...axis, grid: { show: false }, values: (_u, splits) => splits.map(secondsLabel), space: 60 },
      { ...axis, scale: 'usd', size: 64, values: (_u, splits) => splits.map((s) => formatUsd(s)) },
      { ...axis, scale: 'requests', side: 1, size: 48, grid: { show: false }, values: (_u, splits) => splits.map((s) => (Number.isInteger(s) ? formatCount(s) : '')) },
    ],
    series: [
      { label: 'Day', value: (_u, v) => (v == null ? none : secondsLabel(v)) },
      {
        label: 'Claude spend',
        scale: 'usd',
        stroke: claude,
        fill: claude,
        width: 0,
        paths: uPlot.paths.bars!({ size: [0.4, 24, 2], align: -1 }),
        points: { show: false },
        value: (_u, v) => (v == null ? none : formatUsd(v)),
      },
      {
        label: 'Saved',
        scale: 'usd',
        stroke: saved,
        fill: saved,
        width: 0,
        paths: uPlot.paths.bars!({ size: [0.4, 24, 2], align: 1 }),
        points: { show: false },
        value: (_u, v) => (v == null ? none : formatUsd(v)),
      },
      {
        label: 'Local requests',
        scale: 'requests',
        stroke: local,
        width: 2,
        points: { show: true, size: 5, stroke: local, fill: local },
        value: (_u, v) => (v == null ? none : formatCount(v)),
      },
    ],
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false }, points: { show: false } },
  };
}

/** Draws the chart into `container` and keeps it as wide as the container; call `destroy` before dropping it. */
export function drawSpendChart(container: HTMLElement, days: readonly DayFigures[]): { destroy(): void } {
  const width = () => Math.max(240, Math.floor(container.clientWidth));
  const plot = new uPlot(options(width()), chartColumns(days), container);
  const resize = new ResizeObserver(() => {
    if (Math.abs(plot.width - width()) >= 1) plot.setSize({ width: width(), height: HEIGHT });
  });
  resize.observe(container);
  return {
    destroy() {
      resize.disconnect();
      plot.destroy();
    },
  };
}
