// The vLLM options KV Lens knows, as `vllm serve` spells them (long names, dashes), for one version: a view of
// the generated per-version tables (vllm/tables.ts) in the shape the schema builder, the "did you mean"
// suggestions and content detection use. Facts (names, kinds, choices, deprecations) are vLLM's own, generated;
// descriptions are ours (vllm/descriptions.ts).
import { VLLM_DESCRIPTIONS, VLLM_EXAMPLES } from './vllm/descriptions';
import { lookupVllmOption, spellings, vllmTable, type VllmValueKind } from './vllm/tables';

export { normaliseVllmKey } from './vllm/tables';

export interface VllmOption {
  name: string;
  kind: VllmValueKind;
  description: string;
  values?: readonly string[];
  /** `values` is a list platforms extend: other values are warnings. */
  openValues?: boolean;
  examples?: readonly string[];
  /** Short forms (`-tp`). */
  aliases?: readonly string[];
  /** Distinctive options are what content detection needs to see before it calls a YAML file a vLLM config. */
  distinctive?: boolean;
  /** vLLM's deprecation text. */
  deprecated?: string;
  /** Optional in vLLM: `None` (YAML null) is accepted. */
  nullable?: boolean;
}

const views = new Map<string, VllmOption[]>();

/** The options of a vLLM version (default: the newest table). */
export function vllmOptions(version?: string): readonly VllmOption[] {
  const t = vllmTable(version);
  let v = views.get(t.version);
  if (!v) {
    v = t.options.map((o) => ({
      name: o.n,
      kind: o.t,
      description: VLLM_DESCRIPTIONS[o.n] ?? `vLLM option (${o.g}).`,
      values: o.c,
      openValues: o.open,
      examples: VLLM_EXAMPLES[o.n],
      aliases: o.a,
      distinctive: o.d,
      deprecated: o.dep,
      nullable: o.nul,
    }));
    views.set(t.version, v);
  }
  return v;
}

/** The newest table's options (the shipped schemas/vllm-config.schema.json). */
export const VLLM_OPTIONS: readonly VllmOption[] = vllmOptions();

/** vLLM's CacheDType literal in the newest table (vllm/config/cache.py). */
export const VLLM_KV_CACHE_DTYPES: readonly string[] = VLLM_OPTIONS.find((o) => o.name === 'kv-cache-dtype')?.values ?? [];

/** An option by any spelling vLLM accepts (`max_model_len`, `--max-model-len`, `-tp`, `no-enable-prefix-caching`). */
export function findVllmOption(key: string, version?: string): VllmOption | undefined {
  const hit = lookupVllmOption(key, version);
  if (!hit) return undefined;
  return vllmOptions(version).find((o) => o.name === hit.option.n);
}

/** Both spellings vLLM accepts, for the schema and for suggestions. */
export function vllmSpellings(name: string): string[] {
  return spellings(name);
}


