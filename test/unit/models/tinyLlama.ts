// A tiny llama-architecture GGUF spec for tests (random weights, a real sentencepiece-style tokenizer
// vocabulary) — small enough to write and load in well under a second.

import { GgufKV, GgufTensorSpec, GgufWriteSpec } from '../../../src/core/models/ggufWrite';

export interface TinyLlamaShape {
  layers?: number;
  embd?: number;
  heads?: number;
  kvHeads?: number | number[];
  ff?: number;
  context?: number;
  weightType?: string;
}

export function tinyVocab(): { tokens: string[]; scores: number[]; types: number[] } {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [2, 3, 3];
  for (let i = 0; i < 256; i++) {
    tokens.push(`<0x${i.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(6);
  }
  const pieces = ['▁', 'e', 't', 'a', 'o', 'n', '▁t', '▁a', 'he', '▁the', 'in', 'er', '▁s', '▁w', 'on', 'll'];
  for (const p of pieces) { tokens.push(p); types.push(1); }
  const scores = tokens.map((_, i) => (types[i] === 1 ? -i : 0));
  return { tokens, scores, types };
}

export function tinyLlamaSpec(shape: TinyLlamaShape = {}): GgufWriteSpec {
  const layers = shape.layers ?? 2;
  const embd = shape.embd ?? 128;
  const heads = shape.heads ?? 4;
  const kvHeads = shape.kvHeads ?? 2;
  const ff = shape.ff ?? 256;
  const wt = shape.weightType ?? 'F16';
  const headDim = embd / heads;
  const vocab = tinyVocab();
  const kvPerLayer = (l: number): number => (Array.isArray(kvHeads) ? kvHeads[l] : kvHeads);
  const metadata: GgufKV[] = [
    { key: 'general.architecture', type: 'string', value: 'llama' },
    { key: 'general.name', type: 'string', value: 'kvlens-test-tiny-llama' },
    { key: 'general.file_type', type: 'uint32', value: wt === 'F16' ? 1 : wt === 'Q8_0' ? 7 : 0 },
    { key: 'llama.context_length', type: 'uint32', value: shape.context ?? 2048 },
    { key: 'llama.embedding_length', type: 'uint32', value: embd },
    { key: 'llama.block_count', type: 'uint32', value: layers },
    { key: 'llama.feed_forward_length', type: 'uint32', value: ff },
    { key: 'llama.attention.head_count', type: 'uint32', value: heads },
    Array.isArray(kvHeads)
      ? { key: 'llama.attention.head_count_kv', type: 'array', itemType: 'uint32', value: kvHeads }
      : { key: 'llama.attention.head_count_kv', type: 'uint32', value: kvHeads },
    { key: 'llama.attention.layer_norm_rms_epsilon', type: 'float32', value: 1e-5 },
    { key: 'llama.rope.dimension_count', type: 'uint32', value: headDim },
    { key: 'llama.rope.freq_base', type: 'float32', value: 10000 },
    { key: 'llama.vocab_size', type: 'uint32', value: vocab.tokens.length },
    { key: 'tokenizer.ggml.model', type: 'string', value: 'llama' },
    { key: 'tokenizer.ggml.tokens', type: 'array', itemType: 'string', value: vocab.tokens },
    { key: 'tokenizer.ggml.scores', type: 'array', itemType: 'float32', value: vocab.scores },
    { key: 'tokenizer.ggml.token_type', type: 'array', itemType: 'int32', value: vocab.types },
    { key: 'tokenizer.ggml.bos_token_id', type: 'uint32', value: 1 },
    { key: 'tokenizer.ggml.eos_token_id', type: 'uint32', value: 2 },
    { key: 'tokenizer.ggml.unknown_token_id', type: 'uint32', value: 0 },
  ];
  const n = vocab.tokens.length;
  const tensors: GgufTensorSpec[] = [
    { name: 'token_embd.weight', dims: [embd, n], type: wt },
    { name: 'output_norm.weight', dims: [embd], type: 'F32', fill: 'ones' },
    { name: 'output.weight', dims: [embd, n], type: wt },
  ];
  for (let l = 0; l < layers; l++) {
    const kvDim = headDim * kvPerLayer(l);
    tensors.push(
      { name: `blk.${l}.attn_norm.weight`, dims: [embd], type: 'F32', fill: 'ones' },
      { name: `blk.${l}.attn_q.weight`, dims: [embd, embd], type: wt },
      { name: `blk.${l}.attn_k.weight`, dims: [embd, kvDim], type: wt },
      { name: `blk.${l}.attn_v.weight`, dims: [embd, kvDim], type: wt },
      { name: `blk.${l}.attn_output.weight`, dims: [embd, embd], type: wt },
      { name: `blk.${l}.ffn_norm.weight`, dims: [embd], type: 'F32', fill: 'ones' },
      { name: `blk.${l}.ffn_gate.weight`, dims: [embd, ff], type: wt },
      { name: `blk.${l}.ffn_up.weight`, dims: [embd, ff], type: wt },
      { name: `blk.${l}.ffn_down.weight`, dims: [ff, embd], type: wt },
    );
  }
  return { metadata, tensors };
}
