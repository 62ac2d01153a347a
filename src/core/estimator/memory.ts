// Memory per device besides the KV cache: weights (with llama.cpp's -ngl split), compute buffers and runtime
// overhead (documented approximations), and vLLM's paged KV pool.
import type { ModelDescriptor } from '../models/descriptor';
import type { HardwareTarget } from '../hardware/types';
import type { LlamaKvCache } from './kvCache';
import { bytesPerParam } from './modelShape';

const MIB = 2 ** 20;

/** CUDA/ROCm context, cuBLAS workspaces and the allocator's slack: 300–500 MiB in practice; 400 MiB used. */
export const GPU_RUNTIME_OVERHEAD_BYTES = 400 * MIB;
/** Metal/CPU process overhead outside the model and KV buffers. */
export const HOST_RUNTIME_OVERHEAD_BYTES = 128 * MIB;
/** macOS lets the GPU wire about 75 % of unified memory by default (iogpu.wired_limit_mb raises it). */
export const APPLE_GPU_MEMORY_SHARE = 0.75;

export function runtimeOverheadBytes(target: HardwareTarget): number {
  return target.kind === 'gpu' ? GPU_RUNTIME_OVERHEAD_BYTES : HOST_RUNTIME_OVERHEAD_BYTES;
}

/** Memory the deployment may use on one device of this target. */
export function usableCapacityBytes(target: HardwareTarget): number {
  return target.kind === 'apple' ? Math.floor(target.memoryBytes * APPLE_GPU_MEMORY_SHARE) : target.memoryBytes;
}

export interface OffloadSplit {
  /** Repeating layers on the device (llama.cpp offloads the last `n` blocks: i_gpu_start = n_layer − n). */
  deviceLayers: number;
  outputOnDevice: boolean;
  deviceWeightsBytes: number;
  hostWeightsBytes: number;
  /** First layer index on the device. */
  firstDeviceLayer: number;
  note: string;
}

/**
 * llama.cpp's -ngl placement (llama-model.cpp load_tensors): the input embedding always stays on the CPU, the last
 * `ngl` repeating layers go to the GPU, and the output layer goes to the GPU when ngl > n_layer. Tensor bytes per
 * layer are taken as equal (the descriptor has totals only), which is exact for dense models with uniform layers.
 */
export function offloadSplit(model: ModelDescriptor, gpuLayers: number | undefined, onGpu: boolean): OffloadSplit {
  const L = model.layers;
  const total = model.weightsBytes;
  const bpp = bytesPerParam(model);
  const embed = (model.vocabSize ?? 0) * model.hiddenSize * bpp;
  const output = model.tiedEmbeddings ? 0 : embed;
  const repeating = Math.max(0, total - embed - output);
  if (!onGpu) {
    return { deviceLayers: L, outputOnDevice: true, deviceWeightsBytes: total, hostWeightsBytes: 0, firstDeviceLayer: 0, note: 'CPU/unified target: all weights in the same memory' };
  }
  // -ngl unset or -1 (auto/fit) or ≥ n_layer+1 → everything offloaded.
  const ngl = gpuLayers === undefined || gpuLayers < 0 ? L + 1 : Math.floor(gpuLayers);
  const deviceLayers = Math.min(L, ngl);
  const outputOnDevice = ngl > L;
  const perLayer = L > 0 ? repeating / L : 0;
  // With tied embeddings the output matmul reuses token_embd; llama.cpp then duplicates it on the GPU as `output`.
  const outBytes = model.tiedEmbeddings ? embed : output;
  const device = Math.round(perLayer * deviceLayers + (outputOnDevice ? outBytes : 0));
  const host = Math.max(0, Math.round(total - perLayer * deviceLayers - (outputOnDevice && !model.tiedEmbeddings ? output : 0)));
  return {
    deviceLayers, outputOnDevice, deviceWeightsBytes: device, hostWeightsBytes: host, firstDeviceLayer: L - deviceLayers,
    note: `-ngl ${gpuLayers ?? 'auto'}: ${deviceLayers}/${L} layers${outputOnDevice ? ' + output' : ''} on the device, token embedding on the host (equal bytes per layer assumed)`,
  };
}

