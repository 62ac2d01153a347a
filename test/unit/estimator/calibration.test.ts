// The calibrated speed model: NNLS, the physics of its terms, that a fit recovers coefficients it generated,
// the bundled calibration (its groups, support and bands, and that it is what the fitting code gives on the
// published rows — skipped without ../shared), the estimate's report block, per-machine refinement and serving.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { estimate } from '../../../src/core/estimator/estimate';
import { calibrationView } from '../../../src/core/report/calibrationView';
import { explainCalibration } from '../../../src/core/estimator/explain';
import { crossValidate, DEFAULT_FIT, fitSpeed, predictSample, quantile, type Sample } from '../../../src/core/estimator/calibration/fit';
import { machineCalibration, refinedBand } from '../../../src/core/estimator/calibration/machine';
import { machineCalibrationFromStore } from '../../../src/core/estimator/calibration/machineStore';
import { machineInfo } from '../../../src/core/results/machine';
import { groupKeys } from '../../../src/core/estimator/calibration/model';
import { nnls } from '../../../src/core/estimator/calibration/nnls';
import { bundledCalibration, calibrationId } from '../../../src/core/estimator/calibration/params';
import { buildYear, publishedTest, type PublishedBenchRow } from '../../../src/core/estimator/calibration/published';
import { fitSamples, samplesFromRows } from '../../../src/core/estimator/calibration/samples';
import { servingFigures, type ServingCoef } from '../../../src/core/estimator/calibration/serving';
import { calibratedSpeed, decodeSeconds, llamaBenchSpeed, prefillSeconds } from '../../../src/core/estimator/calibration/speed';
import { computePeak, decodeTerms, prefillTerms, quantFamily, type TermContext, weightClassOf } from '../../../src/core/estimator/calibration/terms';
import { findHardware } from '../../../src/core/hardware/catalog';
import type { HardwareTarget } from '../../../src/core/hardware/types';
import { catalogDescriptor, findCatalogModel } from '../../../src/core/models/catalog';
import type { ModelDescriptor } from '../../../src/core/models/descriptor';
import type { ResultRecord } from '../../../src/core/engine/protocol';
import type { Deployment } from '../../../src/core/deployment';
import { normalizeModel } from '../../../src/core/estimator/modelShape';

const ROOT = path.resolve(__dirname, '../../../..');
const MEASURED = path.resolve(ROOT, '../shared/data/measured');
const hw = (id: string): HardwareTarget => findHardware(id)!;
function model(id: string, weightsType: string, bpw: number): ModelDescriptor {
  const d = normalizeModel(catalogDescriptor(findCatalogModel(id)!)).model;
  return { ...d, weightsType, weightsBytes: Math.round((d.params * bpw) / 8), source: { kind: 'gguf' } };
}
const llama8q4 = model('meta-llama/Meta-Llama-3-8B', 'Q4_K_M', 4.85);
const llama8f16 = model('meta-llama/Meta-Llama-3-8B', 'F16', 16);
function ctxOf(m: ModelDescriptor, t: HardwareTarget, over: Partial<TermContext> = {}): TermContext {
  return { model: m, target: t, backend: 'CUDA', weightClass: weightClassOf(m.weightsType), kvBytesPerToken: 131072, devices: 1, nUbatch: 512, nBatch: 2048, flashAttention: true, ...over };
}

describe('calibration: NNLS', () => {
  it('solves a least-squares problem with and without active bounds', () => {
    // Unconstrained optimum (1, 2) is non-negative: NNLS returns it.
    const A = [[1, 0], [0, 1], [1, 1]];
    const x = nnls(A, [1, 2, 3]);
    assert.ok(Math.abs(x[0]! - 1) < 1e-9 && Math.abs(x[1]! - 2) < 1e-9, String(x));
    // The unconstrained optimum has a negative component: NNLS clamps it to 0 and refits the rest.
    const y = nnls([[1, 1], [1, 2], [1, 3]], [3, 2, 1]);
    assert.equal(y[1], 0);
    assert.ok(Math.abs(y[0]! - 2) < 1e-9, String(y));
    assert.deepEqual(nnls([], []), []);
  });
});

