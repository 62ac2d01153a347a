// What each view of the dashboard (panel and HTML report) shows, computed once from the estimator's reports and
// the results store's records. Pure: the front end only lays these cells out, and the exports read the same cells,
// so what a user sees, exports and what the tests check are one thing.
import type { EstimateReport, TargetEstimate, WhatIf } from '../estimator/report';
import type { ResultRecord } from '../engine/protocol';
import { noSpeedText, targetVerdict, type TargetVerdict, type VerdictState } from '../verdict';
import { concurrencyLadder, decodeCurve, deploymentCharts, sweepCharts } from './charts';
import type { LoadTestRecord } from '../loadtest/record';
import { buildLoadTestView, type LoadTestView } from '../loadtest/viewModel';
import { bandSource, calibrationView, figureBand, type CalibrationView } from './calibrationView';
import {
  bytesCell, bytesText, Cell, diffCell, DASH, intCell, isNum, missing, paramsText, percentText, rateCell, rateText,
  secondsCell, secondsText, sig, tokensText, plural,
} from './format';

export type { Cell } from './format';

/** Settings the view-model may ask the estimator to recompute with (chart sweeps, joining measured runs). */
export interface EstimateOverrides {
  concurrency?: number;
  /** Workload lengths (load tests re-estimate at the lengths they really sent). */
  promptTokens?: number;
  outputTokens?: number;
  contextSize?: number;
  parallel?: number;
  cacheTypeK?: string;
  cacheTypeV?: string;
}

/** Re-runs the estimator for one deployment with changed settings; returns undefined when it cannot. */
export type Reestimate = (overrides: EstimateOverrides) => EstimateReport | undefined;

export interface DeploymentInput {
  name: string;
  report?: EstimateReport;
  /** Why there is no report (model missing, parse error...). */
  error?: string;
  reestimate?: Reestimate;
  /**
   * The verdict per report target (src/core/verdict.ts), as the editor states it — with the file's engine errors
   * ("won't start"). Without it the panel computes the memory verdict from the report alone.
   */
  verdicts?: readonly TargetVerdict[];
}

/** The estimator's figures for one measured test's exact settings (on the machine it ran on). */
export interface RunEstimate {
  kv?: number;
  prefill?: number;
  decode?: number;
  /** Where the figures come from, for the tooltip ("recomputed for this machine (…)"). */
  from: string;
}

export interface ViewModelInput {
  title: string;
  /** The profile or results file the view was made from, as the user knows it. */
  source: string;
  generatedAt: string;
  deployments: DeploymentInput[];
  runs: ResultRecord[];
  notes?: string[];
  /**
   * Recomputes a run's estimate from its own model and settings when the record lacks one (runs saved before
   * the extension stored speed estimates); the panel reads the run's GGUF to do it.
   */
  estimateRun?: (rec: ResultRecord) => RunEstimate | undefined;
  /** Endpoint load tests from the results store, and the profile the view is for (issue 14). */
  loadTests?: LoadTestRecord[];
  profilePath?: string;
}

export type SegmentKey = 'weights' | 'kv' | 'compute' | 'overhead' | 'free' | 'overflow';

export interface MemorySegment {
  key: SegmentKey;
  label: string;
  bytes: number;
  /** Percent of capacity (overflow: how far past capacity). */
  pct: number;
  text: string;
}

export interface MetricRow {
  metric: string;
  expected: Cell;
  band: Cell;
  theoretical: Cell;
  note?: string;
}

export interface WhatIfRow {
  cacheTypes: string;
  window: string;
  memory: Cell;
  perToken: Cell;
  users: Cell;
  decode: Cell;
  fits: boolean;
  current: boolean;
  invalid?: string;
  /** Shown in the status column for comparison-only rows (window budgets). */
  note?: string;
}

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** 'capacity' is drawn as a dashed limit line; 'measured' as points over the estimate lines. */
  kind: 'line' | 'theoretical' | 'capacity' | 'measured';
}

export interface ChartView {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  /** Unit of y, for the data table and tooltips. */
  yUnit: string;
  x: number[];
  series: ChartSeries[];
  /** Vertical markers, e.g. the most users that fit. */
  markers: { x: number; label: string }[];
  note: string;
  /** Unit of x for the data table ('tokens', 'tok/s'; empty for counts). */
  xUnit?: string;
  /**
   * The chart's data as a table for screen readers, when one row per x would not read well (a Pareto curve per
   * target has its own x values). Otherwise the table is built from x and series.
   */
  table?: { head: string[]; rows: string[][] };
}

