// The calibrated speed model as data: coefficients per group (backend → weight class → family), build-era and
// quant-family factors, and the published support behind each group. data/calibration.json holds one fitted by
// scripts/fit-calibration.mjs; the fidelity benchmark fits the same shape without one chip at a time.
import type { HardwareTarget } from '../../hardware/types';
import type { Backend, WeightClass } from './terms';

export type Kind = 'pp' | 'tg';
export type Era = 'E0' | 'E1' | 'E2';
/** Builds before 2024 (E0), during 2024 (E1), 2025 on (E2, what an estimate is for). */
export const ERA_LABEL: Record<Era, string> = { E0: 'builds before 2024', E1: '2024 builds', E2: '2025+ builds' };

export interface GroupFit {
  coef: Record<string, number>;
  rows: number;
  chips: number;
}

/** How well a group predicts chips it was not fitted on (leave-one-hardware-out). */
export interface GroupSupport {
  rows: number;
  chips: number;
  /** Median |estimate / measured − 1| of the held-out predictions. */
  medianAbsError: number;
  /** 85th percentile of |measured / estimate − 1|: the ± band shown. */
  band: number;
}

export interface SpeedParams {
  version: 1;
  /** `${kind}|${groupKey}` → coefficients (see groupKeys). */
  groups: Record<string, GroupFit>;
  /** `${kind}|${backend}|${era}|${multi ? 'multi' : 'single'}` → measured/fitted time ratio of that build era. */
  eraFactor: Record<string, number>;
  /** `${kind}|${backend}|${quantFamily}` → time ratio of that weight type. */
  quantFactor: Record<string, number>;
  /**
   * `${kind}|${backend}|${setting}` → time ratio of published setups an estimate is not for (a GPU in a Raspberry Pi
   * host, the ik_llama.cpp fork): fitted from those rows alone, used only to compare with them.
   */
  settingFactor?: Record<string, number>;
  /** `${kind}|${groupKey}` → held-out support (levels 1–3), plus `${kind}|all`. */
  support?: Record<string, GroupSupport>;
}

export interface CalibrationFile extends SpeedParams {
  description: string;
  generatedBy: string;
  source: { file: string; rows: number; used: number; sha256?: string };
  method: string[];
  crossValidation: Record<string, { rows: number; medianAbsErrorPct: number; p90AbsErrorPct: number; inBandPct: number }>;
  serving?: ServingCalibration;
}

/** data/calibration-rows.json: the published rows each fit used (id, hardware id, build date and build as stated, weight). */
export interface CalibrationRowsFile {
  description: string;
  source: { file: string; sha256?: string };
  rows: Array<{ id: string; chip: string; kind: Kind; date: string; build?: string; weight: number }>;
  serving: Array<{ id: string; chip: string; date: string; engine: string }>;
  servingNotEstimable: Array<{ id: string; why: string }>;
}

export interface ServingCalibration {
  coef: { weights: number; kv: number; compute: number; comm: number; iterationMs: number; maxBatch: number };
  rows: number;
  chips: string[];
  crossValidation: { rows: number; medianAbsErrorPct: number; p90AbsErrorPct: number; band: number; inBandPct: number; perChip: Record<string, number> };
}

/** Backends that share coefficients (OpenCL and SYCL rows are few: they lean on Vulkan's). */
export function backendGroup(b: Backend): string {
  return b === 'OpenCL' || b === 'SYCL' ? 'Vulkan' : b;
}

/** The family a target calibrates with: Apple by tier (Ultra/Max/Pro/base), CPUs and Vulkan by vendor, else its catalog family. */
export function calibrationFamily(target: Pick<HardwareTarget, 'id' | 'kind' | 'vendor' | 'family'>, backend: Backend): string {
  if (target.kind === 'apple') {
    const id = target.id;
    return `apple-${/ultra/.test(id) ? 'ultra' : /max/.test(id) ? 'max' : /pro/.test(id) ? 'pro' : 'base'}`;
  }
  const b = backendGroup(backend);
  if (b === 'Vulkan' || b === 'CPU') return target.vendor;
  return target.family ?? target.vendor;
}

/** Group keys from the most general (0) to the most specific (3). */
export function groupKeys(target: Pick<HardwareTarget, 'id' | 'kind' | 'vendor' | 'family'>, backend: Backend, wc: WeightClass): [string, string, string, string] {
  const b = backendGroup(backend);
  const w = wc === 'f32' ? 'f16' : wc;
  return [b === 'CPU' ? 'cpu' : 'gpu', b, `${b}/${w}`, `${b}/${w}/${calibrationFamily(target, backend)}`];
}

export function eraKey(kind: Kind, backend: Backend, era: Era, multi: boolean): string {
  return `${kind}|${backendGroup(backend)}|${era}|${multi ? 'multi' : 'single'}`;
}

export function quantKey(kind: Kind, backend: Backend, qfam: string): string {
  return `${kind}|${backendGroup(backend)}|${qfam}`;
}

export function settingKey(kind: Kind, backend: Backend, setting: string): string {
  return `${kind}|${backendGroup(backend)}|${setting}`;
}

/** The most specific fitted group for these keys: its coefficients and which group it was. */
export function coefficientsFor(p: SpeedParams, kind: Kind, keys: readonly string[]): { coef: Record<string, number>; group: string; level: number } | undefined {
  for (let lv = keys.length - 1; lv >= 0; lv--) {
    const g = p.groups[`${kind}|${keys[lv]}`];
    if (g) return { coef: g.coef, group: keys[lv]!, level: lv };
  }
  return undefined;
}

export function eraOf(year: number | undefined): Era {
  if (year === undefined) return 'E2';
  return year < 2024 ? 'E0' : year < 2025 ? 'E1' : 'E2';
}
