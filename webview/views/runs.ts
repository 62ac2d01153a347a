// Measured runs beside their estimates, and the history with its filter and delete.
import { filterRuns, type ChartView, type RunFilter, type RunRow, type RunsView } from '../../src/core/report/viewModel';
import { cell, h } from '../dom';

export interface RunsCallbacks {
  filter: RunFilter;
  /** Undefined in the static HTML report: nothing to delete there. */
  onDelete?: (ids: string[]) => void;
  onFilter: (f: RunFilter) => void;
  /** Draws one chart (the caller keeps the plot to destroy it later). */
  chart?: (c: ChartView) => HTMLElement;
}

export function runsView(runs: RunsView, cb: RunsCallbacks): HTMLElement {
  const f = cb.filter;
  const text = document.createElement('vscode-textfield') as HTMLElement & { value: string; placeholder: string };
  text.setAttribute('aria-label', 'Filter runs by model, test or cache type');
  text.setAttribute('placeholder', 'model, test, cache type…');
  text.id = 'runs-filter-text';
  text.value = f.text ?? '';
  const type = document.createElement('vscode-single-select') as HTMLElement & { value: string };
  type.setAttribute('aria-label', 'Cache type');
  type.id = 'runs-filter-type';
  for (const t of ['', ...runs.cacheTypes]) {
    const o = document.createElement('vscode-option') as HTMLElement & { value: string };
    o.setAttribute('value', t);
    if ((f.type ?? '') === t) o.setAttribute('selected', '');
    o.textContent = t || 'All cache types';
    type.append(o);
  }
  const from = dateField('runs-filter-from', 'From date', f.from);
  const to = dateField('runs-filter-to', 'To date', f.to);
  // Only the table re-renders on a filter change, so the field being typed in keeps its focus.
  const tableHost = h('div', { class: 'runs-table' });
  const emit = () => {
    const nf: RunFilter = { text: text.value || undefined, type: type.value || undefined, from: from.value || undefined, to: to.value || undefined };
    cb.onFilter(nf);
    renderTable(nf);
  };
  text.addEventListener('input', emit);
  type.addEventListener('change', emit);
  from.addEventListener('change', emit);
  to.addEventListener('change', emit);

  const selected = new Set<string>();
  const del = cb.onDelete ? h('vscode-button', { id: 'runs-delete', secondary: true, disabled: true }, 'Delete selected') : null;
  const sync = () => { if (del) (del as HTMLElement & { disabled: boolean }).disabled = selected.size === 0; };
  if (del) del.addEventListener('click', () => { if (selected.size) cb.onDelete!([...selected]); });

  function renderTable(filter: RunFilter): void {
  const shown = filterRuns(runs.rows, filter);
  const shownIds = new Set(shown.map((r) => r.id));
  selected.clear();
  sync();
  // The figures come right after what identifies the test, so they stay in view in a narrow panel. When, on
  // which model and on which machine a run was made is its sweep's heading (the same for all its tests).
  const head = ['Cache K/V', 'Test', 'Measured', 'Estimate', 'Difference', 'KV measured', 'KV estimate', 'KV difference', 'n_ctx'];
  if (cb.onDelete) head.unshift('');
  const row = (r: RunRow) => {
    const tr = h('tr', { class: r.error ? 'failed' : undefined, 'data-run-id': r.id, title: `saved ${r.savedAt.replace('T', ' ').slice(0, 19)}` },
      h('td', { class: 'nowrap' }, `${r.typeK}/${r.typeV}`),
      h('th', { scope: 'row' }, r.test),
      cell(r.measured), cell(r.estimate), cell(r.diff, 'td', { class: diffClass(r.diff.value) }),
      cell(r.kvMeasured), cell(r.kvEstimate), cell(r.kvDiff, 'td', { class: diffClass(r.kvDiff.value) }),
      h('td', { class: 'num' }, r.nCtx.toLocaleString('en-US')));
    if (cb.onDelete) {
      const box = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
      box.setAttribute('aria-label', `Select run ${r.test} ${r.typeK}/${r.typeV} of ${r.savedAt}`);
      box.setAttribute('title', 'Select for deletion');
      box.addEventListener('change', () => { if (box.checked) selected.add(r.id); else selected.delete(r.id); sync(); });
      tr.prepend(h('td', null, box));
    }
    return tr;
  };
  // One tbody per sweep (a benchmark run), headed by when, what and whether it finished.
  const byId = new Map(runs.rows.map((r) => [r.id, r]));
  const sweeps = runs.sweeps?.length ? runs.sweeps : [{ runId: '', label: 'All runs', incomplete: false, rowIds: runs.rows.map((r) => r.id) }];
  const bodies: HTMLElement[] = [];
  for (const sw of sweeps) {
    const rows = sw.rowIds.filter((id) => shownIds.has(id)).map((id) => byId.get(id)!).filter(Boolean);
    if (!rows.length) continue;
    bodies.push(h('tbody', { class: `sweep${sw.incomplete ? ' incomplete' : ''}`, 'data-sweep': sw.runId },
      h('tr', { class: 'sweep-head' }, h('th', { scope: 'rowgroup', colspan: head.length },
        sw.incomplete ? h('span', { class: 'sweep-mark', role: 'img', 'aria-label': 'incomplete' }, '⚠ ') : null,
        sw.label)),
      rows.map(row)));
  }
  const caption = `Measured runs (${shown.length} of ${runs.rows.length}), grouped by benchmark run`;
  const tableEl = h('table', { class: 'data runs-data' },
    h('caption', null, caption),
    h('thead', null, h('tr', null, head.map((c) => h('th', { scope: 'col' }, c)))),
    bodies);
  const body = shown.length
    ? h('div', { class: 'table-scroll' }, tableEl)
    : h('p', { class: 'empty' }, runs.rows.length ? 'No run matches the filter.' : 'No measured runs yet. Run “KV Lens: Run Benchmark” or `kvlens bench --out results.jsonl`.');
  tableHost.replaceChildren(body);
  }
  renderTable(f);
  const charts = cb.chart && runs.charts?.length
    ? h('section', { class: 'charts runs-charts' }, h('h2', { class: 'charts-head' }, 'Measured against the estimate'), runs.charts.map((c) => cb.chart!(c)))
    : null;
  return h('section', { class: 'runs' },
    h('div', { class: 'filters', role: 'search', 'aria-label': 'Filter the run history' },
      h('label', { for: 'runs-filter-text' }, 'Filter'), text,
      h('label', { for: 'runs-filter-type' }, 'Cache'), type,
      h('label', { for: 'runs-filter-from' }, 'From'), from,
      h('label', { for: 'runs-filter-to' }, 'To'), to, del),
    tableHost, charts);
}

function dateField(id: string, label: string, value?: string): HTMLElement & { value: string } {
  const el = document.createElement('vscode-textfield') as HTMLElement & { value: string; type: string };
  el.id = id;
  el.setAttribute('type', 'date');
  el.setAttribute('aria-label', label);
  el.value = value ?? '';
  return el;
}

function diffClass(v: number | undefined): string | undefined {
  if (v === undefined) return undefined;
  const a = Math.abs(v);
  return a <= 10 ? 'diff-good' : a <= 30 ? 'diff-fair' : 'diff-poor';
}
