// The llama.cpp flag table as the parser uses it: lookups by spelling for each program, plus the flags that
// older llama.cpp builds accepted and users still paste (kept so they get a precise message, not "unknown").
import { LLAMA_ARG_ROWS } from './argTable';
import { LLAMA_ARG_ROWS_B8914, LLAMA_BUILD_B8914 } from './argTable.b8914';
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
    deprecated: row.dep,
    replacement: row.replacement,
    commaList: bench && row.kind !== 'none' && row.kind !== 'path' ? true : undefined,
  };
  if (bench && canonical === '--model') spec.commaList = true;
  return spec;
}

/**
 * A build's flags: its generated rows, plus the legacy switches it no longer has (a build that still has
 * `--mmap` keeps its own row for it; a later one gets the "replaced by -lm" row).
 */
function buildSpecs(rows: readonly RawFlagRow[]): FlagSpec[] {
  const known = new Set(rows.flatMap((r) => [...r.n, ...(r.neg ?? [])]));
  return [
    ...rows.map((r) => toSpec(r, false)),
    ...LEGACY_ROWS.filter((r) => !r.n.some((n) => known.has(n))).map((r) => toSpec(r, false)),
  ];
}

export const LLAMA_FLAGS: readonly FlagSpec[] = buildSpecs(LLAMA_ARG_ROWS);

/**
 * The llama.cpp builds KV Lens has a flag table for (a setting / profile key chooses one): `bundled` (the
 * default: what KV Lens runs, node-llama-cpp's llama.cpp) and upstream build tags, each generated from that
 * build's common/arg.cpp by scripts/gen-llama-arg-table.py.
 */
export interface LlamaBuild {
  id: string;
  /** How messages name the table. */
  label: string;
  /** Upstream build number (b8914 → 8914); the bundled build has none. */
  number?: number;
  specs: readonly FlagSpec[];
}

const UPSTREAM_BUILDS: readonly LlamaBuild[] = [
  {
    id: LLAMA_BUILD_B8914.tag,
    number: 8914,
    label: `llama.cpp ${LLAMA_BUILD_B8914.tag} (ggml-org/llama.cpp @${LLAMA_BUILD_B8914.commit.slice(0, 7)}, ${LLAMA_BUILD_B8914.date})`,
    specs: buildSpecs(LLAMA_ARG_ROWS_B8914),
  },
];

export const LLAMA_BUNDLED_BUILD: LlamaBuild = { id: 'bundled', label: LLAMA_TABLE_SOURCE, specs: LLAMA_FLAGS };
export const LLAMA_BUILDS: readonly LlamaBuild[] = [...UPSTREAM_BUILDS, LLAMA_BUNDLED_BUILD];

/**
 * The table for a build: `bundled` (default), `upstream` (the newest upstream tag KV Lens has), or a build
 * number (`b8914`, `8914`): the newest upstream table not newer than it, else the oldest.
 */
export function resolveLlamaBuild(build?: string): LlamaBuild {
  const b = (build ?? '').trim().toLowerCase();
  if (!b || b === 'bundled') return LLAMA_BUNDLED_BUILD;
  if (b === 'upstream' || b === 'latest') return UPSTREAM_BUILDS[UPSTREAM_BUILDS.length - 1];
  const m = /^b?(\d+)$/.exec(b);
  if (!m) return LLAMA_BUNDLED_BUILD;
  const n = Number(m[1]);
  let best: LlamaBuild | undefined;
  for (const u of UPSTREAM_BUILDS) if ((u.number ?? 0) <= n) best = u;
  return best ?? UPSTREAM_BUILDS[0];
}

/** Another build's table that has a flag this one lacks (for "b8914 has it" / "the bundled build has it"). */
export function buildsWithFlag(name: string, except: LlamaBuild): LlamaBuild[] {
  return LLAMA_BUILDS.filter((b) => b !== except && b.specs.some((s) => !s.removed && (s.names.includes(name) || s.negNames.includes(name))));
}
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

// Per build, per program; looked up on every argument, so keyed by the build object (no key string to build).
const indexes = new Map<LlamaBuild, Map<LlamaTool, FlagIndex>>();

/** The flags one program accepts in a build (default: the bundled one), built once. */
export function flagIndex(tool: LlamaTool, build: LlamaBuild = LLAMA_BUNDLED_BUILD): FlagIndex {
  let perTool = indexes.get(build);
  if (!perTool) indexes.set(build, (perTool = new Map()));
  let idx = perTool.get(tool);
  if (!idx) {
    idx = buildIndex(tool === 'llama-bench' ? LLAMA_BENCH_FLAGS : build.specs, tool);
    perTool.set(tool, idx);
  }
  return idx;
}

const anyIndexes = new Map<string, Map<string, FlagSpec>>();

/** A flag of any llama.cpp program (common/arg.cpp), for "that flag belongs to llama-cli" messages. */
export function findAnyLlamaFlag(name: string, build: LlamaBuild = LLAMA_BUNDLED_BUILD): FlagSpec | undefined {
  let anyIndex = anyIndexes.get(build.id);
  if (!anyIndex) {
    anyIndex = new Map();
    for (const spec of build.specs) for (const n of [...spec.names, ...spec.negNames]) if (!anyIndex.has(n)) anyIndex.set(n, spec);
    anyIndexes.set(build.id, anyIndex);
  }
  return anyIndex.get(name);
}

/** Looks a spelling up for a program; llama.cpp treats `_` as `-` in long options (`--ctx_size`). */
export function lookupFlag(tool: LlamaTool, name: string, build: LlamaBuild = LLAMA_BUNDLED_BUILD): { spec: FlagSpec; negative: boolean } | undefined {
  const idx = flagIndex(tool, build);
  const hit = idx.byName.get(name);
  if (hit || !name.startsWith('--') || tool === 'llama-bench') return hit;
  return idx.byName.get(name.replace(/_/g, '-'));
}
