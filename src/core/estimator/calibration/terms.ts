// The speed model's terms: each one a time at 100 % of a datasheet peak (or a count of fixed costs), so that
//   time = Σ coefficient × term
// is a roofline whose efficiencies and overheads are explicit numbers. A coefficient of 1.25 on `weights` reads
// "weights stream at 1 / 1.25 = 80 % of datasheet bandwidth"; 4 on `layers` reads "4 µs per layer per step".
// What a llama.cpp step does (llama.cpp src/llama-graph.cpp, ggml-cuda/mmq.cu and mmvq.cu, ggml-metal):
//   decode (tg): every step reads the weights it uses once (MoE: the routed experts, a separate term because
//     many small expert matmuls stream less efficiently), each sequence's KV at its depth, computes 2 FLOP per
//     active parameter, and pays fixed costs per layer (kernel launches) and per step (sampling, host sync).
//   prefill (pp): the prompt is processed in micro-batches of n_ubatch tokens; each reads the weights (and the
//     KV so far) once and computes 2 FLOP per parameter per token on the matmul path the weight type uses —
//     CUDA/ROCm run quantized weights on the int8 MMQ kernels and F16 on cuBLAS with FP16 accumulate — plus causal
//     attention (FP16). Without flash attention the f32 KQ scores are written and read back: a memory term.
//   several GPUs (llama.cpp's default layer split): a step passes through them in turn (a hop per GPU); the
//     micro-batches of one batch are pipelined across them, which the data shows reaches (ideal speedup)^0.7.
// llama-bench requests logits for the last prompt token only, so prefill pays the output matmul once.
import type { HardwareTarget } from '../../hardware/types';
import type { ModelDescriptor } from '../../models/descriptor';
import { attentionWidth, bytesPerParam, causalArea, paramsReadPerStep, unreadEmbeddingBytes } from '../modelShape';

export const BACKENDS = ['CUDA', 'ROCm', 'Metal', 'Vulkan', 'SYCL', 'OpenCL', 'CPU'] as const;
export type Backend = (typeof BACKENDS)[number];
/** What the weights are stored as, which decides the matmul path: block-quantized, or 16/32-bit floats. */
export type WeightClass = 'quant' | 'f16' | 'f32';

export const TG_TERMS = ['weights', 'experts', 'kv', 'compute', 'layers', 'step', 'hops'] as const;
export const PP_TERMS = ['compute', 'expertCompute', 'attention', 'scores', 'weights', 'experts', 'kv', 'layers', 'hops'] as const;
export type TgTerm = (typeof TG_TERMS)[number];
export type PpTerm = (typeof PP_TERMS)[number];
export type Terms<T extends string> = Record<T, number>;

/** Units of the fixed-cost terms: `layers` counts layer-steps × 1 µs; `step` and `hops` count × 100 µs. */
export const LAYER_UNIT_SEC = 1e-6;
export const STEP_UNIT_SEC = 1e-4;
export const HOP_UNIT_SEC = 1e-4;
/** Exponent on the ideal pipeline speedup llama.cpp reaches across GPUs (chosen by cross-validation). */
export const PIPELINE_EXPONENT = 0.7;

export interface TermContext {
  model: ModelDescriptor;
  target: HardwareTarget;
  backend: Backend;
  weightClass: WeightClass;
  /** KV bytes one token adds (all layers) at the cache types used. */
  kvBytesPerToken: number;
  window?: number;
  swaShare?: number;
  /** GPUs the layers are split over (llama.cpp -sm layer); 1 otherwise. */
  devices: number;
  /** CPU backend: threads used (-t); the compute peak scales with min(threads, cores) / cores. */
  threads?: number;
  nUbatch: number;
  nBatch: number;
  flashAttention: boolean;
}

export function weightClassOf(weightsType: string | undefined): WeightClass {
  const w = (weightsType ?? '').toLowerCase().trim();
  if (/^(f|fp)32\b|float32/.test(w)) return 'f32';
  if (/^(f|fp|bf)16\b|float16|bfloat16|half/.test(w)) return 'f16';
  return 'quant';
}

/** Quant family, for the per-weight-type factor: legacy blocks, K-quants, i-quants, FP4. */
export function quantFamily(weightsType: string | undefined): string {
  const c = weightClassOf(weightsType);
  if (c !== 'quant') return c;
  const q = (weightsType ?? '').toUpperCase();
  if (q.startsWith('IQ')) return 'iq';
  if (/MXFP4|NVFP4|FP4/.test(q)) return 'fp4';
  if (/_K/.test(q)) return 'k';
  return 'legacy';
}