describe('calibration: terms', () => {
  it('prefill runs on the path the backend and weight type use', () => {
    const t = hw('rtx-4090');
    assert.match(computePeak(ctxOf(llama8q4, t)).path, /INT8 tensor cores/);
    assert.equal(computePeak(ctxOf(llama8q4, t)).flops, t.peakFlops.int8);
    // F16 on a GeForce card: cuBLAS with FP16 accumulate, twice the FP32-accumulate rate.
    assert.equal(computePeak(ctxOf(llama8f16, t)).flops, t.peakFlops.fp16Acc16);
    assert.equal(computePeak(ctxOf(llama8f16, hw('a100-80gb'))).flops, hw('a100-80gb').peakFlops.fp16);
    // CPU: int8 dot products at 4× the FP32 FMA rate (not AMX tiles), scaled by the threads used.
    const x = hw('xeon-8480');
    assert.equal(computePeak(ctxOf(llama8q4, x, { backend: 'CPU' })).flops, 4 * x.peakFlops.fp32);
    assert.equal(computePeak(ctxOf(llama8q4, x, { backend: 'CPU', threads: 14 })).flops, x.peakFlops.fp32);
    assert.equal(computePeak(ctxOf(llama8q4, hw('m3-max'), { backend: 'Metal' })).flops, hw('m3-max').peakFlops.fp16);
    assert.equal(quantFamily('Q4_K_M'), 'k');
    assert.equal(quantFamily('Q4_0'), 'legacy');
    assert.equal(quantFamily('MXFP4'), 'fp4');
    assert.equal(quantFamily('IQ2_XXS'), 'iq');
    assert.equal(quantFamily('BF16'), 'f16');
  });

  it('decode reads the weights once per step and each sequence\'s KV; twice the bandwidth halves them', () => {
    const t = hw('rtx-4090');
    const a = decodeTerms(ctxOf(llama8q4, t), 1, 1000);
    const b = decodeTerms(ctxOf(llama8q4, { ...t, memoryBandwidthBytesPerSec: 2 * t.memoryBandwidthBytesPerSec }), 1, 1000);
    assert.ok(Math.abs(b.weights / a.weights - 0.5) < 1e-12 && Math.abs(b.kv / a.kv - 0.5) < 1e-12);
    const c = decodeTerms(ctxOf(llama8q4, t), 4, 1000);
    assert.equal(c.weights, a.weights);
    assert.ok(Math.abs(c.kv / a.kv - 4) < 1e-12);
    assert.ok(Math.abs(a.kv * t.memoryBandwidthBytesPerSec - 131072 * 1000) < 1e-3);
    // Weights read: the GGUF bytes less the input embedding (a row lookup).
    const unread = (llama8q4.vocabSize ?? 0) * llama8q4.hiddenSize * (llama8q4.weightsBytes / llama8q4.params);
    assert.ok(Math.abs(a.weights * t.memoryBandwidthBytesPerSec - (llama8q4.weightsBytes - unread)) < 1);
  });

  it('MoE splits routed experts from dense weights; no flash attention adds KQ traffic; GPUs add hops and pipeline micro-batches', () => {
    const t = hw('rtx-pro-6000');
    const moe = model('openai/gpt-oss-20b', 'MXFP4', 4.25);
    const d = decodeTerms(ctxOf(moe, t), 1, 0);
    assert.ok(d.experts > 0 && d.weights > 0 && d.experts < 2 * d.weights, JSON.stringify(d));
    assert.equal(decodeTerms(ctxOf(llama8q4, t), 1, 0).experts, 0);
    const fa = prefillTerms(ctxOf(llama8q4, t, { flashAttention: true }), 4096);
    const noFa = prefillTerms(ctxOf(llama8q4, t, { flashAttention: false }), 4096);
    assert.equal(fa.scores, 0);
    assert.ok(noFa.scores > 0);
    // Four micro-batches of a 2048-token batch pipeline across 4 GPUs: less time per term than on one.
    const one = prefillTerms(ctxOf(llama8q4, t), 4096);
    const four = prefillTerms(ctxOf(llama8q4, t, { devices: 4 }), 4096);
    assert.ok(four.compute < one.compute && four.compute > one.compute / 4);
    assert.ok(four.hops > 0 && one.hops === 0);
    assert.ok(decodeTerms(ctxOf(llama8q4, t, { devices: 3 }), 1, 0).hops > 0);
    // Attention grows with the depth already in the cache.
    assert.ok(prefillTerms(ctxOf(llama8q4, t), 512, 8192).attention > 10 * prefillTerms(ctxOf(llama8q4, t), 512, 0).attention);
  });
});

