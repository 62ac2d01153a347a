import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GgufKV, GgufTensorSpec, ggufMetadataOnly, writeGguf } from '../../../src/core/models/ggufWrite';
import { readGgufSync } from '../../../src/core/models/gguf';
import { descriptorFromGguf, swaPattern } from '../../../src/core/models/ggufDescriptor';
import { ModelDescriptor } from '../../../src/core/models/descriptor';
import { tinyLlamaSpec } from './tinyLlama';

function u32(key: string, value: number): GgufKV {
  return { key, type: 'uint32', value };
}

function shape(arch: string, layers: number, extra: GgufKV[] = [], opts: { heads?: number; kv?: number | number[] } = {}): GgufKV[] {
  const kv = opts.kv ?? 2;
  return [
    { key: 'general.architecture', type: 'string', value: arch },
    u32(`${arch}.block_count`, layers),
    u32(`${arch}.embedding_length`, 256),
    u32(`${arch}.attention.head_count`, opts.heads ?? 4),
    Array.isArray(kv)
      ? { key: `${arch}.attention.head_count_kv`, type: 'array', itemType: 'uint32', value: kv }
      : u32(`${arch}.attention.head_count_kv`, kv),
    u32(`${arch}.context_length`, 8192),
    ...extra,
  ];
}

function assertFinite(d: ModelDescriptor): void {
  for (const [k, v] of Object.entries(d)) {
    if (typeof v === 'number') assert.ok(Number.isFinite(v), `${k} = ${v}`);
  }
  assert.equal(d.kvHeadsPerLayer.length, d.layers);
  assert.equal(d.layerKinds.length, d.layers);
}

