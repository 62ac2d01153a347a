// The bundled hardware catalog (data/hardware.json). Read once; entries are frozen so callers cannot alter them.
import * as fs from 'fs';
import * as path from 'path';
import type { HardwareCatalog, HardwareTarget } from './types';
import { type NameResolution, resolveHardwareName, type ResolveOptions } from './names';

let cached: HardwareCatalog | undefined;

/** Where data/hardware.json lives: next to the repo root from out/src/core/hardware, src/core/hardware or dist/. */
export function hardwareCatalogPath(): string {
  const candidates = [
    path.resolve(__dirname, '../../../data/hardware.json'),
    path.resolve(__dirname, '../../../../data/hardware.json'),
    path.resolve(__dirname, '../data/hardware.json'),
    path.resolve(__dirname, 'data/hardware.json'),
  ];
  for (const c of candidates) if (fs.existsSync(c)) return c;
  return candidates[0];
}

export function loadHardwareCatalog(): HardwareCatalog {
  if (cached) return cached;
  const raw = JSON.parse(fs.readFileSync(hardwareCatalogPath(), 'utf8')) as HardwareCatalog;
  const targets = raw.targets.map((t) => Object.freeze({ ...t, origin: 'catalog' as const }));
  cached = Object.freeze({ version: raw.version, notes: raw.notes, targets });
  return cached;
}

export function findHardware(id: string): HardwareTarget | undefined {
  const key = id.trim().toLowerCase();
  return loadHardwareCatalog().targets.find((t) => t.id === key);
}

export function listHardwareIds(): string[] {
  return loadHardwareCatalog().targets.map((t) => t.id);
}

/** Edit distance, for "did you mean" lists. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[n];
}

/**
 * Catalog ids close to `id`, best first — what "did you mean" offers. Ranked by what the user most likely meant
 * (names.ts): a shared model number and family first, then memory, then spelling; `a100` lists the A100s, not the
 * A10. `local` is offered when the input is spelled like it.
 */
export function closeHardwareIds(id: string, max = 3): string[] {
  const key = id.trim().toLowerCase();
  const r = resolveHardwareName(key, loadHardwareCatalog().targets);
  const ids = r.candidates.map((c) => c.id).filter((c) => c !== key);
  if (key.length >= 3 && editDistance(key, 'local') <= 2) ids.unshift('local');
  return ids.slice(0, max);
}

/** The catalog entry a name means ("4090", "RTX 4090", "m3 max 40c", "NVIDIA H100 80GB HBM3"), with runners-up. */
export function resolveHardware(name: string, opts: ResolveOptions = {}): NameResolution & { target?: HardwareTarget } {
  const r = resolveHardwareName(name, loadHardwareCatalog().targets, opts);
  return r.id ? { ...r, target: findHardware(r.id) } : r;
}

/** Map a GPU name as nvidia-smi or rocm-smi prints it ("NVIDIA H100 80GB HBM3", "AMD Instinct MI300X") to a catalog id. */
export function catalogIdForGpuName(name: string, memoryMiB?: number): string | undefined {
  return resolveHardwareName(name, loadHardwareCatalog().targets, { kind: 'gpu', memoryGiB: memoryMiB ? memoryMiB / 1024 : undefined }).id;
}

// Re-exported here because callers look for target resolution next to the catalog.
export { resolveTargets } from './targets';
export type { CustomTarget, ResolvedTargets, TargetError } from './targets';