/** Samples generated from known coefficients on real targets and models: a fit must give those times back. */
function synthetic(truth: Record<string, number>): Sample[] {
  const out: Sample[] = [];
  const targets = ['rtx-3090', 'rtx-4090', 'rtx-3080', 'rtx-4070', 'rtx-4080', 'rtx-3060'];
  const models = [llama8q4, model('meta-llama/Llama-2-7b-hf', 'Q4_0', 4.5), model('TinyLlama/TinyLlama-1.1B-Chat-v1.0', 'Q4_K_M', 4.85), model('meta-llama/Llama-3.2-3B-Instruct', 'Q8_0', 8.5)];
  for (const id of targets) {
    const t = hw(id);
    for (const m of models) {
      for (const [i, depth] of [0, 4096].entries()) {
        const ctx = ctxOf(m, t, { kvBytesPerToken: 65536 });
        const keys = groupKeys(t, 'CUDA', 'quant');
        const base = { chip: id, backend: 'CUDA' as const, keys, era: 'E2' as const, multi: false, qfam: 'k', weight: 1, typical: true };
        const tg = decodeTerms(ctx, 1, depth + 64);
        const pp = prefillTerms(ctx, 512 * (i + 1), depth);
        const time = (terms: Record<string, number>) => Object.entries(terms).reduce((s, [n, v]) => s + (truth[n] ?? 0) * v, 0);
        out.push({ ...base, id: `${id}-${m.name}-${depth}-tg`, kind: 'tg', terms: tg, seconds: time(tg) });
        out.push({ ...base, id: `${id}-${m.name}-${depth}-pp`, kind: 'pp', terms: pp, seconds: time(pp) });
      }
    }
  }
  return out;
}

describe('calibration: fitting', () => {
  const truth = { weights: 1.25, experts: 2, kv: 2.5, compute: 4, expertCompute: 3, attention: 3, scores: 2, layers: 6, step: 5, hops: 5 };
  it('recovers the times of coefficients it was generated with, and predicts a held-out chip from the others', () => {
    const s = synthetic(truth);
    const p = fitSpeed(s, DEFAULT_FIT);
    // Ridge toward the enclosing group and the robust era/quant factors pull a little: nearly every time comes back.
    const fitErr = s.map((x) => Math.abs(predictSample(p, x)! / x.seconds - 1));
    assert.ok(quantile(fitErr, 0.5) < 0.02 && quantile(fitErr, 0.9) < 0.05 && Math.max(...fitErr) < 0.12, `median ${quantile(fitErr, 0.5)}, p90 ${quantile(fitErr, 0.9)}, max ${Math.max(...fitErr)}`);
    const held = crossValidate(s, DEFAULT_FIT);
    assert.equal(held.length, s.length);
    const cvErr = held.map((h) => Math.abs(h.error));
    assert.ok(quantile(cvErr, 0.5) < 0.03 && quantile(cvErr, 0.9) < 0.08 && Math.max(...cvErr) < 0.2, `median ${quantile(cvErr, 0.5)}, p90 ${quantile(cvErr, 0.9)}, max ${Math.max(...cvErr)}`);
    // Bands come from held-out misses: small here, because the data has no noise.
    assert.ok(held.every((h) => h.band < 0.12), String(held.map((h) => h.band)));
  });

  it('an era factor explains rows of old builds without moving today\'s estimate', () => {
    // The same runs on two chips of different families, also measured on an old build twice as slow.
    const base = synthetic(truth);
    const old = base.filter((x) => x.chip === 'rtx-3060' || x.chip === 'rtx-4070').map((x) => ({ ...x, id: `${x.id}-old`, era: 'E0' as const, seconds: x.seconds * 2, weight: 0.3 }));
    const p = fitSpeed([...base, ...old], DEFAULT_FIT);
    // The era factor takes it (shrunk a little toward 1) …
    assert.ok((p.eraFactor['pp|CUDA|E0|single'] ?? 1) > 1.5 && (p.eraFactor['tg|CUDA|E0|single'] ?? 1) > 1.5, JSON.stringify(p.eraFactor));
    // … and today's estimates stay where the current rows put them.
    const today = base.map((x) => predictSample(p, x)! / x.seconds);
    assert.ok(quantile(today.map((r) => Math.abs(r - 1)), 0.9) < 0.08, String(today));
  });
});

