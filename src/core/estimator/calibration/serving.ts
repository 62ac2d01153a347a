// Batched serving (vLLM, SGLang, TensorRT-LLM): throughput and latency of continuous batching, fitted to
// published serving benchmarks (../shared/data/measured/serving.jsonl).
//
// A server keeps B sequences in flight (B = the engine's batch cap or what the KV pool holds at ISL+OSL tokens
// each). One decode iteration takes max(memory, compute) + fixed costs: the weights read once (÷ GPUs), every
// sequence's KV at its mean depth, 2 FLOP per active parameter per sequence, and under tensor parallelism two
// all-reduces of B × hidden activations per layer. Prefill of each prompt costs its FLOPs at the same efficiency.
// An offline run of N requests then produces OSL tokens per request in ISL × t_prefill + OSL × t_decode(B) / B of
// machine time: output throughput = OSL / (ISL·t_p + OSL·t_d(B)/B). FP4 weights are counted at the FP8 tensor
// rate — the published FP4 runs do not reach the FP4 peak (cross-validated on the four chips: 19 % vs 25 %).
import { resolveHardware } from '../../hardware/catalog';
import type { HardwareTarget } from '../../hardware/types';
import { catalogDescriptor, findCatalogModel } from '../../models/catalog';
import type { ModelDescriptor } from '../../models/descriptor';
import { vllmKvBytesPerToken } from '../kvCache';
import { normalizeModel } from '../modelShape';
import { expertParams } from './terms';
import type { PublishedServingRow } from './published';

/** The serving coefficients: 1/efficiency of weights, KV and compute, all-reduce cost factor, fixed ms per iteration. */
export interface ServingCoef {
  weights: number;
  kv: number;
  compute: number;
  comm: number;
  iterationMs: number;
  /** Batch cap of the engine (TensorRT-LLM's tuned max_batch_size in the published runs; vLLM's max-num-seqs). */
  maxBatch: number;
}

export interface ServingFit {
  coef: ServingCoef;
  rows: number;
  chips: string[];
  /** Leave-one-hardware-out: median and p90 |estimate/measured − 1| of output throughput, and the band. */
  crossValidation: { rows: number; medianAbsErrorPct: number; p90AbsErrorPct: number; band: number; inBandPct: number; perChip: Record<string, number> };
  rowsUsed: Array<{ id: string; chip: string; date: string; engine: string }>;
  notEstimable: Array<{ id: string; why: string }>;
}

export interface ServingCase {
  model: ModelDescriptor;
  target: HardwareTarget;
  devices: number;
  tensorParallel: number;
  /** Bytes per weight as served (0.5 FP4, 1 FP8/INT8, 2 BF16). */
  weightBytes: number;
  kvBytesPerElement: number;
  inputLen: number;
  outputLen: number;
  /** Concurrent sequences when fixed (a latency test, or a load test's concurrency); else the batch the pool holds. */
  concurrency?: number;
  memoryUtilization?: number;
}

export interface ServingFigures {
  batch: number;
  /** Seconds of one decode iteration at that batch: the TPOT each sequence sees. */
  tpotSec: number;
  prefillSecPerToken: number;
  outputTokensPerSec: number;
  /** Batch of `concurrency` sequences, each ISL in and OSL out, all started together. */
  e2eSec: number;
  bound: 'memory' | 'compute';
}

function peakFor(t: HardwareTarget, weightBytes: number): number {
  const pf = t.peakFlops;
  if (weightBytes <= 1) return pf.fp8 ?? pf.int8 ?? pf.fp16;
  return pf.bf16 || pf.fp16;
}

export function servingFigures(c: ServingCase, k: ServingCoef): ServingFigures {
  const m = normalizeModel(c.model).model;
  const D = Math.max(1, c.devices);
  const bw = c.target.memoryBandwidthBytesPerSec * D;
  const peak = peakFor(c.target, c.weightBytes) * D;
  const kvPerToken = vllmKvBytesPerToken(m, c.kvBytesPerElement, 1);
  const weights = m.params * c.weightBytes;
  const pool = (c.target.memoryBytes * (c.memoryUtilization ?? 0.9) * D - weights) / Math.max(1, kvPerToken);
  const fits = Math.max(1, Math.floor(pool / Math.max(1, c.inputLen + c.outputLen)));
  const batch = Math.max(1, c.concurrency ?? Math.min(k.maxBatch, fits));
  const depth = c.inputLen + c.outputLen / 2;
  const active = m.activeParams || m.params;
  const experts = expertParams(m);
  // At a large batch every expert is touched: the whole table is read per iteration.
  const read = experts.all ? weights : active * c.weightBytes;
  const memory = k.weights * (read / bw) + k.kv * ((batch * kvPerToken * depth) / bw);
  const compute = k.compute * ((batch * 2 * active) / peak);
  const tp = Math.max(1, c.tensorParallel);
  const link = c.target.interconnect.bytesPerSec > 0 ? c.target.interconnect.bytesPerSec : c.target.hostLink.bytesPerSec;
  const comm = tp > 1 ? (k.comm * 2 * m.layers * batch * m.hiddenSize * 2 * (tp - 1)) / tp / Math.max(1, link) : 0;
  const tpot = Math.max(memory, compute) + comm + k.iterationMs / 1000;
  const prefill = k.compute * ((2 * active) / peak);
  const outputTokensPerSec = c.outputLen / (c.inputLen * prefill + (c.outputLen * tpot) / batch);
  return { batch, tpotSec: tpot, prefillSecPerToken: prefill, outputTokensPerSec, e2eSec: batch * c.inputLen * prefill + c.outputLen * tpot, bound: compute >= memory ? 'compute' : 'memory' };
}

