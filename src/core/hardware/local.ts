// The `local` target: what this machine is, detected at run time. CPU facts come from os + /proc/cpuinfo (Linux)
// or sysctl and system_profiler (macOS, via execFile); GPUs from nvidia-smi or rocm-smi via execFile with a short
// timeout. Never through a shell. Every name is mapped to a catalog entry when one matches (names.ts), so `local`
// gets datasheet figures; only an unknown CPU falls back to conservative guesses with a wide band, and the
// assumptions say so.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import { catalogIdForGpuName, findHardware, resolveHardware } from './catalog';
import type { HardwareTarget } from './types';

export interface LocalGpu {
  name: string;
  memoryMiB: number;
  catalogId?: string;
}

export interface LocalDetection {
  cpuModel: string;
  logicalCores: number;
  ramBytes: number;
  isa: string[];
  platform: string;
  gpus: LocalGpu[];
  /** The target `local` resolves to: the first known GPU (count = how many of it), else the CPU host. */
  target: HardwareTarget;
  assumptions: string[];
}

const GIB = 2 ** 30;

function execFileText(cmd: string, args: string[], timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    try {
      execFile(cmd, args, { timeout: timeoutMs, shell: false, windowsHide: true, maxBuffer: 1 << 20 }, (err, stdout) => {
        resolve(err ? undefined : String(stdout));
      });
    } catch {
      resolve(undefined);
    }
  });
}

/** ISA flags llama.cpp cares about, from /proc/cpuinfo `flags`. */
export function isaFromCpuinfo(cpuinfo: string): string[] {
  const m = /^flags\s*:\s*(.*)$/m.exec(cpuinfo);
  const flags = new Set((m?.[1] ?? '').split(/\s+/));
  const out: string[] = [];
  if (flags.has('avx2')) out.push('avx2');
  if (flags.has('avx512f')) out.push('avx512');
  if (flags.has('avx512_bf16')) out.push('avx512_bf16');
  if (flags.has('avx512_vnni')) out.push('avx512_vnni');
  if (flags.has('amx_tile') || flags.has('amx_bf16')) out.push('amx');
  if (flags.has('fma')) out.push('fma');
  return out;
}

/** Parse `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits`. */
export function parseNvidiaSmi(text: string): LocalGpu[] {
  const gpus: LocalGpu[] = [];
  for (const line of text.split(/\r?\n/)) {
    const parts = line.split(',').map((s) => s.trim());
    if (parts.length < 2 || !parts[0]) continue;
    const mem = Number(parts[1]);
    if (!Number.isFinite(mem) || mem <= 0) continue;
    gpus.push({ name: parts[0], memoryMiB: mem, catalogId: catalogIdForGpuName(parts[0], mem) });
  }
  return gpus;
}

/**
 * Parse `rocm-smi --showproductname --showmeminfo vram --json`: one object per card with "Card Series" (or
 * "Card series" / "Marketing Name" in other ROCm versions) and "VRAM Total Memory (B)".
 */
export function parseRocmSmi(text: string): LocalGpu[] {
  let data: unknown;
  try { data = JSON.parse(text); } catch { return []; }
  if (!data || typeof data !== 'object') return [];
  const gpus: LocalGpu[] = [];
  for (const [card, v] of Object.entries(data as Record<string, unknown>)) {
    if (!/^card\d+$/i.test(card) || !v || typeof v !== 'object') continue;
    const f = v as Record<string, unknown>;
    const pick = (re: RegExp) => Object.entries(f).find(([k, x]) => re.test(k) && typeof x === 'string' && x.trim() && !/^0x/i.test(x.trim()))?.[1] as string | undefined;
    const name = pick(/^(card series|marketing name|device name|card model)$/i);
    const bytes = Number(Object.entries(f).find(([k]) => /vram total memory \(b\)/i.test(k))?.[1]);
    if (!name) continue;
    const memoryMiB = Number.isFinite(bytes) && bytes > 0 ? Math.round(bytes / 2 ** 20) : 0;
    gpus.push({ name: name.trim(), memoryMiB, catalogId: catalogIdForGpuName(name, memoryMiB || undefined) });
  }
  return gpus;
}

