// Defensive views of a ModelDescriptor: every figure the estimator uses, finite and non-negative, with what had
// to be assumed recorded, so a partial descriptor still yields numbers (never NaN) and says what is missing.
import type { ModelDescriptor } from '../models/descriptor';

export const fin = (x: number | undefined, fallback = 0): number => (typeof x === 'number' && Number.isFinite(x) ? x : fallback);
export const pos = (x: number | undefined, fallback = 0): number => (typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : fallback);

/** A descriptor whose every number is usable; `assumed` lists what was filled in. */
export function normalizeModel(model: ModelDescriptor | undefined): { model: ModelDescriptor; assumed: string[] } {
  const assumed: string[] = [];
  if (!model) {
    return {
      model: {
        name: 'unknown model', source: { kind: 'catalog' }, architecture: 'unknown', layers: 0, hiddenSize: 0, heads: 0,
        kvHeadsPerLayer: [], headDimK: 0, headDimV: 0, layerKinds: [], params: 0, activeParams: 0, weightsBytes: 0,
        weightsType: 'unknown', missing: ['model'], notes: [],
      },
      assumed: ['no model descriptor: weights, KV and speed cannot be computed'],
    };
  }
  const layers = Math.max(0, Math.floor(pos(model.layers)));
  const heads = pos(model.heads);
  const hidden = pos(model.hiddenSize);
  let headDimK = pos(model.headDimK);
  let headDimV = pos(model.headDimV);
  if (!headDimK && hidden && heads) {
    headDimK = hidden / heads;
    assumed.push(`head_dim assumed hidden/heads = ${headDimK}`);
  }
  if (!headDimV) headDimV = headDimK;
  const kvHeadsPerLayer: number[] = [];
  for (let i = 0; i < layers; i++) {
    const h = model.kvHeadsPerLayer?.[i] ?? model.kvHeadsPerLayer?.[0];
    kvHeadsPerLayer.push(Number.isFinite(h) && (h as number) >= 0 ? (h as number) : heads);
  }
  const layerKinds = Array.from({ length: layers }, (_, i) => model.layerKinds?.[i] ?? 'full');
  const params = pos(model.params);
  const activeParams = pos(model.activeParams, params);
  return {
    model: {
      ...model, layers, heads, hiddenSize: hidden, headDimK, headDimV, kvHeadsPerLayer, layerKinds, params, activeParams,
      weightsBytes: Math.max(0, Math.round(fin(model.weightsBytes))), missing: model.missing ?? [], notes: model.notes ?? [],
    },
    assumed,
  };
}

/** Bytes per parameter of the stored weights (GGUF mixes types; this is the average). */
export function bytesPerParam(model: ModelDescriptor): number {
  return model.params > 0 && model.weightsBytes > 0 ? model.weightsBytes / model.params : 2;
}

/** Attention width of one layer's queries (heads × head_dim), the `d` in attention FLOPs. */
export function attentionWidth(model: ModelDescriptor): number {
  if (model.mla) return model.heads * ((model.mla.qkNopeHeadDim ?? 128) + model.mla.qkRopeHeadDim);
  return model.heads * model.headDimK || model.hiddenSize;
}

/** Parameters read per decode step for a batch of `batch` tokens: MoE touches more experts as the batch grows. */
export function paramsReadPerStep(model: ModelDescriptor, batch: number): number {
  const moe = model.moe;
  if (!moe || !(moe.experts > 0) || !(moe.expertsUsed > 0) || model.activeParams >= model.params) return model.params;
  const share = moe.expertsUsed / moe.experts;
  const expertParams = (model.params - model.activeParams) / (1 - share);
  const other = Math.max(0, model.params - expertParams);
  const touched = 1 - Math.pow(1 - share, Math.max(1, batch));
  return Math.min(model.params, other + expertParams * touched);
}

/** Σ_{t=1..P} min(t, W): the causal attention area over a prompt of P tokens with a window of W. */
export function causalArea(P: number, W?: number): number {
  if (!(P > 0)) return 0;
  if (!W || W >= P) return (P * (P + 1)) / 2;
  return (W * (W + 1)) / 2 + (P - W) * W;
}

/** Bytes of the input embedding table that a decode step does not read (tied embeddings are read as the output). */
export function unreadEmbeddingBytes(model: ModelDescriptor): number {
  if (model.tiedEmbeddings) return 0;
  return Math.max(0, Math.min(model.weightsBytes / 2, (model.vocabSize ?? 0) * model.hiddenSize * bytesPerParam(model)));
}
