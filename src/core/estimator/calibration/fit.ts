// Fitting the speed model to measurements. Pure functions: samples in, parameters out.
//
// Each sample is one measured test with its terms (terms.ts) and the time it took. A group's coefficients c ≥ 0
// minimise Σ wᵢ (c·tᵢ / yᵢ − 1)² — relative error, so a 1B and a 405B model count alike — plus a ridge that pulls
// each coefficient toward the enclosing group's (λ Σ ((c − p)/p)²): a family with three measured chips borrows
// from its backend, a backend with none from the GPU/CPU pool. Levels: GPU|CPU → backend → backend/weight class →
// family (Apple by tier, Vulkan and CPUs by vendor). Prefill backends start from fixed physical priors, because
// prefill paths differ too much between backends to pool. Then two robust factors, each a median of
// measured/fitted time shrunk toward 1 by n/(n+k): build era (per backend, single or multi-GPU) and quant family
// (legacy, K-, i-quants, FP4). Old builds are weighed down (0.3 before 2024); the era factor for 2025+ builds is
// what an estimate uses, the others only explain old published rows. Rows of setups an estimate is not for (a GPU
// hosted by a Raspberry Pi, the ik_llama.cpp fork) stay out of the fit and get a factor of their own.
import { nnls } from './nnls';
import { type Era, eraKey, type GroupFit, type GroupSupport, type Kind, quantKey, settingKey, type SpeedParams } from './model';
import type { Backend } from './terms';

export interface Sample {
  id: string;
  /** The held-out unit: a catalog hardware id. */
  chip: string;
  kind: Kind;
  backend: Backend;
  /** Group keys, general → specific (model.ts groupKeys). */
  keys: readonly string[];
  era: Era;
  multi: boolean;
  qfam: string;
  terms: Record<string, number>;
  /** Measured seconds: the whole prompt for pp, one token for tg. */
  seconds: number;
  weight: number;
  /** A test like the ones estimates are for (prefill of ≥ 64 tokens in micro-batches of ≥ 64): bands come from these. */
  typical: boolean;
  /** A setup estimates are not for ('pi-host', 'ik_llama.cpp'): kept out of the fit, explained by its own factor. */
  setting?: string;
}

export interface FitOptions {
  /** Ridge strength per level (0 = GPU/CPU pool … 3 = family). */
  lambda: [number, number, number, number];
  /** Kinds whose backend level starts from the physical priors instead of the pool. */
  independentBackends: Kind[];
  eraShrink: number;
  quantShrink: number;
}

export const DEFAULT_FIT: FitOptions = { lambda: [0.3, 1, 2, 4], independentBackends: ['pp'], eraShrink: 5, quantShrink: 10 };

/** Physical starting points: 1/efficiency for resource terms, µs-scale units for fixed costs. */
export const PRIOR: Record<string, number> = {
  weights: 1.4, experts: 2, kv: 2, compute: 3, expertCompute: 3, attention: 3, scores: 2, layers: 5, step: 3, hops: 5,
};

function fitGroup(samples: readonly Sample[], names: readonly string[], prior: Record<string, number>, lambda: number): Record<string, number> {
  const A: number[][] = [];
  const b: number[] = [];
  for (const s of samples) {
    const w = Math.sqrt(s.weight);
    A.push(names.map((n) => (w * (s.terms[n] ?? 0)) / s.seconds));
    b.push(w);
  }
  names.forEach((n, j) => {
    const p = Math.max(1e-6, prior[n] ?? PRIOR[n] ?? 1);
    const row = new Array<number>(names.length).fill(0);
    row[j] = Math.sqrt(lambda) / p;
    A.push(row);
    b.push(Math.sqrt(lambda));
  });
  const x = nnls(A, b);
  return Object.fromEntries(names.map((n, j) => [n, x[j]!]));
}

function predictRaw(p: SpeedParams, s: Sample): number | undefined {
  for (let lv = s.keys.length - 1; lv >= 0; lv--) {
    const g = p.groups[`${s.kind}|${s.keys[lv]}`];
    if (g) {
      let t = 0;
      for (const [n, v] of Object.entries(s.terms)) t += (g.coef[n] ?? 0) * v;
      return t;
    }
  }
  return undefined;
}