export interface TargetView {
  id: string;
  name: string;
  devices: number;
  /** Context per sequence the users-that-fit figure is for. */
  atContext: number;
  verdict: VerdictState;
  verdictText: string;
  /** The verdict's figures exactly as the CodeLens, hover and status bar print them (`41.2/80 GiB · 12 users @32K`). */
  verdictSummary: string;
  summary: string;
  /** Why there are no speed figures (it does not fit, or the engine would not start). */
  noSpeed?: string;
  memory: {
    capacity: Cell;
    total: Cell;
    headroom: Cell;
    segments: MemorySegment[];
    /** Percent of capacity used; above 100 when it does not fit. */
    usedPct: number;
  };
  metrics: MetricRow[];
  whatIfs: WhatIfRow[];
  charts: ChartView[];
  assumptions: string[];
  /**
   * Report fields the estimator adds beyond this view's contract (e.g. a `calibration` object with the measured
   * error of the speed model), shown as label/value pairs so new core data reaches the panel without a change here.
   */
  extras?: { label: string; value: string }[];
  /** What the speed figures rest on and their measured error (issue 13's calibration); absent without speed. */
  calibration?: CalibrationView;
}

export interface DeploymentView {
  name: string;
  error?: string;
  model?: { name: string; architecture: string; params: Cell; activeParams: Cell; weights: Cell; missing: string[] };
  engine?: { kind: string; context: Cell; parallel: Cell; cacheTypes: string; flashAttention: string; kvPerToken: Cell; tensorParallel: number };
  workload?: string;
  targets: TargetView[];
  /** Charts with every target on one: throughput against concurrency, the Pareto view, TTFT against prompt. */
  charts: ChartView[];
  warnings: string[];
}

export interface RunRow {
  id: string;
  runId: string;
  savedAt: string;
  model: string;
  modelPath: string;
  typeK: string;
  typeV: string;
  nCtx: number;
  test: string;
  kind: 'prefill' | 'decode' | 'mixed';
  measured: Cell;
  estimate: Cell;
  diff: Cell;
  kvMeasured: Cell;
  kvEstimate: Cell;
  kvDiff: Cell;
  machine: string;
  engine: string;
  error?: string;
  /** For the measured-vs-estimate charts. */
  depth: number;
  measuredValue?: number;
  estimateValue?: number;
}

/** One benchmark run (a sweep): its tests share a runId. */
export interface SweepView {
  runId: string;
  savedAt: string;
  model: string;
  machine: string;
  /** Tests saved, and planned when the run said (runs saved before that field have none). */
  saved: number;
  planned?: number;
  /** Fewer tests saved than planned: the run was cancelled or stopped. */
  incomplete: boolean;
  label: string;
  /** Row ids, newest first. */
  rowIds: string[];
}

export interface RunsView {
  rows: RunRow[];
  models: string[];
  cacheTypes: string[];
  /** Runs grouped by sweep, newest first. */
  sweeps: SweepView[];
  /** Measured points over the estimate per sweep (tok/s against depth). */
  charts: ChartView[];
}

export interface DashboardViewModel {
  version: 1;
  title: string;
  source: string;
  generatedAt: string;
  deployments: DeploymentView[];
  runs: RunsView;
  notes: string[];
  /** Present when the store holds endpoint load tests (src/core/loadtest/viewModel.ts). */
  loadTests?: LoadTestView;
}

const VERDICT_TEXT: Record<TargetView['verdict'], string> = {
  fits: 'fits',
  tight: 'fits, tight',
  'does-not-fit': 'does not fit',
  'will-not-start': "won't start",
};

export function buildViewModel(input: ViewModelInput): DashboardViewModel {
  const deployments = input.deployments.map(deploymentView);
  return {
    version: 1,
    title: input.title,
    source: input.source,
    generatedAt: input.generatedAt,
    deployments,
    runs: runsView(input.runs, input.deployments, input.estimateRun),
    notes: input.notes ?? [],
    ...(input.loadTests?.length ? { loadTests: buildLoadTestView({ records: input.loadTests, profile: input.profilePath, deployments: input.deployments }) } : {}),
  };
}

