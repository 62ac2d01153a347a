// Turn a deployment's target list (catalog ids, `local`, inline custom targets) into hardware targets.
import type { TargetRef } from '../deployment';
import type { Range } from '../diagnostics';
import { closeHardwareIds, findHardware, resolveHardware } from './catalog';
import { currentLocalDetection } from './local';
import type { HardwareTarget } from './types';

/** A user-defined target from settings or inline in a profile: an id plus any catalog fields, optionally `base`. */
export type CustomTarget = Partial<HardwareTarget> & { id: string; base?: string };

export interface TargetError {
  ref: string;
  message: string;
  range?: Range;
  suggestions: string[];
}

/** A reference that is not a catalog id but clearly names one ("RTX 4090" → rtx-4090): resolved, with the id to write. */
export interface TargetNotice {
  ref: string;
  id: string;
  message: string;
  range?: Range;
}

export interface ResolvedTargets {
  targets: Array<HardwareTarget & { range?: Range; assumptions?: string[] }>;
  errors: TargetError[];
  /** Names resolved to catalog ids (a quick fix can replace the name with the id). */
  notices?: TargetNotice[];
}

const GPU_DEFAULTS: Pick<HardwareTarget, 'peakFlops' | 'hostLink' | 'interconnect' | 'efficiency'> = {
  peakFlops: { fp32: 50e12, fp16: 200e12, bf16: 200e12 },
  hostLink: { kind: 'pcie', generation: 4, lanes: 16, bytesPerSec: 32e9 },
  interconnect: { kind: 'none', bytesPerSec: 0 },
  efficiency: { compute: 0.6, bandwidth: 0.7, band: 0.4 },
};

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

const GIB = 2 ** 30;

/**
 * Build a target from a custom definition; returns an error message when a required figure is missing. Settings
 * and profiles share one shape (schemas/kvlens-profile.schema.json `definitions.target`: memoryGiB, bandwidthGBs,
 * tflops, hostLinkGBs, interconnectGBs, devices, base); the catalog's own byte fields are accepted too.
 */
export function customTarget(def: Record<string, unknown>): HardwareTarget | string {
  const id = typeof def.id === 'string' && def.id.trim() ? def.id.trim() : undefined;
  if (!id) return 'a custom target needs an `id`';
  const base = typeof def.base === 'string' ? findHardware(def.base) : undefined;
  if (typeof def.base === 'string' && !base) return `custom target '${id}': unknown base '${def.base}'`;
  const memGiB = num(def.memoryGiB);
  const bwGBs = num(def.bandwidthGBs);
  const memoryBytes = num(def.memoryBytes) ?? (memGiB ? memGiB * GIB : undefined) ?? base?.memoryBytes;
  const bw = num(def.memoryBandwidthBytesPerSec) ?? (bwGBs ? bwGBs * 1e9 : undefined) ?? base?.memoryBandwidthBytesPerSec;
  if (!memoryBytes) return `custom target '${id}' needs its memory (memoryGiB or memoryBytes, or a base)`;
  if (!bw) return `custom target '${id}' needs its memory bandwidth (bandwidthGBs or memoryBandwidthBytesPerSec, or a base)`;
  const kind = (def.kind === 'cpu' || def.kind === 'apple' || def.kind === 'gpu' ? def.kind : undefined) ?? base?.kind ?? 'gpu';
  const src = base ?? { ...GPU_DEFAULTS, kind, vendor: 'custom' };
  const pf: Record<string, number> = {};
  for (const [k, v] of Object.entries((def.peakFlops ?? {}) as Record<string, unknown>)) if (num(v)) pf[k] = v as number;
  for (const [k, v] of Object.entries((def.tflops ?? {}) as Record<string, unknown>)) if (num(v)) pf[k] = (v as number) * 1e12;
  // A single dtype given stands in for the 16-bit ones the estimator uses.
  const half = pf.bf16 ?? pf.fp16;
  if (half) {
    pf.bf16 ??= half;
    pf.fp16 ??= half;
  }
  const eff: Record<string, number> = {};
  for (const [k, v] of Object.entries((def.efficiency ?? {}) as Record<string, unknown>)) if (num(v)) eff[k] = v as number;
  const hostLinkGBs = num(def.hostLinkGBs);
  const interGBs = num(def.interconnectGBs);
  const count = num(def.count) ?? num(def.devices);
  const assumed = !base && !half ? ['peak FLOP/s not given: 200 TFLOP/s bf16 assumed'] : [];
  return {
    id,
    name: typeof def.name === 'string' ? def.name : base ? `${base.name} (custom ${id})` : id,
    kind,
    vendor: typeof def.vendor === 'string' ? def.vendor : src.vendor,
    memoryBytes: Math.round(memoryBytes),
    memoryBandwidthBytesPerSec: bw,
    peakFlops: { ...src.peakFlops, ...pf } as HardwareTarget['peakFlops'],
    hostLink: (def.hostLink as HardwareTarget['hostLink']) ?? (hostLinkGBs ? { kind: 'pcie', bytesPerSec: hostLinkGBs * 1e9 } : kind === 'gpu' ? src.hostLink : { kind: 'unified', bytesPerSec: bw }),
    interconnect: (def.interconnect as HardwareTarget['interconnect']) ?? (interGBs ? { kind: 'nvlink', bytesPerSec: interGBs * 1e9 } : src.interconnect),
    efficiency: { ...src.efficiency, ...eff } as HardwareTarget['efficiency'],
    source: base
      ? { url: base.source.url, document: `user-defined, based on ${base.id} (${base.source.document})` }
      : { url: 'your kvlens.targets.custom setting or profile', document: 'user-defined target' },
    count: count ? Math.floor(count) : undefined,
    notes: [...(Array.isArray(def.notes) ? def.notes.map(String) : []), ...assumed],
    catalogId: base?.id,
    origin: 'custom',
  };
}

