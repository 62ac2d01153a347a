// vLLM options → EngineSettings, shared by every place vLLM options are written: a `vllm serve --config` YAML,
// a profile's `engine.options`, and `vllm serve …` command lines in scripts, compose files and manifests.
// Values are read the way vLLM reads them: they reach argparse as strings, so a quoted number is a number, and
// `32k`/`32K` are 32000/32768 (vLLM's human_readable_int).
import type { EngineSettings, SpeculativeSpec } from '../../deployment';
import type { Range } from '../../diagnostics';
import { VLLM_KV_CACHE_DTYPES } from '../vllmOptions';

/** One option as written: canonical dashed name, its value (a plain value or a JSON string) and where. */
export interface VllmOptionEntry {
  name: string;
  value: unknown;
  /** The value (or the key for a bare switch). */
  range: Range;
  /** For `speculative-config` given as a mapping: where its `model` is written. */
  draftRange?: Range;
}

/** Option (dashed) → EngineSettings field. */
const SETTING_OF: Record<string, keyof EngineSettings> = {
  'max-model-len': 'contextSize',
  'max-num-seqs': 'parallel',
  'tensor-parallel-size': 'tensorParallel',
  'pipeline-parallel-size': 'pipelineParallel',
  'data-parallel-size': 'dataParallel',
  'gpu-memory-utilization': 'gpuMemoryUtilization',
  'kv-cache-dtype': 'kvCacheDtype',
  'block-size': 'blockSize',
  'max-num-batched-tokens': 'maxNumBatchedTokens',
  dtype: 'dtype',
  quantization: 'quantization',
  'cpu-offload-gb': 'cpuOffloadGb',
  'swap-space': 'swapSpaceGb',
  model: 'modelRef',
};

const NUMERIC = new Set<keyof EngineSettings>([
  'contextSize', 'parallel', 'tensorParallel', 'pipelineParallel', 'dataParallel', 'gpuMemoryUtilization',
  'blockSize', 'maxNumBatchedTokens', 'cpuOffloadGb', 'swapSpaceGb',
]);

/** A number as vLLM would read it, or undefined (`auto` for max-model-len is not a number: the model decides). */
export function vllmNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  const m = /^([0-9]+(?:\.[0-9]+)?)([kKmMgG]?)$/.exec(s);
  if (m) {
    const unit = m[2];
    const mult = !unit ? 1 : unit === unit.toLowerCase() ? { k: 1e3, m: 1e6, g: 1e9 }[unit]! : { K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[unit]!;
    const n = Number(m[1]) * mult;
    return Number.isFinite(n) ? Math.round(n * 1e6) / 1e6 : undefined;
  }
  if (/^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/.test(s)) return Number(s);
  return undefined;
}

export function defaultVllmEngine(): EngineSettings {
  return {
    kind: 'vllm', cacheTypeK: 'auto', cacheTypeV: 'auto', flashAttention: 'auto',
    tensorParallel: 1, pipelineParallel: 1, dataParallel: 1,
  };
}

export interface VllmSettings {
  engine: EngineSettings;
  ranges: Partial<Record<string, Range>>;
  model?: { ref: string; range: Range };
  servedName?: string;
  speculative?: SpeculativeSpec;
}

/**
 * kv-cache-dtype values whose bytes per element the estimator knows exactly (cacheTypes.vllmKvBytesPerElement:
 * fp8 variants 1 byte, 16-bit 2, auto = the model dtype). Newer vLLM values carry per-token-head scales or are
 * 3/4-bit packings (nvfp4, int4/int8_per_token_head, turboquant_*): listed by the tables, not sized.
 */
export function sizedKvCacheDtype(v: string): boolean {
  if (!VLLM_KV_CACHE_DTYPES.includes(v) || /per_token_head/.test(v)) return false;
  return v === 'auto' || v.startsWith('fp8') || v === 'bfloat16' || v === 'float16';
}

/** Later entries win, as in argparse (and as the last key wins in a YAML mapping). */
export function vllmSettingsFrom(entries: readonly VllmOptionEntry[]): VllmSettings {
  const engine = defaultVllmEngine();
  const out: VllmSettings = { engine, ranges: {} };
  for (const e of entries) {
    const field = SETTING_OF[e.name];
    if (e.name === 'served-model-name') {
      const v = Array.isArray(e.value) ? e.value[0] : e.value;
      if (typeof v === 'string' || typeof v === 'number') out.servedName = String(v);
      continue;
    }
    if (e.name === 'speculative-config') {
      out.speculative = speculativeFrom(e);
      continue;
    }
    if (e.name === 'hf-overrides' || e.name === 'rope-scaling') {
      const rope = ropeScalingFrom(e.name, e.value);
      if (rope) engine.ropeScaling = rope;
      continue;
    }
    if (!field) continue;
    if (NUMERIC.has(field)) {
      const n = vllmNumber(e.value);
      if (n === undefined || (field === 'contextSize' && n < 0)) continue;
      (engine as unknown as Record<string, unknown>)[field] = n;
      out.ranges[field] = e.range;
    } else if (typeof e.value === 'string') {
      // A kv-cache-dtype KV Lens has no byte layout for is reported, not sized.
      if (field === 'kvCacheDtype' && !sizedKvCacheDtype(e.value)) continue;
      (engine as unknown as Record<string, unknown>)[field] = e.value;
      out.ranges[field] = e.range;
      if (field === 'modelRef') out.model = { ref: e.value, range: e.range };
    }
  }
  if (engine.kvCacheDtype) {
    engine.cacheTypeK = engine.cacheTypeV = engine.kvCacheDtype;
    out.ranges.cacheTypeK = out.ranges.cacheTypeV = out.ranges.kvCacheDtype;
  }
  return out;
}

/** A JSON option's value as a mapping: a YAML mapping as it is, a JSON string parsed; else undefined. */
function jsonMapping(v: unknown): Record<string, unknown> | undefined {
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * RoPE scaling from `--hf-overrides` (its `rope_scaling`, or `rope_parameters` in newer transformers configs) or
 * the older `--rope-scaling` (the mapping itself): the factor, and the context it scales from when given.
 */
function ropeScalingFrom(name: string, value: unknown): { factor: number; original?: number } | undefined {
  const o = jsonMapping(value);
  if (!o) return undefined;
  const rs = name === 'rope-scaling' ? o : jsonMapping(o.rope_scaling ?? o.rope_parameters);
  if (!rs) return undefined;
  const factor = vllmNumber(rs.factor);
  if (factor === undefined || !(factor > 1)) return undefined;
  const original = vllmNumber(rs.original_max_position_embeddings);
  return original && original > 0 ? { factor, original } : { factor };
}

/** vLLM's speculative-config (a mapping or a JSON string). The acceptance rate is not vLLM's: assumed 0.8. */
function speculativeFrom(e: VllmOptionEntry): SpeculativeSpec | undefined {
  const o = jsonMapping(e.value);
  if (!o) return undefined;
  const model = typeof o.model === 'string' ? o.model : undefined;
  const tokens = vllmNumber(o.num_speculative_tokens);
  if (!model && tokens === undefined) return undefined;
  return { draftRef: model, draftRange: model ? (e.draftRange ?? e.range) : undefined, acceptanceRate: 0.8, draftLength: tokens ?? 4 };
}
