// Starts the engine runner as a child process and turns its JSON lines into results. The runner gets its own
// process group (detached) so cancel and timeouts can kill it and anything it started in one go; it is never
// run through a shell. In VS Code's extension host process.execPath is Electron, hence ELECTRON_RUN_AS_NODE.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BenchTestResult } from '../core/engine/protocol';
import type { BenchTestSpec, RunnerMessage, RunnerSpec } from './spec';

export interface RunBenchOptions {
  onProgress?: (p: Extract<RunnerMessage, { type: 'progress' }>) => void;
  onLog?: (level: string, text: string) => void;
  onResult?: (r: BenchTestResult, index: number) => void;
  signal?: AbortSignal;
  /** Whole run. Default: none. */
  timeoutMs?: number;
  /** Longest silence (no message at all) allowed while a test runs before the runner counts as hung. Default 120 s. */
  testTimeoutMs?: number;
  /** Path to runner.mjs (default: next to this module, i.e. dist/runner.mjs in the bundle). */
  runnerPath?: string;
  /** Node binary (default process.execPath). */
  nodePath?: string;
  /** Called with the runner's pid once it is started (its process group id too). */
  onSpawn?: (pid: number) => void;
  /** Extra environment for the runner. */
  env?: NodeJS.ProcessEnv;
}

/** An error for the whole run (cancel, timeout, crash) that still carries the results that came before it. */
export class BenchRunError extends Error {
  constructor(message: string, readonly kind: 'cancelled' | 'timeout' | 'crash' | 'spawn', readonly results: BenchTestResult[], readonly logTail: string[]) {
    super(message);
  }
}

export function defaultRunnerPath(): string {
  const candidates = [path.join(__dirname, 'runner.mjs'), path.join(__dirname, '..', '..', 'dist', 'runner.mjs'), path.join(__dirname, '..', 'dist', 'runner.mjs')];
  return candidates.find((p) => fs.existsSync(p)) ?? candidates[0]!;
}

/** A result row for a test that did not produce measurements; numbers are 0 and `error` says why. */
export function errorResult(spec: BenchTestSpec | undefined, model: string, message: string, engine = 'node-llama-cpp'): BenchTestResult {
  return {
    model_filename: model, model_size: 0, model_n_params: 0,
    n_batch: spec?.n_batch ?? 0, n_ubatch: spec?.n_ubatch ?? 0, n_threads: spec?.n_threads ?? 0, n_gpu_layers: spec?.n_gpu_layers ?? 0,
    type_k: spec?.type_k ?? '', type_v: spec?.type_v ?? '', flash_attn: spec?.flash_attn ?? '',
    n_prompt: spec?.n_prompt ?? 0, n_gen: spec?.n_gen ?? 0, n_depth: spec?.n_depth ?? 0, n_seq: spec?.n_seq,
    test_time: new Date().toISOString(), avg_ns: 0, stddev_ns: 0, avg_ts: 0, stddev_ts: 0, samples_ns: [], samples_ts: [],
    n_ctx: 0, kv_bytes: 0, kv_k_bytes: 0, kv_v_bytes: 0, engine, error: message,
  };
}

/** Splits a byte stream into lines, keeping a partial last line until its newline arrives. */
export class LineSplitter {
  private buf = '';
  constructor(private readonly onLine: (line: string) => void, private readonly maxLine = 16 * 1024 * 1024) {}
  push(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      this.onLine(line.replace(/\r$/, ''));
    }
    if (this.buf.length > this.maxLine) { this.onLine(this.buf); this.buf = ''; }
  }
  end(): void { if (this.buf) { this.onLine(this.buf); this.buf = ''; } }
}

/** Parses one stdout line; undefined for anything that is not a runner message (garbage is ignored, not fatal). */
export function parseRunnerLine(line: string): RunnerMessage | undefined {
  const t = line.trim();
  if (!t.startsWith('{')) return undefined;
  try {
    const m = JSON.parse(t) as { type?: unknown };
    return m && typeof m === 'object' && typeof m.type === 'string' ? (m as RunnerMessage) : undefined;
  } catch { return undefined; }
}

/** Kills a process group: SIGTERM, then SIGKILL after `graceMs` if anything is still there. */
export function killGroup(pid: number, graceMs = 500): Promise<void> {
  const alive = () => { try { process.kill(-pid, 0); return true; } catch { return false; } };
  try { process.kill(-pid, 'SIGTERM'); } catch { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } }
  return new Promise((resolve) => {
    const start = Date.now();
    const tick = () => {
      if (!alive()) return resolve();
      if (Date.now() - start >= graceMs) {
        try { process.kill(-pid, 'SIGKILL'); } catch { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
        return resolve();
      }
      setTimeout(tick, 25);
    };
    tick();
  });
}

/**
 * Runs the spec's tests in a runner process. Resolves with one result per test: a test that failed, or that a
 * crash or a timeout stopped or kept from running, carries `error` (llama.cpp's reason, or the exit status with
 * the stderr tail and the last log lines). Rejects with BenchRunError only when cancelled or when the runner
 * cannot start; the error carries the results completed before.
 */
