// The dashboard's charts that put several targets (or a sweep's measurements) on one chart:
// - aggregate decode tok/s against concurrency, every target that runs;
// - the throughput–latency (Pareto) view serving engineers use: per-user tok/s against total tok/s, one point
//   per concurrency, per target;
// - TTFT against prompt length, per target;
// - per measured sweep: measured tok/s as points over the estimate for the same tests, against depth.
// Each chart carries its data table (for screen readers). Pure: the estimator runs through `reestimate`.
import type { EstimateReport, TargetEstimate } from '../estimator/report';
import type { TargetVerdict } from '../verdict';
import { isNum, sig, tokensText } from './format';
import type { ChartSeries, ChartView, EstimateOverrides, Reestimate, RunRow, SweepView } from './viewModel';

/** 1..n, every integer while small, then a geometric-ish ladder so wide sweeps stay cheap to estimate. */
export function concurrencyLadder(n: number): number[] {
  const max = Math.max(1, Math.min(4096, Math.ceil(n)));
  if (max <= 32) return Array.from({ length: max }, (_, i) => i + 1);
  const out = new Set<number>();
  for (let i = 1; i <= 16; i++) out.add(i);
  for (let v = 16; v < max; v = Math.ceil(v * 1.25)) out.add(v);
  out.add(max);
  return [...out].sort((a, b) => a - b);
}

export interface DecodePoint {
  /** Aggregate decode tok/s of all users. */
  total: number | null;
  /** Decode tok/s each user sees. */
  perUser: number | null;
  /** The same at peak (theoretical) efficiency. */
  peakTotal: number | null;
}

/**
 * Decode at each concurrency c: a full estimate with c slots at the configured per-sequence context when the
 * estimator can re-run, else the memory-bound roofline through the estimate's own point (step time =
 * (weights + c · KV per sequence) / bandwidth, bandwidth recovered from TPOT at the workload's concurrency).
 */
export function decodeCurve(r: EstimateReport, t: TargetEstimate, xs: readonly number[], reestimate?: Reestimate): { points: DecodePoint[]; estimated: boolean } {
  const points: DecodePoint[] = [];
  if (reestimate) {
    const perSeq = Math.max(1, Math.floor((r.engine.contextSize || t.concurrency.atContext) / Math.max(1, r.engine.parallel)));
    for (const c of xs) {
      const o: EstimateOverrides = r.engine.kind === 'llama.cpp' ? { concurrency: c, parallel: c, contextSize: perSeq * c } : { concurrency: c, parallel: c };
      const tt = reestimate(o)?.targets.find((x) => x.id === t.id);
      const per = tt?.perf.decodeTokensPerSec;
      const agg = tt?.perf.aggregateDecodeTokensPerSec ?? (isNum(per) ? per * c : undefined);
      // The estimator serves min(users, slots, what fits) at once; the peak uses the same batch.
      const batch = isNum(agg) && isNum(per) && per > 0 ? agg / per : c;
      const thAgg = isNum(tt?.perf.theoretical?.decodeTokensPerSec) ? tt!.perf.theoretical.decodeTokensPerSec * batch : undefined;
      points.push({ total: isNum(agg) ? agg : null, perUser: isNum(per) ? per : null, peakTotal: isNum(thAgg) ? thAgg : null });
    }
    if (points.some((p) => p.total !== null)) return { points, estimated: true };
    points.length = 0;
  }
  const c0 = Math.max(1, r.workload.concurrency);
  const W = t.memory.weightsBytes;
  const kvSeq = t.memory.kvBytesPerToken * (r.workload.promptTokens + r.workload.outputTokens / 2);
  const step = (tpot0: number | undefined, c: number): number | undefined => {
    if (!isNum(tpot0) || tpot0 <= 0 || !isNum(W) || !isNum(kvSeq)) return undefined;
    const bw = (W + c0 * kvSeq) / tpot0;
    const s = (W + c * kvSeq) / bw;
    return s > 0 ? s : undefined;
  };
  for (const c of xs) {
    const s = step(t.perf.tpotSec, c);
    const p = step(t.perf.theoretical?.tpotSec, c);
    points.push({ total: s ? c / s : null, perUser: s ? 1 / s : null, peakTotal: p ? c / p : null });
  }
  return { points, estimated: false };
}

