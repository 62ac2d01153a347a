// The estimate as a whole: llama.cpp and vLLM memory per device, concurrency, tensor parallel, timing sanity,
// what-ifs, speculative decoding, and the promise that no figure is ever NaN/Infinity/undefined.
import * as assert from 'node:assert/strict';
import { estimate, FIT_THRESHOLD, verdictFor } from '../../../src/core/estimator/estimate';
import { vllmKvBytesPerToken } from '../../../src/core/estimator/kvCache';
import { vllmPool } from '../../../src/core/estimator/memory';
import { findHardware } from '../../../src/core/hardware/catalog';
import type { HardwareTarget } from '../../../src/core/hardware/types';
import type { ModelDescriptor } from '../../../src/core/models/descriptor';
import { DEEPSEEK_V3, GEMMA2_9B, LLAMA_8B, YI_34B, deployment, descriptor } from './fixtures';

const GIB = 2 ** 30;
const hw = (id: string): HardwareTarget => {
  const t = findHardware(id);
  assert.ok(t, id);
  return t;
};

const LLAMA_70B: ModelDescriptor = descriptor({
  name: 'Llama-3.1-70B', layers: 80, hiddenSize: 8192, heads: 64, kvHeads: 8, feedForward: 28672, params: 70.6e9, weightsBytes: 141_107_412_992,
});

/** Every number in the value is finite and nothing is undefined/null where a value is expected. */
function assertAllFinite(value: unknown, path = 'report'): number {
  let count = 0;
  if (typeof value === 'number') {
    assert.ok(Number.isFinite(value), `${path} = ${value}`);
    return 1;
  }
  if (value === null) assert.fail(`${path} is null`);
  if (typeof value === 'string') assert.ok(!/\b(NaN|undefined|Infinity)\b/.test(value), `${path}: "${value}"`);
  if (Array.isArray(value)) value.forEach((v, i) => (count += assertAllFinite(v, `${path}[${i}]`)));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      assert.notEqual(v, undefined, `${path}.${k} is undefined`);
      count += assertAllFinite(v, `${path}.${k}`);
    }
  }
  return count;
}

