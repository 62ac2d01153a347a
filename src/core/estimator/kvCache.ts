// KV cache bytes exactly as llama.cpp allocates them. Mirrors the llama.cpp source bundled in node-llama-cpp 3.22.1
// (ggml-org/llama.cpp, bundle commit de3ff815): src/llama-context.cpp (n_ctx padding, n_ctx_seq, n_batch/n_ubatch,
// flash-attention checks in llama_init_from_model), src/llama-model.cpp `create_memory` (kv_size = n_ctx_seq),
// src/llama-kv-cache.cpp (one [n_embd_k_gqa(il), kv_size, n_stream] tensor for K and for V per layer; MLA has no V;
// V rows widened to the max over layers when V is transposed, i.e. without flash attention),
// src/llama-kv-cache-iswa.cpp (SWA layers sized PAD(min(kv_size, n_swa × (unified ? n_seq : 1) + n_ubatch), 256))
// and src/llama-memory-recurrent.cpp (r/s f32 rows of n_embd_r/n_embd_s per recurrent layer, max(1, n_seq) ×
// (1 + n_rs_seq) rows). Which layers hold what comes from the model's llamaPlan (models/arch/llamaPlan.ts).
import type { ModelDescriptor, LayerKind } from '../models/descriptor';
import { GGML_TYPES, ggmlType, type GgmlTypeInfo } from './cacheTypes';
import { maxVRow } from '../models/arch/llamaPlan';

export interface LlamaKvOptions {
  /** `-c`; 0 = the model's trained context (llama.cpp's `n_ctx == 0` rule). */
  nCtx: number;
  /** `-np` (n_seq_max). Default 1. */
  nSeq?: number;
  /** `-kvu`: one stream shared by all sequences. Default false (llama.cpp's default). */
  unified?: boolean;
  typeK?: string;
  typeV?: string;
  /** `-ub`, default 512. */
  nUbatch?: number;
  /** `-b`, default 2048. */
  nBatch?: number;
  /** `--swa-full`, default false (common_params default; the bare llama.h default is true). */
  swaFull?: boolean;
  /** `-fa`: auto creates the cache with flash attention on (cparams.flash_attn is true until resolved later). */
  flashAttention?: boolean | 'on' | 'off' | 'auto';
  /** Recurrent-state snapshots per sequence for rollback (llama_context_params.n_rs_seq; 0 unless speculative). */
  nRsSeq?: number;
  /**
   * Size MLA the way llama.cpp builds before the 2026 V-less MLA cache did (upstream snapshot 3514e9f6: a V tensor of
   * value_length per layer beside the latent K). Default false: the bundled de3ff815 stores K only.
   */
  mlaWithV?: boolean;
}

/** One group of layers sized by the same rule, for hovers ("18 SWA layers × 768 cells (window 128 + ubatch 512 …)"). */
export interface LlamaKvGroup {
  kind: 'full' | 'swa' | 'recurrent';
  layers: number;
  cells: number;
  kvHeads: number;
  kElements: number;
  vElements: number;
  bytes: number;
  /** Streams (sequences without a unified cache). */
  streams: number;
  /** SWA groups: how the cells came about (PAD(min(cells, window × seqs + ubatch), 256)). */
  swa?: { window: number; seqs: number; ubatch: number; raw: number; capped: boolean; reason?: 'swa-full' | 'no-window' };
}

export interface LlamaKvLayer {
  index: number;
  kind: LayerKind;
  kvHeads: number;
  /** Cells per stream for this layer (SWA layers may hold fewer). */
  cells: number;
  /** n_embd_k_gqa(il) and the V row width actually allocated. */
  kElements: number;
  vElements: number;
  kBytes: number;
  vBytes: number;
}

