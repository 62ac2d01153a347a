// `npm run bench:engine`: the bundled engine (node-llama-cpp in the runner) against the real llama-bench built
// from the same llama.cpp source (scripts/build-llama-bench.sh), on the same generated model and flags, in one
// run, interleaved round by round (the order rotates) so machine load hits all alike. Prints median and
// spread of tokens/s per engine and the ratio bundled / llama-bench; target ≥ 90 % for pp and tg.
// Two llama-bench builds when present: the native static build, and the same llama-bench linked against
// node-llama-cpp's prebuilt libraries (identical kernels), which isolates the runner's own overhead from the
// difference between the two llama.cpp builds.
// Writes bench-results/engine.json.
//
// Options: --rounds N (default 5) --reps N (default 3) --threads N (default 1) --pp N (default 256)
//          --tg N (default 64) --model PATH --llama-bench PATH (else KVLENS_LLAMA_BENCH, else the cached build)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchTestResult } from '../src/core/engine/protocol';
import { ensureDefaultModel } from '../src/core/models/makeModel';
import { machineInfo } from '../src/core/results/machine';
import { runBench } from '../src/engine/client';
import { runLlamaBench } from '../src/engine/llamaBench';
import type { BenchTestSpec } from '../src/engine/spec';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}

function findLlamaBench(): string | undefined {
  const explicit = arg('--llama-bench', process.env.KVLENS_LLAMA_BENCH ?? '');
  if (explicit) return fs.existsSync(explicit) ? explicit : undefined;
  const base = path.join(process.env.KVLENS_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'kvlens'), 'llama-bench');
  if (!fs.existsSync(base)) return undefined;
  for (const d of fs.readdirSync(base)) {
    const exe = path.join(base, d, 'llama-bench');
    if (/^[0-9a-f]{40}$/.test(d) && fs.existsSync(exe)) return exe;
  }
  return undefined;
}

const median = (a: number[]) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
const quantile = (a: number[], q: number) => { const s = [...a].sort((x, y) => x - y); const pos = (s.length - 1) * q; const lo = Math.floor(pos); return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (pos - lo); };

