// Roofline timing: prefill is compute-bound (FLOPs / achievable FLOP/s), decode is memory-bound (weights once per
// step + every sequence's KV / achievable bandwidth) until the batch crosses the ridge point. Tensor parallel
// divides FLOPs and bytes over N devices and adds two ring all-reduces per layer. Efficiency 1.0 gives the
// theoretical peak papers compute; the target's efficiency factors give the expected figure.
// When the efficiencies carry a calibration (calibration/speed.ts), the time is the fitted sum of terms instead:
// the same scenario, with what the published measurements say each term costs on that backend and family.
import type { ModelDescriptor } from '../models/descriptor';
import type { HardwareTarget } from '../hardware/types';
import { attentionWidth, bytesPerParam, causalArea, paramsReadPerStep } from './modelShape';
import { type CalibratedSpeed, decodeSeconds, prefillSeconds, type ServingSpeed, theoreticalDecode, theoreticalPrefill, type Timing } from './calibration/speed';

export interface PerfContext {
  model: ModelDescriptor;
  target: HardwareTarget;
  /** Devices sharing the model (tensor parallel). */
  devices: number;
  /** Peak FLOP/s used for matmuls (per device). */
  peakFlops: number;
  /** KV bytes one token adds, whole model (all layers, all heads) at the cache types used. */
  kvBytesPerToken: number;
  /** Sliding window of SWA layers, and the share of KV layers that are SWA. */
  window?: number;
  swaShare?: number;
  /** Bytes of weights that live in this device's fast memory vs the host (llama.cpp partial offload). */
  hostWeightFraction?: number;
  /** Activation element size for all-reduce traffic. */
  activationBytes?: number;
  nUbatch?: number;
  /** Input-embedding bytes: a step reads one row per token, not the table (0 when tied to the output). */
  embeddingBytes?: number;
}

export interface Efficiencies {
  compute: number;
  bandwidth: number;
  /** llama.cpp: the calibrated speed model for this target; `theoretical` asks for its terms at 100 % of peak. */
  calibrated?: CalibratedSpeed;
  /** vLLM-style serving: the calibrated continuous-batching coefficients. */
  serving?: ServingSpeed;
  theoretical?: boolean;
}

export interface StepTiming {
  seconds: number;
  computeSec: number;
  memorySec: number;
  commSec: number;
  bound: 'compute' | 'memory';
  flops: number;
  bytes: number;
}

const ALLREDUCE_LATENCY_SEC = 8e-6;

/** KV bytes one sequence reads at a given depth (SWA layers read at most their window). */
export function kvBytesAtDepth(ctx: PerfContext, depth: number): number {
  const share = ctx.swaShare ?? 0;
  const w = ctx.window && ctx.window > 0 ? Math.min(depth, ctx.window) : depth;
  return ctx.kvBytesPerToken * ((1 - share) * depth + share * w);
}

/** Ring all-reduce of `bytes` over `n` devices: 2(n−1)/n × bytes / link + latency, twice per layer. */
export function allReduceSec(ctx: PerfContext, tokens: number): number {
  const n = ctx.devices;
  if (n <= 1) return 0;
  const link = ctx.target.interconnect.kind !== 'none' && ctx.target.interconnect.bytesPerSec > 0 ? ctx.target.interconnect.bytesPerSec : ctx.target.hostLink.bytesPerSec;
  const bytes = ctx.model.hiddenSize * tokens * (ctx.activationBytes ?? 2);
  const per = (2 * (n - 1)) / n * bytes / Math.max(1, link) + ALLREDUCE_LATENCY_SEC;
  return 2 * ctx.model.layers * per;
}

function hostBandwidth(ctx: PerfContext): number {
  return ctx.target.hostLink.kind === 'unified' ? ctx.target.memoryBandwidthBytesPerSec : Math.min(ctx.target.hostLink.bytesPerSec, 100e9);
}

/** Time to read `bytes` of weights, some of which may sit in host memory (read over the host link / by the CPU). */
function weightReadSec(ctx: PerfContext, bytes: number, eff: Efficiencies): number {
  const hostFrac = ctx.hostWeightFraction ?? 0;
  const devBw = ctx.target.memoryBandwidthBytesPerSec * eff.bandwidth * ctx.devices;
  // Layers left on the host run on the CPU at host DRAM speed; approximate with the host link's figure.
  const hostBw = hostBandwidth(ctx) * eff.bandwidth;
  return (bytes * (1 - hostFrac)) / devBw + (bytes * hostFrac) / hostBw;
}

