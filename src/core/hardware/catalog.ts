// The bundled hardware catalog (data/hardware.json). Read once; entries are frozen so callers cannot alter them.
import * as fs from 'fs';
import * as path from 'path';
import type { HardwareCatalog, HardwareTarget } from './types';

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

/** Catalog ids close to `id` (edit distance ≤ 3, or sharing a prefix/substring), best first. */
export function closeHardwareIds(id: string, max = 3): string[] {
  const key = id.trim().toLowerCase();
  const scored = [...listHardwareIds(), 'local'].map((c) => {
    let d = editDistance(key, c);
    const compactKey = key.replace(/[^a-z0-9]/g, '');
    const compactC = c.replace(/[^a-z0-9]/g, '');
    if (compactKey.length >= 3 && (compactC.includes(compactKey) || compactKey.includes(compactC))) d = Math.min(d, 1);
    return { c, d };
  });
  return scored.filter((s) => s.d <= 3).sort((x, y) => x.d - y.d || x.c.localeCompare(y.c)).slice(0, max).map((s) => s.c);
}

/** Map a GPU name as nvidia-smi prints it ("NVIDIA H100 80GB HBM3") to a catalog id. */
export function catalogIdForGpuName(name: string, memoryMiB?: number): string | undefined {
  const n = name.toLowerCase();
  const gib = memoryMiB ? memoryMiB / 1024 : undefined;
  if (n.includes('gh200')) return 'gh200';
  if (n.includes('h200')) return 'h200';
  if (n.includes('b200')) return 'b200';
  if (n.includes('h100')) {
    if (n.includes('nvl')) return 'h100-nvl';
    if (n.includes('pcie')) return 'h100-pcie';
    return 'h100-sxm';
  }
  if (n.includes('a100')) return gib !== undefined ? (gib > 50 ? 'a100-80gb' : 'a100-40gb') : n.includes('80') ? 'a100-80gb' : 'a100-40gb';
  if (n.includes('l40s')) return 'l40s';
  if (/\bl4\b/.test(n)) return 'l4';
  if (/\ba10g?\b/.test(n)) return 'a10';
  if (/\bt4\b/.test(n)) return 't4';
  if (n.includes('5090')) return 'rtx-5090';
  if (n.includes('4090')) return 'rtx-4090';
  if (n.includes('3090')) return 'rtx-3090';
  if (n.includes('mi325')) return 'mi325x';
  if (n.includes('mi300x')) return 'mi300x';
  return undefined;
}

// Re-exported here because callers look for target resolution next to the catalog.
export { resolveTargets } from './targets';
export type { CustomTarget, ResolvedTargets, TargetError } from './targets';
