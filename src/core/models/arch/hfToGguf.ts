// HF config.json → the GGUF metadata llama.cpp's convert_hf_to_gguf.py would write for it (the keys that decide the
// memory layout), so a Hub model and its GGUF go through one rule set (llamaPlan.ts). Mirrors the converter at the
// bundled commit de3ff815: conversion/base.py (get_model_architecture, TextModel.__init__ and set_gguf_parameters)
// and the per-family set_gguf_parameters in conversion/<family>.py named beside each branch below. The HF
// architecture → GGUF architecture map is generated (data/llama-cpp-archs.json, hfArchitectures).
//
// Not mirrored: the converter loads the config through transformers' AutoConfig, which fills class defaults for
// keys a config.json leaves out; KV Lens fills the few that matter from TYPE_DEFAULTS in hfConfig.ts.
import { checkInt, FACT_LIMITS, ModelFactError, optInt } from '../validate';
import { ggufArchForHf } from './llamaArchTable';

type Json = Record<string, unknown>;

export interface HfToGguf {
  /** The HF class convert_hf_to_gguf picks the converter by (architectures[0], text_config's when present). */
  hfArchitecture?: string;
  /** GGUF architecture (general.architecture), or undefined when the converter has no class for the model. */
  arch?: string;
  converter?: string;
  /** GGUF-style metadata: general.architecture and `<arch>.…` keys. */
  metadata: Record<string, unknown>;
  notes: string[];
}

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** ModelBase.load_hparams' renames, then TextModel.__init__'s merge of text_config into the root. */
export function mergedHparams(raw: Json): Json {
  const c: Json = { ...raw };
  for (const k of ['llm_config', 'lm_config', 'language_config', 'lfm']) if (isObj(c[k])) c.text_config = c[k];
  if (isObj(c.thinker_config) && isObj(c.thinker_config.text_config)) c.text_config = c.thinker_config.text_config;
  return isObj(c.text_config) ? { ...c, ...c.text_config } : c;
}

/** get_model_architecture: architectures[0], or text_config's architectures[0] when it has one. */
export function hfArchitectureOf(raw: Json): string | undefined {
  const arches = Array.isArray(raw.architectures) ? raw.architectures : undefined;
  let arch = typeof arches?.[0] === 'string' ? (arches[0] as string) : undefined;
  if (!arch && isObj(raw.ssm_cfg)) arch = `${typeof raw.ssm_cfg.layer === 'string' ? raw.ssm_cfg.layer : 'Mamba'}ForCausalLM`;
  const keepTop = ['StepVLForConditionalGeneration', 'Sarashina2VisionForCausalLM', 'Exaone4_5_ForConditionalGeneration', 'Step3p7ForConditionalGeneration', 'KimiK3ForConditionalGeneration'];
  if (arch && keepTop.includes(arch)) return arch;
  const text = isObj(raw.text_config) ? raw.text_config : undefined;
  if (text && Array.isArray(text.architectures) && typeof text.architectures[0] === 'string') arch = text.architectures[0] as string;
  return arch;
}

/**
 * The converter's metadata for `raw`. Throws ModelFactError for impossible values (negative heads, a latent rank
 * of −512, 1e12 layers) before anything is computed from them.
 */