/** The calibrated setup with this scenario's KV layout and model (what-ifs and drafts vary them). */
function scenario(c: CalibratedSpeed, ctx: PerfContext): CalibratedSpeed {
  return { ...c, ctx: { ...c.ctx, model: ctx.model, kvBytesPerToken: ctx.kvBytesPerToken, window: ctx.window, swaShare: ctx.swaShare, ...(ctx.nUbatch ? { nUbatch: ctx.nUbatch } : {}) } };
}

/** Weights left in host memory (partial offload) stream over the host link on top of the calibrated time. */
function hostExtraSec(ctx: PerfContext, t: Timing, eff: Efficiencies): number {
  const frac = ctx.hostWeightFraction ?? 0;
  if (!(frac > 0)) return 0;
  const bytes = (t.terms.weights ?? 0) * ctx.target.memoryBandwidthBytesPerSec * frac;
  return bytes / (hostBandwidth(ctx) * (eff.theoretical ? 1 : ctx.target.efficiency.bandwidth));
}

function fromTiming(ctx: PerfContext, t: Timing, eff: Efficiencies, tokens: number): StepTiming {
  const host = hostExtraSec(ctx, t, eff);
  const bw = ctx.target.memoryBandwidthBytesPerSec;
  return {
    seconds: t.seconds + host, computeSec: t.computeSec, memorySec: t.memorySec + host, commSec: 0, bound: t.computeSec >= t.memorySec + host ? 'compute' : 'memory',
    flops: 2 * ctx.model.activeParams * tokens, bytes: ((t.terms.weights ?? 0) + (t.terms.experts ?? 0) + (t.terms.kv ?? 0)) * bw,
  };
}

/** vLLM decode iteration: max(memory, compute) + all-reduce + fixed cost, with the fitted serving coefficients. */
function servingStep(ctx: PerfContext, batch: number, depth: number, eff: Efficiencies, tokensPerSeq: number): StepTiming {
  const k = eff.serving!.coef;
  const th = eff.theoretical;
  const m = ctx.model;
  const b = Math.max(1, batch);
  const tokens = b * tokensPerSeq;
  const bw = ctx.target.memoryBandwidthBytesPerSec * ctx.devices;
  const weightBytes = Math.max(0, paramsReadPerStep(m, tokens) * bytesPerParam(m) - (ctx.embeddingBytes ?? 0));
  const kvBytes = b * kvBytesAtDepth(ctx, depth);
  const memorySec = (th ? 1 : k.weights) * weightBytes / bw + (th ? 1 : k.kv) * kvBytes / bw;
  const d = attentionWidth(m);
  const attnLayers = m.layerKinds.filter((x) => x !== 'recurrent').length;
  const flops = tokens * (2 * m.activeParams + 4 * d * attnLayers * depth);
  const computeSec = ((th ? 1 : k.compute) * flops) / (ctx.peakFlops * ctx.devices);
  const commSec = ctx.devices > 1 ? allReduceSec(ctx, tokens) * (th ? 1 : k.comm) : 0;
  const seconds = Math.max(computeSec, memorySec) + commSec + (th ? 0 : k.iterationMs / 1000);
  return { seconds, computeSec, memorySec, commSec, bound: computeSec > memorySec ? 'compute' : 'memory', flops, bytes: weightBytes + kvBytes };
}

