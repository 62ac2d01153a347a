// Markdown explanations for hovers and the panel: each figure's formula with the numbers plugged in, and the
// assumptions and sources behind it. Strings from files (model and target names) are escaped for Markdown.
import type { ModelDescriptor } from '../models/descriptor';
import type { EstimateReport, TargetEstimate } from './report';
import { kvGroupRule, llamaKvCache, type LlamaKvCache } from './kvCache';
import { LLAMA_CPP_COMMIT_SHORT } from '../models/arch/llamaArchTable';
import type { Deployment } from '../deployment';
import { resolveEngine } from './estimate';
import { normalizeModel } from './modelShape';
import { bytesPerElement, vllmKvBytesPerElement } from './cacheTypes';
import { formatBytes, formatCount, formatDuration, formatRate, formatSi } from '../units';

/** Escape Markdown and HTML metacharacters in text that came from a file. */
export function md(text: string | undefined): string {
  return String(text ?? '').replace(/[\\`*_{}[\]()#+!|<>&~]/g, (c) => `\\${c}`);
}

function bytesWithExact(n: number): string {
  return `${formatBytes(n, 2)} (${formatCount(n)} B)`;
}

function typeLabel(t: string): string {
  const b = bytesPerElement(t);
  return b === undefined ? t : `${Number(b.toFixed(5))} B (${t})`;
}

/**
 * The KV formula for a llama.cpp cache, e.g.
 * `2 × 32 layers × 8 KV heads × 128 head_dim × 1.0625 B (q8_0) = 69,632 B/token`, then cells × streams.
 */
export function explainKvCache(model: ModelDescriptor, kv: LlamaKvCache): string {
  const lines: string[] = ['**KV cache (llama.cpp allocation)**', ''];
  const layers = kv.layers.length;
  const heads = [...new Set(kv.layers.map((l) => l.kvHeads))];
  const same = kv.typeK === kv.typeV;
  if (model.mla) {
    const lat = model.mla.kvLoraRank + model.mla.qkRopeHeadDim;
    lines.push(`MLA latent: ${layers} layers × (${model.mla.kvLoraRank} + ${model.mla.qkRopeHeadDim}) = ${lat} elements × ${typeLabel(kv.typeK)} = **${formatCount(kv.bytesPerToken)} B/token** (no separate V)`);
  } else if (new Set(kv.layers.map((l) => `${l.kElements}|${l.vElements}`)).size > 1) {
    lines.push(`${layers} KV layers with per-layer head counts and sizes (groups below) × ${typeLabel(kv.typeK)}${same ? '' : ` / ${typeLabel(kv.typeV)}`} = **${formatCount(kv.bytesPerToken)} B/token**`);
  } else if (heads.length === 1 && same && model.headDimK === model.headDimV) {
    lines.push(`2 × ${layers} layers × ${heads[0]} KV heads × ${model.headDimK} head_dim × ${typeLabel(kv.typeK)} = **${formatCount(kv.bytesPerToken)} B/token**`);
  } else {
    const hs = heads.length === 1 ? `${heads[0]} KV heads` : `per-layer KV heads (${heads.join(', ')})`;
    lines.push(`K: ${layers} layers × ${hs} × ${model.headDimK} × ${typeLabel(kv.typeK)} + V: × ${model.headDimV} × ${typeLabel(kv.typeV)} = **${formatCount(kv.bytesPerToken)} B/token**`);
  }
  lines.push('');
  const full = kv.layers.filter((l) => l.kind !== 'swa').length;
  const swa = kv.layers.length - full;
  lines.push(`Cells: -c padded to a multiple of 256 → ${formatCount(kv.nCtx)}${kv.unified ? ' (unified: 1 stream shared by all sequences)' : `; ${kv.nSeq} sequence(s) × PAD(n_ctx / ${kv.nSeq}, 256) = ${formatCount(kv.nCtxSeq)} cells per stream`}`);
  lines.push('');
  lines.push(`${full} full-attention layer(s) × ${formatCount(kv.cells)} cells × ${kv.streams} stream(s)` + (swa ? `; ${swa} sliding-window layer(s) × ${formatCount(kv.swaCells ?? kv.cells)} cells (PAD(min(cells, n_swa${kv.unified ? ' × n_seq' : ''} + n_ubatch ${kv.nUbatch}), 256))` : ''));
  lines.push('');
  const groups = explainKvGroups(kv);
  if (groups) lines.push(groups, '');
  if (model.llamaPlan?.rules.length) lines.push(`_Layout rules (llama.cpp ${LLAMA_CPP_COMMIT_SHORT}): ${model.llamaPlan.rules.map(md).join('; ')}_`, '');
  lines.push(`K (${kv.typeK}) ${bytesWithExact(kv.kBytes)} + V (${kv.typeV}) ${bytesWithExact(kv.vBytes)} = **${bytesWithExact(kv.totalBytes)}**`);
  if (kv.vTransposed) lines.push('', 'Flash attention off: V is stored transposed (rows widened to the largest layer\'s).');
  for (const n of kv.notes) lines.push('', `- ${md(n)}`);
  for (const e of kv.errors) lines.push('', `⚠ llama.cpp refuses this: ${md(e)}`);
  lines.push('', '_Source: llama.cpp src/llama-context.cpp, llama-kv-cache.cpp, llama-kv-cache-iswa.cpp (the version bundled in node-llama-cpp). Sizes in binary units (GiB = 2³⁰ B)._');
  return lines.join('\n');
}

/**
 * Which rule sized each layer group, one line per group, e.g. "18 full layers × 8,192 cells (-c padded to 256);
 * 18 SWA layers × 768 cells (window 128 + ubatch 512 = 640, padded to 256)" — plus the recurrent state.
 */
export function explainKvGroups(kv: Pick<LlamaKvCache, 'groups'>): string {
  if (!kv.groups?.length) return '';
  return kv.groups.map((g) => {
    if (g.kind === 'recurrent') return `- ${g.layers} recurrent layer${g.layers === 1 ? '' : 's'}: ${formatCount(g.bytes)} B — ${md(kvGroupRule(g))}`;
    const what = g.kind === 'swa' ? 'SWA' : 'full';
    const kv = g.vElements ? `K ${formatCount(g.kElements)} + V ${formatCount(g.vElements)}` : `K ${formatCount(g.kElements)} (no V)`;
    return `- ${g.layers} ${what} layer${g.layers === 1 ? '' : 's'} × ${md(kvGroupRule(g))}: ${kv} elements per cell, ${formatCount(g.bytes)} B`;
  }).join('\n');
}

/** The textbook per-token formula for a vLLM or paper-style figure. */
export function explainKvPerToken(model: ModelDescriptor, bytesPerElem: number, label: string, tensorParallel = 1): string {
  const heads = model.kvHeadsPerLayer[0] ?? 0;
  const per = 2 * model.layers * heads * model.headDimK * bytesPerElem;
  const tp = tensorParallel > 1 ? ` ÷ TP ${tensorParallel} = ${formatCount(per / tensorParallel)} B/token per GPU` : '';
  return `2 × ${model.layers} layers × ${heads} KV heads × ${model.headDimK} head_dim × ${bytesPerElem} B (${md(label)}) = **${formatCount(per)} B/token**${tp}`;
}

export function explainWeights(report: EstimateReport, t: TargetEstimate): string {
  const lines = [`**Weights on ${md(t.name)}**`, ''];
  lines.push(`${md(report.model.name)}: ${formatSi(report.model.params, '')} parameters (${formatSi(report.model.activeParams, '')} active per token), ${bytesWithExact(report.model.weightsBytes)} in all`);
  if (t.devices > 1) lines.push('', `÷ ${t.devices} devices (tensor × pipeline parallel) = ${bytesWithExact(t.memory.weightsBytes)} per device`);
  else lines.push('', `On the device: ${bytesWithExact(t.memory.weightsBytes)}${t.memory.hostWeightsBytes ? `; in host memory: ${formatBytes(t.memory.hostWeightsBytes)} (token embedding / layers not offloaded by -ngl)` : ''}`);
  const w = t.assumptions.find((a) => a.startsWith('weights:'));
  if (w) lines.push('', `_${md(w)}_`);
  return lines.join('\n');
}

export function explainMemory(report: EstimateReport, t: TargetEstimate): string {
  const m = t.memory;
  const lines = [`**Memory on ${md(t.name)}** (per device, binary units)`, ''];
  lines.push(`weights ${formatBytes(m.weightsBytes)} + KV ${formatBytes(m.kvBytes)} + compute ${formatBytes(m.computeBytes)} + overhead ${formatBytes(m.overheadBytes ?? 0)}${m.draftBytes ? ` + draft ${formatBytes(m.draftBytes)}` : ''} = **${formatBytes(m.totalBytes)}** of ${formatBytes(m.capacityBytes)}`);
  const pct = m.capacityBytes > 0 ? Math.round((m.totalBytes / m.capacityBytes) * 100) : 0;
  lines.push('', `${pct} % used → **${m.verdict}** (fits < 85 %, tight ≤ 100 %)`);
  if (report.engine.kind === 'vllm' && m.budgetBytes !== undefined) lines.push('', `vLLM claims gpu-memory-utilization × capacity = ${formatBytes(m.budgetBytes)}; the KV pool is what is left after weights, activations and non-torch memory.`);
  return lines.join('\n');
}

export function explainConcurrency(report: EstimateReport, t: TargetEstimate): string {
  const c = t.concurrency;
  const lines = [`**Concurrency on ${md(t.name)}**`, ''];
  if (report.engine.kind === 'vllm') {
    lines.push(`KV pool ${formatBytes(t.memory.kvBytes)} ÷ ${formatCount(t.memory.kvBytesPerToken)} B/token per GPU = ${formatCount(c.maxKvTokens ?? 0)} tokens${c.kvBlocks !== undefined ? ` (${formatCount(c.kvBlocks)} blocks)` : ''}`);
    lines.push('', `÷ max-model-len ${formatCount(c.atContext)} = **${c.maxSequences} sequence${c.maxSequences === 1 ? '' : 's'}** (capped by max-num-seqs ${report.engine.parallel})`);
  } else {
    const free = t.memory.capacityBytes - (t.memory.totalBytes - t.memory.kvBytes);
    lines.push(`(capacity − weights − buffers) ${formatBytes(free)} ÷ one sequence of ${formatCount(c.atContext)} tokens = **${c.maxSequences} sequence${c.maxSequences === 1 ? '' : 's'}**`);
  }
  if (c.maxContextAtParallel !== undefined) lines.push('', `Largest context per sequence that fits at ${report.engine.parallel} slot(s): ${formatCount(c.maxContextAtParallel)} tokens`);
  return lines.join('\n');
}

export function explainTiming(report: EstimateReport, t: TargetEstimate): string {
  const p = t.perf;
  const band = Math.round(p.band * 100);
  // Calibrated figures carry a band per kind (prefill, decode); say those rather than one roofline band.
  const c = p.calibration;
  const how = c && c.source !== 'roofline'
    ? `calibrated; expected ±${Math.round(c.prefill.band * 100)} % prefill, ±${Math.round(c.decode.band * 100)} % decode`
    : `roofline; expected ±${band} %`;
  const lines = [`**Speed on ${md(t.name)}** (${how}, theoretical = datasheet peak)`, ''];
  lines.push(`TTFT (${formatCount(report.workload.promptTokens)}-token prompt): **${formatDuration(p.ttftSec)}** expected, ${formatDuration(p.theoretical.ttftSec)} theoretical — ${p.prefillBound ?? 'compute'}-bound: (2 × ${formatSi(report.model.activeParams, '')} active params × tokens + causal attention FLOPs) ÷ achievable FLOP/s`);
  lines.push('', `TPOT at batch ${p.batch ?? report.workload.concurrency}, depth ${formatCount(p.decodeDepth ?? 0)}: **${formatDuration(p.tpotSec)}** (${formatRate(p.decodeTokensPerSec)} per user, ${formatRate(p.aggregateDecodeTokensPerSec)} in all) expected; ${formatDuration(p.theoretical.tpotSec)} theoretical — ${p.bound}-bound: (weights read once per step + each sequence's KV) ÷ achievable bandwidth`);
  if (p.ridgePoint) lines.push('', `Ridge point ${p.ridgePoint.toFixed(0)} FLOP/byte: decode turns compute-bound only when the batch's arithmetic intensity passes it.`);
  lines.push('', `Context switch (one user's KV out, another's in over the host link): ${formatDuration(p.contextSwitchSec)}`);
  if (p.speculative) lines.push('', `Speculative decoding (MagicDec): Ω = (1 − α^(γ+1)) / (1 − α) = ${(p.speculative.expectedTokensPerStep ?? 0).toFixed(2)}; speedup ${p.speculative.speedup.toFixed(2)}× at γ = ${p.speculative.draftLength ?? '?'}; best γ = ${p.speculative.bestDraftLength} (${(p.speculative.bestSpeedup ?? p.speculative.speedup).toFixed(2)}×)`);
  lines.push('', '_TTFT is for one request; under load queueing dominates._');
  const cal = explainCalibration(t);
  if (cal) lines.push('', cal);
  return lines.join('\n');
}

/**
 * What sized the speed figures (issue 13): the calibration group and its parameters with their share of the time,
 * how many published measurements support them and their held-out error, and how to verify on this machine.
 */
export function explainCalibration(t: TargetEstimate): string | undefined {
  const c = t.perf.calibration;
  if (!c) return undefined;
  const lines: string[] = [];
  const what = c.model === 'serving' ? 'continuous-batching serving model' : `calibrated llama.cpp model, ${md(c.backend)} backend${c.devices > 1 ? `, layers split over ${c.devices} GPUs` : ''}`;
  lines.push(`**How the speed was sized** (${what}${c.machine ? `; ${md(c.machine.label)}` : ''})`);
  // Inside a code span Markdown escapes would show literally: only the backtick needs keeping out.
  const code = (x: string) => `\`${x.replace(/`/g, "'").replace(/[\r\n]+/g, ' ')}\``;
  const part = (label: string, p: NonNullable<typeof c>['prefill']) => {
    const scope = p.support && p.support.scope !== p.group ? ` (${md(p.support.scope)})` : '';
    const sup = p.support ? `${p.support.rows} published measurements on ${p.support.chips} chip${p.support.chips === 1 ? '' : 's'}${scope}, held-out median error ${p.support.medianAbsErrorPct} %` : 'no published measurements in this group';
    lines.push('', `${label} — ${code(p.group)}: ${sup}; shown ± ${Math.round(p.band * 100)} %`);
    for (const x of p.parameters.slice(0, 5)) lines.push(`- ${md(x.text)}${x.share > 0 ? ` — ${Math.round(x.share * 100)} % of the time` : ''}`);
    if (Math.abs(p.factor - 1) >= 0.01) lines.push(`- × ${p.factor.toFixed(2)} for current builds and this weight type${c.machine ? ' and this machine' : ''}`);
  };
  part('Prefill', c.prefill);
  part('Decode', c.decode);
  lines.push('', `Verify here: ${c.verify.llamaBench ? `${code(c.verify.llamaBench)} or ${code(c.verify.kvlensBench)}` : md(c.verify.kvlensBench)}${c.verify.note ? ` — ${md(c.verify.note)}` : ''}`);
  return lines.join('\n');
}

export function explainAssumptions(t: TargetEstimate): string {
  return [`**Assumptions for ${md(t.name)}**`, '', ...t.assumptions.map((a) => `- ${md(a)}`)].join('\n');
}

/** Everything about one target, for a hover or the panel's details. */
export function explainTarget(report: EstimateReport, t: TargetEstimate): string {
  return [explainMemory(report, t), explainWeights(report, t), explainConcurrency(report, t), explainTiming(report, t), explainAssumptions(t)].join('\n\n---\n\n');
}

/** vLLM's per-token KV explained for the report's engine settings: per layer kind when the model has a vLLM spec. */
export function explainVllmKv(model: ModelDescriptor, kvCacheDtype: string, dtype: string | undefined, tensorParallel: number): string {
  const bpe = vllmKvBytesPerElement(kvCacheDtype, dtype);
  if (!model.vllm) return explainKvPerToken(model, bpe, `kv-cache-dtype ${kvCacheDtype}`, tensorParallel);
  const tp = Math.max(1, tensorParallel);
  const kinds = new Map<string, { layers: number; bytes: number; what: string }>();
  for (const { spec } of model.vllm.layers) {
    let key: string;
    let bytes = 0;
    let what: string;
    if (spec.kind === 'mamba') {
      key = `mamba:${spec.mamba.type}`;
      what = `${spec.mamba.type.replace(/_/g, ' ')} state (per sequence, not per token)`;
    } else if (spec.kind === 'mla') {
      key = `mla:${spec.headSize}`;
      bytes = spec.headSize * bpe;
      what = `MLA latent ${spec.headSize} × ${bpe} B`;
    } else {
      const heads = Math.max(1, Math.floor(spec.kvHeads / tp));
      key = `${spec.kind}:${heads}:${spec.headSize}`;
      bytes = heads * (spec.headSize + spec.headSizeV) * bpe;
      const win = spec.kind === 'sliding' ? `, window ${spec.window}` : spec.kind === 'chunked' ? `, chunks of ${spec.chunk}` : '';
      what = `${spec.kind} attention${win}: 2 × ${heads} KV heads × ${spec.headSize} × ${bpe} B`;
    }
    const k = kinds.get(key) ?? { layers: 0, bytes, what };
    k.layers++;
    kinds.set(key, k);
  }
  const total = [...kinds.values()].reduce((a, k) => a + k.layers * k.bytes, 0);
  const lines = [...kinds.values()].map((k) => `- ${k.layers} layer${k.layers === 1 ? '' : 's'}: ${md(k.what)}${k.bytes ? ` = ${formatCount(k.bytes)} B/token each` : ''}`);
  return [`${lines.join('\n')}`, '', `= **${formatCount(total)} B/token** per GPU (kv-cache-dtype ${md(kvCacheDtype)}${tp > 1 ? `, TP ${tp}` : ''}; vllm/v1/kv_cache_interface.py page sizes)`].join('\n');
}

/** The KV explanation for a deployment's own engine settings (llama.cpp allocation, or vLLM's per-token figure). */
export function explainDeploymentKv(deployment: Deployment, model: ModelDescriptor): string {
  const { model: m } = normalizeModel(model);
  const e = resolveEngine(deployment, m);
  if (e.kind === 'vllm') return `**KV cache per token (vLLM)**\n\n${explainVllmKv(m, e.kvCacheDtype, e.dtype, e.tensorParallel)}`;
  const kv = llamaKvCache(m, { nCtx: e.contextSize, nSeq: e.parallel, unified: e.unified, typeK: e.typeK, typeV: e.typeV, nUbatch: e.nUbatch, nBatch: e.nBatch, swaFull: e.swaFull, flashAttention: e.flashAttention });
  return explainKvCache(m, kv);
}