describe('models/descriptorFromGguf', () => {
  let dir: string;
  let n = 0;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-gdesc-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const fromMeta = (metadata: GgufKV[]): ModelDescriptor => {
    const p = path.join(dir, `m${n++}.gguf`);
    fs.writeFileSync(p, ggufMetadataOnly(metadata));
    const d = descriptorFromGguf(readGgufSync(p), p);
    assertFinite(d);
    return d;
  };
  const fromModel = async (metadata: GgufKV[], tensors: GgufTensorSpec[]): Promise<ModelDescriptor> => {
    const p = path.join(dir, `t${n++}.gguf`);
    await writeGguf(p, { metadata, tensors });
    const d = descriptorFromGguf(readGgufSync(p), p);
    assertFinite(d);
    return d;
  };

  it('reads a generated llama: shape, exact weight bytes and parameter count', async () => {
    const p = path.join(dir, 'tiny.gguf');
    await writeGguf(p, tinyLlamaSpec({ layers: 3, embd: 128, heads: 4, kvHeads: 2, ff: 256 }));
    const info = readGgufSync(p);
    const d = descriptorFromGguf(info, p);
    assert.equal(d.architecture, 'llama');
    assert.equal(d.name, 'kvlens-test-tiny-llama');
    assert.deepEqual([d.layers, d.hiddenSize, d.heads, d.headDimK, d.headDimV], [3, 128, 4, 32, 32]);
    assert.deepEqual(d.kvHeadsPerLayer, [2, 2, 2]);
    assert.deepEqual(d.layerKinds, ['full', 'full', 'full']);
    const vocab = 3 + 256 + 16;
    const expectedParams = 2 * vocab * 128 + 128 + 3 * (2 * 128 + 2 * 128 * 128 + 2 * 128 * 64 + 3 * 128 * 256);
    assert.equal(d.params, expectedParams);
    assert.equal(d.activeParams, expectedParams);
    assert.equal(d.weightsBytes, info.totalTensorBytes);
    assert.equal(d.weightsBytes, 2 * (expectedParams - 128 - 3 * 256) + 4 * (128 + 3 * 256));
    assert.equal(d.weightsType, 'F16');
    assert.equal(d.vocabSize, vocab);
    assert.equal(d.trainedContext, 2048);
    assert.equal(d.feedForward, 256);
    assert.equal(d.tiedEmbeddings, false);
    assert.deepEqual(d.missing, []);
    assert.equal(d.source.kind, 'gguf');
  });

  it('keeps per-layer KV heads from an array head_count_kv', () => {
    const d = fromMeta(shape('llama', 4, [], { kv: [8, 1, 4, 2] }));
    assert.deepEqual(d.kvHeadsPerLayer, [8, 1, 4, 2]);
    // llama.cpp refuses a per-layer array of the wrong length ("key … has wrong array length"): so do we.
    const p = path.join(dir, 'short.gguf');
    fs.writeFileSync(p, ggufMetadataOnly(shape('llama', 4, [], { kv: [8, 1] })));
    assert.throws(() => descriptorFromGguf(readGgufSync(p), p), /head_count_kv has 2 entries; the model has 4 layers/);
  });

  it('uses explicit key/value lengths instead of embd/heads', () => {
    const d = fromMeta(shape('qwen3', 2, [u32('qwen3.attention.key_length', 128), u32('qwen3.attention.value_length', 96)]));
    assert.deepEqual([d.headDimK, d.headDimV], [128, 96]);
    const dflt = fromMeta(shape('qwen3', 2));
    assert.deepEqual([dflt.headDimK, dflt.headDimV], [64, 64]);
    assert.ok(dflt.notes.some((x) => /head dim taken as embedding_length \/ head_count = 64/.test(x)));
  });

  it('KV heads default to query heads when head_count_kv is absent (as llama.cpp does)', () => {
    const meta = shape('llama', 2).filter((k) => !k.key.endsWith('head_count_kv'));
    assert.deepEqual(fromMeta(meta).kvHeadsPerLayer, [4, 4]);
  });

  it('mirrors llama.cpp sliding-window patterns per architecture', () => {
    const g2 = fromMeta(shape('gemma2', 6, [u32('gemma2.attention.sliding_window', 4096)]));
    assert.deepEqual(g2.layerKinds, ['swa', 'full', 'swa', 'full', 'swa', 'full']);
    assert.equal(g2.slidingWindow, 4096);
    const g2default = fromMeta(shape('gemma2', 2));
    assert.equal(g2default.slidingWindow, 4096, "llama.cpp's default window for gemma2");

    const g3 = fromMeta(shape('gemma3', 12, [u32('gemma3.attention.sliding_window', 1024)]));
    assert.deepEqual(g3.layerKinds.map((k, i) => (k === 'full' ? i : -1)).filter((i) => i >= 0), [5, 11]);
    assert.equal(g3.slidingWindow, 1024);
    const g3none = fromMeta(shape('gemma3', 6));
    assert.ok(g3none.layerKinds.every((k) => k === 'full'), 'gemma3 without sliding_window: no SWA');
    assert.equal(g3none.slidingWindow, undefined);
    const g3pattern = fromMeta(shape('gemma3', 4, [u32('gemma3.attention.sliding_window', 512), u32('gemma3.attention.sliding_window_pattern', 2)]));
    assert.deepEqual(g3pattern.layerKinds, ['swa', 'full', 'swa', 'full']);
    const g3array = fromMeta(shape('gemma3', 4, [u32('gemma3.attention.sliding_window', 512),
      { key: 'gemma3.attention.sliding_window_pattern', type: 'array', itemType: 'bool', value: [false, true, true, false] }]));
    assert.deepEqual(g3array.layerKinds, ['full', 'swa', 'swa', 'full']);

    const oss = fromMeta(shape('gpt-oss', 4, [u32('gpt-oss.attention.sliding_window', 128)]));
    assert.deepEqual(oss.layerKinds, ['swa', 'full', 'swa', 'full']);
    assert.equal(oss.slidingWindow, 128);

    const l4 = fromMeta(shape('llama4', 8));
    assert.deepEqual(l4.layerKinds, ['swa', 'swa', 'swa', 'full', 'swa', 'swa', 'swa', 'full']);
    assert.equal(l4.slidingWindow, 8192);
    const l4off = fromMeta(shape('llama4', 4, [u32('llama4.attention.sliding_window', 0)]));
    assert.ok(l4off.layerKinds.every((k) => k === 'full'));

    assert.ok(fromMeta(shape('exaone4', 64)).layerKinds.includes('swa'), 'exaone4 32B (64 layers) uses SWA');
    assert.ok(fromMeta(shape('exaone4', 30, [u32('exaone4.attention.sliding_window', 4096)])).layerKinds.every((k) => k === 'full'));

    assert.deepEqual(swaPattern(8, 4, true), [false, true, true, true, false, true, true, true], 'dense_first');
  });

  it('ignores a sliding window llama.cpp does not apply (Mistral 7B v0.1 as llama, phi3)', () => {
    for (const arch of ['llama', 'phi3']) {
      const d = fromMeta(shape(arch, 4, [u32(`${arch}.attention.sliding_window`, 4096)]));
      assert.ok(d.layerKinds.every((k) => k === 'full'), arch);
      assert.equal(d.slidingWindow, undefined);
      assert.ok(d.notes.some((x) => /ignored by llama.cpp/.test(x)));
    }
  });

  it('reads MLA (deepseek2): one latent of kv_lora_rank + rope per layer', () => {
    const d = fromMeta(shape('deepseek2', 3, [
      u32('deepseek2.attention.kv_lora_rank', 512), u32('deepseek2.attention.q_lora_rank', 1536),
      u32('deepseek2.attention.key_length', 576), u32('deepseek2.attention.value_length', 512),
      u32('deepseek2.attention.key_length_mla', 192), u32('deepseek2.attention.value_length_mla', 128),
      u32('deepseek2.rope.dimension_count', 64),
    ], { heads: 16, kv: 1 }));
    assert.deepEqual(d.mla, { kvLoraRank: 512, qkRopeHeadDim: 64, qLoraRank: 1536, qkNopeHeadDim: 128, vHeadDim: 128 });
    assert.deepEqual(d.kvHeadsPerLayer, [1, 1, 1]);
    assert.equal(d.headDimK, 576);
    const old = fromMeta(shape('deepseek2', 2, [u32('deepseek2.attention.kv_lora_rank', 512), u32('deepseek2.attention.key_length', 192),
      u32('deepseek2.attention.value_length', 128)], { heads: 16, kv: 16 }));
    assert.equal(old.mla, undefined, 'pre-MLA conversions cache expanded K/V');
    assert.deepEqual([old.headDimK, old.headDimV, old.kvHeadsPerLayer[0]], [192, 128, 16]);
  });

  it('MoE: activeParams drops the unused routed experts, not the shared ones', async () => {
    const meta = [
      ...shape('qwen2moe', 1, [u32('qwen2moe.expert_count', 4), u32('qwen2moe.expert_used_count', 1),
        u32('qwen2moe.expert_shared_count', 1), u32('qwen2moe.expert_feed_forward_length', 64)]),
      u32('general.file_type', 7),
    ];
    const d = await fromModel(meta, [
      { name: 'token_embd.weight', dims: [256, 100], type: 'Q8_0' },
      { name: 'blk.0.ffn_gate_exps.weight', dims: [256, 64, 4], type: 'Q8_0' },
      { name: 'blk.0.ffn_up_exps.weight', dims: [256, 64, 4], type: 'Q8_0' },
      { name: 'blk.0.ffn_down_exps.weight', dims: [64, 256, 4], type: 'Q8_0' },
      { name: 'blk.0.ffn_gate_shexp.weight', dims: [256, 64], type: 'Q8_0' },
      { name: 'blk.0.ffn_gate_inp.weight', dims: [256, 4], type: 'F32' },
    ]);
    const experts = 3 * 256 * 64 * 4;
    const other = 256 * 100 + 256 * 64 + 256 * 4;
    assert.equal(d.params, experts + other);
    assert.equal(d.activeParams, experts / 4 + other);
    assert.deepEqual(d.moe, { experts: 4, expertsUsed: 1, sharedExperts: 1, firstDenseLayers: undefined, expertFeedForward: 64 });
    assert.equal(d.weightsType, 'Q8_0');
    assert.equal(d.weightsBytes, (experts + 256 * 100 + 256 * 64) / 32 * 34 + 256 * 4 * 4);
    assert.equal(d.tiedEmbeddings, true, 'no output.weight: embeddings tied');
  });

  it('weights type falls back to the dominant tensor type', async () => {
    const d = await fromModel(shape('llama', 1), [
      { name: 'a', dims: [256, 8], type: 'Q4_0' },
      { name: 'b', dims: [256], type: 'F32' },
    ]);
    assert.equal(d.weightsType, 'Q4_0');
  });

  it('marks recurrent layers of hybrid and recurrent architectures', () => {
    const q = fromMeta(shape('qwen3next', 8));
    assert.deepEqual(q.layerKinds.map((k) => k[0]).join(''), 'rrrfrrrf');
    assert.deepEqual(q.kvHeadsPerLayer, [0, 0, 0, 2, 0, 0, 0, 2]);
    const lfm = fromMeta(shape('lfm2', 4, [], { kv: [0, 8, 0, 8] }));
    assert.deepEqual(lfm.layerKinds, ['recurrent', 'full', 'recurrent', 'full']);
    const mamba = fromMeta(shape('mamba', 2));
    assert.deepEqual(mamba.layerKinds, ['recurrent', 'recurrent']);
    assert.deepEqual(mamba.kvHeadsPerLayer, [0, 0]);
    // jamba (src/models/jamba.cpp): a layer is recurrent exactly when its head_count_kv is 0.
    const jamba = fromMeta(shape('jamba', 4, [], { kv: [0, 0, 0, 8] }));
    assert.deepEqual(jamba.layerKinds, ['recurrent', 'recurrent', 'recurrent', 'full']);
  });

  it('refuses an implausible layer count instead of allocating per-layer arrays for it', () => {
    const p = path.join(dir, 'layers.gguf');
    fs.writeFileSync(p, ggufMetadataOnly(shape('llama', 4294967295)));
    assert.throws(() => descriptorFromGguf(readGgufSync(p)), /block_count = 4294967295 is not a plausible layer count \(llama.cpp accepts 1–512\)/);
  });

  it('an unknown or incomplete file says what is missing and never yields NaN', () => {
    const d = fromMeta([{ key: 'general.architecture', type: 'string', value: 'mystery' }]);
    assert.equal(d.architecture, 'mystery');
    for (const k of ['mystery.block_count', 'mystery.embedding_length', 'mystery.attention.head_count', 'mystery.context_length']) {
      assert.ok(d.missing.includes(k), k);
    }
    const none = fromMeta([]);
    assert.ok(none.missing.includes('general.architecture'));
    assert.equal(none.layers, 0);
  });
});
