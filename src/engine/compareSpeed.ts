// The estimator's t/s for a measured test on the `local` target, so each pp/tg measurement shows its estimate:
// the calibrated speed model (core/estimator/calibration) with llama-bench's own semantics for ppN, tgN and
// depth, i.e. the figures `kvlens estimate` would give for the same settings. Saved with each result, tagged with
// the calibration that produced it, so later estimates for this machine can be refined by these runs.
import { llamaKvCache } from '../core/estimator/kvCache';
import { normalizeModel } from '../core/estimator/modelShape';
import { calibrationId } from '../core/estimator/calibration/params';
import { calibratedSpeed, llamaBenchSpeed } from '../core/estimator/calibration/speed';
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
  /** Which calibration produced the figures (params.calibrationId), and its group, e.g. `CPU/quant/amd`. */
  calibration?: string;
  basis?: string;
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
  // A CPU known to the catalog has its physical core count: the calibrated terms scale it by threads themselves.
  if (target.kind !== 'cpu' || !(threads > 0) || target.catalogId) return target;
  // cpuHostTarget assumes physical = logical / 2; more threads than physical cores add no FLOP/s.
  const physical = Math.max(1, Math.round((target.cores ?? 1) / 2));
  const f = Math.min(threads, physical) / physical;
  if (f >= 1) return target;
  const pf = target.peakFlops;
  return { ...target, peakFlops: { fp32: pf.fp32 * f, fp16: pf.fp16 * f, bf16: pf.bf16 * f, ...(pf.fp8 ? { fp8: pf.fp8 * f } : {}), ...(pf.int8 ? { int8: pf.int8 * f } : {}) } };
}

/**
 * ppN at depth d: prefill of N tokens on top of d; tgN at depth d: decode at the mean depth d + N/2 (after the
 * prompt for a pp+tg test); a pp+tg test gets both. Undefined fields when the estimator cannot give a figure.
 */
export function estimateSpeedForTest(model: ModelDescriptor, t: BenchTestSpec, target: HardwareTarget): SpeedEstimate {
  const scaled = threadScaledTarget(target, t.n_threads);
  const m = normalizeModel(model).model;
  const fa = t.flash_attn === 'on' || (t.flash_attn === 'auto' && scaled.kind !== 'cpu');
  const kv = llamaKvCache(m, { nCtx: Math.max(256, requestedContext(t)), nSeq: Math.max(1, t.n_seq), unified: false, typeK: t.type_k, typeV: t.type_v, nUbatch: t.n_ubatch, nBatch: t.n_batch, swaFull: false, flashAttention: fa ? 'on' : 'off' });
  const attn = kv.layers.length;
  const swa = kv.layers.filter((l) => l.kind === 'swa').length;
  // The bundled engine runs on the CPU unless it found a GPU: the target says which.
  const backend = scaled.kind === 'cpu' ? 'CPU' : undefined;
  const s = calibratedSpeed({
    model: m, target: scaled, backend, kvBytesPerToken: kv.bytesPerToken, window: m.slidingWindow, swaShare: attn ? swa / attn : 0,
    devices: scaled.kind === 'gpu' ? Math.max(1, scaled.count ?? 1) : 1, threads: scaled.catalogId ? t.n_threads : undefined,
    nUbatch: Math.min(t.n_batch, t.n_ubatch), nBatch: t.n_batch, flashAttention: fa,
  });
  const sp = llamaBenchSpeed(s, { nPrompt: t.n_prompt, nGen: t.n_gen, depth: t.n_depth });
  const out: SpeedEstimate = { band: Math.max(s.pp.band, s.tg.band), calibration: calibrationId(), basis: `${s.pp.group} prefill, ${s.tg.group} decode` };
  if (t.n_prompt > 0 && sp.pp && Number.isFinite(sp.pp)) out.prefillTokensPerSec = sp.pp;
  if (t.n_gen > 0 && sp.tg && Number.isFinite(sp.tg)) out.decodeTokensPerSec = sp.tg;
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
