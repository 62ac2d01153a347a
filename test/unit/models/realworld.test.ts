// Every published config.json in ../shared/realworld/models (provenance: ../shared/realworld/SOURCES.md) sized at
// `-c 8192 -np 1`, f16 K and V, flash attention auto (llama.cpp's defaults otherwise), and for vLLM at TP 1 with
// kv-cache-dtype auto (bf16, 2 bytes). The expected figures are derived by hand below from the engines' source
// rules — not computed by the estimator — with the rule each one rests on:
//   llama.cpp (bundled de3ff815): K/V per cache layer = n_embd_head × n_head_kv × cells × 2 B (src/llama-kv-cache.cpp);
//     cells = PAD(8192, 256) = 8192; SWA layers PAD(min(8192, n_swa + n_ubatch 512), 256) (src/llama-kv-cache-iswa.cpp);
//     MLA stores K = kv_lora_rank + rope only (has_v = !is_mla); recurrent layers hold f32 r = (d_conv − 1) ×
//     (d_inner + 2 × n_group × d_state) and s = d_state × d_inner per sequence (src/llama-hparams.cpp n_embd_r/s).
//   vLLM: per layer per token 2 × kv_heads × head_size × 2 B (AttentionSpec), MLA (kv_lora_rank + rope) × 2 B
//     (MLAAttentionSpec), Mamba/GDN layers hold no per-token KV (MambaSpec, per sequence).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { descriptorFromHfConfig } from '../../../src/core/models/hfConfig';
import { parseModelJson } from '../../../src/core/models/jsonText';
import { llamaKvCache } from '../../../src/core/estimator/kvCache';
import { vllmKvPool } from '../../../src/core/estimator/vllmKvPool';

const MODELS = path.resolve(__dirname, '../../../../../shared/realworld/models');
const MODELS_FROM_SRC = path.resolve(process.cwd(), '../shared/realworld/models');
const dir = fs.existsSync(MODELS) ? MODELS : MODELS_FROM_SRC;

interface Expected {
  /** llama.cpp K + V bytes at -c 8192 -np 1 f16. */
  llama: number;
  /** llama.cpp recurrent state bytes for one sequence (f32 r + s). */
  state: number;
  /** vLLM KV bytes per token, TP 1, bf16. */
  vllm: number;
  why: string;
}

