// `estimate(deployment, model, targets)`: memory per device, concurrency, and roofline timing per target, with the
// assumptions behind every figure. Pure and synchronous (the editor calls it on every keystroke); never returns
// NaN/Infinity: every figure goes through `fin`/`pos`, and missing model facts are listed instead.
import type { Deployment, Workload } from '../deployment';
import { DEFAULT_WORKLOAD } from '../deployment';
import type { ModelDescriptor } from '../models/descriptor';
import type { HardwareTarget } from '../hardware/types';
import type { EstimateReport, PerfFigures, TargetEstimate, Verdict, WhatIf } from './report';
import { cacheTypeErrors, isFlashAttentionOn, llamaKvCache, type LlamaKvCache, type LlamaKvOptions, vllmKvBytesPerToken } from './kvCache';
import { vllmKvBytesPerElement, modelDtypeBytes, WHAT_IF_CACHE_TYPES } from './cacheTypes';
import {
  llamaComputeBufferBytes, offloadSplit, runtimeOverheadBytes, usableCapacityBytes, vllmActivationBytes, vllmNonTorchBytes, vllmPool,
} from './memory';
import { fin, normalizeModel, pos, unreadEmbeddingBytes } from './modelShape';
import { contextSwitchSec, decodeStepTiming, type Efficiencies, type PerfContext, pickPeakFlops, prefillTiming, ridgePoint } from './perf';
import { bestSpeculative } from './speculative';
import { applyServedWeights } from './weights';
import { describeVllmPool, refineVllmPool } from './vllmKvPool';
import { formatBytes, formatSi } from '../units';
import { llamaSpeedSetup, servingSpeedSetup, type SpeedSetup } from './calibration/estimateHook';
import type { MachineCalibration } from './calibration/machine';
import type { SpeedParams } from './calibration/model';

/** Used/capacity below this is green ("fits"); up to 1.0 is "tight" (yellow); above is "does-not-fit". */
export const FIT_THRESHOLD = 0.85;
export const DEFAULT_WINDOW_TOKENS = 4096;
const VLLM_DEFAULTS = { gpuMemoryUtilization: 0.9, blockSize: 16, maxNumSeqs: 256, maxNumBatchedTokens: 8192 };

export interface EstimateOptions {
  /** The speculative draft's descriptor (resolved by the caller from `speculative.draftRef`). */
  draft?: ModelDescriptor;
  /** Compute per-cache-type what-ifs (default true). */
  whatIfs?: boolean;
  whatIfCacheTypes?: string[];
  /** Window/eviction budgets for what-ifs (default [4096], StreamingLLM sink + window). */
  windowTokens?: number[];
  /** Extra assumptions per target id (e.g. from local detection). */
  targetAssumptions?: Record<string, string[]>;
  /** Per-machine speed calibration by target id (from the user's measured runs: calibration/machine.ts). */
  machineCalibration?: Record<string, MachineCalibration | undefined>;
  /** Speed coefficients to use instead of the bundled data/calibration.json (benchmarks, tests). */
  speedParams?: SpeedParams;
  /** `roofline`: the plain roofline with each target's fixed efficiencies (what estimates were before calibration). */
  speedModel?: 'calibrated' | 'roofline';
}

export interface ResolvedEngine {
  kind: 'llama.cpp' | 'vllm';
  /** llama.cpp: -c (total across slots) after `0 → trained`; vLLM: max-model-len. */
  contextSize: number;
  parallel: number;
  unified: boolean;
  typeK: string;
  typeV: string;
  flashAttention: 'on' | 'off' | 'auto';
  gpuLayers?: number;
  nUbatch: number;
  nBatch: number;
  swaFull: boolean;
  tensorParallel: number;
  pipelineParallel: number;
  gpuMemoryUtilization: number;
  blockSize: number;
  maxNumBatchedTokens: number;
  kvCacheDtype: string;
  dtype?: string;
  cpuOffloadBytes: number;
  notes: string[];
}

export function verdictFor(used: number, capacity: number): Verdict {
  if (!(capacity > 0) || used > capacity) return 'does-not-fit';
  return used / capacity < FIT_THRESHOLD ? 'fits' : 'tight';
}

export function resolveEngine(deployment: Deployment, model: ModelDescriptor): ResolvedEngine {
  const e = deployment.engine;
  const notes: string[] = [];
  const int = (v: number | undefined, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? Math.floor(v) : d);
  const trained = pos(model.trainedContext);
  let contextSize = int(e.contextSize, 0);
  if (contextSize <= 0) {
    contextSize = trained || 4096;
    notes.push(trained ? `context not set (or 0): the model's trained context, ${trained} tokens, as ${e.kind === 'vllm' ? 'vLLM' : 'llama.cpp'} does` : 'context not set and the model states no trained context: 4096 assumed');
  }
  let parallel = int(e.parallel, e.kind === 'vllm' ? VLLM_DEFAULTS.maxNumSeqs : 1);
  let unified = e.unifiedKv ?? false;
  if (e.kind === 'llama.cpp' && parallel <= 0) {
    parallel = 4;
    unified = true;
    notes.push('-np auto: llama-server uses 4 slots sharing a unified KV cache');
  }
  parallel = Math.max(1, parallel);
  const typeK = (e.cacheTypeK || 'f16').toLowerCase();
  const typeV = (e.cacheTypeV || 'f16').toLowerCase();
  const util = e.gpuMemoryUtilization !== undefined && Number.isFinite(e.gpuMemoryUtilization) && e.gpuMemoryUtilization > 0 ? Math.min(1, e.gpuMemoryUtilization) : VLLM_DEFAULTS.gpuMemoryUtilization;
  return {
    kind: e.kind, contextSize, parallel, unified, typeK, typeV, flashAttention: e.flashAttention ?? 'auto', gpuLayers: e.gpuLayers,
    nUbatch: Math.max(1, int(e.ubatchSize, 512)), nBatch: Math.max(1, int(e.batchSize, 2048)), swaFull: e.swaFull ?? false,
    tensorParallel: Math.max(1, int(e.tensorParallel, 1)), pipelineParallel: Math.max(1, int(e.pipelineParallel, 1)),
    gpuMemoryUtilization: util, blockSize: Math.max(1, int(e.blockSize, VLLM_DEFAULTS.blockSize)),
    // vLLM V1 (chunked prefill always on) defaults max-num-batched-tokens to 8192 for `vllm serve`.
    maxNumBatchedTokens: Math.max(1, int(e.maxNumBatchedTokens, VLLM_DEFAULTS.maxNumBatchedTokens)),
    kvCacheDtype: (e.kvCacheDtype ?? 'auto').toLowerCase(), dtype: e.dtype, cpuOffloadBytes: Math.max(0, fin(e.cpuOffloadGb) * 2 ** 30), notes,
  };
}