function deploymentView(d: DeploymentInput): DeploymentView {
  const r = d.report;
  if (!r) return { name: d.name, error: d.error ?? 'no estimate', targets: [], charts: [], warnings: [] };
  const verdicts = r.targets.map((t, i) => d.verdicts?.[i] ?? targetVerdict(r, t));
  const m = r.model;
  const e = r.engine;
  return {
    name: d.name,
    error: d.error,
    model: {
      name: m.name,
      architecture: m.architecture,
      params: isNum(m.params) ? { text: paramsText(m.params), value: m.params } : missing('parameter count unknown'),
      activeParams: isNum(m.activeParams) ? { text: paramsText(m.activeParams), value: m.activeParams } : missing('active parameters unknown'),
      weights: bytesCell(m.weightsBytes, 'weights'),
      missing: m.missing ?? [],
    },
    engine: {
      kind: e.kind,
      context: intCell(e.contextSize, 'context size', 'tokens'),
      parallel: intCell(e.parallel, 'parallel sequences'),
      cacheTypes: `${e.cacheTypeK}/${e.cacheTypeV}`,
      flashAttention: e.flashAttention,
      kvPerToken: bytesCell(e.kvBytesPerToken, 'KV bytes per token'),
      tensorParallel: e.tensorParallel,
    },
    workload: `${tokensText(r.workload.promptTokens)} prompt + ${tokensText(r.workload.outputTokens)} output tokens, ${r.workload.concurrency} concurrent`,
    targets: r.targets.map((t, i) => targetView(r, t, verdicts[i], d.reestimate)),
    charts: deploymentCharts(r, verdicts, d.reestimate),
    warnings: r.warnings ?? [],
  };
}

export function memorySegments(t: TargetEstimate): MemorySegment[] {
  const mem = t.memory;
  const cap = isNum(mem.capacityBytes) && mem.capacityBytes > 0 ? mem.capacityBytes : 0;
  const parts: [SegmentKey, string, number | undefined][] = [
    ['weights', 'Weights', mem.weightsBytes],
    ['kv', 'KV cache', mem.kvBytes],
    ['compute', 'Compute buffers', mem.computeBytes],
    ['overhead', 'Runtime overhead', mem.overheadBytes],
  ];
  const segs: MemorySegment[] = [];
  let used = 0;
  for (const [key, label, b] of parts) {
    if (!isNum(b) || b <= 0) continue;
    used += b;
    segs.push({ key, label, bytes: b, pct: cap ? (b / cap) * 100 : 0, text: bytesText(b) });
  }
  if (cap) {
    if (used <= cap) {
      segs.push({ key: 'free', label: 'Free', bytes: cap - used, pct: ((cap - used) / cap) * 100, text: bytesText(cap - used) });
    } else {
      segs.push({ key: 'overflow', label: 'Over capacity', bytes: used - cap, pct: ((used - cap) / cap) * 100, text: bytesText(used - cap) });
    }
  }
  return segs;
}

function bandCell(expected: number | undefined, band: number, fmt: (n: number) => string, title = 'uncalibrated efficiency; a measured run narrows it'): Cell {
  if (!isNum(expected) || !isNum(band)) return missing('no ± band: the estimate has no figure here');
  const lo = fmt(expected * (1 - band));
  const hi = fmt(expected * (1 + band));
  // One unit for the range when both ends have the same one: "143 – 266 ms", so it fits a narrow column.
  const unit = /\s(\S+)$/.exec(lo)?.[1];
  const range = unit && hi.endsWith(` ${unit}`) ? `${lo.slice(0, -unit.length - 1)} – ${hi}` : `${lo} – ${hi}`;
  return { text: `± ${percentText(band * 100)} (${range})`, value: band, title };
}