/** Predicted seconds for a sample, with the era and quant factors of its build and weights. */
export function predictSample(p: SpeedParams, s: Sample, factors = true): number | undefined {
  const t = predictRaw(p, s);
  if (t === undefined || !factors) return t;
  const setting = s.setting ? p.settingFactor?.[settingKey(s.kind, s.backend, s.setting)] ?? 1 : 1;
  return t * (p.eraFactor[eraKey(s.kind, s.backend, s.era, s.multi)] ?? 1) * (p.quantFactor[quantKey(s.kind, s.backend, s.qfam)] ?? 1) * setting;
}

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function quantile(xs: readonly number[], q: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo]! + (s[Math.min(s.length - 1, lo + 1)]! - s[lo]!) * (pos - lo);
}

function robustFactors(samples: readonly Sample[], keyOf: (s: Sample) => string, predict: (s: Sample) => number | undefined, shrink: number): Record<string, number> {
  const logs = new Map<string, number[]>();
  for (const s of samples) {
    const t = predict(s);
    if (!(t && t > 0)) continue;
    const k = keyOf(s);
    const l = logs.get(k) ?? [];
    l.push(Math.log(s.seconds / t));
    logs.set(k, l);
  }
  const out: Record<string, number> = {};
  for (const [k, v] of logs) out[k] = Math.exp(median(v) * (v.length / (v.length + shrink)));
  return out;
}

export function fitSpeed(all: readonly Sample[], opts: FitOptions = DEFAULT_FIT): SpeedParams {
  const p: SpeedParams = { version: 1, groups: {}, eraFactor: {}, quantFactor: {}, settingFactor: {} };
  const samples = all.filter((s) => !s.setting);
  for (const kind of ['pp', 'tg'] as const) {
    const ks = samples.filter((s) => s.kind === kind);
    const names = [...new Set(ks.flatMap((s) => Object.keys(s.terms)))].sort();
    for (let lv = 0; lv < 4; lv++) {
      const groups = new Map<string, Sample[]>();
      for (const s of ks) {
        const k = s.keys[lv]!;
        const l = groups.get(k) ?? [];
        l.push(s);
        groups.set(k, l);
      }
      for (const [k, gs] of groups) {
        const parent = lv === 0 || (lv === 1 && opts.independentBackends.includes(kind)) ? {} : p.groups[`${kind}|${gs[0]!.keys[lv - 1]}`]?.coef ?? {};
        const fit: GroupFit = { coef: fitGroup(gs, names, parent, opts.lambda[lv]!), rows: gs.length, chips: new Set(gs.map((s) => s.chip)).size };
        p.groups[`${kind}|${k}`] = fit;
      }
    }
  }
  p.eraFactor = robustFactors(samples, (s) => eraKey(s.kind, s.backend, s.era, s.multi), (s) => predictSample(p, s, false), opts.eraShrink);
  p.quantFactor = robustFactors(samples, (s) => quantKey(s.kind, s.backend, s.qfam), (s) => {
    const t = predictSample(p, s, false);
    return t === undefined ? undefined : t * (p.eraFactor[eraKey(s.kind, s.backend, s.era, s.multi)] ?? 1);
  }, opts.quantShrink);
  p.settingFactor = robustFactors(all.filter((s) => s.setting), (s) => settingKey(s.kind, s.backend, s.setting!), (s) => predictSample({ ...p, settingFactor: {} }, s), opts.eraShrink);
  return p;
}

export interface HeldOut {
  sample: Sample;
  /** Estimated / measured speed − 1 (positive: the estimate was too fast). */
  error: number;
  /** The ± band a user would have been shown (from the other chips' held-out errors), and whether it held. */
  band: number;
  inBand: boolean;
}

/**
 * The band is this quantile of the backend's held-out misses: 0.88 is where, leaving each chip out in turn, at
 * least 80 % of a new chip's measurements land inside the band it would have been shown (0.85 fell just short).
 */
export const BAND_QUANTILE = 0.88;

/** Groups with fewer typical held-out rows than this take their band from the enclosing group. */
export const MIN_SUPPORT_ROWS = 10;

