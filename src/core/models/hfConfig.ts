// Hugging Face config.json → ModelDescriptor. Parameter counts come from the tensor shapes each
// architecture's modeling code creates (transformers' modeling_<type>.py), so they can be checked against
// published totals; KV shapes follow what the config says (explicit head_dim, disabled windows, MLA latents).

import { LayerKind, ModelDescriptor } from './descriptor';
import { hfToGgufMetadata } from './arch/hfToGguf';
import { llamaMemoryPlan, type LlamaMemoryPlan } from './arch/llamaPlan';
import { vllmSpecFromHf, type VllmModelSpec } from './arch/vllmSpec';
import { LLAMA_CPP_COMMIT_SHORT } from './arch/llamaArchTable';
import { checkInt, FACT_LIMITS, ModelFactError, optInt } from './validate';
import { hybridLayerParams } from './hybridParams';

/** An impossible or unreadable config.json (a ModelFactError, so callers can catch both the same way). */
export class HfConfigError extends ModelFactError {
  constructor(message: string, key?: string) {
    super(message, key);
    this.name = 'HfConfigError';
  }
}

/**
 * The facts every sizing step uses, checked before any arithmetic (models/validate.ts): impossible values
 * (1e12 layers, −512 as kv_lora_rank, negative heads) are errors that name the key and the allowed range.
 */
function validateFacts(cfg: Record<string, unknown>, where: string): void {
  const checks: [string, keyof typeof FACT_LIMITS][] = [
    ['num_hidden_layers', 'layers'], ['n_layer', 'layers'], ['num_layers', 'layers'], ['hidden_size', 'hidden'],
    ['num_attention_heads', 'heads'], ['num_key_value_heads', 'kvHeads'], ['head_dim', 'headDim'],
    ['kv_lora_rank', 'latentRank'], ['q_lora_rank', 'latentRank'], ['qk_rope_head_dim', 'ropeDim'], ['qk_nope_head_dim', 'headDim'],
    ['v_head_dim', 'headDim'], ['sliding_window', 'window'], ['vocab_size', 'vocab'], ['intermediate_size', 'ffn'],
    ['moe_intermediate_size', 'ffn'], ['max_position_embeddings', 'context'], ['num_local_experts', 'experts'],
    ['num_experts', 'experts'], ['n_routed_experts', 'experts'], ['num_experts_per_tok', 'experts'], ['global_head_dim', 'headDim'],
    ['num_global_key_value_heads', 'kvHeads'], ['linear_num_key_heads', 'heads'], ['linear_num_value_heads', 'heads'],
    ['linear_key_head_dim', 'headDim'], ['linear_value_head_dim', 'headDim'], ['mamba_num_heads', 'heads'], ['mamba_head_dim', 'headDim'],
    ['ssm_state_size', 'ssmState'], ['n_groups', 'ssmGroups'], ['conv_kernel', 'ssmConv'], ['num_kv_shared_layers', 'sharedKvLayers'],
  ];
  for (const [k, lim] of checks) {
    const v = cfg[k];
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) continue; // per-layer arrays are checked where they are read
    if (k === 'sliding_window' && v === false) continue;
    optInt(where, k, v, lim);
  }
  // A head needs at least one query head per KV head.
  const nh = cfg.num_attention_heads;
  const nkv = cfg.num_key_value_heads;
  if (typeof nh === 'number' && typeof nkv === 'number' && nkv > 0 && nh % nkv !== 0) {
    throw new HfConfigError(`${where}: num_attention_heads ${nh} is not a multiple of num_key_value_heads ${nkv}`, 'num_key_value_heads');
  }
  if (cfg.num_hidden_layers !== undefined) checkInt(where, 'num_hidden_layers', cfg.num_hidden_layers, 'layers');
}

type Json = Record<string, unknown>;

