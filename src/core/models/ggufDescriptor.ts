// GGUF header → ModelDescriptor, mirroring how llama.cpp (the version bundled in node-llama-cpp) reads the
// hyper-parameters: src/llama-model.cpp, src/models/<arch>.cpp (SWA patterns), src/llama-hparams.cpp.

import { GgufError, GgufMetaValue, GgufModelInfo } from './gguf';
import { LayerKind, ModelDescriptor } from './descriptor';
import { LLAMA_FTYPE_NAMES } from './ggmlTypes';

interface SwaRule {
  /** llama_hparams::set_swa_pattern(n_pattern, dense_first). */
  pattern: number;
  denseFirst?: boolean;
  /** Only when `<arch>.attention.sliding_window` > 0 (otherwise every layer is full attention). */
  needsWindow?: boolean;
  /** Window llama.cpp uses when the key is missing. */
  defaultWindow?: number;
  /** llama4's chunked attention: window forced to 8192 unless sliding_window is explicitly 0. */
  chunked?: boolean;
  /** The pattern comes only from the per-layer array `<arch>.attention.sliding_window_pattern`. */
  arrayOnly?: boolean;
  /** SWA only for this layer count (exaone4: the 32B model with 64 layers). */
  onlyLayers?: number;
}

/** Per architecture, the load_swa_pattern() default each src/models/<arch>.cpp passes. */
const SWA_RULES: Record<string, SwaRule> = {
  gemma2: { pattern: 2, defaultWindow: 4096 },
  gemma3: { pattern: 6, needsWindow: true },
  gemma3n: { pattern: 5 },
  'gpt-oss': { pattern: 2 },
  cohere2: { pattern: 4 },
  cohere2moe: { pattern: 4, denseFirst: true },
  llama4: { pattern: 4, chunked: true },
  exaone4: { pattern: 4, defaultWindow: 4096, onlyLayers: 64 },
  'exaone-moe': { pattern: 4, defaultWindow: 128 },
  olmo2: { pattern: 4, needsWindow: true },
  plamo3: { pattern: 8, needsWindow: true },
  mellum: { pattern: 4, needsWindow: true },
  afmoe: { pattern: 4, needsWindow: true },
  smallthinker: { pattern: 4, denseFirst: true, needsWindow: true },
  gemma4: { pattern: 0, arrayOnly: true },
  'granite-swa': { pattern: 0, arrayOnly: true },
  mimo2: { pattern: 0, arrayOnly: true },
  step35: { pattern: 0, arrayOnly: true },
  dots3note: { pattern: 0, arrayOnly: true },
  maple: { pattern: 0, arrayOnly: true },
};

/** llama.cpp architectures that apply a sliding window at all (others keep a full cache on every layer). */
export const LLAMA_CPP_SWA_ARCHS: ReadonlySet<string> = new Set(Object.keys(SWA_RULES));

/** llm_arch_is_recurrent: every layer keeps a fixed-size state instead of a KV cache. */
const RECURRENT_ARCHS = new Set(['mamba', 'mamba2', 'rwkv6', 'rwkv6qwen2', 'rwkv7', 'arwkv7']);
/** llm_arch_is_hybrid: some layers recurrent, some attention. */
const HYBRID_ARCHS = new Set([
  'jamba', 'falcon-h1', 'plamo2', 'granitehybrid', 'lfm2', 'lfm2moe', 'nemotron_h', 'nemotron_h_moe', 'qwen3next',
  'kimi-linear', 'bailingmoe3', 'kimi-k3', 'qwen35', 'qwen35moe', 'qwen4exp', 'deepseek4', 'minimax-01',
]);

export const MAX_LAYERS = 10_000;

/** set_swa_pattern: with dense_first, layer 0 of each period is full; otherwise the last one is. n = 0: all SWA. */
export function swaPattern(layers: number, n: number, denseFirst = false): boolean[] {
  const out: boolean[] = [];
  for (let il = 0; il < layers; il++) {
    out.push(n === 0 || (denseFirst ? il % n !== 0 : il % n < n - 1));
  }
  return out;
}

function num(v: GgufMetaValue | undefined): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