/** |measured / estimate − 1| for an error defined as estimate / measured − 1. */
export const bandMetric = (error: number): number => Math.abs(1 / (1 + error) - 1);

/**
 * Leave-one-hardware-out: for each chip, fit without it and predict it. The band for a chip's row is the 85th
 * percentile of the other chips' held-out misses on its backend (its kind when that pool is small).
 */
export function crossValidate(samples: readonly Sample[], opts: FitOptions = DEFAULT_FIT, bandQuantile = BAND_QUANTILE): HeldOut[] {
  const chips = [...new Set(samples.map((s) => s.chip))].sort();
  const raw: Array<{ sample: Sample; error: number }> = [];
  for (const chip of chips) {
    const p = fitSpeed(samples.filter((s) => s.chip !== chip), opts);
    for (const s of samples.filter((x) => x.chip === chip)) {
      const t = predictSample(p, s);
      if (t && t > 0) raw.push({ sample: s, error: s.seconds / t - 1 });
    }
  }
  return raw.map((r) => {
    const band = bandFor(raw, r.sample, bandQuantile);
    return { ...r, band, inBand: bandMetric(r.error) <= band };
  });
}

/** The band a row of `chip` on backend group `backend` gets for `kind`, from the other chips' held-out misses. */
export function heldOutBand(held: ReadonlyArray<{ sample: Sample; error: number }>, kind: Kind, keys: readonly string[], chip: string, q = BAND_QUANTILE): number {
  return bandFor(held, { kind, keys, chip } as Sample, q);
}

function bandFor(raw: ReadonlyArray<{ sample: Sample; error: number }>, s: Pick<Sample, 'kind' | 'keys' | 'chip'>, q: number): number {
  // The same lookup an estimate makes (speed.ts bandFor): the backend's typical held-out rows (a family's own
  // chips are more alike than a new chip is to them, so family bands cover too little), here without this chip.
  const typical = raw.filter((r) => r.sample.typical && r.sample.kind === s.kind && r.sample.chip !== s.chip);
  const pool = typical.filter((r) => r.sample.keys[1] === s.keys[1]).map((r) => bandMetric(r.error));
  if (pool.length >= MIN_SUPPORT_ROWS) return quantile(pool, q);
  return quantile(typical.map((r) => bandMetric(r.error)), q);
}

/** Held-out support per group (levels 1–3) and per kind over typical tests: rows, chips, median error and the band. */
export function supportFrom(held: readonly HeldOut[], q = BAND_QUANTILE): Record<string, GroupSupport> {
  const out: Record<string, GroupSupport> = {};
  const add = (key: string, hs: HeldOut[]) => {
    out[key] = {
      rows: hs.length, chips: new Set(hs.map((h) => h.sample.chip)).size,
      medianAbsError: round(median(hs.map((h) => Math.abs(h.error)))), band: round(quantile(hs.map((h) => bandMetric(h.error)), q)),
    };
  };
  for (const kind of ['pp', 'tg'] as const) {
    const ks = held.filter((h) => h.sample.kind === kind && h.sample.typical);
    if (ks.length) add(`${kind}|all`, ks);
    for (let lv = 1; lv < 4; lv++) {
      const groups = new Map<string, HeldOut[]>();
      for (const h of ks) groups.set(h.sample.keys[lv]!, [...(groups.get(h.sample.keys[lv]!) ?? []), h]);
      for (const [k, hs] of groups) add(`${kind}|${k}`, hs);
    }
  }
  return out;
}

const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d;

/** Rounds coefficients and factors for storage (4 significant digits are far below the fit's error). */
export function roundParams(p: SpeedParams): SpeedParams {
  const sig = (x: number) => (x === 0 ? 0 : Number(x.toPrecision(4)));
  const groups: SpeedParams['groups'] = {};
  for (const [k, g] of Object.entries(p.groups)) groups[k] = { ...g, coef: Object.fromEntries(Object.entries(g.coef).map(([n, v]) => [n, sig(v)])) };
  const f = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, sig(v)]));
  return { ...p, groups, eraFactor: f(p.eraFactor), quantFactor: f(p.quantFactor), settingFactor: f(p.settingFactor ?? {}) };
}
