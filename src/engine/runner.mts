// The engine runner: a child process (never the extension host) that loads node-llama-cpp's prebuilt llama.cpp,
// runs a test matrix the way llama-bench does, and reports one JSON object per line on stdout.
//
// Input: the spec as JSON in argv[2], or as the first line on stdin. When it came on stdin, the end of stdin
// means the parent is gone and the runner exits at once, so a crashed editor leaves no runner behind.
//
// Timing follows tools/llama-bench/llama-bench.cpp: random tokens (BOS first when the model adds one), prompt in
// n_batch chunks with one output row per chunk, generation one token per decode, the cache cleared before each
// repetition, depth tokens evaluated untimed before the timed part, one untimed warmup. Tokens go straight to
// the addon's batch API (the same calls node-llama-cpp's own queue makes), so no sampling, grammar or queueing
// sits in the timed loop.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BenchTestResult } from '../core/engine/protocol.js';
import type { BenchTestSpec, RunnerMessage, RunnerSpec } from './spec.js';
import { paddedContext, requestedContext, tokensNeeded } from './spec.js';
import { failureReason, parseContextMemory, parseKvLine } from './llamaLog.js';
import { readGguf } from '../core/models/gguf.js';

const emitRaw = (m: RunnerMessage) => { process.stdout.write(JSON.stringify(m) + '\n'); };
// Anything a dependency prints must not corrupt the JSON stream.
console.log = (...a: unknown[]) => process.stderr.write(a.map(String).join(' ') + '\n');
console.info = console.log;

async function readSpec(): Promise<{ spec: RunnerSpec; fromStdin: boolean }> {
  if (process.argv[2]) return { spec: JSON.parse(process.argv[2]) as RunnerSpec, fromStdin: false };
  return await new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        process.stdin.off('data', onData);
        try { resolve({ spec: JSON.parse(buf.slice(0, nl)) as RunnerSpec, fromStdin: true }); } catch (e) { reject(e); }
      }
    };
    process.stdin.on('data', onData);
    process.stdin.on('end', () => reject(new Error('no spec on stdin')));
  });
}