describe('calibration: the bundled data/calibration.json', () => {
  const cal = bundledCalibration();
  it('has coefficients for every backend and weight class, with support, bands and its source recorded', () => {
    for (const kind of ['pp', 'tg']) for (const g of ['CUDA/quant', 'CUDA/f16', 'Metal/quant', 'Metal/f16', 'Vulkan/quant', 'CPU/quant', 'ROCm/quant']) assert.ok(cal.groups[`${kind}|${g}`], `${kind}|${g}`);
    for (const [k, g] of Object.entries(cal.groups)) {
      for (const [n, v] of Object.entries(g.coef)) assert.ok(Number.isFinite(v) && v >= 0, `${k}.${n} = ${v}`);
      if (k.startsWith('tg|') && g.rows >= 10) assert.ok(g.coef.weights! >= 0.8 && g.coef.weights! <= 6, `${k}: weights stream at ${Math.round(100 / g.coef.weights!)} % of bandwidth`);
    }
    for (const [k, s] of Object.entries(cal.support ?? {})) assert.ok(s.rows > 0 && s.band > 0 && s.band < 5, k);
    assert.match(cal.source.sha256 ?? '', /^[0-9a-f]{64}$/);
    assert.ok(cal.method.length >= 4);
    assert.ok(cal.serving && cal.serving.rows > 50 && cal.serving.coef.compute > 0);
    const rows = JSON.parse(fs.readFileSync(path.join(ROOT, 'data/calibration-rows.json'), 'utf8')) as { rows: Array<{ id: string; date: string }> };
    assert.equal(rows.rows.length, cal.source.used);
    assert.ok(rows.rows.every((r) => /^lb-\d+$/.test(r.id) && r.date.length > 0));
    assert.match(calibrationId(), /^published:[0-9a-f]{12}$/);
  });

  it('is what the fitting code gives on the published rows (refit and compare; skipped without ../shared)', function () {
    const file = path.join(MEASURED, 'llama-bench.jsonl');
    if (!fs.existsSync(file)) { this.skip(); return; }
    const text = fs.readFileSync(file, 'utf8');
    assert.equal(createHash('sha256').update(text).digest('hex'), cal.source.sha256, 'the measured rows changed: run npm run fit:calibration');
    const rows = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as PublishedBenchRow);
    const p = fitSpeed(fitSamples(samplesFromRows(rows)), DEFAULT_FIT);
    assert.deepEqual(Object.keys(p.groups).sort(), Object.keys(cal.groups).sort());
    for (const [k, g] of Object.entries(p.groups)) {
      for (const [n, v] of Object.entries(g.coef)) {
        const stored = cal.groups[k]!.coef[n]!;
        assert.ok(Math.abs(v - stored) <= 1e-3 * Math.max(1, Math.abs(v)), `${k}.${n}: ${v} vs ${stored}`);
      }
    }
    // Every published row whose hardware and model are known is estimable, and a row's build date reads right.
    const r = rows.find((x) => x.id === 'lb-0069')!;
    assert.equal(Math.floor(buildYear(r)!), 2026);
    assert.deepEqual(publishedTest(r), { nPrompt: 2048, nGen: 0, depth: 0 });
  });
});

