// The estimate's public shape: `kvlens estimate --format json` prints exactly this, the CodeLens, hover, status
// bar and results panel all read it. Names listed in the issue are a contract; add fields, never rename.
// Bytes are integers; memory figures are per device (one GPU, or one CPU host).

export interface EstimateReport {
  model: {
    name: string;
    architecture: string;
    layers: number;
    kvHeads: number | number[];
    headDim: number;
    params: number;
    activeParams: number;
    weightsBytes: number;
    missing?: string[];
  };
  engine: {
    kind: 'llama.cpp' | 'vllm';
    contextSize: number;
    parallel: number;
    cacheTypeK: string;
    cacheTypeV: string;
    flashAttention: 'on' | 'off' | 'auto';
    tensorParallel: number;
    /** Whole model, at the engine's cache types. */
    kvBytesPerToken: number;
    /** Cells llama.cpp allocates after padding (n_ctx rounded), when the engine is llama.cpp. */
    kvCells?: number;
  };
  workload: { promptTokens: number; outputTokens: number; concurrency: number };
  targets: TargetEstimate[];
  /** Per cache type what-ifs (same for every target in memory; perf per target lives in TargetEstimate.whatIfs). */
  warnings: string[];
}

export type Verdict = 'fits' | 'tight' | 'does-not-fit';

export interface PerfFigures {
  prefillTokensPerSec: number;
  ttftSec: number;
  decodeTokensPerSec: number;
  tpotSec: number;
}

export interface TargetEstimate {
  id: string;
  name: string;
  /** GPUs (or CPU sockets) used by this deployment on this target. */
  devices: number;
  memory: {
    weightsBytes: number;
    kvBytes: number;
    kvKBytes?: number;
    kvVBytes?: number;
    kvBytesPerToken: number;
    computeBytes: number;
    overheadBytes?: number;
    /** llama.cpp partial offload (-ngl): weights and KV left in host memory (not counted in totalBytes). */
    hostWeightsBytes?: number;
    hostKvBytes?: number;
    /** Speculative decoding: the draft model's weights and KV, included in totalBytes. */
    draftBytes?: number;
    /** vLLM: gpu_memory_utilization × capacity, the memory vLLM claims up front. */
    budgetBytes?: number;
    /** vLLM: peak activation of the profiling run and non-torch memory (CUDA context, NCCL). */
    activationBytes?: number;
    totalBytes: number;
    capacityBytes: number;
    fits: boolean;
    verdict: Verdict;
    headroomBytes: number;
  };
  concurrency: {
    /** How many sequences of `atContext` tokens fit in the memory left after weights and buffers. */
    maxSequences: number;
    atContext: number;
    /** Largest context per sequence that fits at the configured parallelism. */
    maxContextAtParallel?: number;
    /** vLLM: KV tokens the paged pool holds. */
    maxKvTokens?: number;
    /** vLLM: KV blocks of `blockSize` tokens in the pool. */
    kvBlocks?: number;
  };
  perf: PerfFigures & {
    /** Aggregate tokens/s across the workload's concurrent sequences. */
    aggregateDecodeTokensPerSec?: number;
    contextSwitchSec: number;
    bound: 'compute' | 'memory';
    prefillBound?: 'compute' | 'memory';
    /** ± relative band on the expected figures, e.g. 0.3 for ±30 %. */
    band: number;
    theoretical: PerfFigures;
    speculative?: { speedup: number; bestDraftLength: number; bestSpeedup?: number; expectedTokensPerStep?: number; draftLength?: number; acceptanceRate?: number };
    /** Decode batch the figures are for (the workload's concurrency, capped by slots / what fits). */
    batch?: number;
    /** Average KV depth per sequence during decode (prompt + half the output). */
    decodeDepth?: number;
    /** FLOP per byte where this target turns compute-bound. */
    ridgePoint?: number;
    /** Tensor-parallel communication share of one decode step, seconds. */
    commSec?: number;
    /** What sized the speed figures: calibration group, parameters, published support, band, how to verify. */
    calibration?: SpeedCalibrationInfo;
  };
  whatIfs?: WhatIf[];
  assumptions: string[];
  /** Why llama.cpp / vLLM would refuse these settings on this target (e.g. quantized V without flash attention). */
  errors?: string[];
}

export interface WhatIf {
  cacheTypeK: string;
  cacheTypeV: string;
  /** Token budget for a window/eviction what-if (StreamingLLM-style); undefined = full cache. */
  windowTokens?: number;
  kvBytes: number;
  kvBytesPerToken: number;
  maxSequences: number;
  decodeTokensPerSec: number;
  fits: boolean;
  /** Why a cache type cannot be used with these settings (e.g. quantized V needs flash attention). */
  invalid?: string;
}

/** The calibration behind a target's speed figures (issue 13): shown in hovers and the panel. */
export interface SpeedCalibrationInfo {
  /** Published fit, refined by this machine's runs, or the plain roofline (custom targets without a catalog base). */
  source: 'published' | 'machine' | 'roofline';
  /** llama.cpp's per-backend model, or the continuous-batching serving model (vLLM). */
  model: 'llama.cpp' | 'serving';
  backend: string;
  /** Matmul path prefill uses, e.g. "INT8 tensor cores (MMQ)", and its peak FLOP/s per device. */
  computePath?: string;
  computePeakFlops?: number;
  /** GPUs the layers are split over (llama.cpp). */
  devices: number;
  prefill: CalibrationPart;
  decode: CalibrationPart;
  machine?: { runs: number; label: string };
  verify: { llamaBench?: string; kvlensBench: string; note?: string };
}

export interface CalibrationPart {
  /** Coefficient group, e.g. `CUDA/quant/geforce-40`. */
  group: string;
  /** Build-era and weight-type factor on the fitted time (and the machine's, when calibrated here). */
  factor: number;
  /** The terms that sized this figure, largest share first. */
  parameters: Array<{ term: string; value: number; share: number; text: string }>;
  /** Published measurements behind the group, and their held-out error. */
  support?: { rows: number; chips: number; medianAbsErrorPct: number; bandPct: number; scope: string };
  /** ± relative band. */
  band: number;
}
