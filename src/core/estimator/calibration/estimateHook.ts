// What estimate() asks of the calibration for one target: the efficiencies that carry the calibrated model (for
// the expected figures) and its theoretical twin, the band, the report block (which parameters sized the figures,
// how many published measurements support them, how to verify here) and the assumption lines.
import type { HardwareTarget } from '../../hardware/types';
import type { ModelDescriptor } from '../../models/descriptor';
import { formatSi } from '../../units';
import type { SpeedCalibrationInfo, CalibrationPart } from '../report';
import type { Efficiencies } from '../perf';
import type { MachineCalibration } from './machine';
import { ERA_LABEL, type SpeedParams } from './model';
import { attentionPeak, defaultBackend, quantFamily, LAYER_UNIT_SEC, STEP_UNIT_SEC, HOP_UNIT_SEC } from './terms';
import { calibratedSpeed, type CalibratedSpeed, decodeSeconds, prefillSeconds, servingCalibration } from './speed';

export interface SpeedSetup {
  eff: Efficiencies;
  theoretical: Efficiencies;
  band: number;
  info: SpeedCalibrationInfo;
  assumptions: string[];
}

export interface LlamaSpeedInput {
  target: HardwareTarget;
  model: ModelDescriptor;
  flashAttention: 'on' | 'off' | 'auto';
  nUbatch: number;
  nBatch: number;
  threads?: number;
  kvBytesPerToken: number;
  workload: { promptTokens: number; outputTokens: number };
  modelRef?: string;
  params?: SpeedParams;
  machine?: MachineCalibration;
}

const pct = (x: number): string => `${Math.round(x * 100)} %`;

function describePart(s: CalibratedSpeed, kind: 'pp' | 'tg', terms: Record<string, number>): CalibrationPart {
  const k = kind === 'pp' ? s.pp : s.tg;
  const c = k.coef;
  const t = s.ctx.target;
  const bw = formatSi(t.memoryBandwidthBytesPerSec, 'B/s');
  const total = Object.entries(terms).reduce((a, [n, v]) => a + (c[n] ?? 0) * v, 0) || 1;
  const lines: CalibrationPart['parameters'] = [];
  const add = (term: string, text: string) => {
    const share = ((c[term] ?? 0) * (terms[term] ?? 0)) / total;
    if ((c[term] ?? 0) > 0 && (terms[term] ?? 0) > 0 && share >= 0.005) lines.push({ term, value: Number((c[term] ?? 0).toPrecision(3)), share: Math.round(share * 1000) / 1000, text });
  };
  const eff = (term: string) => pct(1 / Math.max(1e-9, c[term] ?? 1));
  if (kind === 'tg') {
    add('weights', `weights stream at ${eff('weights')} of ${bw}`);
    add('experts', `routed MoE experts stream at ${eff('experts')} of ${bw}`);
    add('kv', `KV cache reads at ${eff('kv')} of ${bw}`);
    add('compute', `decode matmuls at ${eff('compute')} of ${formatSi(s.computePath.flops, 'FLOP/s')} (${s.computePath.path})`);
    add('layers', `${((c.layers ?? 0) * LAYER_UNIT_SEC * 1e6).toFixed(1)} µs per layer per token (kernel launches)`);
    add('step', `${((c.step ?? 0) * STEP_UNIT_SEC * 1e6).toFixed(0)} µs fixed per token (sampling, host sync)`);
    add('hops', `${((c.hops ?? 0) * HOP_UNIT_SEC * 1e6).toFixed(0)} µs per GPU hop`);
  } else {
    add('compute', `prefill matmuls on ${s.computePath.path}: ${eff('compute')} of ${formatSi(s.computePath.flops, 'FLOP/s')}`);
    add('expertCompute', `MoE expert matmuls at ${eff('expertCompute')} of that peak`);
    add('attention', `attention at ${eff('attention')} of ${formatSi(attentionPeak(s.ctx), 'FLOP/s')} FP16`);
    add('scores', `non-flash-attention KQ scores traffic at ${eff('scores')} of ${bw}`);
    add('weights', `weights read per micro-batch of ${s.ctx.nUbatch} at ${eff('weights')} of ${bw}`);
    add('experts', `expert weights read per micro-batch at ${eff('experts')} of ${bw}`);
    add('kv', `KV read per micro-batch at ${eff('kv')} of ${bw}`);
    add('layers', `${((c.layers ?? 0) * LAYER_UNIT_SEC * 1e6).toFixed(1)} µs per layer per micro-batch`);
    add('hops', `${((c.hops ?? 0) * HOP_UNIT_SEC * 1e6).toFixed(0)} µs per GPU hop per micro-batch`);
  }
  lines.sort((a, b) => b.share - a.share);
  const sup = k.support;
  return {
    group: k.group, factor: Number(k.factor.toPrecision(3)), parameters: lines, band: k.band,
    support: sup ? { rows: sup.rows, chips: sup.chips, medianAbsErrorPct: Math.round(sup.medianAbsError * 1000) / 10, bandPct: Math.round(sup.band * 100), scope: sup.scope } : undefined,
  };
}

