// Calibrated speed for one model on one target: the fitted coefficients of the most specific group that covers
// it (terms.ts × model.ts), the factors for current builds and its weight type, and — when the user has measured
// on this machine — the per-machine refinement. Built once per target per estimate (a few map lookups), then
// every prefill/decode figure is a weighted sum of a dozen terms.
import { findHardware } from '../../hardware/catalog';
import type { HardwareTarget } from '../../hardware/types';
import type { ModelDescriptor } from '../../models/descriptor';
import { coefficientsFor, type Era, eraKey, settingKey, type GroupSupport, groupKeys, type Kind, quantKey, type ServingCalibration, type SpeedParams, type CalibrationFile } from './model';
import { type MachineCalibration, refinedBand } from './machine';
import { MIN_SUPPORT_ROWS } from './fit';
import { bundledCalibration } from './params';
import {
  type Backend, computePeak, decodeTerms, defaultBackend, PP_TERMS, prefillTerms, quantFamily, type TermContext, type Terms, TG_TERMS, type TgTerm, type PpTerm, weightClassOf,
} from './terms';

export interface KindSetup {
  coef: Record<string, number>;
  /** The group whose coefficients are used (e.g. `CUDA/quant/geforce-40`) and its level (3 = family … 0 = pool). */
  group: string;
  level: number;
  /** Build-era (2025+) × weight-type factor on the fitted time. */
  factor: number;
  /** Held-out support of the group (or of its backend when the group is small). */
  support?: GroupSupport & { scope: string };
  /** ± relative band shown. */
  band: number;
}

export interface CalibratedSpeed {
  ctx: TermContext;
  backend: Backend;
  pp: KindSetup;
  tg: KindSetup;
  /** Peak FLOP/s of the matmul path and its name ("INT8 tensor cores (MMQ)"). */
  computePath: { flops: number; path: string };
  machine?: MachineCalibration;
  source: 'published' | 'machine';
}


/** Held-out support of the most specific group with enough rows (what the hover quotes). */
function supportFor(p: Partial<CalibrationFile>, kind: Kind, keys: readonly string[], level: number): (GroupSupport & { scope: string }) | undefined {
  const s = p.support ?? {};
  for (let lv = level; lv >= 1; lv--) {
    const g = s[`${kind}|${keys[lv]}`];
    if (g && g.rows >= MIN_SUPPORT_ROWS) return { ...g, scope: keys[lv]! };
  }
  const all = s[`${kind}|all`];
  return all ? { ...all, scope: 'all published rows' } : undefined;
}

/** The band: the backend's held-out band (fit.ts bandFor), else all rows'. */
function bandFor(p: Partial<CalibrationFile>, kind: Kind, keys: readonly string[]): number {
  const s = p.support ?? {};
  const b = s[`${kind}|${keys[1]}`];
  if (b && b.rows >= MIN_SUPPORT_ROWS) return b.band;
  return s[`${kind}|all`]?.band ?? 0.3;
}

/** The catalog entry a local/custom target stands for (its family decides the calibration group). */
function calibrationTarget(t: HardwareTarget): HardwareTarget {
  if (t.origin === 'catalog' || !t.catalogId) return t;
  return findHardware(t.catalogId) ?? t;
}

function kindSetup(p: SpeedParams, kind: Kind, keys: readonly string[], backend: Backend, multi: boolean, qfam: string, machine: MachineCalibration | undefined, era: Era, setting?: string): KindSetup {
  const c = coefficientsFor(p, kind, keys) ?? { coef: {}, group: keys[0]!, level: 0 };
  const settingF = setting ? p.settingFactor?.[settingKey(kind, backend, setting)] ?? 1 : 1;
  const factor = (p.eraFactor[eraKey(kind, backend, era, multi)] ?? 1) * (p.quantFactor[quantKey(kind, backend, qfam)] ?? 1) * settingF;
  const support = supportFor(p as Partial<CalibrationFile>, kind, keys, c.level);
  const m = machine?.[kind];
  return {
    coef: c.coef, group: c.group, level: c.level, factor: factor * (m?.factor ?? 1), support,
    band: m ? refinedBand(bandFor(p as Partial<CalibrationFile>, kind, keys), m) : bandFor(p as Partial<CalibrationFile>, kind, keys),
  };
}

export interface SpeedInput {
  model: ModelDescriptor;
  target: HardwareTarget;
  backend?: Backend;
  kvBytesPerToken: number;
  window?: number;
  swaShare?: number;
  devices?: number;
  threads?: number;
  nUbatch?: number;
  nBatch?: number;
  flashAttention?: boolean;
  params?: SpeedParams;
  machine?: MachineCalibration;
  /** Build era to predict for: 2025+ (E2) for an estimate; the fidelity benchmark asks for a published row's own. */
  era?: Era;
  /** A published setup an estimate is not for (`pi-host`, `ik_llama.cpp`); only the fidelity benchmark sets it. */
  setting?: string;
}