function metricRows(r: EstimateReport, t: TargetEstimate): MetricRow[] {
  const p = t.perf;
  const th = p.theoretical ?? ({} as Partial<TargetEstimate['perf']['theoretical']>);
  // Prefill figures carry the prefill band, decode figures the decode band (each with what measured it).
  const pre = figureBand(t, 'prefill');
  const dec = figureBand(t, 'decode');
  const preT = bandSource(t, 'prefill');
  const decT = bandSource(t, 'decode');
  const noPeak = missing('no theoretical peak for this figure');
  const rows: MetricRow[] = [
    {
      metric: 'Users that fit',
      expected: isNum(t.concurrency.maxSequences)
        ? { text: `${Math.max(0, Math.floor(t.concurrency.maxSequences)).toLocaleString('en-US')} @ ${tokensText(t.concurrency.atContext)} tokens`, value: t.concurrency.maxSequences }
        : missing('concurrency not computed'),
      band: missing('memory is exact: no band'),
      theoretical: isNum(t.concurrency.maxContextAtParallel)
        ? { text: `max context ${tokensText(t.concurrency.maxContextAtParallel)} tokens at -np ${r.engine.parallel}`, value: t.concurrency.maxContextAtParallel }
        : noPeak,
      note: 'sequences of the configured context that fit in memory',
    },
    { metric: 'TTFT', expected: secondsCell(p.ttftSec, 'TTFT'), band: bandCell(p.ttftSec, pre, secondsText, preT), theoretical: secondsCell(th.ttftSec, 'peak TTFT'), note: `one ${tokensText(r.workload.promptTokens)}-token prompt, no queueing` },
    { metric: 'TPOT', expected: secondsCell(p.tpotSec, 'TPOT'), band: bandCell(p.tpotSec, dec, secondsText, decT), theoretical: secondsCell(th.tpotSec, 'peak TPOT'), note: `at ${r.workload.concurrency} concurrent` },
    { metric: 'Decode per user', expected: rateCell(p.decodeTokensPerSec, 'decode speed'), band: bandCell(p.decodeTokensPerSec, dec, rateText, decT), theoretical: rateCell(th.decodeTokensPerSec, 'peak decode'), note: `${p.bound}-bound` },
  ];
  const aggTh = isNum(th.decodeTokensPerSec) ? th.decodeTokensPerSec * r.workload.concurrency : undefined;
  rows.push({
    metric: 'Decode, all users',
    expected: rateCell(p.aggregateDecodeTokensPerSec ?? (isNum(p.decodeTokensPerSec) ? p.decodeTokensPerSec * r.workload.concurrency : undefined), 'aggregate decode'),
    band: bandCell(p.aggregateDecodeTokensPerSec ?? (isNum(p.decodeTokensPerSec) ? p.decodeTokensPerSec * r.workload.concurrency : undefined), dec, rateText, decT),
    theoretical: rateCell(aggTh, 'peak aggregate decode'),
    note: plural(r.workload.concurrency, 'sequence'),
  });
  rows.push({ metric: 'Prefill', expected: rateCell(p.prefillTokensPerSec, 'prefill speed'), band: bandCell(p.prefillTokensPerSec, pre, rateText, preT), theoretical: rateCell(th.prefillTokensPerSec, 'peak prefill'), note: `${p.prefillBound ?? 'compute'}-bound` });
  rows.push({ metric: 'Context switch', expected: secondsCell(p.contextSwitchSec, 'context switch'), band: missing('host-link bound; no band'), theoretical: noPeak, note: "one user's KV out and another's in over the host link" });
  if (p.speculative) {
    const s = p.speculative;
    rows.push({
      metric: 'Speculative speedup',
      expected: isNum(s.speedup) ? { text: `×${sig(s.speedup, 3)}`, value: s.speedup } : missing('speedup not computed'),
      band: missing('depends on the acceptance rate'),
      theoretical: isNum(s.bestSpeedup) ? { text: `×${sig(s.bestSpeedup, 3)} at γ=${s.bestDraftLength}`, value: s.bestSpeedup } : { text: `best γ=${s.bestDraftLength}`, value: s.bestDraftLength },
      note: 'MagicDec model',
    });
  }
  return rows;
}

function whatIfRows(r: EstimateReport, t: TargetEstimate): WhatIfRow[] {
  const list: WhatIf[] = t.whatIfs ?? [];
  return list.map((w) => {
    // A window/eviction budget is not an engine option: the estimator explains that in `invalid`, but its figures
    // are the point of the row, so they stay and the text becomes a note.
    const comparisonOnly = w.windowTokens !== undefined;
    const reason = comparisonOnly ? undefined : w.invalid;
    const cur = w.cacheTypeK === r.engine.cacheTypeK && w.cacheTypeV === r.engine.cacheTypeV && w.windowTokens === undefined;
    const why = (what: string) => (reason ? missing(`${what}: not available — ${reason}`) : missing(`${what}: not computed`));
    return {
      cacheTypes: `${w.cacheTypeK}/${w.cacheTypeV}`,
      window: w.windowTokens !== undefined ? `${tokensText(w.windowTokens)} window` : 'full',
      memory: reason ? why('KV memory') : bytesCell(w.kvBytes, 'KV memory'),
      perToken: reason ? why('bytes per token') : bytesCell(w.kvBytesPerToken, 'KV bytes per token'),
      users: reason ? why('users') : intCell(w.maxSequences, 'users that fit'),
      decode: reason ? why('decode') : rateCell(w.decodeTokensPerSec, 'decode speed'),
      fits: !reason && w.fits,
      current: cur,
      invalid: reason,
      note: comparisonOnly ? w.invalid ?? 'eviction budget: compare only' : undefined,
    };
  });
}

