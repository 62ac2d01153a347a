// The sweep a KV Lens profile describes: its GGUF, its context and parallelism, and the cache types worth
// comparing (f16, q8_0, q4_0, plus the profile's own). Reads the file with the shared parser (analyzeText, the
// one `kvlens estimate` and the extension use) so bench and estimate see the same model and engine settings;
// only the settings a benchmark uses are taken, so server-only flags (--host, --port) do not stop a run.
import * as path from 'node:path';
import type { Deployment } from '../core/deployment';
import { analyzeText } from '../core/formats/analyze';
import { createModelResolver, type ModelResolver } from '../core/models/resolve';
import { LIMITS } from '../core/io/limits';
import { readInputText } from '../core/io/read';
import { CACHE_TYPES, type CacheType, type FlashAttn } from './spec';
import { isBenchFlag, SweepValues, SWEEP_DEFAULTS } from './sweep';

export interface ProfileSweep {
  values: SweepValues;
  /** K/V types to pair (each run with K = V). */
  cacheTypes: string[];
  /** Local GGUF the profile names, when there is one. */
  modelPath?: string;
  note?: string;
  /** The deployment the shared parser read (the first llama.cpp one in the file). */
  deployment?: Deployment;
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

const isCacheType = (t: string): t is CacheType => (CACHE_TYPES as readonly string[]).includes(t);

/** The sweep values a llama.cpp deployment implies; settings it does not give keep the bench defaults. */
export function sweepFromDeployment(d: Deployment, base: SweepValues = { ...SWEEP_DEFAULTS, p: [512], n: [32], r: 3 }): SweepValues {
  const v: SweepValues = structuredClone(base);
  const e = d.engine;
  const pos = (x: number | undefined): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;
  // -c 0 / no -c means the trained context to llama-server; a benchmark keeps llama-bench's sizing instead.
  if (pos(e.contextSize)) v.c = [Math.floor(e.contextSize)];
  if (pos(e.parallel)) v.np = [Math.floor(e.parallel)];
  if (isCacheType(e.cacheTypeK)) v.ctk = [e.cacheTypeK];
  if (isCacheType(e.cacheTypeV)) v.ctv = [e.cacheTypeV];
  if (e.flashAttention === 'on' || e.flashAttention === 'off' || e.flashAttention === 'auto') v.fa = [e.flashAttention as FlashAttn];
  if (pos(e.threads)) v.t = [Math.floor(e.threads)];
  if (pos(e.batchSize)) v.b = [Math.floor(e.batchSize)];
  if (pos(e.ubatchSize)) v.ub = [Math.floor(e.ubatchSize)];
  if (typeof e.gpuLayers === 'number' && e.gpuLayers >= 0) v.ngl = [Math.floor(e.gpuLayers)];
  return v;
}

export async function profileSweep(file: string, opts: { modelResolver?: ModelResolver } = {}): Promise<ProfileSweep> {
  const text = await readInputText(file, { maxBytes: LIMITS.configBytes, what: 'profile' });
  const resolver = opts.modelResolver ?? createModelResolver();
  const analysis = await analyzeText(text, file, { modelResolver: resolver });
  if (!analysis.format) throw new Error(`${file}: not a KV Lens profile, vLLM config or llama-swap config (run \`kvlens check ${file}\`)`);
  const d = analysis.deployments.find((x) => x.engine.kind === 'llama.cpp');
  if (!d) {
    const other = analysis.deployments[0];
    if (other) throw new Error(`${file}: engine.kind is '${other.engine.kind}'; only llama.cpp profiles can be benchmarked here`);
    const err = analysis.diagnostics.find((x) => x.severity === 'error');
    throw new Error(`${file}: no deployment to benchmark${err ? ` (${err.range.start.line + 1}:${err.range.start.character + 1}: ${err.message})` : ''}`);
  }
  const v = sweepFromDeployment(d);
  // -np from a server profile: keep the allocation (KV size) honest, the test itself uses sequence 0.
  const cells = v.c[0] ?? 0;
  if (cells > 0) {
    const perSeq = Math.floor(cells / Math.max(1, v.np[0] ?? 1));
    const fit = Math.max(1, perSeq - v.n[0]! - 1);
    if (v.p[0]! > fit) v.p = [Math.max(1, Math.min(512, fit))];
  }
  const own = [...new Set([...v.ctk, ...v.ctv])];
  const cacheTypes = [...new Set(['f16', 'q8_0', 'q4_0', ...own.filter(isCacheType)])];
  let modelPath: string | undefined;
  let note: string | undefined;
  const ref = d.model?.ref;
  const many = analysis.deployments.length > 1 ? ` (benchmarking '${d.name}', the first llama.cpp model of ${analysis.deployments.length})` : '';
  if (ref) {
    const res = await resolver.resolve(ref, path.dirname(file));
    if (res.kind === 'gguf' && res.path) modelPath = res.path;
    else if (res.kind === 'catalog') note = `the profile's model '${ref}' is a catalog id (sizes only, no weights to load)`;
    else if (res.kind === 'hf-config') note = `the profile's model '${ref}' is an HF config (sizes only, no weights to load)`;
    else note = `the profile's model '${ref}' is not a local GGUF file${res.error ? ` (${res.error})` : ''}`;
  } else note = 'the profile names no model';
  if (many) note = note ? `${note}${many}` : many.trim().replace(/^\(|\)$/g, '');
  return { values: v, cacheTypes, modelPath, note, deployment: d };
}
