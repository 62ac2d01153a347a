// Memory fit per hardware target, on the target's entry (or on the model line when the targets come from the
// settings): "RTX 4090 ✗ does not fit: 27.3/24 GiB", from the same estimate and verdict the CodeLens, hover and
// status bar show (../deploymentEstimate.ts, ../verdict.ts). Quick fixes are computed by re-running the
// estimator and land in the green — under the fit threshold, not at 100 % — with bounded searches (bisection over
// a finite range, small fixed candidate lists), so a hostile file cannot make a keystroke slow.
import type { Deployment } from '../deployment';
import type { KvDiagnostic, QuickFix, Range, TextEdit } from '../diagnostics';
import type { ModelDescriptor } from '../models/descriptor';
import type { Rule } from './rule';
import { estimateDeployment } from '../deploymentEstimate';
import { estimate } from '../estimator/estimate';
import { cacheTypeErrors, isFlashAttentionOn } from '../estimator/kvCache';
import type { HardwareTarget } from '../hardware/types';
import type { EstimateReport, TargetEstimate } from '../estimator/report';
import { memoryMessage, targetVerdict, tokensText, type VerdictState } from '../verdict';
import { insertSettingEdit, keepQuotes, rangeText } from '../fixes/edits';

const FIX_CACHE_TYPES = ['q8_0', 'q5_1', 'q5_0', 'q4_1', 'q4_0'];
/** Candidate tensor-parallel sizes (GPUs per node come in these counts). */
const TP_SIZES = [2, 4, 8, 16];

export interface FitContext {
  deployment: Deployment;
  model: ModelDescriptor;
  draft?: ModelDescriptor;
  target: HardwareTarget;
  /** The document text, to check a range still holds what the fix replaces (llama-swap macros expand into cmds). */
  text: string;
}

function withEngine(d: Deployment, patch: Partial<Deployment['engine']>): Deployment {
  return { ...d, engine: { ...d.engine, ...patch } };
}

function estimateOn(c: FitContext, d: Deployment): TargetEstimate | undefined {
  return estimate(d, c.model, [c.target], { whatIfs: false, draft: c.draft }).targets[0];
}

/** The verdict a changed deployment gets on this target: the fixes want 'fits' (green, with headroom). */
function stateOf(c: FitContext, d: Deployment): VerdictState | undefined {
  const t = estimateOn(c, d);
  return t ? (t.memory.verdict ?? (t.memory.fits ? 'fits' : 'does-not-fit')) : undefined;
}

const green = (c: FitContext, d: Deployment): boolean => stateOf(c, d) === 'fits';

/**
 * Largest integer n in [lo, hi] with ok(n), assuming ok is monotone (true up to some n, false after);
 * undefined when ok(lo) is false. At most ⌈log2(hi − lo + 1)⌉ + 1 calls.
 */
export function largestWhere(lo: number, hi: number, ok: (n: number) => boolean): number | undefined {
  if (!(hi >= lo) || !ok(lo)) return undefined;
  let good = lo;
  let bad = hi + 1;
  if (ok(hi)) return hi;
  bad = hi;
  while (bad - good > 1) {
    const mid = good + Math.floor((bad - good) / 2);
    if (ok(mid)) good = mid;
    else bad = mid;
  }
  return good;
}

