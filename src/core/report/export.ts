// The dashboard's view as files: JSON for tools, CSV for spreadsheets (raw numbers, units in the headers), Markdown
// for design docs (the same texts the panel shows). All read the view-model, so they say what the screen says.
import type { ExportFormat } from '../panelProtocol';
import type { DashboardViewModel, RunFilter } from './viewModel';
import { filterRuns } from './viewModel';
import type { Cell } from './format';

const GiB = 1024 ** 3;

export interface ExportOptions {
  /** Only the runs the history filter shows. */
  runFilter?: RunFilter;
}

export function exportView(vm: DashboardViewModel, format: ExportFormat, opts: ExportOptions = {}): string {
  switch (format) {
    case 'json': return toJson(vm, opts);
    case 'csv': return toCsv(vm, opts);
    case 'md': return toMarkdown(vm, opts);
  }
}

export const EXPORT_EXTENSIONS: Record<ExportFormat, string> = { json: 'json', csv: 'csv', md: 'md' };

const num = (c: Cell): number | null => (c.value !== undefined && Number.isFinite(c.value) ? c.value : null);

export function toJson(vm: DashboardViewModel, opts: ExportOptions = {}): string {
  const out = {
    title: vm.title,
    source: vm.source,
    generatedAt: vm.generatedAt,
    deployments: vm.deployments.map((d) => ({
      name: d.name,
      error: d.error,
      model: d.model && { name: d.model.name, architecture: d.model.architecture, params: num(d.model.params), weightsBytes: num(d.model.weights) },
      engine: d.engine && { kind: d.engine.kind, contextSize: num(d.engine.context), parallel: num(d.engine.parallel), cacheTypes: d.engine.cacheTypes, flashAttention: d.engine.flashAttention, kvBytesPerToken: num(d.engine.kvPerToken) },
      workload: d.workload,
      targets: d.targets.map((t) => ({
        id: t.id,
        name: t.name,
        devices: t.devices,
        verdict: t.verdict,
        memory: Object.fromEntries([
          ['capacityBytes', num(t.memory.capacity)],
          ['totalBytes', num(t.memory.total)],
          ...t.memory.segments.map((s) => [`${s.key}Bytes`, s.bytes]),
        ]),
        metrics: t.metrics.map((m) => ({ metric: m.metric, expected: num(m.expected), band: num(m.band), theoretical: num(m.theoretical), text: m.expected.text })),
        whatIfs: t.whatIfs.map((w) => ({ cacheTypes: w.cacheTypes, window: w.window, kvBytes: num(w.memory), users: num(w.users), decodeTokensPerSec: num(w.decode), fits: w.fits, invalid: w.invalid })),
        ...(t.calibration ? { calibration: { summary: t.calibration.summary, source: t.calibration.source, parts: t.calibration.parts.map((p) => ({ label: p.label, band: p.band01, group: p.group, basis: p.basis })) } } : {}),
      })),
    })),
    runs: filterRuns(vm.runs.rows, opts.runFilter).map((r) => ({
      id: r.id, runId: r.runId, savedAt: r.savedAt, model: r.model, typeK: r.typeK, typeV: r.typeV, nCtx: r.nCtx, test: r.test,
      measuredTokensPerSec: num(r.measured), estimateTokensPerSec: num(r.estimate), diffPct: num(r.diff),
      kvBytesMeasured: num(r.kvMeasured), kvBytesEstimate: num(r.kvEstimate), kvDiffPct: num(r.kvDiff), error: r.error,
    })),
  };
  return JSON.stringify(out, null, 2) + '\n';
}