function verify(inp: { modelRef?: string; prompt: number; gen: number; fa: boolean; threads?: number; cpu: boolean }): SpeedCalibrationInfo['verify'] {
  const m = inp.modelRef && /\.gguf$/i.test(inp.modelRef) ? inp.modelRef : 'MODEL.gguf';
  const p = Math.max(1, inp.prompt || 512);
  const n = Math.max(1, inp.gen || 128);
  const llama = `llama-bench -m ${m} -p ${p} -n ${n}${inp.cpu ? ' -ngl 0' : ' -ngl 99'}${inp.fa ? ' -fa 1' : ''}${inp.threads ? ` -t ${inp.threads}` : ''} -o jsonl`;
  const kv = `kvlens bench ${m} -p ${p} -n ${n}${inp.cpu ? '' : ' --gpu'} --out kvlens-results.jsonl`;
  return { llamaBench: llama, kvlensBench: kv, note: 'run either on this machine and keep the results store: later estimates for it are calibrated on those runs' };
}

export function llamaSpeedSetup(inp: LlamaSpeedInput): SpeedSetup {
  const t = inp.target;
  const backend = defaultBackend(t.catalogId ? { ...t, backends: t.backends } : t);
  const devices = t.kind === 'gpu' ? Math.max(1, t.count ?? 1) : 1;
  const fa = inp.flashAttention === 'on' || (inp.flashAttention === 'auto' && backend !== 'CPU');
  const s = calibratedSpeed({
    model: inp.model, target: t, backend, kvBytesPerToken: inp.kvBytesPerToken, window: inp.model.slidingWindow, devices,
    threads: backend === 'CPU' ? inp.threads : undefined, nUbatch: inp.nUbatch, nBatch: inp.nBatch, flashAttention: fa, params: inp.params, machine: inp.machine,
  });
  const prompt = Math.max(1, inp.workload.promptTokens);
  const pp = prefillSeconds(s, prompt);
  const tg = decodeSeconds(s, 1, prompt + inp.workload.outputTokens / 2);
  const prefill = describePart(s, 'pp', pp.terms);
  const decode = describePart(s, 'tg', tg.terms);
  const band = Math.max(s.pp.band, s.tg.band);
  const info: SpeedCalibrationInfo = {
    source: s.machine ? 'machine' : 'published', model: 'llama.cpp', backend, computePath: s.computePath.path, computePeakFlops: s.computePath.flops,
    devices, prefill, decode,
    machine: s.machine ? { runs: s.machine.runs, label: s.machine.label } : undefined,
    verify: verify({ modelRef: inp.modelRef, prompt, gen: inp.workload.outputTokens, fa, threads: inp.threads, cpu: backend === 'CPU' }),
  };
  const sup = (p: CalibrationPart) => (p.support ? `${p.support.rows} published measurements on ${p.support.chips} chips (${p.support.scope}): held-out median error ${p.support.medianAbsErrorPct} %` : 'no published measurements in its group');
  const assumptions = [
    `speed: calibrated llama.cpp model, ${backend} backend, ${quantFamily(inp.model.weightsType)} weights (${inp.model.weightsType}); prefill on ${s.computePath.path}; coefficients of ${prefill.group} (prefill) and ${decode.group} (decode), ${ERA_LABEL.E2}`,
    `speed support: prefill ${sup(prefill)}; decode ${sup(decode)}; ± ${Math.round(s.pp.band * 100)} % (prefill) / ± ${Math.round(s.tg.band * 100)} % (decode) bands from those held-out errors`,
  ];
  const runs = (n: number) => `${n} run${n === 1 ? '' : 's'}`;
  if (s.machine) assumptions.push(`speed refined by this machine's runs: ${s.machine.label}${s.machine.pp ? `; prefill speed × ${(1 / s.machine.pp.factor).toFixed(2)} (${runs(s.machine.pp.runs)})` : ''}${s.machine.tg ? `; decode speed × ${(1 / s.machine.tg.factor).toFixed(2)} (${runs(s.machine.tg.runs)})` : ''}`);
  if (devices > 1) assumptions.push(`speed: llama.cpp layer split over ${devices} GPUs — each step passes through them in turn; a batch's micro-batches are pipelined across them`);
  return {
    eff: { compute: t.efficiency.compute, bandwidth: t.efficiency.bandwidth, calibrated: s },
    theoretical: { compute: 1, bandwidth: 1, calibrated: s, theoretical: true },
    band, info, assumptions,
  };
}