describe('calibration: what an estimate reports', () => {
  const z = { line: 0, character: 0 };
  const dep = (over: Partial<Deployment['engine']> = {}): Deployment => ({
    name: 'x', format: 'kvlens-profile', anchor: { start: z, end: z },
    engine: { kind: 'llama.cpp', contextSize: 8192, parallel: 1, cacheTypeK: 'f16', cacheTypeV: 'f16', flashAttention: 'on', tensorParallel: 1, pipelineParallel: 1, dataParallel: 1, modelRef: './m.gguf', ...over },
    workload: { promptTokens: 512, outputTokens: 128, concurrency: 1 }, targets: [], settingRanges: {},
  });

  it('says which parameters sized the figures, their published support, the band, and how to verify here', () => {
    const r = estimate(dep(), llama8q4, [hw('rtx-4090'), hw('rtx-3090'), hw('m3-max'), hw('epyc-9654')]);
    for (const t of r.targets) {
      const c = t.perf.calibration!;
      assert.ok(c, t.id);
      assert.equal(c.source, 'published');
      assert.ok(c.prefill.parameters.length > 0 && c.decode.parameters.length > 0, t.id);
      assert.ok(c.decode.support && c.decode.support.rows > 0 && c.decode.support.chips > 0, t.id);
      assert.ok(t.perf.band >= Math.max(c.prefill.band, c.decode.band) - 1e-12);
      assert.match(c.verify.llamaBench!, /^llama-bench -m \.\/m\.gguf -p 512 -n 128 /);
      assert.match(c.verify.kvlensBench, /^kvlens bench \.\/m\.gguf -p 512 -n 128/);
      // The theoretical peak stays beside the expected figure, and is faster.
      assert.ok(t.perf.theoretical.decodeTokensPerSec > t.perf.decodeTokensPerSec, t.id);
      assert.ok(t.perf.theoretical.prefillTokensPerSec > t.perf.prefillTokensPerSec, t.id);
      assert.ok(t.assumptions.some((a) => /published measurements on \d+ chips/.test(a)), t.id);
    }
    const [r4090, r3090, m3, epyc] = r.targets;
    assert.match(r4090!.perf.calibration!.computePath!, /INT8 tensor cores/);
    assert.equal(r4090!.perf.calibration!.decode.group, 'CUDA/quant/geforce-40');
    assert.equal(m3!.perf.calibration!.decode.group, 'Metal/quant/apple-max');
    assert.equal(epyc!.perf.calibration!.backend, 'CPU');
    assert.ok(r4090!.perf.decodeTokensPerSec > r3090!.perf.decodeTokensPerSec, 'more bandwidth decodes faster');
    assert.ok(r4090!.perf.prefillTokensPerSec > m3!.perf.prefillTokensPerSec);
    const text = explainCalibration(r4090!)!;
    assert.match(text, /How the speed was sized/);
    assert.match(text, /CUDA\/quant\/geforce-40/);
    assert.match(text, /published measurements on \d+ chips/);
    assert.match(text, /`llama-bench -m \.\/m\.gguf/);
    // A file-supplied model path cannot break out of its code span.
    const bad = estimate(dep({ modelRef: 'x`](javascript:alert(1))`.gguf' }), llama8q4, [hw('rtx-4090')]).targets[0]!;
    assert.ok(!/`]\(javascript/.test(explainCalibration(bad)!));
  });

  it('the roofline option is the pre-calibration estimate; a custom target without a catalog base keeps it', () => {
    const r = estimate(dep(), llama8q4, [hw('rtx-4090')], { speedModel: 'roofline' }).targets[0]!;
    assert.equal(r.perf.calibration, undefined);
    assert.equal(r.perf.band, 0.3);
    const custom = { ...hw('rtx-4090'), id: 'mine', origin: 'custom' as const, catalogId: undefined };
    assert.equal(estimate(dep(), llama8q4, [custom]).targets[0]!.perf.calibration, undefined);
    const based = { ...hw('rtx-4090'), id: 'mine', origin: 'custom' as const, catalogId: 'rtx-4090' };
    assert.equal(estimate(dep(), llama8q4, [based]).targets[0]!.perf.calibration?.decode.group, 'CUDA/quant/geforce-40');
  });

  it('layer split over several GPUs decodes about as fast as one and pipelines long prefills', () => {
    const t = hw('rtx-3090');
    const s1 = calibratedSpeed({ model: llama8q4, target: t, kvBytesPerToken: 131072, devices: 1 });
    const s4 = calibratedSpeed({ model: llama8q4, target: t, kvBytesPerToken: 131072, devices: 4 });
    const d1 = decodeSeconds(s1, 1, 512).seconds;
    const d4 = decodeSeconds(s4, 1, 512).seconds;
    assert.ok(d4 >= d1 && d4 < 1.3 * d1, `${d1} vs ${d4}`);
    assert.ok(prefillSeconds(s4, 4096).seconds < prefillSeconds(s1, 4096).seconds);
    const b = llamaBenchSpeed(s1, { nPrompt: 512, nGen: 128, depth: 0 });
    assert.ok(b.pp! > b.tg! && b.pg! > b.tg! && b.pg! < b.pp!);
  });

  it('vLLM deployments use the fitted continuous-batching model', () => {
    const d: Deployment = { ...dep(), engine: { ...dep().engine, kind: 'vllm', parallel: 64, contextSize: 8192, tensorParallel: 1 }, workload: { promptTokens: 1000, outputTokens: 1000, concurrency: 64 } };
    const t = estimate(d, model('meta-llama/Llama-3.1-8B-Instruct', 'fp8', 8), [hw('h100-sxm')]).targets[0]!;
    assert.equal(t.perf.calibration?.model, 'serving');
    assert.ok(t.perf.aggregateDecodeTokensPerSec! > 10 * t.perf.decodeTokensPerSec / 2);
    assert.ok(t.perf.calibration!.decode.support!.rows > 50);
    // What the hover and dashboard say it rests on, each word once.
    const summary = calibrationView(t.perf.calibration)!.summary;
    assert.match(summary, /— published serving measurements \(continuous batching\)$/);
    assert.doesNotMatch(summary, /serving.*serving/);
  });
});

