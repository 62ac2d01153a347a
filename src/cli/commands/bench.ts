// `kvlens bench [--format text|json] [--out results.jsonl] [--llama-bench PATH] [<profile|model.gguf>] [llama.cpp flags]`
// Measures on the bundled llama.cpp (node-llama-cpp, in a child process) or on the user's llama-bench, and prints
// a llama-bench-like table with the estimator's KV figure beside each measurement.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchTestResult } from '../../core/engine/protocol';
import { ensureDefaultModel } from '../../core/models/makeModel';
import { toRecords } from '../../core/results/records';
import { ResultsStore, sha256File } from '../../core/results/store';
import { BenchRunError, errorResult, runBench } from '../../engine/client';
import { LOG_MIB_RESOLUTION_BYTES } from '../../engine/llamaLog';
import { diffPercent, estimateKvForTest, KvEstimate, modelDescriptor } from '../../engine/compare';
import { estimatedTs, estimateSpeedForTest, localBenchTarget, SpeedEstimate } from '../../engine/compareSpeed';
import { llamaBenchArgs, runLlamaBench } from '../../engine/llamaBench';
import { profileSweep } from '../../engine/profileSweep';
import { BenchTestSpec, testLabel } from '../../engine/spec';
import { benchFlagsHelp, expandSweep, parseBenchFlags, ParsedBenchArgs, SweepUsageError, SweepValues, SWEEP_DEFAULTS } from '../../engine/sweep';
import { CliIO, EXIT_FINDINGS, EXIT_OK, UsageError } from '../io';

const HELP = `Usage: kvlens bench [options] [<profile.kvlens.yaml | model.gguf>] [llama-bench flags]

Measures prompt processing (pp) and generation (tg) speed and the KV cache llama.cpp allocates, on the bundled
llama.cpp engine (CPU; a GPU build when installed and --gpu is given), or on your own llama-bench.
With no model, benchmarks a generated 24 MiB random-weight llama model (a one-command demo).

Options:
  --format text|json    output (default text); json = array of per-test results
  --out FILE            append the results to a JSON Lines results store
  --llama-bench PATH    run this llama-bench executable instead of the bundled engine
                        (or set KVLENS_LLAMA_BENCH)
  --gpu                 let the bundled engine use a GPU build when one is installed
  --timeout SECONDS     stop the whole run after this long (default: none; a silent engine is
                        stopped after 120 s)

llama-bench flags (comma lists and repeats expand into a test matrix):
${benchFlagsHelp()}

Default sweep without flags: K/V cache f16/f16, q8_0/q8_0, q4_0/q4_0 × -p 512 -n 32 × -r 3.
-c defaults to prompt + gen + depth (llama-bench's sizing); llama.cpp pads it up to a multiple of 256 cells,
and without a unified cache each of -np sequences gets PAD(c / np, 256) cells.
`;

/** The demo / profile default: paired K/V types (f16/f16, q8_0/q8_0, q4_0/q4_0), short tests. */
export function pairedSweeps(base: SweepValues, types: readonly string[] = ['f16', 'q8_0', 'q4_0']): SweepValues[] {
  return types.map((t) => ({ ...base, ctk: [t as SweepValues['ctk'][number]], ctv: [t as SweepValues['ctv'][number]] }));
}

// On a small shared machine ggml's spinning worker threads fight over the cores (measured here: 2 threads on 2
// busy cores ran tg 300× slower than 1 thread), so the demo leaves one core free.
export const DEMO_SWEEP: SweepValues = { ...SWEEP_DEFAULTS, p: [512], n: [32], r: 3, t: [Math.max(1, Math.min(8, os.availableParallelism() - 1))] };

interface Plan { model: string; generated: boolean; sweeps: SweepValues[]; parsed: ParsedBenchArgs; profile?: string; note?: string }

