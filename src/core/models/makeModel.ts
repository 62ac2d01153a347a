// Generates a small llama-architecture GGUF with random weights and a real SentencePiece-style tokenizer table,
// so the engine can be measured with no download. llama.cpp loads and runs it; what it computes is noise, which
// is all a speed/memory benchmark needs. Facts used: ../shared/docs/offline-machines.md ("A model without
// downloading one") and llama.cpp's gguf.cpp (v3 layout, 32-byte alignment).
//
// The writer here is deliberately minimal (strings, numbers, arrays, F32/F16 tensors) and streams tensor data so
// memory stays flat for any shape. A general writer lives in ggufWrite.ts (models area); this one keeps the
// engine independent of it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeGguf, type GgufKV, type GgufTensorSpec } from './ggufWrite';

export interface LlamaShape {
  layers: number;
  embd: number;
  heads: number;
  kvHeads: number;
  /** Feed-forward width. */
  ff: number;
  /** Total vocabulary including the 3 specials and 256 byte tokens (≥ 259). */
  vocab: number;
  /** Trained context (llama.context_length). */
  ctx: number;
  seed: number;
}

export const DEFAULT_SHAPE: LlamaShape = { layers: 4, embd: 512, heads: 8, kvHeads: 2, ff: 1376, vocab: 1024, ctx: 4096, seed: 1 };

export function validateShape(s: LlamaShape): string[] {
  const errs: string[] = [];
  for (const k of ['layers', 'embd', 'heads', 'kvHeads', 'ff', 'vocab', 'ctx'] as const) {
    if (!Number.isInteger(s[k]) || s[k] <= 0) errs.push(`${k} must be a positive integer (got ${s[k]})`);
  }
  if (!Number.isInteger(s.seed) || s.seed < 0) errs.push(`seed must be a non-negative integer (got ${s.seed})`);
  if (errs.length) return errs;
  if (s.embd % s.heads !== 0) errs.push(`embd (${s.embd}) must be divisible by heads (${s.heads})`);
  else if ((s.embd / s.heads) % 32 !== 0) errs.push(`head_dim = embd/heads = ${s.embd / s.heads} must be a multiple of 32 (quantized KV blocks)`);
  if (s.heads % s.kvHeads !== 0) errs.push(`heads (${s.heads}) must be divisible by kv-heads (${s.kvHeads})`);
  if (s.vocab < 259 + 1) errs.push(`vocab must be at least 260 (3 specials + 256 byte tokens + 1 piece), got ${s.vocab}`);
  if (s.layers > 256 || s.embd > 16384 || s.ff > 65536 || s.vocab > 262144) errs.push('shape too large for a generated test model');
  return errs;
}


