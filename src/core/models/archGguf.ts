// Tiny random-weight GGUFs of architectures beyond llama, so the bundled engine can be measured on what the
// estimator claims for them: SWA (gemma3), MLA + MoE (deepseek2), hybrid short-conv recurrent (lfm2), pure
// recurrent Mamba-2 (mamba2) and MoE (qwen3moe). Tensor names and shapes follow each architecture's
// load_arch_tensors in the bundled llama.cpp (de3ff815: src/models/<arch>.cpp, names from src/llama-arch.cpp);
// the metadata keys are the ones load_arch_hparams requires. Weights are noise: only memory and speed matter.
import { writeGguf, type GgufKV, type GgufTensorSpec } from './ggufWrite';
import { tokenizerKVs } from './makeModel';

export type TinyArch = 'gemma3' | 'deepseek2' | 'lfm2' | 'mamba2' | 'qwen3moe';

export interface TinyArchModel {
  arch: TinyArch;
  metadata: GgufKV[];
  tensors: GgufTensorSpec[];
  /** What the model exercises, for test names. */
  what: string;
}

const u32 = (key: string, value: number): GgufKV => ({ key, type: 'uint32', value });
const f32 = (key: string, value: number): GgufKV => ({ key, type: 'float32', value });
const u32arr = (key: string, value: number[]): GgufKV => ({ key, type: 'array', itemType: 'uint32', value });

const VOCAB = 300;
const EMBD = 256;

function common(arch: string, name: string, layers: number, ctx = 8192): GgufKV[] {
  return [
    { key: 'general.architecture', type: 'string', value: arch },
    { key: 'general.name', type: 'string', value: `kvlens-tiny-${name}` },
    u32('general.file_type', 1),
    u32(`${arch}.context_length`, ctx),
    u32(`${arch}.embedding_length`, EMBD),
    u32(`${arch}.block_count`, layers),
    f32(`${arch}.attention.layer_norm_rms_epsilon`, 1e-6),
    u32(`${arch}.vocab_size`, VOCAB),
    ...tokenizerKVs(VOCAB),
  ];
}

class Tensors {
  readonly list: GgufTensorSpec[] = [];
  private seed = 7;
  norm(name: string, n: number): void { this.list.push({ name, dims: [n], type: 'F32', fill: 'ones' }); }
  mat(name: string, dims: number[]): void { this.list.push({ name, dims, type: 'F16', fill: 'random', seed: this.seed++ }); }
  f32(name: string, dims: number[]): void { this.list.push({ name, dims, type: 'F32', fill: 'random', seed: this.seed++ }); }
  io(normName = 'output_norm'): void {
    this.mat('token_embd.weight', [EMBD, VOCAB]);
    this.norm(`${normName}.weight`, EMBD);
    this.mat('output.weight', [EMBD, VOCAB]);
  }
}

/** gemma3: 4 layers, every 2nd full (sliding_window_pattern 2), window 128, 2 KV heads × 64. */
function gemma3(): TinyArchModel {
  const L = 4;
  const t = new Tensors();
  t.io();
  for (let i = 0; i < L; i++) {
    const b = `blk.${i}.`;
    t.norm(`${b}attn_norm.weight`, EMBD);
    t.mat(`${b}attn_q.weight`, [EMBD, 4 * 64]);
    t.mat(`${b}attn_k.weight`, [EMBD, 2 * 64]);
    t.mat(`${b}attn_v.weight`, [EMBD, 2 * 64]);
    t.mat(`${b}attn_output.weight`, [4 * 64, EMBD]);
    t.norm(`${b}post_attention_norm.weight`, EMBD);
    t.norm(`${b}attn_k_norm.weight`, 64);
    t.norm(`${b}attn_q_norm.weight`, 64);
    t.norm(`${b}ffn_norm.weight`, EMBD);
    t.mat(`${b}ffn_gate.weight`, [EMBD, 512]);
    t.mat(`${b}ffn_up.weight`, [EMBD, 512]);
    t.mat(`${b}ffn_down.weight`, [512, EMBD]);
    t.norm(`${b}post_ffw_norm.weight`, EMBD);
  }
  return {
    arch: 'gemma3', what: 'sliding window (every 2nd layer full, window 128)', tensors: t.list,
    metadata: [
      ...common('gemma3', 'gemma3-swa', L),
      u32('gemma3.feed_forward_length', 512), u32('gemma3.attention.head_count', 4), u32('gemma3.attention.head_count_kv', 2),
      u32('gemma3.attention.key_length', 64), u32('gemma3.attention.value_length', 64),
      u32('gemma3.attention.sliding_window', 128), u32('gemma3.attention.sliding_window_pattern', 2),
      f32('gemma3.rope.freq_base', 10000),
    ],
  };
}