describe('estimate: llama.cpp', () => {
  it('counts weights, exact KV, buffers and overhead per device and gives a verdict', () => {
    const d = deployment({ contextSize: 32768, parallel: 4, cacheTypeK: 'q8_0', cacheTypeV: 'q8_0', flashAttention: 'on', gpuLayers: 99 });
    const r = estimate(d, LLAMA_8B, [hw('h100-sxm'), hw('rtx-4090')]);
    assert.equal(r.engine.kvBytesPerToken, 69632);
    assert.equal(r.engine.kvCells, 8192);
    const h = r.targets[0];
    assert.equal(h.memory.kvBytes, 69632 * 32768);
    assert.equal(h.memory.kvKBytes, 34816 * 32768);
    assert.equal(h.memory.totalBytes, h.memory.weightsBytes + h.memory.kvBytes + h.memory.computeBytes + (h.memory.overheadBytes ?? 0));
    assert.equal(h.memory.capacityBytes, 80 * GIB);
    assert.equal(h.memory.verdict, 'fits');
    assert.equal(h.memory.headroomBytes, h.memory.capacityBytes - h.memory.totalBytes);
    assert.equal(h.concurrency.atContext, 8192);
    // free / one 8192-token sequence
    const free = h.memory.capacityBytes - (h.memory.totalBytes - h.memory.kvBytes);
    assert.equal(h.concurrency.maxSequences, Math.floor(free / (69632 * 8192)));
    assert.ok(h.perf.theoretical.tpotSec < h.perf.tpotSec, 'expected is slower than the theoretical peak');
    assert.equal(h.perf.bound, 'memory');
    assert.ok(r.targets[1].perf.tpotSec > h.perf.tpotSec, 'an RTX 4090 decodes slower than an H100');
  });

  it('the largest context per sequence that fits really is the largest (multiple of 256)', () => {
    const d = deployment({ contextSize: 131072, parallel: 2, cacheTypeK: 'f16', cacheTypeV: 'f16', flashAttention: 'on' });
    const t = estimate(d, LLAMA_8B, [hw('rtx-4090')]).targets[0];
    const max = t.concurrency.maxContextAtParallel ?? 0;
    assert.ok(max > 0 && max % 256 === 0);
    const at = (c: number) => estimate(deployment({ contextSize: c, parallel: 2, flashAttention: 'on' }), LLAMA_8B, [hw('rtx-4090')], { whatIfs: false }).targets[0];
    assert.ok(at(max * 2).memory.fits, `${max} per sequence fits`);
    assert.ok(!at((max + 256) * 2).memory.fits, `${max + 256} per sequence does not fit`);
  });

  it('verdict thresholds: fits below 85 %, tight up to 100 %, does-not-fit above', () => {
    assert.equal(FIT_THRESHOLD, 0.85);
    assert.equal(verdictFor(84, 100), 'fits');
    assert.equal(verdictFor(85, 100), 'tight');
    assert.equal(verdictFor(100, 100), 'tight');
    assert.equal(verdictFor(101, 100), 'does-not-fit');
  });

  it('Llama-70B in bf16 does not fit on an RTX 4090; -ngl moves layers and their KV to the host', () => {
    const full = estimate(deployment({ contextSize: 8192 }), LLAMA_70B, [hw('rtx-4090')]).targets[0];
    assert.equal(full.memory.verdict, 'does-not-fit');
    const part = estimate(deployment({ contextSize: 8192, gpuLayers: 10 }), LLAMA_70B, [hw('rtx-4090')]).targets[0];
    assert.ok(part.memory.weightsBytes < full.memory.weightsBytes / 5);
    assert.ok((part.memory.hostWeightsBytes ?? 0) > 100 * 1e9);
    // KV of 10 of 80 layers stays on the GPU.
    assert.equal(part.memory.kvBytes, (full.memory.kvBytes / 80) * 10);
    assert.equal(part.memory.hostKvBytes, (full.memory.kvBytes / 80) * 70);
    assert.ok(part.perf.tpotSec > full.perf.tpotSec, 'host layers slow decoding down');
  });

  it('what-ifs list every cache type, mark invalid ones, and a smaller cache admits more users', () => {
    const r = estimate(deployment({ contextSize: 32768, flashAttention: 'off' }), LLAMA_8B, [hw('h100-sxm')]);
    const w = r.targets[0].whatIfs ?? [];
    const f16 = w.find((x) => x.cacheTypeK === 'f16' && !x.windowTokens);
    const q4 = w.find((x) => x.cacheTypeK === 'q4_0' && !x.windowTokens);
    assert.ok(f16 && q4);
    assert.equal(f16.invalid, undefined);
    assert.match(q4.invalid ?? '', /flash_attn/);
    assert.ok(q4.maxSequences > f16.maxSequences);
    assert.ok(q4.kvBytes < f16.kvBytes);
    const win = w.find((x) => x.windowTokens === 4096);
    assert.ok(win && win.kvBytes < f16.kvBytes);
  });

  it('sliding-window layers make Gemma-2 cheaper than the full-attention formula', () => {
    const r = estimate(deployment({ contextSize: 8192 }), GEMMA2_9B, [hw('l40s')]);
    const t = r.targets[0];
    assert.ok(t.memory.kvBytes < r.engine.kvBytesPerToken * 8192);
  });

  it('speculative decoding with a draft: MagicDec speedup and best γ; without one it says so', () => {
    const draft = descriptor({ name: 'Llama-3.2-1B', layers: 16, hiddenSize: 2048, heads: 32, kvHeads: 8, headDimK: 64, params: 1.24e9, weightsBytes: 2.47e9, tiedEmbeddings: true });
    const d = deployment({ contextSize: 8192 }, { speculative: { draftRef: 'x', acceptanceRate: 0.8, draftLength: 4 } });
    const t = estimate(d, LLAMA_8B, [hw('h100-sxm')], { draft }).targets[0];
    assert.ok(t.perf.speculative);
    assert.ok(t.perf.speculative.speedup > 1 && t.perf.speculative.speedup < 5);
    assert.ok(t.perf.speculative.bestDraftLength >= 1 && t.perf.speculative.bestDraftLength <= 8);
    assert.ok((t.memory.draftBytes ?? 0) > 2.47e9);
    const none = estimate(d, LLAMA_8B, [hw('h100-sxm')]);
    assert.equal(none.targets[0].perf.speculative, undefined);
    assert.ok(none.targets[0].assumptions.some((a) => /no draft model/.test(a)));
  });

  it('MoE: active parameters drive FLOPs and the bytes a single-sequence decode step reads', () => {
    const dense = descriptor({ layers: 61, hiddenSize: 7168, params: 671e9, activeParams: 671e9, weightsBytes: 671e9 });
    const moe = { ...DEEPSEEK_V3 };
    const a = estimate(deployment({ contextSize: 4096 }), moe, [hw('b200')]).targets[0];
    const b = estimate(deployment({ contextSize: 4096 }), dense, [hw('b200')]).targets[0];
    // Prefill: 37B active vs 671B FLOPs; each 512-token ubatch still touches (reads) nearly every expert.
    assert.ok(a.perf.theoretical.ttftSec < b.perf.theoretical.ttftSec / 3);
    // Decode at batch 1 reads the shared weights and 8 of 256 experts.
    assert.ok(a.perf.theoretical.tpotSec < b.perf.theoretical.tpotSec / 5);
  });
});