function sanitizeWorkload(w: Workload | undefined): Workload {
  const d = DEFAULT_WORKLOAD;
  const p = (v: number | undefined, def: number): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : def);
  return { promptTokens: p(w?.promptTokens, d.promptTokens), outputTokens: p(w?.outputTokens, d.outputTokens), concurrency: Math.max(1, p(w?.concurrency, d.concurrency)) };
}

function computeDtype(engine: ResolvedEngine, model: ModelDescriptor, target: HardwareTarget): 'fp32' | 'fp16' | 'bf16' | 'fp8' | 'int8' {
  const wt = `${model.weightsType} ${engine.dtype ?? ''}`.toLowerCase();
  if (engine.kind === 'vllm') return /fp8|f8/.test(wt) && target.peakFlops.fp8 ? 'fp8' : /float32|fp32/.test(engine.dtype ?? '') ? 'fp32' : 'bf16';
  if (target.kind === 'cpu') return /^\s*i?q\d/.test(wt) && target.peakFlops.int8 ? 'int8' : 'bf16';
  return 'fp16';
}

interface Scenario {
  ctx: PerfContext;
  batch: number;
  depth: number;
}

function perfFigures(s: Scenario, prompt: number, eff: Efficiencies): PerfFigures & { bound: 'compute' | 'memory'; prefillBound: 'compute' | 'memory'; commSec: number } {
  const pre = prefillTiming(s.ctx, Math.max(1, prompt), eff);
  const dec = decodeStepTiming(s.ctx, s.batch, s.depth, eff);
  const ttft = fin(pre.seconds);
  const tpot = fin(dec.seconds);
  return {
    prefillTokensPerSec: ttft > 0 ? prompt / ttft : 0,
    ttftSec: ttft,
    decodeTokensPerSec: tpot > 0 ? 1 / tpot : 0,
    tpotSec: tpot,
    bound: dec.bound,
    prefillBound: pre.bound,
    commSec: dec.commSec,
  };
}

function finiteDeep<T>(value: T): T {
  // Last line of defence for the "never NaN" promise: a non-finite number becomes 0.
  if (typeof value === 'number') return (Number.isFinite(value) ? value : 0) as unknown as T;
  if (Array.isArray(value)) return value.map((v) => finiteDeep(v)) as unknown as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = finiteDeep(v);
    return out as T;
  }
  return value;
}

/** Device share of a llama.cpp KV cache: layers at or after `firstDeviceLayer` live on the GPU (offload_kqv). */
function kvSplit(kv: LlamaKvCache, firstDeviceLayer: number): { device: number; host: number; deviceK: number; deviceV: number } {
  let deviceK = 0;
  let deviceV = 0;
  let host = 0;
  for (const l of kv.layers) {
    if (l.index >= firstDeviceLayer) {
      deviceK += l.kBytes;
      deviceV += l.vBytes;
    } else {
      host += l.kBytes + l.vBytes;
    }
  }
  // Recurrent state (llama_memory_recurrent) lives with its layer like the KV cache does.
  let state = 0;
  for (const s of kv.stateLayers ?? []) {
    if (s.index >= firstDeviceLayer) state += s.bytes;
    else host += s.bytes;
  }
  return { deviceK, deviceV, device: deviceK + deviceV + state, host };
}

/** llamaKvCache memoized for one estimate() call: targets and what-ifs ask for the same caches again and again. */
type KvFn = (model: ModelDescriptor, opts: LlamaKvOptions) => LlamaKvCache;
function memoKv(): KvFn {
  const caches = new WeakMap<ModelDescriptor, Map<string, LlamaKvCache>>();
  return (model, opts) => {
    let cache = caches.get(model);
    if (!cache) {
      cache = new Map();
      caches.set(model, cache);
    }
    const key = `${opts.nCtx}|${opts.nSeq}|${opts.unified}|${opts.typeK}|${opts.typeV}|${opts.nUbatch}|${opts.nBatch}|${opts.swaFull}|${opts.flashAttention}`;
    let kv = cache.get(key);
    if (!kv) {
      kv = llamaKvCache(model, opts);
      cache.set(key, kv);
    }
    return kv;
  };
}

interface TargetInput {
  deployment: Deployment;
  model: ModelDescriptor;
  engine: ResolvedEngine;
  workload: Workload;
  target: HardwareTarget & { assumptions?: string[] };
  opts: EstimateOptions;
  modelKnown: boolean;
  kv: KvFn;
}

