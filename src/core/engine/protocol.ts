// One measured test, as the runner emits it and the results store saves it. Field names follow llama-bench's
// JSON output so its users recognise them; the extra fields are what llama-bench does not report.

export interface BenchTestResult {
  // llama-bench fields
  build_commit?: string;
  build_number?: number;
  cpu_info?: string;
  gpu_info?: string;
  backends?: string;
  model_filename: string;
  model_type?: string;
  model_size: number;
  model_n_params: number;
  n_batch: number;
  n_ubatch: number;
  n_threads: number;
  n_gpu_layers: number;
  type_k: string;
  type_v: string;
  flash_attn: boolean | string;
  n_prompt: number;
  n_gen: number;
  n_depth: number;
  test_time: string;
  avg_ns: number;
  stddev_ns: number;
  avg_ts: number;
  stddev_ts: number;
  samples_ns: number[];
  samples_ts: number[];
  // what llama-bench does not report
  n_ctx: number;
  n_seq?: number;
  kv_bytes: number;
  kv_k_bytes: number;
  kv_v_bytes: number;
  model_buffer_bytes?: number;
  compute_buffer_bytes?: number;
  output_buffer_bytes?: number;
  peak_rss_bytes?: number;
  /** 'node-llama-cpp' (bundled) or 'llama-bench' (external). */
  engine: string;
  engine_version?: string;
  llama_cpp_version?: string;
  error?: string;
}

/** A record in the results store: one test plus where and on what it ran. */
export interface ResultRecord {
  id: string;
  runId: string;
  savedAt: string;
  machine: { cpu: string; cores: number; ramBytes: number; os: string; gpus?: string[] };
  model: { path: string; sha256: string; name?: string; architecture?: string };
  flags: string[];
  profile?: string;
  result: BenchTestResult;
  /** The estimator's figures for the same settings, when they were computed. */
  estimate?: {
    kvBytes?: number; kvKBytes?: number; kvVBytes?: number; prefillTokensPerSec?: number; decodeTokensPerSec?: number;
    /** Which speed calibration produced the t/s figures (per-machine calibration uses runs of the current one). */
    calibration?: string;
  };
  /** Tests the run (runId) planned: a run with fewer records was cancelled or stopped (the panel marks it). */
  planned?: number;
}
