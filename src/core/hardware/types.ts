// A hardware target as the estimator sees it: one device (GPU, CPU socket/host, Apple SoC) with datasheet figures.
export type HardwareKind = 'gpu' | 'cpu' | 'apple';

export interface PeakFlops {
  fp32: number;
  fp16: number;
  bf16: number;
  fp8?: number;
  int8?: number;
}

export interface HostLink {
  kind: 'pcie' | 'nvlink-c2c' | 'unified';
  generation?: number;
  lanes?: number;
  /** Per direction. */
  bytesPerSec: number;
}

export interface Interconnect {
  kind: 'nvlink' | 'infinity-fabric' | 'pcie' | 'none';
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
  /** How this target came to be: catalog entry, detected at run time, or user-defined. */
  origin?: 'catalog' | 'local' | 'custom';
}

export interface HardwareCatalog {
  version: 1;
  notes?: string[];
  targets: HardwareTarget[];
}
