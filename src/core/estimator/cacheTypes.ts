// ggml block layouts for every KV cache type llama.cpp accepts (ggml.c `type_traits`: blck_size, type_size),
// and vLLM's kv-cache-dtype element sizes. Row bytes are exact integers as `ggml_row_size` computes them.

export interface GgmlTypeInfo {
  blockSize: number;
  typeSize: number;
  quantized: boolean;
}

export const GGML_TYPES: Record<string, GgmlTypeInfo> = {
  f32: { blockSize: 1, typeSize: 4, quantized: false },
  f16: { blockSize: 1, typeSize: 2, quantized: false },
  bf16: { blockSize: 1, typeSize: 2, quantized: false },
  q8_0: { blockSize: 32, typeSize: 34, quantized: true },
  q4_0: { blockSize: 32, typeSize: 18, quantized: true },
  q4_1: { blockSize: 32, typeSize: 20, quantized: true },
  q5_0: { blockSize: 32, typeSize: 22, quantized: true },
  q5_1: { blockSize: 32, typeSize: 24, quantized: true },
  iq4_nl: { blockSize: 32, typeSize: 18, quantized: true },
};

export function ggmlType(name: string): GgmlTypeInfo | undefined {
  return GGML_TYPES[name.toLowerCase()];
}

/** `ggml_row_size(type, ne)`; undefined when ne is not a whole number of blocks (ggml asserts on that). */
export function ggmlRowSize(type: string, ne: number): number | undefined {
  const t = ggmlType(type);
  if (!t || ne % t.blockSize !== 0) return undefined;
  return (t.typeSize * ne) / t.blockSize;
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