function baseAssumptions(t: HardwareTarget, eff: Efficiencies, band: number, speed?: SpeedSetup): string[] {
  const a = [
    `${t.name}: ${formatBytes(t.memoryBytes)} memory, ${formatSi(t.memoryBandwidthBytesPerSec, 'B/s')} bandwidth, ${formatSi(t.peakFlops.bf16, 'FLOP/s')} bf16 dense — source: ${t.source.document} <${t.source.url}>`,
    ...(speed ? speed.assumptions : [`efficiency: ${Math.round(eff.bandwidth * 100)} % of datasheet bandwidth and ${Math.round(eff.compute * 100)} % of peak FLOP/s (expected figures; theoretical = 100 %), ±${Math.round(band * 100)} % band until a measured run calibrates it`]),
    'TTFT is for one request on an idle server; under load queueing dominates',
  ];
  for (const n of t.notes ?? []) a.push(`${t.id}: ${n}`);
  return a;
}

function llamaTarget(inp: TargetInput): TargetEstimate {
  const { model, engine, workload, target } = inp;
  const assumptions: string[] = [...(target.assumptions ?? []), ...(inp.opts.targetAssumptions?.[target.id] ?? [])];
  const kvOpts = {
    nCtx: engine.contextSize, nSeq: engine.parallel, unified: engine.unified, typeK: engine.typeK, typeV: engine.typeV,
    nUbatch: engine.nUbatch, nBatch: engine.nBatch, swaFull: engine.swaFull, flashAttention: engine.flashAttention,
  };
  const kv = inp.kv(model, kvOpts);
  const speed = (target.origin === 'custom' && !target.catalogId) || inp.opts.speedModel === 'roofline' ? undefined : llamaSpeedSetup({
    target, model, flashAttention: engine.flashAttention, nUbatch: engine.nUbatch, nBatch: engine.nBatch, threads: inp.deployment.engine.threads,
    kvBytesPerToken: kv.bytesPerToken, workload, modelRef: inp.deployment.engine.modelRef ?? model.source.path, params: inp.opts.speedParams, machine: inp.opts.machineCalibration?.[target.id],
  });
  const eff: Efficiencies = speed?.eff ?? { compute: target.efficiency.compute, bandwidth: target.efficiency.bandwidth };
  const band = speed?.band ?? target.efficiency.band ?? 0.3;
  assumptions.push(...baseAssumptions(target, eff, band, speed));
  const onGpu = target.kind === 'gpu';
  const split = offloadSplit(model, engine.gpuLayers, onGpu);
  const kvs = kvSplit(kv, onGpu ? split.firstDeviceLayer : 0);
  const compute = llamaComputeBufferBytes(model, kv);
  const overhead = runtimeOverheadBytes(target);
  const capacity = usableCapacityBytes(target);

  // Speculative draft: llama-server keeps the draft's weights and its own KV cache on the same device.
  let draftBytes = 0;
  let draftKv: LlamaKvCache | undefined;
  if (inp.deployment.speculative && inp.opts.draft) {
    const draft = normalizeModel(inp.opts.draft).model;
    draftKv = inp.kv(draft, kvOpts);
    draftBytes = draft.weightsBytes + draftKv.totalBytes;
  }

  const total = split.deviceWeightsBytes + kvs.device + compute + overhead + draftBytes;
  const verdict = verdictFor(total, capacity);
  const fixed = split.deviceWeightsBytes + compute + overhead + draftBytes;

  // Concurrency: sequences of the per-slot context that fit in what weights and buffers leave.
  const atContext = engine.unified ? Math.max(1, Math.floor(kv.nCtx / engine.parallel)) : kv.nCtxSeq;
  const oneSeq = inp.kv(model, { ...kvOpts, nCtx: atContext, nSeq: 1, unified: false });
  const oneSeqDevice = kvSplit(oneSeq, onGpu ? split.firstDeviceLayer : 0).device;
  const free = capacity - fixed;
  const maxSequences = oneSeqDevice > 0 ? Math.max(0, Math.floor(free / oneSeqDevice)) : free > 0 ? engine.parallel : 0;
  const maxContextAtParallel = model.layers > 0 ? largestContextPerSeq(inp.kv, model, engine, target, split.firstDeviceLayer, onGpu, fixed - compute, kv.bytesPerToken) : undefined;

  // Timing.
  const peak = pickPeakFlops(target, computeDtype(engine, model, target));
  const attnLayers = kv.layers.length;
  const swaLayers = kv.layers.filter((l) => l.kind === 'swa').length;
  const batch = Math.max(1, Math.min(workload.concurrency, engine.parallel, Math.max(1, maxSequences)));
  const depth = Math.min(atContext, workload.promptTokens + workload.outputTokens / 2);
  const ctx: PerfContext = {
    model, target, devices: 1, peakFlops: peak, kvBytesPerToken: kv.bytesPerToken, window: model.slidingWindow,
    swaShare: attnLayers ? swaLayers / attnLayers : 0, hostWeightFraction: hostReadFraction(model, split.hostWeightsBytes, onGpu),
    nUbatch: kv.nUbatch, embeddingBytes: unreadEmbeddingBytes(model),
  };
  const expected = perfFigures({ ctx, batch, depth }, workload.promptTokens, eff);
  const theoretical = perfFigures({ ctx, batch, depth }, workload.promptTokens, speed?.theoretical ?? { compute: 1, bandwidth: 1 });
  const oneUserKv = kv.bytesPerToken * Math.min(atContext, workload.promptTokens + workload.outputTokens);
  const ctxSwitch = contextSwitchSec(target, oneUserKv, eff);

  assumptions.push(
    `weights: ${formatBytes(model.weightsBytes)} (${model.weightsType}${model.source.kind === 'gguf' ? ', exact GGUF tensor bytes' : ', from parameters × dtype'}); ${split.note}`,
    `KV: llama.cpp allocation, ${kv.cells} cells × ${kv.streams} stream(s), K ${engine.typeK} / V ${engine.typeV} = ${formatBytes(kv.totalBytes)} (${formatBytes(kvs.device)} on this device)`,
    `compute buffer ≈ ${formatBytes(compute)}: 4 B × n_ubatch ${kv.nUbatch} × (n_vocab + 2 × n_embd)${kv.flashAttention ? '' : ' + f32 KQ scratch (no flash attention)'} — approximate, ±30 %`,
    `runtime overhead ${formatBytes(overhead)} (${onGpu ? 'CUDA/ROCm context and workspaces, 300–500 MiB in practice' : 'process and Metal/CPU buffers'})`,
    `capacity ${formatBytes(capacity)}${target.kind === 'apple' ? ' (75 % of unified memory, macOS GPU wired limit)' : ''}; verdict: fits below ${FIT_THRESHOLD * 100} % used, tight up to 100 %`,
    `decode at batch ${batch} and average depth ${Math.round(depth)} tokens (prompt + half the output); prefill FLOPs = 2 × ${formatSi(model.activeParams, '')} active params × tokens + causal attention; compute at ${formatSi(peak, 'FLOP/s')}`,
    `context switch: one user's KV (${formatBytes(oneUserKv)}) out and another's in over ${target.hostLink.kind === 'unified' ? 'memory (unified)' : `${target.hostLink.kind} ${target.hostLink.generation ?? ''} x${target.hostLink.lanes ?? 16} at ${formatSi(target.hostLink.bytesPerSec, 'B/s')} per direction`}`,
  );
  if (target.count && target.count > 1) assumptions.push(`${target.count} devices present; memory figures are for one device${speed ? ' (speed includes the layer split over all of them)' : '; llama.cpp speed uses one (layer split not modelled)'}`);
  for (const n of [...engine.notes, ...kv.notes]) assumptions.push(n);

  const perf: TargetEstimate['perf'] = {
    prefillTokensPerSec: expected.prefillTokensPerSec, ttftSec: expected.ttftSec, decodeTokensPerSec: expected.decodeTokensPerSec, tpotSec: expected.tpotSec,
    aggregateDecodeTokensPerSec: expected.decodeTokensPerSec * batch, contextSwitchSec: ctxSwitch, bound: expected.bound, prefillBound: expected.prefillBound,
    band, theoretical: { prefillTokensPerSec: theoretical.prefillTokensPerSec, ttftSec: theoretical.ttftSec, decodeTokensPerSec: theoretical.decodeTokensPerSec, tpotSec: theoretical.tpotSec },
    batch, decodeDepth: depth, ridgePoint: ridgePoint(target, peak), commSec: expected.commSec,
    ...(speed ? { calibration: speed.info } : {}),
  };
  const spec = speculative(inp, ctx, batch, depth, eff, draftKv?.bytesPerToken, assumptions);
  if (spec) perf.speculative = spec;
  if (draftBytes > 0) assumptions.push(`draft model weights + KV ${formatBytes(draftBytes)} included in the total`);

  const whatIfs = inp.opts.whatIfs === false ? undefined : llamaWhatIfs(inp, { ctx, batch, depth, eff, fixed, capacity, firstDeviceLayer: onGpu ? split.firstDeviceLayer : 0, atContext, kvBytesPerTokenNow: kv.bytesPerToken });
  return {
    id: target.id, name: target.name, devices: 1,
    memory: {
      weightsBytes: split.deviceWeightsBytes, kvBytes: kvs.device, kvKBytes: kvs.deviceK, kvVBytes: kvs.deviceV, kvBytesPerToken: kv.bytesPerToken,
      computeBytes: compute, overheadBytes: overhead, hostWeightsBytes: split.hostWeightsBytes || undefined, hostKvBytes: kvs.host || undefined,
      draftBytes: draftBytes || undefined, totalBytes: total, capacityBytes: capacity, fits: verdict !== 'does-not-fit', verdict, headroomBytes: capacity - total,
    },
    concurrency: { maxSequences, atContext, maxContextAtParallel },
    perf, whatIfs, assumptions, errors: kv.errors.length ? kv.errors : undefined,
  };
}