// ---------------------------------------------------------------- published rows → cases

const MODEL_NAMES: Array<[RegExp, string]> = [
  [/qwen3-30b-a3b/i, 'Qwen/Qwen3-30B-A3B'],
  [/mixtral 8x7b|mixtral-8x7b/i, 'mistralai/Mixtral-8x7B-Instruct-v0.1'],
  [/llama-3\.3-70b/i, 'meta-llama/Llama-3.3-70B-Instruct'],
  [/llama-3\.1[- ]8b/i, 'meta-llama/Llama-3.1-8B-Instruct'],
  [/llama-3 70b|llama3-70b/i, 'meta-llama/Meta-Llama-3-70B'],
  [/mistral-7b-instruct-v0\.3/i, 'mistralai/Mistral-7B-Instruct-v0.3'],
];

export interface ServingSample {
  id: string;
  chip: string;
  case: ServingCase;
  /** Output tokens per second, whole system. */
  measured: number;
  kind: 'offline' | 'latency';
  /** Measured TPOT (ms), where the row gives one. */
  tpotMs?: number;
}

export function servingSamples(rows: readonly PublishedServingRow[]): { samples: ServingSample[]; skipped: Array<{ id: string; why: string }> } {
  const samples: ServingSample[] = [];
  const skipped: Array<{ id: string; why: string }> = [];
  for (const r of rows) {
    const target = resolveHardware(r.hardware, { kind: 'gpu' }).target;
    const name = `${r.model_name ?? ''} ${r.model}`;
    const mid = MODEL_NAMES.find(([re]) => re.test(name))?.[1];
    const entry = mid ? findCatalogModel(mid) : undefined;
    if (!target) { skipped.push({ id: r.id, why: `hardware not in the catalog: ${r.hardware}` }); continue; }
    if (!entry) { skipped.push({ id: r.id, why: `model not in the catalog: ${r.model}` }); continue; }
    if (!r.input_len || !r.output_len) { skipped.push({ id: r.id, why: 'token counts not given' }); continue; }
    const p = r.precision.toUpperCase();
    const weightBytes = /FP4|NVFP4/.test(p) ? 0.5 : /FP8|INT8/.test(p) ? 1 : 2;
    const devices = Math.max(1, r.hw_count ?? 1);
    const base: ServingCase = {
      model: catalogDescriptor(entry), target, devices, tensorParallel: r.tp ?? devices, weightBytes, kvBytesPerElement: weightBytes < 2 ? 1 : 2,
      inputLen: r.input_len, outputLen: r.output_len,
    };
    if (typeof r.output_tok_s === 'number' && /unbounded|offline/i.test(String(r.concurrency))) {
      samples.push({ id: r.id, chip: target.id, case: base, measured: r.output_tok_s, kind: 'offline', tpotMs: r.tpot_mean_ms });
    } else if (typeof r.e2e_latency_mean_ms === 'number' && typeof r.concurrency === 'number') {
      samples.push({ id: r.id, chip: target.id, case: { ...base, concurrency: r.concurrency }, measured: (r.concurrency * r.output_len) / (r.e2e_latency_mean_ms / 1000), kind: 'latency' });
    } else skipped.push({ id: r.id, why: 'no output throughput or batch latency to compare' });
  }
  return { samples, skipped };
}

function predictSample(s: ServingSample, k: ServingCoef): number {
  const f = servingFigures(s.case, k);
  return s.kind === 'latency' ? (s.case.concurrency! * s.case.outputLen) / f.e2eSec : f.outputTokensPerSec;
}

// ---------------------------------------------------------------- fitting (Nelder–Mead on log error)

const LOWER = [0.5, 0.5, 0.5, 0.01, 0.01];
const UPPER = [10, 20, 20, 20, 100];
export const SERVING_MAX_BATCH = 2048;

