// llama-bench-style flags → a test matrix. Same names and value syntax as llama-bench (comma lists, repeated
// flags append, ranges `first-last`, `first-last+step`, `first-last*mult`), plus llama.cpp's -c and -np, which
// llama-bench lacks but KV-cache sizing needs. Unknown flags are usage errors with a suggestion.
import { BenchTestSpec, CACHE_TYPES, CacheType, FlashAttn, tokensNeeded, paddedContext, requestedContext } from './spec';

export class SweepUsageError extends Error {}

type Kind = 'ints' | 'cache' | 'fa' | 'paths' | 'pairs' | 'int' | 'flag';
interface FlagDef { names: string[]; key: string; kind: Kind; help: string }

export const BENCH_FLAGS: readonly FlagDef[] = [
  { names: ['-m', '--model'], key: 'model', kind: 'paths', help: 'GGUF model file' },
  { names: ['-p', '--n-prompt'], key: 'p', kind: 'ints', help: 'prompt tokens per pp test (default 512)' },
  { names: ['-n', '--n-gen'], key: 'n', kind: 'ints', help: 'generated tokens per tg test (default 128)' },
  { names: ['-pg'], key: 'pg', kind: 'pairs', help: 'pp,tg: one test with a prompt then generation' },
  { names: ['-d', '--n-depth'], key: 'd', kind: 'ints', help: 'tokens already in the cache before each test (default 0)' },
  { names: ['-c', '--ctx-size'], key: 'c', kind: 'ints', help: 'total context cells over all sequences (default: prompt + gen + depth, per sequence)' },
  { names: ['-np', '--parallel'], key: 'np', kind: 'ints', help: 'sequences (slots); each gets its own KV stream (default 1)' },
  { names: ['-b', '--batch-size'], key: 'b', kind: 'ints', help: 'logical batch size (default 2048)' },
  { names: ['-ub', '--ubatch-size'], key: 'ub', kind: 'ints', help: 'physical batch size (default 512)' },
  { names: ['-ctk', '--cache-type-k'], key: 'ctk', kind: 'cache', help: `K cache type: ${CACHE_TYPES.join(', ')} (default f16)` },
  { names: ['-ctv', '--cache-type-v'], key: 'ctv', kind: 'cache', help: 'V cache type (quantized types need flash attention)' },
  { names: ['-fa', '--flash-attn'], key: 'fa', kind: 'fa', help: 'flash attention on|off|auto (also 1|0) (default auto)' },
  { names: ['-t', '--threads'], key: 't', kind: 'ints', help: 'CPU threads (default: physical cores)' },
  { names: ['-ngl', '--n-gpu-layers'], key: 'ngl', kind: 'ints', help: 'layers on the GPU (default 0 = CPU; 99 = all when a GPU is used)' },
  { names: ['-r', '--repetitions'], key: 'r', kind: 'int', help: 'timed repetitions per test (default 5)' },
  { names: ['--no-warmup'], key: 'noWarmup', kind: 'flag', help: 'skip the untimed warmup run' },
];

const BY_NAME = new Map<string, FlagDef>();
for (const f of BENCH_FLAGS) for (const n of f.names) BY_NAME.set(n, f);

export interface SweepValues {
  model: string[];
  p: number[]; n: number[]; pg: [number, number][]; d: number[]; c: number[]; np: number[];
  b: number[]; ub: number[]; ctk: CacheType[]; ctv: CacheType[]; fa: FlashAttn[]; t: number[]; ngl: number[];
  r: number; noWarmup: boolean;
}

export const SWEEP_DEFAULTS: SweepValues = {
  model: [], p: [512], n: [128], pg: [], d: [0], c: [0], np: [1], b: [2048], ub: [512],
  ctk: ['f16'], ctv: ['f16'], fa: ['auto'], t: [0], ngl: [0], r: 5, noWarmup: false,
};

