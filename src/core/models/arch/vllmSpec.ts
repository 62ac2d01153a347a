// vLLM's KV cache spec per layer, derived from the HF config the way vLLM's model classes declare it
// (vllm-project/vllm; each file read at the commit noted beside it, through the code index):
//   vllm/v1/kv_cache_interface.py (001cabc1)  FullAttentionSpec, SlidingWindowSpec, ChunkedLocalAttentionSpec,
//       MLAAttentionSpec (fp8_ds_mla: 656 bytes per token), MambaSpec (sum of state shapes × dtype sizes)
//   vllm/model_executor/layers/mamba/mamba_utils.py (02d71083)  MambaStateShapeCalculator: mamba1, mamba2,
//       short_conv, gated_delta_net, kda, linear_attention shapes; MambaStateDtypeCalculator
//   vllm/model_executor/models/config.py  NemotronHForCausalLMConfig (ssm state dtype from the HF config, float32
//       by default), Qwen3_5 configs (mamba_ssm_dtype), DeepseekV32 (fp8 → fp8_ds_mla)
// Shapes are kept unsplit here; vllmKvPool.ts divides heads/dims by the tensor-parallel size as vLLM does.
import { checkInt, optInt } from '../validate';
import { mergedHparams } from './hfToGguf';

export type VllmMambaType = 'mamba1' | 'mamba2' | 'short_conv' | 'gated_delta_net' | 'kda' | 'linear_attention';

export interface VllmMambaParams {
  type: VllmMambaType;
  /** mamba1/mamba2/short_conv: intermediate size; gdn: k/v heads and dims. */
  intermediate?: number;
  nGroups?: number;
  numHeads?: number;
  headDim?: number;
  stateSize?: number;
  convKernel: number;
  numKHeads?: number;
  numVHeads?: number;
  headKDim?: number;
  headVDim?: number;
  /** Element sizes: conv state = model dtype unless mamba_cache_dtype; temporal state per the model's config hook. */
  ssmDtype?: 'float32' | 'bfloat16' | 'float16' | 'auto';
}

export type VllmLayerSpec =
  | { kind: 'full'; kvHeads: number; headSize: number; headSizeV: number }
  | { kind: 'sliding'; kvHeads: number; headSize: number; headSizeV: number; window: number }
  | { kind: 'chunked'; kvHeads: number; headSize: number; headSizeV: number; chunk: number }
  | { kind: 'mla'; headSize: number }
  | { kind: 'mamba'; mamba: VllmMambaParams };

export interface VllmModelSpec {
  /** One entry per cache-holding layer name (a Falcon-H1 block contributes an attention and a Mamba spec). */
  layers: { index: number; spec: VllmLayerSpec }[];
  /** DeepSeek-V3.2-style sparse MLA: fp8 caches use the 656-byte fp8_ds_mla layout. */
  fp8DsMla?: boolean;
  notes: string[];
}

type Json = Record<string, unknown>;
const has = (h: Json, k: string): boolean => Object.prototype.hasOwnProperty.call(h, k);

