// The two charts (decode tok/s against concurrency; memory against context with the capacity line), drawn with
// uPlot in the theme's colours, each followed by its data as a table — the text alternative for screen readers.
import uPlot from 'uplot';
import type { ChartView, TargetView } from '../../src/core/report/viewModel';
import { sig, tokensText } from '../../src/core/report/format';
import { h, table } from '../dom';

export interface ChartColors {
  fg: string;
  /** The page background (measured points are drawn hollow in it). */
  bg: string;
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
    bg: cssVar('--vscode-editor-background', dark ? '#1f1f1f' : '#ffffff'),
    // High-contrast themes draw every edge in the contrast border colour; the grid is an edge.
    grid: (hc ? cssVar('--vscode-contrastBorder', '') : '') || cssVar('--vscode-editorWidget-border', dark ? '#454545' : '#c8c8c8'),
    series: [cssVar('--vscode-charts-blue', dark ? '#3794ff' : '#1a85ff'), cssVar('--vscode-charts-purple', dark ? '#b180d7' : '#652d90'), cssVar('--vscode-charts-green', '#388a34'), cssVar('--vscode-charts-orange', dark ? '#d18616' : '#b85e00'), cssVar('--vscode-charts-yellow', dark ? '#cca700' : '#bf8803')],
    capacity: cssVar('--vscode-charts-red', dark ? '#f14c4c' : '#e51400'),
    marker: cssVar('--vscode-charts-orange', dark ? '#d18616' : '#b85e00'),
    font: `${cssVar('--vscode-font-size', '13px')} ${cssVar('--vscode-font-family', 'sans-serif')}`,
  };
}

/** Axis ticks short enough for the axis: 25,000,000 → 25M, 12,500 → 12.5k (the data table has the full figures). */
function compactTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${sig(v / 1e9, 3)}G`;
  if (a >= 1e6) return `${sig(v / 1e6, 3)}M`;
  if (a >= 1e4) return `${sig(v / 1e3, 3)}k`;
  return v.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

function fmtY(v: number, unit: string): string {
  return unit === 'GiB' ? `${sig(v, 3)} GiB` : `${sig(v, 3)} ${unit}`;
}

function fmtX(chart: ChartView, v: number): string {
  if (chart.id === 'kv-vs-context' || chart.xUnit === 'tokens') return tokensText(v);
  if (chart.xUnit) return `${sig(v, 3)} ${chart.xUnit}`;
  return String(v);
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
      chart.id === 'kv-vs-context' || chart.xUnit === 'tokens' ? { ...axis(chart.xLabel, contextTick), incrs: CONTEXT_INCRS, space: 70 } : axis(chart.xLabel, (v) => (chart.xUnit ? sig(v, 3) : fmtX(chart, v))),
      { ...axis(chart.yLabel, compactTick), size: 64, labelSize: 24 },
    ],
    series: [
      { label: chart.xLabel, value: (_u, v) => (v === null ? '—' : fmtX(chart, v)) },
      ...chart.series.map((s, i) => {
        // A measured series takes the colour of the estimate line before it (same cache type / target) and is
        // drawn as points only, over that line.
        const measured = s.kind === 'measured';
        const colourIndex = measured ? Math.max(0, i - 1) : i;
        const few = chart.x.length <= 3;
        return {
          label: s.label,
          stroke: palette(measuredAware(chart, colourIndex), s.kind),
          width: measured ? 0 : s.kind === 'line' ? 2.5 : 2,
          dash: s.kind === 'capacity' ? [8, 5] : s.kind === 'theoretical' ? [3, 3] : undefined,
          points: measured ? { show: true, size: 11, width: 2, fill: colors.bg } : { show: few, size: 7 },
          paths: measured ? () => null : undefined,
          spanGaps: !measured,
          value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '—' : fmtY(v, chart.yUnit)),
        } as uPlot.Series;
      }),
    ],
    // Values on hover would show "—" at rest; the data table below lists every point instead.
    legend: { show: true, live: false },
    cursor: { y: false },
    plugins: [markersPlugin(chart, colors)],
  };
  const data = [chart.x, ...chart.series.map((s) => s.values)] as uPlot.AlignedData;
  return new uPlot(opts, data, host);
}

/** Series colour index: estimate/measured pairs share one colour. */
function measuredAware(chart: ChartView, i: number): number {
  if (!chart.series.some((s) => s.kind === 'measured')) return i;
  return Math.floor(i / 2);
}

export function chartDataTable(chart: ChartView): HTMLElement {
  if (chart.table) {
    const rows = chart.table.rows.map((r) => h('tr', null, h('th', { scope: 'row' }, r[0]), r.slice(1).map((c) => h('td', { class: 'num' }, c))));
    return h('details', { class: 'chart-data' }, h('summary', null, `Data table: ${chart.title}`), h('div', { class: 'table-scroll' }, table(chart.title, chart.table.head, rows)));
  }
  const rows = chart.x.map((x, i) => h('tr', null,
    h('th', { scope: 'row' }, fmtX(chart, x)),
    chart.series.map((s) => { const v = s.values[i]; return h('td', { class: 'num' }, v === null ? '—' : fmtY(v, chart.yUnit)); })));
  return h('details', { class: 'chart-data' },
    h('summary', null, `Data table: ${chart.title}`),
    h('div', { class: 'table-scroll' }, table(chart.title, [chart.xLabel, ...chart.series.map((s) => s.label)], rows)));
}

/** One chart with its caption, note and data table; pushes its uPlot onto `plots`. */
export function chartFigure(c: ChartView, subject: string | undefined, colors: ChartColors, width: number, plots: uPlot[]): HTMLElement {
  const canvasHost = h('div', { class: 'chart', role: 'img', 'aria-label': `${c.title}${subject ? ` on ${subject}` : ''}. ${c.note}. The data table below lists every point.` });
  const fig = h('figure', { class: 'chart-figure', 'data-chart': c.id },
    h('figcaption', null, h('strong', null, c.title), subject ? ` — ${subject}` : '', h('div', { class: 'chart-note' }, c.note)),
    canvasHost, chartDataTable(c));
  plots.push(renderChart(canvasHost, c, colors, width));
  return fig;
}

/**
 * The Charts tab: the deployment's charts with every target on one chart, then the selected target's own.
 * Returns the uPlot instances so the caller can destroy them before re-rendering.
 */
export function chartsView(t: TargetView, colors: ChartColors, width: number, deploymentCharts: readonly ChartView[] = []): { el: HTMLElement; plots: uPlot[] } {
  const plots: uPlot[] = [];
  const el = h('section', { class: 'charts' });
  if (deploymentCharts.length) {
    el.append(h('h2', { class: 'charts-head' }, 'Every target'));
    for (const c of deploymentCharts) el.append(chartFigure(c, undefined, colors, width, plots));
    el.append(h('h2', { class: 'charts-head' }, t.name));
  }
  for (const c of t.charts) el.append(chartFigure(c, t.name, colors, width, plots));
  return { el, plots };
}
