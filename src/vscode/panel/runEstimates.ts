// The estimate a measured test is compared with, for records that were saved without one (before the extension
// stored speed estimates, or from a llama-bench JSON import): the run's own GGUF, read again, on the machine's
// `local` target with the test's thread count — the same computation `kvlens bench` and Run Benchmark save.
import * as fs from 'node:fs';
import type { ResultRecord } from '../../core/engine/protocol';
import type { ModelDescriptor } from '../../core/models/descriptor';
import type { RunEstimate } from '../../core/report/viewModel';
import type { BenchTestSpec } from '../../engine/spec';
import { estimateKvForTest } from '../../engine/compare';
import { estimateSpeedForTest, localBenchTarget } from '../../engine/compareSpeed';
import { createModelResolver } from '../../core/models/resolve';

/** The test a record measured, as the estimator's bench helpers take it. */
export function specOf(rec: ResultRecord): BenchTestSpec | undefined {
  const r = rec.result;
  if (!r) return undefined;
  const fa = r.flash_attn === true || r.flash_attn === 'on' ? 'on' : r.flash_attn === false || r.flash_attn === 'off' ? 'off' : 'auto';
  return {
    n_prompt: r.n_prompt, n_gen: r.n_gen, n_depth: r.n_depth ?? 0, n_ctx_requested: r.n_ctx ?? 0, n_seq: r.n_seq ?? 1,
    n_batch: r.n_batch ?? 2048, n_ubatch: r.n_ubatch ?? 512, n_threads: r.n_threads ?? 0, n_gpu_layers: r.n_gpu_layers ?? 0,
    type_k: r.type_k as BenchTestSpec['type_k'], type_v: r.type_v as BenchTestSpec['type_v'], flash_attn: fa,
  };
}

/**
 * Reads the GGUFs of the records that lack a complete estimate (once per path, only files that still exist) and
 * returns the `estimateRun` callback the view-model uses.
 */
export async function runEstimator(records: readonly ResultRecord[]): Promise<(rec: ResultRecord) => RunEstimate | undefined> {
  const paths = new Set<string>();
  for (const r of records) {
    const e = r.estimate;
    if (e && typeof e.kvBytes === 'number' && (typeof e.prefillTokensPerSec === 'number' || typeof e.decodeTokensPerSec === 'number')) continue;
    const p = r.model?.path;
    if (p && /\.gguf$/i.test(p)) paths.add(p);
  }
  const models = new Map<string, ModelDescriptor>();
  if (paths.size) {
    const resolver = createModelResolver({ maxEntries: 16 });
    for (const p of [...paths].slice(0, 16)) {
      if (!fs.existsSync(p)) continue;
      const res = await resolver.resolve(p, '/');
      if (res.descriptor) models.set(p, res.descriptor);
    }
  }
  const local = models.size ? await localBenchTarget(false) : undefined;
  return (rec) => {
    const m = models.get(rec.model?.path ?? '');
    const spec = specOf(rec);
    if (!m || !spec || !local) return undefined;
    const speed = estimateSpeedForTest(m, spec, local.target);
    let kv: number | undefined;
    try {
      kv = estimateKvForTest(m, spec).kvBytes;
    } catch {
      kv = undefined;
    }
    return { kv, prefill: speed.prefillTokensPerSec, decode: speed.decodeTokensPerSec, from: `recomputed for this machine (${local.note}) from the run's model` };
  };
}