export function servingSpeedSetup(inp: { target: HardwareTarget; params?: SpeedParams; workload: { promptTokens: number; outputTokens: number }; modelRef?: string }): SpeedSetup | undefined {
  const sv = servingCalibration(inp.params);
  if (!sv || inp.target.kind === 'cpu') return undefined;
  const k = sv.coef;
  const part = (text: CalibrationPart['parameters']): CalibrationPart => ({
    group: 'continuous batching', factor: 1, parameters: text, band: sv.support.band,
    support: { rows: sv.support.rows, chips: sv.support.chips.length, medianAbsErrorPct: sv.support.medianAbsErrorPct, bandPct: Math.round(sv.support.band * 100), scope: `published serving benchmarks on ${sv.support.chips.join(', ')}` },
  });
  const info: SpeedCalibrationInfo = {
    source: 'published', model: 'serving', backend: defaultBackend(inp.target), devices: 1,
    prefill: part([{ term: 'compute', value: k.compute, share: 1, text: `prefill at ${pct(1 / k.compute)} of the tensor peak` }]),
    decode: part([
      { term: 'weights', value: k.weights, share: 0, text: `weights stream at ${pct(Math.min(1, 1 / k.weights))} of bandwidth (overlapped with compute at large batch)` },
      { term: 'kv', value: k.kv, share: 0, text: `KV reads at ${pct(1 / k.kv)} of bandwidth` },
      { term: 'compute', value: k.compute, share: 0, text: `batched matmuls at ${pct(1 / k.compute)} of the tensor peak (FP4 counted at the FP8 rate)` },
      { term: 'comm', value: k.comm, share: 0, text: `tensor-parallel all-reduce × ${k.comm.toFixed(2)}` },
      { term: 'iteration', value: k.iterationMs, share: 0, text: `${k.iterationMs.toFixed(1)} ms fixed per iteration (scheduler, sampling)` },
    ]),
    verify: { kvlensBench: 'a load test against your endpoint (issue 14) will calibrate this; until then the published serving fit applies', note: 'fitted on offline max-throughput runs: a live server under an arrival rate adds queueing' },
  };
  return {
    eff: { compute: inp.target.efficiency.compute, bandwidth: inp.target.efficiency.bandwidth, serving: sv },
    theoretical: { compute: 1, bandwidth: 1, serving: sv, theoretical: true },
    band: sv.support.band, info,
    assumptions: [`speed: continuous-batching model fitted to ${sv.support.rows} published serving runs (${sv.support.chips.join(', ')}): held-out median error ${sv.support.medianAbsErrorPct} %, ± ${Math.round(sv.support.band * 100)} % band; decode iteration = max(memory, compute) + all-reduce + ${k.iterationMs.toFixed(1)} ms`],
  };
}
