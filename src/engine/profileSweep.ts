// The sweep a KV Lens profile describes: its GGUF, its context and parallelism, and the cache types worth
// comparing (f16, q8_0, q4_0, plus the profile's own). Reads the profile with `yaml` directly and takes only the
// llama.cpp flags a benchmark uses from engine.args, so a profile with server-only flags (--host, --port)
// still benchmarks.
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { CACHE_TYPES } from './spec';
import { isBenchFlag, parseBenchFlags, SweepValues, SWEEP_DEFAULTS } from './sweep';

export interface ProfileSweep {
  values: SweepValues;
  /** K/V types to pair (each run with K = V). */
  cacheTypes: string[];
  /** Local GGUF the profile names, when there is one. */
  modelPath?: string;
  note?: string;
}

/** Splits an args string like a shell would for plain words and simple quotes (no expansion). */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/** Keeps only flags the benchmark understands (and their values); everything else is the server's business. */
export function benchRelevantArgs(args: readonly string[]): string[] {
  const keep: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-')) continue;
    const name = a.split('=')[0]!;
    if (!isBenchFlag(name) || name === '-m' || name === '--model' || name === '-p' || name === '-n' || name === '-r' || name === '-d') {
      // Server flags with a value: skip the value too when it does not look like a flag.
      if (!a.includes('=') && args[i + 1] !== undefined && !args[i + 1]!.startsWith('-')) i++;
      continue;
    }
    keep.push(a);
    if (!a.includes('=') && name !== '--no-warmup' && args[i + 1] !== undefined) keep.push(args[++i]!);
  }
  return keep;
}

export async function profileSweep(file: string): Promise<ProfileSweep> {
  const text = await fs.promises.readFile(file, 'utf8');
  const doc = YAML.parse(text) as { model?: unknown; engine?: { kind?: unknown; args?: unknown }; workload?: { promptTokens?: unknown; outputTokens?: unknown } } | null;
  if (!doc || typeof doc !== 'object') throw new Error(`${file}: not a KV Lens profile (expected a mapping with model and engine)`);
  if (doc.engine?.kind !== undefined && doc.engine.kind !== 'llama.cpp') throw new Error(`${file}: engine.kind is '${String(doc.engine.kind)}'; only llama.cpp profiles can be benchmarked here`);
  const rawArgs = doc.engine?.args;
  const args = typeof rawArgs === 'string' ? splitArgs(rawArgs) : Array.isArray(rawArgs) ? rawArgs.map(String) : [];
  const parsed = parseBenchFlags(benchRelevantArgs(args), { ...SWEEP_DEFAULTS, p: [512], n: [32], r: 3 });
  const v = parsed.values;
  // -np from a server profile: keep the allocation (KV size) honest, the test itself uses sequence 0.
  const cells = v.c[0] ?? 0;
  if (cells > 0) {
    const perSeq = Math.floor(cells / Math.max(1, v.np[0] ?? 1));
    const fit = Math.max(1, perSeq - v.n[0]! - 1);
    if (v.p[0]! > fit) v.p = [Math.max(1, Math.min(512, fit))];
  }
  const own = [...new Set([...v.ctk, ...v.ctv])];
  const cacheTypes = [...new Set(['f16', 'q8_0', 'q4_0', ...own.filter((t) => (CACHE_TYPES as readonly string[]).includes(t))])];
  let modelPath: string | undefined;
  let note: string | undefined;
  // `model:` is a path or id, or a mapping such as { id, path, weights }.
  const m = doc.model as unknown;
  const obj = m && typeof m === 'object' && !Array.isArray(m) ? (m as Record<string, unknown>) : undefined;
  const ref = typeof m === 'string' ? m : [obj?.path, obj?.file, obj?.gguf, obj?.id].find((x): x is string => typeof x === 'string');
  if (ref) {
    const abs = path.resolve(path.dirname(file), ref);
    if (/\.gguf$/i.test(abs) && fs.existsSync(abs)) modelPath = abs;
    else note = `the profile's model '${ref}' is not a local GGUF file`;
  } else note = 'the profile names no model';
  return { values: v, cacheTypes, modelPath, note };
}