export interface LlamaKvCache {
  /** n_ctx after llama.cpp's rounding (total across sequences). */
  nCtx: number;
  /** Cells per stream of the full-attention cache (what llama.cpp's log calls `cells`). */
  nCtxSeq: number;
  cells: number;
  /** Cells per stream of the SWA cache, when the model has SWA layers. */
  swaCells?: number;
  streams: number;
  nSeq: number;
  unified: boolean;
  nUbatch: number;
  nBatch: number;
  flashAttention: boolean;
  vTransposed: boolean;
  typeK: string;
  typeV: string;
  layers: LlamaKvLayer[];
  kBytes: number;
  vBytes: number;
  totalBytes: number;
  /** Full-attention view: bytes one token adds across all KV layers (SWA windows ignored). */
  bytesPerToken: number;
  /** Layers without a per-token cache (recurrent state); their state is in stateBytes, not in totalBytes. */
  recurrentLayers: number;
  /** Recurrent state (llama_memory_recurrent): r and s bytes over all recurrent layers and sequences. */
  rBytes: number;
  sBytes: number;
  stateBytes: number;
  /** Recurrent-state bytes per layer, for the -ngl device split. */
  stateLayers: { index: number; bytes: number }[];
  /** Rows of the recurrent state (max(1, n_seq) × (1 + n_rs_seq)). */
  stateRows: number;
  /** Layer groups and the rule behind each, for hovers. */
  groups: LlamaKvGroup[];
  /** Layers that read another layer's cache (shared KV), not allocated. */
  sharedLayers: number;
  /** llama.cpp would refuse this configuration; the message is llama.cpp's own where it has one. */
  errors: string[];
  notes: string[];
}

const PAD = (x: number, n: number): number => Math.ceil(x / n) * n;

// Layer and tensor instead of a ready label: the label is only built for the rare error, not twice per layer on
// every call (the estimator sizes the cache dozens of times per keystroke; those strings were much of its garbage).
function rowBytes(type: string, t: GgmlTypeInfo, ne: number, errors: string[], layer: number, tensor: 'K' | 'V'): number {
  if (ne % t.blockSize !== 0) {
    errors.push(`layer ${layer} ${tensor} row of ${ne} elements is not a multiple of ${type}'s block size ${t.blockSize}`);
    return Math.ceil(ne / t.blockSize) * t.typeSize;
  }
  return (ne / t.blockSize) * t.typeSize;
}

export function isFlashAttentionOn(fa: LlamaKvOptions['flashAttention']): boolean {
  return !(fa === false || fa === 'off');
}

/** Why llama.cpp refuses these cache types for this model (empty = accepted). Mirrors llama_init_from_model. */
export function cacheTypeErrors(model: Pick<ModelDescriptor, 'headDimK' | 'headDimV' | 'mla' | 'llamaPlan'>, typeK: string, typeV: string, flashAttention: LlamaKvOptions['flashAttention']): string[] {
  const errors: string[] = [];
  const tk = ggmlType(typeK);
  const tv = ggmlType(typeV);
  if (!tk) errors.push(`unknown K cache type '${typeK}'`);
  if (!tv) errors.push(`unknown V cache type '${typeV}'`);
  const fa = isFlashAttentionOn(flashAttention);
  const plan = model.llamaPlan;
  const isMla = plan ? plan.mla !== undefined || plan.arch === 'deepseek4' : model.mla !== undefined;
  if (isMla && typeK.toLowerCase() !== typeV.toLowerCase()) {
    errors.push(`model does not support different K (${typeK}) and V (${typeV}) cache types`);
  }
  if (tv?.quantized && !fa) errors.push('quantized V cache requires flash_attn to be enabled');
  // llama_init_from_model checks n_embd_head_k(il) / n_embd_head_v(il) of every trunk layer.
  const derived = plan ? planFacts(plan) : undefined;
  const headsK = derived ? derived.headsK : [model.mla ? model.mla.kvLoraRank + model.mla.qkRopeHeadDim : model.headDimK];
  const headsV = derived ? derived.headsV : [model.mla ? (model.mla.vHeadDim ?? model.mla.kvLoraRank) : model.headDimV];
  const badK = headsK.find((h) => h > 0 && tk && h % tk.blockSize !== 0);
  if (fa && tk?.quantized && badK !== undefined) {
    errors.push(`K cache type ${typeK} with block size ${tk.blockSize} does not divide n_embd_head_k=${badK}`);
  }
  const badV = headsV.find((h) => h > 0 && tv && h % tv.blockSize !== 0);
  if (fa && tv?.quantized && badV !== undefined) {
    errors.push(`V cache type ${typeV} with block size ${tv.blockSize} does not divide n_embd_head_v=${badV}`);
  }
  return errors;
}