export function hfToGgufMetadata(raw: unknown, where = 'config.json', fallbackArchitecture?: string): HfToGguf {
  if (!isObj(raw)) throw new ModelFactError(`${where} must be a JSON object`);
  const notes: string[] = [];
  const h = mergedHparams(raw);
  let hfArchitecture = hfArchitectureOf(raw);
  if (!hfArchitecture && fallbackArchitecture) {
    hfArchitecture = fallbackArchitecture;
    notes.push(`architectures[] absent: converted as ${fallbackArchitecture} (from model_type)`);
  }
  const mapped = hfArchitecture ? ggufArchForHf(hfArchitecture) : undefined;
  const md: Record<string, unknown> = {};
  if (!mapped) {
    notes.push(hfArchitecture ? `convert_hf_to_gguf.py has no converter for ${hfArchitecture}: llama.cpp cannot run this model from a conversion` : `${where} names no architectures[]: the llama.cpp converter cannot pick a class`);
    return { hfArchitecture, metadata: md, notes };
  }
  let arch = mapped.arch;
  // Converters that switch architecture on the config (conversion/nemotron.py NemotronHModel.__init__: MoE configs
  // become nemotron_h_moe).
  if (arch === 'nemotron_h' && Object.prototype.hasOwnProperty.call(h, 'num_experts_per_tok')) arch = 'nemotron_h_moe';
  md['general.architecture'] = arch;
  const put = (key: string, v: unknown): void => { if (v !== undefined && v !== null) md[`${arch}.${key}`] = v; };
  /** ModelBase.find_hparam: the first key present (a present null counts as present). */
  const find = (keys: string[]): unknown => {
    for (const k of keys) if (Object.prototype.hasOwnProperty.call(h, k)) return h[k];
    return undefined;
  };
  const int = (keys: string[], lim: Parameters<typeof checkInt>[3]): number | undefined => {
    for (const k of keys) if (Object.prototype.hasOwnProperty.call(h, k)) return optInt(where, k, h[k], lim);
    return undefined;
  };
  const need = (keys: string[], lim: Parameters<typeof checkInt>[3]): number => {
    const v = int(keys, lim);
    if (v === undefined) throw new ModelFactError(`${where}: ${keys[0]} is missing (needed to size ${hfArchitecture})`, keys[0], 'missing');
    return v;
  };

  // ---- conversion/base.py TextModel ------------------------------------------------------------------------
  let blockCount = need(['n_layers', 'num_hidden_layers', 'n_layer', 'num_layers'], 'layers');
  const nEmbd = int(['hidden_size', 'n_embd', 'dim'], 'hidden');
  const nHead = int(['num_attention_heads', 'n_head', 'n_heads'], 'heads');
  const nHeadKvRaw = find(['num_key_value_heads', 'n_kv_heads']);
  const nHeadKv = Array.isArray(nHeadKvRaw) ? undefined : optInt(where, 'num_key_value_heads', nHeadKvRaw, 'kvHeads');
  const headDim = optInt(where, 'head_dim', h.head_dim, 'headDim');
  put('context_length', int(['max_position_embeddings', 'n_ctx', 'n_positions', 'max_length', 'max_sequence_length', 'model_max_length'], 'context'));
  put('embedding_length', nEmbd);
  put('feed_forward_length', int(['prefix_dense_intermediate_size', 'dense_intermediate_size', 'intermediate_size', 'n_inner', 'hidden_dim'], 'ffn'));
  put('attention.head_count', nHead);
  put('attention.head_count_kv', nHeadKv);
  put('expert_count', int(['num_local_experts', 'num_experts', 'n_routed_experts'], 'experts'));
  put('expert_used_count', int(['num_experts_per_tok', 'num_experts_per_token', 'top_k_experts'], 'experts'));
  if (headDim !== undefined) {
    put('attention.key_length', headDim);
    put('attention.value_length', headDim);
  }
  const layerTypes = Array.isArray(h.layer_types) ? (h.layer_types as unknown[]).map(String) : undefined;
  const window = optInt(where, 'sliding_window', h.sliding_window, 'window');

  // ---- per-family set_gguf_parameters --------------------------------------------------------------------------
  switch (arch) {
    case 'deepseek2': {
      // conversion/deepseek.py DeepseekV2Model: MLA converted to MQA with one "head" of kv_lora_rank + rope dim.
      const rank = h.kv_lora_rank === undefined ? 512 : checkInt(where, 'kv_lora_rank', h.kv_lora_rank, 'latentRank');
      const rope = need(['qk_rope_head_dim'], 'ropeDim');
      const nope = need(['qk_nope_head_dim'], 'headDim');
      const vHead = need(['v_head_dim'], 'headDim');
      md[`${arch}.attention.head_count_kv`] = 1;
      put('attention.kv_lora_rank', rank);
      put('attention.key_length', rank + rope);
      put('attention.value_length', rank);
      put('attention.key_length_mla', nope + rope);
      put('attention.value_length_mla', vHead);
      put('rope.dimension_count', rope);
      put('leading_dense_block_count', int(['first_k_dense_replace'], 'layers'));
      put('expert_shared_count', int(['n_shared_experts'], 'experts') ?? 0);
      put('expert_feed_forward_length', int(['moe_intermediate_size', 'intermediate_size'], 'ffn'));
      break;
    }
    case 'gemma2':
      // conversion/gemma.py Gemma2Model
      put('attention.sliding_window', window);
      break;
    case 'gemma3':
      // Gemma3Model: key/value length default 256, head_count_kv default 4, window unless sliding_window_pattern == 1.
      put('attention.key_length', headDim ?? 256);
      put('attention.value_length', headDim ?? 256);
      if (h.sliding_window_pattern !== 1) put('attention.sliding_window', window);
      md[`${arch}.attention.head_count_kv`] = nHeadKv ?? 4;
      break;
    case 'gemma3n': {
      // Gemma3NModel: SWA pattern from layer_types, shared_kv_layers.
      put('attention.key_length', headDim ?? 256);
      put('attention.value_length', headDim ?? 256);
      put('attention.sliding_window', window);
      put('attention.shared_kv_layers', optInt(where, 'num_kv_shared_layers', h.num_kv_shared_layers, 'sharedKvLayers'));
      if (layerTypes) put('attention.sliding_window_pattern', layerTypes.map((t) => t === 'sliding_attention'));
      break;
    }
    case 'gemma4': {
      // Gemma4Model: global_head_dim on full layers, head_dim on SWA layers; per-layer KV heads; shared KV layers.
      put('attention.sliding_window', window);
      put('attention.shared_kv_layers', optInt(where, 'num_kv_shared_layers', h.num_kv_shared_layers, 'sharedKvLayers') ?? 0);
      if (!layerTypes) throw new ModelFactError(`${where}: layer_types is missing (Gemma 4 needs it for its sliding-window pattern)`, 'layer_types', 'missing');
      const swaLayers = layerTypes.map((t) => t === 'sliding_attention');
      put('attention.sliding_window_pattern', swaLayers);
      const full = optInt(where, 'global_head_dim', h.global_head_dim, 'headDim');
      if (full === undefined) throw new ModelFactError(`${where}: global_head_dim is missing (Gemma 4's full-attention head size)`, 'global_head_dim', 'missing');
      const swaHd = checkInt(where, 'head_dim', h.head_dim, 'headDim');
      put('attention.key_length', full);
      put('attention.value_length', full);
      put('attention.key_length_swa', swaHd);
      put('attention.value_length_swa', swaHd);
      const kvFull = optInt(where, 'num_global_key_value_heads', h.num_global_key_value_heads, 'kvHeads');
      if (kvFull !== undefined && nHeadKv !== undefined) put('attention.head_count_kv', swaLayers.map((s) => (s ? nHeadKv : kvFull)));
      if (h.attention_k_eq_v === true) notes.push('attention_k_eq_v: full-attention layers use K as V; llama.cpp still caches V (Vcur = Kcur, src/models/gemma4.cpp)');
      break;
    }
    case 'gpt-oss':
      // conversion/gpt_oss.py GptOssModel
      put('attention.sliding_window', window);
      break;
    case 'llama4':
      // conversion/llama.py Llama4Model: only an all-full layer_types writes sliding_window 0 (MobileLLM).
      if (layerTypes && layerTypes.every((t) => t === 'full_attention')) put('attention.sliding_window', 0);
      break;
    case 'cohere2':
      put('attention.sliding_window', window);
      break;
    case 'exaone4':
      // conversion/exaone.py Exaone4Model
      if (window !== undefined) {
        put('attention.sliding_window', window);
        if (layerTypes) put('attention.sliding_window_pattern', layerTypes.map((t) => t === 'sliding_attention'));
        else if (typeof h.sliding_window_pattern === 'string') {
          const p = h.sliding_window_pattern;
          put('attention.sliding_window_pattern', Array.from({ length: blockCount }, (_, i) => p[i % p.length] === 'L'));
        } else if (typeof h.sliding_window_pattern === 'number' && h.sliding_window_pattern > 0) {
          const p = h.sliding_window_pattern;
          put('attention.sliding_window_pattern', Array.from({ length: blockCount }, (_, i) => (i + 1) % p !== 0));
        }
      }
      break;
    case 'phi3':
      // conversion/phi.py Phi3MiniModel writes the window (0 when absent); llama.cpp then disables it.
      put('attention.sliding_window', window ?? 0);
      break;
    case 'qwen3next':
    case 'qwen35':
    case 'qwen35moe': {
      // conversion/qwen.py Qwen3NextModel.set_gguf_parameters (Qwen3.5 via _LinearAttentionVReorderBase).
      put('ssm.conv_kernel', need(['linear_conv_kernel_dim'], 'ssmConv'));
      const kHead = need(['linear_key_head_dim'], 'headDim');
      const vHeads = need(['linear_num_value_heads'], 'heads');
      put('ssm.state_size', kHead);
      put('ssm.group_count', need(['linear_num_key_heads'], 'heads'));
      put('ssm.time_step_rank', vHeads);
      put('ssm.inner_size', need(['linear_value_head_dim'], 'headDim') * vHeads);
      put('expert_feed_forward_length', int(['moe_intermediate_size'], 'ffn'));
      put('expert_shared_feed_forward_length', int(['shared_expert_intermediate_size'], 'ffn'));
      // _QwenMtpMixin: MTP blocks are appended after the trunk (block_count + mtp_num_hidden_layers).
      const mtp = optInt(where, 'mtp_num_hidden_layers', h.mtp_num_hidden_layers, { min: 0, max: 64, what: 'an MTP layer count' }) ?? 0;
      const nTrunk = blockCount;
      if (mtp > 0) {
        blockCount += mtp;
        put('nextn_predict_layers', mtp);
      }
      if (layerTypes) {
        if (layerTypes.length !== nTrunk) throw new ModelFactError(`${where}: layer_types has ${layerTypes.length} entries, expected num_hidden_layers (${nTrunk})`, 'layer_types');
        put('attention.recurrent_layers', [...layerTypes.map((t) => t === 'linear_attention'), ...new Array<boolean>(blockCount - nTrunk).fill(false)]);
      }
      put('full_attention_interval', optInt(where, 'full_attention_interval', h.full_attention_interval, { min: 1, max: 4096, what: 'a full-attention interval' }) ?? 4);
      break;
    }
    case 'nemotron_h':
    case 'nemotron_h_moe': {
      // conversion/nemotron.py NemotronHModel (on GraniteHybridModel, Mamba2Model): M = Mamba-2, * = attention,
      // - = MLP (dense) or E = MoE; head_count_kv and feed_forward_length become per-layer arrays.
      const isMoe = arch === 'nemotron_h_moe';
      const pattern = h.hybrid_override_pattern ?? h.layers_block_type;
      if (typeof pattern !== 'string' && !Array.isArray(pattern)) throw new ModelFactError(`${where}: hybrid_override_pattern is missing (Nemotron-H's layer pattern)`, 'hybrid_override_pattern', 'missing');
      const cells = typeof pattern === 'string' ? [...pattern] : (pattern as unknown[]).map(String);
      if (cells.length !== blockCount) throw new ModelFactError(`${where}: hybrid_override_pattern has ${cells.length} layers; num_hidden_layers is ${blockCount}`, 'hybrid_override_pattern');
      const isAttn = (c: string): boolean => c === '*' || c === 'attention' || c === 'full_attention';
      const isMlp = (c: string): boolean => (typeof pattern === 'string' ? c === (isMoe ? 'E' : '-') : c === 'moe');
      const hd = optInt(where, 'head_dim', h.head_dim ?? h.attention_head_dim, 'headDim');
      if (hd === undefined) throw new ModelFactError(`${where}: head_dim / attention_head_dim is missing`, 'head_dim', 'missing');
      put('attention.key_length', hd);
      put('attention.value_length', hd);
      put('attention.head_count_kv', cells.map((c) => (isAttn(c) ? (nHeadKv ?? 0) : 0)));
      const ff = isMoe ? need(['moe_intermediate_size'], 'ffn') : need(['intermediate_size', 'n_inner', 'hidden_dim'], 'ffn');
      put('feed_forward_length', cells.map((c) => (isMlp(c) ? ff : 0)));
      const mambaHeadDim = need(['mamba_head_dim', 'hidden_size', 'd_model'], 'headDim');
      const mambaHeads = need(['num_heads', 'mamba_num_heads'], 'heads');
      put('ssm.conv_kernel', need(['conv_kernel', 'd_conv', 'mamba_conv_kernel', 'mamba_d_conv'], 'ssmConv'));
      put('ssm.state_size', need(['state_size', 'd_state', 'state_dim', 'ssm_state_size', 'mamba_state_size', 'mamba_d_state'], 'ssmState'));
      put('ssm.group_count', need(['n_groups', 'num_groups', 'mamba_n_groups'], 'ssmGroups'));
      put('ssm.inner_size', mambaHeads * mambaHeadDim);
      put('ssm.time_step_rank', mambaHeads);
      if (isMoe) put('expert_count', int(['n_routed_experts'], 'experts'));
      break;
    }
    case 'granitehybrid': {
      // conversion/granite.py GraniteHybridModel: attention layers from layer_types / attn_layer_indices.
      let attn: number[] = [];
      if (layerTypes) attn = layerTypes.flatMap((t, i) => (t === 'attention' ? [i] : []));
      else if (Array.isArray(h.attn_layer_indices)) attn = (h.attn_layer_indices as unknown[]).map((v, i) => checkInt(where, `attn_layer_indices[${i}]`, v, { min: 0, max: blockCount - 1, what: 'a layer index' }));
      else {
        const period = optInt(where, 'attn_layer_period', h.attn_layer_period, 'layers');
        const offset = optInt(where, 'attn_layer_offset', h.attn_layer_offset, { min: 0, max: 4096, what: 'a layer offset' });
        if (period !== undefined && offset !== undefined) for (let i = 0; i < blockCount; i++) if (i % period === offset) attn.push(i);
      }
      const set = new Set(attn);
      put('attention.head_count_kv', Array.from({ length: blockCount }, (_, i) => (set.has(i) ? (nHeadKv ?? 0) : 0)));
      mamba2Keys(h, put, where, { prefix: 'mamba', dModelKeys: ['mamba_head_dim', 'hidden_size', 'd_model'], innerMul: ['expand', 'num_heads'] });
      break;
    }
    case 'jamba': {
      // conversion/jamba.py JambaModel
      const d = need(['hidden_size', 'mamba_d_model'], 'hidden');
      const offset = need(['attn_layer_offset'], { min: 0, max: 4096, what: 'a layer offset' });
      const period = need(['attn_layer_period'], 'layers');
      put('attention.head_count_kv', Array.from({ length: blockCount }, (_, i) => (i >= offset && (i - offset) % period === 0 ? (nHeadKv ?? 0) : 0)));
      put('ssm.conv_kernel', int(['mamba_d_conv'], 'ssmConv') ?? 4);
      put('ssm.inner_size', need(['mamba_expand'], { min: 1, max: 64, what: 'an expansion factor' }) * d);
      put('ssm.state_size', int(['mamba_d_state'], 'ssmState') ?? 16);
      break;
    }
    case 'falcon-h1':
      // conversion/falcon_h1.py FalconH1Model (Mamba2Model with mamba_ prefixes): attention and SSM in every layer.
      mamba2Keys(h, put, where, { prefix: 'mamba', dModelKeys: ['hidden_size', 'd_model', 'dim'], innerKey: ['mamba_d_ssm'] });
      put('attention.head_count', nHead);
      put('attention.head_count_kv', nHeadKv);
      break;
    case 'lfm2':
    case 'lfm2moe': {
      // conversion/lfm2.py LFM2Model: KV heads only on attention layers; conv layers keep a short-conv state.
      if (!layerTypes) throw new ModelFactError(`${where}: layer_types is missing (LFM2 needs it to tell conv from attention layers)`, 'layer_types', 'missing');
      put('attention.head_count_kv', layerTypes.map((t) => (t === 'conv' ? 0 : (nHeadKv ?? 0))));
      put('shortconv.l_cache', need(['conv_L_cache'], 'ssmConv'));
      break;
    }
    case 'mamba':
      // conversion/mamba.py MambaModel
      put('attention.head_count', 0);
      put('ssm.conv_kernel', int(['conv_kernel', 'd_conv'], 'ssmConv') ?? 4);
      put('ssm.inner_size', int(['intermediate_size', 'd_inner'], 'ssmInner') ?? 2 * (nEmbd ?? 0));
      put('ssm.state_size', int(['state_size', 'd_state'], 'ssmState') ?? 16);
      break;
    case 'mamba2':
      put('attention.head_count', 0);
      mamba2Keys(h, put, where, { dModelKeys: ['hidden_size', 'd_model', 'dim'] });
      break;
    default:
      if (window !== undefined) notes.push(`sliding_window ${window} in ${where}: convert_hf_to_gguf's ${mapped.converter} does not write it for ${arch}`);
  }
  put('block_count', blockCount);
  return { hfArchitecture, arch, converter: mapped.converter, metadata: md, notes };
}