/** deepseek2: 3 layers (1 dense + 2 MoE of 4 experts, 2 used, 1 shared), MLA latent 64 + rope 32. */
function deepseek2(): TinyArchModel {
  const L = 3;
  const H = 4;
  const rank = 64;
  const rope = 32;
  const nope = 32;
  const vMla = 32;
  const qRank = 64;
  const ffExp = 128;
  const E = 4;
  const t = new Tensors();
  t.io();
  for (let i = 0; i < L; i++) {
    const b = `blk.${i}.`;
    t.norm(`${b}attn_norm.weight`, EMBD);
    t.norm(`${b}attn_q_a_norm.weight`, qRank);
    t.norm(`${b}attn_kv_a_norm.weight`, rank);
    t.mat(`${b}attn_q_a.weight`, [EMBD, qRank]);
    t.mat(`${b}attn_q_b.weight`, [qRank, H * (nope + rope)]);
    t.mat(`${b}attn_kv_a_mqa.weight`, [EMBD, rank + rope]);
    t.mat(`${b}attn_k_b.weight`, [nope, rank, H]);
    t.mat(`${b}attn_v_b.weight`, [rank, vMla, H]);
    t.mat(`${b}attn_output.weight`, [H * vMla, EMBD]);
    t.norm(`${b}ffn_norm.weight`, EMBD);
    if (i < 1) {
      t.mat(`${b}ffn_gate.weight`, [EMBD, 512]);
      t.mat(`${b}ffn_down.weight`, [512, EMBD]);
      t.mat(`${b}ffn_up.weight`, [EMBD, 512]);
    } else {
      t.f32(`${b}ffn_gate_inp.weight`, [EMBD, E]);
      t.mat(`${b}ffn_down_exps.weight`, [ffExp, EMBD, E]);
      t.mat(`${b}ffn_gate_exps.weight`, [EMBD, ffExp, E]);
      t.mat(`${b}ffn_up_exps.weight`, [EMBD, ffExp, E]);
      t.mat(`${b}ffn_gate_shexp.weight`, [EMBD, ffExp]);
      t.mat(`${b}ffn_down_shexp.weight`, [ffExp, EMBD]);
      t.mat(`${b}ffn_up_shexp.weight`, [EMBD, ffExp]);
    }
  }
  return {
    arch: 'deepseek2', what: 'MLA latent cache (no V) + MoE', tensors: t.list,
    metadata: [
      ...common('deepseek2', 'deepseek2-mla', L),
      u32('deepseek2.feed_forward_length', 512), u32('deepseek2.attention.head_count', H), u32('deepseek2.attention.head_count_kv', 1),
      u32('deepseek2.attention.key_length', rank + rope), u32('deepseek2.attention.value_length', rank),
      u32('deepseek2.attention.key_length_mla', nope + rope), u32('deepseek2.attention.value_length_mla', vMla),
      u32('deepseek2.attention.kv_lora_rank', rank), u32('deepseek2.attention.q_lora_rank', qRank),
      u32('deepseek2.rope.dimension_count', rope), u32('deepseek2.leading_dense_block_count', 1),
      u32('deepseek2.expert_count', E), u32('deepseek2.expert_used_count', 2), u32('deepseek2.expert_shared_count', 1),
      u32('deepseek2.expert_feed_forward_length', ffExp), f32('deepseek2.rope.freq_base', 10000),
    ],
  };
}

/** lfm2: 4 layers, short-conv (recurrent) at 0 and 2, attention at 1 and 3; n_embd 1024 so the state is measurable. */
function lfm2(): TinyArchModel {
  const L = 4;
  const embd = 1024;
  const kv = [0, 2, 0, 2];
  const lCache = 3;
  const t = new Tensors();
  t.mat('token_embd.weight', [embd, VOCAB]);
  t.norm('token_embd_norm.weight', embd);
  t.mat('output.weight', [embd, VOCAB]);
  for (let i = 0; i < L; i++) {
    const b = `blk.${i}.`;
    t.norm(`${b}ffn_norm.weight`, embd);
    t.mat(`${b}ffn_gate.weight`, [embd, 512]);
    t.mat(`${b}ffn_down.weight`, [512, embd]);
    t.mat(`${b}ffn_up.weight`, [embd, 512]);
    t.norm(`${b}attn_norm.weight`, embd);
    if (kv[i]) {
      t.norm(`${b}attn_q_norm.weight`, 64);
      t.norm(`${b}attn_k_norm.weight`, 64);
      t.mat(`${b}attn_q.weight`, [embd, embd]);
      t.mat(`${b}attn_k.weight`, [embd, kv[i]! * 64]);
      t.mat(`${b}attn_v.weight`, [embd, kv[i]! * 64]);
      t.mat(`${b}attn_output.weight`, [embd, embd]);
    } else {
      t.f32(`${b}shortconv.conv.weight`, [lCache, embd]);
      t.mat(`${b}shortconv.in_proj.weight`, [embd, 3 * embd]);
      t.mat(`${b}shortconv.out_proj.weight`, [embd, embd]);
    }
  }
  const meta = common('lfm2', 'lfm2-hybrid', L).map((k) => (k.key === 'lfm2.embedding_length' ? u32('lfm2.embedding_length', embd) : k));
  return {
    arch: 'lfm2', what: 'hybrid: 2 short-conv layers with a recurrent state, 2 attention layers', tensors: t.list,
    metadata: [
      ...meta,
      u32('lfm2.feed_forward_length', 512), u32('lfm2.attention.head_count', 16), u32arr('lfm2.attention.head_count_kv', kv),
      u32('lfm2.shortconv.l_cache', lCache), f32('lfm2.rope.freq_base', 10000),
    ],
  };
}