/** What every sizing of a plan needs and never changes: computed once per plan. */
const PLAN_FACTS = new WeakMap<object, { headsK: number[]; headsV: number[]; vMax: number }>();
function planFacts(plan: NonNullable<ModelDescriptor['llamaPlan']>): { headsK: number[]; headsV: number[]; vMax: number } {
  let f = PLAN_FACTS.get(plan);
  if (!f) {
    const trunk = plan.layers.slice(0, plan.trunkLayers);
    f = { headsK: [...new Set(trunk.map((l) => l.headK))], headsV: [...new Set(trunk.map((l) => l.headV))], vMax: maxVRow(plan) };
    PLAN_FACTS.set(plan, f);
  }
  return f;
}

// llama.cpp ignores some configs' sliding windows (Mistral-7B-v0.1, Phi-3, Qwen2): the model reader records
// what llama.cpp will actually allocate in llamaCppLayerKinds.
function llamaLayerKinds(model: ModelDescriptor): LayerKind[] {
  return model.llamaCppLayerKinds ?? model.layerKinds;
}

function layerKind(model: ModelDescriptor, il: number): LayerKind {
  return llamaLayerKinds(model)[il] ?? 'full';
}

function layerHeads(model: ModelDescriptor, il: number): number {
  if (layerKind(model, il) === 'recurrent') return 0;
  if (model.mla) return 1;
  const h = model.kvHeadsPerLayer[il] ?? model.kvHeadsPerLayer[0] ?? 0;
  return Number.isFinite(h) && h > 0 ? h : 0;
}

/**
 * The cells llama.cpp allocates for a requested context (llama-context.cpp): n_ctx = PAD(n_ctx, 256); without a
 * unified cache each of the n_seq streams gets PAD(n_ctx / n_seq, 256) cells, so the total can round up.
 * The engine runner sizes its contexts with this too, so estimate and measurement share one rule.
 */
export function llamaContextCells(nCtxRequested: number, nSeq: number, unified: boolean): { nCtx: number; nCtxSeq: number } {
  const padded = PAD(Math.max(0, nCtxRequested), 256);
  if (unified) return { nCtx: padded, nCtxSeq: padded };
  const nCtxSeq = PAD(Math.floor(padded / nSeq), 256);
  return { nCtx: nCtxSeq * nSeq, nCtxSeq };
}

