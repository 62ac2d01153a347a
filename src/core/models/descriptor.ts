// What the estimator needs to know about a model, whichever source it came from (GGUF, HF config.json, catalog).
// Facts that could not be determined are listed in `missing` so the UI can say so instead of printing NaN.
import type { LlamaMemoryPlan } from './arch/llamaPlan';
import type { VllmModelSpec } from './arch/vllmSpec';

export type LayerKind = 'full' | 'swa' | 'recurrent';

export interface MlaShape {
  /** DeepSeek's `kv_lora_rank` (512 for V2/V3). */
  kvLoraRank: number;
  /** `qk_rope_head_dim` (64 for V2/V3). llama.cpp caches one latent of kvLoraRank + qkRopeHeadDim per layer. */
  qkRopeHeadDim: number;
  qLoraRank?: number;
  qkNopeHeadDim?: number;
  vHeadDim?: number;
}

export interface MoeShape {
  experts: number;
  expertsUsed: number;
  sharedExperts?: number;
  /** Leading dense layers (`first_k_dense_replace`, GGUF `leading_dense_block_count`). */
  firstDenseLayers?: number;
  expertFeedForward?: number;
}

export interface ModelDescriptor {
  name: string;
  source: { kind: 'gguf' | 'hf-config' | 'catalog'; path?: string; id?: string; url?: string };
  /** llama.cpp architecture name when known (`llama`, `qwen2`, `gemma2`, `deepseek2`, ...), else HF model_type. */
  architecture: string;
  layers: number;
  hiddenSize: number;
  /** Query heads. */
  heads: number;
  /** KV heads per layer (length = layers). 0 for layers without a KV cache (recurrent). */
  kvHeadsPerLayer: number[];
  /** Key and value head dimensions (`attention.key_length` / `value_length`, or head_dim). */
  headDimK: number;
  headDimV: number;
  /** Per layer: full attention, sliding window, or recurrent state. Length = layers. */
  layerKinds: LayerKind[];
  /**
   * Layer kinds as llama.cpp applies them, only when they differ from `layerKinds`: llama.cpp ignores the sliding
   * window of architectures it has no SWA support for (Mistral 7B v0.1 runs as `llama`, Phi-3, Qwen2 with
   * use_sliding_window) and keeps a full cache there. llama.cpp estimates should prefer this when present.
   */
  llamaCppLayerKinds?: LayerKind[];
  slidingWindow?: number;
  mla?: MlaShape;
  moe?: MoeShape;
  vocabSize?: number;
  feedForward?: number;
  trainedContext?: number;
  /** Total parameters and the parameters used per token (MoE: only the routed experts). */
  params: number;
  activeParams: number;
  /** Bytes of the weights as stored (GGUF: exact tensor bytes; HF: from dtype/quantization). */
  weightsBytes: number;
  /** Human-readable weights type, e.g. `bf16`, `Q4_K_M`, `fp8`. */
  weightsType: string;
  tiedEmbeddings?: boolean;
  /** Facts the source did not give; the estimator says what it could not compute. */
  missing: string[];
  /** Assumptions made while reading (e.g. "head_dim taken as hidden/heads"). */
  notes: string[];
  /**
   * What llama.cpp allocates, layer by layer (KV layers, SWA layers, recurrent state, shared-KV layers), decided by
   * the bundled llama.cpp's rules (models/arch/llamaPlan.ts). The llama.cpp estimate uses it when present.
   */
  llamaPlan?: LlamaMemoryPlan;
  /** vLLM's KV cache spec per layer (models/arch/vllmSpec.ts), from the HF config. */
  vllm?: VllmModelSpec;
  /** Where the facts were read, for `kvlens models resolve` and hovers (file, URL, cache path, bytes read). */
  provenance?: { what: string; where: string; bytes?: number }[];
}
