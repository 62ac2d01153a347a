// The "Load tests" tab: per endpoint run, TTFT, TPOT and output-token throughput against concurrency — the
// measured p50 (and p90) as points, the profile's estimate as a line with its ± band shaded, the knee marked — then
// the step table with the difference in percent, the server's own figures, and "Calibrate from this run".
// Everything from the view-model (src/core/loadtest/viewModel.ts); strings reach the page as text only.
import uPlot from 'uplot';
import type { LoadTestChart, LoadTestRunView, LoadTestView } from '../../src/core/loadtest/viewModel';
import { sig, type Cell } from '../../src/core/report/format';
import { cell, h, table } from '../dom';
import type { ChartColors } from './charts';

// This view's few rules, adopted once as a constructed sheet (the CSP allows no inline <style>).
const CSS = `
.loadtests { display: flex; flex-direction: column; gap: 14px; }
.loadtest-run > summary { cursor: pointer; font-size: 1.05em; padding: 4px 0; }
.loadtest-body { display: flex; flex-direction: column; gap: 10px; padding-left: 4px; }
.loadtest-body .knee { margin: 0; }
.loadtest-body .alpha { margin: 0; }
.loadtest-body vscode-button.calibrate { align-self: flex-start; }
.table-scroll { overflow-x: auto; }
table.loadtest-steps td, table.loadtest-steps th { white-space: nowrap; }
table.loadtest-steps tr.partial { font-style: italic; }
table.loadtest-steps td.warn { color: var(--vscode-editorWarning-foreground); }
/* The band's two edge series only shade the band; the legend names it on the estimate ("Estimate ± 50 %"). */
figure[data-band] .u-legend .u-series:nth-last-child(-n+2) { display: none; }
`;
let styled = false;
function adoptCss(): void {
  if (styled || typeof CSSStyleSheet === 'undefined') return;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  styled = true;
}

export interface LoadTestCallbacks {
  /** Undefined in the static HTML report (nothing to calibrate there). */
  onCalibrate?: (runId: string) => void;
}

function fmt(v: number | null | undefined, unit: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (unit === 's') return v >= 1 ? `${sig(v, 3)} s` : `${sig(v * 1e3, 3)} ms`;
  return `${sig(v, 3)} ${unit}`;
}

/** The band's fill: the estimate's colour at 20 % opacity (VS Code's chart colours are #rrggbb). */
function translucent(color: string): string {
  return /^#[0-9a-f]{6}$/i.test(color) ? `${color}33` : 'rgba(128, 128, 128, 0.2)';
}

function kneePlugin(chart: LoadTestChart, colors: ChartColors): uPlot.Plugin {
  return {
    hooks: {
      draw: [(u: uPlot) => {
        if (chart.knee === undefined) return;
        const ctx = u.ctx;
        const dpr = window.devicePixelRatio || 1;
        const x = u.valToPos(chart.knee, 'x', true);
        ctx.save();
        ctx.strokeStyle = colors.marker;
        ctx.fillStyle = colors.fg;
        ctx.lineWidth = 1.5 * dpr;
        ctx.setLineDash([4 * dpr, 4 * dpr]);
        ctx.beginPath();
        ctx.moveTo(x, u.bbox.top);
        ctx.lineTo(x, u.bbox.top + u.bbox.height);
        ctx.stroke();
        ctx.font = colors.font.replace(/^(\d+(?:\.\d+)?)px/, (_, n) => `${Number(n) * dpr}px`);
        ctx.textAlign = 'left';
        ctx.fillText(`knee: ${chart.knee}`, x + 4 * dpr, u.bbox.top + 14 * dpr);
        ctx.restore();
      }],
    },
  };
}

