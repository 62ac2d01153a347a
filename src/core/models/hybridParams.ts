// Parameters of hybrid architectures' layers, from the tensors their transformers modeling code creates, so a
// config.json alone gives their weight size (safetensors headers give the exact count when the Hub is reachable):
//   Qwen3-Next / Qwen3.5 (modeling_qwen3_next.py): gated-delta-net layers — in_proj_qkvz H × (2·key_dim + 2·value_dim),
//     in_proj_ba H × 2·v_heads, conv1d conv_dim × kernel, dt_bias/A_log v_heads, norm head_v, out_proj value_dim × H;
//     full-attention layers with an output gate (q_proj doubled), q/k norms; MoE with a shared expert and its gate.
//   Nemotron-H (modeling_nemotron_h.py): per hybrid_override_pattern character — M Mamba-2 mixer (in_proj
//     H × (2·d_inner + 2·groups·state + heads), conv1d with bias, dt_bias/A_log/D heads, norm d_inner, out_proj),
//     * attention, - relu² MLP (up + down, no gate), E MoE (router + correction bias, experts up + down, shared expert).
export interface LayerParams {
  attn: number;
  denseFfn: number;
  experts: number;
  expertsActive: number;
  shared: number;
  router: number;
  norms: number;
}

type Json = Record<string, unknown>;
const n = (v: unknown, d = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);

/** Parameters of layer `l`, or undefined when the model type is not one of these hybrids. */
export function hybridLayerParams(modelType: string, cfg: Json, l: number, recurrent: boolean): LayerParams | undefined {
  const H = n(cfg.hidden_size);
  const p: LayerParams = { attn: 0, denseFfn: 0, experts: 0, expertsActive: 0, shared: 0, router: 0, norms: 0 };
  if (modelType === 'qwen3_next' || modelType === 'qwen3_5_text' || modelType === 'qwen3_5_moe_text') {
    const nh = n(cfg.num_attention_heads);
    const kv = n(cfg.num_key_value_heads, nh);
    const hd = n(cfg.head_dim, nh ? H / nh : 0);
    p.norms = 2 * H;
    if (recurrent) {
      const keyDim = n(cfg.linear_num_key_heads) * n(cfg.linear_key_head_dim);
      const vHeads = n(cfg.linear_num_value_heads);
      const valueDim = vHeads * n(cfg.linear_value_head_dim);
      const convDim = 2 * keyDim + valueDim;
      p.attn = H * (2 * keyDim + 2 * valueDim) + H * 2 * vHeads + convDim * n(cfg.linear_conv_kernel_dim, 4) + 2 * vHeads + valueDim * H;
      p.norms += n(cfg.linear_value_head_dim);
    } else {
      const gate = cfg.attn_output_gate !== false ? 2 : 1;
      p.attn = H * nh * hd * gate + 2 * H * kv * hd + nh * hd * H;
      p.norms += 2 * hd;
    }
    const E = n(cfg.num_experts);
    if (E > 1) {
      const im = n(cfg.moe_intermediate_size);
      p.experts = E * 3 * H * im;
      p.expertsActive = n(cfg.num_experts_per_tok, E) * 3 * H * im;
      p.router = H * E;
      const si = n(cfg.shared_expert_intermediate_size);
      if (si) p.shared = 3 * H * si + H;
    } else {
      p.denseFfn = 3 * H * n(cfg.intermediate_size);
    }
    return p;
  }
  if (modelType === 'nemotron_h') {
    const pattern = typeof cfg.hybrid_override_pattern === 'string' ? cfg.hybrid_override_pattern : '';
    const c = pattern[l] ?? '';
    p.norms = H;
    if (c === 'M') {
      const heads = n(cfg.mamba_num_heads);
      const dInner = heads * n(cfg.mamba_head_dim);
      const groups = n(cfg.n_groups, 1);
      const state = n(cfg.ssm_state_size);
      const convDim = dInner + 2 * groups * state;
      p.attn = H * (2 * dInner + 2 * groups * state + heads) + convDim * n(cfg.conv_kernel, 4) + convDim + 3 * heads + dInner * H;
    } else if (c === '*') {
      const nh = n(cfg.num_attention_heads);
      const kv = n(cfg.num_key_value_heads, nh);
      const hd = n(cfg.head_dim, n(cfg.attention_head_dim, nh ? H / nh : 0));
      p.attn = H * nh * hd + 2 * H * kv * hd + nh * hd * H;
    } else if (c === '-') {
      p.denseFfn = 2 * H * n(cfg.intermediate_size);
    } else if (c === 'E') {
      const E = n(cfg.n_routed_experts);
      const im = n(cfg.moe_intermediate_size);
      p.router = E * H + E;
      p.experts = E * 2 * H * im;
      p.expertsActive = n(cfg.num_experts_per_tok, E) * 2 * H * im;
      p.shared = n(cfg.n_shared_experts, 1) * 2 * H * n(cfg.moe_shared_expert_intermediate_size);
    }
    return p;
  }
  return undefined;
}