export function calibratedSpeed(inp: SpeedInput): CalibratedSpeed {
  const p = inp.params ?? bundledCalibration();
  const backend = inp.backend ?? defaultBackend(inp.target);
  const ctx: TermContext = {
    model: inp.model, target: inp.target, backend, weightClass: weightClassOf(inp.model.weightsType), kvBytesPerToken: inp.kvBytesPerToken,
    window: inp.window, swaShare: inp.swaShare, devices: Math.max(1, inp.devices ?? 1), threads: inp.threads,
    nUbatch: Math.max(1, inp.nUbatch ?? 512), nBatch: Math.max(1, inp.nBatch ?? 2048), flashAttention: inp.flashAttention ?? backend !== 'CPU',
  };
  const keys = groupKeys(calibrationTarget(inp.target), backend, ctx.weightClass);
  const qfam = quantFamily(inp.model.weightsType);
  const multi = ctx.devices > 1;
  return {
    ctx, backend, computePath: computePeak(ctx),
    pp: kindSetup(p, 'pp', keys, backend, multi, qfam, inp.machine, inp.era ?? 'E2', inp.setting),
    tg: kindSetup(p, 'tg', keys, backend, multi, qfam, inp.machine, inp.era ?? 'E2', inp.setting),
    machine: inp.machine, source: inp.machine ? 'machine' : 'published',
  };
}

export interface Timing {
  seconds: number;
  /** Parts of `seconds`: streaming memory, computing, fixed costs (layers, steps, GPU hops). */
  memorySec: number;
  computeSec: number;
  overheadSec: number;
  terms: Record<string, number>;
}

const MEMORY_TERMS = new Set(['weights', 'experts', 'kv', 'scores']);
const COMPUTE_TERMS = new Set(['compute', 'expertCompute', 'attention']);

function timing<T extends string>(terms: Terms<T>, coef: Record<string, number>, factor: number, override?: Partial<Record<T, number>>): Timing {
  let memorySec = 0;
  let computeSec = 0;
  let overheadSec = 0;
  for (const k of Object.keys(terms) as T[]) {
    const v = (override?.[k] ?? coef[k] ?? 0) * terms[k] * factor;
    if (MEMORY_TERMS.has(k)) memorySec += v;
    else if (COMPUTE_TERMS.has(k)) computeSec += v;
    else overheadSec += v;
  }
  return { seconds: memorySec + computeSec + overheadSec, memorySec, computeSec, overheadSec, terms: terms as Record<string, number> };
}

export function prefillSeconds(s: CalibratedSpeed, prompt: number, depth = 0): Timing {
  return timing<PpTerm>(prefillTerms(s.ctx, prompt, depth), s.pp.coef, s.pp.factor);
}

/** One decode step. At a batch above one the matmuls run like prefill's, so the compute term takes prefill's coefficient. */
export function decodeSeconds(s: CalibratedSpeed, batch: number, depth: number, tokensPerSeq = 1): Timing {
  const tokens = Math.max(1, batch) * Math.max(1, tokensPerSeq);
  const override = tokens > 1 ? { compute: Math.max(s.tg.coef.compute ?? 0, s.pp.coef.compute ?? 0) } : undefined;
  return timing<TgTerm>(decodeTerms(s.ctx, batch, depth, tokensPerSeq), s.tg.coef, s.tg.factor, override);
}

/** The same terms at 100 % of every peak and without fixed costs: the theoretical figure shown beside each estimate. */
export function theoreticalPrefill(s: CalibratedSpeed, prompt: number, depth = 0): Timing {
  const t = prefillTerms(s.ctx, prompt, depth);
  const mem = t.weights + t.experts + t.kv;
  const cmp = t.compute + t.expertCompute + t.attention;
  return { seconds: Math.max(mem, cmp), memorySec: mem, computeSec: cmp, overheadSec: 0, terms: t };
}

export function theoreticalDecode(s: CalibratedSpeed, batch: number, depth: number, tokensPerSeq = 1): Timing {
  const t = decodeTerms(s.ctx, batch, depth, tokensPerSeq);
  const mem = t.weights + t.experts + t.kv;
  return { seconds: Math.max(mem, t.compute), memorySec: mem, computeSec: t.compute, overheadSec: 0, terms: t };
}

/** llama-bench semantics: ppN at depth d (t/s of the N new tokens), tgN from depth d (mean over the N tokens), pp+tg. */
export function llamaBenchSpeed(s: CalibratedSpeed, test: { nPrompt: number; nGen: number; depth: number }): { pp?: number; tg?: number; pg?: number } {
  const out: { pp?: number; tg?: number; pg?: number } = {};
  let tpp = 0;
  let ttg = 0;
  if (test.nPrompt > 0) {
    tpp = prefillSeconds(s, test.nPrompt, test.depth).seconds;
    if (tpp > 0) out.pp = test.nPrompt / tpp;
  }
  if (test.nGen > 0) {
    ttg = decodeSeconds(s, 1, test.depth + test.nPrompt + test.nGen / 2).seconds;
    if (ttg > 0) out.tg = 1 / ttg;
  }
  if (test.nPrompt > 0 && test.nGen > 0 && tpp > 0 && ttg > 0) out.pg = (test.nPrompt + test.nGen) / (tpp + test.nGen * ttg);
  return out;
}

// ---------------------------------------------------------------- serving (vLLM-style continuous batching)

export interface ServingSpeed {
  coef: ServingCalibration['coef'];
  support: ServingCalibration['crossValidation'] & { chips: string[] };
}

export function servingCalibration(p: SpeedParams = bundledCalibration()): ServingSpeed | undefined {
  const s = (p as Partial<CalibrationFile>).serving;
  return s ? { coef: s.coef, support: { ...s.crossValidation, chips: s.chips } } : undefined;
}

export { PP_TERMS, TG_TERMS };
