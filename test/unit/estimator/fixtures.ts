// Hand-made model descriptors shaped like real models (config facts from their HF config.json files), so the
// estimator's tests do not depend on the model readers.
import type { ModelDescriptor, LayerKind } from '../../../src/core/models/descriptor';
import type { Deployment, EngineSettings } from '../../../src/core/deployment';

export function descriptor(p: Partial<ModelDescriptor> & { layers: number; kvHeads?: number }): ModelDescriptor {
  const layers = p.layers;
  const kv = p.kvHeads ?? 8;
  return {
    name: p.name ?? 'test-model',
    source: p.source ?? { kind: 'catalog', id: 'test' },
    architecture: p.architecture ?? 'llama',
    layers,
    hiddenSize: p.hiddenSize ?? 4096,
    heads: p.heads ?? 32,
    kvHeadsPerLayer: p.kvHeadsPerLayer ?? Array(layers).fill(kv),
    headDimK: p.headDimK ?? 128,
    headDimV: p.headDimV ?? p.headDimK ?? 128,
    layerKinds: p.layerKinds ?? Array<LayerKind>(layers).fill('full'),
    slidingWindow: p.slidingWindow,
    mla: p.mla,
    moe: p.moe,
    vocabSize: p.vocabSize ?? 128256,
    feedForward: p.feedForward ?? 14336,
    trainedContext: p.trainedContext ?? 131072,
    params: p.params ?? 8.03e9,
    activeParams: p.activeParams ?? p.params ?? 8.03e9,
    weightsBytes: p.weightsBytes ?? 16_060_522_496,
    weightsType: p.weightsType ?? 'bf16',
    tiedEmbeddings: p.tiedEmbeddings,
    missing: p.missing ?? [],
    notes: p.notes ?? [],
  };
}

/** meta-llama/Llama-3.1-8B: 32 layers, 8 KV heads, head_dim 128, bf16. */
export const LLAMA_8B = descriptor({ name: 'Llama-3.1-8B', layers: 32 });

/** 01-ai/Yi-34B shape used by Yao Fu: 60 layers, hidden 7168, 56 heads, 8 KV heads, head_dim 128, bf16. */
export const YI_34B = descriptor({
  name: 'Yi-34B', layers: 60, hiddenSize: 7168, heads: 56, kvHeads: 8, vocabSize: 64000, feedForward: 20480,
  params: 34.4e9, weightsBytes: 68.8e9, trainedContext: 200000,
});

/** Gemma-2-9B-like: 42 layers alternating SWA (4096) and full, 8 KV heads, head_dim 256. */
export const GEMMA2_9B = descriptor({
  name: 'gemma-2-9b', architecture: 'gemma2', layers: 42, hiddenSize: 3584, heads: 16, kvHeads: 8, headDimK: 256,
  layerKinds: Array.from({ length: 42 }, (_, i) => (i % 2 === 0 ? 'swa' : 'full') as LayerKind), slidingWindow: 4096,
  vocabSize: 256000, params: 9.24e9, weightsBytes: 18.5e9, trainedContext: 8192, tiedEmbeddings: true,
});

/** DeepSeek-V3-like MLA: 61 layers, kv_lora_rank 512, qk_rope_head_dim 64, MoE 256 experts / 8 used. */
export const DEEPSEEK_V3 = descriptor({
  name: 'DeepSeek-V3', architecture: 'deepseek2', layers: 61, hiddenSize: 7168, heads: 128, kvHeads: 128, headDimK: 192, headDimV: 128,
  mla: { kvLoraRank: 512, qkRopeHeadDim: 64, qkNopeHeadDim: 128, vHeadDim: 128, qLoraRank: 1536 },
  moe: { experts: 256, expertsUsed: 8, sharedExperts: 1, firstDenseLayers: 3 }, vocabSize: 129280,
  params: 671e9, activeParams: 37e9, weightsBytes: 671e9, weightsType: 'fp8', trainedContext: 163840,
});

export function deployment(engine: Partial<EngineSettings>, extra: Partial<Deployment> = {}): Deployment {
  const z = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  return {
    name: 'test', format: 'kvlens-profile', anchor: z,
    engine: { kind: 'llama.cpp', cacheTypeK: 'f16', cacheTypeV: 'f16', flashAttention: 'auto', tensorParallel: 1, pipelineParallel: 1, dataParallel: 1, ...engine },
    workload: { promptTokens: 4096, outputTokens: 256, concurrency: 1 },
    targets: [{ id: 'h100-sxm' }],
    settingRanges: {},
    ...extra,
  };
}
