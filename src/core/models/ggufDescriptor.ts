// GGUF header → ModelDescriptor. The memory layout (KV layers, SWA, recurrent state, MLA, shared KV) comes from
// llamaMemoryPlan (models/arch/llamaPlan.ts), which mirrors the bundled llama.cpp's load_hparams/create_memory;
// this file adds what the estimator needs besides (parameters and exact tensor bytes, MoE, vocabulary, names).

import { GgufError, GgufMetaValue, GgufModelInfo } from './gguf';
import { LayerKind, ModelDescriptor } from './descriptor';
import { LLAMA_FTYPE_NAMES } from './ggmlTypes';
import { llamaMemoryPlan, type LlamaMemoryPlan } from './arch/llamaPlan';
import { LLAMA_MAX_LAYERS, ModelFactError } from './validate';

/** Kept for callers that want llama.cpp's set_swa_pattern on its own. */
export function swaPattern(layers: number, n: number, denseFirst = false): boolean[] {
  const out: boolean[] = [];
  for (let il = 0; il < layers; il++) {
    out.push(n === 0 || (denseFirst ? il % n !== 0 : il % n < n - 1));
  }
  return out;
}

/** llama.cpp's own limit (src/llama-hparams.h LLAMA_MAX_LAYERS). */
export const MAX_LAYERS = LLAMA_MAX_LAYERS;

function num(v: GgufMetaValue | undefined): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

function isSummary(v: GgufMetaValue | undefined): v is { kind: 'array-summary'; itemType: string; length: number } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'array-summary';
}