/** The vLLM layer specs for an HF config; undefined when the config names nothing vLLM sizes this way. */
export function vllmSpecFromHf(raw: Json, where = 'config.json'): VllmModelSpec {
  const h = mergedHparams(raw);
  const notes: string[] = [];
  const mt = typeof h.model_type === 'string' ? h.model_type : '';
  const arch = Array.isArray(raw.architectures) ? String(raw.architectures[0] ?? '') : '';
  const L = checkInt(where, 'num_hidden_layers', h.num_hidden_layers ?? h.n_layer ?? h.num_layers, 'layers');
  const nh = optInt(where, 'num_attention_heads', h.num_attention_heads, 'heads') ?? 0;
  const hidden = optInt(where, 'hidden_size', h.hidden_size, 'hidden') ?? 0;
  const kvh = optInt(where, 'num_key_value_heads', h.num_key_value_heads, 'kvHeads') ?? nh;
  const hd = optInt(where, 'head_dim', h.head_dim ?? h.attention_head_dim, 'headDim') ?? (nh > 0 ? Math.floor(hidden / nh) : 0);
  const window = optInt(where, 'sliding_window', h.sliding_window, 'window');
  const layerTypes = Array.isArray(h.layer_types) ? (h.layer_types as unknown[]).map(String) : undefined;
  const layers: VllmModelSpec['layers'] = [];
  const full = (i: number, heads = kvh, size = hd): void => { layers.push({ index: i, spec: { kind: 'full', kvHeads: heads, headSize: size, headSizeV: size } }); };
  const sliding = (i: number, heads = kvh, size = hd): void => {
    if (window && window > 0) layers.push({ index: i, spec: { kind: 'sliding', kvHeads: heads, headSize: size, headSizeV: size, window } });
    else full(i, heads, size);
  };

  // ---- MLA (vllm/model_executor/models/deepseek_v2.py: kv_lora_rank + qk_rope_head_dim, one latent "head") --
  if (has(h, 'kv_lora_rank') && h.kv_lora_rank !== null && /deepseek|kimi_k2|glm4_moe_lite|mistral_large_3/.test(mt + arch.toLowerCase())) {
    const rank = checkInt(where, 'kv_lora_rank', h.kv_lora_rank, 'latentRank');
    const rope = checkInt(where, 'qk_rope_head_dim', h.qk_rope_head_dim, 'ropeDim');
    for (let i = 0; i < L; i++) layers.push({ index: i, spec: { kind: 'mla', headSize: rank + rope } });
    notes.push(`MLA: vLLM caches the ${rank} + ${rope} = ${rank + rope}-element latent per layer per token (MLAAttentionSpec), replicated on every TP rank`);
    return { layers, fp8DsMla: has(h, 'index_topk'), notes };
  }

  // ---- hybrids with Mamba-style state (MambaSpec) --------------------------------------------------------------
  const ssmCfgDtype = (k: string): VllmMambaParams['ssmDtype'] => {
    const v = h[k];
    return v === 'float32' || v === 'bfloat16' || v === 'float16' ? v : undefined;
  };
  if (mt === 'qwen3_next' || mt === 'qwen3_5_text' || mt === 'qwen3_5' || mt === 'qwen3_5_moe_text' || mt === 'qwen3_5_moe') {
    // vllm/model_executor/models/qwen3_next.py: Qwen3NextGatedDeltaNet → gated_delta_net_state_shape.
    const gdn: VllmMambaParams = {
      type: 'gated_delta_net', convKernel: checkInt(where, 'linear_conv_kernel_dim', h.linear_conv_kernel_dim, 'ssmConv'),
      numKHeads: checkInt(where, 'linear_num_key_heads', h.linear_num_key_heads, 'heads'), numVHeads: checkInt(where, 'linear_num_value_heads', h.linear_num_value_heads, 'heads'),
      headKDim: checkInt(where, 'linear_key_head_dim', h.linear_key_head_dim, 'headDim'), headVDim: checkInt(where, 'linear_value_head_dim', h.linear_value_head_dim, 'headDim'),
      ssmDtype: ssmCfgDtype('mamba_ssm_dtype') ?? 'auto',
    };
    const interval = optInt(where, 'full_attention_interval', h.full_attention_interval, { min: 1, max: 4096, what: 'a full-attention interval' }) ?? 4;
    for (let i = 0; i < L; i++) {
      const linear = layerTypes ? layerTypes[i] === 'linear_attention' : (i + 1) % interval !== 0;
      if (linear) layers.push({ index: i, spec: { kind: 'mamba', mamba: gdn } });
      else full(i);
    }
    if (gdn.ssmDtype !== 'auto') notes.push(`linear-attention state in ${gdn.ssmDtype} (mamba_ssm_dtype in the config)`);
    return { layers, notes };
  }
  if (mt === 'nemotron_h') {
    // vllm/model_executor/models/nemotron_h.py: mamba2_state_shape; NemotronHForCausalLMConfig: ssm state dtype
    // from mamba_ssm_cache_dtype, float32 when the config has none.
    const pattern = h.hybrid_override_pattern;
    const cells = typeof pattern === 'string' ? [...pattern] : [];
    const m2: VllmMambaParams = {
      type: 'mamba2', convKernel: checkInt(where, 'conv_kernel', h.conv_kernel, 'ssmConv'), nGroups: checkInt(where, 'n_groups', h.n_groups, 'ssmGroups'),
      numHeads: checkInt(where, 'mamba_num_heads', h.mamba_num_heads, 'heads'), headDim: checkInt(where, 'mamba_head_dim', h.mamba_head_dim, 'headDim'),
      stateSize: checkInt(where, 'ssm_state_size', h.ssm_state_size, 'ssmState'), ssmDtype: ssmCfgDtype('mamba_ssm_cache_dtype') ?? 'float32',
    };
    m2.intermediate = m2.numHeads! * m2.headDim!;
    cells.forEach((c, i) => {
      if (c === 'M') layers.push({ index: i, spec: { kind: 'mamba', mamba: m2 } });
      else if (c === '*') full(i);
    });
    return { layers, notes };
  }
  if (mt === 'lfm2' || mt === 'lfm2_moe') {
    // vllm/model_executor/models/lfm2.py: ShortConv → short_conv_state_shape(intermediate = hidden_size).
    const sc: VllmMambaParams = { type: 'short_conv', intermediate: hidden, convKernel: checkInt(where, 'conv_L_cache', h.conv_L_cache, 'ssmConv') };
    (layerTypes ?? []).forEach((t, i) => {
      if (t === 'conv') layers.push({ index: i, spec: { kind: 'mamba', mamba: sc } });
      else full(i);
    });
    return { layers, notes };
  }
  if (mt === 'mamba' || mt === 'falcon_mamba') {
    const inner = optInt(where, 'intermediate_size', h.intermediate_size, 'ssmInner') ?? 2 * hidden;
    const m1: VllmMambaParams = { type: 'mamba1', intermediate: inner, stateSize: optInt(where, 'state_size', h.state_size, 'ssmState') ?? 16, convKernel: optInt(where, 'conv_kernel', h.conv_kernel, 'ssmConv') ?? 4 };
    for (let i = 0; i < L; i++) layers.push({ index: i, spec: { kind: 'mamba', mamba: m1 } });
    return { layers, notes };
  }
  if (mt === 'mamba2' || mt === 'falcon_h1' || mt === 'granitemoehybrid' || mt === 'bamba') {
    const p = mt === 'falcon_h1' ? 'mamba_' : '';
    const nHeads = checkInt(where, `${p}n_heads`, h[`${p}n_heads`] ?? h.mamba_n_heads ?? h.num_heads, 'heads');
    const headDim = checkInt(where, `${p}d_head`, h[`${p}d_head`] ?? h.mamba_d_head ?? h.head_dim, 'headDim');
    const m2: VllmMambaParams = {
      type: 'mamba2', convKernel: checkInt(where, `${p}d_conv`, h[`${p}d_conv`] ?? h.mamba_d_conv ?? h.conv_kernel, 'ssmConv'),
      nGroups: checkInt(where, `${p}n_groups`, h[`${p}n_groups`] ?? h.mamba_n_groups ?? h.n_groups, 'ssmGroups'), numHeads: nHeads, headDim,
      stateSize: checkInt(where, `${p}d_state`, h[`${p}d_state`] ?? h.mamba_d_state ?? h.state_size, 'ssmState'),
      intermediate: optInt(where, 'mamba_d_ssm', h.mamba_d_ssm, 'ssmInner') ?? nHeads * headDim,
    };
    for (let i = 0; i < L; i++) {
      const isAttn = mt === 'falcon_h1' || (layerTypes ? layerTypes[i] === 'attention' : false);
      if (mt !== 'mamba2' && isAttn) full(i);
      if (mt === 'falcon_h1' || mt === 'mamba2' || !isAttn) layers.push({ index: i, spec: { kind: 'mamba', mamba: m2 } });
    }
    if (mt === 'falcon_h1') notes.push('Falcon-H1: every block has attention and Mamba-2 side by side (two cache entries per layer)');
    return { layers, notes };
  }
  if (mt === 'jamba') {
    const inner = checkInt(where, 'mamba_expand', h.mamba_expand, { min: 1, max: 64, what: 'an expansion factor' }) * hidden;
    const m1: VllmMambaParams = { type: 'mamba1', intermediate: inner, stateSize: optInt(where, 'mamba_d_state', h.mamba_d_state, 'ssmState') ?? 16, convKernel: optInt(where, 'mamba_d_conv', h.mamba_d_conv, 'ssmConv') ?? 4 };
    const period = checkInt(where, 'attn_layer_period', h.attn_layer_period, 'layers');
    const offset = checkInt(where, 'attn_layer_offset', h.attn_layer_offset, { min: 0, max: 4096, what: 'a layer offset' });
    for (let i = 0; i < L; i++) {
      if (i % period === offset) full(i);
      else layers.push({ index: i, spec: { kind: 'mamba', mamba: m1 } });
    }
    return { layers, notes };
  }

  // ---- attention-only models ----------------------------------------------------------------------------------
  if (mt === 'gemma4_text' || mt === 'gemma4') {
    // vllm/model_executor/models/gemma4.py: full layers use global_head_dim × num_global_key_value_heads.
    const fullHd = optInt(where, 'global_head_dim', h.global_head_dim, 'headDim') ?? hd;
    const fullKv = optInt(where, 'num_global_key_value_heads', h.num_global_key_value_heads, 'kvHeads') ?? kvh;
    const shared = optInt(where, 'num_kv_shared_layers', h.num_kv_shared_layers, 'sharedKvLayers') ?? 0;
    for (let i = 0; i < L - shared; i++) {
      if (layerTypes?.[i] === 'sliding_attention') sliding(i);
      else full(i, fullKv, fullHd);
    }
    if (shared) notes.push(`${shared} KV-sharing layers reuse earlier layers' caches (no own spec)`);
    return { layers, notes };
  }
  if (mt === 'llama4_text' || mt === 'llama4') {
    // vllm/model_executor/models/llama4.py: RoPE layers use chunked local attention (attention_chunk_size);
    // no_rope_layers (HF default: every 4th layer without RoPE) stay global.
    const chunk = optInt(where, 'attention_chunk_size', h.attention_chunk_size, 'window');
    const noRope = Array.isArray(h.no_rope_layers) ? (h.no_rope_layers as unknown[]) : undefined;
    const interval = optInt(where, 'no_rope_layer_interval', h.no_rope_layer_interval, { min: 1, max: 4096, what: 'an interval' }) ?? 4;
    for (let i = 0; i < L; i++) {
      const usesRope = noRope ? noRope[i] === 1 || noRope[i] === true : (i + 1) % interval !== 0;
      if (chunk && usesRope) layers.push({ index: i, spec: { kind: 'chunked', kvHeads: kvh, headSize: hd, headSizeV: hd, chunk } });
      else full(i);
    }
    if (!noRope) notes.push(`no_rope_layers not in the config: transformers' default (every ${interval}th layer global, no RoPE)`);
    return { layers, notes };
  }
  for (let i = 0; i < L; i++) {
    let swa = false;
    if (layerTypes) swa = layerTypes[i] === 'sliding_attention';
    else if (mt === 'gemma2') swa = i % 2 === 0;
    else if (mt === 'gemma3' || mt === 'gemma3_text') {
      const p = optInt(where, 'sliding_window_pattern', h.sliding_window_pattern ?? h._sliding_window_pattern, { min: 1, max: 4096, what: 'an SWA period' }) ?? 6;
      swa = (i + 1) % p !== 0;
    } else if (mt === 'qwen2' || mt === 'qwen2_moe' || mt === 'qwen3' || mt === 'qwen3_moe') {
      swa = h.use_sliding_window === true && i >= (optInt(where, 'max_window_layers', h.max_window_layers, 'layers') ?? 0);
    } else if (mt === 'mistral' || mt === 'mixtral') swa = window !== undefined && window > 0;
    if (swa) sliding(i);
    else full(i);
  }
  return { layers, notes };
}
