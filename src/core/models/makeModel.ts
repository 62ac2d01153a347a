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

// GGUF value types (gguf.h).
const T_U32 = 4, T_I32 = 5, T_F32 = 6, T_BOOL = 7, T_STR = 8, T_ARR = 9;
type Kv = [key: string, type: number, value: unknown, elemType?: number];

class Sink {
  private buf = Buffer.alloc(1 << 20);
  private n = 0;
  pos = 0;
  constructor(private fd: number) {}
  private ensure(k: number): void {
    if (this.n + k > this.buf.length) this.flush();
    if (k > this.buf.length) this.buf = Buffer.alloc(k);
  }
  flush(): void {
    let off = 0;
    while (off < this.n) off += fs.writeSync(this.fd, this.buf, off, this.n - off);
    this.n = 0;
  }
  u32(v: number): void { this.ensure(4); this.buf.writeUInt32LE(v, this.n); this.n += 4; this.pos += 4; }
  i32(v: number): void { this.ensure(4); this.buf.writeInt32LE(v, this.n); this.n += 4; this.pos += 4; }
  u64(v: number): void { this.ensure(8); this.buf.writeBigUInt64LE(BigInt(v), this.n); this.n += 8; this.pos += 8; }
  f32(v: number): void { this.ensure(4); this.buf.writeFloatLE(v, this.n); this.n += 4; this.pos += 4; }
  u8(v: number): void { this.ensure(1); this.buf[this.n++] = v; this.pos += 1; }
  str(s: string): void { const b = Buffer.from(s, 'utf8'); this.u64(b.length); this.bytes(b); }
  bytes(b: Uint8Array): void {
    if (b.length > 1 << 20) { this.flush(); let off = 0; while (off < b.length) off += fs.writeSync(this.fd, b, off, b.length - off); this.pos += b.length; return; }
    this.ensure(b.length); this.buf.set(b, this.n); this.n += b.length; this.pos += b.length;
  }
  pad(align: number): void { while (this.pos % align !== 0) this.u8(0); }
}

function writeValue(s: Sink, type: number, v: unknown, elemType?: number): void {
  switch (type) {
    case T_U32: s.u32(v as number); break;
    case T_I32: s.i32(v as number); break;
    case T_F32: s.f32(v as number); break;
    case T_BOOL: s.u8(v ? 1 : 0); break;
    case T_STR: s.str(v as string); break;
    case T_ARR: {
      const arr = v as unknown[];
      s.u32(elemType!); s.u64(arr.length);
      for (const e of arr) writeValue(s, elemType!, e);
      break;
    }
    default: throw new Error(`unsupported GGUF value type ${type}`);
  }
}

/** mulberry32: small, seedable, good enough for random weights. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Random f16 bit patterns with magnitudes 2^-10 … 2^-5 (about 0.001–0.03): small enough to keep activations finite. */
function fillF16(out: Uint16Array, next: () => number): void {
  for (let i = 0; i < out.length; i++) {
    const r = next();
    const sign = (r & 1) << 15;
    const exp = 5 + ((r >>> 1) % 6); // biased exponent 5..10
    out[i] = sign | (exp << 10) | ((r >>> 8) & 0x3ff);
  }
}

interface TensorPlan { name: string; dims: number[]; type: 0 | 1; fill: 'ones' | 'random' }

