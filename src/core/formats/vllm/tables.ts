// The vLLM option tables by version (generated from vLLM's sources by scripts/gen-vllm-options.py), and what
// each version says about an option it does not have: removed in it (error, naming the replacement when vLLM's
// source does), or added after it (error: an older vLLM refuses it as unknown).
import { VLLM_OPTION_POOL, VLLM_TABLE_SOURCES } from './tables.generated';
import type { GeneratedVllmOption, GeneratedVllmTable } from './tableTypes';

export type { GeneratedVllmOption, GeneratedVllmTable, VllmBounds, VllmValueKind } from './tableTypes';

/** The generated tables with their options looked up in the shared pool, oldest first. */
const VLLM_GENERATED_TABLES: readonly GeneratedVllmTable[] = VLLM_TABLE_SOURCES.map((t) => ({
  ...t,
  options: t.options.map((i) => VLLM_OPTION_POOL[i]),
}));

export interface VllmTable {
  version: string;
  /** How messages name the table: "vLLM 0.27 (v0.27.1 @6e448d0)". */
  label: string;
  source: GeneratedVllmTable;
  /** Every spelling (long with `-` and `_`, short forms, `no-x` of booleans) → option. */
  bySpelling: ReadonlyMap<string, { option: GeneratedVllmOption; negative: boolean }>;
  options: readonly GeneratedVllmOption[];
  /** Options this version does not have: removed at or before it, or added after it. */
  missing: ReadonlyMap<string, { removedIn?: string; replacement?: string; addedIn?: string }>;
}

/** Oldest first; the last is the newest known, the default. */
export const VLLM_VERSIONS: readonly string[] = VLLM_GENERATED_TABLES.map((t) => t.version);
export const VLLM_DEFAULT_VERSION = VLLM_VERSIONS[VLLM_VERSIONS.length - 1];

const tables = new Map<string, VllmTable>();

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** The table for a version: exact, else the newest table not newer than it, else the oldest. */
export function resolveVllmVersion(version?: string): string {
  if (!version || version === 'latest') return VLLM_DEFAULT_VERSION;
  const v = version.replace(/^v/i, '');
  if (VLLM_VERSIONS.includes(v)) return v;
  let best: string | undefined;
  for (const t of VLLM_VERSIONS) if (compareVersions(t, v) <= 0) best = t;
  return best ?? VLLM_VERSIONS[0];
}

export function vllmTable(version?: string): VllmTable {
  const v = resolveVllmVersion(version);
  let t = tables.get(v);
  if (!t) {
    t = build(v);
    tables.set(v, t);
  }
  return t;
}

function build(version: string): VllmTable {
  const idx = VLLM_GENERATED_TABLES.findIndex((t) => t.version === version);
  const source = VLLM_GENERATED_TABLES[idx];
  const bySpelling = new Map<string, { option: GeneratedVllmOption; negative: boolean }>();
  for (const o of source.options) {
    for (const s of spellings(o.n)) bySpelling.set(s, { option: o, negative: false });
    for (const a of o.a ?? []) bySpelling.set(a.replace(/^-+/, ''), { option: o, negative: false });
    if (o.t === 'bool') for (const s of spellings(`no-${o.n}`)) if (!bySpelling.has(s)) bySpelling.set(s, { option: o, negative: true });
  }
  const missing = new Map<string, { removedIn?: string; replacement?: string; addedIn?: string }>();
  // Removed at or before this version (walking back, the latest removal wins).
  for (let i = 1; i <= idx; i++) {
    for (const r of VLLM_GENERATED_TABLES[i].removed ?? []) {
      if (source.options.some((o) => o.n === r.n)) continue;
      missing.set(r.n, { removedIn: VLLM_GENERATED_TABLES[i].version, replacement: r.by ?? undefined });
    }
  }
  // Added after this version.
  const have = new Set(source.options.map((o) => o.n));
  for (let i = idx + 1; i < VLLM_GENERATED_TABLES.length; i++) {
    for (const o of VLLM_GENERATED_TABLES[i].options) {
      if (!have.has(o.n) && !missing.has(o.n)) missing.set(o.n, { addedIn: VLLM_GENERATED_TABLES[i].version });
    }
  }
  return {
    version,
    label: `vLLM ${version} (${source.tag} @${source.commit.slice(0, 7)})`,
    source,
    bySpelling,
    options: source.options,
    missing,
  };
}

/** `max-model-len` and `max_model_len`: vLLM reads `_` as `-` in option names. */
export function spellings(name: string): string[] {
  const under = name.replace(/-/g, '_');
  return under === name ? [name] : [name, under];
}

/** vLLM's own normalisation: `max_model_len`, `--max-model-len` and `max-model-len` are one option. */
export function normaliseVllmKey(key: string): string {
  return key.replace(/^-+/, '').replace(/_/g, '-');
}

/** An option of a version by any spelling (long, `_`, short, `no-x`). */
export function lookupVllmOption(key: string, version?: string): { option: GeneratedVllmOption; negative: boolean } | undefined {
  const t = vllmTable(version);
  const bare = key.replace(/^-+/, '');
  return t.bySpelling.get(bare) ?? t.bySpelling.get(normaliseVllmKey(key));
}
