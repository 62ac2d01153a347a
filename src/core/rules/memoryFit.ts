// Memory fit per hardware target: "does not fit on rtx-4090: needs 27.3 GiB of 24 GiB", on the target's entry,
// with quick fixes that are computed by re-running the estimator (largest context that fits, a cache type that
// fits and that llama.cpp accepts with the flash-attention setting, fewer slots) — never guessed.
import type { Deployment } from '../deployment';
import type { KvDiagnostic, QuickFix, Range } from '../diagnostics';
import type { ModelDescriptor } from '../models/descriptor';
import type { Rule } from './rule';
import { estimate } from '../estimator/estimate';
import { cacheTypeErrors, isFlashAttentionOn } from '../estimator/kvCache';
import { resolveTargets } from '../hardware/targets';
import type { HardwareTarget } from '../hardware/types';
import type { TargetEstimate } from '../estimator/report';
import { formatTokens } from '../units';

const GIB = 2 ** 30;
const FIX_CACHE_TYPES = ['q8_0', 'q5_1', 'q5_0', 'q4_1', 'q4_0'];

function gib(n: number): string {
  const v = n / GIB;
  return Number.isInteger(Math.round(v * 10) / 10) ? `${Math.round(v)} GiB` : `${v.toFixed(1)} GiB`;
}

function withEngine(d: Deployment, patch: Partial<Deployment['engine']>): Deployment {
  return { ...d, engine: { ...d.engine, ...patch } };
}

function fitsOn(d: Deployment, model: ModelDescriptor, target: HardwareTarget): TargetEstimate | undefined {
  const t = estimate(d, model, [target], { whatIfs: false }).targets[0];
  return t && t.memory.fits ? t : undefined;
}

function contextFix(d: Deployment, model: ModelDescriptor, target: HardwareTarget, te: TargetEstimate): QuickFix | undefined {
  const range = d.settingRanges.contextSize;
  const perSeq = te.concurrency.maxContextAtParallel ?? 0;
  if (!range || perSeq <= 0) return undefined;
  if (d.engine.kind === 'vllm') {
    const tokens = te.concurrency.maxKvTokens ?? 0;
    const len = Math.floor(tokens / 256) * 256;
    if (len <= 0 || !fitsOn(withEngine(d, { contextSize: len }), model, target)) return undefined;
    return { title: `Set max-model-len to ${len} (the largest the KV pool on ${target.id} holds)`, edits: [{ range, newText: String(len) }] };
  }
  const slots = Math.max(1, d.engine.parallel && d.engine.parallel > 0 ? d.engine.parallel : 1);
  const c = perSeq * slots;
  if (!fitsOn(withEngine(d, { contextSize: c }), model, target)) return undefined;
  return { title: `Set context to ${c} (${formatTokens(c)}, the largest that fits on ${target.id}${slots > 1 ? ` with ${slots} slots` : ''})`, edits: [{ range, newText: String(c) }] };
}

function cacheTypeFix(d: Deployment, model: ModelDescriptor, target: HardwareTarget): QuickFix | undefined {
  if (d.engine.kind === 'vllm') {
    const range = d.settingRanges.kvCacheDtype;
    if (!range || (d.engine.kvCacheDtype ?? 'auto').startsWith('fp8')) return undefined;
    return fitsOn(withEngine(d, { kvCacheDtype: 'fp8' }), model, target)
      ? { title: `Set kv-cache-dtype to fp8 (fits on ${target.id})`, edits: [{ range, newText: 'fp8' }] }
      : undefined;
  }
  const rk = d.settingRanges.cacheTypeK;
  const rv = d.settingRanges.cacheTypeV;
  const fa = d.engine.flashAttention ?? 'auto';
  for (const t of FIX_CACHE_TYPES) {
    // Quantizing V needs flash attention: with -fa off only K may change.
    const changeV = isFlashAttentionOn(fa) && !!rv;
    if (!rk && !changeV) return undefined;
    const typeK = rk ? t : d.engine.cacheTypeK;
    const typeV = changeV ? t : d.engine.cacheTypeV;
    if (typeK === d.engine.cacheTypeK && typeV === d.engine.cacheTypeV) continue;
    if (cacheTypeErrors(model, typeK, typeV, fa).length) continue;
    if (!fitsOn(withEngine(d, { cacheTypeK: typeK, cacheTypeV: typeV }), model, target)) continue;
    const edits = [];
    if (rk && typeK !== d.engine.cacheTypeK) edits.push({ range: rk, newText: typeK });
    if (changeV && rv && typeV !== d.engine.cacheTypeV) edits.push({ range: rv, newText: typeV });
    if (!edits.length) continue;
    const what = edits.length === 2 ? `K and V cache to ${t}` : `${rk && typeK !== d.engine.cacheTypeK ? 'K' : 'V'} cache to ${t}`;
    return { title: `Set ${what} (fits on ${target.id})`, edits };
  }
  return undefined;
}

