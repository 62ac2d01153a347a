// The estimator's KV figure for a measured test, so every measurement can be shown beside its estimate.
// Uses the GGUF reader (models area) and llamaKvCache (estimator area).
import type { ResultRecord } from '../core/engine/protocol';
import { llamaKvCache } from '../core/estimator/kvCache';
import type { ModelDescriptor } from '../core/models/descriptor';
import { readGguf } from '../core/models/gguf';
import { descriptorFromGguf } from '../core/models/ggufDescriptor';
import { requestedContext, type BenchTestSpec } from './spec';

export type KvEstimate = NonNullable<ResultRecord['estimate']> & { nCtx?: number; errors?: string[] };

const cache = new Map<string, Promise<ModelDescriptor>>();

export function modelDescriptor(modelPath: string): Promise<ModelDescriptor> {
  let p = cache.get(modelPath);
  if (!p) { p = readGguf(modelPath).then((info) => descriptorFromGguf(info, modelPath)); cache.set(modelPath, p); }
  return p;
}

/** Estimator inputs for a test: the same -c/-np/-ctk/-ctv/-fa/-b/-ub the engine got. */
export function estimateKvForTest(model: ModelDescriptor, t: BenchTestSpec): KvEstimate {
  const kv = llamaKvCache(model, {
    nCtx: requestedContext(t), nSeq: t.n_seq, unified: false, typeK: t.type_k, typeV: t.type_v,
    // node-llama-cpp runs with n_ubatch = n_batch = min(-b, -ub) (see runner.mts).
    nBatch: Math.min(t.n_batch, t.n_ubatch), nUbatch: Math.min(t.n_batch, t.n_ubatch), flashAttention: t.flash_attn,
  });
  return { kvBytes: kv.totalBytes, kvKBytes: kv.kBytes, kvVBytes: kv.vBytes, nCtx: kv.nCtx, ...(kv.errors.length ? { errors: kv.errors } : {}) };
}

/** Percent difference of measured against estimated; undefined when either is missing or zero. */
export function diffPercent(measured: number | undefined, estimated: number | undefined): number | undefined {
  if (!measured || !estimated) return undefined;
  return ((measured - estimated) / estimated) * 100;
}