function findTarget(r: EstimateReport | undefined, id: string): TargetEstimate | undefined {
  return r?.targets.find((x) => x.id === id);
}

export { concurrencyLadder } from './charts';

function decodeChart(r: EstimateReport, t: TargetEstimate, reestimate?: Reestimate): ChartView {
  const c0 = Math.max(1, r.workload.concurrency);
  const fitN = isNum(t.concurrency.maxSequences) ? Math.floor(t.concurrency.maxSequences) : 0;
  // Past the users that fit, so the marker sits inside the chart and the curve shows what more users would give.
  const xs = concurrencyLadder(Math.max(8, c0 * 2, Math.ceil(Math.min(fitN, 256) * 1.5)));
  const { points, estimated } = decodeCurve(r, t, xs, reestimate);
  const note = estimated
    ? 'each point is a full estimate with that many slots at the configured per-sequence context; past the marker the KV cache no longer fits and throughput stops growing'
    : `extrapolated from the estimate at ${c0} concurrent (memory-bound roofline; ignores the compute bound at large batch)`;
  const markers = fitN >= 1 ? [{ x: fitN, label: `${fitN} users fit` }] : [];
  return {
    id: 'decode-vs-concurrency',
    title: 'Decode tok/s against concurrency',
    xLabel: 'Concurrent sequences',
    yLabel: 'Decode, all users (tok/s)',
    yUnit: 'tok/s',
    x: xs,
    series: [
      { label: 'Expected', values: points.map((p) => p.total), kind: 'line' },
      { label: 'Theoretical peak', values: points.map((p) => p.peakTotal), kind: 'theoretical' },
    ],
    markers,
    note,
  };
}

const PAD = 256;
const pad = (n: number) => Math.ceil(n / PAD) * PAD;

function contextChart(r: EstimateReport, t: TargetEstimate, reestimate?: Reestimate): ChartView {
  const ctx = Math.max(1, r.engine.contextSize || t.concurrency.atContext || 4096);
  const maxCtx = Math.max(ctx * 2, t.concurrency.maxContextAtParallel ?? 0, 4096);
  const steps = 24;
  const xs: number[] = [];
  for (let i = 1; i <= steps; i++) xs.push(pad((maxCtx * i) / steps));
  const G = 1024 ** 3;
  const base = (t.memory.weightsBytes || 0) + (t.memory.computeBytes || 0) + (t.memory.overheadBytes || 0);
  const kv: (number | null)[] = [];
  let exact = false;
  if (reestimate) {
    for (const x of xs) {
      const tt = findTarget(reestimate({ contextSize: x }), t.id);
      kv.push(isNum(tt?.memory.kvBytes) ? tt!.memory.kvBytes / G : null);
    }
    exact = kv.some((v) => v !== null);
  }
  if (!exact) {
    kv.length = 0;
    for (const x of xs) kv.push(isNum(t.memory.kvBytesPerToken) ? (t.memory.kvBytesPerToken * x) / G : null);
  }
  const total = kv.map((v) => (v === null ? null : v + base / G));
  const cap = isNum(t.memory.capacityBytes) ? t.memory.capacityBytes / G : null;
  return {
    id: 'kv-vs-context',
    title: 'Memory against context length',
    xLabel: `Context (tokens, all ${r.engine.parallel} slots)`,
    yLabel: 'Memory per device (GiB)',
    yUnit: 'GiB',
    x: xs,
    series: [
      { label: 'KV cache', values: kv, kind: 'line' },
      { label: 'Weights + buffers + KV', values: total, kind: 'theoretical' },
      { label: `Capacity ${cap === null ? DASH : bytesText(t.memory.capacityBytes)}`, values: xs.map(() => cap), kind: 'capacity' },
    ],
    markers: [{ x: ctx, label: `configured ${tokensText(ctx)}` }],
    note: exact ? 'KV from the estimator at each context (llama.cpp padding included)' : `KV = ${bytesText(t.memory.kvBytesPerToken)} per token × context`,
  };
}

/** Where it does not run, every speed figure is "—" saying why; what fits (users, max context) stays. */
function withoutSpeed(rows: MetricRow[], why: string): MetricRow[] {
  return rows.map((m, i) => (i === 0 ? m : { ...m, expected: missing(why), band: missing(why), theoretical: missing(why) }));
}