/** Resolve target references: catalog id, `local`, a custom id from settings, or an inline definition. */
export function resolveTargets(refs: TargetRef[], custom: CustomTarget[] = []): ResolvedTargets {
  const targets: ResolvedTargets['targets'] = [];
  const errors: TargetError[] = [];
  let notices: TargetNotice[] | undefined;
  for (const ref of refs) {
    if ('inline' in ref) {
      const t = customTarget(ref.inline);
      if (typeof t === 'string') errors.push({ ref: String(ref.inline.id ?? '(inline)'), message: t, range: ref.range, suggestions: [] });
      else targets.push({ ...t, range: ref.range });
      continue;
    }
    const id = ref.id.trim();
    const key = id.toLowerCase();
    const c = custom.find((x) => x.id.toLowerCase() === key);
    if (c) {
      const t = customTarget(c as Record<string, unknown>);
      if (typeof t === 'string') errors.push({ ref: id, message: t, range: ref.range, suggestions: [] });
      else targets.push({ ...t, range: ref.range });
      continue;
    }
    if (key === 'local') {
      const det = currentLocalDetection();
      targets.push({ ...det.target, range: ref.range, assumptions: det.assumptions });
      continue;
    }
    const entry = findHardware(key);
    if (entry) {
      targets.push({ ...entry, range: ref.range });
      continue;
    }
    const named = resolveHardware(id);
    if (named.target) {
      const count = named.count && named.count > 1 ? named.count : undefined;
      targets.push({ ...named.target, ...(count ? { count } : {}), range: ref.range });
      (notices ??= []).push({ ref: id, id: named.target.id, range: ref.range, message: `'${id}' is ${named.target.name}: catalog id '${named.target.id}'${count ? ` × ${count}` : ''}` });
      continue;
    }
    const suggestions = closeHardwareIds(key);
    errors.push({
      ref: id,
      range: ref.range,
      suggestions,
      message: `unknown hardware target '${id}'${suggestions.length ? `; did you mean ${suggestions.map((s) => `'${s}'`).join(', ')}?` : ''}`,
    });
  }
  return notices ? { targets, errors, notices } : { targets, errors };
}