export function descriptorFromGguf(info: GgufModelInfo, path?: string): ModelDescriptor {
  const md = info.metadata;
  const missing: string[] = [];
  const notes: string[] = [];
  const archRaw = md['general.architecture'];
  const arch = typeof archRaw === 'string' ? archRaw : 'unknown';
  if (typeof archRaw !== 'string') missing.push('general.architecture');
  const key = (k: string): GgufMetaValue | undefined => md[`${arch}.${k}`];
  const need = (k: string): number => {
    const v = num(key(k));
    if (v === undefined) missing.push(`${arch}.${k}`);
    return v ?? 0;
  };

  // Present-but-impossible facts (negative heads, 2^32 layers) are errors; absent ones are listed as missing.
  const blockRaw = key('block_count');
  if (blockRaw !== undefined) {
    const b = num(blockRaw);
    if (b === undefined || !Number.isInteger(b) || b < 1 || b > LLAMA_MAX_LAYERS) {
      throw new GgufError(`${arch}.block_count = ${JSON.stringify(blockRaw)} is not a plausible layer count (llama.cpp accepts 1–${LLAMA_MAX_LAYERS})`);
    }
  }
  const where = path ?? 'GGUF';
  let plan: LlamaMemoryPlan | undefined;
  if (typeof archRaw === 'string' && blockRaw !== undefined && key('embedding_length') !== undefined) {
    try {
      plan = llamaMemoryPlan(md as Record<string, unknown>, where);
    } catch (e) {
      if (e instanceof ModelFactError) throw new GgufError(e.message);
      throw e;
    }
  }
  const layersAll = need('block_count');
  const layers = plan ? plan.trunkLayers : layersAll;
  const hiddenSize = need('embedding_length');
  const headsRaw = key('attention.head_count');
  if (headsRaw === undefined) missing.push(`${arch}.attention.head_count`);
  const planLayers = plan ? plan.layers.slice(0, layers) : [];
  const headsArr = Array.isArray(headsRaw) ? headsRaw.map((x) => num(x) ?? 0) : headsRaw !== undefined ? [num(headsRaw) ?? 0] : [];
  const heads = headsArr.length ? Math.max(0, ...headsArr) : 0;
  let kvHeadsPerLayer = plan ? planLayers.map((l) => (l.kv || !l.recurrent ? l.kvHeads : 0)) : new Array<number>(layers).fill(heads);
  if (plan && key('attention.head_count_kv') === undefined && headsArr.length) notes.push('attention.head_count_kv absent: KV heads = query heads (as llama.cpp assumes)');
  const firstFull = planLayers.find((l) => l.kv && !l.swa) ?? planLayers.find((l) => l.kv) ?? planLayers[0];
  const headDimK = firstFull?.headK ?? (heads > 0 && hiddenSize > 0 ? Math.floor(hiddenSize / heads) : 0);
  const headDimV = firstFull?.headV ?? headDimK;
  if (num(key('attention.key_length')) === undefined && heads > 0 && headDimK) notes.push(`head dim taken as embedding_length / head_count = ${headDimK}`);
  if (heads > 0 && hiddenSize > 0 && num(key('attention.key_length')) === undefined && hiddenSize % heads !== 0) {
    missing.push('head dimension (embedding_length is not a multiple of head_count)');
  }
  const layerKinds: LayerKind[] = planLayers.length
    ? planLayers.map((l): LayerKind => (l.recurrent && !l.kv ? 'recurrent' : l.swa ? 'swa' : 'full'))
    : new Array<LayerKind>(layers).fill('full');
  if (plan) for (const r of plan.rules) notes.push(`llama.cpp: ${r}`);
  if (plan) for (const pr of plan.problems) notes.push(pr);
  const slidingWindow = layerKinds.includes('swa') && plan && plan.nSwa > 0 ? plan.nSwa : undefined;
  const ignoredWindow = num(key('attention.sliding_window'));
  if (ignoredWindow && ignoredWindow > 0 && !layerKinds.includes('swa')) {
    notes.push(`${arch}.attention.sliding_window = ${ignoredWindow} is ignored by llama.cpp for ${arch}: full cache on every layer`);
  }

  // MLA: llama.cpp caches one latent (key_length = kv_lora_rank + rope dim) and no V when the *_mla keys exist.
  let mla: ModelDescriptor['mla'];
  if (plan?.mla) {
    mla = {
      kvLoraRank: plan.mla.kvLoraRank,
      qkRopeHeadDim: plan.mla.ropeDim,
      qLoraRank: num(key('attention.q_lora_rank')),
      qkNopeHeadDim: plan.mla.keyLengthMla - plan.mla.ropeDim,
      vHeadDim: plan.mla.valueLengthMla,
    };
    kvHeadsPerLayer = kvHeadsPerLayer.map((h) => (h > 0 ? 1 : 0));
  } else if (num(key('attention.kv_lora_rank'))) {
    notes.push('DeepSeek GGUF from before MLA support (no key_length_mla): llama.cpp caches expanded K and V per head');
  }

  // MoE
  let moe: ModelDescriptor['moe'];
  const experts = num(key('expert_count'));
  if (experts && experts > 1) {
    const used = num(key('expert_used_count'));
    if (used === undefined) missing.push(`${arch}.expert_used_count`);
    moe = {
      experts,
      expertsUsed: used ?? experts,
      sharedExperts: num(key('expert_shared_count')),
      firstDenseLayers: num(key('leading_dense_block_count')),
      expertFeedForward: num(key('expert_feed_forward_length')),
    };
  }

  // Parameters: every tensor's elements; routed-expert tensors (*_exps) count used/experts toward active.
  let params = 0;
  let activeParams = 0;
  const bytesByType = new Map<string, number>();
  for (const t of info.tensors) {
    params += t.elements;
    const isExpert = /_exps(\.|$)/.test(t.name);
    activeParams += isExpert && moe ? t.elements * (moe.expertsUsed / moe.experts) : t.elements;
    bytesByType.set(t.type, (bytesByType.get(t.type) ?? 0) + t.bytes);
  }
  activeParams = Math.round(activeParams);

  const ftype = num(md['general.file_type']);
  let weightsType = ftype !== undefined ? LLAMA_FTYPE_NAMES[ftype] : undefined;
  if (!weightsType) {
    weightsType = [...bytesByType.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'unknown';
    if (ftype !== undefined) notes.push(`general.file_type ${ftype} unknown: weights type is the dominant tensor type`);
  }

  const tokens = md['tokenizer.ggml.tokens'];
  const vocabSize = num(key('vocab_size')) ??
    (isSummary(tokens) ? tokens.length : Array.isArray(tokens) ? tokens.length : undefined);
  const ff = key('feed_forward_length');
  const feedForward = Array.isArray(ff) ? Math.max(...ff.map((x) => num(x) ?? 0)) : num(ff);
  const trainedContext = num(key('context_length'));
  if (trainedContext === undefined) missing.push(`${arch}.context_length`);

  const nameRaw = md['general.name'];
  const fileName = path ? path.split(/[\\/]/).pop() ?? path : undefined;
  const name = typeof nameRaw === 'string' && nameRaw.trim() ? nameRaw : fileName ?? arch;
  const outputTensor = info.tensors.some((t) => t.name === 'output.weight');

  return {
    name,
    source: { kind: 'gguf', path },
    architecture: arch,
    layers,
    hiddenSize,
    heads,
    kvHeadsPerLayer,
    headDimK,
    headDimV,
    layerKinds,
    slidingWindow,
    mla,
    moe,
    vocabSize,
    feedForward,
    trainedContext,
    params,
    activeParams,
    weightsBytes: info.totalTensorBytes,
    weightsType,
    tiedEmbeddings: info.tensors.length > 0 ? !outputTensor : undefined,
    missing,
    notes,
    llamaPlan: plan,
    provenance: path ? [{ what: 'GGUF header', where: path, bytes: info.dataOffset }] : undefined,
  };
}