/** mamba2: 2 layers, d_inner 512, d_state 64, 1 group, head dim 64 → r 1,920 and s 32,768 f32 per layer. */
function mamba2(): TinyArchModel {
  const L = 2;
  const dConv = 4;
  const dInner = 512;
  const dState = 64;
  const nGroup = 1;
  const dtRank = 8;
  const convDim = dInner + 2 * nGroup * dState;
  const t = new Tensors();
  t.io();
  for (let i = 0; i < L; i++) {
    const b = `blk.${i}.`;
    t.norm(`${b}attn_norm.weight`, EMBD);
    t.mat(`${b}ssm_in.weight`, [EMBD, dInner + convDim + dtRank]);
    t.f32(`${b}ssm_conv1d.weight`, [dConv, convDim]);
    t.f32(`${b}ssm_conv1d.bias`, [convDim]);
    t.f32(`${b}ssm_dt.bias`, [dtRank]);
    t.f32(`${b}ssm_a`, [1, dtRank]);
    t.f32(`${b}ssm_d`, [1, dtRank]);
    t.norm(`${b}ssm_norm.weight`, dInner / nGroup);
    t.mat(`${b}ssm_out.weight`, [dInner, EMBD]);
  }
  // ssm_norm is [d_inner / n_group, n_group]: with one group that is one row.
  const tensors = t.list.map((x) => (x.name.endsWith('ssm_norm.weight') ? { ...x, dims: [dInner / nGroup, nGroup] } : x));
  return {
    arch: 'mamba2', what: 'recurrent only (Mamba-2): no KV cache, r and s state per sequence', tensors,
    metadata: [
      ...common('mamba2', 'mamba2', L, 1 << 20),
      u32('mamba2.feed_forward_length', 0), u32('mamba2.attention.head_count', 0),
      u32('mamba2.ssm.conv_kernel', dConv), u32('mamba2.ssm.inner_size', dInner), u32('mamba2.ssm.state_size', dState),
      u32('mamba2.ssm.time_step_rank', dtRank), u32('mamba2.ssm.group_count', nGroup),
    ],
  };
}

/** qwen3moe: 2 layers of 4 experts (2 used), 2 KV heads × 64. */
function qwen3moe(): TinyArchModel {
  const L = 2;
  const E = 4;
  const ffExp = 128;
  const t = new Tensors();
  t.io();
  for (let i = 0; i < L; i++) {
    const b = `blk.${i}.`;
    t.norm(`${b}attn_norm.weight`, EMBD);
    t.mat(`${b}attn_q.weight`, [EMBD, 4 * 64]);
    t.mat(`${b}attn_k.weight`, [EMBD, 2 * 64]);
    t.mat(`${b}attn_v.weight`, [EMBD, 2 * 64]);
    t.mat(`${b}attn_output.weight`, [4 * 64, EMBD]);
    t.norm(`${b}attn_k_norm.weight`, 64);
    t.norm(`${b}attn_q_norm.weight`, 64);
    t.norm(`${b}ffn_norm.weight`, EMBD);
    t.f32(`${b}ffn_gate_inp.weight`, [EMBD, E]);
    t.mat(`${b}ffn_gate_exps.weight`, [EMBD, ffExp, E]);
    t.mat(`${b}ffn_down_exps.weight`, [ffExp, EMBD, E]);
    t.mat(`${b}ffn_up_exps.weight`, [EMBD, ffExp, E]);
  }
  return {
    arch: 'qwen3moe', what: 'MoE (4 experts, 2 used)', tensors: t.list,
    metadata: [
      ...common('qwen3moe', 'qwen3moe', L),
      u32('qwen3moe.feed_forward_length', 512), u32('qwen3moe.attention.head_count', 4), u32('qwen3moe.attention.head_count_kv', 2),
      u32('qwen3moe.attention.key_length', 64), u32('qwen3moe.attention.value_length', 64),
      u32('qwen3moe.expert_count', E), u32('qwen3moe.expert_used_count', 2), u32('qwen3moe.expert_feed_forward_length', ffExp),
      f32('qwen3moe.rope.freq_base', 1e6),
    ],
  };
}

const BUILDERS: Record<TinyArch, () => TinyArchModel> = { gemma3, deepseek2, lfm2, mamba2, qwen3moe };

export const TINY_ARCHS = Object.keys(BUILDERS) as TinyArch[];

export function tinyArchModel(arch: TinyArch): TinyArchModel {
  return BUILDERS[arch]();
}

/** Writes the tiny model of `arch` to `file` (temp file + rename). */
export async function writeTinyArchGguf(file: string, arch: TinyArch): Promise<TinyArchModel> {
  const m = tinyArchModel(arch);
  await writeGguf(file, { metadata: m.metadata, tensors: m.tensors });
  return m;
}