const ARCHITECTURE_TO_TYPE: Record<string, string> = {
  LlamaForCausalLM: 'llama', MistralForCausalLM: 'mistral', MixtralForCausalLM: 'mixtral',
  Qwen2ForCausalLM: 'qwen2', Qwen2MoeForCausalLM: 'qwen2_moe', Qwen3ForCausalLM: 'qwen3',
  Qwen3MoeForCausalLM: 'qwen3_moe', GemmaForCausalLM: 'gemma', Gemma2ForCausalLM: 'gemma2',
  Gemma3ForCausalLM: 'gemma3_text', Gemma3ForConditionalGeneration: 'gemma3', Phi3ForCausalLM: 'phi3',
  DeepseekV2ForCausalLM: 'deepseek_v2', DeepseekV3ForCausalLM: 'deepseek_v3', GptOssForCausalLM: 'gpt_oss',
  MistralForConditionalGeneration: 'mistral3', Mistral3ForConditionalGeneration: 'mistral3',
};

/** model_type → the HF class a config without architectures[] most likely names (trimmed catalog configs). */
const HF_CLASS_FOR_TYPE: Record<string, string> = Object.fromEntries(
  Object.entries(ARCHITECTURE_TO_TYPE).filter(([cls]) => cls.endsWith('ForCausalLM')).map(([cls, type]) => [type, cls]),
);
HF_CLASS_FOR_TYPE.gemma3_text = 'Gemma3ForCausalLM';

/** HF model_type → llama.cpp architecture name (what convert_hf_to_gguf.py writes). */
const LLAMA_CPP_ARCH: Record<string, string> = {
  llama: 'llama', mistral: 'llama', mixtral: 'llama', qwen2: 'qwen2', qwen2_moe: 'qwen2moe', qwen3: 'qwen3',
  qwen3_moe: 'qwen3moe', gemma: 'gemma', gemma2: 'gemma2', gemma3: 'gemma3', gemma3_text: 'gemma3',
  phi3: 'phi3', deepseek_v2: 'deepseek2', deepseek_v3: 'deepseek2', gpt_oss: 'gpt-oss', yi: 'llama',
};

/** Defaults of the transformers config classes for keys real config.json files often leave out. */
const TYPE_DEFAULTS: Record<string, Json> = {
  gemma: { tie_word_embeddings: true, head_dim: 256 },
  gemma2: { tie_word_embeddings: true, sliding_window: 4096, head_dim: 256 },
  gemma3_text: {
    tie_word_embeddings: true, vocab_size: 262208, sliding_window: 4096, head_dim: 256,
    max_position_embeddings: 131072,
  },
  gpt_oss: { sliding_window: 128, num_local_experts: 128, num_experts_per_tok: 4 },
  qwen2_moe: { decoder_sparse_step: 1 },
  qwen3_moe: { decoder_sparse_step: 1 },
};

const KNOWN_TYPES = new Set(Object.keys(LLAMA_CPP_ARCH));

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Flattens multimodal wrappers (text_config) into one text-model config; top-level dtype/quantization kept. */
export function normalizeHfConfig(raw: unknown): { cfg: Json; modelType: string; notes: string[] } {
  if (!isObj(raw)) throw new HfConfigError('config.json must be a JSON object');
  const notes: string[] = [];
  let cfg: Json = { ...raw };
  let modelType = typeof raw.model_type === 'string' ? raw.model_type : undefined;
  if (!modelType && Array.isArray(raw.architectures) && typeof raw.architectures[0] === 'string') {
    modelType = ARCHITECTURE_TO_TYPE[raw.architectures[0]];
    if (modelType) notes.push(`model_type missing: taken from architectures[0] = ${raw.architectures[0]}`);
  }
  if (isObj(raw.text_config)) {
    const text = raw.text_config;
    const textType = typeof text.model_type === 'string' ? text.model_type : undefined;
    cfg = { ...raw, ...text };
    if (modelType === 'gemma3' || textType === 'gemma3_text') modelType = 'gemma3_text';
    else if (textType) modelType = textType;
    if (isObj(raw.vision_config)) notes.push('multimodal model: the vision tower is not counted in parameters or weights');
  }
  if (modelType === 'gemma3') modelType = 'gemma3_text';
  const defaults = modelType ? TYPE_DEFAULTS[modelType] : undefined;
  if (defaults) {
    for (const [k, v] of Object.entries(defaults)) {
      if (cfg[k] === undefined) {
        cfg[k] = v;
        if (k !== 'tie_word_embeddings') notes.push(`${k} not in config: transformers' default ${JSON.stringify(v)}`);
      }
    }
  }
  return { cfg, modelType: modelType ?? 'unknown', notes };
}

