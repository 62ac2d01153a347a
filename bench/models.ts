// Benchmark: model resolution. (1) The first remote resolve of a 140 GB model (Llama-3.1-70B's layout in bf16,
// 30 safetensors shards) against the stand-in for the Hub's network (test/unit/models/hubStandIn.ts): bytes and
// requests it costs — headers only, target ≤ 1 MB. (2) Resolving the same model again from a warm cache: from
// KV Lens's disk cache with a fresh resolver (a new editor session or CLI run, target ≤ 5 ms) and from the
// resolver's memory (the next keystroke). Median and spread over the runs; prints a table and writes
// bench-results/models.json.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createModelResolver, type ModelResolverOptions } from '../src/core/models/resolve';
import { findCatalogModel } from '../src/core/models/catalog';
import { fakeCommit, HubStandIn, llamaLikeTensors, shardedSafetensors } from '../test/unit/models/hubStandIn';

const TARGET_WARM_MS = 5;
const TARGET_BYTES = 1_000_000;

function stats(xs: number[]): { median: number; p95: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.max(0, Math.min(s.length - 1, Math.ceil(p * s.length) - 1))]!;
  return { median: q(0.5), p95: q(0.95), min: s[0]!, max: s[s.length - 1]! };
}

export interface ModelsBench {
  model: string;
  weightsBytes: number;
  shards: number;
  firstResolve: { bytes: number; requests: number; ms: number[]; ok: boolean };
  warmDisk: { runs: number; medianMs: number; p95Ms: number; minMs: number; maxMs: number; ok: boolean };
  warmMemory: { runs: number; medianMs: number; p95Ms: number; minMs: number; maxMs: number };
}

export async function benchModels(opts: { root?: string; write?: boolean; log?: (s: string) => void; runs?: number } = {}): Promise<ModelsBench> {
  const log = opts.log ?? ((s: string) => process.stdout.write(s));
  const root = opts.root ?? path.resolve(__dirname, '../..');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-bench-models-'));
  const hub = await new HubStandIn().start();
  try {
    const entry = findCatalogModel('meta-llama/Llama-3.1-70B-Instruct')!;
    const cfg = { architectures: ['LlamaForCausalLM'], ...entry.config } as unknown as Record<string, number | string | boolean>;
    const tensors = llamaLikeTensors(cfg);
    const repo = 'bench/Llama-3.1-70B-layout';
    hub.add(repo, { commit: fakeCommit(repo), files: { 'config.json': Buffer.from(JSON.stringify(cfg)), ...shardedSafetensors(tensors, 30) } });
    const options = (cacheRoot: string): ModelResolverOptions => ({
      network: 'blocking', homeDir: path.join(cacheRoot, 'home'),
      env: { HF_ENDPOINT: hub.endpoint, XDG_CACHE_HOME: path.join(cacheRoot, 'cache'), HF_HOME: path.join(cacheRoot, 'hf') },
    });
    // (1) First remote resolves, each into an empty cache.
    const firstMs: number[] = [];
    let bytes = 0;
    let requests = 0;
    let weightsBytes = 0;
    for (let i = 0; i < 5; i++) {
      const r0 = performance.now();
      const r = await createModelResolver(options(path.join(tmp, `cold${i}`))).resolve(repo, tmp);
      firstMs.push(performance.now() - r0);
      if (r.kind !== 'hub') throw new Error(`bench: ${r.kind} ${r.error ?? ''}`);
      bytes = r.origin?.bytes ?? 0;
      requests = r.origin?.requests ?? 0;
      weightsBytes = r.descriptor!.weightsBytes;
    }
    // (2) Warm disk cache: a fresh resolver (no memory) per run.
    const warm = options(path.join(tmp, 'cold0'));
    const runs = opts.runs ?? 200;
    for (let i = 0; i < 20; i++) await createModelResolver(warm).resolve(repo, tmp);
    const disk: number[] = [];
    const before = hub.log.length;
    for (let i = 0; i < runs; i++) {
      const res = createModelResolver(warm);
      const t0 = performance.now();
      const r = await res.resolve(repo, tmp);
      disk.push(performance.now() - t0);
      if (r.origin?.cached !== true) throw new Error('bench: warm resolve was not from the cache');
    }
    if (hub.log.length !== before) throw new Error('bench: a warm resolve made a request');
    const memRes = createModelResolver(warm);
    await memRes.resolve(repo, tmp);
    const mem: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await memRes.resolve(repo, tmp);
      mem.push(performance.now() - t0);
    }
    const d = stats(disk);
    const m = stats(mem);
    const f = stats(firstMs);
    const result: ModelsBench = {
      model: `${repo} (Llama-3.1-70B layout, bf16)`, weightsBytes, shards: 30,
      firstResolve: { bytes, requests, ms: firstMs.map((x) => Math.round(x * 10) / 10), ok: bytes <= TARGET_BYTES },
      warmDisk: { runs, medianMs: d.median, p95Ms: d.p95, minMs: d.min, maxMs: d.max, ok: d.median <= TARGET_WARM_MS },
      warmMemory: { runs, medianMs: m.median, p95Ms: m.p95, minMs: m.min, maxMs: m.max },
    };
    const fmt = (x: number): string => x.toFixed(3);
    log(`\nModel resolution (${result.model}, ${(weightsBytes / 1e9).toFixed(1)} GB of weights in 30 shards)\n`);
    log(`  first remote resolve   ${bytes.toLocaleString('en-US')} bytes in ${requests} requests (target ≤ ${TARGET_BYTES.toLocaleString('en-US')} bytes) ${result.firstResolve.ok ? 'ok' : 'OVER'}; ${f.median.toFixed(0)} ms median of 5 (${f.min.toFixed(0)}–${f.max.toFixed(0)})\n`);
    log(`  case                   runs   median ms   p95 ms   min ms   max ms\n`);
    log(`  warm disk cache        ${String(runs).padStart(4)}   ${fmt(d.median).padStart(9)}   ${fmt(d.p95).padStart(6)}   ${fmt(d.min).padStart(6)}   ${fmt(d.max).padStart(6)}   target ≤ ${TARGET_WARM_MS} ms median ${result.warmDisk.ok ? 'ok' : 'OVER'}\n`);
    log(`  warm memory            ${String(runs).padStart(4)}   ${fmt(m.median).padStart(9)}   ${fmt(m.p95).padStart(6)}   ${fmt(m.min).padStart(6)}   ${fmt(m.max).padStart(6)}\n`);
    if (opts.write !== false) {
      const out = path.join(root, 'bench-results');
      fs.mkdirSync(out, { recursive: true });
      fs.writeFileSync(path.join(out, 'models.json'), JSON.stringify({ date: new Date().toISOString(), node: process.version, ...result }, null, 2) + '\n');
      log(`  saved ${path.relative(process.cwd(), path.join(out, 'models.json'))}\n`);
    }
    return result;
  } finally {
    await hub.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchModels().catch((e) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  });
}