function renderChart(host: HTMLElement, chart: LoadTestChart, colors: ChartColors, width: number): uPlot {
  const measured = colors.series[0]!;
  const estimate = colors.series[1]!;
  const axis = (label: string, f: (v: number) => string): uPlot.Axis => ({
    label, stroke: colors.fg, font: colors.font, labelFont: colors.font,
    grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1 },
    values: (_u, splits) => splits.map((v) => (v === null || v === undefined ? '' : f(v))),
  });
  const idx = (kind: string) => chart.series.findIndex((s) => s.kind === kind) + 1;
  const lo = idx('band-low');
  const hi = idx('band-high');
  const series: uPlot.Series[] = [
    { label: chart.xLabel },
    ...chart.series.map((s): uPlot.Series => {
      const value = (_u: uPlot, v: number | null) => fmt(v, chart.yUnit);
      switch (s.kind) {
        case 'measured': return { label: s.label, stroke: measured, width: 2, spanGaps: true, points: { show: true, size: 8, fill: measured }, value };
        case 'measured-p90': return { label: s.label, stroke: measured, width: 1, dash: [2, 3], spanGaps: true, points: { show: true, size: 5 }, value };
        case 'estimate': return { label: s.label, stroke: estimate, width: 2, dash: [8, 4], points: { show: false }, value };
        default: return { label: s.label, stroke: 'transparent', width: 0, points: { show: false }, value };
      }
    }),
  ];
  const opts: uPlot.Options = {
    width,
    height: 260,
    scales: { x: { time: false, distr: chart.x.length > 1 && chart.x[0]! > 0 ? 3 : 1, log: 2 }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [axis(chart.xLabel, (v) => String(Math.round(v * 100) / 100)), { ...axis(chart.yLabel, (v) => fmt(v, chart.yUnit)), size: 92, labelSize: 24 }],
    series,
    // The estimate's ± band, shaded between its low and high series.
    bands: lo > 0 && hi > 0 ? [{ series: [hi, lo], fill: translucent(estimate) }] : undefined,
    legend: { show: true, live: false },
    cursor: { y: false },
    plugins: [kneePlugin(chart, colors)],
  };
  return new uPlot(opts, [chart.x, ...chart.series.map((s) => s.values)] as uPlot.AlignedData, host);
}

function dataTable(chart: LoadTestChart): HTMLElement {
  const cols = chart.series;
  const rows = chart.x.map((x, i) => h('tr', null, h('th', { scope: 'row' }, String(x)), cols.map((s) => h('td', { class: 'num' }, fmt(s.values[i], chart.yUnit)))));
  return h('details', { class: 'chart-data' }, h('summary', null, `Data table: ${chart.title}`), table(chart.title, [chart.xLabel, ...cols.map((s) => s.label)], rows));
}

/** "p50 / p90 / p99" in one cell, each figure's source in the tooltip. */
function triple(t: { p50: Cell; p90: Cell; p99: Cell }): HTMLElement {
  const all = [t.p50, t.p90, t.p99];
  const el = h('td', { class: t.p50.value === undefined ? 'missing' : 'num', title: all.map((c, i) => `${['p50', 'p90', 'p99'][i]}: ${c.text}${c.title ? ` (${c.title})` : ''}`).join('\n') }, all.map((c) => c.text).join(' / '));
  return el;
}

/** The estimate with the difference of the measurement from it: "1.07 ms (+189 %)". */
function withDiff(est: Cell, diff: Cell): HTMLElement {
  const text = est.value === undefined ? est.text : `${est.text}${diff.value !== undefined ? ` (${diff.text})` : ''}`;
  return h('td', { class: est.value === undefined ? 'missing' : 'num', title: [est.title, diff.title].filter(Boolean).join(' · ') || undefined }, text);
}