function parallelFix(d: Deployment, model: ModelDescriptor, target: HardwareTarget): QuickFix | undefined {
  const range = d.settingRanges.parallel;
  const np = d.engine.parallel ?? 1;
  if (!range || d.engine.kind !== 'llama.cpp' || np <= 1) return undefined;
  // Memory grows with the slot count, so the largest count that fits is found by bisection (a few estimates even
  // for -np 2147483647), not by trying every count below np.
  const fits = (n: number) => !!fitsOn(withEngine(d, { parallel: n }), model, target);
  if (!fits(1)) return undefined;
  let lo = 1;
  let hi = Math.min(Math.floor(np), Number.MAX_SAFE_INTEGER) - 1;
  while (lo < hi) {
    const mid = lo + Math.ceil((hi - lo) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  const n = lo;
  return { title: `Use ${n} parallel slot${n > 1 ? 's' : ''} (fits on ${target.id})`, edits: [{ range, newText: String(n) }] };
}

function targetRange(d: Deployment, i: number, r?: Range): Range {
  return r ?? d.targets[i]?.range ?? d.anchor;
}

export const memoryFitRule: Rule = {
  id: 'memory-fit',
  description: 'Weights, KV cache and buffers must fit in each target\'s memory; unknown target ids are reported.',
  run({ deployment, model }) {
    const out: KvDiagnostic[] = [];
    const resolved = resolveTargets(deployment.targets);
    for (const e of resolved.errors) {
      out.push({
        // A custom target with impossible figures is an error (nothing can be sized on it); an unknown id a warning.
        severity: e.invalid ? 'error' : 'warning', code: e.invalid ? 'invalid-target' : 'unknown-target', message: e.message, range: e.range ?? deployment.anchor,
        fixes: e.range ? e.suggestions.map((s, k) => ({ title: `Change to '${s}'`, edits: [{ range: e.range as Range, newText: s }], preferred: k === 0 })) : undefined,
      });
    }
    if (!model || !(model.layers > 0) || !resolved.targets.length) return out;
    const report = estimate(deployment, model, resolved.targets, { whatIfs: false });
    report.targets.forEach((te, i) => {
      const target = resolved.targets[i];
      const range = targetRange(deployment, i, target.range);
      if (te.memory.verdict === 'does-not-fit') {
        const needs = te.memory.totalBytes;
        const vllmNoPool = deployment.engine.kind === 'vllm';
        const message = vllmNoPool
          ? `does not fit on ${te.id}: ${te.errors?.[0] ?? 'the KV pool is too small'} (${gib(te.memory.budgetBytes ?? 0)} usable of ${gib(te.memory.capacityBytes)})`
          : `does not fit on ${te.id}: needs ${gib(needs)} of ${gib(te.memory.capacityBytes)} (weights ${gib(te.memory.weightsBytes)}, KV ${gib(te.memory.kvBytes)}, buffers ${gib(te.memory.computeBytes + (te.memory.overheadBytes ?? 0))})`;
        const fixes = [contextFix(deployment, model, target, te), cacheTypeFix(deployment, model, target), parallelFix(deployment, model, target)].filter((f): f is QuickFix => !!f);
        if (fixes[0]) fixes[0].preferred = true;
        out.push({ severity: 'error', code: 'memory-does-not-fit', message, range, fixes: fixes.length ? fixes : undefined });
      } else if (te.memory.verdict === 'tight') {
        const used = te.memory.capacityBytes > 0 ? Math.round((te.memory.totalBytes / te.memory.capacityBytes) * 100) : 100;
        const message = deployment.engine.kind === 'vllm'
          ? `tight on ${te.id}: ${te.concurrency.maxSequences} sequences of ${te.concurrency.atContext} tokens fit, fewer than the workload's ${report.workload.concurrency}`
          : `tight on ${te.id}: ${gib(te.memory.totalBytes)} of ${gib(te.memory.capacityBytes)} (${used} % used)`;
        out.push({ severity: 'information', code: 'memory-tight', message, range });
      }
    });
    return out;
  },
};