async function plan(args: string[], io: CliIO): Promise<Plan> {
  let parsed: ParsedBenchArgs;
  try { parsed = parseBenchFlags(args); } catch (e) {
    if (e instanceof SweepUsageError) throw new UsageError(e.message);
    throw e;
  }
  if (parsed.positional.length > 1) throw new UsageError(`expected at most one model or profile, got: ${parsed.positional.join(' ')}`);
  const target = parsed.positional[0] ?? parsed.values.model[0];
  if (parsed.values.model.length > 1) throw new UsageError('one model per run (-m given more than once)');
  const userSweep = parsed.given.size > 0 && !(parsed.given.size === 1 && parsed.given.has('model'));
  if (!target) {
    const model = await ensureDefaultModel();
    const sweeps = userSweep ? [parsed.values] : pairedSweeps(DEMO_SWEEP);
    return { model, generated: true, sweeps, parsed, note: `model: generated random-weight llama (${model})` };
  }
  const abs = path.resolve(io.cwd, target);
  if (/\.(ya?ml|json)$/i.test(abs)) {
    const ps = await profileSweep(abs);
    let model = ps.modelPath;
    let note = ps.note;
    if (!model) { model = await ensureDefaultModel(); note = `${ps.note ?? 'the profile names no local GGUF'}: measuring the generated model instead (${model})`; }
    // Flags on the command line override the profile's.
    const merged = { ...ps.values };
    for (const k of parsed.given) if (k !== 'model') (merged as unknown as Record<string, unknown>)[k] = (parsed.values as unknown as Record<string, unknown>)[k];
    const sweeps = parsed.given.has('ctk') || parsed.given.has('ctv') ? [merged] : pairedSweeps(merged, ps.cacheTypes);
    return { model, generated: !ps.modelPath, sweeps, parsed, profile: abs, note };
  }
  if (!fs.existsSync(abs)) throw new UsageError(`model file not found: ${abs}`);
  return { model: abs, generated: false, sweeps: userSweep ? [parsed.values] : pairedSweeps(DEMO_SWEEP), parsed };
}

const fa = (v: boolean | string) => (v === true ? 'on' : v === false ? 'off' : String(v));
function fmtNum(n: number, d = 2): string { return Number.isFinite(n) ? n.toFixed(d) : '-'; }
function mib(b: number | undefined): string { return b ? (b / 1048576).toFixed(2) : '-'; }
function fmtParams(n: number): string { return n >= 1e9 ? `${(n / 1e9).toFixed(2)} B` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n > 0 ? `${n}` : '-'; }

export interface BenchRow { r: BenchTestResult; est?: KvEstimate; speed?: SpeedEstimate }

function pct(d: number | undefined): string { return d === undefined || !Number.isFinite(d) ? '-' : `${d >= 0 ? '+' : ''}${d.toFixed(d !== 0 && Math.abs(d) < 10 ? 1 : 0)}`; }

