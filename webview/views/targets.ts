// Per target: the memory bar (weights / KV / compute / free, overflow past capacity) and the speed table.
import type { DeploymentView, TargetView } from '../../src/core/report/viewModel';
import { cell, h, table } from '../dom';
import type { Cell } from '../../src/core/report/format';
import { percentText } from '../../src/core/report/format';

export function deploymentHeader(d: DeploymentView): HTMLElement {
  if (!d.model || !d.engine) {
    return h('section', { class: 'deployment-head' }, h('p', { class: 'error', role: 'alert' }, `No estimate for ${d.name}: ${d.error ?? 'unknown reason'}`));
  }
  const m = d.model;
  const e = d.engine;
  const facts: [string, HTMLElement | string][] = [
    ['Model', h('span', { class: 'model-name' }, m.name)],
    ['Architecture', m.architecture],
    ['Parameters', cell(m.params, 'span')],
    ['Weights', cell(m.weights, 'span')],
    ['Engine', `${e.kind}${e.tensorParallel > 1 ? `, TP ${e.tensorParallel}` : ''}`],
    ['Context', cell(e.context, 'span')],
    ['Parallel', cell(e.parallel, 'span')],
    ['KV cache', `${e.cacheTypes} · ${e.kvPerToken.text}/token · flash attention ${e.flashAttention}`],
    ['Workload', d.workload ?? '—'],
  ];
  return h('section', { class: 'deployment-head', 'aria-label': `Deployment ${d.name}` },
    h('dl', { class: 'facts' }, facts.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v)])),
    m.missing.length ? h('p', { class: 'warning' }, `Missing from the model description: ${m.missing.join(', ')}`) : null,
    d.warnings.length ? h('ul', { class: 'warnings' }, d.warnings.map((w) => h('li', null, w))) : null,
  );
}

export function memoryBar(t: TargetView): HTMLElement {
  const segs = t.memory.segments;
  // The bar spans max(capacity, total) so an overflow sticks out past the capacity mark instead of squeezing the rest.
  const span = Math.max(100, t.memory.usedPct);
  const bar = h('div', { class: 'membar', role: 'img', 'aria-label': `Memory on ${t.name}: ${segs.map((s) => `${s.label} ${s.text}`).join(', ')}; capacity ${t.memory.capacity.text}` });
  for (const s of segs) {
    const seg = h('div', { class: `seg seg-${s.key}`, title: `${s.label}: ${s.text} (${percentText(s.pct)} of capacity)` });
    seg.style.width = `${(s.pct / span) * 100}%`;
    bar.append(seg);
  }
  if (span > 100) {
    const cap = h('div', { class: 'capmark', title: `capacity ${t.memory.capacity.text}` });
    cap.style.left = `${(100 / span) * 100}%`;
    bar.append(cap);
  }
  const legend = h('ul', { class: 'legend' }, segs.map((s) =>
    h('li', null, h('span', { class: `swatch seg-${s.key}`, 'aria-hidden': 'true' }), h('span', { class: 'legend-label' }, s.label), ' ',
      h('span', { class: 'num' }, s.text), ' ', h('span', { class: 'pct' }, `(${percentText(s.pct)})`))));
  // The exact totals under the bar (the verdict line rounds them to one decimal in GiB).
  return h('div', { class: 'memory' }, bar, legend, h('p', { class: 'memory-total note' }, `${t.memory.total.text} of ${t.memory.capacity.text} in use`));
}

export function targetCard(t: TargetView): HTMLElement {
  // The note sits under the metric's name rather than in a fifth column, so the table stays readable in a
  // narrow editor column.
  const rows = t.metrics.map((m) => h('tr', null,
    h('th', { scope: 'row' }, m.metric, m.note ? h('div', { class: 'note' }, m.note) : null),
    cell(m.expected), bandCell(m.band), cell(m.theoretical)));
  return h('article', { class: `target verdict-${t.verdict}`, 'aria-labelledby': `t-${cssId(t.id)}` },
    h('header', { class: 'target-head' },
      h('h3', { id: `t-${cssId(t.id)}` }, t.name, t.devices > 1 ? ` ×${t.devices}` : ''),
      h('span', { class: `verdict verdict-${t.verdict}` }, verdictIcon(t.verdict), ' ', t.verdictText),
      // The same figures, in the same words, as the CodeLens, hover and status bar.
      h('span', { class: 'usage verdict-summary' }, `${t.verdictSummary ?? `${t.memory.total.text} of ${t.memory.capacity.text}`} (${percentText(t.memory.usedPct)} used)`)),
    t.noSpeed ? h('p', { class: 'no-speed', role: 'note' }, t.noSpeed) : null,
    memoryBar(t),
    h('div', { class: 'table-scroll' }, table(`Speed and concurrency on ${t.name}`, ['Metric', 'Expected', '± band', 'Theoretical peak'], rows, { className: 'data metrics' })),
    t.calibration ? calibrationBlock(t) : null,
    t.extras?.length ? h('dl', { class: 'facts extras' }, t.extras.flatMap((x) => [h('dt', null, x.label), h('dd', null, x.value)])) : null,
    t.assumptions.length ? h('details', { class: 'assumptions' }, h('summary', null, `Assumptions (${t.assumptions.length})`), h('ul', null, t.assumptions.map((a) => h('li', null, a)))) : null,
  );
}

/** The speed model's measured error and what sized the figures: the summary always visible, the terms folded. */
function calibrationBlock(t: TargetView): HTMLElement {
  const c = t.calibration!;
  return h('section', { class: 'calibration', 'aria-label': `Speed calibration on ${t.name}` },
    h('p', { class: 'calibration-summary' }, c.summary),
    h('details', null, h('summary', null, `How the speed was sized (${c.model})`),
      c.parts.map((p) => h('div', { class: 'calibration-part' },
        h('p', null, h('strong', null, `${p.label} ${p.band}`), ' — ', h('code', null, p.group), `: ${p.basis}`),
        h('ul', null, p.parameters.map((x) => h('li', null, x)), p.factor ? h('li', null, p.factor) : null))),
      h('p', { class: 'note' }, 'Verify here: ', h('code', null, c.verify))));
}

/** "± 30 % (143 ms – 266 ms)" on two lines, so the table fits a side-by-side editor column. */
function bandCell(c: Cell): HTMLElement {
  const m = /^(± [^(]+?) \((.+)\)$/.exec(c.text);
  if (!m) return cell(c, 'td', { class: 'band' });
  return h('td', { class: 'band num', title: c.title }, m[1], h('div', { class: 'note nowrap' }, m[2]));
}

export function verdictIcon(v: TargetView['verdict']): string {
  return v === 'fits' ? '✓' : v === 'tight' ? '⚠' : '✗';
}

export function cssId(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}