function stepTable(run: LoadTestRunView): HTMLElement {
  // Goodput only when an SLO was given; the estimate columns only when there is an estimate.
  const slo = run.rows.some((r) => r.goodput.value !== undefined);
  const est = run.rows.some((r) => r.est.tpot.value !== undefined || r.est.ttft.value !== undefined);
  const head = ['Step', 'OK/sent', 'TTFT p50 / p90 / p99', 'TPOT p50 / p90 / p99', 'ITL p50', 'E2E p50', 'req/s', 'Output tok/s', ...(slo ? ['Goodput'] : []), ...(est ? ['Est. TTFT (Δ)', 'Est. TPOT (Δ)', 'Est. tok/s (Δ)'] : [])];
  const rows = run.rows.map((r) => h('tr', { class: r.partial ? 'partial' : undefined, title: [r.agreement, r.errors ? `errors: ${r.errors}` : ''].filter(Boolean).join(' · ') || undefined },
    h('th', { scope: 'row' }, r.step + (r.partial ? ' (partial)' : '')),
    h('td', { class: r.errors ? 'num warn' : 'num' }, r.requests),
    triple(r.ttft), triple(r.tpot), cell(r.itl), cell(r.e2e), cell(r.requestsPerSec), cell(r.tokensPerSec), slo ? cell(r.goodput) : null,
    est ? [withDiff(r.est.ttft, r.diff.ttft), withDiff(r.est.tpot, r.diff.tpot), withDiff(r.est.tokensPerSec, r.diff.tokensPerSec)] : null));
  return h('div', { class: 'table-scroll' }, table(`Load test steps: ${run.title}`, head, rows, { className: 'data loadtest-steps' }));
}

function runSection(run: LoadTestRunView, colors: ChartColors, width: number, cb: LoadTestCallbacks, open: boolean, plots: uPlot[]): HTMLElement {
  const when = run.savedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const calibrate = cb.onCalibrate && run.calibratable ? h('vscode-button', { class: 'calibrate', 'data-run': run.runId, title: 'Turn these steps into calibration data for this machine and target' }, 'Calibrate from this run') : null;
  calibrate?.addEventListener('click', () => cb.onCalibrate!(run.runId));
  const body = h('div', { class: 'loadtest-body' },
    h('p', { class: 'muted' }, `${run.tool} · ${run.mode === 'concurrency' ? 'closed loop' : 'open loop (Poisson)'} · ${when}${run.deployment ? ` · estimate: ${run.deployment}${run.target ? ` on ${run.target}` : ''}` : ''}`),
    run.knee ? h('p', { class: 'knee' }, h('strong', null, 'Knee: '), run.knee.text) : h('p', { class: 'muted' }, run.mode === 'concurrency' ? 'No knee in the range measured.' : ''),
    run.alpha ? h('p', { class: 'alpha' }, run.alpha.text) : '',
    calibrate,
  );
  const charts = h('section', { class: 'charts' });
  for (const c of run.charts) {
    const canvasHost = h('div', { class: 'chart', role: 'img', 'aria-label': `${c.title}: ${c.note}. The data table below lists every point.` });
    const band = c.series.some((x) => x.kind === 'band-low');
    charts.append(h('figure', { class: 'chart-figure', 'data-chart': c.id, 'data-band': band }, h('figcaption', null, h('strong', null, c.title), h('div', { class: 'chart-note' }, c.note)), canvasHost, dataTable(c)));
    plots.push(renderChart(canvasHost, c, colors, width));
  }
  body.append(charts, stepTable(run));
  if (run.server.length) body.append(h('h4', null, 'The server during each step'), h('ul', { class: 'notes' }, run.server.map((l) => h('li', null, l))));
  if (run.notes.length) body.append(h('details', { class: 'loadtest-notes' }, h('summary', null, 'Notes and definitions'), h('ul', { class: 'notes' }, run.notes.map((l) => h('li', null, l)))));
  const el = h('details', { class: 'loadtest-run', 'data-run': run.runId, open }, h('summary', null, h('strong', null, run.title)), body);
  return el;
}

export function loadTestView(v: LoadTestView | undefined, colors: ChartColors, width: number, cb: LoadTestCallbacks): { el: HTMLElement; plots: uPlot[] } {
  adoptCss();
  const plots: uPlot[] = [];
  const el = h('section', { class: 'loadtests', id: 'loadtests' });
  if (!v || !v.runs.length) {
    el.append(h('p', { class: 'empty' }, 'No load test yet. Run "KV Lens: Load Test Endpoint" (or `kvlens loadtest <url> --out <store>`) against the server this profile describes.'));
    return { el, plots };
  }
  v.runs.forEach((r, i) => el.append(runSection(r, colors, width, cb, i === 0, plots)));
  return { el, plots };
}
