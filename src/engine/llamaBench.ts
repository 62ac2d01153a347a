// Runs the user's own llama-bench (for example a CUDA build) with the same flags, and normalises its output to
// BenchTestResult. `-o jsonl` gives one JSON object per test on stdout; `-v` makes llama.cpp log each context's
// KV cache line on stderr, which is where the KV sizes come from (llama-bench does not report them).
// The path is a machine-scoped setting (VS Code) or --llama-bench / KVLENS_LLAMA_BENCH (CLI); it is executed
// directly, never through a shell.
import { spawn } from 'node:child_process';
import type { BenchTestResult } from '../core/engine/protocol';
import { BenchRunError, killGroup, LineSplitter } from './client';
import { parseContextMemory } from './llamaLog';
import type { SweepValues } from './sweep';

export interface LlamaBenchOptions {
  onLog?: (level: string, text: string) => void;
  onResult?: (r: BenchTestResult, index: number) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Called with llama-bench's pid once it runs (its process group id too: it is started detached). */
  onSpawn?: (pid: number) => void;
}

/** llama-bench arguments for a sweep. -c and -np do not exist in llama-bench: asking for them is an error. */
export function llamaBenchArgs(model: string, v: SweepValues, given: ReadonlySet<string>): string[] {
  if (v.c.some((c) => c > 0)) throw new Error('llama-bench has no -c: it sizes each context as prompt + gen + depth');
  if (v.np.some((n) => n !== 1)) throw new Error('llama-bench has no -np: it measures one sequence');
  const a = ['-m', model, '-p', v.p.join(','), '-n', v.n.join(','), '-d', v.d.join(','), '-b', v.b.join(','), '-ub', v.ub.join(','),
    '-ctk', v.ctk.join(','), '-ctv', v.ctv.join(','), '-fa', v.fa.join(','), '-r', String(v.r), '-o', 'jsonl', '-v'];
  for (const [p, n] of v.pg) a.push('-pg', `${p},${n}`);
  if (v.t.some((t) => t > 0)) a.push('-t', v.t.join(','));
  if (given.has('ngl')) a.push('-ngl', v.ngl.join(','));
  if (v.noWarmup) a.push('--no-warmup');
  return a;
}

type Json = Record<string, unknown>;
const num = (v: unknown, d = 0) => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : d);

/** One llama-bench JSONL object → BenchTestResult (KV fields from the matching context's log lines). */
export function normaliseLlamaBench(o: Json, contextLog: readonly string[]): BenchTestResult {
  const mem = parseContextMemory(contextLog);
  const kv = mem.kv;
  const fa = o.flash_attn;
  return {
    build_commit: typeof o.build_commit === 'string' ? o.build_commit : undefined,
    build_number: num(o.build_number) || undefined,
    cpu_info: typeof o.cpu_info === 'string' ? o.cpu_info : undefined,
    gpu_info: typeof o.gpu_info === 'string' ? o.gpu_info : undefined,
    backends: typeof o.backends === 'string' ? o.backends : undefined,
    model_filename: String(o.model_filename ?? ''),
    model_type: typeof o.model_type === 'string' ? o.model_type : undefined,
    model_size: num(o.model_size), model_n_params: num(o.model_n_params),
    n_batch: num(o.n_batch), n_ubatch: num(o.n_ubatch), n_threads: num(o.n_threads), n_gpu_layers: num(o.n_gpu_layers),
    type_k: String(o.type_k ?? ''), type_v: String(o.type_v ?? ''),
    // llama-bench writes flash_attn as -1 (auto), 0 or 1.
    flash_attn: typeof fa === 'boolean' ? fa : typeof fa === 'string' ? fa : num(fa) === -1 ? 'auto' : num(fa) === 1,
    n_prompt: num(o.n_prompt), n_gen: num(o.n_gen), n_depth: num(o.n_depth),
    test_time: String(o.test_time ?? new Date().toISOString()),
    avg_ns: num(o.avg_ns), stddev_ns: num(o.stddev_ns), avg_ts: num(o.avg_ts), stddev_ts: num(o.stddev_ts),
    samples_ns: Array.isArray(o.samples_ns) ? o.samples_ns.map((x) => num(x)) : [],
    samples_ts: Array.isArray(o.samples_ts) ? o.samples_ts.map((x) => num(x)) : [],
    n_ctx: kv[0] ? kv[0].cells * kv[0].streams : 0, n_seq: kv[0]?.seqMax ?? 1,
    kv_bytes: kv.reduce((s, k) => s + k.bytes, 0), kv_k_bytes: kv.reduce((s, k) => s + k.kBytes, 0), kv_v_bytes: kv.reduce((s, k) => s + k.vBytes, 0),
    model_buffer_bytes: mem.modelBufferBytes, compute_buffer_bytes: mem.computeBufferBytes, output_buffer_bytes: mem.outputBufferBytes,
    engine: 'llama-bench', llama_cpp_version: typeof o.build_commit === 'string' ? o.build_commit : undefined,
    ...(kv.length ? {} : { error: 'llama-bench logged no KV cache size line for this test (run with -v)' }),
  };
}