export function runBench(spec: RunnerSpec, opts: RunBenchOptions = {}): Promise<BenchTestResult[]> {
  const runner = opts.runnerPath ?? defaultRunnerPath();
  const results: BenchTestResult[] = [];
  const logTail: string[] = [];
  const stderrTail: string[] = [];
  const remember = (arr: string[], s: string, max: number) => { arr.push(s); if (arr.length > max) arr.splice(0, arr.length - max); };

  return new Promise<BenchTestResult[]>((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new BenchRunError('benchmark cancelled', 'cancelled', results, logTail));
    if (!fs.existsSync(runner)) return reject(new BenchRunError(`engine runner not found at ${runner} (run \`npm run build\`)`, 'spawn', results, logTail));
    const child = spawn(opts.nodePath ?? process.execPath, [runner], {
      detached: true, shell: false, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true,
      env: { ...process.env, ...opts.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    if (child.pid) opts.onSpawn?.(child.pid);
    let settled = false;
    let done = false;
    let stopping: 'cancelled' | 'timeout' | undefined;
    let stopMessage = '';
    let currentTest = -1;
    const resultFor = new Set<number>();
    let silenceTimer: NodeJS.Timeout | undefined;
    let overallTimer: NodeJS.Timeout | undefined;

    const stop = (kind: 'cancelled' | 'timeout', message: string) => {
      if (stopping || settled) return;
      stopping = kind; stopMessage = message;
      if (child.pid) void killGroup(child.pid);
    };
    const armSilence = () => {
      clearTimeout(silenceTimer);
      const ms = opts.testTimeoutMs ?? 120_000;
      silenceTimer = setTimeout(() => stop('timeout', `the engine sent nothing for ${Math.round(ms / 1000)} s${currentTest >= 0 ? ` during test ${currentTest + 1}/${spec.tests.length}` : ''}; stopped it`), ms);
    };
    if (opts.timeoutMs) overallTimer = setTimeout(() => stop('timeout', `the benchmark exceeded its time limit of ${Math.round(opts.timeoutMs! / 1000)} s; stopped it`), opts.timeoutMs);
    const onAbort = () => stop('cancelled', 'benchmark cancelled');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    armSilence();

    const out = new LineSplitter((line) => {
      const m = parseRunnerLine(line);
      if (!m) { if (line.trim()) remember(stderrTail, `stdout: ${line.slice(0, 500)}`, 40); return; }
      armSilence();
      switch (m.type) {
        case 'progress': currentTest = m.test; opts.onProgress?.(m); break;
        case 'log': remember(logTail, m.text, 40); opts.onLog?.(m.level, m.text); break;
        case 'result': results.push(m.result); resultFor.add(m.test); opts.onResult?.(m.result, m.test); break;
        case 'error': {
          const r = errorResult(m.spec ?? (m.test !== undefined ? spec.tests[m.test] : undefined), spec.model, m.message);
          if (m.test !== undefined) resultFor.add(m.test);
          if (m.test === undefined) {
            // A run-level failure (model did not load): every test that has no result fails with it.
            for (let i = 0; i < spec.tests.length; i++) if (!resultFor.has(i)) { const e = errorResult(spec.tests[i], spec.model, m.message); results.push(e); resultFor.add(i); opts.onResult?.(e, i); }
          } else { results.push(r); opts.onResult?.(r, m.test); }
          break;
        }
        case 'done': done = true; break;
        default: break;
      }
    });
    const err = new LineSplitter((line) => { if (line.trim()) remember(stderrTail, line.slice(0, 500), 40); });
    child.stdout.setEncoding('utf8').on('data', (d: string) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => err.push(d));
    child.stdin.on('error', () => { /* runner gone; reported through exit */ });
    // The spec goes as the first stdin line; stdin stays open so the runner notices when this process dies.
    child.stdin.write(JSON.stringify(spec) + '\n');

    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(silenceTimer); clearTimeout(overallTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    child.on('error', (e) => finish(() => reject(new BenchRunError(`cannot start the engine runner: ${e.message}`, 'spawn', results, logTail))));
    child.on('close', (code, signal) => {
      out.end(); err.end();
      try { child.stdin.destroy(); } catch { /* closed */ }
      // Make sure nothing from the group outlives the run (a grandchild holding no pipes).
      if (child.pid) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* group gone */ } }
      if (stopping === 'cancelled') return finish(() => reject(new BenchRunError(stopMessage, 'cancelled', results, logTail)));
      if (!stopping && code === 0 && done) return finish(() => resolve(results));
      const how = stopping === 'timeout' ? stopMessage : signal ? `the engine was killed by ${signal}` : `the engine exited with code ${code}`;
      const tail = [...stderrTail.slice(-8), ...logTail.slice(-5)].join('\n');
      // Tests run in order, so the one that was running is the first without a result.
      let running = 0;
      while (running < spec.tests.length && resultFor.has(running)) running++;
      const msg = `${how}${!stopping && spec.tests.length ? ` during test ${running + 1}/${spec.tests.length}` : ''}${tail ? `\n${tail}` : ''}`;
      // A crash or a hang fails the test it happened in and the ones that never ran; earlier results stand.
      for (let i = 0; i < spec.tests.length; i++) {
        if (!resultFor.has(i)) { const e = errorResult(spec.tests[i], spec.model, i === running ? msg : `not run: ${msg.split('\n')[0]}`); results.push(e); opts.onResult?.(e, i); }
      }
      finish(() => resolve(results));
    });
  });
}
