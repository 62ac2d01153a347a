// The block layouts of every KV cache type llama.cpp accepts, taken from the one ggml type table
// (src/core/models/ggmlTypes.ts), and vLLM's kv-cache-dtype element sizes.
import { LLAMA_CACHE_TYPES } from '../deployment';
import { ggmlTypeByName } from '../models/ggmlTypes';

export interface GgmlTypeInfo {
  blockSize: number;
  typeSize: number;
  /** Block-quantized (q8_0, q4_0, ...): a quantized V cache needs flash attention in llama.cpp. */
  quantized: boolean;
}

export const GGML_TYPES: Record<string, GgmlTypeInfo> = Object.fromEntries(LLAMA_CACHE_TYPES.map((name) => {
  const t = ggmlTypeByName(name);
  if (!t) throw new Error(`ggml type table lacks the cache type ${name}`);
  return [name, { blockSize: t.blockSize, typeSize: t.typeSize, quantized: t.blockSize > 1 }];
}));

export function ggmlType(name: string): GgmlTypeInfo | undefined {
  return GGML_TYPES[name.toLowerCase()];
}

/** Average bytes per element (q8_0 = 34/32 = 1.0625). */
export function bytesPerElement(type: string): number | undefined {
  const t = ggmlType(type);
  return t ? t.typeSize / t.blockSize : undefined;
}

/** vLLM `kv-cache-dtype`: fp8 variants are one byte; `auto` follows the model dtype. */
export function vllmKvBytesPerElement(kvCacheDtype: string | undefined, modelDtype: string | undefined): number {
  const k = (kvCacheDtype ?? 'auto').toLowerCase();
  if (k.startsWith('fp8') || k === 'int8') return 1;
  if (k === 'fp16' || k === 'float16' || k === 'half' || k === 'bfloat16' || k === 'bf16') return 2;
  if (k === 'fp32' || k === 'float32' || k === 'float') return 4;
  return modelDtypeBytes(modelDtype);
}

/** Element size of the activations / unquantized weights for a vLLM/HF dtype string (auto → 2, bf16/fp16). */
export function modelDtypeBytes(dtype: string | undefined): number {
  const d = (dtype ?? 'auto').toLowerCase();
  if (d === 'float32' || d === 'fp32' || d === 'float') return 4;
  return 2;
}

export const WHAT_IF_CACHE_TYPES = ['f16', 'q8_0', 'q5_1', 'q5_0', 'q4_1', 'q4_0', 'iq4_nl'] as const;