function targetView(r: EstimateReport, t: TargetEstimate, v: TargetVerdict, reestimate?: Reestimate): TargetView {
  const verdict = v.state;
  const cap = t.memory.capacityBytes;
  const usedPct = isNum(cap) && cap > 0 && isNum(t.memory.totalBytes) ? (t.memory.totalBytes / cap) * 100 : 0;
  const total = bytesCell(t.memory.totalBytes, 'total memory');
  const capacity = bytesCell(cap, 'capacity');
  const users = isNum(t.concurrency.maxSequences) ? Math.max(0, Math.floor(t.concurrency.maxSequences)) : undefined;
  const dec = isNum(t.perf.decodeTokensPerSec) ? rateText(t.perf.decodeTokensPerSec) + '/user' : DASH;
  return {
    id: t.id,
    name: t.name || t.id,
    devices: t.devices,
    atContext: t.concurrency.atContext,
    verdict,
    verdictText: VERDICT_TEXT[verdict] ?? String(verdict),
    verdictSummary: v.summary,
    summary: v.speed
      ? `${total.text} of ${capacity.text} · ${users ?? DASH} users @ ${tokensText(t.concurrency.atContext)} · TTFT ${secondsCell(t.perf.ttftSec, 'TTFT').text} · ${dec}`
      : `${total.text} of ${capacity.text} · ${VERDICT_TEXT[verdict]}${v.why ? `: ${v.why}` : ''}`,
    noSpeed: noSpeedText(v),
    memory: {
      capacity,
      total,
      headroom: isNum(t.memory.headroomBytes) ? bytesCell(t.memory.headroomBytes, 'headroom') : missing('headroom not computed'),
      segments: memorySegments(t),
      usedPct,
    },
    metrics: v.speed ? metricRows(r, t) : withoutSpeed(metricRows(r, t), noSpeedText(v) ?? v.words),
    whatIfs: whatIfRows(r, t),
    // A decode curve for a deployment that does not run would chart nothing real: memory only, then.
    charts: v.speed ? [decodeChart(r, t, reestimate), contextChart(r, t, reestimate)] : [contextChart(r, t, reestimate)],
    assumptions: t.assumptions ?? [],
    extras: extrasOf(t),
    ...(v.speed && t.perf.calibration ? { calibration: calibrationView(t.perf.calibration) } : {}),
  };
}

const KNOWN_TARGET_KEYS = new Set(['id', 'name', 'devices', 'memory', 'concurrency', 'perf', 'whatIfs', 'assumptions', 'errors']);

/** Unknown top-level object fields of a target estimate, flattened one level to short text pairs. */
function extrasOf(t: TargetEstimate): TargetView['extras'] {
  const out: { label: string; value: string }[] = [];
  const show = (v: unknown): string | undefined => {
    if (typeof v === 'number') return isNum(v) ? (Number.isInteger(v) ? v.toLocaleString('en-US') : sig(v, 3)) : undefined;
    if (typeof v === 'string') return v.length > 200 ? `${v.slice(0, 200)}…` : v;
    if (typeof v === 'boolean') return v ? 'yes' : 'no';
    return undefined;
  };
  for (const [k, v] of Object.entries(t as unknown as Record<string, unknown>)) {
    if (KNOWN_TARGET_KEYS.has(k) || v === undefined || v === null) continue;
    const direct = show(v);
    if (direct !== undefined) out.push({ label: k, value: direct });
    else if (typeof v === 'object' && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>).slice(0, 12)) {
        const s2 = show(v2);
        if (s2 !== undefined) out.push({ label: `${k} ${k2}`, value: s2 });
      }
    }
    if (out.length >= 24) break;
  }
  return out.length ? out : undefined;
}

export function testName(res: { n_prompt: number; n_gen: number; n_depth: number }): { name: string; kind: RunRow['kind'] } {
  const depth = res.n_depth > 0 ? ` @ d${res.n_depth}` : '';
  if (res.n_prompt > 0 && res.n_gen === 0) return { name: `pp${res.n_prompt}${depth}`, kind: 'prefill' };
  if (res.n_gen > 0 && res.n_prompt === 0) return { name: `tg${res.n_gen}${depth}`, kind: 'decode' };
  return { name: `pp${res.n_prompt}+tg${res.n_gen}${depth}`, kind: 'mixed' };
}

function baseName(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] || p;
}