/** The llama.cpp backend a target runs by default (its catalog `backends`, else by kind and vendor). */
export function defaultBackend(target: HardwareTarget): Backend {
  const b = target.backends?.find((x): x is Backend => (BACKENDS as readonly string[]).includes(x));
  if (b) return b;
  if (target.kind === 'cpu') return 'CPU';
  if (target.kind === 'apple') return 'Metal';
  return target.vendor === 'nvidia' ? 'CUDA' : target.vendor === 'amd' ? 'ROCm' : 'Vulkan';
}

export function normalizeBackend(b: string | undefined, target: HardwareTarget): Backend {
  const k = (b ?? '').toLowerCase();
  const hit = BACKENDS.find((x) => x.toLowerCase() === k || (x === 'ROCm' && k === 'hip') || (x === 'Metal' && k === 'mtl'));
  return hit ?? defaultBackend(target);
}

function threadShare(ctx: Pick<TermContext, 'backend' | 'threads' | 'target'>): number {
  if (ctx.backend !== 'CPU' || !ctx.threads || !(ctx.threads > 0) || !ctx.target.cores) return 1;
  return Math.min(1, ctx.threads / Math.max(1, ctx.target.cores));
}

/** The FLOP/s peak of the matmuls for this backend and weight type (per device), and what it is called. */
export function computePeak(ctx: Pick<TermContext, 'target' | 'backend' | 'weightClass' | 'threads'>): { flops: number; path: string } {
  const pf = ctx.target.peakFlops;
  const b = ctx.backend;
  const w = ctx.weightClass;
  let flops: number;
  let path: string;
  if (w === 'f32') {
    flops = pf.fp32;
    path = 'FP32';
  } else if (b === 'CUDA' || b === 'ROCm') {
    if (w === 'quant' && pf.int8) {
      flops = pf.int8;
      path = b === 'CUDA' ? 'INT8 tensor cores (MMQ)' : 'INT8 matrix/dot (MMQ)';
    } else if (b === 'CUDA' && pf.fp16Acc16) {
      flops = pf.fp16Acc16;
      path = 'FP16 tensor cores, FP16 accumulate (cuBLAS)';
    } else {
      flops = pf.fp16;
      path = 'FP16 tensor/matrix (cuBLAS/hipBLAS)';
    }
  } else if (b === 'CPU') {
    // llama.cpp's quantized CPU kernels are int8 dot products (VNNI/SDOT) at ~4× the FP32 FMA rate; AMX tiles are
    // not counted (few paths use them), nor BF16 for F16 weights, which are converted and multiplied in FP32.
    flops = w === 'quant' ? Math.min(pf.int8 ?? 4 * pf.fp32, 4 * pf.fp32) : pf.fp32;
    path = w === 'quant' ? 'INT8 vector dot products (4 × FP32 FMA rate)' : 'FP32 vector FMA';
  } else {
    flops = pf.fp16 || pf.fp32;
    path = b === 'Metal' ? 'FP16 simdgroup matrix (Metal)' : `FP16 (${b})`;
  }
  flops *= threadShare(ctx);
  return { flops: flops > 0 ? flops : 1e12, path };
}

/** Attention (QKᵀ, softmax·V) runs in FP16 whatever the weights are. */
export function attentionPeak(ctx: Pick<TermContext, 'target' | 'backend' | 'threads'>): number {
  const pf = ctx.target.peakFlops;
  const f = ctx.backend === 'CPU' ? pf.fp32 : ctx.backend === 'CUDA' && pf.fp16Acc16 ? pf.fp16Acc16 : pf.fp16 || pf.fp32;
  return Math.max(1e9, f * threadShare(ctx));
}

function layerCounts(m: ModelDescriptor): { full: number; swa: number } {
  return { full: m.layerKinds.filter((k) => k === 'full').length, swa: m.layerKinds.filter((k) => k === 'swa').length };
}

/** Parameters that do a matmul per token: all active ones but the input embedding (a row lookup). */
function matmulParams(m: ModelDescriptor): number {
  const embed = (m.vocabSize ?? 0) * m.hiddenSize;
  return Math.max(m.activeParams * 0.5, m.activeParams - (m.tiedEmbeddings ? 0 : embed));
}

/** Routed-expert parameters: all of them (the table) and the active share per token. */
export function expertParams(m: ModelDescriptor): { all: number; active: number } {
  const moe = m.moe;
  if (!moe || !(moe.experts > 0) || !(moe.expertsUsed > 0) || m.activeParams >= m.params) return { all: 0, active: 0 };
  const share = moe.expertsUsed / moe.experts;
  const all = (m.params - m.activeParams) / (1 - share);
  return { all, active: all * share };
}