/** A number or a per-layer array of numbers (head_count_kv may be either). */
function perLayer(v: GgufMetaValue | undefined, layers: number): number[] | undefined {
  if (Array.isArray(v)) {
    const arr = v.map((x) => num(x));
    if (arr.some((x) => x === undefined)) return undefined;
    if (arr.length !== layers) return undefined;
    return arr as number[];
  }
  const n = num(v);
  return n === undefined ? undefined : new Array<number>(layers).fill(n);
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

  const layers = need('block_count');
  // Per-layer arrays are allocated from this number: a hostile file must not size them.
  if (!Number.isInteger(layers) || layers > MAX_LAYERS) {
    throw new GgufError(`${arch}.block_count = ${layers} is not a plausible layer count (at most ${MAX_LAYERS})`);
  }
  const hiddenSize = need('embedding_length');
  const headsArr = perLayer(key('attention.head_count'), layers);
  if (!headsArr) missing.push(`${arch}.attention.head_count`);
  const heads = headsArr ? Math.max(0, ...headsArr) : 0;
  let kvHeadsPerLayer = perLayer(key('attention.head_count_kv'), layers);
  if (!kvHeadsPerLayer) {
    // llama.cpp defaults n_head_kv to n_head when the key is absent (no GQA).
    kvHeadsPerLayer = headsArr ? [...headsArr] : new Array<number>(layers).fill(0);
    if (key('attention.head_count_kv') !== undefined) {
      missing.push(`${arch}.attention.head_count_kv (not a number or an array of ${layers} numbers)`);
    } else if (headsArr) {
      notes.push('attention.head_count_kv absent: KV heads = query heads (as llama.cpp assumes)');
    }
  }

  const defaultHead = heads > 0 && hiddenSize > 0 ? hiddenSize / heads : 0;
  let headDimK = num(key('attention.key_length')) ?? defaultHead;
  let headDimV = num(key('attention.value_length')) ?? defaultHead;
  if (num(key('attention.key_length')) === undefined && defaultHead) {
    notes.push(`head dim taken as embedding_length / head_count = ${defaultHead}`);
  }
  if (!Number.isInteger(headDimK) || !Number.isInteger(headDimV)) {
    missing.push('head dimension (embedding_length is not a multiple of head_count)');
    headDimK = Math.floor(headDimK);
    headDimV = Math.floor(headDimV);
  }

  // Layer kinds: recurrent first (fixed state), then sliding-window.
  const layerKinds: LayerKind[] = new Array<LayerKind>(layers).fill('full');
  if (RECURRENT_ARCHS.has(arch)) {
    layerKinds.fill('recurrent');
    kvHeadsPerLayer = new Array<number>(layers).fill(0);
  } else if (HYBRID_ARCHS.has(arch)) {
    const recurrentArr = key('attention.recurrent_layers');
    if (Array.isArray(recurrentArr) && recurrentArr.length === layers) {
      recurrentArr.forEach((r, i) => { if (r === true || r === 1) layerKinds[i] = 'recurrent'; });
    } else if (arch === 'qwen3next' || arch === 'qwen35' || arch === 'qwen35moe') {
      const interval = num(key('full_attention_interval')) ?? 4;
      for (let i = 0; i < layers; i++) if ((i + 1) % interval !== 0) layerKinds[i] = 'recurrent';
      notes.push(`recurrent layers: all but every ${interval}th (full_attention_interval)`);
    } else if (Array.isArray(key('attention.head_count_kv'))) {
      kvHeadsPerLayer.forEach((h, i) => { if (h === 0) layerKinds[i] = 'recurrent'; });
    } else {
      missing.push(`which layers of hybrid architecture ${arch} are recurrent`);
    }
    layerKinds.forEach((k, i) => { if (k === 'recurrent') kvHeadsPerLayer![i] = 0; });
  }

  let slidingWindow = num(key('attention.sliding_window'));
  const archRule = SWA_RULES[arch];
  const rule = archRule?.onlyLayers !== undefined && archRule.onlyLayers !== layers ? undefined : archRule;
  if (archRule && !rule) slidingWindow = undefined;
  const patternKv = key('attention.sliding_window_pattern');
  let swa: boolean[] | undefined;
  if (rule) {
    if (rule.chunked) {
      if (slidingWindow === 0) swa = undefined;
      else {
        slidingWindow = 8192;
        notes.push('llama4 chunked attention: llama.cpp uses chunks of 8192 tokens on 3 of every 4 layers');
      }
    } else if (rule.needsWindow && !(slidingWindow && slidingWindow > 0)) {
      slidingWindow = undefined;
    } else if (slidingWindow === undefined && rule.defaultWindow) {
      slidingWindow = rule.defaultWindow;
      notes.push(`sliding window not in the file: llama.cpp's default ${rule.defaultWindow} for ${arch}`);
    }
    if (slidingWindow !== undefined && slidingWindow > 0) {
      if (Array.isArray(patternKv) && patternKv.length === layers) {
        swa = patternKv.map((x) => x === true || x === 1);
      } else if (!rule.arrayOnly) {
        swa = swaPattern(layers, num(patternKv) ?? rule.pattern, rule.denseFirst);
      } else {
        missing.push(`${arch}.attention.sliding_window_pattern`);
      }
    }
    if (slidingWindow === undefined && !rule.needsWindow && !rule.chunked) missing.push(`${arch}.attention.sliding_window`);
  } else if (slidingWindow && slidingWindow > 0) {
    // llama.cpp ignores the window for architectures without SWA support (e.g. Mistral 7B v0.1 as `llama`,
    // phi3): the cache keeps every token. Mirror that.
    notes.push(`${arch}.attention.sliding_window = ${slidingWindow} is ignored by llama.cpp for ${arch}: full cache on every layer`);
    slidingWindow = undefined;
  }
  if (swa) swa.forEach((s, i) => { if (s && layerKinds[i] === 'full') layerKinds[i] = 'swa'; });
  if (!layerKinds.includes('swa')) slidingWindow = undefined;

  // MLA: llama.cpp caches one latent (key_length = kv_lora_rank + rope dim) and no V when the *_mla keys exist.
  let mla: ModelDescriptor['mla'];
  const kvLoraRank = num(key('attention.kv_lora_rank'));
  if (kvLoraRank) {
    const kMla = num(key('attention.key_length_mla'));
    const vMla = num(key('attention.value_length_mla'));
    const rope = num(key('rope.dimension_count'));
    if (kMla && vMla) {
      mla = {
        kvLoraRank,
        qkRopeHeadDim: rope ?? headDimK - kvLoraRank,
        qLoraRank: num(key('attention.q_lora_rank')),
        qkNopeHeadDim: rope !== undefined ? kMla - rope : undefined,
        vHeadDim: vMla,
      };
      notes.push(`MLA: llama.cpp caches one latent of ${headDimK} elements per layer (kv_lora_rank ${kvLoraRank} + rope ${mla.qkRopeHeadDim}), no separate V`);
    } else {
      notes.push('DeepSeek GGUF from before MLA support (no key_length_mla): llama.cpp caches expanded K and V per head');
    }
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
  };
}