function dtypeBytes(dtype: string | undefined): number | undefined {
  switch ((dtype ?? '').toLowerCase().replace('torch.', '')) {
    case 'bfloat16': case 'bf16': case 'float16': case 'fp16': case 'half': return 2;
    case 'float32': case 'fp32': case 'float': return 4;
    case 'float8_e4m3fn': case 'fp8': return 1;
    default: return undefined;
  }
}

function dtypeName(dtype: string): string {
  const d = dtype.toLowerCase().replace('torch.', '');
  return d === 'bfloat16' ? 'bf16' : d === 'float16' ? 'f16' : d === 'float32' ? 'f32' : d;
}

/** Parameter groups: which ones a quantization method converts differs (embeddings and norms usually stay). */
interface ParamGroups {
  embed: number;
  lmHead: number;
  norms: number;
  attn: number;
  denseFfn: number;
  experts: number;
  expertsActive: number;
  shared: number;
  router: number;
  biases: number;
}

export function descriptorFromHfConfig(
  json: unknown,
  name?: string,
  source?: { kind?: 'hf-config' | 'catalog'; path?: string; id?: string; url?: string },
): ModelDescriptor {
  const { cfg, modelType, notes } = normalizeHfConfig(json);
  const where = source?.path ?? (source?.id ? `${source.id} config.json` : 'config.json');
  validateFacts(cfg, where);
  const missing: string[] = [];
  // The llama.cpp layout: this config as convert_hf_to_gguf.py would write it, through llama.cpp's own rules.
  let plan: LlamaMemoryPlan | undefined;
  let ggufArch: string | undefined;
  try {
    const conv = hfToGgufMetadata(json, where, HF_CLASS_FOR_TYPE[modelType]);
    ggufArch = conv.arch;
    notes.push(...conv.notes);
    if (conv.arch) plan = llamaMemoryPlan(conv.metadata, `${where} (as convert_hf_to_gguf.py writes it)`);
  } catch (e) {
    if (!(e instanceof ModelFactError)) throw e;
    if (e.kind === 'invalid') throw e;
    notes.push(`llama.cpp layout unknown: ${e.message}`);
    if (e.key) missing.push(e.key);
  }
  let vllm: VllmModelSpec | undefined;
  try {
    vllm = vllmSpecFromHf(json as Record<string, unknown>, where);
    notes.push(...vllm.notes.map((n) => `vLLM: ${n}`));
  } catch (e) {
    if (!(e instanceof ModelFactError)) throw e;
    if (e.kind === 'invalid') throw e;
    notes.push(`vLLM layout unknown: ${e.message}`);
  }
  if (!KNOWN_TYPES.has(modelType)) {
    notes.push(`model_type ${modelType}: parameters counted as a llama-like decoder (approximate for layers of other kinds; safetensors headers give the exact count)`);
  }
  const num = (k: string): number | undefined => {
    const v = cfg[k];
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  const need = (k: string, ...alts: string[]): number => {
    for (const key of [k, ...alts]) {
      const v = num(key);
      if (v !== undefined) return v;
    }
    missing.push(k);
    return 0;
  };

  const H = need('hidden_size', 'n_embd', 'd_model');
  const L = need('num_hidden_layers', 'n_layer', 'num_layers');
  if (!Number.isInteger(L) || L < 0 || L > FACT_LIMITS.layers.max) {
    throw new HfConfigError(`num_hidden_layers = ${L} is not a plausible layer count (at most ${FACT_LIMITS.layers.max})`, 'num_hidden_layers');
  }
  const nh = need('num_attention_heads', 'n_head');
  const V = need('vocab_size');
  const dsLike = modelType === 'deepseek_v2' || modelType === 'deepseek_v3' || modelType === 'kimi_k2' || ggufArch === 'deepseek2';
  const isMla = (dsLike || plan?.mla !== undefined) && num('kv_lora_rank') !== undefined;
  let nkv = num('num_key_value_heads') ?? num('num_kv_heads');
  if (nkv === undefined) {
    nkv = nh;
    if (!isMla) notes.push('num_key_value_heads absent: KV heads = attention heads (no GQA)');
  }
  const explicitHeadDim = num('head_dim');
  const hd = explicitHeadDim ?? (nh > 0 ? H / nh : 0);
  if (explicitHeadDim === undefined && nh > 0) notes.push(`head_dim taken as hidden_size / heads = ${hd}`);
  if (!Number.isInteger(hd)) missing.push('head_dim (hidden_size is not a multiple of num_attention_heads)');
  const I = num('intermediate_size') ?? 0;

  // ---- layer kinds ----------------------------------------------------------------------------------------
  const layerKinds: LayerKind[] = new Array<LayerKind>(L).fill('full');
  const window = num('sliding_window');
  let slidingWindow: number | undefined;
  const layerTypes = Array.isArray(cfg.layer_types) ? cfg.layer_types : undefined;
  if (layerTypes && layerTypes.length === L) {
    layerTypes.forEach((t, i) => {
      if (t === 'sliding_attention') layerKinds[i] = 'swa';
      else if (t === 'linear_attention' || t === 'mamba' || t === 'conv') layerKinds[i] = 'recurrent';
    });
  } else if (modelType === 'gemma2') {
    // modeling_gemma2: is_sliding = not bool(layer_idx % 2)
    for (let i = 0; i < L; i += 2) layerKinds[i] = 'swa';
  } else if (modelType === 'gemma3_text') {
    // Newer transformers write the pattern as `_sliding_window_pattern` (and layer_types, handled above).
    const pattern = num('sliding_window_pattern') ?? num('_sliding_window_pattern') ?? 6;
    for (let i = 0; i < L; i++) if ((i + 1) % pattern !== 0) layerKinds[i] = 'swa';
  } else if (['qwen2', 'qwen2_moe', 'qwen3', 'qwen3_moe'].includes(modelType)) {
    if (cfg.use_sliding_window === true && window) {
      const from = num('max_window_layers') ?? 0;
      for (let i = from; i < L; i++) layerKinds[i] = 'swa';
    } else if (window) {
      notes.push(`sliding_window ${window} is inactive (use_sliding_window is not true)`);
    }
  } else if (['mistral', 'mixtral', 'phi3'].includes(modelType) || !KNOWN_TYPES.has(modelType)) {
    if (window && window > 0 && cfg.use_sliding_window !== false) {
      layerKinds.fill('swa');
      notes.push(`sliding window of ${window} tokens on every layer`);
    }
  }
  if (layerKinds.includes('swa')) {
    if (window && window > 0) slidingWindow = window;
    else {
      layerKinds.forEach((k, i) => { if (k === 'swa') layerKinds[i] = 'full'; });
      if (window === undefined && cfg.sliding_window !== null) missing.push('sliding_window');
    }
  }

  const llamaCppArch = ggufArch ?? LLAMA_CPP_ARCH[modelType] ?? modelType;
  // Layers the engines keep no per-token cache for: recurrent (linear attention, Mamba, short conv) and, in
  // Nemotron-H, MLP-only blocks. The HF-side kinds follow the config; llama.cpp's own view comes from the plan.
  const planTrunk = plan ? plan.layers.slice(0, plan.trunkLayers) : undefined;
  if (planTrunk && planTrunk.length === L) {
    planTrunk.forEach((l, i) => {
      if (l.recurrent && !l.kv) layerKinds[i] = 'recurrent';
    });
  }
  let llamaCppLayerKinds: LayerKind[] | undefined;
  if (planTrunk && planTrunk.length === L) {
    const kinds = planTrunk.map((l): LayerKind => (l.recurrent && !l.kv ? 'recurrent' : l.swa ? 'swa' : 'full'));
    if (kinds.some((k, i) => k !== layerKinds[i])) llamaCppLayerKinds = kinds;
    if (layerKinds.includes('swa') && !kinds.includes('swa')) notes.push(`llama.cpp runs this model as ${llamaCppArch} without a sliding window: full cache on every layer there`);
  }

  // ---- KV shape -------------------------------------------------------------------------------------------
  let kvHeadsPerLayer = layerKinds.map((k) => (k === 'recurrent' ? 0 : nkv!));
  // Per-layer KV heads as the converter writes them (Gemma 4's full layers: num_global_key_value_heads; 0 for
  // Nemotron-H's Mamba and MLP blocks).
  if (planTrunk?.length === L && !plan?.mla) kvHeadsPerLayer = planTrunk.map((l, i) => (layerKinds[i] === 'recurrent' ? 0 : l.kvHeads));
  let headDimK = hd;
  let headDimV = hd;
  let mla: ModelDescriptor['mla'];
  if (isMla) {
    const kvLoraRank = need('kv_lora_rank');
    const rope = need('qk_rope_head_dim');
    mla = {
      kvLoraRank,
      qkRopeHeadDim: rope,
      qLoraRank: num('q_lora_rank'),
      qkNopeHeadDim: num('qk_nope_head_dim'),
      vHeadDim: num('v_head_dim'),
    };
    // In llama.cpp terms: one "head" whose key is the latent + rope part; V is the latent itself (not stored).
    kvHeadsPerLayer = new Array<number>(L).fill(1);
    headDimK = kvLoraRank + rope;
    headDimV = kvLoraRank;
    notes.push(`MLA: one latent of kv_lora_rank ${kvLoraRank} + qk_rope_head_dim ${rope} = ${headDimK} per layer per token; num_key_value_heads does not apply`);
  }

  // ---- MoE ------------------------------------------------------------------------------------------------
  const experts = num('num_local_experts') ?? num('n_routed_experts') ?? num('num_experts');
  const used = num('num_experts_per_tok') ?? num('experts_per_token') ?? num('num_experts_per_token') ?? num('top_k_experts');
  let moe: ModelDescriptor['moe'];
  const isLlama4 = modelType === 'llama4_text' || modelType === 'llama4';
  // Llama 4 (modeling_llama4.py): routed and shared experts of intermediate_size; dense layers use intermediate_size_mlp.
  const moeIntermediate = num('moe_intermediate_size') ?? (modelType === 'mixtral' || modelType === 'gpt_oss' || isLlama4 ? I : undefined);
  if (experts && experts > 1) {
    if (used === undefined) missing.push('num_experts_per_tok');
    if (moeIntermediate === undefined) missing.push('moe_intermediate_size');
    moe = {
      experts,
      expertsUsed: used ?? experts,
      sharedExperts: num('n_shared_experts') ?? (num('shared_expert_intermediate_size') ? 1 : undefined),
      firstDenseLayers: num('first_k_dense_replace'),
      expertFeedForward: moeIntermediate,
    };
  }
  const mlpOnly = Array.isArray(cfg.mlp_only_layers) ? (cfg.mlp_only_layers as unknown[]) : [];
  const isMoeLayer = (l: number): boolean => {
    if (!moe) return false;
    if (dsLike) {
      const freq = num('moe_layer_freq') ?? 1;
      return l >= (moe.firstDenseLayers ?? 0) && l % freq === 0;
    }
    if (isLlama4) return (l + 1) % (num('interleave_moe_layer_step') ?? 1) === 0;
    if (modelType === 'qwen2_moe' || modelType === 'qwen3_moe') {
      const step = num('decoder_sparse_step') ?? 1;
      return !mlpOnly.includes(l) && (l + 1) % step === 0;
    }
    return true;
  };

  // ---- parameters -----------------------------------------------------------------------------------------
  const defaultTie = modelType.startsWith('gemma');
  const tied = typeof cfg.tie_word_embeddings === 'boolean' ? cfg.tie_word_embeddings : defaultTie;
  const g: ParamGroups = {
    embed: V * H, lmHead: tied ? 0 : V * H, norms: H, attn: 0, denseFfn: 0, experts: 0, expertsActive: 0,
    shared: 0, router: 0, biases: 0,
  };
  const qkvBias = modelType === 'qwen2' || modelType === 'qwen2_moe' || cfg.attention_bias === true;
  const oBias = cfg.attention_bias === true && modelType !== 'qwen2' && modelType !== 'qwen2_moe';
  const qkNorm = ['qwen3', 'qwen3_moe', 'gemma3_text'].includes(modelType);
  const normsPerLayer = modelType === 'gemma2' || modelType === 'gemma3_text' ? 4 : 2;
  const hybridType = hybridLayerParams(modelType, cfg, 0, false) !== undefined;
  for (let l = 0; l < L; l++) {
    if (hybridType) {
      const hp = hybridLayerParams(modelType, cfg, l, layerKinds[l] === 'recurrent')!;
      g.attn += hp.attn;
      g.denseFfn += hp.denseFfn;
      g.experts += hp.experts;
      g.expertsActive += hp.expertsActive;
      g.shared += hp.shared;
      g.router += hp.router;
      g.norms += hp.norms;
      continue;
    }
    g.norms += normsPerLayer * H;
    if (layerKinds[l] === 'recurrent') {
      missing.push(`parameters of recurrent layer ${l}`);
      continue;
    }
    if (mla) {
      const nope = mla.qkNopeHeadDim ?? 128;
      const vhd = mla.vHeadDim ?? 128;
      const qDim = nh * (nope + mla.qkRopeHeadDim);
      g.attn += mla.qLoraRank ? H * mla.qLoraRank + mla.qLoraRank * qDim : H * qDim;
      if (mla.qLoraRank) g.norms += mla.qLoraRank;
      g.attn += H * (mla.kvLoraRank + mla.qkRopeHeadDim) + mla.kvLoraRank * nh * (nope + vhd) + nh * vhd * H;
      g.norms += mla.kvLoraRank;
    } else {
      const kvh = kvHeadsPerLayer[l];
      g.attn += H * nh * hd + 2 * H * kvh * hd + nh * hd * H;
      if (qkvBias) g.biases += nh * hd + 2 * kvh * hd;
      if (oBias) g.biases += H;
      if (qkNorm) g.norms += 2 * hd;
      if (modelType === 'gpt_oss') g.biases += nh; // attention sinks
    }
    if (isMoeLayer(l) && moe) {
      const im = moe.expertFeedForward ?? 0;
      const perExpert = 3 * H * im + (modelType === 'gpt_oss' ? 2 * im + H : 0);
      g.experts += moe.experts * perExpert;
      g.expertsActive += moe.expertsUsed * perExpert;
      g.router += H * moe.experts + (modelType === 'gpt_oss' || modelType === 'deepseek_v3' || modelType === 'kimi_k2' ? moe.experts : 0);
      if (dsLike) {
        g.shared += (moe.sharedExperts ?? 0) * 3 * H * im;
      } else if (isLlama4) {
        g.shared += 3 * H * im;
      } else if (modelType === 'qwen2_moe') {
        const si = num('shared_expert_intermediate_size') ?? 0;
        g.shared += 3 * H * si + H;
      }
    } else {
      if (!I) missing.push(`intermediate_size (layer ${l})`);
      g.denseFfn += 3 * H * (isLlama4 ? num('intermediate_size_mlp') ?? I : I);
    }
  }
  if (num('max_position_embeddings') === undefined) missing.push('max_position_embeddings');
  const totalOf = (x: ParamGroups): number =>
    x.embed + x.lmHead + x.norms + x.attn + x.denseFfn + x.experts + x.shared + x.router + x.biases;
  const params = totalOf(g);
  const activeParams = params - g.experts + g.expertsActive;
  if (modelType === 'gpt_oss') {
    notes.push('OpenAI\'s published active-parameter figures leave out the input embedding; activeParams here keeps it');
  }

  // ---- weight bytes ---------------------------------------------------------------------------------------
  const dtypeStr = typeof cfg.torch_dtype === 'string' ? cfg.torch_dtype : typeof cfg.dtype === 'string' ? cfg.dtype : undefined;
  let baseBytes = dtypeBytes(dtypeStr);
  if (baseBytes === undefined) {
    baseBytes = 2;
    notes.push(dtypeStr ? `dtype ${dtypeStr} unknown: weights assumed 2 bytes each` : 'torch_dtype absent: weights assumed bf16 (2 bytes each)');
  }
  let weightsType = dtypeStr ? dtypeName(dtypeStr) : 'bf16';
  const linear = g.attn + g.denseFfn + g.experts + g.shared;
  const rest = params - linear;
  let weightsBytes = params * baseBytes;
  const q = isObj(cfg.quantization_config) ? cfg.quantization_config : undefined;
  if (q) {
    const method = String(q.quant_method ?? (q.load_in_4bit || q._load_in_4bit ? 'bitsandbytes' : 'unknown')).toLowerCase();
    if (method === 'fp8') {
      const block = Array.isArray(q.weight_block_size) ? (q.weight_block_size as number[]) : undefined;
      const scale = block && block.length === 2 ? 4 / (block[0] * block[1]) : 0;
      weightsBytes = linear * (1 + scale) + rest * (baseBytes === 1 ? 2 : baseBytes);
      weightsType = 'fp8';
      notes.push(`fp8 weights on linear layers${block ? ` with one f32 scale per ${block[0]}×${block[1]} block` : ''}; embeddings and norms in 16-bit`);
    } else if (method === 'awq' || method === 'gptq') {
      const bits = Number(q.bits ?? q.w_bit ?? 4);
      const group = Number(q.group_size ?? q.q_group_size ?? 128);
      const perGroup = group > 0 ? (16 + bits) / group : 0; // f16 scale + packed zero point per group
      weightsBytes = linear * ((bits + perGroup) / 8) + rest * baseBytes;
      weightsType = `${method}-${bits}bit`;
      notes.push(`${method.toUpperCase()} ${bits}-bit linear weights${group > 0 ? `, group size ${group}` : ''}; embeddings, lm_head and norms in 16-bit`);
    } else if (method === 'mxfp4') {
      // MXFP4: 32 four-bit values share one 8-bit scale = 17 bytes per 32 weights; only the experts are converted.
      weightsBytes = g.experts * (17 / 32) + (params - g.experts) * baseBytes;
      weightsType = 'mxfp4';
      notes.push('MXFP4 experts (4.25 bits per weight); attention, router, embeddings in bf16');
    } else if (method === 'bitsandbytes') {
      const four = q.load_in_4bit === true || q._load_in_4bit === true;
      // nf4/fp4 with one absmax per 64 weights (double-quantised to ~8 bits) ≈ 4.127 bits per weight.
      weightsBytes = linear * (four ? 4.127 / 8 : 1) + rest * baseBytes;
      weightsType = four ? 'bnb-4bit' : 'bnb-8bit';
      notes.push(`bitsandbytes ${four ? '4-bit' : '8-bit'} linear weights (approximate scale overhead)`);
    } else {
      notes.push(`quantization method ${method} not modelled: weights taken at ${baseBytes} bytes each`);
      missing.push(`weight bytes for quantization ${method}`);
    }
  }
  weightsBytes = Math.round(weightsBytes);
  const uniqMissing = [...new Set(missing.map((m) => m.replace(/ \(layer \d+\)$/, '').replace(/ layer \d+$/, ' layers')))];

  const label = name ?? (typeof cfg._name_or_path === 'string' && cfg._name_or_path ? cfg._name_or_path : modelType);
  return {
    name: label,
    source: { kind: source?.kind ?? 'hf-config', path: source?.path, id: source?.id, url: source?.url },
    architecture: llamaCppArch,
    layers: L,
    hiddenSize: H,
    heads: nh,
    kvHeadsPerLayer,
    headDimK,
    headDimV,
    layerKinds,
    ...(llamaCppLayerKinds ? { llamaCppLayerKinds } : {}),
    slidingWindow,
    mla,
    moe,
    vocabSize: V || undefined,
    feedForward: I || undefined,
    trainedContext: num('max_position_embeddings'),
    params,
    activeParams,
    weightsBytes,
    weightsType,
    tiedEmbeddings: tied,
    missing: uniqMissing,
    notes: [...new Set(notes)],
    llamaPlan: plan,
    vllm,
    provenance: source?.path ? [{ what: 'config.json', where: source.path }] : source?.url ? [{ what: 'config.json', where: source.url }] : undefined,
  };
}

export { LLAMA_CPP_COMMIT_SHORT };