/** Dense and routed-expert bytes a step over `tokens` tokens reads. */
function readBytes(m: ModelDescriptor, tokens: number): { dense: number; experts: number } {
  const total = Math.max(0, paramsReadPerStep(m, tokens) * bytesPerParam(m) - unreadEmbeddingBytes(m));
  const e = expertParams(m);
  if (!e.all) return { dense: total, experts: 0 };
  const dense = Math.max(0, (m.params - e.all) * bytesPerParam(m) - unreadEmbeddingBytes(m));
  return { dense: Math.min(total, dense), experts: Math.max(0, total - dense) };
}

function kvAt(ctx: TermContext, depth: number): number {
  const share = ctx.swaShare ?? 0;
  const w = ctx.window && ctx.window > 0 ? Math.min(depth, ctx.window) : depth;
  return ctx.kvBytesPerToken * ((1 - share) * depth + share * w);
}

/**
 * One decode step: `batch` sequences at `depth` tokens each, producing `tokensPerSeq` tokens per sequence
 * (γ+1 when verifying a speculative draft).
 */
export function decodeTerms(ctx: TermContext, batch: number, depth: number, tokensPerSeq = 1): Terms<TgTerm> {
  const m = ctx.model;
  const bw = ctx.target.memoryBandwidthBytesPerSec;
  const b = Math.max(1, batch);
  const tokens = b * Math.max(1, tokensPerSeq);
  const bytes = readBytes(m, tokens);
  const { full, swa } = layerCounts(m);
  const d = attentionWidth(m);
  const w = ctx.window && ctx.window > 0 ? Math.min(depth, ctx.window) : depth;
  const flops = tokens * (2 * matmulParams(m) + 4 * d * (full * depth + swa * w));
  return {
    weights: bytes.dense / bw,
    experts: bytes.experts / bw,
    kv: (b * kvAt(ctx, depth)) / bw,
    compute: flops / computePeak(ctx).flops,
    layers: m.layers * LAYER_UNIT_SEC,
    step: STEP_UNIT_SEC,
    hops: Math.max(0, ctx.devices - 1) * HOP_UNIT_SEC,
  };
}

/** Prefill of `prompt` tokens on top of `depth` tokens already in the cache, in micro-batches of n_ubatch. */
export function prefillTerms(ctx: TermContext, prompt: number, depth = 0): Terms<PpTerm> {
  const m = ctx.model;
  const bw = ctx.target.memoryBandwidthBytesPerSec;
  const n = Math.max(1, prompt);
  const ub = Math.max(1, Math.min(ctx.nUbatch, ctx.nBatch));
  const chunks = Math.ceil(n / ub);
  const bytes = readBytes(m, Math.min(n, ub));
  const { full, swa } = layerCounts(m);
  const width = attentionWidth(m);
  const fullArea = causalArea(depth + n) - causalArea(depth);
  const swaArea = ctx.window && ctx.window > 0 ? causalArea(depth + n, ctx.window) - causalArea(depth, ctx.window) : fullArea;
  const area = full * fullArea + swa * swaArea;
  const peak = computePeak(ctx).flops;
  const D = Math.max(1, ctx.devices);
  const U = Math.max(1, Math.min(chunks, Math.ceil(Math.min(n, ctx.nBatch) / ub)));
  const pipe = D > 1 ? ((U + D - 1) / (U * D)) ** PIPELINE_EXPONENT : 1;
  const out = (m.vocabSize ?? 0) * m.hiddenSize;
  const experts = expertParams(m).active;
  const dense = matmulParams(m) - experts;
  const heads = Math.max(1, m.heads);
  const mid = depth + n / 2;
  return {
    compute: (pipe * 2 * (Math.max(0, dense - out) * n + out)) / peak,
    expertCompute: (pipe * 2 * experts * n) / peak,
    attention: (pipe * 4 * width * area) / attentionPeak(ctx),
    scores: ctx.flashAttention ? 0 : (pipe * heads * area * 8) / bw,
    weights: (pipe * chunks * bytes.dense) / bw,
    experts: (pipe * chunks * bytes.experts) / bw,
    kv: (pipe * chunks * kvAt(ctx, mid)) / bw,
    layers: chunks * m.layers * LAYER_UNIT_SEC,
    hops: chunks * Math.max(0, D - 1) * HOP_UNIT_SEC,
  };
}

export function combine<T extends string>(terms: Terms<T>, coef: Partial<Record<T, number>>): number {
  let s = 0;
  for (const k of Object.keys(terms) as T[]) s += (coef[k] ?? 0) * terms[k];
  return s;
}