/** A replacement only where the range still holds the value the deployment was parsed from. */
function replace(c: FitContext, range: Range | undefined, expected: string | number | undefined, newText: string): TextEdit | undefined {
  if (!range) return undefined;
  const now = rangeText(c.text, range);
  if (now !== undefined && expected !== undefined && now.replace(/^["']|["']$/g, '').toLowerCase() !== String(expected).toLowerCase()) return undefined;
  const quoted = now && /^["']/.test(now) ? now[0] : '';
  return { range, newText: quoted ? `${quoted}${newText}${quoted}` : newText };
}

export function contextFix(c: FitContext): QuickFix | undefined {
  const d = c.deployment;
  const range = d.settingRanges.contextSize;
  const ctx = d.engine.contextSize;
  if (!range || !ctx || ctx <= 0) return undefined;
  if (d.engine.kind === 'vllm') {
    // max-model-len, per sequence: multiples of 256 below the current one.
    const units = largestWhere(1, Math.floor((ctx - 1) / 256), (u) => green(c, withEngine(d, { contextSize: u * 256 })));
    if (!units) return undefined;
    const len = units * 256;
    const edit = replace(c, range, ctx, String(len));
    return edit && { title: `Set max-model-len to ${len} (${tokensText(len)}: fits on ${c.target.id} with headroom)`, edits: [edit] };
  }
  // llama.cpp's -c is the total across slots; each slot gets a multiple of 256 cells.
  const slots = d.engine.unifiedKv ? 1 : Math.max(1, d.engine.parallel && d.engine.parallel > 0 ? d.engine.parallel : 1);
  const units = largestWhere(1, Math.floor((ctx - 1) / (256 * slots)), (u) => green(c, withEngine(d, { contextSize: u * 256 * slots })));
  if (!units) return undefined;
  const total = units * 256 * slots;
  const edit = replace(c, range, ctx, String(total));
  return edit && { title: `Set context to ${total} (${tokensText(total)}${slots > 1 ? `, ${tokensText(total / slots)} per slot` : ''}: fits on ${c.target.id} with headroom)`, edits: [edit] };
}

export function cacheTypeFix(c: FitContext): QuickFix | undefined {
  const d = c.deployment;
  if (d.engine.kind === 'vllm') {
    if ((d.engine.kvCacheDtype ?? 'auto').startsWith('fp8')) return undefined;
    if (!green(c, withEngine(d, { kvCacheDtype: 'fp8', cacheTypeK: 'fp8', cacheTypeV: 'fp8' }))) return undefined;
    const range = d.settingRanges.kvCacheDtype;
    const edit = range ? replace(c, range, d.engine.kvCacheDtype, 'fp8') : insertSettingEdit(c.text, d, 'kv-cache-dtype', 'fp8');
    return edit && { title: `Set kv-cache-dtype to fp8 (half the KV bytes: fits on ${c.target.id} with headroom)`, edits: [edit] };
  }
  const rk = d.settingRanges.cacheTypeK;
  const rv = d.settingRanges.cacheTypeV;
  const fa = d.engine.flashAttention ?? 'auto';
  // Quantizing V needs flash attention: with -fa off only K may change.
  const changeV = isFlashAttentionOn(fa) && !!rv;
  if (!rk && !changeV) return undefined;
  for (const t of FIX_CACHE_TYPES) {
    const typeK = rk ? t : d.engine.cacheTypeK;
    const typeV = changeV ? t : d.engine.cacheTypeV;
    if (typeK === d.engine.cacheTypeK && typeV === d.engine.cacheTypeV) continue;
    if (cacheTypeErrors(c.model, typeK, typeV, fa).length) continue;
    if (!green(c, withEngine(d, { cacheTypeK: typeK, cacheTypeV: typeV }))) continue;
    const edits: TextEdit[] = [];
    if (rk && typeK !== d.engine.cacheTypeK) edits.push(replace(c, rk, d.engine.cacheTypeK, typeK)!);
    if (changeV && rv && typeV !== d.engine.cacheTypeV) edits.push(replace(c, rv, d.engine.cacheTypeV, typeV)!);
    if (!edits.length || edits.some((e) => !e)) continue;
    const what = edits.length === 2 ? `K and V cache to ${t}` : `${rk && typeK !== d.engine.cacheTypeK ? 'K' : 'V'} cache to ${t}`;
    return { title: `Set ${what} (fits on ${c.target.id} with headroom)`, edits };
  }
  return undefined;
}

export function parallelFix(c: FitContext): QuickFix | undefined {
  const d = c.deployment;
  const range = d.settingRanges.parallel;
  const np = d.engine.parallel ?? 1;
  if (!range || d.engine.kind !== 'llama.cpp' || np <= 1) return undefined;
  // Fewer slots at the same -c give each slot more cells but allocate the same total unless the context shrinks
  // with them: keep the per-slot context, as a user lowering -np for memory means.
  const perSlot = d.engine.contextSize && d.engine.contextSize > 0 && !d.engine.unifiedKv ? d.engine.contextSize / np : undefined;
  const patch = (n: number): Partial<Deployment['engine']> => (perSlot && d.settingRanges.contextSize ? { parallel: n, contextSize: Math.round(perSlot * n) } : { parallel: n });
  const n = largestWhere(1, Math.min(Math.floor(np), Number.MAX_SAFE_INTEGER) - 1, (k) => green(c, withEngine(d, patch(k))));
  if (!n) return undefined;
  const edits = [replace(c, range, np, String(n))];
  const p = patch(n);
  if (p.contextSize !== undefined) edits.push(replace(c, d.settingRanges.contextSize, d.engine.contextSize, String(p.contextSize)));
  if (edits.some((e) => !e)) return undefined;
  return { title: `Use ${n} parallel slot${n > 1 ? 's' : ''}${p.contextSize !== undefined ? ` (-c ${p.contextSize}, the same context per slot)` : ''}: fits on ${c.target.id} with headroom`, edits: edits as TextEdit[] };
}

/** vLLM: the smallest larger tensor-parallel size that splits the heads evenly and fits with headroom. */
export function tensorParallelFix(c: FitContext): QuickFix | undefined {
  const d = c.deployment;
  if (d.engine.kind !== 'vllm') return undefined;
  const tp = Math.max(1, d.engine.tensorParallel || 1);
  for (const n of validTensorParallelSizes(c.model).filter((x) => x > tp)) {
    if (!green(c, withEngine(d, { tensorParallel: n }))) continue;
    const range = d.settingRanges.tensorParallel;
    const edit = range ? replace(c, range, tp, String(n)) : insertSettingEdit(c.text, d, 'tensor-parallel-size', String(n));
    return edit && { title: `Set tensor-parallel-size to ${n} (${n} GPUs: fits on ${c.target.id} with headroom)`, edits: [edit] };
  }
  return undefined;
}

/** Sizes vLLM accepts for this model: dividing the attention heads, and dividing (or a multiple of) the KV heads. */
export function validTensorParallelSizes(model: ModelDescriptor): number[] {
  const heads = model.heads;
  const kv = model.kvHeadsPerLayer.reduce((m, h) => (h > m ? h : m), 0);
  return TP_SIZES.filter((n) => {
    if (heads > 0 && heads % n !== 0) return false;
    if (model.mla || kv <= 0) return true;
    return n <= kv ? kv % n === 0 : n % kv === 0;
  });
}

/** The fixes for one target, most likely meant first: the cheapest change that keeps what the user asked for. */
export function memoryFixes(c: FitContext, t: TargetEstimate): QuickFix[] {
  const weightsAlone = c.deployment.engine.kind === 'vllm' && (t.memory.kvBytes ?? 0) <= 0;
  const order = c.deployment.engine.kind === 'vllm'
    ? weightsAlone ? [tensorParallelFix] : [cacheTypeFix, tensorParallelFix, contextFix]
    : [cacheTypeFix, parallelFix, contextFix];
  const fixes: QuickFix[] = [];
  for (const f of order) {
    const fix = f(c);
    if (fix) fixes.push(fix);
  }
  if (fixes[0]) fixes[0].preferred = true;
  return fixes;
}

function targetRange(d: Deployment, fromSettings: boolean, r?: Range): Range {
  if (r) return r;
  return (fromSettings ? d.model?.range : undefined) ?? d.anchor;
}

export const memoryFitRule: Rule = {
  id: 'memory-fit',
  description: 'Weights, KV cache and buffers must fit in each target\'s memory; unknown target ids are reported.',
  run(ctx) {
    const { deployment, model } = ctx;
    const out: KvDiagnostic[] = [];
    const est = estimateDeployment(deployment, {
      model: model && model.layers > 0 ? model : undefined,
      draft: ctx.draftResolution?.descriptor,
      defaultTargets: ctx.defaultTargets,
      customTargets: ctx.customTargets,
      whatIfs: false,
    });
    for (const e of est.targetErrors) {
      const fromFile = !est.targetsFromSettings;
      out.push({
        // A custom target with impossible figures is an error (nothing can be sized on it); an unknown id a warning.
        severity: e.invalid ? 'error' : 'warning',
        code: e.invalid ? 'invalid-target' : 'unknown-target',
        message: fromFile ? e.message : `${e.message} (in the kvlens.targets.default setting)`,
        range: e.range ?? targetRange(deployment, est.targetsFromSettings),
        fixes: e.range ? e.suggestions.map((s, k) => ({ title: `Change to '${s}'`, edits: [{ range: e.range as Range, newText: keepQuotes(rangeText(ctx.text, e.range as Range), s) }], preferred: k === 0 })) : undefined,
        // A target id the schema rejects (`rtx 4090`, `4090`) is better said as "unknown target, did you mean".
        overridesSchema: true,
      });
    }
    // A target written as people say it ("RTX 4090", 4090): resolved, and the quick fix writes its catalog id (the
    // profile schema wants ids; its "must be text" error at the same place is replaced by this).
    for (const n of est.targetNotices) {
      if (!n.range || est.targetsFromSettings) continue;
      out.push({
        severity: 'information',
        code: 'target-name',
        message: `${n.message} (sized as ${n.id}); write the id so every tool reads it the same.`,
        range: n.range,
        fixes: [{ title: `Write the catalog id '${n.id}'`, preferred: true, edits: [{ range: n.range, newText: keepQuotes(rangeText(ctx.text, n.range), n.id) }] }],
        overridesSchema: true,
      });
    }
    const report: EstimateReport | undefined = est.report;
    if (!report || !model) return out;
    report.targets.forEach((te, i) => {
      const target = est.hardware[i];
      const v = targetVerdict(report, te);
      const message = memoryMessage(v, te, report);
      if (!message || !target) return;
      const range = targetRange(deployment, est.targetsFromSettings, target.range);
      const fixes = memoryFixes({ deployment, model, draft: ctx.draftResolution?.descriptor, target, text: ctx.text }, te);
      out.push({
        severity: v.memoryState === 'does-not-fit' ? 'error' : 'information',
        code: v.memoryState === 'does-not-fit' ? 'memory-does-not-fit' : 'memory-tight',
        message,
        range,
        fixes: fixes.length ? fixes : undefined,
      });
    });
    return out;
  },
};