/** Exact KV cache allocation of llama.cpp for `model` with the given context parameters. */
export function llamaKvCache(model: ModelDescriptor, opts: LlamaKvOptions): LlamaKvCache {
  const errors: string[] = [];
  const notes: string[] = [];
  const nSeq = Math.max(1, Math.floor(opts.nSeq ?? 1));
  const unified = opts.unified ?? false;
  const typeK = (opts.typeK ?? 'f16').toLowerCase();
  const typeV = (opts.typeV ?? 'f16').toLowerCase();
  const fa = isFlashAttentionOn(opts.flashAttention);
  const vTrans = !fa;

  let nCtxReq = Math.max(0, Math.floor(opts.nCtx || 0));
  if (nCtxReq === 0) {
    if (model.trainedContext && model.trainedContext > 0) {
      nCtxReq = model.trainedContext;
      notes.push(`-c 0 → the model's trained context, ${model.trainedContext} tokens`);
    } else {
      nCtxReq = 4096;
      errors.push('context size 0 means the trained context, which the model does not state; assumed 4096');
    }
  }
  // llama-context.cpp: n_batch = min(n_ctx, n_batch) before padding; n_ubatch = min(n_batch, n_ubatch).
  const nBatch = Math.min(nCtxReq, Math.max(1, Math.floor(opts.nBatch ?? 2048)));
  // common_params default -ub 512; an explicit 0 means "same as n_batch" (llama_context's rule).
  const ubReq = opts.nUbatch === undefined ? 512 : Math.floor(opts.nUbatch);
  const nUbatch = Math.min(nBatch, ubReq > 0 ? ubReq : nBatch);

  const padded = PAD(nCtxReq, 256);
  let { nCtx, nCtxSeq } = llamaContextCells(nCtxReq, nSeq, unified);
  if (nCtxSeq === 0) {
    errors.push('n_ctx_seq == 0');
    nCtxSeq = 256;
    nCtx = nCtxSeq * nSeq;
  }
  if (!unified && nCtx !== padded) {
    notes.push(`n_ctx ${padded} is not divisible by ${nSeq} sequences: each stream gets PAD(${padded}/${nSeq}, 256) = ${nCtxSeq} cells, ${nCtx} in all`);
  }
  const streams = unified ? 1 : nSeq;

  errors.push(...cacheTypeErrors(model, typeK, typeV, opts.flashAttention));

  const plan = model.llamaPlan;
  const nLayers = Math.max(0, model.layers | 0);
  const hasSwa = plan ? plan.memory === 'iswa' || plan.memory === 'hybrid-iswa' : llamaLayerKinds(model).some((k) => k === 'swa');
  const nSwa = plan ? plan.nSwa : model.slidingWindow ?? 0;
  let swaCells: number | undefined;
  let swaInfo: LlamaKvGroup['swa'];
  if (hasSwa) {
    if (!(nSwa > 0)) {
      notes.push('the model has sliding-window layers but no window size; they are sized like full layers');
      swaCells = nCtxSeq;
      swaInfo = { window: 0, seqs: 1, ubatch: nUbatch, raw: nCtxSeq, capped: true, reason: 'no-window' };
    } else if (opts.swaFull) {
      swaCells = nCtxSeq;
      swaInfo = { window: nSwa, seqs: 1, ubatch: nUbatch, raw: nCtxSeq, capped: true, reason: 'swa-full' };
    } else {
      const seqs = unified ? nSeq : 1;
      const raw = nSwa * seqs + nUbatch;
      swaCells = PAD(Math.min(nCtxSeq, raw), 256);
      swaInfo = { window: nSwa, seqs, ubatch: nUbatch, raw, capped: raw >= nCtxSeq };
    }
  }

  // Looked up once, not per layer; an unknown type is reported by cacheTypeErrors and sized like f16.
  const infoK = ggmlType(typeK) ?? GGML_TYPES.f16;
  const infoV = ggmlType(typeV) ?? GGML_TYPES.f16;
  const layers: LlamaKvLayer[] = [];
  let kBytes = 0;
  let vBytes = 0;
  let bytesPerToken = 0;
  let recurrentLayers = 0;
  let sharedLayers = 0;
  const stateLayers: { index: number; bytes: number }[] = [];
  let rBytes = 0;
  let sBytes = 0;
  const nRsSeq = Math.max(0, Math.floor(opts.nRsSeq ?? 0));
  const stateRows = Math.max(1, nSeq) * (1 + nRsSeq);
  const isMla = plan ? plan.mla !== undefined : model.mla !== undefined;
  const mlaV = isMla && opts.mlaWithV === true;

  if (plan) {
    // Without flash attention V is stored transposed and every layer's V row is widened to n_embd_v_gqa_max().
    const vMax = planFacts(plan).vMax;
    const planLayers = plan.layers;
    for (let il = 0; il < planLayers.length; il++) {
      const l = planLayers[il]!;
      if (l.recurrent) {
        const b = (plan.rElements + plan.sElements) * 4 * stateRows;
        stateLayers.push({ index: il, bytes: b });
        rBytes += plan.rElements * 4 * stateRows;
        sBytes += plan.sElements * 4 * stateRows;
        recurrentLayers++;
      }
      if (!l.kv) {
        if (l.reuses !== undefined) sharedLayers++;
        continue;
      }
      const cells = l.swa && swaCells !== undefined ? swaCells : nCtxSeq;
      const kElements = l.headK * l.kvHeads;
      const vElements = isMla && !mlaV ? 0 : vTrans ? vMax : l.headV * l.kvHeads;
      const kRow = kElements ? rowBytes(typeK, infoK, kElements, errors, il, 'K') : 0;
      const vRow = vElements ? rowBytes(typeV, infoV, vElements, errors, il, 'V') : 0;
      const kb = kRow * cells * streams;
      const vb = vRow * cells * streams;
      layers.push({ index: il, kind: l.swa ? 'swa' : 'full', kvHeads: l.kvHeads, cells, kElements, vElements, kBytes: kb, vBytes: vb });
      kBytes += kb;
      vBytes += vb;
      bytesPerToken += kRow + vRow;
    }
    for (const p of plan.problems) notes.push(p);
  } else {
    const headK = model.mla ? model.mla.kvLoraRank + model.mla.qkRopeHeadDim : model.headDimK;
    const headV = model.headDimV;
    let vMax = 0;
    for (let il = 0; il < nLayers; il++) vMax = Math.max(vMax, headV * layerHeads(model, il));
    for (let il = 0; il < nLayers; il++) {
      const kind = layerKind(model, il);
      const heads = layerHeads(model, il);
      if (kind === 'recurrent' || heads === 0) {
        recurrentLayers += kind === 'recurrent' ? 1 : 0;
        continue;
      }
      const cells = kind === 'swa' && swaCells !== undefined ? swaCells : nCtxSeq;
      const kElements = headK * heads;
      const vElements = model.mla && !mlaV ? 0 : vTrans ? vMax : (model.mla ? model.mla.kvLoraRank : headV) * heads;
      const kRow = rowBytes(typeK, infoK, kElements, errors, il, 'K');
      const vRow = vElements ? rowBytes(typeV, infoV, vElements, errors, il, 'V') : 0;
      const kb = kRow * cells * streams;
      const vb = vRow * cells * streams;
      layers.push({ index: il, kind, kvHeads: heads, cells, kElements, vElements, kBytes: kb, vBytes: vb });
      kBytes += kb;
      vBytes += vb;
      bytesPerToken += kRow + vRow;
    }
    if (recurrentLayers > 0) {
      notes.push(`${recurrentLayers} recurrent layers keep a fixed-size state per sequence (f32, not per token); its size is unknown for this model source`);
    }
  }
  if (isMla) {
    const lat = plan?.mla ? plan.layers.find((l) => l.kv)?.headK ?? 0 : (model.mla?.kvLoraRank ?? 0) + (model.mla?.qkRopeHeadDim ?? 0);
    notes.push(mlaV
      ? `MLA as older llama.cpp builds cache it (upstream 3514e9f6): latent K of ${lat} plus a V of kv_lora_rank per layer per token`
      : `MLA: one latent of ${lat} elements per layer per token, no separate V (llama.cpp ${'de3ff815'}; builds before the 2026 V-less MLA cache also stored a V of kv_lora_rank)`);
  }
  if (sharedLayers) notes.push(`${sharedLayers} layers share an earlier layer's KV cache and allocate none`);
  if (rBytes + sBytes > 0 && plan) {
    notes.push(`recurrent state: ${recurrentLayers} layers × ${stateRows} row(s) × (r ${plan.rElements} + s ${plan.sElements}) f32 = ${rBytes + sBytes} B, fixed per sequence (not per token)`);
  }

  const uniqueErrors = errors.length ? [...new Set(errors)] : errors;
  return {
    nCtx, nCtxSeq, cells: nCtxSeq, swaCells, streams, nSeq, unified, nUbatch, nBatch, flashAttention: fa, vTransposed: vTrans,
    typeK, typeV, layers, kBytes, vBytes, totalBytes: kBytes + vBytes, bytesPerToken, recurrentLayers,
    rBytes, sBytes, stateBytes: rBytes + sBytes, stateLayers, stateRows, groups: kvGroups(layers, stateLayers, plan, swaInfo, streams, stateRows),
    sharedLayers, errors: uniqueErrors, notes,
  };
}