describe('estimate: vLLM paged pool and tensor parallel', () => {
  it('pool = utilization × capacity − weights − activation − non-torch, in blocks of block_size tokens', () => {
    const p = vllmPool({ capacityBytes: 80 * GIB, utilization: 0.9, weightsPerDevice: 16 * GIB, activationBytes: 2 * GIB, nonTorchBytes: GIB, bytesPerTokenPerDevice: 131072, blockSize: 16, maxModelLen: 32768, maxNumSeqs: 256 });
    // 72 − 16 − 2 − 1 = 53 GiB; 53 GiB / (131072 × 16) = 27136 blocks → 434176 tokens → 13.25 × 32768
    assert.equal(p.poolBytes, 53 * GIB);
    assert.equal(p.blocks, 27136);
    assert.equal(p.maxKvTokens, 434176);
    assert.equal(p.maxSequences, 13);
    assert.equal(p.maxConcurrency, 13.25);
  });

  it('Llama-70B on 4 × H100 with TP 4: KV heads and weights split four ways', () => {
    const d = deployment({ kind: 'vllm', contextSize: 32768, parallel: 256, tensorParallel: 4, gpuMemoryUtilization: 0.9, cacheTypeK: 'auto', cacheTypeV: 'auto' });
    const r = estimate(d, LLAMA_70B, [hw('h100-sxm')]);
    const t = r.targets[0];
    assert.equal(t.devices, 4);
    assert.equal(t.memory.kvBytesPerToken, 2 * 80 * 2 * 128 * 2); // 2 KV heads per GPU
    assert.equal(r.engine.kvBytesPerToken, 2 * 80 * 8 * 128 * 2);
    assert.equal(t.memory.weightsBytes, Math.round(LLAMA_70B.weightsBytes / 4));
    assert.equal(t.concurrency.maxKvTokens, (t.concurrency.kvBlocks ?? 0) * 16);
    assert.equal(t.memory.verdict, 'fits');
    assert.ok((t.perf.commSec ?? 0) > 0, 'all-reduce cost over NVLink');
    const fp8 = estimate({ ...d, engine: { ...d.engine, kvCacheDtype: 'fp8' } }, LLAMA_70B, [hw('h100-sxm')]).targets[0];
    assert.equal(fp8.memory.kvBytesPerToken, t.memory.kvBytesPerToken / 2);
    assert.ok((fp8.concurrency.maxKvTokens ?? 0) >= 2 * (t.concurrency.maxKvTokens ?? 0) - 16);
  });

  it('KV heads fewer than TP ranks are replicated, not split below one head', () => {
    assert.equal(vllmKvBytesPerToken(LLAMA_70B, 2, 16), 2 * 80 * 1 * 128 * 2);
    assert.equal(vllmKvBytesPerToken(LLAMA_70B, 2, 8), 2 * 80 * 1 * 128 * 2);
    assert.equal(vllmKvBytesPerToken(LLAMA_70B, 2, 2), 2 * 80 * 4 * 128 * 2);
  });

  it('a pool too small for max-model-len does not fit, with vLLM\'s reason', () => {
    const d = deployment({ kind: 'vllm', contextSize: 131072, parallel: 256, tensorParallel: 1 });
    const t = estimate(d, YI_34B, [hw('a100-80gb')]).targets[0];
    assert.equal(t.memory.verdict, 'does-not-fit');
    assert.match((t.errors ?? []).join(), /larger than the \d+ tokens the KV pool can hold/);
  });
});