/** Mamba2Model.__init__/set_gguf_parameters (conversion/mamba.py) with the subclasses' key variants. */
function mamba2Keys(
  h: Json, put: (k: string, v: unknown) => void, where: string,
  o: { prefix?: string; dModelKeys: string[]; innerMul?: string[]; innerKey?: string[] },
): void {
  const find = (keys: string[]): unknown => {
    const all = o.prefix ? [...keys, ...keys.map((k) => `${o.prefix}_${k}`)] : keys;
    for (const k of all) if (Object.prototype.hasOwnProperty.call(h, k)) return h[k];
    return undefined;
  };
  const dModel = optInt(where, o.dModelKeys[0]!, find(o.dModelKeys), 'hidden') ?? 0;
  let inner: number | undefined;
  if (o.innerKey) inner = optInt(where, o.innerKey[0]!, find(o.innerKey), 'ssmInner');
  if (inner === undefined && o.innerMul) {
    const mul = optInt(where, o.innerMul[0]!, find(o.innerMul), { min: 1, max: 1 << 16, what: 'an SSM expansion or head count' });
    if (mul !== undefined) inner = mul * dModel;
  }
  if (inner === undefined) {
    const expand = optInt(where, 'expand', find(['mamba_expand', 'expand']), { min: 1, max: 64, what: 'an expansion factor' }) ?? 2;
    inner = optInt(where, 'intermediate_size', find(['mamba_d_ssm', 'intermediate_size', 'd_inner']), 'ssmInner') ?? expand * dModel;
  }
  const headDim = optInt(where, 'head_dim', find(['mamba_d_head', 'head_dim']), 'headDim') ?? 64;
  put('ssm.conv_kernel', optInt(where, 'conv_kernel', find(['conv_kernel', 'd_conv']), 'ssmConv') ?? 4);
  put('ssm.state_size', optInt(where, 'state_size', find(['state_size', 'd_state', 'state_dim', 'ssm_state_size']), 'ssmState') ?? 128);
  put('ssm.group_count', optInt(where, 'n_groups', find(['n_groups', 'num_groups']), 'ssmGroups') ?? 1);
  put('ssm.inner_size', inner);
  put('ssm.time_step_rank', headDim > 0 ? Math.floor(inner / headDim) : 0);
}

export { FACT_LIMITS };