/** Layers that were sized by the same rule, merged for display (no strings here: this runs on every sizing). */
function kvGroups(layers: LlamaKvLayer[], state: { index: number; bytes: number }[], plan: ModelDescriptor['llamaPlan'], swa: LlamaKvGroup['swa'], streams: number, rows: number): LlamaKvGroup[] {
  const out: LlamaKvGroup[] = [];
  for (const l of layers) {
    const kind = l.kind === 'swa' ? 'swa' : 'full';
    let g: LlamaKvGroup | undefined;
    for (const x of out) {
      if (x.kind === kind && x.cells === l.cells && x.kvHeads === l.kvHeads && x.kElements === l.kElements && x.vElements === l.vElements) { g = x; break; }
    }
    if (!g) {
      g = { kind, layers: 0, cells: l.cells, kvHeads: l.kvHeads, kElements: l.kElements, vElements: l.vElements, bytes: 0, streams, swa: kind === 'swa' ? swa : undefined };
      out.push(g);
    }
    g.layers++;
    g.bytes += l.kBytes + l.vBytes;
  }
  if (state.length && plan) {
    let bytes = 0;
    for (const s of state) bytes += s.bytes;
    out.push({ kind: 'recurrent', layers: state.length, cells: rows, kvHeads: 0, kElements: plan.rElements, vElements: plan.sElements, bytes, streams });
  }
  return out;
}

