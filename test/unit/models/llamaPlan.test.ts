// llama.cpp's memory plan from GGUF-style metadata, rule by rule, against the bundled source (de3ff815): shared-KV
// layers (Gemma 3n/4 has_kv + reuse), attention and state in every layer (Falcon-H1), MLA with and without the
// V tensor older builds allocated, windows llama.cpp reads and ignores (phi3), and impossible facts.
import * as assert from 'node:assert/strict';
import { llamaMemoryPlan } from '../../../src/core/models/arch/llamaPlan';
import { LLAMA_ARCH_TABLE } from '../../../src/core/models/arch/llamaArchTable';
import { hfToGgufMetadata } from '../../../src/core/models/arch/hfToGguf';
import { llamaKvCache } from '../../../src/core/estimator/kvCache';
import { descriptorFromHfConfig } from '../../../src/core/models/hfConfig';
import { ModelFactError } from '../../../src/core/models/validate';
import type { ModelDescriptor } from '../../../src/core/models/descriptor';

const base = (arch: string, layers: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  'general.architecture': arch, [`${arch}.block_count`]: layers, [`${arch}.embedding_length`]: 512,
  [`${arch}.attention.head_count`]: 8, [`${arch}.attention.head_count_kv`]: 2, [`${arch}.context_length`]: 8192, ...extra,
});

function descOf(md: Record<string, unknown>): ModelDescriptor {
  const plan = llamaMemoryPlan(md, 'test');
  return {
    name: 't', source: { kind: 'gguf' }, architecture: plan.arch, layers: plan.trunkLayers, hiddenSize: 512, heads: 8,
    kvHeadsPerLayer: plan.layers.map((l) => l.kvHeads), headDimK: 64, headDimV: 64, layerKinds: plan.layers.map(() => 'full'),
    params: 1, activeParams: 1, weightsBytes: 1, weightsType: 'f16', missing: [], notes: [], llamaPlan: plan,
  };
}

describe('models/llamaMemoryPlan', () => {
  it('the table records the llama.cpp commit it was generated from and covers the issue\'s architectures', () => {
    assert.match(LLAMA_ARCH_TABLE.source.commit, /^[0-9a-f]{40}$/);
    for (const a of ['gemma2', 'gemma3', 'gemma3n', 'gemma4', 'gpt-oss', 'cohere2', 'exaone4', 'phi3', 'llama4', 'qwen3next', 'qwen35', 'qwen35moe', 'nemotron_h', 'nemotron_h_moe', 'falcon-h1', 'granitehybrid', 'jamba', 'lfm2', 'mamba', 'mamba2', 'deepseek2']) {
      assert.ok(LLAMA_ARCH_TABLE.archs[a], a);
    }
    assert.equal(LLAMA_ARCH_TABLE.hfArchitectures.Qwen3NextForCausalLM?.arch, 'qwen3next');
    assert.equal(LLAMA_ARCH_TABLE.hfArchitectures.DeepseekV3ForCausalLM?.arch, 'deepseek2');
  });

  it('Gemma 3n: layers from 20 on own no KV and read layer 18 (SWA) or 19 (full)', () => {
    const plan = llamaMemoryPlan(base('gemma3n', 30, { 'gemma3n.attention.sliding_window': 512 }), 'test');
    assert.equal(plan.layers.filter((l) => l.kv).length, 20);
    // load_swa_pattern(ml, 5): il % 5 < 4 is SWA → layer 19 full, layer 18 SWA.
    assert.equal(plan.layers[20]!.reuses, plan.layers[20]!.swa ? 18 : 19);
    assert.equal(plan.layers[24]!.reuses, 19, 'layer 24 is full (24 % 5 == 4)');
    const kv = llamaKvCache(descOf(base('gemma3n', 30, { 'gemma3n.attention.sliding_window': 512 })), { nCtx: 4096 });
    assert.equal(kv.layers.length, 20);
    assert.equal(kv.sharedLayers, 10);
    // 16 SWA layers × PAD(512 + 512, 256) = 1024 cells + 4 full × 4096 cells, 2 heads × 64 × K+V × 2 B.
    assert.equal(kv.totalBytes, (16 * 1024 + 4 * 4096) * 2 * 64 * 2 * 2);
  });

  it('Gemma 4 shared_kv_layers: the last N layers own no KV (n_layer_kv_from_start = n_layer − N)', () => {
    const md = base('gemma4', 6, {
      'gemma4.attention.sliding_window': 1024, 'gemma4.attention.sliding_window_pattern': [true, true, false, true, true, false],
      'gemma4.attention.shared_kv_layers': 2, 'gemma4.attention.key_length': 512, 'gemma4.attention.value_length': 512,
      'gemma4.attention.key_length_swa': 256, 'gemma4.attention.value_length_swa': 256,
    });
    const plan = llamaMemoryPlan(md, 'test');
    assert.deepEqual(plan.layers.map((l) => l.kv), [true, true, true, true, false, false]);
    assert.deepEqual(plan.layers.map((l) => l.headK), [256, 256, 512, 256, 256, 512]);
    assert.equal(plan.layers[4]!.reuses, 2, 'an SWA layer reuses n_layer_kv_from_start − 2');
    assert.equal(plan.layers[5]!.reuses, 3);
  });

  it('Falcon-H1: every layer has both a KV cache and a recurrent state', () => {
    const plan = llamaMemoryPlan(base('falcon-h1', 4, { 'falcon-h1.ssm.conv_kernel': 4, 'falcon-h1.ssm.inner_size': 1024, 'falcon-h1.ssm.state_size': 128, 'falcon-h1.ssm.group_count': 1 }), 'test');
    assert.ok(plan.layers.every((l) => l.kv && l.recurrent));
    assert.equal(plan.rElements, 3 * (1024 + 2 * 128));
    assert.equal(plan.sElements, 128 * 1024);
  });

  it('MLA: the bundled llama.cpp caches K only; -with-V reproduces older builds (576 + 512 per layer per cell)', () => {
    const md = base('deepseek2', 2, {
      'deepseek2.attention.head_count_kv': 1, 'deepseek2.attention.key_length': 576, 'deepseek2.attention.value_length': 512,
      'deepseek2.attention.key_length_mla': 192, 'deepseek2.attention.value_length_mla': 128, 'deepseek2.attention.kv_lora_rank': 512,
      'deepseek2.rope.dimension_count': 64,
    });
    const d = descOf(md);
    assert.equal(llamaKvCache(d, { nCtx: 1024 }).totalBytes, 2 * 1024 * 576 * 2);
    assert.equal(llamaKvCache(d, { nCtx: 1024, mlaWithV: true }).totalBytes, 2 * 1024 * (576 + 512) * 2);
  });

  it('phi3 reads attention.sliding_window and disables it; llama ignores it', () => {
    for (const arch of ['phi3', 'llama']) {
      const plan = llamaMemoryPlan(base(arch, 4, { [`${arch}.attention.sliding_window`]: 2047 }), 'test');
      assert.ok(plan.layers.every((l) => !l.swa), arch);
      assert.equal(plan.memory, 'kv');
      assert.ok(plan.rules.some((r) => /2047/.test(r)), arch);
    }
  });

  it('impossible metadata is a ModelFactError naming the key: block_count −1 or 1e12, arrays of the wrong length', () => {
    assert.throws(() => llamaMemoryPlan(base('llama', -1), 'm.gguf'), (e: Error) => e instanceof ModelFactError && /m\.gguf: llama\.block_count = -1 is not a layer count llama\.cpp accepts \(allowed 1–512\)/.test(e.message));
    assert.throws(() => llamaMemoryPlan(base('llama', 1e12), 'm.gguf'), /block_count = 1000000000000 is not a layer count/);
    assert.throws(() => llamaMemoryPlan(base('llama', 4, { 'llama.attention.head_count_kv': [1, 2] }), 'm.gguf'), /head_count_kv has 2 entries; the model has 4 layers/);
    assert.throws(() => llamaMemoryPlan(base('llama', 2, { 'llama.attention.key_length': -128 }), 'm.gguf'), /key_length = -128 is not a head dimension/);
  });
});

