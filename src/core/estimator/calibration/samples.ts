// Published llama-bench rows → fit samples: the hardware resolved to a catalog entry (names.ts), the model to a
// catalog descriptor with the GGUF's weight bytes (published.ts), the test to the terms of terms.ts. Rows that the
// model cannot represent are kept out of the fit with the reason: suspect values, ngl 0 (CPU generation with GPU
// prompt help), an unknown chip or model. Combined pp+tg rows (pg) are evaluated, never fitted.
import { resolveHardware } from '../../hardware/catalog';
import type { HardwareKind, HardwareTarget } from '../../hardware/types';
import type { ModelDescriptor } from '../../models/descriptor';
import { llamaKvCache } from '../kvCache';
import { normalizeModel } from '../modelShape';
import type { Sample } from './fit';
import { eraOf, groupKeys, type Kind } from './model';
import { buildYear, type PublishedBenchRow, publishedModels, publishedTest } from './published';
import { type Backend, decodeTerms, normalizeBackend, prefillTerms, quantFamily, type TermContext, weightClassOf } from './terms';

export interface RowSamples {
  row: PublishedBenchRow;
  target?: HardwareTarget;
  model?: ModelDescriptor;
  backend?: Backend;
  /** pp or tg sample (pg rows: both, with `pg` set). */
  samples: Sample[];
  /** Combined pp+tg test: tokens of each, to recombine the two predictions. */
  pg?: { nPrompt: number; nGen: number };
  /** Why the row is not estimable or not fitted. */
  skip?: 'hardware' | 'model' | 'suspect' | 'ngl0';
  estimable: boolean;
}

const kindOf = (f: string): HardwareKind => (f.startsWith('cpu') ? 'cpu' : f === 'apple-silicon' ? 'apple' : 'gpu');

/** Flash attention as the row ran: printed, else llama-bench's default of the time (on for GPUs from ~Aug 2025). */
function flashAttention(row: PublishedBenchRow, backend: Backend, year: number | undefined): boolean {
  if (row.fa === 1) return true;
  if (row.fa === 0) return false;
  return backend !== 'CPU' && year !== undefined && year >= 2025.6;
}

/** Setups an estimate is not for: the ik_llama.cpp fork, a discrete GPU in a Raspberry Pi host (PCIe x1, a weak CPU). */
export function settingOf(row: PublishedBenchRow, target: HardwareTarget): string | undefined {
  if (row.engine === 'ik_llama.cpp') return 'ik_llama.cpp';
  if (target.kind === 'gpu' && /raspberry pi|\bpi 5\b|\bcm5\b/i.test(row.hardware)) return 'pi-host';
  return undefined;
}

export function rowWeight(row: PublishedBenchRow, assumed: boolean, year: number | undefined): number {
  let w = 1;
  if (row.confidence === 'secondary') w *= 0.7;
  if (assumed) w *= 0.5;
  if (eraOf(year) === 'E0') w *= 0.3;
  return w;
}

export function termContext(model: ModelDescriptor, target: HardwareTarget, backend: Backend, o: { devices: number; threads?: number; nUbatch: number; nBatch: number; flashAttention: boolean; ctx: number }): TermContext {
  const m = normalizeModel(model).model;
  const kv = llamaKvCache(m, { nCtx: Math.max(256, o.ctx), nSeq: 1, unified: false, typeK: 'f16', typeV: 'f16', nUbatch: o.nUbatch, nBatch: o.nBatch, swaFull: false, flashAttention: o.flashAttention ? 'on' : 'off' });
  const attn = kv.layers.length;
  const swa = kv.layers.filter((l) => l.kind === 'swa').length;
  return {
    model: m, target, backend, weightClass: weightClassOf(m.weightsType), kvBytesPerToken: kv.bytesPerToken, window: m.slidingWindow,
    swaShare: attn ? swa / attn : 0, devices: o.devices, threads: o.threads, nUbatch: o.nUbatch, nBatch: o.nBatch, flashAttention: o.flashAttention,
  };
}

/** Every published row as fit samples (or the reason it has none). */
export function samplesFromRows(rows: readonly PublishedBenchRow[]): RowSamples[] {
  const models = publishedModels(rows);
  return rows.map((row) => {
    const target = resolveHardware(row.hardware, { kind: kindOf(row.hw_family) }).target;
    const pm = models(row);
    if (!target) return { row, samples: [], skip: 'hardware', estimable: false };
    if (!pm) return { row, target, samples: [], skip: 'model', estimable: false };
    const backend = normalizeBackend(row.backend === 'unknown' ? undefined : row.backend, target);
    const base: RowSamples = { row, target, model: pm.descriptor, backend, samples: [], estimable: true };
    if (row.suspect) return { ...base, skip: 'suspect' };
    if (row.ngl === 0 && target.kind !== 'cpu') return { ...base, skip: 'ngl0' };
    const test = publishedTest(row);
    const year = buildYear(row);
    const nUbatch = row.n_ubatch ?? 512;
    const nBatch = row.n_batch ?? 2048;
    const ctx = termContext(pm.descriptor, target, backend, {
      devices: Math.max(1, row.hw_count ?? 1), threads: row.threads, nUbatch, nBatch, flashAttention: flashAttention(row, backend, year),
      ctx: test.nPrompt + test.nGen + test.depth,
    });
    const keys = groupKeys(target, backend, ctx.weightClass);
    const common = {
      id: row.id, chip: target.id, backend, keys, era: eraOf(year), multi: ctx.devices > 1, qfam: quantFamily(pm.descriptor.weightsType),
      weight: rowWeight(row, !!test.assumed, year),
      typical: test.nPrompt === 0 || (test.nPrompt >= 64 && Math.min(nUbatch, nBatch) >= 64),
      ...(settingOf(row, target) ? { setting: settingOf(row, target) } : {}),
    };
    const samples: Sample[] = [];
    if (test.nPrompt > 0) {
      const terms = prefillTerms(ctx, test.nPrompt, test.depth);
      samples.push({ ...common, kind: 'pp' as Kind, terms, seconds: test.nPrompt / row.ts_mean });
    }
    if (test.nGen > 0) {
      const terms = decodeTerms(ctx, 1, test.depth + test.nPrompt + test.nGen / 2);
      samples.push({ ...common, kind: 'tg' as Kind, terms, seconds: 1 / row.ts_mean });
    }
    if (test.nPrompt > 0 && test.nGen > 0) return { ...base, samples, pg: { nPrompt: test.nPrompt, nGen: test.nGen } };
    return { ...base, samples };
  });
}

/** The samples a fit uses: single-kind rows that are estimable and not skipped. */
export function fitSamples(rs: readonly RowSamples[]): Sample[] {
  return rs.filter((r) => r.estimable && !r.skip && !r.pg).flatMap((r) => r.samples);
}