/** xorshift32 — llama-bench uses rand(); any uniform source of token ids gives the same work. */
function tokenSource(seed: number): () => number {
  let x = (seed >>> 0) || 0x9e3779b9;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

/** The last `llama_context: <name> = <int>` value in the lines (what llama.cpp actually used). */
function logInt(lines: readonly string[], name: string): number | undefined {
  const re = new RegExp(`llama_context:\\s+${name}\\s+=\\s+(\\d+)`);
  let v: number | undefined;
  for (const l of lines) { const m = re.exec(l); if (m) v = Number(m[1]); }
  return v;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function stats(samplesNs: number[], tokens: number) {
  const ts = samplesNs.map((ns) => (tokens * 1e9) / ns);
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  const sd = (a: number[]) => { if (a.length < 2) return 0; const m = mean(a); return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / (a.length - 1)); };
  return { avg_ns: Math.round(mean(samplesNs)), stddev_ns: Math.round(sd(samplesNs)), avg_ts: mean(ts), stddev_ts: sd(ts), samples_ns: samplesNs.map(Math.round), samples_ts: ts };
}

const GGML_TYPE_BY_NAME: Record<string, string> = { f32: 'F32', f16: 'F16', bf16: 'BF16', q8_0: 'Q8_0', q4_0: 'Q4_0', q4_1: 'Q4_1', iq4_nl: 'IQ4_NL', q5_0: 'Q5_0', q5_1: 'Q5_1' };

// The parent's watchdog, on its own thread: while llama.cpp loads a model the main thread can sit in native code
// for minutes, deaf to the end of stdin. The worker still runs; when the process that started the runner is gone
// (its pid dead, or this process re-parented), it kills the runner's process group (the runner is started
// detached, so it leads its own group), so no runner outlives its CLI or editor, whatever killed them.
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { ppid, pid } = workerData;
const parentNow = () => { try { const s = fs.readFileSync('/proc/' + pid + '/stat', 'latin1'); return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]); } catch { return undefined; } };
const alive = () => { try { process.kill(ppid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
setInterval(() => {
  const now = parentNow();
  if ((now !== undefined && now !== ppid) || !alive()) {
    try { process.kill(-pid, 'SIGKILL'); } catch {}
    try { process.kill(pid, 'SIGKILL'); } catch {}
  }
}, 200);
`;

/** Ends the runner and anything it started at once (its process group: it is started detached). */
function dieNow(): void {
  try { process.kill(-process.pid, 'SIGKILL'); } catch { /* no group (Windows) */ }
  process.kill(process.pid, 'SIGKILL');
}

function watchParent(): void {
  const ppid = process.ppid;
  // Re-parented before this line ran: whoever started the runner is already gone.
  if (ppid === 1) dieNow();
  if (!ppid) return;
  try {
    new Worker(WATCHDOG, { eval: true, workerData: { ppid, pid: process.pid } }).unref();
  } catch { /* no worker threads: the end of stdin still stops the runner when it is not busy */ }
}

async function main(): Promise<void> {
  watchParent();
  const { spec, fromStdin } = await readSpec();
  if (fromStdin) {
    // The parent is gone. Not process.exit: it stops the watchdog thread first and then runs the addon's teardown,
    // which waits for a model load in progress (a runner outlived a SIGKILLed CLI that way on CI).
    process.stdin.on('end', dieNow);
    process.stdin.resume();
  }
  const emit = emitRaw;
  const log: { level: string; text: string; seq: number }[] = [];
  let seq = 0;
  // node-llama-cpp hands over one log line per call (without its newline); split defensively anyway.
  const onLog = (level: string, message: string) => {
    for (const p of message.split('\n')) {
      if (!p.trim()) continue;
      const entry = { level, text: p, seq: seq++ };
      log.push(entry);
      if (log.length > 5000) log.splice(0, 1000);
      if (spec.verboseLog || level === 'warn' || level === 'error' || level === 'fatal' || parseKvLine(p) || /buffer size/.test(p)) emit({ type: 'log', level, text: p });
    }
  };
  const flushPartial = () => { /* lines arrive whole */ };

  const require = createRequire(import.meta.url);
  let engineVersion: string | undefined;
  try {
    // The package's exports map hides package.json; find it next to the resolved entry point.
    let dir = path.dirname(require.resolve('node-llama-cpp'));
    for (let i = 0; i < 5 && !fs.existsSync(path.join(dir, 'package.json')); i++) dir = path.dirname(dir);
    engineVersion = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch { /* not fatal: reported as unknown */ }
  const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
  emit({ type: 'progress', test: 0, tests: spec.tests.length, phase: 'load-engine' });
  const llama = await getLlama({
    gpu: spec.gpu === 'auto' ? 'auto' : false, build: 'never', maxThreads: 0,
    logLevel: LlamaLogLevel.info, logger: (level, message) => onLog(String(level), message),
  });
  const llamaCppVersion = llama.llamaCppRelease?.release;
  emit({ type: 'hello', pid: process.pid, engine: 'node-llama-cpp', engine_version: engineVersion, llama_cpp_version: llamaCppVersion, gpu: llama.gpu });

  emit({ type: 'progress', test: 0, tests: spec.tests.length, phase: 'load-model', message: spec.model });
  const loadStart = seq;
  const gpuLayers = llama.gpu === false ? 0 : Math.max(0, ...spec.tests.map((t) => t.n_gpu_layers));
  // Preflight with the bounds-checked GGUF reader: a truncated or hostile file gets a precise reason here instead
  // of whatever the native loader or node-llama-cpp's own metadata reader would make of it.
  try {
    await readGguf(spec.model);
  } catch (e) {
    emit({ type: 'error', message: `cannot load model ${spec.model}: ${e instanceof Error ? e.message : String(e)}` });
    emit({ type: 'done' });
    return;
  }
  let model;
  try {
    model = await llama.loadModel({ modelPath: spec.model, gpuLayers });
  } catch (e) {
    await sleep(20); flushPartial();
    const reason = failureReason(log.filter((l) => l.seq >= loadStart));
    emit({ type: 'error', message: `cannot load model ${spec.model}: ${reason ?? (e instanceof Error ? e.message : String(e))}` });
    emit({ type: 'done' });
    return;
  }
  await sleep(10); flushPartial();
  const modelMem = parseContextMemory(log.filter((l) => l.seq >= loadStart).map((l) => l.text));
  const internal = (model as unknown as { _model?: { getTotalParameters?: () => number } })._model;
  let nParams = internal?.getTotalParameters?.() ?? 0;
  if (!nParams) for (const t of model.fileInfo.tensorInfo ?? []) nParams += t.dimensions.reduce<number>((a, d) => a * Number(d), 1);
  // Vocabulary size: token_embd's outer dimension is the one the graph indexes with.
  const embd = (model.fileInfo.tensorInfo ?? []).find((t) => t.name === 'token_embd.weight');
  const nVocab = Math.max(1, embd ? Number(embd.dimensions[1] ?? 0) : 0) || 32000;
  const bos = model.tokens.shouldPrependBosToken ? model.tokens.bos : null;
  const typeDesc = String(model.typeDescription ?? '');
  const rnd = tokenSource(spec.seed ?? 42);
  const randomTokens = (n: number, bosFirst: boolean) => {
    const a = new Uint32Array(n);
    for (let i = 0; i < n; i++) a[i] = rnd() % nVocab;
    if (bosFirst && bos != null && n > 0) a[0] = bos;
    return a;
  };

  for (let ti = 0; ti < spec.tests.length; ti++) {
    const t: BenchTestSpec = spec.tests[ti]!;
    const threads = t.n_threads > 0 ? t.n_threads : llama.cpuMathCores;
    const { nCtxSeq } = paddedContext(requestedContext(t), t.n_seq);
    // node-llama-cpp never unifies the cache and sets n_ubatch = n_batch; the physical batch is what sets the
    // compute graph, so the smaller of -b/-ub is used for both (reported as such).
    const batch = Math.max(1, Math.min(t.n_batch, t.n_ubatch));
    emit({ type: 'progress', test: ti, tests: spec.tests.length, phase: 'context' });
    const ctxStart = seq;
    let ctx;
    try {
      if (tokensNeeded(t) > nCtxSeq) throw new Error(`context of ${nCtxSeq} cells per sequence is smaller than the test (${tokensNeeded(t)} tokens)`);
      ctx = await model.createContext({
        contextSize: nCtxSeq, sequences: t.n_seq, batchSize: batch, threads,
        flashAttention: t.flash_attn === 'auto' ? 'auto' : t.flash_attn === 'on',
        experimentalKvCacheKeyType: GGML_TYPE_BY_NAME[t.type_k] as 'F16',
        experimentalKvCacheValueType: GGML_TYPE_BY_NAME[t.type_v] as 'F16',
        failedCreationRemedy: false, ignoreMemorySafetyChecks: true,
      });
    } catch (e) {
      await sleep(30); flushPartial();
      const reason = failureReason(log.filter((l) => l.seq >= ctxStart)) ?? (e instanceof Error ? e.message : String(e));
      emit({ type: 'error', test: ti, message: reason, spec: t });
      continue;
    }
    // llama.cpp's log lines arrive asynchronously; let them land before reading them.
    await sleep(10); flushPartial();
    const ctxLines = log.filter((l) => l.seq >= ctxStart).map((l) => l.text);
    let lastCtxHeader = -1;
    ctxLines.forEach((l, i) => { if (/llama_context:\s+n_ctx\s+=/.test(l)) lastCtxHeader = i; });
    const mem = parseContextMemory(lastCtxHeader >= 0 ? ctxLines.slice(lastCtxHeader) : ctxLines);
    const addon = (ctx as unknown as { _ctx: { initBatch(n: number): void; addToBatch(s: number, p: number, t: Uint32Array, l: Uint32Array): Uint32Array; decodeBatch(): Promise<void>; disposeSequence(s: number): void } })._ctx;
    const decode = async (tokens: Uint32Array, pos: number) => {
      addon.initBatch(tokens.length);
      addon.addToBatch(0, pos, tokens, Uint32Array.of(tokens.length - 1));
      await addon.decodeBatch();
    };
    // A rep can take minutes on a big model; a progress line every 2 s tells the client the engine is alive.
    // (Not a timer: a timer would keep ticking while a native call hangs, hiding the hang.)
    let lastBeat = Date.now();
    const beat = (phase: string) => {
      const now = Date.now();
      if (now - lastBeat >= 2000) { lastBeat = now; emit({ type: 'progress', test: ti, tests: spec.tests.length, phase, message: 'working' }); }
    };
    const prompt = async (n: number, pos0: number) => {
      for (let done = 0; done < n;) {
        beat('prompt');
        const k = Math.min(batch, n - done);
        await decode(randomTokens(k, done === 0 && pos0 === 0), pos0 + done);
        done += k;
      }
    };
    const gen = async (n: number, pos0: number) => {
      let tok = bos ?? (rnd() % nVocab);
      const one = new Uint32Array(1);
      const none = Uint32Array.of(0);
      for (let i = 0; i < n; i++) {
        if ((i & 15) === 0) beat('generate');
        one[0] = tok;
        addon.initBatch(1);
        addon.addToBatch(0, pos0 + i, one, none);
        await addon.decodeBatch();
        tok = rnd() % nVocab;
      }
    };
    try {
      if (!spec.noWarmup) {
        emit({ type: 'progress', test: ti, tests: spec.tests.length, phase: 'warmup' });
        if (t.n_prompt > 0) await prompt(t.n_prompt, 0);
        if (t.n_gen > 0) await gen(1, t.n_prompt);
      }
      const samples: number[] = [];
      for (let r = 0; r < spec.reps; r++) {
        addon.disposeSequence(0); // llama_memory_seq_rm(seq 0, all positions)
        if (t.n_depth > 0) {
          emit({ type: 'progress', test: ti, tests: spec.tests.length, phase: 'depth', rep: r, reps: spec.reps });
          await prompt(t.n_depth, 0);
        }
        emit({ type: 'progress', test: ti, tests: spec.tests.length, phase: 'run', rep: r, reps: spec.reps });
        const t0 = process.hrtime.bigint();
        if (t.n_prompt > 0) await prompt(t.n_prompt, t.n_depth);
        if (t.n_gen > 0) await gen(t.n_gen, t.n_depth + t.n_prompt);
        samples.push(Number(process.hrtime.bigint() - t0));
      }
      const kv = mem.kv;
      const result: BenchTestResult = {
        build_commit: llamaCppVersion, cpu_info: undefined, backends: llama.gpu === false ? 'CPU' : String(llama.gpu),
        model_filename: spec.model, model_type: typeDesc, model_size: model.size, model_n_params: nParams,
        n_batch: logInt(ctxLines, 'n_batch') ?? batch, n_ubatch: logInt(ctxLines, 'n_ubatch') ?? batch, n_threads: threads, n_gpu_layers: gpuLayers,
        type_k: t.type_k, type_v: t.type_v,
        flash_attn: t.flash_attn === 'auto' ? 'auto' : t.flash_attn === 'on',
        n_prompt: t.n_prompt, n_gen: t.n_gen, n_depth: t.n_depth,
        test_time: new Date().toISOString(),
        ...stats(samples, t.n_prompt + t.n_gen),
        n_ctx: kv.length ? kv[0]!.cells * kv[0]!.streams : ctx.contextSize * t.n_seq,
        n_seq: t.n_seq,
        kv_bytes: kv.reduce((s, k) => s + k.bytes, 0),
        kv_k_bytes: kv.reduce((s, k) => s + k.kBytes, 0),
        kv_v_bytes: kv.reduce((s, k) => s + k.vBytes, 0),
        model_buffer_bytes: modelMem.modelBufferBytes,
        compute_buffer_bytes: mem.computeBufferBytes,
        output_buffer_bytes: mem.outputBufferBytes,
        peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
        engine: 'node-llama-cpp', engine_version: engineVersion, llama_cpp_version: llamaCppVersion,
      };
      if (!kv.length) result.error = 'llama.cpp logged no KV cache size line for this context';
      emit({ type: 'result', test: ti, result });
    } catch (e) {
      await sleep(20); flushPartial();
      const reason = failureReason(log.filter((l) => l.seq >= ctxStart)) ?? (e instanceof Error ? e.message : String(e));
      emit({ type: 'error', test: ti, message: reason, spec: t });
    } finally {
      await ctx.dispose();
    }
  }
  emit({ type: 'done' });
}

main().then(
  () => { process.stdout.write('', () => process.exit(0)); },
  (e) => {
    emitRaw({ type: 'error', message: `runner failed: ${e instanceof Error ? e.message : String(e)}` });
    emitRaw({ type: 'done' });
    process.stdout.write('', () => process.exit(1));
  },
);
