// Model-fact validation: the one place that decides whether a number read from a config.json, a GGUF header or a
// safetensors header is a plausible model fact, before any arithmetic or allocation uses it. Every reader calls
// these checks; an impossible fact (1e12 layers, −512 as a latent rank, 2^31 tensors) becomes a ModelFactError
// that names the file, the key and the allowed range — never a NaN, a giant array or a hang.
//
// Limits: the engines' own where they have one (llama.cpp src/llama-hparams.h LLAMA_MAX_LAYERS 512,
// LLAMA_MAX_EXPERTS 1024 at the bundled commit de3ff815), otherwise generous bounds far above any published model
// (the largest real values in 2026: 128 Ki vocabulary ×2, 262,144-token contexts ×40, 61–128 layers).

export class ModelFactError extends Error {
  /** `missing`: the source lacks a fact; `invalid`: it states an impossible one. */
  constructor(message: string, readonly key?: string, readonly kind: 'missing' | 'invalid' = 'invalid') {
    super(message);
    this.name = 'ModelFactError';
  }
}

export interface FactLimit {
  min: number;
  max: number;
  /** What the fact is, for the message. */
  what: string;
}

/** llama.cpp refuses GGUFs with more layers than this (GGML_ASSERT in llama_model_base::load_hparams). */
export const LLAMA_MAX_LAYERS = 512;
/** llama.cpp refuses more experts than this (src/llama-hparams.h). */
export const LLAMA_MAX_EXPERTS = 1024;

/** Plausible ranges for the facts the sizing arithmetic uses. */
export const FACT_LIMITS = {
  layers: { min: 1, max: 4096, what: 'a layer count' },
  hidden: { min: 1, max: 1 << 20, what: 'a hidden size' },
  heads: { min: 1, max: 1 << 16, what: 'an attention head count' },
  kvHeads: { min: 0, max: 1 << 16, what: 'a KV head count (0 only for layers without attention)' },
  headDim: { min: 1, max: 1 << 16, what: 'a head dimension' },
  latentRank: { min: 1, max: 1 << 16, what: 'an MLA latent rank' },
  ropeDim: { min: 0, max: 1 << 16, what: 'a rotary dimension' },
  window: { min: 0, max: 2 ** 31 - 1, what: 'a sliding window in tokens' },
  context: { min: 1, max: 2 ** 31 - 1, what: 'a context length in tokens' },
  vocab: { min: 1, max: 1 << 24, what: 'a vocabulary size' },
  ffn: { min: 0, max: 1 << 24, what: 'a feed-forward width' },
  experts: { min: 0, max: LLAMA_MAX_EXPERTS, what: 'an expert count' },
  ssmState: { min: 0, max: 1 << 16, what: 'an SSM state size' },
  ssmConv: { min: 0, max: 1 << 10, what: 'a convolution kernel width' },
  ssmInner: { min: 0, max: 1 << 24, what: 'an SSM inner size' },
  ssmGroups: { min: 0, max: 1 << 16, what: 'an SSM group count' },
  sharedKvLayers: { min: 0, max: 4096, what: 'a count of KV-sharing layers' },
} satisfies Record<string, FactLimit>;

export type FactName = keyof typeof FACT_LIMITS;

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return typeof v;
}

/**
 * An integer fact in its plausible range, or a ModelFactError. `where` names the source ("config.json", a GGUF
 * path); `key` the field as the file spells it. Only numbers count: a string (a quoted number in JSON, a GGUF
 * uint64 beyond 2^53 that the reader keeps as a decimal string) is reported as not an integer.
 */
export function checkInt(where: string, key: string, value: unknown, limit: FactLimit | FactName): number {
  const lim = typeof limit === 'string' ? FACT_LIMITS[limit] : limit;
  if (value === undefined || value === null) throw new ModelFactError(`${where}: ${key} is missing (expected ${lim.what})`, key, 'missing');
  const n = value;
  if (typeof n !== 'number' || !Number.isFinite(n) || !Number.isInteger(n)) {
    throw new ModelFactError(`${where}: ${key} = ${describe(value)} is not an integer (expected ${lim.what}, ${lim.min}–${lim.max})`, key);
  }
  if (n < lim.min || n > lim.max) {
    throw new ModelFactError(`${where}: ${key} = ${n} is not ${lim.what} (allowed ${lim.min}–${lim.max})`, key);
  }
  return n;
}

/** Like checkInt, but an absent (undefined/null) value is allowed and returned as undefined. */
export function optInt(where: string, key: string, value: unknown, limit: FactLimit | FactName): number | undefined {
  if (value === undefined || value === null) return undefined;
  return checkInt(where, key, value, limit);
}

/** A per-layer integer array (GGUF head_count_kv may be one), each entry checked; wrong lengths are errors. */
export function checkIntArray(where: string, key: string, value: unknown, length: number, limit: FactLimit | FactName): number[] {
  if (!Array.isArray(value)) throw new ModelFactError(`${where}: ${key} is ${describe(value)}, not an array`, key);
  if (value.length !== length) {
    throw new ModelFactError(`${where}: ${key} has ${value.length} entries; the model has ${length} layers`, key);
  }
  return value.map((v, i) => checkInt(where, `${key}[${i}]`, v, limit));
}

/** A size in bytes or elements that the arithmetic produced: finite, non-negative, a safe integer. */
export function checkSize(where: string, what: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new ModelFactError(`${where}: ${what} = ${n} is not a usable size (overflow or negative)`);
  return n;
}
