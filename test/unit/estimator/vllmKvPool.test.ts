// vLLM's KV pool from per-layer specs, against figures derived by hand from vLLM's own rules
// (vllm/v1/kv_cache_interface.py page_size_bytes / max_memory_usage_bytes, vllm/v1/core/kv_cache_utils.py
// get_kv_cache_groups, get_num_blocks, _report_kv_cache_config; HybridAttentionMambaModelConfig for Mamba pages).
import * as assert from 'node:assert/strict';
import type { VllmModelSpec } from '../../../src/core/models/arch/vllmSpec';
import { vllmSpecFromHf } from '../../../src/core/models/arch/vllmSpec';
import { vllmKvPool } from '../../../src/core/estimator/vllmKvPool';
import { explainVllmKv } from '../../../src/core/estimator/explain';
import { descriptorFromHfConfig } from '../../../src/core/models/hfConfig';

const GiB = 2 ** 30;
const full = (n: number, kvHeads: number, head: number): VllmModelSpec['layers'] =>
  Array.from({ length: n }, (_, i) => ({ index: i, spec: { kind: 'full' as const, kvHeads, headSize: head, headSizeV: head } }));

describe('estimator/vllmKvPool', () => {
  it('one uniform spec: num_blocks = available // page // layers; tokens and concurrency as vLLM logs them', () => {
    const pool = vllmKvPool({ layers: full(36, 8, 128), notes: [] }, { availableBytes: 40 * GiB, maxModelLen: 8192 });
    const page = 16 * 8 * (128 + 128) * 2; // block_size × heads × (K + V head size) × bf16
    assert.equal(page, 65536);
    assert.equal(pool.groups.length, 1);
    assert.equal(pool.numBlocks, Math.floor(40 * GiB / page / 36));
    assert.equal(pool.tokens, 18204 * 16, '"GPU KV cache size: 291,264 tokens"');
    assert.equal(pool.maxConcurrency, 18204 / (8192 / 16), '"Maximum concurrency for 8,192 tokens per request: 35.55x"');
    assert.equal(pool.bytesPerToken, 36 * 2 * 8 * 128 * 2);
  });

  it('sliding + full (gpt-oss-20b): two groups of 12, window blocks = cdiv(min(w − 1 + batched, len), bs) + 1', () => {
    const cfg = { architectures: ['GptOssForCausalLM'], model_type: 'gpt_oss', num_hidden_layers: 24, hidden_size: 2880, num_attention_heads: 64, num_key_value_heads: 8, head_dim: 64, sliding_window: 128, layer_types: Array.from({ length: 24 }, (_, i) => (i % 2 ? 'full_attention' : 'sliding_attention')) };
    const spec = vllmSpecFromHf(cfg);
    assert.deepEqual([...new Set(spec.layers.map((l) => l.spec.kind))].sort(), ['full', 'sliding']);
    const pool = vllmKvPool(spec, { availableBytes: 10 * GiB, maxModelLen: 8192, maxNumBatchedTokens: 8192 });
    const page = 16 * 8 * 128 * 2;
    assert.equal(pool.groups.length, 2);
    assert.equal(pool.numBlocks, Math.floor(10 * GiB / page / 12));
    assert.equal(pool.tokens, Math.floor(pool.numBlocks / 2) * 16);
    const fullBlocks = 8192 / 16;
    const swaBlocks = Math.ceil(Math.min(128 - 1 + 8192, 8192) / 16) + 1;
    assert.equal(pool.maxConcurrency, pool.numBlocks / (fullBlocks + swaBlocks));
  });

  it('Qwen3-Next: attention block raised to 544 tokens, Mamba pages padded, 1 attention + 3 linear-attention groups', () => {
    const cfg = {
      architectures: ['Qwen3NextForCausalLM'], model_type: 'qwen3_next', num_hidden_layers: 48, hidden_size: 2048, num_attention_heads: 16,
      num_key_value_heads: 2, head_dim: 256, full_attention_interval: 4, linear_conv_kernel_dim: 4, linear_key_head_dim: 128,
      linear_num_key_heads: 16, linear_num_value_heads: 32, linear_value_head_dim: 128,
    };
    const pool = vllmKvPool(vllmSpecFromHf(cfg), { availableBytes: 20 * GiB, maxModelLen: 8192 });
    const attn1 = 2 * 2 * 256 * 2; // one token of one attention layer
    const conv = (4 - 1) * (128 * 16 * 2 + 128 * 32) * 2; // gated_delta_net_state_shape conv, bf16
    const ssm = 32 * 128 * 128 * 2; // temporal state (num_v_heads, head_v_dim, head_k_dim), bf16
    const mambaPage = conv + ssm;
    const block = 16 * Math.ceil(mambaPage / (16 * attn1));
    assert.equal(block, 544);
    assert.equal(pool.attentionBlockSize, 544);
    const page = block * attn1;
    assert.equal(pool.groups.length, 4);
    assert.ok(pool.groups.every((g) => g.pageBytes === page && g.layers.length === 12));
    assert.equal(pool.numBlocks, Math.floor(20 * GiB / page / 12));
    assert.equal(pool.tokens, Math.floor(pool.numBlocks / 4) * 544);
    // Per request: cdiv(8192, 544) attention blocks + one block per Mamba group.
    assert.equal(pool.maxConcurrency, pool.numBlocks / (Math.ceil(8192 / 544) + 3));
    assert.equal(pool.stateBytesPerSequence, 36 * mambaPage);
    assert.equal(pool.bytesPerToken, 12 * attn1);
    // The hover explains it per layer kind, with the same total.
    const d = descriptorFromHfConfig(cfg);
    const text = explainVllmKv(d, 'auto', 'bfloat16', 1);
    assert.match(text, /36 layers: gated delta net state/);
    assert.match(text, new RegExp(`= \\*\\*${(12 * attn1).toLocaleString('en-US')} B/token\\*\\*`));
  });

  it('MLA latent: one head of kv_lora_rank + rope, replicated on every rank; fp8_ds_mla is 656 bytes per token', () => {
    const mla: VllmModelSpec = { layers: Array.from({ length: 61 }, (_, i) => ({ index: i, spec: { kind: 'mla' as const, headSize: 576 } })), notes: [] };
    const tp8 = vllmKvPool(mla, { availableBytes: 8 * GiB, maxModelLen: 4096, tensorParallel: 8 });
    assert.equal(tp8.bytesPerToken, 61 * 576 * 2);
    const fp8 = vllmKvPool(mla, { availableBytes: 8 * GiB, maxModelLen: 4096, kvCacheDtype: 'fp8' });
    assert.equal(fp8.bytesPerToken, 61 * 576);
    const ds = vllmKvPool({ ...mla, fp8DsMla: true }, { availableBytes: 8 * GiB, maxModelLen: 4096, kvCacheDtype: 'fp8' });
    assert.equal(ds.bytesPerToken, 61 * 656);
  });

  it('tensor parallel splits KV heads, never below one head per GPU', () => {
    assert.equal(vllmKvPool({ layers: full(2, 8, 128), notes: [] }, { availableBytes: GiB, maxModelLen: 1024, tensorParallel: 4 }).bytesPerToken, 2 * 2 * 256 * 2);
    const rep = vllmKvPool({ layers: full(2, 8, 128), notes: [] }, { availableBytes: GiB, maxModelLen: 1024, tensorParallel: 16 });
    assert.equal(rep.bytesPerToken, 2 * 1 * 256 * 2);
    assert.ok(rep.notes.some((n) => /replicated head/.test(n)));
  });

  it('pages that cannot be unified are vLLM\'s start-up error, not a number', () => {
    const spec: VllmModelSpec = { layers: [
      { index: 0, spec: { kind: 'full', kvHeads: 3, headSize: 128, headSizeV: 128 } },
      { index: 1, spec: { kind: 'sliding', kvHeads: 2, headSize: 128, headSizeV: 128, window: 512 } },
    ], notes: [] };
    const pool = vllmKvPool(spec, { availableBytes: GiB, maxModelLen: 4096 });
    assert.equal(pool.tokens, 0);
    assert.match(pool.errors.join(' '), /cannot unify the KV page sizes/);
  });
});