/** Share of the weights read per step that sit in host memory (the input embedding there is only looked up). */
function hostReadFraction(model: ModelDescriptor, hostWeights: number, onGpu: boolean): number {
  if (!onGpu) return 0;
  const embed = unreadEmbeddingBytes(model);
  const read = model.weightsBytes - embed;
  return read > 0 ? Math.min(1, Math.max(0, hostWeights - embed) / read) : 0;
}

/** Largest per-slot context (multiple of 256) whose whole allocation fits at the configured -np. */
function largestContextPerSeq(kvFn: KvFn, model: ModelDescriptor, engine: ResolvedEngine, target: HardwareTarget, firstDeviceLayer: number, onGpu: boolean, fixedWithoutCompute: number, bytesPerToken: number): number {
  const capacity = usableCapacityBytes(target);
  const np = engine.parallel;
  const MAX_UNITS = 1 << 16; // × 256 = 16M tokens
  const fits = (units: number): boolean => {
    const kv = kvFn(model, {
      nCtx: units * 256 * np, nSeq: np, unified: engine.unified, typeK: engine.typeK, typeV: engine.typeV, nUbatch: engine.nUbatch,
      nBatch: engine.nBatch, swaFull: engine.swaFull, flashAttention: engine.flashAttention,
    });
    const dev = kvSplit(kv, onGpu ? firstDeviceLayer : 0).device;
    return fixedWithoutCompute + dev + llamaComputeBufferBytes(model, kv) <= capacity;
  };
  if (!fits(1)) return 0;
  // Start from the linear guess (full attention, no compute-buffer growth), then gallop and bisect around it.
  const guess = bytesPerToken > 0 ? Math.floor((capacity - fixedWithoutCompute) / (bytesPerToken * np * 256)) : MAX_UNITS;
  let lo = 1;
  let hi = MAX_UNITS + 1;
  let probe = Math.min(MAX_UNITS, Math.max(1, guess));
  let step = 1;
  if (fits(probe)) {
    lo = probe;
    while (lo < MAX_UNITS) {
      const next = Math.min(MAX_UNITS, lo + step);
      if (!fits(next)) {
        hi = next;
        break;
      }
      lo = next;
      step *= 4;
    }
    if (lo >= MAX_UNITS) return MAX_UNITS * 256;
  } else {
    hi = probe;
    while (hi - step > 1) {
      probe = hi - step;
      if (fits(probe)) {
        lo = probe;
        break;
      }
      hi = probe;
      step *= 4;
    }
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo * 256;
}

function speculative(inp: TargetInput, ctx: PerfContext, batch: number, depth: number, eff: Efficiencies, draftKvPerToken: number | undefined, assumptions: string[]): TargetEstimate['perf']['speculative'] | undefined {
  const spec = inp.deployment.speculative;
  if (!spec) return undefined;
  if (!inp.opts.draft) {
    assumptions.push(`speculative decoding: no draft model descriptor${spec.draftRef ? ` for '${spec.draftRef}'` : ''}; speedup not computed, and memory leaves out the draft's weights and KV`);
    return undefined;
  }
  const draft = normalizeModel(inp.opts.draft).model;
  const alpha = Math.min(0.999, Math.max(0, fin(spec.acceptanceRate, 0.7)));
  const gamma = Math.max(1, Math.floor(fin(spec.draftLength, 4)));
  const draftPerToken = draftKvPerToken ?? vllmKvBytesPerToken(draft, vllmKvBytesPerElement(inp.engine.kvCacheDtype, inp.engine.dtype), inp.engine.tensorParallel);
  const dctx: PerfContext = { ...ctx, model: draft, kvBytesPerToken: draftPerToken, window: draft.slidingWindow, swaShare: 0, hostWeightFraction: 0 };
  const tT = decodeStepTiming(ctx, batch, depth, eff).seconds;
  const tD = decodeStepTiming(dctx, batch, depth, eff).seconds;
  if (!(tT > 0) || !(tD > 0) || !(draft.layers > 0) || !(inp.model.layers > 0)) {
    assumptions.push('speculative decoding: the target or draft model is incomplete; speedup not computed');
    return undefined;
  }
  const r = bestSpeculative(alpha, gamma, tD, tT, (g) => decodeStepTiming(ctx, batch, depth, eff, g + 1).seconds);
  assumptions.push(
    `speculative (MagicDec): draft ${draft.name}, α = ${alpha}, γ = ${gamma}: Ω = ${r.expectedTokensPerStep.toFixed(2)} tokens/verify; T_D/T_T = ${(tD / tT).toFixed(3)}; speedup = Ω / (γ·T_D/T_T + T_V/T_T) = ${r.speedup.toFixed(2)}×; best γ = ${r.bestDraftLength} (${r.bestSpeedup.toFixed(2)}×)`,
  );
  return { speedup: r.speedup, bestDraftLength: r.bestDraftLength, bestSpeedup: r.bestSpeedup, expectedTokensPerStep: r.expectedTokensPerStep, draftLength: gamma, acceptanceRate: alpha };
}

interface WhatIfCtx {
  ctx: PerfContext;
  batch: number;
  depth: number;
  eff: Efficiencies;
  fixed: number;
  capacity: number;
  firstDeviceLayer: number;
  atContext: number;
  kvBytesPerTokenNow: number;
}

function llamaWhatIfs(inp: TargetInput, w: WhatIfCtx): WhatIf[] {
  const { model, engine } = inp;
  const out: WhatIf[] = [];
  const types = inp.opts.whatIfCacheTypes ?? [...WHAT_IF_CACHE_TYPES];
  const base = { nCtx: engine.contextSize, nSeq: engine.parallel, unified: engine.unified, nUbatch: engine.nUbatch, nBatch: engine.nBatch, swaFull: engine.swaFull, flashAttention: engine.flashAttention };
  for (const t of types) {
    const kv = inp.kv(model, { ...base, typeK: t, typeV: t });
    const dev = kvSplit(kv, w.firstDeviceLayer).device;
    const one = kvSplit(inp.kv(model, { ...base, nCtx: w.atContext, nSeq: 1, unified: false, typeK: t, typeV: t }), w.firstDeviceLayer).device;
    const errs = cacheTypeErrors(model, t, t, engine.flashAttention);
    const dec = decodeStepTiming({ ...w.ctx, kvBytesPerToken: kv.bytesPerToken }, w.batch, w.depth, w.eff);
    out.push({
      cacheTypeK: t, cacheTypeV: t, kvBytes: dev, kvBytesPerToken: kv.bytesPerToken,
      maxSequences: one > 0 ? Math.max(0, Math.floor((w.capacity - w.fixed) / one)) : 0,
      decodeTokensPerSec: dec.seconds > 0 ? 1 / dec.seconds : 0, fits: w.fixed + dev <= w.capacity, invalid: errs[0],
    });
  }
  for (const win of inp.opts.windowTokens ?? [DEFAULT_WINDOW_TOKENS]) {
    if (!(win > 0)) continue;
    const perSeqTokens = Math.min(w.atContext, win);
    const share = w.atContext > 0 ? perSeqTokens / w.atContext : 1;
    const kv = inp.kv(model, { ...base, typeK: engine.typeK, typeV: engine.typeV });
    const dev = Math.round(kvSplit(kv, w.firstDeviceLayer).device * share);
    const one = w.kvBytesPerTokenNow * perSeqTokens;
    const dec = decodeStepTiming({ ...w.ctx, window: win, swaShare: 1 }, w.batch, w.depth, w.eff);
    out.push({
      cacheTypeK: engine.typeK, cacheTypeV: engine.typeV, windowTokens: win, kvBytes: dev, kvBytesPerToken: w.kvBytesPerTokenNow,
      maxSequences: one > 0 ? Math.max(0, Math.floor((w.capacity - w.fixed) / one)) : 0,
      decodeTokensPerSec: dec.seconds > 0 ? 1 / dec.seconds : 0, fits: w.fixed + dev <= w.capacity,
      invalid: 'not a llama.cpp option: a StreamingLLM-style sink + window budget, shown for comparison',
    });
  }
  return out;
}

function vllmTarget(inp: TargetInput): TargetEstimate {
  const { model, engine, workload, target } = inp;
  const assumptions: string[] = [...(target.assumptions ?? []), ...(inp.opts.targetAssumptions?.[target.id] ?? [])];
  const speed = (target.origin === 'custom' && !target.catalogId) || inp.opts.speedModel === 'roofline' ? undefined : servingSpeedSetup({ target, params: inp.opts.speedParams, workload, modelRef: inp.deployment.engine.modelRef });
  const eff: Efficiencies = speed?.eff ?? { compute: target.efficiency.compute, bandwidth: target.efficiency.bandwidth };
  const band = speed?.band ?? target.efficiency.band ?? 0.3;
  assumptions.push(...baseAssumptions(target, eff, band, speed));
  const tp = engine.tensorParallel;
  const pp = engine.pipelineParallel;
  const devices = tp * pp;
  const bpe = vllmKvBytesPerElement(engine.kvCacheDtype, engine.dtype);
  const dtypeBytes = modelDtypeBytes(engine.dtype);
  const perTokenWhole = vllmKvBytesPerToken(model, bpe, 1);
  const perTokenDevice = vllmKvBytesPerToken(model, bpe, tp) / pp;
  const capacity = usableCapacityBytes(target);
  let weightsPerDevice = Math.round(model.weightsBytes / devices);
  if (engine.cpuOffloadBytes > 0) {
    const off = Math.min(weightsPerDevice, engine.cpuOffloadBytes);
    weightsPerDevice -= off;
    assumptions.push(`cpu-offload-gb: ${formatBytes(off)} of weights per GPU kept in host memory (streamed over ${target.hostLink.kind} each step)`);
  }
  let draftBytes = 0;
  if (inp.deployment.speculative && inp.opts.draft) {
    const draft = normalizeModel(inp.opts.draft).model;
    draftBytes = Math.round(draft.weightsBytes / devices);
  }
  const maxModelLen = engine.contextSize;
  const maxNumSeqs = engine.parallel;
  const activation = vllmActivationBytes(model, engine.maxNumBatchedTokens, maxNumSeqs, tp, dtypeBytes);
  const nonTorch = vllmNonTorchBytes(tp);
  // The per-layer vLLM spec (sliding windows, Mamba state, page-size unification) refines the simple pool.
  const refined = refineVllmPool(vllmPool({
    capacityBytes: capacity, utilization: engine.gpuMemoryUtilization, weightsPerDevice: weightsPerDevice + draftBytes, activationBytes: activation,
    nonTorchBytes: nonTorch, bytesPerTokenPerDevice: perTokenDevice, blockSize: engine.blockSize, maxModelLen, maxNumSeqs,
  }), model.vllm, { maxModelLen, maxNumSeqs, blockSize: engine.blockSize, maxNumBatchedTokens: engine.maxNumBatchedTokens, tensorParallel: tp, kvCacheDtype: engine.kvCacheDtype, modelDtypeBytes: dtypeBytes });
  const pool = refined.pool;
  if (refined.detail) assumptions.push(describeVllmPool(refined.detail, maxModelLen), ...refined.detail.notes);
  const total = weightsPerDevice + draftBytes + activation + nonTorch + pool.poolBytes;
  const errors: string[] = [];
  let verdict: Verdict;
  if (pool.poolBytes <= 0) {
    verdict = 'does-not-fit';
    errors.push('No available memory for the cache blocks: weights + activations exceed gpu-memory-utilization × memory');
  } else if (pool.maxKvTokens < maxModelLen) {
    verdict = 'does-not-fit';
    errors.push(`max-model-len ${maxModelLen} is larger than the ${pool.maxKvTokens} tokens the KV pool can hold`);
  } else {
    verdict = pool.maxSequences < Math.min(workload.concurrency, maxNumSeqs) ? 'tight' : 'fits';
  }
  const kvHeads = Math.max(0, ...model.kvHeadsPerLayer);
  if (tp > 1 && kvHeads > 0 && kvHeads < tp && !model.mla) assumptions.push(`${kvHeads} KV heads < tensor-parallel ${tp}: each GPU keeps a replicated head, so KV per GPU does not shrink below one head`);
  if (model.mla) assumptions.push('MLA: vLLM caches the compressed latent (kv_lora_rank + qk_rope_head_dim), replicated on every TP rank');
  if (!refined.detail && model.layerKinds.some((k) => k === 'swa')) assumptions.push('sliding-window layers counted at full length in the pool (conservative; vLLM\'s hybrid allocator may give them fewer blocks)');
  assumptions.push(
    `vLLM pool: ${engine.gpuMemoryUtilization} × ${formatBytes(capacity)} = ${formatBytes(pool.budgetBytes)} − weights ${formatBytes(weightsPerDevice + draftBytes)}${devices > 1 ? ` (1/${devices} of the model)` : ''} − activation peak ≈ ${formatBytes(activation)} (max-num-batched-tokens ${engine.maxNumBatchedTokens}) − non-torch ≈ ${formatBytes(nonTorch)} = ${formatBytes(pool.poolBytes)}`,
    `KV ${formatSi(perTokenDevice, 'B')}/token per GPU (kv-cache-dtype ${engine.kvCacheDtype} → ${bpe} B/element) → ${pool.blocks} blocks × ${engine.blockSize} tokens = ${pool.maxKvTokens} tokens; ${pool.maxConcurrency.toFixed(2)}× concurrency at max-model-len ${maxModelLen}`,
    'activation and non-torch figures are approximations of vLLM\'s profiling run; CUDA graphs (unless enforce-eager) come out of the remaining 1 − utilization',
  );
  for (const n of engine.notes) assumptions.push(n);

  const peak = pickPeakFlops(target, computeDtype(engine, model, target));
  const batch = Math.max(1, Math.min(workload.concurrency, maxNumSeqs, Math.max(1, pool.maxKvTokens > 0 ? Math.floor(pool.maxKvTokens / Math.max(1, workload.promptTokens + workload.outputTokens)) : 1)));
  const depth = Math.min(maxModelLen, workload.promptTokens + workload.outputTokens / 2);
  const attn = model.layerKinds.filter((k) => k !== 'recurrent').length;
  const swa = model.layerKinds.filter((k) => k === 'swa').length;
  const ctx: PerfContext = {
    model, target, devices, peakFlops: peak, kvBytesPerToken: perTokenWhole, window: model.slidingWindow, swaShare: attn ? swa / attn : 0,
    hostWeightFraction: model.weightsBytes > 0 ? Math.min(1, (engine.cpuOffloadBytes * devices) / model.weightsBytes) : 0,
    activationBytes: dtypeBytes, nUbatch: engine.maxNumBatchedTokens, embeddingBytes: unreadEmbeddingBytes(model),
  };
  const expected = perfFigures({ ctx, batch, depth }, workload.promptTokens, eff);
  const theoretical = perfFigures({ ctx, batch, depth }, workload.promptTokens, speed?.theoretical ?? { compute: 1, bandwidth: 1 });
  const oneUserKv = perTokenDevice * Math.min(maxModelLen, workload.promptTokens + workload.outputTokens);
  if (tp > 1) assumptions.push(`tensor parallel ${tp}: FLOPs and bytes split over ${tp} GPUs, plus 2 ring all-reduces per layer of hidden × tokens × ${dtypeBytes} B over ${target.interconnect.kind !== 'none' ? `${target.interconnect.kind} ${formatSi(target.interconnect.bytesPerSec, 'B/s')}` : `${target.hostLink.kind} ${formatSi(target.hostLink.bytesPerSec, 'B/s')}`}`);
  const perf: TargetEstimate['perf'] = {
    prefillTokensPerSec: expected.prefillTokensPerSec, ttftSec: expected.ttftSec, decodeTokensPerSec: expected.decodeTokensPerSec, tpotSec: expected.tpotSec,
    aggregateDecodeTokensPerSec: expected.decodeTokensPerSec * batch, contextSwitchSec: contextSwitchSec(target, oneUserKv, eff), bound: expected.bound,
    prefillBound: expected.prefillBound, band,
    theoretical: { prefillTokensPerSec: theoretical.prefillTokensPerSec, ttftSec: theoretical.ttftSec, decodeTokensPerSec: theoretical.decodeTokensPerSec, tpotSec: theoretical.tpotSec },
    batch, decodeDepth: depth, ridgePoint: ridgePoint(target, peak), commSec: expected.commSec,
    ...(speed ? { calibration: speed.info } : {}),
  };
  const spec = speculative(inp, ctx, batch, depth, eff, undefined, assumptions);
  if (spec) perf.speculative = spec;

  let whatIfs: WhatIf[] | undefined;
  if (inp.opts.whatIfs !== false) {
    whatIfs = [];
    for (const dt of ['auto', 'fp8']) {
      const b = vllmKvBytesPerElement(dt, engine.dtype);
      const ptd = vllmKvBytesPerToken(model, b, tp) / pp;
      const p = vllmPool({ capacityBytes: capacity, utilization: engine.gpuMemoryUtilization, weightsPerDevice: weightsPerDevice + draftBytes, activationBytes: activation, nonTorchBytes: nonTorch, bytesPerTokenPerDevice: ptd, blockSize: engine.blockSize, maxModelLen, maxNumSeqs });
      const dec = decodeStepTiming({ ...ctx, kvBytesPerToken: vllmKvBytesPerToken(model, b, 1) }, batch, depth, eff);
      whatIfs.push({ cacheTypeK: dt, cacheTypeV: dt, kvBytes: p.poolBytes, kvBytesPerToken: vllmKvBytesPerToken(model, b, 1), maxSequences: p.maxSequences, decodeTokensPerSec: dec.seconds > 0 ? 1 / dec.seconds : 0, fits: p.poolBytes > 0 && p.maxKvTokens >= maxModelLen });
    }
    for (const win of inp.opts.windowTokens ?? [DEFAULT_WINDOW_TOKENS]) {
      if (!(win > 0)) continue;
      const perSeq = perTokenDevice * Math.min(maxModelLen, win);
      const dec = decodeStepTiming({ ...ctx, window: win, swaShare: 1 }, batch, depth, eff);
      whatIfs.push({
        cacheTypeK: engine.kvCacheDtype, cacheTypeV: engine.kvCacheDtype, windowTokens: win, kvBytes: pool.poolBytes, kvBytesPerToken: perTokenWhole,
        maxSequences: perSeq > 0 ? Math.min(maxNumSeqs, Math.floor(pool.poolBytes / perSeq)) : 0, decodeTokensPerSec: dec.seconds > 0 ? 1 / dec.seconds : 0,
        fits: pool.poolBytes > 0, invalid: 'not a vLLM option: a StreamingLLM-style sink + window budget, shown for comparison',
      });
    }
  }
  return {
    id: target.id, name: target.name, devices,
    memory: {
      weightsBytes: weightsPerDevice, kvBytes: pool.poolBytes, kvBytesPerToken: perTokenDevice, computeBytes: activation, overheadBytes: nonTorch,
      activationBytes: activation, budgetBytes: pool.budgetBytes, draftBytes: draftBytes || undefined, totalBytes: total, capacityBytes: capacity,
      fits: verdict !== 'does-not-fit', verdict, headroomBytes: capacity - total,
    },
    concurrency: {
      maxSequences: pool.maxSequences, atContext: maxModelLen, maxKvTokens: pool.maxKvTokens, kvBlocks: pool.blocks,
      maxContextAtParallel: Math.floor(pool.maxKvTokens / Math.max(1, Math.min(workload.concurrency, maxNumSeqs)) / engine.blockSize) * engine.blockSize,
    },
    perf, whatIfs, assumptions, errors: errors.length ? errors : undefined,
  };
}

/** Memory, concurrency and speed of `deployment` running `model` on each target. */
export function estimate(deployment: Deployment, model: ModelDescriptor | undefined, targetsIn: HardwareTarget[] | { targets: HardwareTarget[] }, opts: EstimateOptions = {}): EstimateReport {
  // Accepts resolveTargets()'s result directly as well as its `targets` array.
  const targets = Array.isArray(targetsIn) ? targetsIn : Array.isArray(targetsIn?.targets) ? targetsIn.targets : [];
  const normalized = normalizeModel(model);
  const assumed = normalized.assumed;
  const served = applyServedWeights(normalized.model, deployment);
  const m = served.model;
  if (served.note) assumed.push(served.note);
  const engine = resolveEngine(deployment, m);
  const workload = sanitizeWorkload(deployment.workload);
  const warnings: string[] = [...assumed];
  const modelKnown = m.layers > 0 && m.missing.length === 0;
  if (m.missing.length) warnings.push(`model facts missing: ${m.missing.join(', ')} — figures that depend on them are incomplete`);
  if (m.layers === 0) warnings.push('the model has no known layers: KV cache cannot be computed');
  if (m.weightsBytes === 0) warnings.push('weights size unknown: weights counted as 0 bytes');

  const kvFn = memoKv();
  let kvBytesPerToken = 0;
  let kvCells: number | undefined;
  if (engine.kind === 'llama.cpp') {
    const kv = kvFn(m, { nCtx: engine.contextSize, nSeq: engine.parallel, unified: engine.unified, typeK: engine.typeK, typeV: engine.typeV, nUbatch: engine.nUbatch, nBatch: engine.nBatch, swaFull: engine.swaFull, flashAttention: engine.flashAttention });
    kvBytesPerToken = kv.bytesPerToken;
    kvCells = kv.cells;
    for (const e of kv.errors) warnings.push(`llama.cpp would refuse this: ${e}`);
    if (deployment.speculative && !opts.draft) warnings.push('speculative section present but the draft model is not resolved: no speedup computed');
  } else {
    kvBytesPerToken = vllmKvBytesPerToken(m, vllmKvBytesPerElement(engine.kvCacheDtype, engine.dtype), 1);
  }
  if (m.trainedContext && engine.kind === 'llama.cpp' && engine.contextSize / (engine.unified ? 1 : engine.parallel) > m.trainedContext) {
    warnings.push(`context per sequence exceeds the model's trained context (${m.trainedContext})`);
  }

  const uniformHeads = m.kvHeadsPerLayer.every((h) => h === m.kvHeadsPerLayer[0]);
  const report: EstimateReport = {
    model: {
      name: m.name, architecture: m.architecture, layers: m.layers,
      kvHeads: m.mla ? 1 : uniformHeads ? (m.kvHeadsPerLayer[0] ?? 0) : m.kvHeadsPerLayer,
      headDim: m.mla ? m.mla.kvLoraRank + m.mla.qkRopeHeadDim : m.headDimK, params: m.params, activeParams: m.activeParams, weightsBytes: m.weightsBytes,
      missing: m.missing.length ? [...m.missing] : undefined,
    },
    engine: {
      kind: engine.kind, contextSize: engine.contextSize, parallel: engine.parallel,
      cacheTypeK: engine.kind === 'vllm' ? engine.kvCacheDtype : engine.typeK, cacheTypeV: engine.kind === 'vllm' ? engine.kvCacheDtype : engine.typeV,
      flashAttention: engine.flashAttention, tensorParallel: engine.tensorParallel, kvBytesPerToken, kvCells,
    },
    workload,
    targets: [],
    warnings,
  };
  if (engine.kind === 'llama.cpp' && !isFlashAttentionOn(engine.flashAttention) && engine.typeV !== 'f16' && engine.typeV !== 'f32' && engine.typeV !== 'bf16') {
    // Already reported through kv.errors; kept separate so the message names the flag.
    warnings.push('-fa off with a quantized V cache: llama.cpp fails to create the context');
  }
  for (const t of targets) {
    const inp: TargetInput = { deployment, model: m, engine, workload, target: t, opts, modelKnown, kv: kvFn };
    const te = engine.kind === 'vllm' ? vllmTarget(inp) : llamaTarget(inp);
    if (m.missing.length) te.assumptions.push(`incomplete model (${m.missing.join(', ')}): figures are lower bounds where those facts matter`);
    report.targets.push(te);
  }
  return finiteDeep(report);
}
