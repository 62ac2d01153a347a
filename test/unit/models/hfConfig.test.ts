// HF config.json → descriptor: one test per architecture trap, and parameter counts checked against the
// figures the publishers state (the configs here are the real ones, trimmed to the keys that matter).
import * as assert from 'node:assert/strict';
import { descriptorFromHfConfig, HfConfigError } from '../../../src/core/models/hfConfig';
import { findCatalogModel } from '../../../src/core/models/catalog';
import { ModelDescriptor } from '../../../src/core/models/descriptor';

const within = (actual: number, expected: number, tol: number, what: string): void => {
  const rel = Math.abs(actual / expected - 1);
  assert.ok(rel <= tol, `${what}: ${(actual / 1e9).toFixed(3)} B vs ${(expected / 1e9).toFixed(3)} B (${(rel * 100).toFixed(2)} % off)`);
};

function fromCatalog(id: string): ModelDescriptor {
  const e = findCatalogModel(id);
  assert.ok(e, id);
  return descriptorFromHfConfig(e.config, id);
}

const llama8b = {
  model_type: 'llama', hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8,
  intermediate_size: 14336, vocab_size: 128256, max_position_embeddings: 131072, tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
};

describe('models/descriptorFromHfConfig', () => {
  it('Llama-3.1-8B: 8.03 B parameters, 32 layers × 8 KV heads × 128, bf16 bytes', () => {
    const d = descriptorFromHfConfig(llama8b, 'llama');
    assert.deepEqual([d.layers, d.heads, d.kvHeadsPerLayer[0], d.headDimK, d.headDimV], [32, 32, 8, 128, 128]);
    assert.equal(d.params, 8_030_261_248, 'the exact count transformers reports');
    assert.equal(d.activeParams, d.params);
    assert.equal(d.weightsBytes, 2 * d.params);
    assert.equal(d.weightsType, 'bf16');
    assert.equal(d.architecture, 'llama');
    assert.equal(d.trainedContext, 131072);
    assert.deepEqual(d.missing, []);
    // 2 × layers × kv heads × head_dim × 2 bytes = 131,072 bytes per token (domain notes).
    assert.equal(2 * d.layers * d.kvHeadsPerLayer[0] * d.headDimK * 2, 131072);
  });

  const published: [string, number, number?, number?][] = [
    ['meta-llama/Llama-3.1-8B-Instruct', 8.03e9],
    ['meta-llama/Llama-3.1-70B-Instruct', 70.6e9],
    ['mistralai/Mixtral-8x7B-Instruct-v0.1', 46.7e9, 12.9e9],
    ['deepseek-ai/DeepSeek-V3', 671e9, 37e9],
    ['Qwen/Qwen3-30B-A3B', 30.5e9, 3.3e9],
    ['Qwen/Qwen3-235B-A22B', 235e9, 22e9],
    // OpenAI's active figures (3.61 B, 5.13 B) leave out the 0.58 B input embedding.
    ['openai/gpt-oss-20b', 20.9e9, 3.61e9, 201088 * 2880],
    ['openai/gpt-oss-120b', 116.8e9, 5.13e9, 201088 * 2880],
  ];
  for (const [id, total, active, embedding] of published) {
    it(`${id}: parameters within 2 % of the published figure${active ? ' (total and active)' : ''}`, () => {
      const d = fromCatalog(id);
      within(d.params, total, 0.02, 'total');
      if (active) within(d.activeParams - (embedding ?? 0), active, 0.02, 'active');
    });
  }

  it('respects an explicit head_dim that differs from hidden/heads (Mistral Small, Qwen3, Gemma)', () => {
    const small = fromCatalog('mistralai/Mistral-Small-24B-Instruct-2501');
    assert.equal(small.hiddenSize / small.heads, 160);
    assert.equal(small.headDimK, 128);
    const gemma = fromCatalog('google/gemma-2-9b-it');
    assert.equal(gemma.headDimK, 256);
    assert.equal(gemma.hiddenSize / gemma.heads, 224);
    const noHeadDim = descriptorFromHfConfig({ ...llama8b, hidden_size: 4096, num_attention_heads: 32 });
    assert.ok(noHeadDim.notes.some((n) => /head_dim taken as hidden_size \/ heads = 128/.test(n)));
  });

  it('no sliding window when the config disables it (use_sliding_window false, sliding_window null)', () => {
    const qwen = descriptorFromHfConfig({ ...llama8b, model_type: 'qwen2', sliding_window: 4096, use_sliding_window: false, max_window_layers: 28 });
    assert.ok(qwen.layerKinds.every((k) => k === 'full'));
    assert.equal(qwen.slidingWindow, undefined);
    assert.ok(qwen.notes.some((n) => /inactive/.test(n)));
    const qwenOn = descriptorFromHfConfig({ ...llama8b, model_type: 'qwen2', sliding_window: 4096, use_sliding_window: true, max_window_layers: 28 });
    assert.deepEqual(qwenOn.layerKinds.map((k, i) => (k === 'swa' ? i : -1)).filter((i) => i >= 0), [28, 29, 30, 31], 'layers from max_window_layers on');
    const mistralNull = descriptorFromHfConfig({ ...llama8b, model_type: 'mistral', sliding_window: null });
    assert.ok(mistralNull.layerKinds.every((k) => k === 'full'));
    assert.ok(!mistralNull.missing.includes('sliding_window'));
    const mistral01 = fromCatalog('mistralai/Mistral-7B-v0.1');
    assert.ok(mistral01.layerKinds.every((k) => k === 'swa'));
    assert.equal(mistral01.slidingWindow, 4096);
    // llama.cpp runs it as `llama`, which has no SWA: the engine-specific kinds say so.
    assert.ok(mistral01.llamaCppLayerKinds?.every((k) => k === 'full'));
    assert.equal(fromCatalog('microsoft/Phi-3-mini-4k-instruct').llamaCppLayerKinds?.[0], 'full');
    assert.equal(qwenOn.llamaCppLayerKinds?.[31], 'full');
    assert.equal(fromCatalog('google/gemma-2-9b-it').llamaCppLayerKinds, undefined, 'llama.cpp applies gemma2 SWA as HF does');
    assert.equal(fromCatalog('openai/gpt-oss-20b').llamaCppLayerKinds, undefined);
  });

  it('Gemma 2 alternates SWA from layer 0; Gemma 3 keeps every 6th layer global; gpt-oss follows layer_types', () => {
    const g2 = fromCatalog('google/gemma-2-27b-it');
    assert.deepEqual(g2.layerKinds.slice(0, 4), ['swa', 'full', 'swa', 'full']);
    assert.equal(g2.slidingWindow, 4096);
    const g3 = fromCatalog('google/gemma-3-27b-it');
    assert.equal(g3.layers, 62);
    assert.deepEqual(g3.layerKinds.map((k, i) => (k === 'full' ? i : -1)).filter((i) => i >= 0), [5, 11, 17, 23, 29, 35, 41, 47, 53, 59]);
    assert.equal(g3.slidingWindow, 1024);
    assert.equal(g3.tiedEmbeddings, true);
    assert.ok(g3.notes.some((n) => /vision tower is not counted/.test(n)));
    const g3types = descriptorFromHfConfig({ model_type: 'gemma3_text', hidden_size: 64, num_hidden_layers: 3, num_attention_heads: 2,
      num_key_value_heads: 1, head_dim: 32, intermediate_size: 128, vocab_size: 100, sliding_window: 512,
      layer_types: ['full_attention', 'sliding_attention', 'full_attention'] });
    assert.deepEqual(g3types.layerKinds, ['full', 'swa', 'full']);
    const oss = fromCatalog('openai/gpt-oss-20b');
    assert.deepEqual(oss.layerKinds.slice(0, 4), ['swa', 'full', 'swa', 'full']);
    assert.equal(oss.slidingWindow, 128);
    assert.equal(oss.headDimK, 64);
  });

  it('MLA: kv_lora_rank + qk_rope_head_dim, not num_key_value_heads', () => {
    const v3 = fromCatalog('deepseek-ai/DeepSeek-V3');
    assert.deepEqual(v3.mla, { kvLoraRank: 512, qkRopeHeadDim: 64, qLoraRank: 1536, qkNopeHeadDim: 128, vHeadDim: 128 });
    assert.deepEqual([v3.kvHeadsPerLayer[0], v3.headDimK, v3.headDimV], [1, 576, 512]);
    assert.equal(v3.architecture, 'deepseek2');
    assert.equal(v3.moe?.firstDenseLayers, 3);
    const lite = fromCatalog('deepseek-ai/DeepSeek-V2-Lite-Chat');
    assert.equal(lite.mla?.qLoraRank, undefined, 'q_lora_rank null: no query compression');
    within(lite.params, 15.7e9, 0.02, 'V2-Lite total');
    within(lite.activeParams - 102400 * 2048, 2.4e9, 0.03, 'V2-Lite active (published without the input embedding)');
  });

  it('MoE active parameters: first_k_dense_replace layers stay dense, shared experts stay active', () => {
    const cfg = { model_type: 'deepseek_v3', hidden_size: 64, num_hidden_layers: 3, num_attention_heads: 2, vocab_size: 10,
      intermediate_size: 256, moe_intermediate_size: 32, n_routed_experts: 8, n_shared_experts: 1, num_experts_per_tok: 2,
      first_k_dense_replace: 1, kv_lora_rank: 16, q_lora_rank: null, qk_nope_head_dim: 16, qk_rope_head_dim: 8, v_head_dim: 16,
      max_position_embeddings: 4096, tie_word_embeddings: false };
    const d = descriptorFromHfConfig(cfg);
    const expert = 3 * 64 * 32;
    // Two MoE layers: 8 routed experts each, of which 6 are idle per token.
    assert.equal(d.params - d.activeParams, 2 * 6 * expert);
    const dense = descriptorFromHfConfig({ ...cfg, first_k_dense_replace: 3 });
    assert.equal(dense.params, dense.activeParams, 'no MoE layer left');
  });

  it('tied embeddings are counted once', () => {
    const untied = descriptorFromHfConfig(llama8b);
    const tied = descriptorFromHfConfig({ ...llama8b, tie_word_embeddings: true });
    assert.equal(untied.params - tied.params, 128256 * 4096);
    assert.equal(tied.tiedEmbeddings, true);
    const l1b = fromCatalog('meta-llama/Llama-3.2-1B-Instruct');
    within(l1b.params, 1.236e9, 0.01, 'Llama-3.2-1B (tied)');
  });

  it('weights bytes from dtype and quantization configs', () => {
    const f32 = descriptorFromHfConfig({ ...llama8b, torch_dtype: 'float32' });
    assert.equal(f32.weightsBytes, 4 * f32.params);
    const dtypeKey = descriptorFromHfConfig({ ...llama8b, torch_dtype: undefined, dtype: 'float16' });
    assert.equal(dtypeKey.weightsType, 'f16');
    assert.equal(dtypeKey.weightsBytes, 2 * dtypeKey.params);
    const awq = descriptorFromHfConfig({ ...llama8b, quantization_config: { quant_method: 'awq', bits: 4, group_size: 128 } });
    assert.equal(awq.weightsType, 'awq-4bit');
    const embedBytes = 2 * 2 * 128256 * 4096;
    assert.ok(awq.weightsBytes > embedBytes + (awq.params - 2 * 128256 * 4096) * 0.5 && awq.weightsBytes < 6e9, `${awq.weightsBytes}`);
    const gptq8 = descriptorFromHfConfig({ ...llama8b, quantization_config: { quant_method: 'gptq', bits: 8, group_size: 128 } });
    assert.ok(gptq8.weightsBytes > awq.weightsBytes);
    const fp8 = descriptorFromHfConfig({ ...llama8b, quantization_config: { quant_method: 'fp8', weight_block_size: [128, 128] } });
    assert.equal(fp8.weightsType, 'fp8');
    within(fp8.weightsBytes, (fp8.params - 2 * 128256 * 4096) * (1 + 4 / 16384) + embedBytes, 0.001, 'fp8 bytes');
    const bnb = descriptorFromHfConfig({ ...llama8b, quantization_config: { quant_method: 'bitsandbytes', load_in_4bit: true } });
    assert.equal(bnb.weightsType, 'bnb-4bit');
    const oss = fromCatalog('openai/gpt-oss-20b');
    assert.equal(oss.weightsType, 'mxfp4');
    within(oss.weightsBytes, 13.8e9, 0.06, 'gpt-oss-20b checkpoint (~13.8 GB of safetensors)');
    const unknown = descriptorFromHfConfig({ ...llama8b, quantization_config: { quant_method: 'hqq' } });
    assert.ok(unknown.missing.some((m) => /quantization hqq/.test(m)));
  });

  it('accepts architectures[] when model_type is missing, and text_config nesting', () => {
    const { model_type: _mt, ...rest } = llama8b;
    void _mt;
    const d = descriptorFromHfConfig({ ...rest, architectures: ['Qwen3ForCausalLM'], head_dim: 128 });
    assert.equal(d.architecture, 'qwen3');
    assert.ok(d.notes.some((n) => /taken from architectures/.test(n)));
    const g3 = fromCatalog('google/gemma-3-4b-it');
    assert.deepEqual([g3.layers, g3.headDimK, g3.kvHeadsPerLayer[0]], [34, 256, 4]);
  });

  it('every required model_type yields a complete descriptor', () => {
    const base = { hidden_size: 256, num_hidden_layers: 4, num_attention_heads: 4, num_key_value_heads: 2, intermediate_size: 512,
      vocab_size: 1000, max_position_embeddings: 4096 };
    const types: Record<string, object> = {
      llama: {}, mistral: { sliding_window: null }, mixtral: { num_local_experts: 8, num_experts_per_tok: 2 },
      qwen2: {}, qwen2_moe: { num_experts: 8, num_experts_per_tok: 2, moe_intermediate_size: 64, shared_expert_intermediate_size: 128 },
      qwen3: { head_dim: 128 }, qwen3_moe: { head_dim: 128, num_experts: 8, num_experts_per_tok: 2, moe_intermediate_size: 64 },
      gemma: { head_dim: 64 }, gemma2: { head_dim: 64, sliding_window: 4096 }, gemma3_text: { head_dim: 64, sliding_window: 512 },
      phi3: {}, deepseek_v2: { kv_lora_rank: 64, qk_rope_head_dim: 16, qk_nope_head_dim: 32, v_head_dim: 32, n_routed_experts: 8,
        num_experts_per_tok: 2, moe_intermediate_size: 64, n_shared_experts: 2, first_k_dense_replace: 1 },
      deepseek_v3: { kv_lora_rank: 64, q_lora_rank: 96, qk_rope_head_dim: 16, qk_nope_head_dim: 32, v_head_dim: 32, n_routed_experts: 8,
        num_experts_per_tok: 2, moe_intermediate_size: 64, n_shared_experts: 1, first_k_dense_replace: 1 },
      gpt_oss: { head_dim: 64, num_local_experts: 8, num_experts_per_tok: 2, sliding_window: 128,
        layer_types: ['sliding_attention', 'full_attention', 'sliding_attention', 'full_attention'] },
    };
    for (const [model_type, extra] of Object.entries(types)) {
      const d = descriptorFromHfConfig({ model_type, ...base, ...extra });
      assert.deepEqual(d.missing, [], `${model_type}: ${d.missing.join(', ')}`);
      assert.ok(d.params > 0 && d.activeParams > 0 && d.activeParams <= d.params, model_type);
      for (const v of [d.params, d.activeParams, d.weightsBytes, d.headDimK, d.headDimV]) assert.ok(Number.isFinite(v), model_type);
      assert.equal(d.moe !== undefined, /moe|mixtral|deepseek|gpt_oss/.test(model_type), `${model_type} MoE`);
    }
  });

  it('unknown model types estimate what they can and list what is missing', () => {
    const d = descriptorFromHfConfig({ model_type: 'mystery', hidden_size: 512 });
    assert.ok(d.missing.includes('num_hidden_layers'));
    assert.ok(d.missing.includes('num_attention_heads'));
    assert.ok(d.notes.some((n) => /parameters counted as a llama-like decoder/.test(n)));
    for (const v of [d.params, d.activeParams, d.weightsBytes, d.headDimK]) assert.ok(Number.isFinite(v));
    assert.throws(() => descriptorFromHfConfig([1, 2]), HfConfigError);
    assert.throws(() => descriptorFromHfConfig({ ...llama8b, num_hidden_layers: 2 ** 32 - 1 }), /num_hidden_layers = 4294967295 is not a layer count \(allowed 1–4096\)/);
    assert.throws(() => descriptorFromHfConfig({ ...llama8b, num_hidden_layers: 2.5 }), /num_hidden_layers = 2.5 is not an integer/);
    assert.throws(() => descriptorFromHfConfig('text'), /must be a JSON object/);
  });
});
