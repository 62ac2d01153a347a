// llama.cpp's KV allocation, byte for byte, for the shapes that break naive formulas. Expected values are worked
// out by hand from the rules in llama-context.cpp / llama-kv-cache.cpp / llama-kv-cache-iswa.cpp.
import * as assert from 'node:assert/strict';
import { cacheTypeErrors, llamaKvCache, naiveKvBytesPerToken } from '../../../src/core/estimator/kvCache';
import { GGML_TYPES } from '../../../src/core/estimator/cacheTypes';
import type { LayerKind } from '../../../src/core/models/descriptor';
import { DEEPSEEK_V3, GEMMA2_9B, LLAMA_8B, YI_34B, descriptor } from './fixtures';

const GIB = 2 ** 30;

describe('llamaKvCache: llama.cpp allocation', () => {
  it('Llama-3.1-8B in f16 is 131,072 bytes per token', () => {
    const kv = llamaKvCache(LLAMA_8B, { nCtx: 8192, typeK: 'f16', typeV: 'f16' });
    assert.equal(kv.bytesPerToken, 131072);
    assert.equal(kv.cells, 8192);
    assert.equal(kv.totalBytes, 131072 * 8192);
    assert.equal(kv.kBytes, kv.vBytes);
    assert.equal(kv.layers.length, 32);
  });

  it('pads the context to a multiple of 256', () => {
    const kv = llamaKvCache(LLAMA_8B, { nCtx: 1000 });
    assert.equal(kv.cells, 1024);
    assert.equal(kv.totalBytes, 1024 * 131072);
    assert.equal(llamaKvCache(LLAMA_8B, { nCtx: 257 }).cells, 512);
    assert.equal(llamaKvCache(LLAMA_8B, { nCtx: 256 }).cells, 256);
  });

  it('splits -c over -np streams without a unified cache, rounding each stream up to 256', () => {
    const kv = llamaKvCache(LLAMA_8B, { nCtx: 8192, nSeq: 3 });
    // PAD(8192/3 = 2730, 256) = 2816 cells per stream × 3 streams = 8448 cells in all.
    assert.equal(kv.nCtxSeq, 2816);
    assert.equal(kv.streams, 3);
    assert.equal(kv.nCtx, 8448);
    assert.equal(kv.totalBytes, 2816 * 3 * 131072);
  });

  it('keeps one stream of n_ctx cells with a unified cache', () => {
    const kv = llamaKvCache(LLAMA_8B, { nCtx: 8192, nSeq: 3, unified: true });
    assert.equal(kv.streams, 1);
    assert.equal(kv.cells, 8192);
    assert.equal(kv.totalBytes, 8192 * 131072);
  });

  it('uses ggml block sizes for every cache type', () => {
    // 32 layers × 8 heads × 128 = 32768 elements per token per K (and per V), row = 1024 elements per layer.
    for (const [type, info] of Object.entries(GGML_TYPES)) {
      const kv = llamaKvCache(LLAMA_8B, { nCtx: 4096, typeK: type, typeV: type, flashAttention: 'on' });
      const perLayerRow = (1024 / info.blockSize) * info.typeSize;
      assert.equal(kv.bytesPerToken, 2 * 32 * perLayerRow, type);
      assert.equal(kv.totalBytes, 2 * 32 * perLayerRow * 4096, type);
      assert.deepEqual(kv.errors, [], type);
    }
    assert.equal(llamaKvCache(LLAMA_8B, { nCtx: 256, typeK: 'q8_0', typeV: 'q8_0' }).bytesPerToken, 69632);
    assert.equal(llamaKvCache(LLAMA_8B, { nCtx: 256, typeK: 'q4_0', typeV: 'q4_0' }).bytesPerToken, 36864);
  });

  it('sizes K and V separately for mixed cache types', () => {
    const kv = llamaKvCache(LLAMA_8B, { nCtx: 1024, typeK: 'q8_0', typeV: 'f16' });
    assert.equal(kv.kBytes, 32 * 1088 * 1024);
    assert.equal(kv.vBytes, 32 * 2048 * 1024);
  });

  it('sizes SWA layers PAD(min(cells, n_swa + n_ubatch), 256), × n_seq when unified, full with --swa-full', () => {
    const kv = llamaKvCache(GEMMA2_9B, { nCtx: 32768, nUbatch: 512 });
    assert.equal(kv.swaCells, 4608); // PAD(4096 + 512, 256)
    const swa = kv.layers.filter((l) => l.kind === 'swa');
    const full = kv.layers.filter((l) => l.kind === 'full');
    assert.equal(swa.length, 21);
    assert.equal(full.length, 21);
    const row = 8 * 256 * 2; // 8 KV heads × head_dim 256 × f16
    assert.equal(kv.totalBytes, 2 * row * (21 * 32768 + 21 * 4608));
    // n_ubatch 300 → 4396 → PAD → 4608; n_ubatch 513 → 4609 → 4864
    assert.equal(llamaKvCache(GEMMA2_9B, { nCtx: 32768, nUbatch: 513 }).swaCells, 4864);
    // unified with 2 sequences: n_swa × 2 + n_ubatch = 8704
    assert.equal(llamaKvCache(GEMMA2_9B, { nCtx: 32768, nSeq: 2, unified: true }).swaCells, 8704);
    // not unified: per stream n_swa + n_ubatch, capped by the stream's cells
    assert.equal(llamaKvCache(GEMMA2_9B, { nCtx: 32768, nSeq: 2 }).swaCells, 4608);
    assert.equal(llamaKvCache(GEMMA2_9B, { nCtx: 2048 }).swaCells, 2048);
    assert.equal(llamaKvCache(GEMMA2_9B, { nCtx: 32768, swaFull: true }).swaCells, 32768);
    // n_ubatch is capped by n_batch, which is capped by the requested context
    assert.equal(llamaKvCache(GEMMA2_9B, { nCtx: 32768, nUbatch: 4096, nBatch: 1024 }).swaCells, 5120);
  });

  it('treats a disabled sliding window (all layers full) as full attention', () => {
    const m = descriptor({ layers: 4, layerKinds: ['full', 'full', 'full', 'full'], slidingWindow: 4096 });
    assert.equal(llamaKvCache(m, { nCtx: 32768 }).swaCells, undefined);
    assert.equal(llamaKvCache(m, { nCtx: 32768 }).totalBytes, 4 * 2 * 8 * 128 * 2 * 32768);
  });

  it('stores one MLA latent of kv_lora_rank + qk_rope_head_dim = 576 and no V', () => {
    const kv = llamaKvCache(DEEPSEEK_V3, { nCtx: 4096, typeK: 'f16', typeV: 'f16' });
    assert.equal(kv.bytesPerToken, 61 * 576 * 2);
    assert.equal(kv.vBytes, 0);
    assert.equal(kv.kBytes, 61 * 576 * 2 * 4096);
    assert.ok(kv.layers.every((l) => l.kElements === 576 && l.vElements === 0));
    // Same with flash attention off (V is never allocated for MLA in this llama.cpp).
    assert.equal(llamaKvCache(DEEPSEEK_V3, { nCtx: 4096, flashAttention: 'off' }).totalBytes, kv.totalBytes);
    // q8_0: 576 / 32 × 34 = 612 bytes per layer
    assert.equal(llamaKvCache(DEEPSEEK_V3, { nCtx: 256, typeK: 'q8_0', typeV: 'q8_0' }).bytesPerToken, 61 * 612);
  });

  it('refuses different K and V types for MLA, as llama.cpp does', () => {
    assert.match(llamaKvCache(DEEPSEEK_V3, { nCtx: 256, typeK: 'q8_0', typeV: 'f16' }).errors.join(), /different K \(q8_0\) and V \(f16\)/);
  });

  it('uses per-layer KV heads, widening V rows to the largest layer when V is transposed (no flash attention)', () => {
    const heads = [8, 4, 2, 8];
    const m = descriptor({ layers: 4, kvHeadsPerLayer: heads });
    const fa = llamaKvCache(m, { nCtx: 256, flashAttention: 'on' });
    assert.deepEqual(fa.layers.map((l) => l.kvHeads), heads);
    assert.equal(fa.kBytes, (8 + 4 + 2 + 8) * 128 * 2 * 256);
    assert.equal(fa.vBytes, fa.kBytes);
    const noFa = llamaKvCache(m, { nCtx: 256, flashAttention: 'off' });
    assert.equal(noFa.kBytes, fa.kBytes);
    assert.equal(noFa.vBytes, 4 * 8 * 128 * 2 * 256);
  });

  it('excludes recurrent layers (fixed-size state) and says so', () => {
    const kinds: LayerKind[] = ['recurrent', 'recurrent', 'recurrent', 'full'];
    const m = descriptor({ layers: 4, layerKinds: kinds, kvHeadsPerLayer: [0, 0, 0, 8] });
    const kv = llamaKvCache(m, { nCtx: 1024 });
    assert.equal(kv.layers.length, 1);
    assert.equal(kv.recurrentLayers, 3);
    assert.equal(kv.totalBytes, 2 * 8 * 128 * 2 * 1024);
    assert.ok(kv.notes.some((n) => /recurrent/.test(n)));
  });

  it('-c 0 means the trained context', () => {
    const kv = llamaKvCache(descriptor({ layers: 2, trainedContext: 4000 }), { nCtx: 0 });
    assert.equal(kv.cells, 4096);
  });

  it('reports what llama.cpp refuses: quantized V without flash attention, head_dim not divisible with FA', () => {
    assert.deepEqual(cacheTypeErrors(LLAMA_8B, 'q8_0', 'q8_0', 'auto'), []);
    assert.deepEqual(cacheTypeErrors(LLAMA_8B, 'q8_0', 'f16', 'off'), []);
    assert.deepEqual(cacheTypeErrors(LLAMA_8B, 'f16', 'q4_0', 'off'), ['quantized V cache requires flash_attn to be enabled']);
    const odd = descriptor({ layers: 2, headDimK: 80, heads: 32, kvHeads: 32 });
    assert.match(cacheTypeErrors(odd, 'q8_0', 'f16', 'on').join(), /does not divide n_embd_head_k=80/);
    assert.deepEqual(cacheTypeErrors(odd, 'q8_0', 'f16', 'off'), []);
    assert.match(llamaKvCache(LLAMA_8B, { nCtx: 256, typeV: 'q4_0', flashAttention: 'off' }).errors.join(), /requires flash_attn/);
  });

  it('reproduces Yao Fu\'s Yi-34B figures with the per-token formula: 22.8 GiB at 100K, 0.91 GiB at 4K', () => {
    const perToken = naiveKvBytesPerToken(YI_34B, 2);
    assert.equal(perToken, 2 * 60 * 8 * 128 * 2);
    const at100k = (perToken * 100_000) / GIB;
    const at4k = (perToken * 4_000) / GIB;
    // The paper truncates: 22.89 → "22.8", 0.9155 → "0.91".
    assert.equal(Math.floor(at100k * 10) / 10, 22.8);
    assert.equal(Math.floor(at4k * 100) / 100, 0.91);
  });
});
