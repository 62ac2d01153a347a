// The estimator's KV figure for a measured test, so every measurement can be shown beside its estimate.
// Uses the GGUF reader (models area) and llamaKvCache (estimator area).
import type { BenchTestResult, ResultRecord } from '../core/engine/protocol';
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

/** The test spec a result came from, rebuilt from its fields (for estimates of stored results). */
export function specOfResult(r: BenchTestResult, nCtxRequested = 0): BenchTestSpec {
  return {
    n_prompt: r.n_prompt, n_gen: r.n_gen, n_depth: r.n_depth, n_ctx_requested: nCtxRequested, n_seq: r.n_seq ?? 1,
    n_batch: r.n_batch, n_ubatch: r.n_ubatch, n_threads: r.n_threads, n_gpu_layers: r.n_gpu_layers,
    type_k: r.type_k as BenchTestSpec['type_k'], type_v: r.type_v as BenchTestSpec['type_v'],
    flash_attn: r.flash_attn === true ? 'on' : r.flash_attn === false ? 'off' : (String(r.flash_attn) as BenchTestSpec['flash_attn']),
  };
}