function levenshtein(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!; dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

export function suggestFlag(name: string): string | undefined {
  let best: string | undefined; let bestD = Infinity;
  for (const n of BY_NAME.keys()) {
    const d = levenshtein(name, n);
    if (d < bestD) { bestD = d; best = n; }
  }
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

export function isBenchFlag(name: string): boolean {
  return BY_NAME.has(name.split('=')[0]!);
}

/** Expands one int list item: `512`, `1-4`, `128-1024*2`, `0-4096+1024`. */
function parseIntItem(flag: string, s: string): number[] {
  const m = /^(\d+)(?:-(\d+)(?:([+*])(\d+))?)?$/.exec(s.trim());
  if (!m) throw new SweepUsageError(`${flag}: '${s}' is not a non-negative integer or range (first-last[+step|*mult])`);
  const first = Number(m[1]);
  if (m[2] === undefined) return [first];
  const last = Number(m[2]); const op = m[3] ?? '+'; const step = Number(m[4] ?? 1);
  if (last < first) throw new SweepUsageError(`${flag}: range '${s}' ends before it starts`);
  if ((op === '+' && step <= 0) || (op === '*' && step <= 1)) throw new SweepUsageError(`${flag}: range '${s}' has a step that does not advance`);
  const out: number[] = [];
  for (let v = first; v <= last; v = op === '+' ? v + step : v * step) {
    out.push(v);
    if (out.length > 1000) throw new SweepUsageError(`${flag}: range '${s}' expands to more than 1000 values`);
    if (v === 0 && op === '*') break;
  }
  return out;
}

function parseValue(def: FlagDef, flag: string, raw: string): unknown[] {
  const items = raw.split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (items.length === 0) throw new SweepUsageError(`${flag}: empty value`);
  switch (def.kind) {
    case 'ints': case 'int': return items.flatMap((i) => parseIntItem(flag, i));
    case 'cache': return items.map((i) => {
      const v = i.toLowerCase();
      if (!(CACHE_TYPES as readonly string[]).includes(v)) throw new SweepUsageError(`${flag}: unknown cache type '${i}' (allowed: ${CACHE_TYPES.join(', ')})`);
      return v;
    });
    case 'fa': return items.map((i) => {
      const v = i.toLowerCase();
      if (v === 'on' || v === '1' || v === 'true' || v === 'enabled') return 'on';
      if (v === 'off' || v === '0' || v === 'false' || v === 'disabled') return 'off';
      if (v === 'auto' || v === '-1') return 'auto';
      throw new SweepUsageError(`${flag}: '${i}' is not on, off or auto`);
    });
    case 'pairs': {
      if (items.length % 2 !== 0) throw new SweepUsageError(`${flag}: expects pairs pp,tg (got '${raw}')`);
      const out: [number, number][] = [];
      for (let i = 0; i < items.length; i += 2) out.push([parseIntItem(flag, items[i]!)[0]!, parseIntItem(flag, items[i + 1]!)[0]!]);
      return out;
    }
    case 'paths': return [raw];
    default: return [];
  }
}

export interface ParsedBenchArgs {
  values: SweepValues;
  /** Arguments that are not flags (a model or profile path given positionally). */
  positional: string[];
  /** Which keys the user set (so a profile or the demo can fill in the others). */
  given: Set<string>;
}

/** Parses llama-bench-style flags. Throws SweepUsageError for unknown flags and bad values. */
export function parseBenchFlags(args: readonly string[], base: SweepValues = SWEEP_DEFAULTS): ParsedBenchArgs {
  const values: SweepValues = structuredClone(base);
  const given = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-') || a === '-') { positional.push(a); continue; }
    const eq = a.indexOf('=');
    const name = eq > 0 && a.startsWith('--') ? a.slice(0, eq) : a;
    const def = BY_NAME.get(name);
    if (!def) {
      const s = suggestFlag(name);
      throw new SweepUsageError(`unknown flag '${name}'${s ? ` — did you mean '${s}'?` : ''}`);
    }
    if (def.kind === 'flag') { (values as unknown as Record<string, unknown>)[def.key] = true; given.add(def.key); continue; }
    let raw: string | undefined;
    if (eq > 0 && a.startsWith('--')) raw = a.slice(eq + 1);
    else { raw = args[++i]; if (raw === undefined) throw new SweepUsageError(`${name} needs a value`); }
    const parsed = parseValue(def, name, raw);
    const rec = values as unknown as Record<string, unknown>;
    if (def.kind === 'int') rec[def.key] = parsed[parsed.length - 1];
    else if (def.kind === 'paths') { if (!given.has(def.key)) rec[def.key] = []; (rec[def.key] as unknown[]).push(...parsed); }
    else {
      // Repeating a flag appends to its list, as in llama-bench; the first use replaces the default.
      rec[def.key] = given.has(def.key) ? [...(rec[def.key] as unknown[]), ...parsed] : parsed;
    }
    given.add(def.key);
  }
  if (values.r < 1) throw new SweepUsageError('-r must be at least 1');
  for (const np of values.np) if (np < 1) throw new SweepUsageError('-np must be at least 1');
  for (const b of [...values.b, ...values.ub]) if (b < 1) throw new SweepUsageError('-b/-ub must be at least 1');
  return { values, positional, given };
}

/**
 * The cartesian test matrix, in llama-bench's order: for each parameter combination, the pp tests, then the tg
 * tests, then the pp+tg pairs. Tests that would not fit in their context are rejected here, before any run.
 */
export function expandSweep(v: SweepValues): BenchTestSpec[] {
  const tests: BenchTestSpec[] = [];
  for (const n_batch of v.b) for (const n_ubatch of v.ub) for (const type_k of v.ctk) for (const type_v of v.ctv)
  for (const n_threads of v.t) for (const n_gpu_layers of v.ngl) for (const flash_attn of v.fa)
  for (const n_seq of v.np) for (const c of v.c) for (const n_depth of v.d) {
    const base = { n_batch, n_ubatch, type_k, type_v, n_threads, n_gpu_layers, flash_attn, n_seq, n_ctx_requested: c, n_depth };
    const shapes: [number, number][] = [
      ...v.p.filter((p) => p > 0).map((p): [number, number] => [p, 0]),
      ...v.n.filter((n) => n > 0).map((n): [number, number] => [0, n]),
      ...v.pg.filter(([p, n]) => p > 0 || n > 0),
    ];
    for (const [n_prompt, n_gen] of shapes) tests.push({ ...base, n_prompt, n_gen });
  }
  for (const t of tests) {
    if (t.n_ctx_requested > 0) {
      const { nCtxSeq } = paddedContext(requestedContext(t), t.n_seq);
      if (tokensNeeded(t) > nCtxSeq) {
        throw new SweepUsageError(`-c ${t.n_ctx_requested} with -np ${t.n_seq} gives ${nCtxSeq} cells per sequence; the test needs ${tokensNeeded(t)} (prompt + gen + depth)`);
      }
    }
  }
  if (tests.length > 2000) throw new SweepUsageError(`the flags expand to ${tests.length} tests; at most 2000`);
  return tests;
}

export function benchFlagsHelp(): string {
  return BENCH_FLAGS.map((f) => `  ${f.names.join(', ').padEnd(24)} ${f.help}`).join('\n');
}
