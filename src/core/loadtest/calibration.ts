// The hook for per-machine calibration (issue 13 builds the fit): a load-test run turned into calibration
// samples — per closed-loop step the load, the measured p50 figures, the estimator's figures for the same load and
// their ratios — plus, when the estimate came from the uncalibrated roofline (its assumptions name the
// efficiencies), the efficiencies the measurement implies. Decode is memory-bound at small batch and prefill
// compute-bound, so (leaving the datasheet figures alone):
//   implied bandwidth efficiency = assumed bandwidth efficiency × TPOT_estimate / TPOT_measured   (steps at batch ≤ 4)
//   implied compute efficiency   = assumed compute efficiency × TTFT_estimate / TTFT_measured     (concurrency 1 only:
//                                  above it the measured TTFT holds queueing the estimate leaves out)
// Pure: the caller decides where the samples go (issue 13's calibration store, or a file until it exists).
import type { LoadTestRecord } from './record';
import { stepLoad, type StepEstimate } from './estimate';

export const CALIBRATION_SAMPLE_VERSION = 1;

export interface CalibrationSample {
  concurrency: number;
  promptTokens: number;
  outputTokens: number;
  measured: { ttftSec?: number; tpotSec?: number; outputTokensPerSec: number };
  estimate: { ttftSec?: number; tpotSec?: number; outputTokensPerSec?: number; batch?: number };
  /** measured / estimate. */
  ratio: { ttft?: number; tpot?: number; outputTokensPerSec?: number };
}

export interface CalibrationInput {
  version: typeof CALIBRATION_SAMPLE_VERSION;
  source: 'loadtest';
  runId: string;
  endpoint: LoadTestRecord['endpoint'];
  /** The client machine; the server's hardware is the estimate's target. */
  machine: LoadTestRecord['machine'];
  target: string;
  profile?: string;
  deployment?: string;
  samples: CalibrationSample[];
  implied?: { bandwidthEfficiency?: number; computeEfficiency?: number; from: string[] };
}

const fin = (x: number | undefined): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;
const ratio = (m: number | undefined, e: number | undefined) => (fin(m) && fin(e) ? m / e : undefined);

export function calibrationInput(
  steps: readonly LoadTestRecord[],
  estimateFor: (rec: LoadTestRecord) => StepEstimate | undefined,
  assumed?: { bandwidth: number; compute: number },
): CalibrationInput | undefined {
  const closed = steps.filter((s) => s.load.mode === 'concurrency' && s.summary.requests.completed > 0);
  if (!closed.length) return undefined;
  const samples: CalibrationSample[] = [];
  let target = '';
  for (const rec of closed) {
    const { concurrency, promptTokens, outputTokens } = stepLoad(rec);
    const e = estimateFor(rec);
    if (!concurrency || !promptTokens || !outputTokens || !e) continue;
    target = e.target;
    const m = { ttftSec: rec.summary.ttft?.p50, tpotSec: rec.summary.tpot?.p50, outputTokensPerSec: rec.summary.outputTokenThroughput };
    samples.push({
      concurrency, promptTokens, outputTokens, measured: m,
      estimate: { ttftSec: e.ttftSec, tpotSec: e.tpotSec, outputTokensPerSec: e.outputTokensPerSec, batch: e.batch },
      ratio: { ttft: ratio(m.ttftSec, e.ttftSec), tpot: ratio(m.tpotSec, e.tpotSec), outputTokensPerSec: ratio(m.outputTokensPerSec, e.outputTokensPerSec) },
    });
  }
  if (!samples.length) return undefined;
  const first = closed[0]!;
  const out: CalibrationInput = {
    version: CALIBRATION_SAMPLE_VERSION, source: 'loadtest', runId: first.runId, endpoint: first.endpoint, machine: first.machine,
    target, profile: first.profile, deployment: first.deployment, samples,
  };
  if (assumed) {
    const from: string[] = [];
    const small = samples.filter((s) => (s.estimate.batch ?? s.concurrency) <= 4 && fin(s.ratio.tpot));
    let bandwidthEfficiency: number | undefined;
    if (small.length) {
      const r = small.map((s) => s.ratio.tpot!).sort((a, b) => a - b)[Math.floor((small.length - 1) / 2)]!;
      bandwidthEfficiency = assumed.bandwidth / r;
      from.push(`bandwidth from the median TPOT ratio of ${small.length} step(s) at batch ≤ 4`);
    }
    const one = samples.find((s) => s.concurrency === 1 && fin(s.ratio.ttft));
    const computeEfficiency = one ? assumed.compute / one.ratio.ttft! : undefined;
    if (one) from.push('compute from the TTFT at concurrency 1');
    if (from.length) out.implied = { bandwidthEfficiency, computeEfficiency, from };
  }
  return out;
}