const fmt = (v: number | null, unit: string): string => (v === null ? '—' : `${sig(v, 3)} ${unit}`);

/** Targets whose speed means something: those that fit and start (others have no speed figures at all). */
function running(r: EstimateReport, verdicts: readonly TargetVerdict[]): { t: TargetEstimate; v: TargetVerdict }[] {
  return r.targets.map((t, i) => ({ t, v: verdicts[i] })).filter((x) => x.v?.speed);
}

function skippedNote(r: EstimateReport, verdicts: readonly TargetVerdict[]): string {
  const off = r.targets.map((_, i) => verdicts[i]).filter((v) => v && !v.speed);
  return off.length ? ` Not drawn: ${off.map((v) => `${v.label} (${v.words})`).join(', ')}.` : '';
}

export function deploymentCharts(r: EstimateReport, verdicts: readonly TargetVerdict[], reestimate?: Reestimate): ChartView[] {
  const live = running(r, verdicts);
  if (!live.length) return [];
  const skipped = skippedNote(r, verdicts);
  const fitMax = Math.max(...live.map(({ v }) => Math.min(v.users, 256)));
  const xs = concurrencyLadder(Math.max(8, Math.max(1, r.workload.concurrency) * 2, Math.ceil(fitMax * 1.5)));
  const curves = live.map(({ t, v }) => ({ v, ...decodeCurve(r, t, xs, reestimate) }));
  const how = curves.every((c) => c.estimated) ? 'each point is a full estimate with that many slots at the configured context per sequence' : 'extrapolated from each estimate along the memory-bound roofline';

  const throughput: ChartView = {
    id: 'throughput-vs-concurrency',
    title: 'Total decode tok/s against concurrency, every target',
    xLabel: 'Concurrent sequences',
    yLabel: 'Decode, all users (tok/s)',
    yUnit: 'tok/s',
    x: xs,
    series: curves.map((c) => ({ label: c.v.label, values: c.points.map((p) => p.total), kind: 'line' as const })),
    markers: [],
    note: `${how}; a curve flattens where that target's memory holds no more sequences.${skipped}`,
  };

  // Pareto: per-user speed (what each user sees) against total throughput (what the hardware delivers).
  const xsUnion = new Set<number>();
  for (const c of curves) for (const p of c.points) if (p.perUser !== null) xsUnion.add(Number(p.perUser.toPrecision(6)));
  const px = [...xsUnion].sort((a, b) => a - b);
  const series: ChartSeries[] = curves.map((c) => {
    const byX = new Map<number, number | null>();
    for (const p of c.points) if (p.perUser !== null) byX.set(Number(p.perUser.toPrecision(6)), p.total);
    return { label: c.v.label, values: px.map((x) => (byX.has(x) ? byX.get(x)! : null)), kind: 'line' as const };
  });
  const rows: string[][] = [];
  for (const c of curves) {
    c.points.forEach((p, i) => {
      if (p.perUser === null && p.total === null) return;
      rows.push([c.v.label, String(xs[i]), fmt(p.perUser, 'tok/s'), fmt(p.total, 'tok/s')]);
    });
  }
  const pareto: ChartView = {
    id: 'pareto',
    title: 'Throughput against per-user speed (the Pareto view)',
    xLabel: 'Decode per user (tok/s)',
    yLabel: 'Decode, all users (tok/s)',
    xUnit: 'tok/s',
    yUnit: 'tok/s',
    x: px,
    series,
    markers: [],
    note: `one point per number of concurrent users: right is faster for each user, up is more for the hardware; a target whose curve lies above and to the right of another's serves both better.${skipped}`,
    table: { head: ['Target', 'Concurrent users', 'Per user', 'All users'], rows },
  };

  const charts = [throughput, pareto];
  if (reestimate) {
    const perSeq = Math.max(...live.map(({ t }) => t.concurrency.atContext || r.engine.contextSize));
    const prompts: number[] = [];
    for (let p = 256; p <= Math.max(512, perSeq); p *= 2) prompts.push(p);
    if (prompts.length) {
      const vals = live.map(({ t, v }) => ({
        v, values: prompts.map((p) => {
          const tt = reestimate({ promptTokens: p, concurrency: 1 })?.targets.find((x) => x.id === t.id);
          return isNum(tt?.perf.ttftSec) ? tt!.perf.ttftSec : null;
        }),
      }));
      if (vals.some((s) => s.values.some((x) => x !== null))) {
        charts.push({
          id: 'ttft-vs-prompt',
          title: 'Time to first token against prompt length, every target',
          xLabel: 'Prompt (tokens)',
          yLabel: 'TTFT (s)',
          xUnit: 'tokens',
          yUnit: 's',
          x: prompts,
          series: vals.map((s) => ({ label: s.v.label, values: s.values, kind: 'line' as const })),
          markers: [{ x: r.workload.promptTokens, label: `workload ${tokensText(r.workload.promptTokens)}` }],
          note: `one request on an idle server (no queueing); prefill is compute-bound, attention adds a term that grows with the square of the prompt.${skipped}`,
        });
      }
    }
  }
  return charts;
}

