// Hand-made estimator reports and result records, shaped like the contract in src/core/estimator/report.ts and
// src/core/engine/protocol.ts, with round numbers a reader can check by hand.
import type { EstimateReport, TargetEstimate } from '../../../src/core/estimator/report';
import type { ResultRecord } from '../../../src/core/engine/protocol';

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

const WEIGHTS = 16_060_522_496;
const KV_PER_TOKEN_Q8 = 69_632; // 131072 B/token in f16 × 34/64
const CTX = 32_768;

function target(id: string, name: string, capacity: number, over: Partial<TargetEstimate> = {}): TargetEstimate {
  const kv = KV_PER_TOKEN_Q8 * CTX;
  const compute = 512 * MiB;
  const total = WEIGHTS + kv + compute;
  return {
    id,
    name,
    devices: 1,
    memory: {
      weightsBytes: WEIGHTS, kvBytes: kv, kvBytesPerToken: KV_PER_TOKEN_Q8, computeBytes: compute, totalBytes: total,
      capacityBytes: capacity, fits: total <= capacity, verdict: total <= capacity ? 'fits' : 'does-not-fit', headroomBytes: capacity - total,
    },
    concurrency: { maxSequences: 12, atContext: 8192, maxContextAtParallel: 131072 },
    perf: {
      prefillTokensPerSec: 20_000, ttftSec: 0.2048, decodeTokensPerSec: 143, tpotSec: 1 / 143, aggregateDecodeTokensPerSec: 572,
      contextSwitchSec: 0.0712, bound: 'memory', band: 0.3,
      theoretical: { prefillTokensPerSec: 40_000, ttftSec: 0.1024, decodeTokensPerSec: 200, tpotSec: 0.005 },
    },
    whatIfs: [
      { cacheTypeK: 'f16', cacheTypeV: 'f16', kvBytes: 131_072 * CTX, kvBytesPerToken: 131_072, maxSequences: 7, decodeTokensPerSec: 130, fits: true },
      { cacheTypeK: 'q8_0', cacheTypeV: 'q8_0', kvBytes: kv, kvBytesPerToken: KV_PER_TOKEN_Q8, maxSequences: 12, decodeTokensPerSec: 143, fits: true },
      { cacheTypeK: 'q4_0', cacheTypeV: 'q4_0', kvBytes: 0, kvBytesPerToken: 0, maxSequences: 0, decodeTokensPerSec: 0, fits: false, invalid: 'quantized V cache requires flash attention (-fa on)' },
    ],
    assumptions: ['efficiency 0.7 of HBM bandwidth (default)', 'compute buffer: documented approximation'],
    ...over,
  };
}

export function makeReport(modelName = 'Meta-Llama-3.1-8B-Instruct'): EstimateReport {
  return {
    model: { name: modelName, architecture: 'llama', layers: 32, kvHeads: 8, headDim: 128, params: 8_030_261_248, activeParams: 8_030_261_248, weightsBytes: WEIGHTS },
    engine: { kind: 'llama.cpp', contextSize: CTX, parallel: 4, cacheTypeK: 'q8_0', cacheTypeV: 'q8_0', flashAttention: 'on', tensorParallel: 1, kvBytesPerToken: KV_PER_TOKEN_Q8, kvCells: CTX },
    workload: { promptTokens: 4096, outputTokens: 256, concurrency: 4 },
    targets: [
      target('h100-sxm', 'H100 SXM', 80 * GiB),
      target('small-16g', 'Small 16 GiB', 16 * GiB),
    ],
    warnings: [],
  };
}

export function makeRecord(over: { id: string; savedAt: string; typeK?: string; typeV?: string; nPrompt?: number; nGen?: number; avgTs?: number; kv?: number; modelName?: string; estimate?: ResultRecord['estimate']; error?: string }): ResultRecord {
  const typeK = over.typeK ?? 'q8_0';
  const typeV = over.typeV ?? 'q8_0';
  return {
    id: over.id,
    runId: 'run-1',
    savedAt: over.savedAt,
    machine: { cpu: 'Intel Xeon', cores: 2, ramBytes: 24 * GiB, os: 'linux' },
    model: { path: `/cache/${over.modelName ?? 'kvlens-default'}.gguf`, sha256: 'ab'.repeat(32), name: over.modelName ?? 'kvlens-default', architecture: 'llama' },
    flags: ['-ctk', typeK, '-ctv', typeV],
    result: {
      model_filename: `/cache/${over.modelName ?? 'kvlens-default'}.gguf`, model_size: 24 * MiB, model_n_params: 12_000_000,
      n_batch: 2048, n_ubatch: 512, n_threads: 2, n_gpu_layers: 0, type_k: typeK, type_v: typeV, flash_attn: true,
      n_prompt: over.nPrompt ?? 0, n_gen: over.nGen ?? 128, n_depth: 0, test_time: over.savedAt,
      avg_ns: 1e9, stddev_ns: 1e7, avg_ts: over.avgTs ?? 100, stddev_ts: 2.5, samples_ns: [1e9], samples_ts: [over.avgTs ?? 100],
      n_ctx: 512, kv_bytes: over.kv ?? 1_114_112, kv_k_bytes: (over.kv ?? 1_114_112) / 2, kv_v_bytes: (over.kv ?? 1_114_112) / 2,
      engine: 'node-llama-cpp', llama_cpp_version: 'b6000', error: over.error,
    },
    estimate: over.estimate,
  };
}