/**
 * A run's estimate: what was saved with the record, with any figure it lacks (the extension saves KV bytes only)
 * recomputed from a deployment on the same model.
 */
function runEstimate(rec: ResultRecord, deployments: DeploymentInput[], estimateRun?: ViewModelInput['estimateRun']): { kv?: number; prefill?: number; decode?: number; from: string } {
  const saved = rec.estimate;
  const have = { kv: saved?.kvBytes, prefill: saved?.prefillTokensPerSec, decode: saved?.decodeTokensPerSec };
  const res = rec.result;
  // What this test needs: a prefill rate for pp tests, a decode rate for tg, both for pp+tg.
  const needPrefill = (res?.n_prompt ?? 0) > 0;
  const needDecode = (res?.n_gen ?? 0) > 0;
  const complete = isNum(have.kv) && (!needPrefill || isNum(have.prefill)) && (!needDecode || isNum(have.decode));
  const anySaved = isNum(have.kv) || isNum(have.prefill) || isNum(have.decode);
  if (complete) return { ...have, from: 'saved with the run' };
  // The run's own model and settings on the machine it ran on: the estimate the run is compared with.
  let own: RunEstimate | undefined;
  try {
    own = estimateRun?.(rec);
  } catch {
    own = undefined;
  }
  if (own && (isNum(own.kv) || isNum(own.prefill) || isNum(own.decode))) {
    return {
      kv: isNum(have.kv) ? have.kv : own.kv,
      prefill: isNum(have.prefill) ? have.prefill : own.prefill,
      decode: isNum(have.decode) ? have.decode : own.decode,
      from: anySaved ? `saved with the run; missing figures ${own.from}` : own.from,
    };
  }
  const names = [rec.model.name, baseName(rec.model.path), rec.result.model_filename && baseName(rec.result.model_filename)].filter(Boolean);
  for (const d of deployments) {
    const r = d.report;
    if (!r || !d.reestimate) continue;
    if (!names.includes(r.model.name)) continue;
    const again = d.reestimate({
      cacheTypeK: rec.result.type_k, cacheTypeV: rec.result.type_v, contextSize: rec.result.n_ctx,
      parallel: rec.result.n_seq ?? 1, concurrency: 1,
    });
    const t = again?.targets.find((x) => x.id === 'local') ?? again?.targets[0];
    if (!t) continue;
    const from = anySaved ? `saved with the run; missing figures recomputed for ${t.name || t.id}` : `recomputed for ${t.name || t.id}`;
    return {
      kv: isNum(have.kv) ? have.kv : t.memory.kvBytes,
      prefill: isNum(have.prefill) ? have.prefill : t.perf.prefillTokensPerSec,
      decode: isNum(have.decode) ? have.decode : t.perf.decodeTokensPerSec,
      from,
    };
  }
  if (anySaved) return { ...have, from: 'saved with the run' };
  return { from: 'no estimate for this model' };
}