/** Measured tok/s as points over the estimate for the same tests, against depth: one chart per sweep and kind. */
export function sweepCharts(sweeps: readonly SweepView[], rows: readonly RunRow[]): ChartView[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const charts: ChartView[] = [];
  for (const sw of sweeps.slice(0, 3)) {
    const mine = sw.rowIds.map((id) => byId.get(id)).filter((r): r is RunRow => !!r && r.kind !== 'mixed');
    for (const kind of ['prefill', 'decode'] as const) {
      const rs = mine.filter((r) => r.kind === kind && (r.measuredValue !== undefined || r.estimateValue !== undefined));
      if (!rs.length) continue;
      const xs = [...new Set(rs.map((r) => r.depth))].sort((a, b) => a - b);
      const types = [...new Set(rs.map((r) => `${r.typeK}/${r.typeV}`))];
      const series: ChartSeries[] = [];
      for (const ty of types) {
        const at = (d: number, key: 'measuredValue' | 'estimateValue') => {
          const hit = rs.filter((r) => `${r.typeK}/${r.typeV}` === ty && r.depth === d).map((r) => r[key]).filter((v): v is number => v !== undefined);
          return hit.length ? hit.reduce((a, b) => a + b, 0) / hit.length : null;
        };
        series.push({ label: `${ty} estimate`, values: xs.map((d) => at(d, 'estimateValue')), kind: 'line' });
        series.push({ label: `${ty} measured`, values: xs.map((d) => at(d, 'measuredValue')), kind: 'measured' });
      }
      const test = rs[0].test.replace(/ @ d\d+$/, '');
      charts.push({
        id: `sweep-${kind}-${sw.runId}`,
        title: `${kind === 'prefill' ? 'Prompt processing' : 'Generation'} (${test}): measured against the estimate`,
        xLabel: 'Depth already in the cache (tokens)',
        yLabel: `${kind === 'prefill' ? 'Prefill' : 'Decode'} (tok/s)`,
        xUnit: 'tokens',
        yUnit: 'tok/s',
        x: xs,
        series,
        markers: [],
        note: `sweep ${sw.label}; points are measured, lines are the estimator's figure for the same test on this machine.`,
      });
    }
  }
  return charts;
}