describe('models: impossible config.json facts are clear errors before any arithmetic', () => {
  const kimi = {
    architectures: ['DeepseekV3ForCausalLM'], model_type: 'kimi_k2', hidden_size: 7168, num_hidden_layers: 61, num_attention_heads: 64,
    num_key_value_heads: 64, kv_lora_rank: 512, qk_rope_head_dim: 64, qk_nope_head_dim: 128, v_head_dim: 128, vocab_size: 163840,
    intermediate_size: 18432, moe_intermediate_size: 2048, n_routed_experts: 384, num_experts_per_tok: 8, max_position_embeddings: 131072,
  };
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['kv_lora_rank −512 (issue 9 row 15)', { kv_lora_rank: -512 }, /kv_lora_rank = -512 is not an MLA latent rank \(allowed 1–65536\)/],
    ['zero attention heads', { num_attention_heads: 0 }, /num_attention_heads = 0 is not an attention head count/],
    ['negative KV heads', { num_key_value_heads: -8 }, /num_key_value_heads = -8 is not a KV head count/],
    ['1e12 layers', { num_hidden_layers: 1e12 }, /num_hidden_layers = 1000000000000 is not a layer count \(allowed 1–4096\)/],
    ['a string where a number belongs', { hidden_size: '7168' }, /hidden_size = "7168" is not an integer/],
    ['heads not a multiple of KV heads', { num_key_value_heads: 48 }, /not a multiple of num_key_value_heads 48/],
  ];
  for (const [what, patch, re] of cases) {
    it(what, () => {
      const t0 = process.hrtime.bigint();
      assert.throws(() => descriptorFromHfConfig({ ...kimi, ...patch }, 'kimi'), (e: Error) => e instanceof ModelFactError && re.test(e.message));
      if (!/multiple/.test(what)) assert.throws(() => hfToGgufMetadata({ ...kimi, ...patch }), ModelFactError, 'the converter mirror refuses it too');
      assert.ok(Number(process.hrtime.bigint() - t0) < 1e9, 'fails fast');
    });
  }
});
