// The llama.cpp flag table as the parser uses it: lookups by spelling for each program, plus the flags that
// older llama.cpp builds accepted and users still paste (kept so they get a precise message, not "unknown").
import { LLAMA_ARG_ROWS } from './argTable';
import { LLAMA_BENCH_ROWS } from './benchTable';
import type { FlagSpec, LlamaTool, RawFlagRow } from './flagTypes';

export type { FlagSpec, FlagValueKind, LlamaTool, SettingField } from './flagTypes';

/** Where the table comes from; shown in messages about flags the bundled llama.cpp no longer accepts. */
export const LLAMA_TABLE_SOURCE = 'the llama.cpp bundled with node-llama-cpp 3.22.1';

/** `-ngl all` is stored as this many layers: more than any model has, which EngineSettings reads as "all". */
export const GPU_LAYERS_ALL = 999;

/** Switches removed from llama.cpp that configs in the wild still carry, with the flag that replaced them. */
const LEGACY_ROWS: readonly (RawFlagRow & { replacement?: string })[] = [
  { n: ['--no-mmap'], kind: 'none', ex: ['common'], d: 'load the model without memory-mapping it',
    removed: 'replaced by `-lm none` (--load-mode)', replacement: '-lm none' },
  { n: ['--mmap'], kind: 'none', ex: ['common'], d: 'memory-map the model',
    removed: 'replaced by `-lm mmap` (--load-mode)', replacement: '-lm mmap' },
  { n: ['--mlock'], kind: 'none', ex: ['common'], d: 'keep the model in RAM',
    removed: 'replaced by `-lm mlock` (--load-mode)', replacement: '-lm mlock' },
];

const DEPRECATED: Record<string, string> = {
  '--defrag-thold': 'KV cache defragmentation is automatic; the flag is ignored and can be removed',
};

const SERVER_PROGRAMS = new Set(['common', 'server']);
const CLI_PROGRAMS = new Set(['common', 'cli']);

function toSpec(row: RawFlagRow & { replacement?: string }, bench: boolean): FlagSpec {
  const canonical = row.n.find((n) => n.startsWith('--')) ?? row.n[0];
  const tools = new Set<LlamaTool>();
  if (bench) tools.add('llama-bench');
  else {
    const exc = new Set(row.exc ?? []);
    if (row.ex.some((e) => SERVER_PROGRAMS.has(e)) && !exc.has('server')) tools.add('llama-server');
    if (row.ex.some((e) => CLI_PROGRAMS.has(e)) && !exc.has('cli')) tools.add('llama-cli');
  }
  const spec: FlagSpec = {
    names: row.n,
    negNames: row.neg ?? [],
    canonical,
    kind: row.kind,
    values: row.values,
    onOff: row.onOff,
    hint: row.hint,
    sets: row.sets,
    tools,
    otherPrograms: row.ex.filter((e) => e !== 'common' && e !== 'server' && e !== 'cli').map((e) => `llama-${e}`),
    sampling: row.sampling ?? false,
    description: row.d ?? row.removed ?? '',
    removed: row.removed,
    deprecated: DEPRECATED[canonical],
    replacement: row.replacement,
    commaList: bench && row.kind !== 'none' && row.kind !== 'path' ? true : undefined,
  };
  if (bench && canonical === '--model') spec.commaList = true;
  return spec;
}

export const LLAMA_FLAGS: readonly FlagSpec[] = [
  ...LLAMA_ARG_ROWS.map((r) => toSpec(r, false)),
  ...LEGACY_ROWS.map((r) => toSpec(r, false)),
];
export const LLAMA_BENCH_FLAGS: readonly FlagSpec[] = LLAMA_BENCH_ROWS.map((r) => toSpec(r, true));

export interface FlagIndex {
  /** Spelling → spec and whether that spelling is the negative form. */
  byName: ReadonlyMap<string, { spec: FlagSpec; negative: boolean }>;
  /** Every spelling the program accepts (for suggestions). */
  names: readonly string[];
}

function buildIndex(specs: readonly FlagSpec[], tool: LlamaTool): FlagIndex {
  const byName = new Map<string, { spec: FlagSpec; negative: boolean }>();
  for (const spec of specs) {
    if (!spec.tools.has(tool)) continue;
    for (const n of spec.names) if (!byName.has(n)) byName.set(n, { spec, negative: false });
    for (const n of spec.negNames) if (!byName.has(n)) byName.set(n, { spec, negative: true });
  }
  const names = [...byName.entries()].filter(([, v]) => !v.spec.removed).map(([k]) => k);
  return { byName, names };
}

const indexes = new Map<LlamaTool, FlagIndex>();

/** The flags one program accepts, built once. */
export function flagIndex(tool: LlamaTool): FlagIndex {
  let idx = indexes.get(tool);
  if (!idx) {
    idx = buildIndex(tool === 'llama-bench' ? LLAMA_BENCH_FLAGS : LLAMA_FLAGS, tool);
    indexes.set(tool, idx);
  }
  return idx;
}

let anyIndex: Map<string, FlagSpec> | undefined;

/** A flag of any llama.cpp program (common/arg.cpp), for "that flag belongs to llama-cli" messages. */
export function findAnyLlamaFlag(name: string): FlagSpec | undefined {
  if (!anyIndex) {
    anyIndex = new Map();
    for (const spec of LLAMA_FLAGS) for (const n of [...spec.names, ...spec.negNames]) if (!anyIndex.has(n)) anyIndex.set(n, spec);
  }
  return anyIndex.get(name);
}

/** Looks a spelling up for a program; llama.cpp treats `_` as `-` in long options (`--ctx_size`). */
export function lookupFlag(tool: LlamaTool, name: string): { spec: FlagSpec; negative: boolean } | undefined {
  const idx = flagIndex(tool);
  const hit = idx.byName.get(name);
  if (hit || !name.startsWith('--') || tool === 'llama-bench') return hit;
  return idx.byName.get(name.replace(/_/g, '-'));
}
