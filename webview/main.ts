// The dashboard front end. One bundle serves two hosts: the VS Code webview panel (data arrives by postMessage,
// UI state survives reloads through getState/setState) and the self-contained HTML report of `kvlens report`
// (data embedded as JSON in the page). Everything is built with DOM calls that escape; nothing uses innerHTML.
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import type uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css';
import appCss from './styles.css';
import { isHostToWebview, isViewModel, type BenchProgress, type ExportFormat, type WebviewToHost, type WebviewUiState } from '../src/core/panelProtocol';
import type { DashboardViewModel, RunFilter } from '../src/core/report/viewModel';
import { exportView } from '../src/core/report/export';
import { clear, h } from './dom';
import { deploymentHeader, targetCard, verdictIcon } from './views/targets';
import { kvTypesView } from './views/kvTypes';
import { chartFigure, chartsView, themeColors } from './views/charts';
import { runsView } from './views/runs';
import { loadTestView } from './views/loadtest';

// Views add a tab here and a case in tabContent (the load-test view of webview/views/loadtest.ts is one).
const TABS: { id: string; label: string }[] = [
  { id: 'targets', label: 'Targets' },
  { id: 'kv', label: 'KV-cache types' },
  { id: 'charts', label: 'Charts' },
  { id: 'runs', label: 'Measured runs' },
];
/** Shown when the results store holds endpoint load tests (issue 14). */
const LOADTEST_TAB = { id: 'loadtests', label: 'Load tests' } as const;
const tabsFor = (d: DashboardViewModel): readonly { id: string; label: string }[] => (d.loadTests?.runs.length ? [...TABS, LOADTEST_TAB] : TABS);

interface Host {
  mode: 'panel' | 'report';
  post(msg: WebviewToHost): void;
  load(): WebviewUiState;
  save(s: WebviewUiState): void;
}

function makeHost(): Host {
  if (typeof acquireVsCodeApi === 'function') {
    const api = acquireVsCodeApi();
    return {
      mode: 'panel',
      post: (m) => api.postMessage(m),
      load: () => (api.getState() as WebviewUiState | undefined) ?? {},
      save: (s) => api.setState(s),
    };
  }
  return { mode: 'report', post: () => undefined, load: () => ({}), save: () => undefined };
}

const host = makeHost();
let ui: WebviewUiState = host.load();
let vm: DashboardViewModel | undefined;
let deploymentIndex = 0;
let progress: BenchProgress | undefined;
let plots: uPlot[] = [];
const root = h('div', { id: 'app' });

function adoptStyles(): void {
  const sheets = [uplotCss, appCss].map((text) => {
    const s = new CSSStyleSheet();
    s.replaceSync(text);
    return s;
  });
  // Constructed sheets need no inline <style>, so the CSP keeps style-src to the nonce and the webview's origin.
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, ...sheets];
}

function saveUi(patch: Partial<WebviewUiState>): void {
  ui = { ...ui, ...patch };
  host.save(ui);
}

function select(id: string, label: string, options: { value: string; text: string }[], value: string, onChange: (v: string) => void): HTMLElement[] {
  const el = document.createElement('vscode-single-select') as HTMLElement & { value: string };
  el.id = id;
  el.setAttribute('aria-label', label);
  for (const o of options) {
    const opt = h('vscode-option', { value: o.value, selected: o.value === value }, o.text);
    el.append(opt);
  }
  el.addEventListener('change', () => onChange(el.value));
  return [h('label', { for: id }, label), el];
}