describe('estimate: bad or partial input never yields NaN', () => {
  it('an unknown model, a partial descriptor and hostile numbers give finite figures and say what is missing', () => {
    const partial = descriptor({ layers: 0, params: NaN, activeParams: NaN, weightsBytes: NaN, hiddenSize: 0, heads: 0, missing: ['layers', 'heads'] });
    const weird = descriptor({ layers: 4, kvHeadsPerLayer: [NaN, -1, 8] as number[], headDimK: 0, headDimV: 0, params: 1e9, weightsBytes: 2e9, trainedContext: undefined, vocabSize: undefined });
    const targets = [hw('h100-sxm'), hw('xeon-8480'), hw('m2-ultra')];
    let numbers = 0;
    for (const [m, engine] of [
      [undefined, { contextSize: 0 }], [partial, { contextSize: 4096 }], [weird, { contextSize: -5, parallel: 0 }],
      [partial, { kind: 'vllm' as const, contextSize: 4096 }], [undefined, { kind: 'vllm' as const }], [DEEPSEEK_V3, { contextSize: 163840, parallel: 3 }],
    ] as const) {
      const d = deployment(engine, { workload: { promptTokens: NaN, outputTokens: -1, concurrency: 0 }, speculative: { acceptanceRate: NaN, draftLength: NaN } });
      const r = estimate(d, m as ModelDescriptor | undefined, targets, { draft: partial });
      numbers += assertAllFinite(r);
      if (m !== DEEPSEEK_V3) assert.ok(r.warnings.length > 0);
    }
    assert.ok(numbers > 500, `walked ${numbers} numbers`);
    const r = estimate(deployment({}), undefined, [hw('l4')]);
    assert.equal(r.model.missing?.[0], 'model');
  });

  it('accepts resolveTargets()\'s result object as well as an array', () => {
    const r = estimate(deployment({}), LLAMA_8B, { targets: [hw('l4')] });
    assert.equal(r.targets.length, 1);
  });
});

describe('estimate: weights actually served', () => {
  it('a profile\'s `weights: q4_k_m` resizes catalog weights; GGUF weights are never overridden', () => {
    const d = deployment({ contextSize: 8192 }, { model: { ref: 'meta-llama/Llama-3.1-8B', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, weights: 'q4_k_m' } });
    const r = estimate(d, LLAMA_8B, [hw('rtx-4090')]);
    assert.equal(r.model.weightsBytes, Math.round((8.03e9 * 4.85) / 8));
    assert.ok(r.warnings.some((w) => /served as q4_k_m/.test(w)));
    const gguf = { ...LLAMA_8B, source: { kind: 'gguf' as const, path: '/x.gguf' } };
    assert.equal(estimate(d, gguf, [hw('rtx-4090')]).model.weightsBytes, LLAMA_8B.weightsBytes);
    const awq = estimate(deployment({ kind: 'vllm', contextSize: 8192, quantization: 'awq' }), LLAMA_8B, [hw('l4')]);
    assert.equal(awq.model.weightsBytes, Math.round((8.03e9 * 4.25) / 8));
  });
});