const f16 = 2;
const EXPECTED: Record<string, Expected> = {
  'qwen3-8b': { llama: 36 * 8192 * (8 * 128 * 2) * f16, state: 0, vllm: 36 * 2 * 8 * 128 * 2, why: 'qwen3: 36 full layers × 8 KV heads × 128' },
  'qwen3-30b-a3b': { llama: 48 * 8192 * (4 * 128 * 2) * f16, state: 0, vllm: 48 * 2 * 4 * 128 * 2, why: 'qwen3moe: 48 layers × 4 KV heads × 128 (MoE changes weights, not KV)' },
  'gpt-oss-20b': {
    // openai-moe.cpp: load_swa_pattern(ml, 2) → even layers SWA (window 128); SWA cells PAD(128 + 512, 256) = 768.
    llama: (12 * 8192 + 12 * 768) * (8 * 64 * 2) * f16, state: 0, vllm: 24 * 2 * 8 * 64 * 2,
    why: '12 full × 8192 cells + 12 SWA × 768 cells, 8 KV heads × 64',
  },
  'gpt-oss-120b': { llama: (18 * 8192 + 18 * 768) * (8 * 64 * 2) * f16, state: 0, vllm: 36 * 2 * 8 * 64 * 2, why: '18 full + 18 SWA (768 cells)' },
  'deepseek-r1': {
    // DeepseekV2Model converts MLA to one head of kv_lora_rank 512 + rope 64 = 576; the bundled cache stores no V.
    llama: 61 * 8192 * 576 * f16, state: 0, vllm: 61 * (512 + 64) * 2, why: 'MLA latent 576 × 61 layers, no V; MTP layer skipped by the converter',
  },
  'kimi-k2-instruct': { llama: 61 * 8192 * 576 * f16, state: 0, vllm: 61 * (512 + 64) * 2, why: 'DeepseekV3ForCausalLM → deepseek2: MLA like DeepSeek-R1 (model_type kimi_k2 does not matter)' },
  'llama-4-scout-17b-16e-instruct': {
    // llama4.cpp: chunked attention, n_swa 8192, 3 of 4 layers; chunk cells PAD(min(8192, 8192 + 512), 256) = 8192.
    llama: 48 * 8192 * (8 * 128 * 2) * f16, state: 0, vllm: 48 * 2 * 8 * 128 * 2, why: 'chunks of 8192 ≥ -c 8192: every layer 8192 cells',
  },
  'gemma-4-26b-a4b': {
    // gemma4.cpp: SWA layers from layer_types (25 SWA, 5 full); full layers global_head_dim 512 × 2 KV heads,
    // SWA layers head_dim 256 × 8 KV heads; SWA cells PAD(1024 + 512, 256) = 1536; K=V layers still cache V.
    llama: 5 * 8192 * (2 * 512 * 2) * f16 + 25 * 1536 * (8 * 256 * 2) * f16, state: 0,
    vllm: 5 * 2 * 2 * 512 * 2 + 25 * 2 * 8 * 256 * 2, why: '5 full × 8192 × 2×512 + 25 SWA × 1536 × 8×256',
  },
  'qwen3-next-80b-a3b-thinking': {
    // qwen3next.cpp: every 4th layer full attention (12), 36 gated-delta-net layers with a recurrent state:
    // d_conv 4, d_inner 128 × 32 = 4096, d_state 128, n_group 16.
    llama: 12 * 8192 * (2 * 256 * 2) * f16, state: 36 * (3 * (4096 + 2 * 16 * 128) + 128 * 4096) * 4, vllm: 12 * 2 * 2 * 256 * 2,
    why: '12 attention layers; 36 × (24,576 + 524,288) f32 state',
  },
  'qwen3.5-27b': {
    // qwen35.cpp via attention.recurrent_layers (layer_types): 16 full, 48 linear; d_inner 128 × 48 = 6144.
    llama: 16 * 8192 * (4 * 256 * 2) * f16, state: 48 * (3 * (6144 + 2 * 16 * 128) + 128 * 6144) * 4, vllm: 16 * 2 * 4 * 256 * 2,
    why: '16 attention layers × 4 KV heads × 256; 48 × (30,720 + 786,432) f32 state',
  },
  'nemotron-3-nano-30b-a3b-bf16': {
    // nemotron_h_moe (num_experts_per_tok present): '*' = attention (6), 'M' = Mamba-2 (23), 'E' = MoE (23, no cache);
    // d_inner = mamba_num_heads 64 × mamba_head_dim 64 = 4096, n_groups 8, d_state 128, d_conv 4.
    llama: 6 * 8192 * (2 * 128 * 2) * f16, state: 23 * (3 * (4096 + 2 * 8 * 128) + 128 * 4096) * 4, vllm: 6 * 2 * 2 * 128 * 2,
    why: '6 attention layers × 2 KV heads × 128; 23 Mamba-2 layers',
  },
  'nemotron-h-56b-base-8k': {
    // nemotron_h: 10 '*' attention, 54 'M' Mamba-2, 54 '-' MLP; d_inner 256 × 64 = 16384, n_groups 8, d_state 256.
    llama: 10 * 8192 * (8 * 128 * 2) * f16, state: 54 * (3 * (16384 + 2 * 8 * 256) + 256 * 16384) * 4, vllm: 10 * 2 * 8 * 128 * 2,
    why: '10 attention layers × 8 KV heads × 128; 54 Mamba-2 layers (config has Infinity: Python JSON)',
  },
};

