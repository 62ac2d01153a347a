// The normalised deployment every format parses into and the estimator consumes. A profile has one deployment;
// a llama-swap file has one per model; a vLLM config has one.
import type { Range } from './diagnostics';

export type ConfigFormat = 'kvlens-profile' | 'vllm' | 'llama-swap'
  // Serve commands where people keep them: shell scripts, docker-compose `command:`, Kubernetes container args.
  | 'shell' | 'docker-compose' | 'kubernetes';
export type EngineKind = 'llama.cpp' | 'vllm';
export type FlashAttention = 'on' | 'off' | 'auto';

/** llama.cpp KV cache types (`-ctk/-ctv`); vLLM's kv-cache-dtype values are kept as written in `kvCacheDtype`. */
export const LLAMA_CACHE_TYPES = ['f32', 'f16', 'bf16', 'q8_0', 'q4_0', 'q4_1', 'iq4_nl', 'q5_0', 'q5_1'] as const;
export type LlamaCacheType = (typeof LLAMA_CACHE_TYPES)[number];

export interface EngineSettings {
  kind: EngineKind;
  /** llama.cpp `-c` (total cells across slots; 0 = the model's trained context); vLLM `max-model-len`. */
  contextSize?: number;
  /** llama.cpp `-np` (slots); vLLM `max-num-seqs`. */
  parallel?: number;
  /** llama.cpp `-kvu`: one cache stream shared by all slots. */
  unifiedKv?: boolean;
  cacheTypeK: string;
  cacheTypeV: string;
  flashAttention: FlashAttention;
  /** llama.cpp `-ngl`; undefined = engine default. Values ≥ layers+1 mean everything on the GPU. */
  gpuLayers?: number;
  batchSize?: number;
  ubatchSize?: number;
  threads?: number;
  swaFull?: boolean;
  tensorParallel: number;
  pipelineParallel: number;
  dataParallel: number;
  /** vLLM */
  gpuMemoryUtilization?: number;
  kvCacheDtype?: string;
  blockSize?: number;
  maxNumBatchedTokens?: number;
  dtype?: string;
  quantization?: string;
  cpuOffloadGb?: number;
  swapSpaceGb?: number;
  /** llama.cpp `-m`, or vLLM `model`, as written. */
  modelRef?: string;
  /**
   * RoPE scaling that extends the trained context (vLLM `--hf-overrides '{"rope_scaling": …}'` or the older
   * `--rope-scaling`): the context the model is stretched to is factor × original (the trained context when the
   * override does not say).
   */
  ropeScaling?: { factor: number; original?: number };
}

export interface Workload {
  promptTokens: number;
  outputTokens: number;
  concurrency: number;
}

/** A hardware catalog id, or a custom target written inline in a profile (shape validated by the schema). */
export type TargetRef = { id: string; range?: Range } | { inline: Record<string, unknown>; range?: Range };

export interface SpeculativeSpec {
  draftRef?: string;
  draftRange?: Range;
  acceptanceRate: number;
  draftLength: number;
}

export interface Deployment {
  /** Profile file name, vLLM served name, or the llama-swap model key. */
  name: string;
  format: ConfigFormat;
  /** Where a CodeLens for this deployment goes (the first line of the profile, or the llama-swap model key). */
  anchor: Range;
  /**
   * `weights` (profiles only, `model: {id, weights}`): the weights type actually served when `ref` is a catalog
   * id, e.g. `q4_k_m` for a llama.cpp quant of an HF model; the estimator should use it instead of the catalog's.
   */
  model?: { ref: string; range: Range; weights?: string };
  engine: EngineSettings;
  workload: Workload;
  targets: TargetRef[];
  speculative?: SpeculativeSpec;
  /**
   * Where each setting is written, keyed by EngineSettings/Workload field name (`contextSize`, `cacheTypeK`,
   * `parallel`, `promptTokens`, ...): hovers use it, and quick fixes replace exactly that range.
   */
  settingRanges: Partial<Record<string, Range>>;
  /**
   * The part of the file that configures the engine (a profile's `engine` value). Errors inside it stop the engine
   * from starting, so the verdict (src/core/verdict.ts) says "won't start"; errors elsewhere (workload, targets) do
   * not. Unset for vLLM configs (all of it is the engine) and llama-swap (each model's entry is).
   */
  engineRange?: Range;
}

export const DEFAULT_WORKLOAD: Workload = { promptTokens: 4096, outputTokens: 256, concurrency: 1 };
