// The `local` target: what this machine is, detected at run time. CPU facts come from os + /proc/cpuinfo (Linux)
// or sysctl (macOS, via execFile); GPUs from nvidia-smi via execFile with a short timeout. Never through a shell.
// DRAM bandwidth and CPU FLOP/s cannot be read from the OS, so they are conservative guesses with a wide band,
// and the assumptions say so.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import { catalogIdForGpuName, findHardware } from './catalog';
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

/** A CPU-host target from what the OS tells us, with stated guesses for bandwidth and FLOP/s. */
export function cpuHostTarget(cpuModel: string, logicalCores: number, ramBytes: number, isa: string[], assumptions: string[]): HardwareTarget {
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
    assumptions.push(`local GPU: ${same} × ${first.name} (${first.memoryMiB} MiB reported by nvidia-smi) → catalog entry ${entry.id}`);
    return { ...entry, id: 'local', name: `Local ${same > 1 ? `${same} × ` : ''}${first.name}`, memoryBytes: Math.round(first.memoryMiB * 2 ** 20), count: same, origin: 'local' };
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
export async function detectLocalTarget(opts: { refresh?: boolean; timeoutMs?: number; nvidiaSmi?: string } = {}): Promise<LocalDetection> {
  if (cachedDetection && !opts.refresh) return cachedDetection;
  const base = detectLocalCpuSync();
  const timeout = opts.timeoutMs ?? 2000;
  if (process.platform === 'darwin') {
    const brand = await execFileText('sysctl', ['-n', 'machdep.cpu.brand_string'], timeout);
    if (brand?.trim()) base.cpuModel = brand.trim();
    const apple = /apple m(\d)\s*(ultra|max|pro)?/i.exec(base.cpuModel);
    const id = apple ? `m${apple[1]}-${(apple[2] ?? '').toLowerCase()}` : undefined;
    const entry = id ? findHardware(id) : undefined;
    if (entry) {
      base.assumptions.length = 0;
      base.assumptions.push(`local: ${base.cpuModel} → catalog entry ${entry.id}, memory = this machine's ${(base.ramBytes / GIB).toFixed(0)} GiB`);
      base.target = { ...entry, id: 'local', name: `Local ${base.cpuModel}`, memoryBytes: base.ramBytes, origin: 'local' };
    }
  }
  const smi = await execFileText(opts.nvidiaSmi ?? 'nvidia-smi', ['--query-gpu=name,memory.total', '--format=csv,noheader,nounits'], timeout);
  if (smi) {
    base.gpus = parseNvidiaSmi(smi);
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