/** The rule that sized a group, in words ("768 cells (window 128 + ubatch 512 = 640, padded to 256)"). */
export function kvGroupRule(g: LlamaKvGroup): string {
  const streams = g.streams > 1 ? ` × ${g.streams} streams` : '';
  if (g.kind === 'recurrent') return `${g.cells} state row(s) (one per sequence): r ${g.kElements} + s ${g.vElements} f32 elements per layer, independent of -c`;
  if (g.kind === 'full') return `${g.cells} cells${streams} (-c padded to 256)`;
  const w = g.swa;
  if (!w) return `${g.cells} cells${streams} (sliding window)`;
  if (w.reason === 'swa-full') return `${g.cells} cells${streams} (--swa-full: as many as the full layers)`;
  if (w.reason === 'no-window') return `${g.cells} cells${streams} (no window size known: sized like full layers)`;
  const seqs = w.seqs > 1 ? ` × ${w.seqs} seqs` : '';
  return w.capped
    ? `${g.cells} cells${streams} (window ${w.window}${seqs} + ubatch ${w.ubatch} ≥ the full size: capped)`
    : `${g.cells} cells${streams} (window ${w.window}${seqs} + ubatch ${w.ubatch} = ${w.raw}, padded to 256)`;
}

/**
 * The textbook per-token figure: 2 × layers × KV heads × head_dim × bytes per element (what papers compute).
 * Uses per-layer heads and skips recurrent layers; MLA counts its single latent.
 */
export function naiveKvBytesPerToken(model: ModelDescriptor, bytesPerElem: number): number {
  let elems = 0;
  for (let il = 0; il < model.layers; il++) {
    const heads = layerHeads(model, il);
    if (heads === 0) continue;
    if (model.mla) elems += model.mla.kvLoraRank + model.mla.qkRopeHeadDim;
    else elems += heads * (model.headDimK + model.headDimV);
  }
  return elems * bytesPerElem;
}

/**
 * KV per token as vLLM stores it, per GPU at `tensorParallel`. With the model's per-layer vLLM spec (vllmSpec.ts)
 * Mamba/linear-attention layers add nothing per token and full/SWA layers use their own head sizes.
 */
export function vllmKvBytesPerToken(model: ModelDescriptor, bytesPerElem: number, tensorParallel = 1): number {
  const tp = Math.max(1, tensorParallel);
  if (model.vllm) {
    let b = 0;
    for (const { spec } of model.vllm.layers) {
      if (spec.kind === 'mla') b += spec.headSize * bytesPerElem;
      else if (spec.kind !== 'mamba') b += Math.max(1, Math.floor(spec.kvHeads / tp)) * (spec.headSize + spec.headSizeV) * bytesPerElem;
    }
    return b;
  }
  let elems = 0;
  for (let il = 0; il < model.layers; il++) {
    const heads = layerHeads(model, il);
    if (heads === 0) continue;
    if (model.mla) {
      // vLLM's MLA backends cache the compressed latent; it is replicated on every TP rank.
      elems += model.mla.kvLoraRank + model.mla.qkRopeHeadDim;
    } else {
      // KV heads are split across ranks; with fewer heads than ranks each rank keeps (replicates) one head.
      const perRank = Math.max(1, Math.ceil(heads / tp));
      elems += perRank * (model.headDimK + model.headDimV);
    }
  }
  return elems * bytesPerElem;
}
