// The two charts (decode tok/s against concurrency; memory against context with the capacity line), drawn with
// uPlot in the theme's colours, each followed by its data as a table — the text alternative for screen readers.
import uPlot from 'uplot';
import type { ChartView, TargetView } from '../../src/core/report/viewModel';
import { sig, tokensText } from '../../src/core/report/format';
import { h, table } from '../dom';

export interface ChartColors {
  fg: string;
  grid: string;
  series: string[];
  capacity: string;
  marker: string;
  font: string;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

/** Read at every render, so a theme change redraws in the new colours. */
export function themeColors(): ChartColors {
  const hc = document.body.classList.contains('vscode-high-contrast');
  const dark = document.body.classList.contains('vscode-dark') || (hc && !document.body.classList.contains('vscode-high-contrast-light'));
  return {
    fg: cssVar('--vscode-foreground', dark ? '#cccccc' : '#333333'),
    // High-contrast themes draw every edge in the contrast border colour; the grid is an edge.
    grid: (hc ? cssVar('--vscode-contrastBorder', '') : '') || cssVar('--vscode-editorWidget-border', dark ? '#454545' : '#c8c8c8'),
    series: [cssVar('--vscode-charts-blue', dark ? '#3794ff' : '#1a85ff'), cssVar('--vscode-charts-purple', dark ? '#b180d7' : '#652d90'), cssVar('--vscode-charts-green', '#388a34')],
    capacity: cssVar('--vscode-charts-red', dark ? '#f14c4c' : '#e51400'),
    marker: cssVar('--vscode-charts-orange', dark ? '#d18616' : '#b85e00'),
    font: `${cssVar('--vscode-font-size', '13px')} ${cssVar('--vscode-font-family', 'sans-serif')}`,
  };
}

function fmtY(v: number, unit: string): string {
  return unit === 'GiB' ? `${sig(v, 3)} GiB` : `${sig(v, 3)} ${unit}`;
}

function fmtX(chart: ChartView, v: number): string {
  return chart.id === 'kv-vs-context' ? tokensText(v) : String(v);
}

/** Context ticks: binary steps (K = 1024 tokens, M = 1024K), so a long context axis reads 4M 8M 12M, not 4,194,304. */
function contextTick(v: number): string {
  if (v >= 1 << 20 && v % (1 << 18) === 0) return `${v / (1 << 20)}M`;
  return tokensText(v);
}

/** Powers of two and their 1.5× / 2.5× steps: every tick of the context axis lands on a whole number of K. */
const CONTEXT_INCRS = Array.from({ length: 31 }, (_, i) => 2 ** i).flatMap((p) => [p, p * 1.5, p * 2.5]);

function markersPlugin(chart: ChartView, colors: ChartColors): uPlot.Plugin {
  return {
    hooks: {
      draw: [(u: uPlot) => {
        const ctx = u.ctx;
        const dpr = window.devicePixelRatio || 1;
        ctx.save();
        ctx.strokeStyle = colors.marker;
        // Labels in the text colour: an orange label on white is too faint to read.
        ctx.fillStyle = colors.fg;
        ctx.lineWidth = 1.5 * dpr;
        ctx.setLineDash([4 * dpr, 4 * dpr]);
        ctx.font = colors.font.replace(/^(\d+(?:\.\d+)?)px/, (_, n) => `${Number(n) * dpr}px`);
        for (const m of chart.markers) {
          const min = u.scales.x.min ?? 0;
          const max = u.scales.x.max ?? 0;
          if (m.x < min || m.x > max) continue;
          const x = u.valToPos(m.x, 'x', true);
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
          const w = ctx.measureText(m.label).width;
          const right = x + 4 * dpr + w < u.bbox.left + u.bbox.width;
          ctx.textAlign = right ? 'left' : 'right';
          // A third of the way down: clear of a capacity line near the top and of the curves' start at the bottom.
          ctx.fillText(m.label, right ? x + 4 * dpr : x - 4 * dpr, u.bbox.top + u.bbox.height * 0.3);
        }
        ctx.restore();
      }],
    },
  };
}

export function renderChart(host: HTMLElement, chart: ChartView, colors: ChartColors, width: number): uPlot {
  const palette = (i: number, kind: string) => (kind === 'capacity' ? colors.capacity : colors.series[i % colors.series.length]);
  const axis = (label: string, fmt: (v: number) => string): uPlot.Axis => ({
    label, stroke: colors.fg, font: colors.font, labelFont: colors.font,
    grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1 },
    values: (_u, splits) => splits.map((v) => (v === null || v === undefined ? '' : fmt(v))),
  });
  const opts: uPlot.Options = {
    width,
    height: 280,
    scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] } },
    axes: [
      chart.id === 'kv-vs-context' ? { ...axis(chart.xLabel, contextTick), incrs: CONTEXT_INCRS, space: 70 } : axis(chart.xLabel, (v) => fmtX(chart, v)),
      { ...axis(chart.yLabel, (v) => v.toLocaleString('en-US', { maximumFractionDigits: 2 })), size: 70, labelSize: 24 },
    ],
    series: [
      { label: chart.xLabel, value: (_u, v) => (v === null ? '—' : fmtX(chart, v)) },
      ...chart.series.map((s, i) => ({
        label: s.label,
        stroke: palette(i, s.kind),
        width: s.kind === 'line' ? 2.5 : 2,
        dash: s.kind === 'capacity' ? [8, 5] : s.kind === 'theoretical' ? [3, 3] : undefined,
        points: { show: false },
        value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '—' : fmtY(v, chart.yUnit)),
      })),
    ],
    // Values on hover would show "—" at rest; the data table below lists every point instead.
    legend: { show: true, live: false },
    cursor: { y: false },
    plugins: [markersPlugin(chart, colors)],
  };
  const data = [chart.x, ...chart.series.map((s) => s.values)] as uPlot.AlignedData;
  return new uPlot(opts, data, host);
}

export function chartDataTable(chart: ChartView): HTMLElement {
  const rows = chart.x.map((x, i) => h('tr', null,
    h('th', { scope: 'row' }, fmtX(chart, x)),
    chart.series.map((s) => { const v = s.values[i]; return h('td', { class: 'num' }, v === null ? '—' : fmtY(v, chart.yUnit)); })));
  return h('details', { class: 'chart-data' },
    h('summary', null, `Data table: ${chart.title}`),
    table(chart.title, [chart.xLabel, ...chart.series.map((s) => s.label)], rows));
}

/** Charts of one target; returns the uPlot instances so the caller can destroy them before re-rendering. */
export function chartsView(t: TargetView, colors: ChartColors, width: number): { el: HTMLElement; plots: uPlot[] } {
  const plots: uPlot[] = [];
  const el = h('section', { class: 'charts' });
  for (const c of t.charts) {
    const canvasHost = h('div', { class: 'chart', role: 'img', 'aria-label': `${c.title} on ${t.name}. ${c.note}. The data table below lists every point.` });
    const fig = h('figure', { class: 'chart-figure' },
      h('figcaption', null, h('strong', null, c.title), ' — ', t.name, h('div', { class: 'chart-note' }, c.note)),
      canvasHost, chartDataTable(c));
    el.append(fig);
    plots.push(renderChart(canvasHost, c, colors, width));
  }
  return { el, plots };
}