/** Prefill of `prompt` tokens for one sequence. */
export function prefillTiming(ctx: PerfContext, prompt: number, eff: Efficiencies): StepTiming {
  if (eff.calibrated) {
    const s = scenario(eff.calibrated, ctx);
    return fromTiming(ctx, eff.theoretical ? theoreticalPrefill(s, prompt) : prefillSeconds(s, prompt), eff, prompt);
  }
  if (eff.serving && !eff.theoretical) {
    const base = prefillTiming(ctx, prompt, { compute: 1 / eff.serving.coef.compute, bandwidth: 1 / eff.serving.coef.weights });
    return base;
  }
  const m = ctx.model;
  const d = attentionWidth(m);
  const attnLayers = m.layerKinds.filter((k) => k !== 'recurrent').length;
  const swaLayers = m.layerKinds.filter((k) => k === 'swa').length;
  const fullArea = causalArea(prompt);
  const swaArea = causalArea(prompt, ctx.window);
  // QKᵀ and AV: 2 matmuls × 2 FLOP per MAC over the causal area.
  const attnFlops = 4 * d * ((attnLayers - swaLayers) * fullArea + swaLayers * swaArea);
  const flops = 2 * m.activeParams * prompt + attnFlops;
  const computeSec = flops / (ctx.peakFlops * eff.compute * ctx.devices);
  const chunks = Math.max(1, Math.ceil(prompt / Math.max(1, ctx.nUbatch ?? 512)));
  const bytes = Math.max(0, paramsReadPerStep(m, Math.min(prompt, ctx.nUbatch ?? 512)) * bytesPerParam(m) - (ctx.embeddingBytes ?? 0)) * chunks;
  const memorySec = weightReadSec(ctx, bytes, eff);
  const commSec = allReduceSec(ctx, prompt);
  return { seconds: Math.max(computeSec, memorySec) + commSec, computeSec, memorySec, commSec, bound: computeSec >= memorySec ? 'compute' : 'memory', flops, bytes };
}

/**
 * One decode step for `batch` sequences at `depth` tokens each, each producing `tokensPerSeq` tokens in the step
 * (1 for ordinary decode, γ+1 for speculative verification).
 */
export function decodeStepTiming(ctx: PerfContext, batch: number, depth: number, eff: Efficiencies, tokensPerSeq = 1): StepTiming {
  if (eff.calibrated) {
    const s = scenario(eff.calibrated, ctx);
    return fromTiming(ctx, eff.theoretical ? theoreticalDecode(s, batch, depth, tokensPerSeq) : decodeSeconds(s, batch, depth, tokensPerSeq), eff, Math.max(1, batch) * tokensPerSeq);
  }
  if (eff.serving) return servingStep(ctx, batch, depth, eff, tokensPerSeq);
  const m = ctx.model;
  const b = Math.max(1, batch);
  const tokens = b * tokensPerSeq;
  const weightBytes = Math.max(0, paramsReadPerStep(m, tokens) * bytesPerParam(m) - (ctx.embeddingBytes ?? 0));
  const kvBytes = b * kvBytesAtDepth(ctx, depth);
  const memorySec = weightReadSec(ctx, weightBytes, eff) + kvBytes / (ctx.target.memoryBandwidthBytesPerSec * eff.bandwidth * ctx.devices);
  const d = attentionWidth(m);
  const attnLayers = m.layerKinds.filter((k) => k !== 'recurrent').length;
  const flops = tokens * (2 * m.activeParams + 4 * d * attnLayers * depth);
  const computeSec = flops / (ctx.peakFlops * eff.compute * ctx.devices);
  const commSec = allReduceSec(ctx, tokens);
  return { seconds: Math.max(computeSec, memorySec) + commSec, computeSec, memorySec, commSec, bound: computeSec > memorySec ? 'compute' : 'memory', flops, bytes: weightBytes + kvBytes };
}

/** Arithmetic intensity where a device turns compute-bound (FLOP per byte). */
export function ridgePoint(target: HardwareTarget, peakFlops: number): number {
  return peakFlops / target.memoryBandwidthBytesPerSec;
}

/** Yao Fu's context switch: one user's KV out to host memory and another's in, over the host link. */
export function contextSwitchSec(target: HardwareTarget, kvBytesOneUser: number, eff: Efficiencies): number {
  const link = target.hostLink.kind === 'unified' ? target.memoryBandwidthBytesPerSec * eff.bandwidth / 2 : target.hostLink.bytesPerSec;
  return (2 * kvBytesOneUser) / Math.max(1, link);
}

/** The FLOP/s figure a target offers for this model's compute dtype. */
export function pickPeakFlops(target: HardwareTarget, computeDtype: 'fp32' | 'fp16' | 'bf16' | 'fp8' | 'int8'): number {
  const pf = target.peakFlops;
  const v = pf[computeDtype] ?? (computeDtype === 'fp8' || computeDtype === 'int8' ? pf.fp16 : undefined) ?? pf.fp16;
  return v > 0 ? v : pf.fp32 > 0 ? pf.fp32 : 1e12;
}
