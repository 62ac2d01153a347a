// What the dashboard's "Load tests" tab shows, from the store's load-test steps and the open profile's estimator:
// per run, a row per step (measured percentiles, the estimate, the difference), three charts against concurrency
// (TTFT, TPOT, output-token throughput) with the estimate's curve and ± band drawn over the measured points, the
// knee, the server's own figures and the α fit beside the profile's assumption. Pure: the webview only lays it out.
import { diffCell, isNum, missing, rateCell, secondsCell, sig, type Cell } from '../report/format';
import type { EstimateReport } from '../estimator/report';
import { estimateFigures, pickTarget, type StepEstimate } from './estimate';
import { findKnee } from './knee';
import type { LoadTestRecord } from './record';
import { stepName } from './text';

export interface LoadTestSeries {
  label: string;
  values: (number | null)[];
  kind: 'measured' | 'measured-p90' | 'estimate' | 'band-low' | 'band-high';
}

export interface LoadTestChart {
  id: 'ttft' | 'tpot' | 'throughput';
  title: string;
  xLabel: string;
  yLabel: string;
  yUnit: 's' | 'tok/s';
  x: number[];
  series: LoadTestSeries[];
  knee?: number;
  note: string;
}

export interface LoadTestRow {
  step: string;
  x: number;
  requests: string;
  ttft: { p50: Cell; p90: Cell; p99: Cell };
  tpot: { p50: Cell; p90: Cell; p99: Cell };
  itl: Cell;
  e2e: Cell;
  requestsPerSec: Cell;
  tokensPerSec: Cell;
  goodput: Cell;
  est: { ttft: Cell; tpot: Cell; tokensPerSec: Cell };
  diff: { ttft: Cell; tpot: Cell; tokensPerSec: Cell };
  agreement?: string;
  errors?: string;
  partial?: boolean;
}

export interface LoadTestRunView {
  runId: string;
  savedAt: string;
  title: string;
  tool: string;
  mode: 'concurrency' | 'rate';
  profile?: string;
  deployment?: string;
  target?: string;
  /** True when the run was saved with this profile (else the estimate is still this profile's, and says so). */
  sameProfile: boolean;
  rows: LoadTestRow[];
  charts: LoadTestChart[];
  knee?: { x: number; text: string };
  server: string[];
  alpha?: { measured: number; assumed?: number; method: string; text: string };
  notes: string[];
  /** Enough measured steps with an estimate beside them to calibrate from. */
  calibratable: boolean;
}

export interface LoadTestView {
  runs: LoadTestRunView[];
}

/** The estimator for a deployment at a load (the host builds it from the deployment's re-estimator). */
export type LoadReestimate = (o: { concurrency: number; promptTokens: number; outputTokens: number }) => EstimateReport | undefined;

export interface LoadTestViewInput {
  records: readonly LoadTestRecord[];
  /** The open profile's path (to mark runs saved with it), and its deployments' estimators. */
  profile?: string;
  deployments: { name: string; reestimate?: LoadReestimate; report?: EstimateReport }[];
  /** Hardware target of the estimate (default: local, else the first). */
  target?: string;
  /** Runs shown at most (newest first). */
  maxRuns?: number;
}

const three = (s: { p50: number; p90: number; p99: number } | undefined, what: string) => ({
  p50: secondsCell(s?.p50, `${what} p50`), p90: secondsCell(s?.p90, `${what} p90`), p99: secondsCell(s?.p99, `${what} p99`),
});

function mean(xs: number[]): number | undefined {
  const f = xs.filter((x) => isNum(x));
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : undefined;
}

function groupRuns(records: readonly LoadTestRecord[]): LoadTestRecord[][] {
  const by = new Map<string, LoadTestRecord[]>();
  for (const r of records) {
    const list = by.get(r.runId) ?? [];
    list.push(r);
    by.set(r.runId, list);
  }
  const runs = [...by.values()].map((l) => l.sort((a, b) => a.step.index - b.step.index));
  return runs.sort((a, b) => (a[0]!.savedAt < b[0]!.savedAt ? 1 : -1));
}

function xOf(r: LoadTestRecord): number {
  return (r.load.mode === 'concurrency' ? r.load.concurrency : r.load.rate) ?? NaN;
}

function stepEstimate(re: LoadReestimate | undefined, target: string | undefined, c: number, prompt: number, out: number): StepEstimate | undefined {
  if (!re || !(c >= 1) || !(prompt >= 1) || !(out >= 1)) return undefined;
  const r = re({ concurrency: Math.round(c), promptTokens: Math.round(prompt), outputTokens: Math.round(out) });
  const t = r && pickTarget(r, target);
  return t ? estimateFigures(t, Math.round(c), Math.round(out)) : undefined;
}