/** The GPU core count `system_profiler SPDisplaysDataType` prints for Apple silicon ("Total Number of Cores: 40"). */
export function parseAppleGpuCores(text: string): number | undefined {
  const m = /Total Number of Cores:\s*(\d+)/i.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** The catalog id of an Apple SoC from its brand string and GPU core count ("Apple M3 Max", 40 → m3-max). */
export function appleCatalogId(brand: string, gpuCores?: number): string | undefined {
  const r = resolveHardware(gpuCores ? `${brand} ${gpuCores}-core GPU` : brand, { kind: 'apple' });
  return r.id;
}

/** The catalog id of a CPU from its model string ("AMD EPYC 9654 96-Core Processor", "Intel(R) Xeon(R) Platinum 8480+"). */
export function cpuCatalogId(model: string): string | undefined {
  // "96-Core Processor" is the CPU's core count, not an Apple GPU's: drop it before matching.
  return resolveHardware(model.replace(/\(r\)|\(tm\)/gi, ' ').replace(/\d+-core processor/i, ' '), { kind: 'cpu' }).id;
}

/** A CPU-host target from what the OS tells us, with stated guesses for bandwidth and FLOP/s. */
export function cpuHostTarget(cpuModel: string, logicalCores: number, ramBytes: number, isa: string[], assumptions: string[]): HardwareTarget {
  const known = cpuCatalogId(cpuModel);
  const entry = known ? findHardware(known) : undefined;
  if (entry) {
    assumptions.push(`local CPU: ${cpuModel} → catalog entry ${entry.id} (datasheet bandwidth and FLOP/s), memory = this machine's ${(ramBytes / GIB).toFixed(1)} GiB`);
    // cores stays the catalog's physical count: the calibrated speed terms scale compute by threads / cores.
    return { ...entry, id: 'local', name: `Local ${entry.name}`, memoryBytes: ramBytes, isa: isa.length ? isa : entry.isa, origin: 'local', catalogId: entry.id };
  }
  const physical = Math.max(1, Math.round(logicalCores / 2));
  const ghz = 2.5;
  const fp32PerCycle = isa.includes('avx512') ? 64 : isa.includes('avx2') ? 32 : 8;
  const fp32 = physical * fp32PerCycle * ghz * 1e9;
  const bf16 = isa.includes('amx') ? physical * 2048 * ghz * 1e9 : isa.includes('avx512_bf16') ? fp32 * 2 : fp32;
  // llama.cpp's quantized dot products run in int8 (vpmaddubsw/VNNI: 2 ports × 32 or 64 MACs per cycle).
  const int8PerCycle = isa.includes('amx') ? 4096 : isa.includes('avx512_vnni') ? 256 : isa.includes('avx2') ? 128 : 16;
  const int8 = physical * int8PerCycle * ghz * 1e9;
  // Channels × DDR speed are not visible to an unprivileged process: assume a desktop/small-server figure.
  const bw = logicalCores >= 64 ? 200e9 : logicalCores >= 16 ? 80e9 : 40e9;
  assumptions.push(
    `local CPU: ${cpuModel}, ${logicalCores} logical cores (~${physical} physical assumed), ${(ramBytes / GIB).toFixed(1)} GiB RAM, ISA ${isa.join(', ') || 'baseline'}`,
    `local DRAM bandwidth unknown (channels × DDR speed are not readable): assumed ${(bw / 1e9).toFixed(0)} GB/s with a ±50 % band`,
    `local FLOP/s assumed: ${physical} cores × ${fp32PerCycle} fp32 FLOP/cycle × ${ghz} GHz = ${(fp32 / 1e12).toFixed(2)} TFLOP/s fp32${bf16 !== fp32 ? `, ${(bf16 / 1e12).toFixed(1)} TFLOP/s bf16` : ''}, ${(int8 / 1e12).toFixed(2)} TOP/s int8 (quantized weights)`,
  );
  return {
    id: 'local', name: `Local CPU (${cpuModel})`, kind: 'cpu', vendor: 'local', memoryBytes: ramBytes, memoryBandwidthBytesPerSec: bw,
    peakFlops: { fp32, fp16: bf16, bf16, int8 }, hostLink: { kind: 'unified', bytesPerSec: bw }, interconnect: { kind: 'none', bytesPerSec: 0 },
    efficiency: { compute: 0.4, bandwidth: 0.55, band: 0.5 }, source: { url: 'https://nodejs.org/api/os.html', document: 'detected at run time (os, /proc/cpuinfo, sysctl)' },
    cores: logicalCores, isa, origin: 'local',
  };
}

function gpuTargetFromLocal(gpus: LocalGpu[], assumptions: string[]): HardwareTarget | undefined {
  const first = gpus[0];
  if (!first) return undefined;
  const same = gpus.filter((g) => g.name === first.name).length;
  const entry = first.catalogId ? findHardware(first.catalogId) : undefined;
  if (entry) {
    assumptions.push(`local GPU: ${same} × ${first.name}${first.memoryMiB ? ` (${first.memoryMiB} MiB reported)` : ''} → catalog entry ${entry.id}`);
    return { ...entry, id: 'local', name: `Local ${same > 1 ? `${same} × ` : ''}${first.name}`, memoryBytes: first.memoryMiB ? Math.round(first.memoryMiB * 2 ** 20) : entry.memoryBytes, count: same, origin: 'local', catalogId: entry.id };
  }
  assumptions.push(`local GPU ${first.name} is not in the catalog: bandwidth and FLOP/s unknown, assumed like an L4 (wide band)`);
  const l4 = findHardware('l4');
  if (!l4) return undefined;
  return { ...l4, id: 'local', name: `Local ${first.name}`, memoryBytes: Math.round(first.memoryMiB * 2 ** 20), count: same, efficiency: { ...l4.efficiency, band: 0.6 }, origin: 'local' };
}

let cachedDetection: LocalDetection | undefined;
let cachedCpu: LocalDetection | undefined;

/** Synchronous CPU-only view (no subprocess): used when detection has not run yet. Cached for the process. */
export function detectLocalCpuSync(): LocalDetection {
  if (cachedCpu) return { ...cachedCpu, gpus: [], assumptions: [...cachedCpu.assumptions] };
  const cpus = os.cpus();
  const cpuModel = cpus[0]?.model?.trim() || 'unknown CPU';
  let isa: string[] = [];
  if (process.platform === 'linux') {
    try {
      isa = isaFromCpuinfo(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    } catch {
      isa = [];
    }
  } else if (process.arch === 'arm64') {
    isa = ['neon'];
  }
  const assumptions: string[] = [];
  const target = cpuHostTarget(cpuModel, Math.max(1, cpus.length), os.totalmem(), isa, assumptions);
  cachedCpu = { cpuModel, logicalCores: Math.max(1, cpus.length), ramBytes: os.totalmem(), isa, platform: process.platform, gpus: [], target, assumptions };
  return { ...cachedCpu, assumptions: [...assumptions] };
}

/** Full detection (nvidia-smi, sysctl). Cached for the process; pass `refresh` to re-run. */
export async function detectLocalTarget(opts: { refresh?: boolean; timeoutMs?: number; nvidiaSmi?: string; rocmSmi?: string } = {}): Promise<LocalDetection> {
  if (cachedDetection && !opts.refresh) return cachedDetection;
  const base = detectLocalCpuSync();
  const timeout = opts.timeoutMs ?? 2000;
  if (process.platform === 'darwin') {
    const brand = await execFileText('sysctl', ['-n', 'machdep.cpu.brand_string'], timeout);
    if (brand?.trim()) base.cpuModel = brand.trim();
    const displays = /apple m\d/i.test(base.cpuModel) ? await execFileText('system_profiler', ['SPDisplaysDataType'], timeout * 2) : undefined;
    const cores = displays ? parseAppleGpuCores(displays) : undefined;
    const id = appleCatalogId(base.cpuModel, cores);
    const entry = id ? findHardware(id) : undefined;
    if (entry) {
      base.assumptions.length = 0;
      base.assumptions.push(`local: ${base.cpuModel}${cores ? ` with a ${cores}-core GPU` : ''} → catalog entry ${entry.id}, memory = this machine's ${(base.ramBytes / GIB).toFixed(0)} GiB`);
      base.target = { ...entry, id: 'local', name: `Local ${base.cpuModel}`, memoryBytes: base.ramBytes, origin: 'local', catalogId: entry.id };
    }
  }
  const smi = await execFileText(opts.nvidiaSmi ?? 'nvidia-smi', ['--query-gpu=name,memory.total', '--format=csv,noheader,nounits'], timeout);
  if (smi) base.gpus = parseNvidiaSmi(smi);
  if (!base.gpus.length && process.platform === 'linux') {
    const rocm = await execFileText(opts.rocmSmi ?? 'rocm-smi', ['--showproductname', '--showmeminfo', 'vram', '--json'], timeout);
    if (rocm) base.gpus = parseRocmSmi(rocm);
  }
  if (base.gpus.length) {
    const gpuTarget = gpuTargetFromLocal(base.gpus, base.assumptions);
    if (gpuTarget) base.target = gpuTarget;
  }
  cachedDetection = base;
  return base;
}

/** The detection result if `detectLocalTarget` has run, else the synchronous CPU view. */
export function currentLocalDetection(): LocalDetection {
  return cachedDetection ?? detectLocalCpuSync();
}
