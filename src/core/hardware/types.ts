// A hardware target as the estimator sees it: one device (GPU, CPU socket/host, Apple SoC) with datasheet figures.
export type HardwareKind = 'gpu' | 'cpu' | 'apple';

export interface PeakFlops {
  fp32: number;
  fp16: number;
  bf16: number;
  fp8?: number;
  int8?: number;
  /** Dense FP4 (NVFP4/MXFP4) tensor FLOP/s. */
  fp4?: number;
  /** FP16 tensor with FP16 accumulate where it differs from `fp16` (GeForce: twice the FP32-accumulate rate). */
  fp16Acc16?: number;
}

export interface HostLink {
  kind: 'pcie' | 'nvlink-c2c' | 'unified';
  generation?: number;
  lanes?: number;
  /** Per direction. */
  bytesPerSec: number;
}

export interface Interconnect {
  kind: 'nvlink' | 'infinity-fabric' | 'pcie' | 'roce' | 'none';
  /** Per direction, per device. */
  bytesPerSec: number;
}

export interface Efficiency {
  compute: number;
  bandwidth: number;
  /** ± relative band on expected figures. */
  band?: number;
}

export interface HardwareTarget {
  id: string;
  name: string;
  kind: HardwareKind;
  vendor: string;
  memoryBytes: number;
  memoryBandwidthBytesPerSec: number;
  peakFlops: PeakFlops;
  hostLink: HostLink;
  interconnect: Interconnect;
  efficiency: Efficiency;
  source: { url: string; document: string };
  cores?: number;
  isa?: string[];
  /** Devices available (custom targets, or several local GPUs). */
  count?: number;
  notes?: string[];
  /** Product family (geforce-40, apple-m3, instinct-cdna3, ...): ranks suggestions and groups calibration. */
  family?: string;
  /** Architecture (ampere, ada, rdna3, apple-m2, zen4, ...). */
  arch?: string;
  memoryType?: string;
  /** Board / package power in watts, as the datasheet states it. */
  tdpWatts?: number;
  /** SMs (NVIDIA), CUs (AMD), GPU cores (Apple) or Xe-cores (Intel). */
  computeUnits?: number;
  boostClockMHz?: number;
  releaseYear?: number;
  /** llama.cpp backends in order of preference (CUDA, ROCm, Metal, Vulkan, SYCL, CPU). */
  backends?: string[];
  /** Names people type for this target. */
  aliases?: string[];
  /** Local and custom targets: the catalog entry whose figures they start from (calibration is looked up by it). */
  catalogId?: string;
  /** How this target came to be: catalog entry, detected at run time, or user-defined. */
  origin?: 'catalog' | 'local' | 'custom';
}

export interface HardwareCatalog {
  version: 1;
  notes?: string[];
  targets: HardwareTarget[];
}
