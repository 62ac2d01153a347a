// The estimator's figures for a load-test step: the deployment re-estimated at the step's concurrency with the
// prompt and output lengths the step really had. The estimator's TTFT is one request on an idle server and its
// TPOT is one decode step at that batch; a closed loop of c users each waiting TTFT + (n − 1)·TPOT per request
// therefore gives, by Little's law, an output-token throughput of c·n / (TTFT + (n − 1)·TPOT).
import type { EstimateReport, TargetEstimate } from '../estimator/report';
import type { LoadTestRecord } from './record';

export interface StepEstimate {
  target: string;
  targetName: string;
  ttftSec?: number;
  tpotSec?: number;
  outputTokensPerSec?: number;
  /** ± relative band of the expected figures (e.g. 0.3). */
  band?: number;
  batch?: number;
  /** The speculative acceptance rate α the profile assumes, when it decodes speculatively. */
  alpha?: number;
}

/** What the view-model needs from the host: an estimate for the profile's deployment at other settings. */
export type LoadEstimator = (o: { concurrency: number; promptTokens: number; outputTokens: number }) => EstimateReport | undefined;

const fin = (x: number | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

export function pickTarget(r: EstimateReport, id?: string): TargetEstimate | undefined {
  return (id ? r.targets.find((t) => t.id === id) : undefined) ?? r.targets.find((t) => t.id === 'local') ?? r.targets[0];
}

export function stepLoad(rec: Pick<LoadTestRecord, 'load' | 'summary'>): { concurrency?: number; promptTokens?: number; outputTokens?: number } {
  const s = rec.summary;
  const concurrency = rec.load.mode === 'concurrency' ? rec.load.concurrency : undefined;
  const promptTokens = s.promptTokens && fin(s.promptTokens.mean) ? Math.round(s.promptTokens.mean) : undefined;
  const outputTokens = s.outputTokens && fin(s.outputTokens.mean) ? Math.round(s.outputTokens.mean) : undefined;
  return { concurrency, promptTokens, outputTokens };
}

export function estimateFigures(t: TargetEstimate, concurrency: number, outputTokens: number): StepEstimate {
  const ttft = t.perf.ttftSec;
  const tpot = t.perf.tpotSec;
  const n = Math.max(1, outputTokens);
  const e2e = fin(ttft) && fin(tpot) ? ttft + (n - 1) * tpot : undefined;
  return {
    target: t.id,
    targetName: t.name || t.id,
    ttftSec: fin(ttft) ? ttft : undefined,
    tpotSec: fin(tpot) ? tpot : undefined,
    outputTokensPerSec: e2e && e2e > 0 ? (concurrency * n) / e2e : undefined,
    band: fin(t.perf.band) ? t.perf.band : undefined,
    batch: t.perf.batch,
    alpha: t.perf.speculative?.acceptanceRate,
  };
}

/** The estimate for one stored step, or undefined (open-loop step, no token counts, estimator failed). */
export function estimateStep(rec: Pick<LoadTestRecord, 'load' | 'summary'>, estimator: LoadEstimator, targetId?: string): StepEstimate | undefined {
  const { concurrency, promptTokens, outputTokens } = stepLoad(rec);
  if (!concurrency || !promptTokens || !outputTokens) return undefined;
  const r = estimator({ concurrency, promptTokens, outputTokens });
  const t = r && pickTarget(r, targetId);
  return t ? estimateFigures(t, concurrency, outputTokens) : undefined;
}

/** (measured − estimate) / estimate, percent. */
export function diffPct(measured: number | undefined, estimate: number | undefined): number | undefined {
  return fin(measured) && fin(estimate) && estimate !== 0 ? ((measured - estimate) / estimate) * 100 : undefined;
}
