// What the client hands the runner: one model and a matrix of tests already expanded from llama-bench-style
// flags (sweep.ts). Plain data so it crosses the process boundary as JSON.

import { LLAMA_CACHE_TYPES, type LlamaCacheType } from '../core/deployment';
import { llamaContextCells } from '../core/estimator/kvCache';

export type FlashAttn = 'on' | 'off' | 'auto';

/** llama.cpp KV cache types accepted by -ctk/-ctv (the names llama.cpp prints). */
export const CACHE_TYPES = LLAMA_CACHE_TYPES;
export type CacheType = LlamaCacheType;

export interface BenchTestSpec {
  n_prompt: number;
  n_gen: number;
  n_depth: number;
  /**
   * -c: total context cells requested across all sequences, as llama.cpp takes it; 0 = llama-bench's sizing
   * (n_prompt + n_gen + n_depth). llama.cpp then pads: n_ctx = PAD(c, 256); without a unified cache each
   * sequence gets PAD(n_ctx / n_seq, 256) cells and the total becomes that × n_seq.
   */
  n_ctx_requested: number;
  n_seq: number;
  n_batch: number;
  n_ubatch: number;
  n_threads: number;
  n_gpu_layers: number;
  type_k: CacheType;
  type_v: CacheType;
  flash_attn: FlashAttn;
}

export interface RunnerSpec {
  model: string;
  tests: BenchTestSpec[];
  /** Timed repetitions per test (-r); one untimed warmup runs before them unless `noWarmup`. */
  reps: number;
  noWarmup?: boolean;
  /** false = CPU only (default); 'auto' = a GPU build when node-llama-cpp has one for a present device. */
  gpu?: false | 'auto';
  /** Seed for the random prompt tokens (reproducible runs). */
  seed?: number;
  /** Forward llama.cpp's info-level log lines (warnings and errors are always forwarded). */
  verboseLog?: boolean;
}

/** Messages the runner writes to stdout, one JSON object per line. */
export type RunnerMessage =
  | { type: 'hello'; pid: number; engine: string; engine_version?: string; llama_cpp_version?: string; gpu?: string | false }
  | { type: 'progress'; test: number; tests: number; phase: string; rep?: number; reps?: number; message?: string }
  | { type: 'log'; level: string; text: string }
  | { type: 'result'; test: number; result: import('../core/engine/protocol').BenchTestResult }
  | { type: 'error'; test?: number; message: string; spec?: BenchTestSpec }
  | { type: 'done' };

/** The label llama-bench prints in its `test` column: pp512, tg128, pp512+tg128, with " @ d4096" for depth. */
export function testLabel(t: { n_prompt: number; n_gen: number; n_depth: number }): string {
  let s = t.n_prompt > 0 && t.n_gen > 0 ? `pp${t.n_prompt}+tg${t.n_gen}` : t.n_gen > 0 ? `tg${t.n_gen}` : `pp${t.n_prompt}`;
  if (t.n_depth > 0) s += ` @ d${t.n_depth}`;
  return s;
}

/** Cells llama.cpp allocates for -c total over n_seq sequences; node-llama-cpp never unifies the cache. */
export function paddedContext(requested: number, nSeq: number): { nCtx: number; nCtxSeq: number } {
  return llamaContextCells(Math.max(1, requested), nSeq, false);
}

/** Tokens one test puts in sequence 0. */
export function tokensNeeded(t: { n_prompt: number; n_gen: number; n_depth: number }): number {
  return t.n_prompt + t.n_gen + t.n_depth;
}

/**
 * The total context a test asks for: -c when given, else llama-bench's n_prompt + n_gen + n_depth (times -np,
 * so that each sequence can hold the test even though only sequence 0 is measured).
 */
export function requestedContext(t: BenchTestSpec): number {
  return t.n_ctx_requested > 0 ? t.n_ctx_requested : tokensNeeded(t) * t.n_seq;
}