/**
 * llama.cpp compute buffer (approximate): the reserve graph's largest live set is dominated by the f32 logits of one
 * ubatch (n_ubatch × n_vocab × 4) plus a few hidden-sized activations; without flash attention the f32 KQ matrix
 * (n_ubatch × cells × n_head × 4) is materialised too. Matches the order of the CUDA compute buffer llama.cpp logs
 * for 8B-class models (~250–300 MiB at -ub 512 with flash attention); expect ±30 %.
 */
export function llamaComputeBufferBytes(model: ModelDescriptor, kv: Pick<LlamaKvCache, 'nUbatch' | 'cells' | 'flashAttention'>): number {
  const ub = kv.nUbatch;
  const vocab = model.vocabSize && model.vocabSize > 0 ? model.vocabSize : 32000;
  const base = 4 * ub * (vocab + 2 * model.hiddenSize);
  const kq = kv.flashAttention ? 0 : 4 * ub * kv.cells * model.heads;
  return Math.round(base + kq);
}

export interface VllmPool {
  budgetBytes: number;
  weightsBytes: number;
  activationBytes: number;
  nonTorchBytes: number;
  poolBytes: number;
  bytesPerTokenPerDevice: number;
  blockBytes: number;
  blocks: number;
  maxKvTokens: number;
  /** Sequences of max-model-len that fit, capped by max-num-seqs. */
  maxSequences: number;
  /** vLLM's own "Maximum concurrency for N tokens per request" figure (uncapped, may be fractional). */
  maxConcurrency: number;
  notes: string[];
}

/** vLLM non-torch memory per GPU (CUDA context, NCCL/custom all-reduce buffers): ~0.5 GiB, more with TP. */
export function vllmNonTorchBytes(tp: number): number {
  return 512 * MIB + (tp > 1 ? 256 * MIB : 0);
}

/**
 * vLLM's activation peak from its profiling run (max-num-batched-tokens through the model): approximated by the
 * hidden/MLP activations of that many tokens in the model dtype plus the f32 logits of up to max-num-seqs rows.
 */
export function vllmActivationBytes(model: ModelDescriptor, maxBatchedTokens: number, maxNumSeqs: number, tp: number, dtypeBytes: number): number {
  const ff = model.feedForward && model.feedForward > 0 ? model.feedForward : 4 * model.hiddenSize;
  const act = maxBatchedTokens * dtypeBytes * (4 * model.hiddenSize + (3 * ff) / tp);
  const vocab = model.vocabSize && model.vocabSize > 0 ? model.vocabSize : 32000;
  const logits = Math.min(maxNumSeqs, maxBatchedTokens) * (vocab / tp) * 4;
  return Math.round(act + logits);
}

export function vllmPool(args: {
  capacityBytes: number; utilization: number; weightsPerDevice: number; activationBytes: number; nonTorchBytes: number;
  bytesPerTokenPerDevice: number; blockSize: number; maxModelLen: number; maxNumSeqs: number;
}): VllmPool {
  const budget = Math.floor(args.capacityBytes * args.utilization);
  const pool = Math.max(0, budget - args.weightsPerDevice - args.activationBytes - args.nonTorchBytes);
  const blockBytes = Math.max(1, args.bytesPerTokenPerDevice * args.blockSize);
  const blocks = args.bytesPerTokenPerDevice > 0 ? Math.floor(pool / blockBytes) : 0;
  const maxKvTokens = blocks * args.blockSize;
  const maxConcurrency = args.maxModelLen > 0 ? maxKvTokens / args.maxModelLen : 0;
  const maxSequences = Math.min(args.maxNumSeqs, Math.floor(maxConcurrency));
  return {
    budgetBytes: budget, weightsBytes: args.weightsPerDevice, activationBytes: args.activationBytes, nonTorchBytes: args.nonTorchBytes,
    poolBytes: pool, bytesPerTokenPerDevice: args.bytesPerTokenPerDevice, blockBytes, blocks, maxKvTokens, maxSequences, maxConcurrency, notes: [],
  };
}