function runView(steps: LoadTestRecord[], input: LoadTestViewInput): LoadTestRunView {
  const first = steps[0]!;
  const mode = first.load.mode;
  const dep = (first.deployment ? input.deployments.find((d) => d.name === first.deployment) : undefined) ?? input.deployments[0];
  const target = input.target ?? first.estimate?.target;
  const prompt = mean(steps.map((s) => s.summary.promptTokens?.mean ?? NaN));
  const out = mean(steps.map((s) => s.summary.outputTokens?.mean ?? NaN));
  const closed = mode === 'concurrency';
  // The estimate for this profile at each measured load (closed loop only: the estimator has no arrival model).
  const estAt = (c: number) => (closed && prompt && out ? stepEstimate(dep?.reestimate, target, c, prompt, out) : undefined);
  const rows: LoadTestRow[] = steps.map((r) => {
    const s = r.summary;
    const e = estAt(xOf(r));
    const errs = Object.entries(s.errors).map(([k, n]) => `${k} × ${n}`).join(', ');
    const a = r.agreement;
    return {
      step: stepName(r),
      x: xOf(r),
      requests: `${s.requests.completed}/${s.requests.sent}`,
      ttft: three(s.ttft, 'TTFT'),
      tpot: three(s.tpot, 'TPOT'),
      itl: secondsCell(s.itl?.p50, 'ITL p50'),
      e2e: secondsCell(s.e2e?.p50, 'E2E p50'),
      requestsPerSec: isNum(s.requestThroughput) ? { text: `${sig(s.requestThroughput, 3)} req/s`, value: s.requestThroughput } : missing('request throughput not reported'),
      tokensPerSec: rateCell(s.outputTokenThroughput, 'output-token throughput'),
      goodput: s.goodput !== undefined ? { text: `${sig(s.goodput, 3)} req/s`, value: s.goodput, title: `${s.goodRequests ?? '?'} requests met every SLO` } : missing('no SLO given'),
      est: { ttft: secondsCell(e?.ttftSec, 'estimated TTFT'), tpot: secondsCell(e?.tpotSec, 'estimated TPOT'), tokensPerSec: rateCell(e?.outputTokensPerSec, 'estimated throughput') },
      diff: {
        ttft: diffCell(s.ttft?.p50, e?.ttftSec, 'TTFT difference'),
        tpot: diffCell(s.tpot?.p50, e?.tpotSec, 'TPOT difference'),
        tokensPerSec: diffCell(s.outputTokenThroughput, e?.outputTokensPerSec, 'throughput difference'),
      },
      agreement: a ? `server timings: TTFT ${a.ttftVsPromptMsPct !== undefined ? `${a.ttftVsPromptMsPct >= 0 ? '+' : ''}${a.ttftVsPromptMsPct.toFixed(1)}%` : '—'} vs prompt_ms, TPOT ${a.tpotVsPredictedPerTokenPct !== undefined ? `${a.tpotVsPredictedPerTokenPct >= 0 ? '+' : ''}${a.tpotVsPredictedPerTokenPct.toFixed(1)}%` : '—'} vs per-token ms, tokens ${a.outputTokensEqual}/${a.requests} equal` : undefined,
      errors: errs || undefined,
      partial: r.partial,
    };
  });

  // Charts: the measured points at each step, the estimate on a finer ladder between them, its ± band.
  const charts: LoadTestChart[] = [];
  const xs = steps.map(xOf);
  const maxX = Math.max(...xs.filter(isNum));
  const grid = closed && dep?.reestimate ? [...new Set([...xs, ...ladder(maxX)])].sort((a, b) => a - b) : xs;
  const ests = grid.map((c) => estAt(c));
  const byX = new Map(steps.map((r) => [xOf(r), r]));
  const knee = closed ? findKnee(steps.filter((r) => r.summary.e2e).map((r) => ({ x: xOf(r), y: r.summary.e2e!.p50 }))) : undefined;
  const mk = (id: LoadTestChart['id'], title: string, yLabel: string, yUnit: LoadTestChart['yUnit'], measured: (r: LoadTestRecord) => number | undefined, p90: ((r: LoadTestRecord) => number | undefined) | undefined, est: (e: StepEstimate) => number | undefined, note: string): LoadTestChart => {
    const val = (v: number | undefined) => (isNum(v) ? v : null);
    const series: LoadTestSeries[] = [{ label: 'Measured p50', kind: 'measured', values: grid.map((x) => { const r = byX.get(x); return r ? val(measured(r)) : null; }) }];
    if (p90) series.push({ label: 'Measured p90', kind: 'measured-p90', values: grid.map((x) => { const r = byX.get(x); return r ? val(p90(r)) : null; }) });
    if (ests.some((e) => e && isNum(est(e)))) {
      series.push({ label: `Estimate${ests.find((e) => e && isNum(e.band))?.band !== undefined ? ` ± ${Math.round(ests.find((e) => e && isNum(e.band))!.band! * 100)} %` : ''}`, kind: 'estimate', values: ests.map((e) => (e ? val(est(e)) : null)) });
      series.push({ label: 'band low', kind: 'band-low', values: ests.map((e) => (e && isNum(est(e)) && isNum(e.band) ? est(e)! * (1 - e.band) : null)) });
      series.push({ label: 'band high', kind: 'band-high', values: ests.map((e) => (e && isNum(est(e)) && isNum(e.band) ? est(e)! * (1 + e.band) : null)) });
    }
    return { id, title, xLabel: closed ? 'Concurrent requests' : 'Request rate (req/s)', yLabel, yUnit, x: grid, series, knee: knee?.x, note };
  };
  charts.push(mk('ttft', 'TTFT against load', 'TTFT', 's', (r) => r.summary.ttft?.p50, (r) => r.summary.ttft?.p90, (e) => e.ttftSec, 'measured from request creation; the estimate is one request on an idle server, so queueing shows as the gap'));
  charts.push(mk('tpot', 'TPOT against load', 'TPOT', 's', (r) => r.summary.tpot?.p50, (r) => r.summary.tpot?.p90, (e) => e.tpotSec, 'TPOT = (E2E − TTFT) / (output tokens − 1); the estimate is one decode step at that batch'));
  charts.push(mk('throughput', 'Output-token throughput against load', 'Output tok/s', 'tok/s', (r) => r.summary.outputTokenThroughput, undefined, (e) => e.outputTokensPerSec, 'measured Σ output tokens / wall time; the estimate is c·n / (TTFT + (n − 1)·TPOT)'));

  const server: string[] = [];
  let alpha: LoadTestRunView['alpha'];
  const assumed = (dep?.report ? pickTarget(dep.report, target)?.perf.speculative?.acceptanceRate : undefined) ?? first.estimate?.alpha;
  for (const r of steps) {
    const t = r.server;
    if (!t) continue;
    const parts: string[] = [];
    if (t.kvCacheUsage) parts.push(`KV cache up to ${(t.kvCacheUsage.max * 100).toFixed(1)} %`);
    if (t.runningMax !== undefined) parts.push(`${t.runningMax} running`);
    if (t.waitingMax) parts.push(`${t.waitingMax} waiting`);
    if (t.preemptions) parts.push(`${t.preemptions} preemptions`);
    if (t.prefixCache?.hitRate !== undefined) parts.push(`prefix-cache hits ${(t.prefixCache.hitRate * 100).toFixed(1)} %`);
    if (parts.length) server.push(`${stepName(r)}: ${parts.join(', ')}`);
    const fit = t.spec?.fit;
    if (fit && (!alpha || fit.drafts > 0)) {
      alpha = {
        measured: fit.alpha, assumed, method: fit.method,
        text: `α = ${fit.alpha.toFixed(3)} fitted (${fit.method}, γ ${fit.gamma.toFixed(1)}, mean accepted length ${fit.meanAcceptanceLength.toFixed(2)}) ${assumed !== undefined ? `against ${assumed.toFixed(2)} assumed by the profile` : '— the profile assumes none'}`,
      };
    }
  }
  const withEst = rows.filter((r) => r.est.tpot.value !== undefined && r.tpot.p50.value !== undefined).length;
  const notes = [...new Set(steps.flatMap((r) => [...r.notes, ...r.source.conversions]))];
  if (!dep?.reestimate && closed) notes.push('no estimate: the open file has no deployment with an estimate');
  if (!closed) notes.push('open-loop steps: the estimator models a fixed concurrency, so no estimate is drawn');
  const sameProfile = !!input.profile && first.profile === input.profile;
  if (dep?.reestimate && first.profile && !sameProfile) notes.push(`measured with another profile (${first.profile.split(/[\\/]/).pop()}); the estimate drawn is this file's`);
  return {
    runId: first.runId,
    savedAt: first.savedAt,
    title: [first.endpoint.origin, first.endpoint.server, first.endpoint.model].filter(Boolean).join(' · '),
    tool: first.source.tool,
    mode,
    profile: first.profile,
    deployment: dep?.name,
    target: ests.find(Boolean)?.targetName ?? target,
    sameProfile,
    rows,
    charts,
    knee: knee ? { x: knee.x, text: `latency takes off past ${knee.x} concurrent (E2E p50 ×${knee.riseAfter.toFixed(1)} by ${maxX})` } : undefined,
    server,
    alpha,
    notes,
    calibratable: closed && withEst >= 2,
  };
}

/** 1, 2, 3, … up to 16 then doubling: enough points to draw the estimate's curve between the measured steps. */
function ladder(max: number): number[] {
  const out: number[] = [];
  for (let c = 1; c <= Math.min(max, 16); c++) out.push(c);
  for (let c = 32; c <= max; c *= 2) out.push(c);
  return out;
}

export function buildLoadTestView(input: LoadTestViewInput): LoadTestView {
  const runs = groupRuns(input.records).slice(0, input.maxRuns ?? 20).map((steps) => runView(steps, input));
  return { runs };
}