function runsView(records: ResultRecord[], deployments: DeploymentInput[], estimateRun?: ViewModelInput['estimateRun']): RunsView {
  const rows: RunRow[] = [];
  for (const rec of records) {
    const res = rec.result;
    if (!res) continue;
    const { name, kind } = testName(res);
    const est = runEstimate(rec, deployments, estimateRun);
    // llama-bench's pp+tg t/s = (prompt + gen) tokens / total time.
    const mixed = kind === 'mixed' && isNum(est.prefill) && isNum(est.decode) && est.prefill > 0 && est.decode > 0
      ? (res.n_prompt + res.n_gen) / (res.n_prompt / est.prefill + res.n_gen / est.decode) : undefined;
    const estRate = kind === 'prefill' ? est.prefill : kind === 'decode' ? est.decode : mixed;
    const measured: Cell = res.error
      ? missing(`failed: ${res.error}`)
      : isNum(res.avg_ts)
        // A spread needs two samples: one repetition has a standard deviation of 0, which says nothing.
        ? { text: `${rateText(res.avg_ts)}${isNum(res.stddev_ts) && !(res.stddev_ts === 0 && (res.samples_ts?.length ?? 0) < 2) ? ` ± ${sig(res.stddev_ts, 2)}` : ''}`, value: res.avg_ts }
        : missing('no tok/s in the record');
    const estimate: Cell = isNum(estRate)
      ? { ...rateCell(estRate, 'estimate'), title: est.from }
      : missing(est.from);
    const model = rec.model.name || baseName(rec.model.path || res.model_filename || '') || DASH;
    rows.push({
      id: rec.id,
      runId: rec.runId,
      savedAt: rec.savedAt,
      model,
      modelPath: rec.model.path || res.model_filename || '',
      typeK: res.type_k,
      typeV: res.type_v,
      nCtx: res.n_ctx,
      test: name,
      kind,
      measured,
      estimate,
      diff: res.error ? missing('the test failed') : diffCell(res.avg_ts, estRate, 'difference'),
      kvMeasured: res.error ? missing('the test failed') : bytesCell(res.kv_bytes, 'measured KV'),
      kvEstimate: isNum(est.kv) ? { ...bytesCell(est.kv, 'KV estimate'), title: est.from } : missing(est.from),
      kvDiff: res.error ? missing('the test failed') : diffCell(res.kv_bytes, est.kv, 'KV difference'),
      machine: [rec.machine?.cpu, isNum(rec.machine?.cores) ? `${rec.machine.cores} cores` : undefined].filter(Boolean).join(', ') || DASH,
      engine: [res.engine, res.llama_cpp_version].filter(Boolean).join(' ') || DASH,
      error: res.error,
      depth: res.n_depth ?? 0,
      measuredValue: res.error || !isNum(res.avg_ts) ? undefined : res.avg_ts,
      estimateValue: isNum(estRate) ? estRate : undefined,
    });
  }
  rows.sort((a, b) => (a.savedAt < b.savedAt ? 1 : a.savedAt > b.savedAt ? -1 : 0));
  const models = [...new Set(rows.map((r) => r.model))].sort();
  const cacheTypes = [...new Set(rows.map((r) => `${r.typeK}/${r.typeV}`))].sort();
  const sweeps = sweepsOf(rows, records);
  return { rows, models, cacheTypes, sweeps, charts: sweepCharts(sweeps, rows) };
}

/** Runs grouped by runId; a run that saved fewer tests than it planned was cancelled or stopped. */
function sweepsOf(rows: RunRow[], records: ResultRecord[]): SweepView[] {
  const planned = new Map<string, number>();
  for (const r of records) {
    const p = r.planned;
    if (typeof p === 'number' && Number.isInteger(p) && p > 0) planned.set(r.runId, Math.max(planned.get(r.runId) ?? 0, p));
  }
  const groups = new Map<string, RunRow[]>();
  for (const row of rows) {
    const g = groups.get(row.runId);
    if (g) g.push(row);
    else groups.set(row.runId, [row]);
  }
  const out: SweepView[] = [];
  for (const [runId, g] of groups) {
    const first = g[g.length - 1];
    const p = planned.get(runId);
    const incomplete = p !== undefined && g.length < p;
    const when = first.savedAt.replace('T', ' ').slice(0, 16);
    // Rows show no model (the heading does): a group of runs on several models (records without a run id) names all.
    const models = [...new Set(g.map((r) => r.model))];
    const model = models.length > 3 ? `${models.slice(0, 3).join(', ')} +${models.length - 3}` : models.join(', ');
    out.push({
      runId, savedAt: first.savedAt, model: first.model, machine: first.machine, saved: g.length, planned: p, incomplete,
      label: `${when} · ${model} · ${p !== undefined ? `${g.length} of ${p} tests` : plural(g.length, 'test')}${first.machine !== DASH ? ` · ${first.machine}` : ''}${incomplete ? ' — cancelled or stopped before the end' : ''}`,
      rowIds: g.map((r) => r.id),
    });
  }
  return out.sort((a, b) => (a.savedAt < b.savedAt ? 1 : a.savedAt > b.savedAt ? -1 : 0));
}

export interface RunFilter {
  /** Free text matched against model, test and cache types. */
  text?: string;
  /** "typeK/typeV" */
  type?: string;
  /** ISO dates (inclusive, compared on the day). */
  from?: string;
  to?: string;
}

export function filterRuns(rows: RunRow[], f: RunFilter | undefined): RunRow[] {
  if (!f) return rows;
  const text = (f.text ?? '').trim().toLowerCase();
  return rows.filter((r) => {
    if (text && ![r.model, r.test, `${r.typeK}/${r.typeV}`, r.modelPath].some((s) => s.toLowerCase().includes(text))) return false;
    if (f.type && `${r.typeK}/${r.typeV}` !== f.type) return false;
    const day = r.savedAt.slice(0, 10);
    if (f.from && day < f.from) return false;
    if (f.to && day > f.to) return false;
    return true;
  });
}