async function main(): Promise<void> {
  const rounds = Number(arg('--rounds', '5'));
  const reps = Number(arg('--reps', '3'));
  const threads = Number(arg('--threads', '1'));
  const pp = Number(arg('--pp', '256'));
  const tg = Number(arg('--tg', '64'));
  const model = arg('--model', '') || await ensureDefaultModel();
  const lb = findLlamaBench();
  const lbPre = lb && fs.existsSync(path.join(path.dirname(lb), 'prebuilt', 'llama-bench')) ? path.join(path.dirname(lb), 'prebuilt', 'llama-bench') : undefined;
  const tests: BenchTestSpec[] = [
    { n_prompt: pp, n_gen: 0, n_depth: 0, n_ctx_requested: 0, n_seq: 1, n_batch: 512, n_ubatch: 512, n_threads: threads, n_gpu_layers: 0, type_k: 'f16', type_v: 'f16', flash_attn: 'auto' },
    { n_prompt: 0, n_gen: tg, n_depth: 0, n_ctx_requested: 0, n_seq: 1, n_batch: 512, n_ubatch: 512, n_threads: threads, n_gpu_layers: 0, type_k: 'f16', type_v: 'f16', flash_attn: 'auto' },
  ];
  // The same work for llama-bench: -b = -ub = 512 (node-llama-cpp uses one batch size for both), f16 KV, fa auto.
  const lbArgs = ['-m', model, '-p', String(pp), '-n', String(tg), '-t', String(threads), '-b', '512', '-ub', '512', '-ctk', 'f16', '-ctv', 'f16', '-fa', 'auto', '-r', String(reps), '-o', 'jsonl', '-v'];
  process.stderr.write(`model ${model}\nllama-bench: ${lb ?? 'not built (scripts/build-llama-bench.sh builds it into ~/.cache/kvlens/llama-bench/<commit>/, ~13 min on 2 cores); reporting the bundled engine only'}\n`);

  type Who = 'bundled' | 'llama-bench' | 'llama-bench-prebuilt';
  const samples: Record<Who, Record<'pp' | 'tg', number[]>> = { bundled: { pp: [], tg: [] }, 'llama-bench': { pp: [], tg: [] }, 'llama-bench-prebuilt': { pp: [], tg: [] } };
  const take = (who: Who, rs: BenchTestResult[]) => {
    for (const r of rs) {
      if (r.error) throw new Error(`${who}: ${r.error}`);
      samples[who][r.n_gen > 0 ? 'tg' : 'pp'].push(...r.samples_ts);
    }
  };
  for (let round = 0; round < rounds; round++) {
    const all: Who[] = ['bundled', 'llama-bench-prebuilt', 'llama-bench'];
    const order = [...all.slice(round % 3), ...all.slice(0, round % 3)];
    for (const who of order) {
      const exe = who === 'llama-bench' ? lb : who === 'llama-bench-prebuilt' ? lbPre : undefined;
      if (who !== 'bundled' && !exe) continue;
      process.stderr.write(`round ${round + 1}/${rounds}: ${who}\n`);
      if (who === 'bundled') take(who, await runBench({ model, tests, reps }, { testTimeoutMs: 300_000 }));
      else take(who, await runLlamaBench(exe!, lbArgs, { timeoutMs: 600_000 }));
    }
  }

  const summary = (a: number[]) => (a.length ? { median: median(a), p25: quantile(a, 0.25), p75: quantile(a, 0.75), min: Math.min(...a), max: Math.max(...a), n: a.length } : undefined);
  const rows = (['pp', 'tg'] as const).map((k) => {
    const b = summary(samples.bundled[k])!;
    const pre = summary(samples['llama-bench-prebuilt'][k]);
    const nat = summary(samples['llama-bench'][k]);
    return {
      test: k === 'pp' ? `pp${pp}` : `tg${tg}`,
      bundled: b, llamaBenchPrebuiltLibs: pre, llamaBenchNative: nat,
      ratioVsPrebuiltLibs: pre ? b.median / pre.median : undefined,
      ratioVsNative: nat ? b.median / nat.median : undefined,
    };
  });
  const f = (x: number) => x.toFixed(1);
  const cell = (s: ReturnType<typeof summary>) => (s ? `${f(s.median)} [${f(s.p25)}–${f(s.p75)}] (${s.n})` : 'not built');
  const pct = (r: number | undefined) => (r === undefined ? '-' : `${(r * 100).toFixed(1)} %${r >= 0.9 ? '' : ' (< 90 %)'}`);
  const lines = [
    `| test | bundled t/s median [p25–p75] (n) | llama-bench on the same prebuilt libs | bundled / same libs | llama-bench native build | bundled / native |`,
    `| ---- | ---: | ---: | ---: | ---: | ---: |`,
    ...rows.map((r) => `| ${r.test} | ${cell(r.bundled)} | ${cell(r.llamaBenchPrebuiltLibs)} | ${pct(r.ratioVsPrebuiltLibs)} | ${cell(r.llamaBenchNative)} | ${pct(r.ratioVsNative)} |`),
  ];
  process.stdout.write(`\nEngine benchmark: ${threads} thread(s), ${rounds} interleaved rounds × ${reps} reps, f16 KV, model ${path.basename(model)}\n${lines.join('\n')}\n`);
  fs.mkdirSync('bench-results', { recursive: true });
  fs.writeFileSync(path.join('bench-results', 'engine.json'), JSON.stringify({
    date: new Date().toISOString(), machine: machineInfo(), loadAverage: os.loadavg(), model, llamaBench: lb ?? null, llamaBenchPrebuiltLibs: lbPre ?? null,
    settings: { rounds, reps, threads, pp, tg, batch: 512, ubatch: 512, typeK: 'f16', typeV: 'f16', flashAttn: 'auto' },
    rows, samples,
  }, null, 2) + '\n');
  process.stdout.write('saved bench-results/engine.json\n');
}

main().catch((e) => { process.stderr.write(`bench:engine: ${e instanceof Error ? e.message : String(e)}\n`); process.exitCode = 1; });
