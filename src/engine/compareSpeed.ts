// The estimator's t/s for a measured test on the `local` target, so each pp/tg measurement shows its estimate.
// Reuses estimate() (the same roofline `kvlens estimate` prints) with a Deployment built from the test's flags.
import type { Deployment, FlashAttention } from '../core/deployment';
import { estimate } from '../core/estimator/estimate';
import { detectLocalCpuSync, detectLocalTarget } from '../core/hardware/local';
import type { HardwareTarget } from '../core/hardware/types';
import type { ModelDescriptor } from '../core/models/descriptor';
import { requestedContext, type BenchTestSpec } from './spec';

export interface SpeedEstimate {
  /** ppN tests: prompt tokens per second; tgN tests: generated tokens per second. */
  prefillTokensPerSec?: number;
  decodeTokensPerSec?: number;
  /** The ± relative band the estimator states for this target. */
  band: number;
}

/**
 * The `local` target the bench ran on, with its FLOP/s scaled to the threads the test used: the estimator has no
 * thread count and assumes every physical core computes, while -t N keeps N threads busy.
 */
export async function localBenchTarget(gpu: boolean): Promise<{ target: HardwareTarget; note: string }> {
  // A CPU run (the default) must be compared with the CPU host even when a GPU is present.
  const det = gpu ? await detectLocalTarget() : detectLocalCpuSync();
  return { target: det.target, note: det.target.kind === 'cpu' ? `${det.target.name}, ${det.logicalCores} logical cores` : det.target.name };
}

export function threadScaledTarget(target: HardwareTarget, threads: number): HardwareTarget {
  if (target.kind !== 'cpu' || !(threads > 0)) return target;
  // cpuHostTarget assumes physical = logical / 2; more threads than physical cores add no FLOP/s.
  const physical = Math.max(1, Math.round((target.cores ?? 1) / 2));
  const f = Math.min(threads, physical) / physical;
  if (f >= 1) return target;
  const pf = target.peakFlops;
  return { ...target, peakFlops: { fp32: pf.fp32 * f, fp16: pf.fp16 * f, bf16: pf.bf16 * f, ...(pf.fp8 ? { fp8: pf.fp8 * f } : {}), ...(pf.int8 ? { int8: pf.int8 * f } : {}) } };
}

function deploymentFor(t: BenchTestSpec, promptTokens: number, outputTokens: number): Deployment {
  const zero = { line: 0, character: 0 };
  return {
    name: 'bench', format: 'kvlens-profile', anchor: { start: zero, end: zero },
    engine: {
      kind: 'llama.cpp', contextSize: requestedContext(t), parallel: Math.max(1, t.n_seq), cacheTypeK: t.type_k, cacheTypeV: t.type_v,
      flashAttention: t.flash_attn as FlashAttention, batchSize: t.n_batch, ubatchSize: t.n_ubatch, threads: t.n_threads, gpuLayers: t.n_gpu_layers,
      tensorParallel: 1, pipelineParallel: 1, dataParallel: 1,
    },
    workload: { promptTokens, outputTokens, concurrency: 1 },
    targets: [{ id: 'local' }],
    settingRanges: {},
  };
}

function run(model: ModelDescriptor, t: BenchTestSpec, target: HardwareTarget, prompt: number, output: number) {
  const r = estimate(deploymentFor(t, prompt, output), model, [target], { whatIfs: false });
  return r.targets[0]?.perf;
}

/**
 * ppN at depth d: the estimator's prefill time of d+N tokens minus that of d (attention over the earlier d);
 * tgN at depth d: decode at the mean depth d + N/2 (estimate() decodes at promptTokens + outputTokens / 2).
 * A pp+tg test (-pg) gets both. Undefined fields when the estimator cannot give a figure.
 */
export function estimateSpeedForTest(model: ModelDescriptor, t: BenchTestSpec, target: HardwareTarget): SpeedEstimate {
  const scaled = threadScaledTarget(target, t.n_threads);
  const out: SpeedEstimate = { band: scaled.efficiency.band ?? 0.3 };
  if (t.n_prompt > 0) {
    const full = run(model, t, scaled, t.n_depth + t.n_prompt, 0);
    const before = t.n_depth > 0 ? run(model, t, scaled, t.n_depth, 0) : undefined;
    const sec = (full?.ttftSec ?? 0) - (before?.ttftSec ?? 0);
    if (sec > 0 && Number.isFinite(sec)) out.prefillTokensPerSec = t.n_prompt / sec;
  }
  if (t.n_gen > 0) {
    const p = run(model, t, scaled, t.n_depth, t.n_gen);
    if (p && p.decodeTokensPerSec > 0 && Number.isFinite(p.decodeTokensPerSec)) out.decodeTokensPerSec = p.decodeTokensPerSec;
  }
  return out;
}

/** The estimate to compare with a test's avg_ts: prefill for pp tests, decode for tg, end-to-end for pp+tg. */
export function estimatedTs(t: { n_prompt: number; n_gen: number }, s: SpeedEstimate | undefined): number | undefined {
  if (!s) return undefined;
  if (t.n_prompt > 0 && t.n_gen > 0) {
    if (!s.prefillTokensPerSec || !s.decodeTokensPerSec) return undefined;
    // llama-bench's pp+tg t/s = (prompt + gen) tokens / total time.
    return (t.n_prompt + t.n_gen) / (t.n_prompt / s.prefillTokensPerSec + t.n_gen / s.decodeTokensPerSec);
  }
  return t.n_prompt > 0 ? s.prefillTokensPerSec : s.decodeTokensPerSec;
}