describe('calibration: per-machine refinement', () => {
  const machine = { cpu: 'Test CPU', cores: 8, ramBytes: 32 * 2 ** 30, os: 'Linux' };
  const rec = (kind: 'pp' | 'tg', measured: number, estimated: number, calibration = 'published:abc'): ResultRecord => ({
    id: `${kind}-${measured}`, runId: 'r', savedAt: '2026-01-01T00:00:00Z', machine, model: { path: 'm.gguf', sha256: 'x' }, flags: [],
    result: { model_filename: 'm.gguf', model_size: 1, model_n_params: 1, n_batch: 2048, n_ubatch: 512, n_threads: 4, n_gpu_layers: 0, type_k: 'f16', type_v: 'f16', flash_attn: false, n_prompt: kind === 'pp' ? 512 : 0, n_gen: kind === 'tg' ? 128 : 0, n_depth: 0, test_time: '', avg_ns: 1, stddev_ns: 0, avg_ts: measured, stddev_ts: 0, samples_ns: [], samples_ts: [], n_ctx: 1024, kv_bytes: 1, kv_k_bytes: 1, kv_v_bytes: 0, engine: 'node-llama-cpp' },
    estimate: kind === 'pp' ? { prefillTokensPerSec: estimated, calibration } : { decodeTokensPerSec: estimated, calibration },
  });

  it('moves the estimate toward this machine\'s runs and narrows the band as runs accumulate', () => {
    const one = machineCalibration([rec('tg', 50, 100)], { calibration: 'published:abc' })!;
    assert.equal(one.runs, 1);
    assert.equal(one.label, 'calibrated on 1 run on this machine');
    // est/meas = 2: one run moves the time a third of the way (in logs).
    assert.ok(Math.abs(Math.log(one.tg!.factor) - Math.log(2) / 3) < 1e-9);
    const many = machineCalibration(Array.from({ length: 12 }, (_, i) => rec('tg', 50 + (i % 3), 100)), { calibration: 'published:abc' })!;
    assert.equal(many.label, 'calibrated on 12 runs on this machine');
    assert.ok(many.tg!.factor > one.tg!.factor);
    assert.ok(refinedBand(0.3, many.tg!) < refinedBand(0.3, one.tg!));
    assert.ok(refinedBand(0.3, many.tg!) >= 0.03 && refinedBand(0.3, one.tg!) <= 0.3);
    // Runs estimated by another calibration, or on another machine, are left out.
    const mixed = machineCalibration([rec('pp', 10, 20, 'published:old'), rec('pp', 10, 20)], { calibration: 'published:abc' })!;
    assert.equal(mixed.runs, 1);
    assert.equal(mixed.skipped, 1);
    assert.equal(machineCalibration([rec('pp', 10, 20)], { machine: 'another', calibration: 'published:abc' }), undefined);
  });

  it('an estimate calibrated on this machine says so and shows the narrower band', () => {
    const z = { line: 0, character: 0 };
    const d: Deployment = { name: 'x', format: 'kvlens-profile', anchor: { start: z, end: z }, engine: { kind: 'llama.cpp', contextSize: 4096, parallel: 1, cacheTypeK: 'f16', cacheTypeV: 'f16', flashAttention: 'on', tensorParallel: 1, pipelineParallel: 1, dataParallel: 1 }, workload: { promptTokens: 512, outputTokens: 128, concurrency: 1 }, targets: [], settingRanges: {} };
    const mc = machineCalibration(Array.from({ length: 12 }, () => rec('tg', 50, 100)), { calibration: 'published:abc' })!;
    const t = hw('rtx-4090');
    const plain = estimate(d, llama8q4, [t]).targets[0]!;
    const cal = estimate(d, llama8q4, [t], { machineCalibration: { 'rtx-4090': mc } }).targets[0]!;
    assert.equal(cal.perf.calibration?.source, 'machine');
    assert.equal(cal.perf.calibration?.machine?.label, 'calibrated on 12 runs on this machine');
    assert.ok(cal.perf.calibration!.decode.band < plain.perf.calibration!.decode.band);
    assert.ok(cal.perf.decodeTokensPerSec < 0.7 * plain.perf.decodeTokensPerSec, 'the runs were twice as slow as estimated');
    assert.ok(Math.abs(cal.perf.prefillTokensPerSec - plain.perf.prefillTokensPerSec) < 1e-6 * plain.perf.prefillTokensPerSec, 'no prefill runs: prefill unchanged');
    assert.match(explainCalibration(cal)!, /calibrated on 12 runs on this machine/);
  });

  it('reads this machine\'s runs from a results store, again only when the file changed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-mc-'));
    try {
      const file = path.join(dir, 'results.jsonl');
      assert.equal(await machineCalibrationFromStore(file), undefined, 'no store yet');
      const here = { ...machineInfo() };
      const recs = Array.from({ length: 3 }, (_, i) => ({ ...rec('tg', 50 + i, 100, calibrationId()), id: `r${i}`, machine: here }));
      fs.writeFileSync(file, recs.map((r) => JSON.stringify(r)).join('\n') + '\n');
      const a = await machineCalibrationFromStore(file);
      assert.equal(a?.runs, 3);
      assert.equal(await machineCalibrationFromStore(file), a, 'cached while the file is unchanged');
      fs.appendFileSync(file, JSON.stringify({ ...rec('tg', 60, 100, calibrationId()), id: 'r9', machine: here }) + '\n');
      fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
      assert.equal((await machineCalibrationFromStore(file))?.runs, 4);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('calibration: serving model', () => {
  const k: ServingCoef = { weights: 1, kv: 1.5, compute: 1.7, comm: 2, iterationMs: 10, maxBatch: 2048 };
  it('throughput grows with the batch until compute binds; tensor parallel adds all-reduce time', () => {
    const m = model('meta-llama/Llama-3.1-8B-Instruct', 'fp8', 8);
    const base = { model: m, target: hw('h200'), devices: 1, tensorParallel: 1, weightBytes: 1, kvBytesPerElement: 1, inputLen: 128, outputLen: 128 };
    const b1 = servingFigures({ ...base, concurrency: 1 }, k);
    const b64 = servingFigures({ ...base, concurrency: 64 }, k);
    const full = servingFigures(base, k);
    assert.ok(b64.outputTokensPerSec > 20 * b1.outputTokensPerSec);
    assert.ok(full.batch === 2048 && full.bound === 'compute' && full.outputTokensPerSec > b64.outputTokensPerSec);
    const tp2 = servingFigures({ ...base, devices: 2, tensorParallel: 2, concurrency: 64 }, k);
    assert.ok(tp2.tpotSec < b64.tpotSec);
    assert.ok(tp2.tpotSec > b64.tpotSec / 2, 'all-reduce costs something');
  });
});