export function textTable(rows: BenchRow[]): string {
  const head = ['model', 'size', 'params', 'backend', 'threads', 'type_k', 'type_v', 'fa', 'np', 'test', 't/s', 'est t/s', 't/s Δ %', 'n_ctx', 'KV MiB', 'est MiB', 'KV Δ'];
  const body = rows.map(({ r, est, speed }) => {
    const test = testLabel(r);
    const estTs = estimatedTs(r, speed);
    if (r.error) return [path.basename(r.model_filename), '', '', '', String(r.n_threads || ''), r.type_k, r.type_v, fa(r.flash_attn), String(r.n_seq ?? 1), test, `error: ${r.error.split('\n')[0]}`, estTs ? fmtNum(estTs) : '', '', '', '', est?.kvBytes ? mib(est.kvBytes) : '', ''];
    const d = diffPercent(r.kv_bytes, est?.kvBytes);
    // The log prints MiB with 2 decimals: a difference inside that rounding is a match, not a percentage.
    const within = est?.kvBytes !== undefined && Math.abs(r.kv_bytes - est.kvBytes) <= LOG_MIB_RESOLUTION_BYTES;
    return [
      r.model_type || path.basename(r.model_filename), `${mib(r.model_size)} MiB`, fmtParams(r.model_n_params), r.backends ?? 'CPU', String(r.n_threads),
      r.type_k, r.type_v, fa(r.flash_attn), String(r.n_seq ?? 1), test, `${fmtNum(r.avg_ts)} ± ${fmtNum(r.stddev_ts)}`,
      estTs ? fmtNum(estTs) : '-', pct(diffPercent(r.avg_ts, estTs)), String(r.n_ctx), mib(r.kv_bytes), est?.kvBytes ? mib(est.kvBytes) : '-', within ? 'match' : d === undefined ? '-' : `${d >= 0 ? '+' : ''}${d.toFixed(2)}`,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const right = new Set([1, 2, 4, 8, 10, 11, 12, 13, 14, 15, 16]);
  const line = (cells: string[]) => `| ${cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const sep = `| ${widths.map((w, i) => (right.has(i) ? '-'.repeat(w - 1) + ':' : '-'.repeat(w))).join(' | ')} |`;
  return [line(head), sep, ...body.map(line)].join('\n') + '\n';
}

export async function run(args: string[], io: CliIO): Promise<number> {
  let format: 'text' | 'json' = 'text';
  let out: string | undefined;
  let llamaBench = process.env.KVLENS_LLAMA_BENCH || undefined;
  let gpu = false;
  let timeoutMs: number | undefined;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const val = () => { const v = args[++i]; if (v === undefined) throw new UsageError(`${a} needs a value`); return v; };
    if (a === '--help' || a === '-h') { io.out(HELP); return EXIT_OK; }
    else if (a === '--format') { const v = val(); if (v !== 'text' && v !== 'json') throw new UsageError(`--format must be text or json (got '${v}')`); format = v; }
    else if (a.startsWith('--format=')) { const v = a.slice(9); if (v !== 'text' && v !== 'json') throw new UsageError(`--format must be text or json (got '${v}')`); format = v; }
    else if (a === '--out') out = val();
    else if (a === '--llama-bench') llamaBench = val();
    else if (a === '--gpu') gpu = true;
    else if (a === '--timeout') { const v = Number(val()); if (!(v > 0)) throw new UsageError('--timeout needs a positive number of seconds'); timeoutMs = v * 1000; }
    else rest.push(a);
  }
  const p = await plan(rest, io);
  let tests: BenchTestSpec[] = [];
  try { for (const s of p.sweeps) tests.push(...expandSweep(s)); } catch (e) {
    if (e instanceof SweepUsageError) throw new UsageError(e.message);
    throw e;
  }
  if (tests.length === 0) throw new UsageError('the flags select no test (all of -p, -n and -pg are 0)');
  const progress = io.isTTY && format === 'text';
  if (p.note) io.err(`${p.note}\n`);

  let results: BenchTestResult[] = [];
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once('SIGINT', onSig);
  try {
    if (llamaBench) {
      // llama-bench expands the matrix itself: one invocation per sweep (the demo's paired K/V types are three).
      for (const s of p.sweeps) {
        let lbArgs: string[];
        try { lbArgs = llamaBenchArgs(p.model, s, p.parsed.given); } catch (e) { throw new UsageError((e as Error).message); }
        try {
          results.push(...await runLlamaBench(path.resolve(io.cwd, llamaBench), lbArgs, { signal: ac.signal, timeoutMs }));
        } catch (e) {
          if (e instanceof BenchRunError) { results.push(...e.results); io.err(`kvlens bench: ${e.message}\n`); if (e.kind === 'cancelled') break; results.push(errorResult(undefined, p.model, e.message, 'llama-bench')); }
          else throw e;
        }
      }
      tests = [];
    } else {
      results = await runBench({ model: p.model, tests, reps: p.sweeps[0]!.r, noWarmup: p.sweeps[0]!.noWarmup, gpu: gpu ? 'auto' : false }, {
        signal: ac.signal, timeoutMs,
        onProgress: (m) => { if (progress) io.err(`\r\x1b[Ktest ${m.test + 1}/${m.tests} ${testLabel(tests[m.test] ?? { n_prompt: 0, n_gen: 0, n_depth: 0 })} ${tests[m.test]?.type_k ?? ''}/${tests[m.test]?.type_v ?? ''}: ${m.phase}${m.rep !== undefined ? ` ${m.rep + 1}/${m.reps}` : ''}`); },
        onLog: (level, text) => { if (level === 'error' || level === 'fatal') io.err(`${progress ? '\r\x1b[K' : ''}llama.cpp: ${text}\n`); },
      });
      if (progress) io.err('\r\x1b[K');
    }
  } catch (e) {
    if (e instanceof BenchRunError && e.kind === 'cancelled') { io.err('\nkvlens bench: cancelled\n'); results = e.results; }
    else throw e;
  } finally {
    process.off('SIGINT', onSig);
  }

  // Estimates beside measurements: the estimator on the same GGUF and the same settings.
  const rows: BenchRow[] = [];
  let descriptorError: string | undefined;
  const desc = await modelDescriptor(p.model).catch((e: Error) => { descriptorError = e.message; return undefined; });
  // Speed estimates are for the machine the engine ran on: the external llama-bench may use a GPU, the bundled
  // engine uses one only with --gpu.
  const local = await localBenchTarget(gpu || !!llamaBench);
  results.forEach((r, i) => {
    const spec = tests[i] ?? { n_prompt: r.n_prompt, n_gen: r.n_gen, n_depth: r.n_depth, n_ctx_requested: 0, n_seq: r.n_seq ?? 1, n_batch: r.n_batch, n_ubatch: r.n_ubatch, n_threads: r.n_threads, n_gpu_layers: r.n_gpu_layers, type_k: r.type_k, type_v: r.type_v, flash_attn: r.flash_attn === true ? 'on' : r.flash_attn === false ? 'off' : 'auto' } as BenchTestSpec;
    let est: KvEstimate | undefined;
    let speed: SpeedEstimate | undefined;
    if (desc) {
      try { est = estimateKvForTest(desc, spec); } catch { est = undefined; }
      try { speed = estimateSpeedForTest(desc, spec, local.target); } catch { speed = undefined; }
    }
    rows.push({ r, est, speed });
  });

  // JSON keeps llama-bench's fields as they are and adds est_ts (the estimator's t/s for the same test).
  if (format === 'json') io.out(JSON.stringify(results.map((r, i) => { const e = estimatedTs(r, rows[i]?.speed); return e ? { ...r, est_ts: e } : r; }), null, 2) + '\n');
  else {
    io.out(textTable(rows));
    if (descriptorError) io.out(`(no estimate: ${descriptorError})\n`);
    io.out('KV MiB: llama.cpp\'s llama_kv_cache log line (2 decimals); est MiB: kvlens estimate for the same -c/-np/-ctk/-ctv/-fa; KV Δ: match = equal within the log\'s 0.005 MiB rounding. n_ctx: cells over all sequences.\n');
    const band = rows.find((x) => x.speed)?.speed?.band;
    const basis = rows.find((x) => x.speed)?.speed?.basis;
    if (band !== undefined) io.out(`est t/s: kvlens estimate's roofline for the 'local' target (${local.note}), calibrated on published llama-bench runs${basis ? ` (${basis})` : ''}, ±${Math.round(band * 100)} % band; CPU FLOP/s scaled to the test's -t threads. t/s Δ % = measured vs estimate. Saved with --out, these runs refine later estimates for this machine.\n`);
  }
  if (out) {
    const file = path.resolve(io.cwd, out);
    const sha = await sha256File(p.model);
    const records = toRecords(results, {
      modelPath: p.model, modelSha256: sha, modelName: desc?.name, architecture: desc?.architecture, flags: rest, profile: p.profile,
      estimates: rows.map((x) => x.est || x.speed ? {
        ...(x.est ? { kvBytes: x.est.kvBytes, kvKBytes: x.est.kvKBytes, kvVBytes: x.est.kvVBytes } : {}),
        ...(x.speed?.prefillTokensPerSec ? { prefillTokensPerSec: x.speed.prefillTokensPerSec } : {}),
        ...(x.speed?.decodeTokensPerSec ? { decodeTokensPerSec: x.speed.decodeTokensPerSec } : {}),
        ...(x.speed?.calibration ? { calibration: x.speed.calibration } : {}),
      } : undefined),
    });
    await new ResultsStore(file).append(records);
    io.err(`saved ${records.length} result(s) to ${file}\n`);
  }
  return results.length === 0 || results.some((r) => r.error) ? EXIT_FINDINGS : EXIT_OK;
}