export function tokenizer(vocab: number): { tokens: string[]; scores: number[]; types: number[] } {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [2, 3, 3];
  for (let b = 0; b < 256; b++) { tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`); types.push(6); }
  // Ordinary pieces: single letters, then "▁"-prefixed letter pairs/triples — unique, valid UTF-8.
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const pieces: string[] = [];
  for (const c of letters) pieces.push(c, `▁${c}`);
  outer: for (const a of letters) for (const b of letters) {
    pieces.push(`▁${a}${b}`, `${a}${b}`);
    if (pieces.length > vocab) break outer;
  }
  for (let i = 0; pieces.length < vocab; i++) pieces.push(`▁w${i}`);
  for (let i = 0; tokens.length < vocab; i++) { tokens.push(pieces[i]!); types.push(1); }
  const scores = tokens.map((_, i) => (types[i] === 1 ? -i : 0));
  return { tokens, scores, types };
}

/** Writes a random-weight llama GGUF (v3) to `file` (via a temp file and rename). Returns its size in bytes. */
/** The tokenizer metadata every generated GGUF carries (llama.cpp's SPM vocab: <unk>, <s>, </s>, then bytes). */
export function tokenizerKVs(vocab: number): GgufKV[] {
  const tok = tokenizer(vocab);
  const u32 = (key: string, value: number): GgufKV => ({ key, type: 'uint32', value });
  return [
    { key: 'tokenizer.ggml.model', type: 'string', value: 'llama' },
    { key: 'tokenizer.ggml.tokens', type: 'array', itemType: 'string', value: tok.tokens },
    { key: 'tokenizer.ggml.scores', type: 'array', itemType: 'float32', value: tok.scores },
    { key: 'tokenizer.ggml.token_type', type: 'array', itemType: 'int32', value: tok.types },
    u32('tokenizer.ggml.unknown_token_id', 0),
    u32('tokenizer.ggml.bos_token_id', 1),
    u32('tokenizer.ggml.eos_token_id', 2),
    { key: 'tokenizer.ggml.add_bos_token', type: 'bool', value: true },
  ];
}

export async function makeLlamaGguf(file: string, shape: Partial<LlamaShape> = {}): Promise<number> {
  const s: LlamaShape = { ...DEFAULT_SHAPE, ...shape };
  const errs = validateShape(s);
  if (errs.length) throw new Error(`invalid model shape: ${errs.join('; ')}`);
  const headDim = s.embd / s.heads;
  const kvDim = headDim * s.kvHeads;
  const u32 = (key: string, value: number): GgufKV => ({ key, type: 'uint32', value });
  const f32 = (key: string, value: number): GgufKV => ({ key, type: 'float32', value });
  const metadata: GgufKV[] = [
    { key: 'general.architecture', type: 'string', value: 'llama' },
    { key: 'general.name', type: 'string', value: `kvlens-random-llama-${s.layers}x${s.embd}-h${s.heads}-kv${s.kvHeads}` },
    u32('general.alignment', 32),
    u32('general.file_type', 1), // MOSTLY_F16
    u32('llama.context_length', s.ctx),
    u32('llama.embedding_length', s.embd),
    u32('llama.block_count', s.layers),
    u32('llama.feed_forward_length', s.ff),
    u32('llama.attention.head_count', s.heads),
    u32('llama.attention.head_count_kv', s.kvHeads),
    f32('llama.attention.layer_norm_rms_epsilon', 1e-5),
    u32('llama.rope.dimension_count', headDim),
    f32('llama.rope.freq_base', 10000),
    u32('llama.vocab_size', s.vocab),
    ...tokenizerKVs(s.vocab),
    { key: 'tokenizer.ggml.add_eos_token', type: 'bool', value: false },
  ];
  // Dimensions innermost first, as ggml stores them. Each random tensor gets its own seed from the shape's.
  let seed = s.seed * 1000;
  const tensors: GgufTensorSpec[] = [
    { name: 'token_embd.weight', dims: [s.embd, s.vocab], type: 'F16', fill: 'random', seed: seed++ },
    { name: 'output_norm.weight', dims: [s.embd], type: 'F32', fill: 'ones' },
    { name: 'output.weight', dims: [s.embd, s.vocab], type: 'F16', fill: 'random', seed: seed++ },
  ];
  for (let i = 0; i < s.layers; i++) {
    const b = `blk.${i}.`;
    tensors.push(
      { name: `${b}attn_norm.weight`, dims: [s.embd], type: 'F32', fill: 'ones' },
      { name: `${b}attn_q.weight`, dims: [s.embd, s.embd], type: 'F16', fill: 'random', seed: seed++ },
      { name: `${b}attn_k.weight`, dims: [s.embd, kvDim], type: 'F16', fill: 'random', seed: seed++ },
      { name: `${b}attn_v.weight`, dims: [s.embd, kvDim], type: 'F16', fill: 'random', seed: seed++ },
      { name: `${b}attn_output.weight`, dims: [s.embd, s.embd], type: 'F16', fill: 'random', seed: seed++ },
      { name: `${b}ffn_norm.weight`, dims: [s.embd], type: 'F32', fill: 'ones' },
      { name: `${b}ffn_gate.weight`, dims: [s.embd, s.ff], type: 'F16', fill: 'random', seed: seed++ },
      { name: `${b}ffn_up.weight`, dims: [s.embd, s.ff], type: 'F16', fill: 'random', seed: seed++ },
      { name: `${b}ffn_down.weight`, dims: [s.ff, s.embd], type: 'F16', fill: 'random', seed: seed++ },
    );
  }
  // Writes via a temp file and a rename: a reader never sees a half-written model.
  const written = await writeGguf(file, { metadata, tensors });
  return written.fileBytes;
}

export function shapeKey(s: LlamaShape): string {
  return `llama-${s.layers}x${s.embd}-h${s.heads}-kv${s.kvHeads}-ff${s.ff}-v${s.vocab}-c${s.ctx}-s${s.seed}`;
}

/** Default cache folder for generated models: $XDG_CACHE_HOME/kvlens/models or ~/.cache/kvlens/models. */
export function defaultModelCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'kvlens', 'models');
}

/**
 * The generated default model, created once per shape in `cacheDir`. The file name carries the shape (and a
 * generator version), so a change of shape or generator makes a new file; concurrent callers each write a temp
 * file and rename, so a reader never sees a half-written model.
 */
export async function ensureDefaultModel(cacheDir = defaultModelCacheDir(), shape: Partial<LlamaShape> = {}): Promise<string> {
  const s: LlamaShape = { ...DEFAULT_SHAPE, ...shape };
  const file = path.join(cacheDir, `${shapeKey(s)}-g2.gguf`);
  if (fs.existsSync(file)) return file;
  await makeLlamaGguf(file, s);
  return file;
}