function toCoef(x: readonly number[]): ServingCoef {
  const c = x.map((v, i) => Math.min(UPPER[i]!, Math.max(LOWER[i]!, Math.exp(v))));
  return { weights: c[0]!, kv: c[1]!, compute: c[2]!, comm: c[3]!, iterationMs: c[4]!, maxBatch: SERVING_MAX_BATCH };
}

function loss(samples: readonly ServingSample[], x: readonly number[]): number {
  const k = toCoef(x);
  let s = 0;
  for (const smp of samples) {
    const e = Math.log(predictSample(smp, k) / smp.measured);
    s += Number.isFinite(e) ? e * e : 100;
  }
  return s;
}

function nelderMead(f: (x: number[]) => number, x0: number[], iters = 600): number[] {
  const n = x0.length;
  let simplex = [x0, ...x0.map((_, i) => x0.map((v, j) => (j === i ? v + 0.5 : v)))];
  let vals = simplex.map(f);
  for (let it = 0; it < iters; it++) {
    const order = vals.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]).map(([, i]) => i);
    simplex = order.map((i) => simplex[i]!);
    vals = order.map((i) => vals[i]!);
    const centroid = x0.map((_, j) => simplex.slice(0, n).reduce((s, p) => s + p[j]!, 0) / n);
    const worst = simplex[n]!;
    const at = (t: number) => centroid.map((c, j) => c + t * (worst[j]! - c));
    const r = at(-1);
    const fr = f(r);
    if (fr < vals[0]!) {
      const e = at(-2);
      const fe = f(e);
      [simplex[n], vals[n]] = fe < fr ? [e, fe] : [r, fr];
    } else if (fr < vals[n - 1]!) {
      [simplex[n], vals[n]] = [r, fr];
    } else {
      const c = at(0.5);
      const fc = f(c);
      if (fc < vals[n]!) [simplex[n], vals[n]] = [c, fc];
      else {
        simplex = simplex.map((p, i) => (i === 0 ? p : p.map((v, j) => simplex[0]![j]! + 0.5 * (v - simplex[0]![j]!))));
        vals = simplex.map(f);
      }
    }
    if (Math.abs(vals[n]! - vals[0]!) < 1e-10) break;
  }
  return simplex[vals.indexOf(Math.min(...vals))]!;
}

export function fitServingCoef(samples: readonly ServingSample[]): ServingCoef {
  const x0 = [Math.log(1.5), Math.log(2), Math.log(2), Math.log(1), Math.log(1)];
  let x = nelderMead((v) => loss(samples, v), x0);
  x = nelderMead((v) => loss(samples, v), x); // a restart settles the simplex
  const c = toCoef(x);
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [k, k === 'maxBatch' ? v : Number(v.toPrecision(4))])) as unknown as ServingCoef;
}

const pct = (x: number) => Math.round(x * 1000) / 10;
function q(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return 0;
  const pos = (s.length - 1) * p;
  const lo = Math.floor(pos);
  return s[lo]! + (s[Math.min(s.length - 1, lo + 1)]! - s[lo]!) * (pos - lo);
}

export function crossValidateServing(samples: readonly ServingSample[]): Array<{ sample: ServingSample; estimate: number; error: number }> {
  const out: Array<{ sample: ServingSample; estimate: number; error: number }> = [];
  for (const chip of [...new Set(samples.map((s) => s.chip))].sort()) {
    const k = fitServingCoef(samples.filter((s) => s.chip !== chip));
    for (const s of samples.filter((x) => x.chip === chip)) {
      const est = predictSample(s, k);
      out.push({ sample: s, estimate: est, error: est / s.measured - 1 });
    }
  }
  return out;
}

export function fitServing(rows: readonly PublishedServingRow[]): ServingFit {
  const { samples, skipped } = servingSamples(rows);
  const coef = fitServingCoef(samples);
  const held = crossValidateServing(samples);
  const abs = held.map((h) => Math.abs(h.error));
  const metric = held.map((h) => Math.abs(1 / (1 + h.error) - 1));
  const band = q(metric, 0.85);
  const perChip: Record<string, number> = {};
  for (const chip of new Set(held.map((h) => h.sample.chip))) perChip[chip] = pct(q(held.filter((h) => h.sample.chip === chip).map((h) => Math.abs(h.error)), 0.5));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return {
    coef, rows: samples.length, chips: [...new Set(samples.map((s) => s.chip))].sort(),
    crossValidation: { rows: held.length, medianAbsErrorPct: pct(q(abs, 0.5)), p90AbsErrorPct: pct(q(abs, 0.9)), band: Math.round(band * 1000) / 1000, inBandPct: pct(metric.filter((m) => m <= band).length / Math.max(1, metric.length)), perChip },
    rowsUsed: samples.map((s) => ({ id: s.id, chip: s.chip, date: byId.get(s.id)?.date ?? '', engine: byId.get(s.id)?.engine ?? '' })),
    notEstimable: skipped,
  };
}
