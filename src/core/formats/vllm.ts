// vLLM options (a `vllm serve --config` file, or a profile's `engine.options`) → EngineSettings, with the range
// of every setting. Values are read the way vLLM reads them: config values reach argparse as strings, so a
// quoted number is a number, and `32k`/`32K` are 32000/32768 (vLLM's human_readable_int).
import type { Deployment, EngineSettings, SpeculativeSpec } from '../deployment';
import { DEFAULT_WORKLOAD } from '../deployment';
import type { KvDiagnostic, Range } from '../diagnostics';
import { firstContentRange, keyRange, type DocNode, type ParsedDocument, valueRange } from './document';
import { findVllmOption, normaliseVllmKey, VLLM_KV_CACHE_DTYPES } from './vllmOptions';

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

/** A number as vLLM would read it, or undefined. */
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

export interface VllmEngine {
  engine: EngineSettings;
  ranges: Partial<Record<string, Range>>;
  model?: { ref: string; range: Range };
  servedName?: string;
  speculative?: SpeculativeSpec;
  diagnostics: KvDiagnostic[];
}

export function defaultVllmEngine(): EngineSettings {
  return {
    kind: 'vllm', cacheTypeK: 'auto', cacheTypeV: 'auto', flashAttention: 'auto',
    tensorParallel: 1, pipelineParallel: 1, dataParallel: 1,
  };
}

/** Reads vLLM options from a mapping node; also reports options written twice in two spellings. */
export function readVllmOptions(doc: ParsedDocument, node: DocNode | undefined): VllmEngine {
  const engine = defaultVllmEngine();
  const out: VllmEngine = { engine, ranges: {}, diagnostics: [] };
  if (!node || node.type !== 'object') return out;
  const firstSpelling = new Map<string, DocNode>();
  for (const m of node.members ?? []) {
    const key = m.key ?? '';
    const norm = normaliseVllmKey(key);
    const earlier = firstSpelling.get(norm);
    if (earlier && earlier.key !== key) {
      out.diagnostics.push({
        severity: 'warning',
        code: 'duplicate-key',
        message: `\`${key}\` and \`${earlier.key}\` are the same vLLM option (vLLM reads \`_\` as \`-\`); the last one wins.`,
        range: keyRange(doc, m),
      });
    }
    firstSpelling.set(norm, m);
    const field = SETTING_OF[norm];
    if (!field || !findVllmOption(norm)) continue;
    const r = valueRange(doc, m);
    if (NUMERIC.has(field)) {
      const n = vllmNumber(m.value);
      if (n === undefined) continue;
      (engine as unknown as Record<string, unknown>)[field] = n;
      out.ranges[field] = r;
    } else if (typeof m.value === 'string') {
      // An invalid kv-cache-dtype is the schema's error; the estimator must not see it.
      if (field === 'kvCacheDtype' && !(VLLM_KV_CACHE_DTYPES as readonly string[]).includes(m.value)) continue;
      (engine as unknown as Record<string, unknown>)[field] = m.value;
      out.ranges[field] = r;
      if (field === 'modelRef') out.model = { ref: m.value, range: r };
    }
  }
  if (engine.kvCacheDtype) {
    engine.cacheTypeK = engine.cacheTypeV = engine.kvCacheDtype;
    out.ranges.cacheTypeK = out.ranges.cacheTypeV = out.ranges.kvCacheDtype;
  }
  // enable-prefix-caching etc. do not change memory; speculative-config does change what is loaded.
  const served = [...firstSpelling.entries()].find(([k]) => k === 'served-model-name')?.[1];
  if (served?.type === 'string') out.servedName = String(served.value);
  else if (served?.type === 'array' && served.items?.[0]?.type === 'string') out.servedName = String(served.items[0].value);
  const spec = firstSpelling.get('speculative-config');
  if (spec) out.speculative = readSpeculativeConfig(doc, spec);
  return out;
}

/** vLLM's speculative-config (a mapping or a JSON string). The acceptance rate is not vLLM's: assumed 0.8. */
function readSpeculativeConfig(doc: ParsedDocument, node: DocNode): SpeculativeSpec | undefined {
  let model: string | undefined;
  let modelRange: Range | undefined;
  let tokens: number | undefined;
  if (node.type === 'object') {
    const m = node.props?.get('model');
    if (m?.type === 'string') {
      model = String(m.value);
      modelRange = valueRange(doc, m);
    }
    tokens = vllmNumber(node.props?.get('num_speculative_tokens')?.value);
  } else if (node.type === 'string') {
    try {
      const j = JSON.parse(String(node.value)) as Record<string, unknown>;
      if (typeof j.model === 'string') {
        model = j.model;
        modelRange = valueRange(doc, node);
      }
      tokens = vllmNumber(j.num_speculative_tokens);
    } catch {
      return undefined;
    }
  }
  if (!model && tokens === undefined) return undefined;
  return { draftRef: model, draftRange: modelRange, acceptanceRate: 0.8, draftLength: tokens ?? 4 };
}

/** A whole `vllm serve --config` file → one deployment. */
export function vllmDeployment(doc: ParsedDocument, fileName: string): { deployment?: Deployment; diagnostics: KvDiagnostic[] } {
  const root = doc.root;
  if (!root || root.type !== 'object') {
    return {
      diagnostics: [{
        severity: 'error',
        code: 'invalid-type',
        message: 'A vLLM config file must be a mapping of option names to values (e.g. `max-model-len: 32768`).',
        range: firstContentRange(doc),
      }],
    };
  }
  const v = readVllmOptions(doc, root);
  const base = fileName.replace(/\\/g, '/').split('/').pop() ?? fileName;
  return {
    deployment: {
      name: v.servedName ?? v.model?.ref ?? base,
      format: 'vllm',
      anchor: firstContentRange(doc),
      model: v.model,
      engine: v.engine,
      workload: { ...DEFAULT_WORKLOAD },
      targets: [],
      speculative: v.speculative,
      settingRanges: v.ranges,
    },
    diagnostics: v.diagnostics,
  };
}