/**
 * Splits llama-bench's verbose stderr into one block per context: each starts at "llama_context: constructing".
 * Model-load lines (before the first context) are prepended to every block so buffer sizes are found.
 */
export function splitContexts(lines: readonly string[]): string[][] {
  const pre: string[] = [];
  const blocks: string[][] = [];
  for (const l of lines) {
    if (/llama_context: constructing llama_context/.test(l)) blocks.push([]);
    (blocks.length ? blocks[blocks.length - 1]! : pre).push(l);
  }
  const model = pre.filter((l) => /model buffer size/.test(l));
  return blocks.map((b) => [...model, ...b]);
}

export function runLlamaBench(exe: string, args: readonly string[], opts: LlamaBenchOptions = {}): Promise<BenchTestResult[]> {
  return new Promise((resolve, reject) => {
    const results: BenchTestResult[] = [];
    const errLines: string[] = [];
    const pending: Json[] = [];
    const child = spawn(exe, [...args], { shell: false, detached: true, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    if (child.pid) opts.onSpawn?.(child.pid);
    let stopped: 'cancelled' | 'timeout' | undefined;
    const stop = (k: 'cancelled' | 'timeout') => { if (!stopped) { stopped = k; if (child.pid) void killGroup(child.pid); } };
    const onAbort = () => stop('cancelled');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = opts.timeoutMs ? setTimeout(() => stop('timeout'), opts.timeoutMs) : undefined;
    // Results are emitted as soon as their context's log block is complete (the next context has started).
    const flush = (final: boolean) => {
      const blocks = splitContexts(errLines);
      while (pending.length && (final || blocks.length > results.length + 1)) {
        const r = normaliseLlamaBench(pending.shift()!, blocks[results.length] ?? []);
        results.push(r); opts.onResult?.(r, results.length - 1);
      }
    };
    const out = new LineSplitter((line) => {
      const t = line.trim();
      if (!t.startsWith('{')) return;
      try { pending.push(JSON.parse(t) as Json); } catch { /* not a result line */ }
      flush(false);
    });
    const err = new LineSplitter((line) => {
      errLines.push(line);
      if (errLines.length > 200_000) errLines.splice(0, 100_000);
      opts.onLog?.(/error|failed/i.test(line) ? 'error' : 'info', line);
    });
    child.stdout.setEncoding('utf8').on('data', (d: string) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => err.push(d));
    child.on('error', (e) => { clearTimeout(timer); reject(new BenchRunError(`cannot run llama-bench at ${exe}: ${e.message}`, 'spawn', results, [])); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      out.end(); err.end();
      flush(true);
      if (stopped === 'cancelled') return reject(new BenchRunError('benchmark cancelled', 'cancelled', results, errLines.slice(-20)));
      if (stopped === 'timeout' || code !== 0) {
        const why = stopped === 'timeout' ? `llama-bench exceeded its time limit of ${Math.round((opts.timeoutMs ?? 0) / 1000)} s` : signal ? `llama-bench was killed by ${signal}` : `llama-bench exited with code ${code}`;
        const reason = [...errLines].reverse().find((l) => /error|failed|requires/i.test(l));
        return reject(new BenchRunError(`${why}${reason ? `: ${reason.trim()}` : ''}`, stopped === 'timeout' ? 'timeout' : 'crash', results, errLines.slice(-20)));
      }
      resolve(results);
    });
  });
}