/** RFC 4180: quote when a field holds a comma, quote, CR or LF; double the quotes. Cells that a spreadsheet would
 * run as a formula (=, +, -, @ first) get a leading apostrophe, since exported names come from files. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const csvRow = (fields: unknown[]) => fields.map(csvField).join(',');
const gib = (c: Cell) => { const v = num(c); return v === null ? null : +(v / GiB).toFixed(4); };
const metric = (t: DashboardViewModel['deployments'][number]['targets'][number], name: string) => t.metrics.find((m) => m.metric === name);

export function toCsv(vm: DashboardViewModel, opts: ExportOptions = {}): string {
  const lines: string[] = [];
  lines.push(csvRow(['deployment', 'target', 'devices', 'verdict', 'weights (GiB)', 'KV cache (GiB)', 'compute (GiB)', 'total (GiB)', 'capacity (GiB)',
    'users that fit', 'at context (tokens)', 'TTFT (s)', 'TPOT (s)', 'decode per user (tok/s)', 'decode all users (tok/s)', 'prefill (tok/s)', 'band (±)',
    'peak TTFT (s)', 'peak decode per user (tok/s)', 'cache types']));
  for (const d of vm.deployments) {
    for (const t of d.targets) {
      const seg = (k: string) => { const s = t.memory.segments.find((x) => x.key === k); return s ? +(s.bytes / GiB).toFixed(4) : null; };
      const m = (name: string) => metric(t, name);
      lines.push(csvRow([
        d.name, t.id, t.devices, t.verdict, seg('weights'), seg('kv'), seg('compute'), gib(t.memory.total), gib(t.memory.capacity),
        num(m('Users that fit')!.expected), Number.isFinite(t.atContext) ? t.atContext : null,
        num(m('TTFT')!.expected), num(m('TPOT')!.expected), num(m('Decode per user')!.expected), num(m('Decode, all users')!.expected), num(m('Prefill')!.expected),
        num(m('TTFT')!.band), num(m('TTFT')!.theoretical), num(m('Decode per user')!.theoretical), d.engine?.cacheTypes ?? null,
      ]));
    }
  }
  const runs = filterRuns(vm.runs.rows, opts.runFilter);
  if (runs.length) {
    lines.push('');
    lines.push(csvRow(['run id', 'saved at', 'model', 'type_k', 'type_v', 'n_ctx', 'test', 'measured (tok/s)', 'estimate (tok/s)', 'difference (%)',
      'KV measured (bytes)', 'KV estimate (bytes)', 'KV difference (%)', 'error']));
    for (const r of runs) {
      lines.push(csvRow([r.runId, r.savedAt, r.model, r.typeK, r.typeV, r.nCtx, r.test, num(r.measured), num(r.estimate), num(r.diff),
        num(r.kvMeasured), num(r.kvEstimate), num(r.kvDiff), r.error ?? null]));
    }
  }
  return lines.join('\r\n') + '\r\n';
}

/** Markdown table cell: pipes and newlines would break the table; HTML would render in many viewers. */
export function mdCell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function mdTable(head: string[], rows: string[][], align?: ('l' | 'r')[]): string[] {
  const sep = head.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  return [`| ${head.map(mdCell).join(' | ')} |`, `| ${sep.join(' | ')} |`, ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`)];
}

export function toMarkdown(vm: DashboardViewModel, opts: ExportOptions = {}): string {
  const out: string[] = [`# ${mdCell(vm.title)}`, '', `Source: \`${vm.source.replace(/`/g, "'")}\` · generated ${vm.generatedAt}`, ''];
  for (const d of vm.deployments) {
    out.push(`## ${mdCell(d.name)}`, '');
    if (d.error) out.push(`No estimate: ${mdCell(d.error)}`, '');
    if (d.model && d.engine) {
      out.push(`Model ${mdCell(d.model.name)} (${mdCell(d.model.architecture)}, ${d.model.params.text} params, weights ${d.model.weights.text}) · ${d.engine.kind}, context ${d.engine.context.text}, -np ${d.engine.parallel.text}, KV ${d.engine.cacheTypes} (${d.engine.kvPerToken.text}/token) · ${mdCell(d.workload ?? '')}`, '');
    }
    if (d.targets.length) {
      out.push(...mdTable(
        ['Target', 'Verdict', 'Weights', 'KV cache', 'Compute', 'Total / capacity', 'Users that fit', 'TTFT', 'TPOT', 'Decode/user', 'Decode, all', 'Band'],
        d.targets.map((t) => {
          const seg = (k: string) => t.memory.segments.find((s) => s.key === k)?.text ?? '—';
          const m = (n: string) => metric(t, n);
          return [t.name, t.verdictText, seg('weights'), seg('kv'), seg('compute'), `${t.memory.total.text} / ${t.memory.capacity.text}`,
            m('Users that fit')!.expected.text, m('TTFT')!.expected.text, m('TPOT')!.expected.text, m('Decode per user')!.expected.text,
            m('Decode, all users')!.expected.text, m('TTFT')!.band.value !== undefined ? `± ${Math.round(m('TTFT')!.band.value! * 100)} %` : '—'];
        }),
        ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      ), '');
      const t0 = d.targets[0];
      if (t0.whatIfs.length) {
        out.push(`### KV-cache types on ${mdCell(t0.name)}`, '');
        out.push(...mdTable(['Cache K/V', 'Window', 'KV memory', 'Users that fit', 'Decode/user', 'Note'],
          t0.whatIfs.map((w) => [w.cacheTypes + (w.current ? ' (current)' : ''), w.window, w.memory.text, w.users.text, w.decode.text, w.invalid ?? ((w.fits ? 'fits' : 'does not fit') + (w.note ? ` (${w.note})` : ''))]),
          ['l', 'l', 'r', 'r', 'r', 'l']), '');
      }
    }
  }
  const runs = filterRuns(vm.runs.rows, opts.runFilter);
  if (runs.length) {
    out.push('## Measured runs', '');
    out.push(...mdTable(['Saved', 'Model', 'K/V', 'n_ctx', 'Test', 'Measured', 'Estimate', 'Diff', 'KV measured', 'KV estimate', 'KV diff'],
      runs.map((r) => [r.savedAt.slice(0, 16).replace('T', ' '), r.model, `${r.typeK}/${r.typeV}`, String(r.nCtx), r.test, r.measured.text, r.estimate.text, r.diff.text, r.kvMeasured.text, r.kvEstimate.text, r.kvDiff.text]),
      ['l', 'l', 'l', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r']), '');
  }
  return out.join('\n');
}