describe('models: published config.json files, exact KV bytes per engine', function () {
  before(function () {
    if (!fs.existsSync(dir)) {
      console.log(`      (skipped: ${dir} is absent — clone ../shared beside the repository to run these)`);
      this.skip();
    }
  });

  it('covers every model folder in ../shared/realworld/models', function () {
    if (!fs.existsSync(dir)) this.skip();
    const folders = fs.readdirSync(dir).filter((n) => fs.existsSync(path.join(dir, n, 'config.json'))).sort();
    assert.deepEqual(folders, Object.keys(EXPECTED).sort(), 'a new published config needs its hand-derived figures here');
  });

  for (const [name, exp] of Object.entries(EXPECTED)) {
    it(`${name}: llama.cpp ${exp.llama.toLocaleString('en')} B KV + ${exp.state.toLocaleString('en')} B state, vLLM ${exp.vllm.toLocaleString('en')} B/token (${exp.why})`, function () {
      const file = path.join(dir, name, 'config.json');
      if (!fs.existsSync(file)) this.skip();
      const { value } = parseModelJson(fs.readFileSync(file, 'utf8'), file);
      const d = descriptorFromHfConfig(value, name, { kind: 'hf-config', path: file });
      assert.ok(d.llamaPlan, 'a llama.cpp memory plan');
      const kv = llamaKvCache(d, { nCtx: 8192, nSeq: 1, typeK: 'f16', typeV: 'f16' });
      assert.equal(kv.totalBytes, exp.llama, 'llama.cpp K + V bytes');
      assert.equal(kv.stateBytes, exp.state, 'llama.cpp recurrent state for one sequence');
      assert.deepEqual(kv.errors, []);
      assert.ok(d.vllm, 'a vLLM spec');
      const pool = vllmKvPool(d.vllm!, { availableBytes: 40 * 2 ** 30, maxModelLen: 8192, modelDtypeBytes: 2 });
      assert.equal(pool.bytesPerToken, exp.vllm, 'vLLM KV bytes per token');
      assert.deepEqual(pool.errors, []);
    });
  }

  // Parameter counts from config.json alone (the Hub's safetensors headers give exact ones): the publishers' totals
  // (model names and cards: Qwen3-Next-80B, Qwen3.5-27B, Nemotron-H-56B, Llama 4 Scout 109B with its vision tower).
  const PUBLISHED: [string, number][] = [['qwen3-next-80b-a3b-thinking', 80e9], ['qwen3.5-27b', 27e9], ['nemotron-h-56b-base-8k', 56e9], ['llama-4-scout-17b-16e-instruct', 109e9], ['deepseek-r1', 671e9]];
  for (const [name, total] of PUBLISHED) {
    it(`${name}: parameters within 3 % of the published ${total / 1e9} B (hybrid and MoE layers counted by their own shapes)`, function () {
      const file = path.join(dir, name, 'config.json');
      if (!fs.existsSync(file)) this.skip();
      const d = descriptorFromHfConfig(parseModelJson(fs.readFileSync(file, 'utf8'), file).value, name);
      assert.ok(Math.abs(d.params / total - 1) < 0.03, `${(d.params / 1e9).toFixed(2)} B`);
      assert.deepEqual(d.missing.filter((m) => /parameters/.test(m)), []);
    });
  }

  it('two sequences double the recurrent state, not the SWA window (qwen3-next at -np 2)', function () {
    const file = path.join(dir, 'qwen3-next-80b-a3b-thinking', 'config.json');
    if (!fs.existsSync(file)) this.skip();
    const d = descriptorFromHfConfig(parseModelJson(fs.readFileSync(file, 'utf8'), file).value);
    const kv = llamaKvCache(d, { nCtx: 8192, nSeq: 2, typeK: 'f16', typeV: 'f16' });
    // Each of 2 streams gets PAD(8192 / 2, 256) = 4096 cells; state rows = max(1, n_seq) = 2.
    assert.equal(kv.totalBytes, 12 * 2 * 4096 * (2 * 256 * 2) * f16);
    assert.equal(kv.stateBytes, 2 * 36 * (3 * (4096 + 2 * 16 * 128) + 128 * 4096) * 4);
  });
});