function download(format: ExportFormat): void {
  if (!vm) return;
  if (host.mode === 'panel') {
    host.post({ type: 'export', format, runFilter: ui.historyFilter });
    return;
  }
  const text = exportView(vm, format, { runFilter: ui.historyFilter });
  const type = format === 'json' ? 'application/json' : format === 'csv' ? 'text/csv' : 'text/markdown';
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: `kvlens-report.${format}` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function toolbar(d: DashboardViewModel): HTMLElement {
  const bar = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Dashboard actions' });
  if (d.deployments.length > 1) {
    bar.append(...select('deployment-select', 'Deployment', d.deployments.map((x, i) => ({ value: String(i), text: x.name })), String(deploymentIndex), (v) => {
      deploymentIndex = Number(v) || 0;
      render();
    }));
  }
  const targets = d.deployments[deploymentIndex]?.targets ?? [];
  if (targets.length > 1) {
    bar.append(...select('target-select', 'Target', targets.map((t) => ({ value: t.id, text: `${verdictIcon(t.verdict)} ${t.name}` })), currentTarget()?.id ?? '', (v) => {
      saveUi({ target: v });
      renderTabsOnly();
    }));
  }
  bar.append(h('span', { class: 'spacer' }));
  for (const [fmt, label] of [['md', 'Markdown'], ['csv', 'CSV'], ['json', 'JSON']] as const) {
    const b = h('vscode-button', { secondary: true, id: `export-${fmt}`, title: `Export the dashboard as ${label}` }, `Export ${label}`);
    b.addEventListener('click', () => download(fmt));
    bar.append(b);
  }
  if (host.mode === 'panel') {
    const run = h('vscode-button', { id: 'run-benchmark', disabled: progress?.state === 'running' }, 'Run benchmark');
    run.addEventListener('click', () => host.post({ type: 'runBenchmark' }));
    bar.append(run);
  }
  return bar;
}

function currentTarget() {
  const targets = vm?.deployments[deploymentIndex]?.targets ?? [];
  return targets.find((t) => t.id === ui.target) ?? targets[0];
}

function progressLine(): HTMLElement {
  const el = h('div', { id: 'bench-progress', role: 'status', 'aria-live': 'polite' });
  if (!progress) return el;
  const p = progress;
  const what = p.state === 'running' ? `Benchmark running: ${p.done} of ${p.total} tests` : p.state === 'done' ? `Benchmark finished: ${p.done} of ${p.total} tests` : p.state === 'cancelled' ? 'Benchmark cancelled' : 'Benchmark failed';
  el.append(h('span', null, what), p.label ? h('span', { class: 'muted' }, ` — ${p.label}`) : '', p.message ? h('span', { class: 'muted' }, ` — ${p.message}`) : '');
  if (p.state === 'running' && p.total > 0) el.append(h('progress', { max: p.total, value: p.done, 'aria-label': 'Benchmark progress' }));
  return el;
}

let tabsHost: HTMLElement | undefined;

function destroyPlots(): void {
  for (const p of plots) p.destroy();
  plots = [];
}

function chartWidth(): number {
  // Narrow panels get a narrow chart (it must not push the page wider than the panel).
  return Math.max(260, Math.min(960, (root.clientWidth || document.body.clientWidth || 800) - 40));
}

function tabContent(id: string, d: DashboardViewModel): HTMLElement {
  const dep = d.deployments[deploymentIndex];
  const t = currentTarget();
  switch (id) {
    case 'targets':
      if (!dep) return h('p', { class: 'empty' }, 'No deployment in this file.');
      return h('div', { class: 'targets' }, deploymentHeader(dep), dep.targets.length ? dep.targets.map(targetCard) : null);
    case 'kv':
      return t ? kvTypesView(t) : h('p', { class: 'empty' }, dep?.error ? `No estimate: ${dep.error}` : 'No target to compare on.');
    case 'charts': {
      if (!t) return h('p', { class: 'empty' }, dep?.error ? `No estimate: ${dep.error}` : 'No target to chart.');
      const { el, plots: p } = chartsView(t, themeColors(), chartWidth(), dep?.charts ?? []);
      plots.push(...p);
      return el;
    }
    case 'loadtests': {
      const { el, plots: p } = loadTestView(d.loadTests, themeColors(), chartWidth(), {
        onCalibrate: host.mode === 'panel' ? (runId) => host.post({ type: 'calibrateLoadTest', runId }) : undefined,
      });
      plots.push(...p);
      return el;
    }
    case 'runs': {
      const colors = themeColors();
      return runsView(d.runs, {
        filter: ui.historyFilter ?? {},
        onFilter: (f: RunFilter) => saveUi({ historyFilter: f }),
        onDelete: host.mode === 'panel' ? (ids) => host.post({ type: 'deleteRuns', ids }) : undefined,
        chart: (c) => chartFigure(c, undefined, colors, chartWidth(), plots),
      });
    }
    default:
      return h('p', { class: 'empty' }, 'Nothing to show.');
  }
}

/** The chart width the tabs were last built for (a resize that keeps it needs no redraw). */
let drawnWidth = -1;

function tabs(d: DashboardViewModel): HTMLElement {
  drawnWidth = chartWidth();
  const list = tabsFor(d);
  const selected = Math.max(0, list.findIndex((t) => t.id === ui.tab));
  const el = h('vscode-tabs', { 'selected-index': selected, id: 'tabs' });
  list.forEach((tab, i) => {
    const count = tab.id === 'runs' ? ` (${d.runs.rows.length})` : '';
    el.append(h('vscode-tab-header', { slot: 'header', 'data-tab': tab.id }, tab.label + count));
    // Every panel is built, so switching tabs is instant and the report shows all views to a reader who prints it.
    el.append(h('vscode-tab-panel', { 'data-panel': tab.id }, tabContent(tab.id, d)));
    void i;
  });
  el.addEventListener('vsc-tabs-select', (e) => {
    const idx = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
    saveUi({ tab: list[idx]?.id });
    // uPlot measures on creation; a chart built while its panel was hidden is redrawn at the real width.
    if (['charts', 'runs', 'loadtests'].includes(list[idx]?.id ?? '')) renderTabsOnly();
  });
  return el;
}

function renderTabsOnly(): void {
  if (!vm || !tabsHost) return render();
  // A redraw (new width, new theme) must not take the field being typed in away from the user: the field's
  // value lives in the UI state, and focus goes back to the field with the same id in the fresh tabs.
  const focusedId = tabsHost.contains(document.activeElement) ? document.activeElement?.id : undefined;
  destroyPlots();
  const fresh = tabs(vm);
  tabsHost.replaceWith(fresh);
  tabsHost = fresh;
  if (focusedId) (document.getElementById(focusedId) as HTMLElement | null)?.focus();
  // The toolbar's target select must show the same target.
  const sel = document.getElementById('target-select') as (HTMLElement & { value: string }) | null;
  const t = currentTarget();
  if (sel && t && sel.value !== t.id) sel.value = t.id;
}

function render(): void {
  destroyPlots();
  clear(root);
  if (!vm) {
    root.append(h('p', { class: 'empty', role: 'status' }, 'Loading the estimate…'));
    return;
  }
  if (deploymentIndex >= vm.deployments.length) deploymentIndex = 0;
  root.append(
    h('header', { class: 'page-head' },
      h('h1', null, vm.title),
      h('p', { class: 'muted' }, h('span', { class: 'source', title: vm.source }, vm.source), ` · ${vm.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}`)),
    toolbar(vm),
    progressLine(),
    vm.notes.length ? h('ul', { class: 'notes' }, vm.notes.map((n) => h('li', null, n))) : '',
  );
  tabsHost = tabs(vm);
  root.append(tabsHost);
}

function onMessage(ev: MessageEvent): void {
  const msg: unknown = ev.data;
  if (!isHostToWebview(msg)) {
    console.warn('KV Lens: dropped an unknown message', msg && typeof msg === 'object' ? (msg as { type?: unknown }).type : typeof msg);
    return;
  }
  switch (msg.type) {
    case 'state':
      if (ui.profileUri !== msg.profileUri) saveUi({ profileUri: msg.profileUri });
      vm = msg.viewModel;
      render();
      break;
    case 'results':
      vm = msg.viewModel;
      render();
      break;
    case 'benchProgress': {
      progress = msg.progress;
      const old = document.getElementById('bench-progress');
      if (old) old.replaceWith(progressLine());
      const run = document.getElementById('run-benchmark') as (HTMLElement & { disabled: boolean }) | null;
      if (run) run.disabled = progress.state === 'running';
      break;
    }
  }
}

/** Themes a report can be opened in with `report.html?theme=…` (documented in `kvlens report --help`). */
const REPORT_THEMES: Record<string, string[]> = {
  light: ['vscode-light'],
  dark: ['vscode-dark'],
  'hc-dark': ['vscode-high-contrast'],
  'hc-light': ['vscode-high-contrast', 'vscode-high-contrast-light'],
};

function reportTheme(): void {
  // The report is a plain page: follow the reader's colour scheme and contrast preference through the same body
  // classes VS Code sets, unless the address names a theme (`?theme=hc-dark`, for reviews and screenshots).
  let asked: string | null = null;
  try { asked = new URLSearchParams(window.location.search).get('theme'); } catch { asked = null; }
  const fixed = asked && Object.prototype.hasOwnProperty.call(REPORT_THEMES, asked) ? REPORT_THEMES[asked] : undefined;
  const dark = window.matchMedia('(prefers-color-scheme: dark)');
  const contrast = window.matchMedia('(prefers-contrast: more), (forced-colors: active)');
  const apply = () => {
    const want = fixed ?? (contrast.matches ? REPORT_THEMES[dark.matches ? 'hc-dark' : 'hc-light'] : REPORT_THEMES[dark.matches ? 'dark' : 'light']);
    for (const c of ['vscode-light', 'vscode-dark', 'vscode-high-contrast', 'vscode-high-contrast-light']) document.body.classList.toggle(c, want.includes(c));
  };
  apply();
  dark.addEventListener('change', apply);
  contrast.addEventListener('change', apply);
}

function start(): void {
  adoptStyles();
  if (host.mode === 'report') {
    document.body.classList.add('kvlens-report');
    reportTheme();
  }
  document.body.append(root);
  // VS Code switches themes by changing the body's class; the charts read colours when drawn, so redraw.
  let lastClass = document.body.className;
  new MutationObserver(() => {
    if (document.body.className !== lastClass) {
      lastClass = document.body.className;
      if (vm) renderTabsOnly();
    }
  }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  let resizeTimer: ReturnType<typeof setTimeout> | undefined;
  // Only a new width changes the charts (a taller window, or a full-page screenshot, does not).
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (chartWidth() === drawnWidth) return;
      if (vm && (ui.tab === 'charts' || ui.tab === 'runs' || ui.tab === 'loadtests')) renderTabsOnly();
    }, 150);
  });

  if (host.mode === 'report') {
    const data = document.getElementById('kvlens-data');
    let parsed: unknown;
    try {
      parsed = JSON.parse(data?.textContent ?? 'null');
    } catch {
      parsed = undefined;
    }
    if (isViewModel(parsed)) vm = parsed;
    else root.append(h('p', { class: 'error', role: 'alert' }, 'This report holds no readable data.'));
    if (vm) render();
    return;
  }
  window.addEventListener('message', onMessage);
  render();
  host.post({ type: 'ready' });
}

start();