function tokenizer(vocab: number): { tokens: string[]; scores: number[]; types: number[] } {
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
export async function makeLlamaGguf(file: string, shape: Partial<LlamaShape> = {}): Promise<number> {
  const s: LlamaShape = { ...DEFAULT_SHAPE, ...shape };
  const errs = validateShape(s);
  if (errs.length) throw new Error(`invalid model shape: ${errs.join('; ')}`);
  const headDim = s.embd / s.heads;
  const kvDim = headDim * s.kvHeads;
  const tok = tokenizer(s.vocab);
  const kvs: Kv[] = [
    ['general.architecture', T_STR, 'llama'],
    ['general.name', T_STR, `kvlens-random-llama-${s.layers}x${s.embd}-h${s.heads}-kv${s.kvHeads}`],
    ['general.alignment', T_U32, 32],
    ['general.file_type', T_U32, 1], // MOSTLY_F16
    ['llama.context_length', T_U32, s.ctx],
    ['llama.embedding_length', T_U32, s.embd],
    ['llama.block_count', T_U32, s.layers],
    ['llama.feed_forward_length', T_U32, s.ff],
    ['llama.attention.head_count', T_U32, s.heads],
    ['llama.attention.head_count_kv', T_U32, s.kvHeads],
    ['llama.attention.layer_norm_rms_epsilon', T_F32, 1e-5],
    ['llama.rope.dimension_count', T_U32, headDim],
    ['llama.rope.freq_base', T_F32, 10000],
    ['llama.vocab_size', T_U32, s.vocab],
    ['tokenizer.ggml.model', T_STR, 'llama'],
    ['tokenizer.ggml.tokens', T_ARR, tok.tokens, T_STR],
    ['tokenizer.ggml.scores', T_ARR, tok.scores, T_F32],
    ['tokenizer.ggml.token_type', T_ARR, tok.types, T_I32],
    ['tokenizer.ggml.unknown_token_id', T_U32, 0],
    ['tokenizer.ggml.bos_token_id', T_U32, 1],
    ['tokenizer.ggml.eos_token_id', T_U32, 2],
    ['tokenizer.ggml.add_bos_token', T_BOOL, true],
    ['tokenizer.ggml.add_eos_token', T_BOOL, false],
  ];
  // Dimensions innermost first, as ggml stores them.
  const tensors: TensorPlan[] = [
    { name: 'token_embd.weight', dims: [s.embd, s.vocab], type: 1, fill: 'random' },
    { name: 'output_norm.weight', dims: [s.embd], type: 0, fill: 'ones' },
    { name: 'output.weight', dims: [s.embd, s.vocab], type: 1, fill: 'random' },
  ];
  for (let i = 0; i < s.layers; i++) {
    const b = `blk.${i}.`;
    tensors.push(
      { name: `${b}attn_norm.weight`, dims: [s.embd], type: 0, fill: 'ones' },
      { name: `${b}attn_q.weight`, dims: [s.embd, s.embd], type: 1, fill: 'random' },
      { name: `${b}attn_k.weight`, dims: [s.embd, kvDim], type: 1, fill: 'random' },
      { name: `${b}attn_v.weight`, dims: [s.embd, kvDim], type: 1, fill: 'random' },
      { name: `${b}attn_output.weight`, dims: [s.embd, s.embd], type: 1, fill: 'random' },
      { name: `${b}ffn_norm.weight`, dims: [s.embd], type: 0, fill: 'ones' },
      { name: `${b}ffn_gate.weight`, dims: [s.embd, s.ff], type: 1, fill: 'random' },
      { name: `${b}ffn_up.weight`, dims: [s.embd, s.ff], type: 1, fill: 'random' },
      { name: `${b}ffn_down.weight`, dims: [s.ff, s.embd], type: 1, fill: 'random' },
    );
  }
  const ALIGN = 32;
  const nbytes = (t: TensorPlan) => t.dims.reduce((a, d) => a * d, 1) * (t.type === 0 ? 4 : 2);
  const dir = path.dirname(path.resolve(file));
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    const w = new Sink(fd);
    w.bytes(Buffer.from('GGUF', 'ascii'));
    w.u32(3);
    w.u64(tensors.length);
    w.u64(kvs.length);
    for (const [k, t, v, et] of kvs) { w.str(k); w.u32(t); writeValue(w, t, v, et); }
    let off = 0;
    for (const t of tensors) {
      w.str(t.name); w.u32(t.dims.length); for (const d of t.dims) w.u64(d); w.u32(t.type); w.u64(off);
      off += nbytes(t); off = Math.ceil(off / ALIGN) * ALIGN;
    }
    w.pad(ALIGN);
    const next = rng(s.seed);
    const dataStart = w.pos;
    for (const t of tensors) {
      w.pad(ALIGN);
      if (w.pos - dataStart > 0 && (w.pos - dataStart) % ALIGN !== 0) throw new Error('misaligned tensor');
      const n = t.dims.reduce((a, d) => a * d, 1);
      if (t.type === 0) {
        const a = new Float32Array(n).fill(1);
        w.bytes(new Uint8Array(a.buffer));
      } else {
        // Chunked so a large shape never needs one huge buffer.
        const CHUNK = 1 << 20;
        for (let done = 0; done < n; done += CHUNK) {
          const a = new Uint16Array(Math.min(CHUNK, n - done));
          fillF16(a, next);
          w.bytes(new Uint8Array(a.buffer));
        }
      }
    }
    w.flush();
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
  return fs.statSync(file).size;
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
  const file = path.join(cacheDir, `${shapeKey(s)}-g1.gguf`);
  if (fs.existsSync(file)) return file;
  await makeLlamaGguf(file, s);
  return file;
}
