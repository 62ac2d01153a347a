// A GGUF v3 writer: metadata, tensor infos, then tensor data streamed in chunks (a 1 GB model never sits in
// memory). Used to generate models llama.cpp can load (tests, the default demo model) and, through the
// low-level byte helpers, to craft hostile files for the reader's tests.
// Format: llama.cpp ggml/src/gguf.cpp and docs/gguf.md.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ggmlRowBytes, ggmlTypeByName, GgmlTypeInfo } from './ggmlTypes';

export type GgufScalarType =
  | 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'bool' | 'string'
  | 'uint64' | 'int64' | 'float64';
export type GgufValueType = GgufScalarType | 'array';

/** GGUF value type ids (gguf.h enum gguf_type). */
export const GGUF_TYPE_ID: Record<GgufValueType, number> = {
  uint8: 0, int8: 1, uint16: 2, int16: 3, uint32: 4, int32: 5, float32: 6, bool: 7, string: 8, array: 9,
  uint64: 10, int64: 11, float64: 12,
};

export type GgufScalar = number | bigint | boolean | string;

export interface GgufKV {
  key: string;
  type: GgufValueType;
  /** Element type when type is 'array'. */
  itemType?: GgufScalarType;
  value: GgufScalar | GgufScalar[];
}

export interface GgufTensorSpec {
  name: string;
  /** Dimensions innermost first, as GGUF stores them (`attn_k` is [n_embd, head_dim × n_kv_heads]). */
  dims: number[];
  /** ggml type name: F32, F16, BF16, Q8_0, Q4_0, ... (any type in ggmlTypes.ts; 'random' needs F32/F16/BF16/Q8_0/Q4_0). */
  type: string;
  /** Default 'random': uniform in ±0.02 so a forward pass stays finite. Other types than the five above get zeros. */
  fill?: 'random' | 'zeros' | 'ones';
  seed?: number;
}

export interface GgufWriteSpec {
  metadata: GgufKV[];
  tensors: GgufTensorSpec[];
  /** Data alignment; written as `general.alignment` when not 32 and not already in metadata. */
  alignment?: number;
}

export interface GgufWriteResult {
  path: string;
  fileBytes: number;
  dataOffset: number;
  tensorBytes: number;
}

/** Growable little-endian byte builder. Exported so tests can craft malformed GGUF byte by byte. */
export class GgufByteWriter {
  private buf = Buffer.alloc(4096);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  get length(): number { return this.len; }
  bytes(b: Uint8Array): this { this.ensure(b.length); this.buf.set(b, this.len); this.len += b.length; return this; }
  u8(v: number): this { this.ensure(1); this.buf.writeUInt8(v, this.len); this.len += 1; return this; }
  i8(v: number): this { this.ensure(1); this.buf.writeInt8(v, this.len); this.len += 1; return this; }
  u16(v: number): this { this.ensure(2); this.buf.writeUInt16LE(v, this.len); this.len += 2; return this; }
  i16(v: number): this { this.ensure(2); this.buf.writeInt16LE(v, this.len); this.len += 2; return this; }
  u32(v: number): this { this.ensure(4); this.buf.writeUInt32LE(v >>> 0, this.len); this.len += 4; return this; }
  i32(v: number): this { this.ensure(4); this.buf.writeInt32LE(v, this.len); this.len += 4; return this; }
  f32(v: number): this { this.ensure(4); this.buf.writeFloatLE(v, this.len); this.len += 4; return this; }
  f64(v: number): this { this.ensure(8); this.buf.writeDoubleLE(v, this.len); this.len += 8; return this; }
  u64(v: number | bigint): this { this.ensure(8); this.buf.writeBigUInt64LE(BigInt(v), this.len); this.len += 8; return this; }
  i64(v: number | bigint): this { this.ensure(8); this.buf.writeBigInt64LE(BigInt(v), this.len); this.len += 8; return this; }
  /** GGUF string: uint64 byte length, then UTF-8 bytes (no terminator). */
  str(s: string): this { const b = Buffer.from(s, 'utf8'); this.u64(b.length); return this.bytes(b); }
  pad(alignment: number): this { const r = this.len % alignment; if (r) { this.ensure(alignment - r); this.len += alignment - r; } return this; }
  toBuffer(): Buffer { return Buffer.from(this.buf.subarray(0, this.len)); }
}

function writeScalar(w: GgufByteWriter, type: GgufScalarType, v: GgufScalar, key: string): void {
  const num = (): number => {
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'boolean') return v ? 1 : 0;
    throw new Error(`GGUF key ${key}: ${type} value expected, got string`);
  };
  switch (type) {
    case 'uint8': w.u8(num()); break;
    case 'int8': w.i8(num()); break;
    case 'uint16': w.u16(num()); break;
    case 'int16': w.i16(num()); break;
    case 'uint32': w.u32(num()); break;
    case 'int32': w.i32(num()); break;
    case 'float32': w.f32(num()); break;
    case 'float64': w.f64(num()); break;
    case 'bool': w.u8(v ? 1 : 0); break;
    case 'uint64': w.u64(typeof v === 'bigint' ? v : BigInt(num())); break;
    case 'int64': w.i64(typeof v === 'bigint' ? v : BigInt(num())); break;
    case 'string': w.str(String(v)); break;
  }
}

/** Appends one metadata key/value pair in GGUF encoding. */
export function writeGgufKV(w: GgufByteWriter, kv: GgufKV): void {
  w.str(kv.key);
  w.u32(GGUF_TYPE_ID[kv.type]);
  if (kv.type === 'array') {
    if (!kv.itemType) throw new Error(`GGUF key ${kv.key}: array needs itemType`);
    if (!Array.isArray(kv.value)) throw new Error(`GGUF key ${kv.key}: array value expected`);
    w.u32(GGUF_TYPE_ID[kv.itemType]);
    w.u64(kv.value.length);
    for (const item of kv.value) writeScalar(w, kv.itemType, item, kv.key);
  } else {
    if (Array.isArray(kv.value)) throw new Error(`GGUF key ${kv.key}: scalar value expected`);
    writeScalar(w, kv.type, kv.value, kv.key);
  }
}

interface PlannedTensor {
  spec: GgufTensorSpec;
  type: GgmlTypeInfo;
  elements: number;
  bytes: number;
  offset: number;
}

function planTensors(tensors: GgufTensorSpec[], alignment: number): { planned: PlannedTensor[]; total: number } {
  const planned: PlannedTensor[] = [];
  const names = new Set<string>();
  let offset = 0;
  for (const spec of tensors) {
    const type = ggmlTypeByName(spec.type);
    if (!type) throw new Error(`tensor ${spec.name}: unknown ggml type ${spec.type}`);
    if (names.has(spec.name)) throw new Error(`tensor ${spec.name}: duplicate name`);
    names.add(spec.name);
    if (spec.dims.length < 1 || spec.dims.length > 4 || spec.dims.some((d) => !Number.isSafeInteger(d) || d < 1)) {
      throw new Error(`tensor ${spec.name}: dims must be 1–4 positive integers, got [${spec.dims.join(', ')}]`);
    }
    const rows = spec.dims.slice(1).reduce((a, b) => a * b, 1);
    const bytes = ggmlRowBytes(type, spec.dims[0]) * rows;
    planned.push({ spec, type, elements: spec.dims[0] * rows, bytes, offset });
    offset += Math.ceil(bytes / alignment) * alignment;
  }
  return { planned, total: offset };
}

/** The header (magic, counts, metadata, tensor infos) padded to the alignment: everything before the data. */
function encodeHeader(metadata: GgufKV[], planned: PlannedTensor[], alignment: number): Buffer {
  const w = new GgufByteWriter();
  w.bytes(Buffer.from('GGUF', 'latin1')).u32(3).u64(planned.length).u64(metadata.length);
  for (const kv of metadata) writeGgufKV(w, kv);
  for (const t of planned) {
    w.str(t.spec.name).u32(t.spec.dims.length);
    for (const d of t.spec.dims) w.u64(d);
    w.u32(t.type.id).u64(t.offset);
  }
  w.pad(alignment);
  return w.toBuffer();
}

/**
 * A valid GGUF with metadata only (zero tensors) — for tests of metadata parsing. Tensor infos without data
 * would be an invalid file; tests that need hostile files build them with GgufByteWriter.
 */
export function ggufMetadataOnly(metadata: GgufKV[], alignment = 32): Buffer {
  return encodeHeader(metadata, [], alignment);
}

// --- tensor data generators ------------------------------------------------------------------------------

/** xorshift32: deterministic, fast, good enough for random weights. */
function rng(seed: number): () => number {
  let s = (seed >>> 0) || 0x9e3779b9;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

function hashName(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) { h ^= name.charCodeAt(i); h = Math.imul(h, 16777619); }
  return h >>> 0;
}

/** IEEE binary16 bits of a float32 value (round to nearest even). */
export function floatToHalf(value: number): number {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  f[0] = value;
  const x = u[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return sign | h;
}

export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

const RANDOM_SCALE = 0.02;
let halfTable: Uint16Array | undefined;
/** 65536 f16 values spread evenly over ±0.02: a random 16-bit index picks a uniform value. */
function randomHalfTable(): Uint16Array {
  if (!halfTable) {
    halfTable = new Uint16Array(65536);
    for (let i = 0; i < 65536; i++) halfTable[i] = floatToHalf(((i + 0.5) / 65536 * 2 - 1) * RANDOM_SCALE);
  }
  return halfTable;
}

const CHUNK = 1 << 20;

/** Fills `out` (a whole number of blocks/elements) with the next part of the tensor's data. */
type Filler = (out: Buffer) => void;

function makeFiller(t: PlannedTensor): Filler {
  const fill = t.spec.fill ?? 'random';
  const name = t.type.name;
  if (fill === 'zeros') return (out) => out.fill(0);
  const next = rng(t.spec.seed ?? hashName(t.spec.name));
  const ONE_HALF = 0x3c00;
  switch (name) {
    case 'F32':
      return (out) => {
        for (let i = 0; i < out.length; i += 4) {
          out.writeFloatLE(fill === 'ones' ? 1 : ((next() / 4294967296) * 2 - 1) * RANDOM_SCALE, i);
        }
      };
    case 'F16': {
      const table = randomHalfTable();
      return (out) => {
        for (let i = 0; i < out.length; i += 2) out.writeUInt16LE(fill === 'ones' ? ONE_HALF : table[next() & 0xffff], i);
      };
    }
    case 'BF16':
      return (out) => {
        const f = new Float32Array(1);
        const u = new Uint32Array(f.buffer);
        for (let i = 0; i < out.length; i += 2) {
          f[0] = fill === 'ones' ? 1 : ((next() / 4294967296) * 2 - 1) * RANDOM_SCALE;
          out.writeUInt16LE(u[0] >>> 16, i);
        }
      };
    case 'Q8_0': {
      // block: f16 scale d, 32 × int8; value = d × q.
      const d = fill === 'ones' ? ONE_HALF : floatToHalf(RANDOM_SCALE / 127);
      return (out) => {
        for (let b = 0; b < out.length; b += 34) {
          out.writeUInt16LE(d, b);
          for (let i = 0; i < 32; i++) out.writeInt8(fill === 'ones' ? 1 : ((next() % 255) - 127), b + 2 + i);
        }
      };
    }
    case 'Q4_0': {
      // block: f16 scale d, 16 bytes of nibbles; value = d × (q − 8).
      const d = fill === 'ones' ? ONE_HALF : floatToHalf(RANDOM_SCALE / 8);
      return (out) => {
        for (let b = 0; b < out.length; b += 18) {
          out.writeUInt16LE(d, b);
          for (let i = 0; i < 16; i++) out[b + 2 + i] = fill === 'ones' ? 0x99 : next() & 0xff;
        }
      };
    }
    default:
      if (fill === 'ones') throw new Error(`tensor ${t.spec.name}: fill 'ones' is not supported for ${name}`);
      // Random bytes in other quantized layouts can decode to inf/NaN scales; zeros are a valid, finite block.
      return (out) => out.fill(0);
  }
}

/**
 * Writes a GGUF v3 file. Writes to a temporary file beside `filePath` and renames it into place, so a crash
 * never leaves a truncated model where a cache expects a complete one.
 */
export async function writeGguf(filePath: string, spec: GgufWriteSpec): Promise<GgufWriteResult> {
  const metadata = [...spec.metadata];
  const alignKv = metadata.find((kv) => kv.key === 'general.alignment');
  const alignment = alignKv ? Number(alignKv.value) : spec.alignment ?? 32;
  if (!Number.isInteger(alignment) || alignment < 1 || (alignment & (alignment - 1)) !== 0) {
    throw new Error(`GGUF alignment must be a power of two, got ${alignment}`);
  }
  if (!alignKv && alignment !== 32) metadata.push({ key: 'general.alignment', type: 'uint32', value: alignment });
  const keys = new Set<string>();
  for (const kv of metadata) {
    if (keys.has(kv.key)) throw new Error(`GGUF key ${kv.key} appears twice`);
    keys.add(kv.key);
  }

  const { planned, total } = planTensors(spec.tensors, alignment);
  const header = encodeHeader(metadata, planned, alignment);
  const tmp = `${filePath}.tmp-${process.pid}-${Date.now()}`;
  await fs.promises.mkdir(path.dirname(path.resolve(filePath)), { recursive: true });
  const fh = await fs.promises.open(tmp, 'w');
  try {
    await fh.write(header);
    const chunk = Buffer.alloc(CHUNK);
    for (const t of planned) {
      const filler = makeFiller(t);
      // Chunks hold a whole number of blocks so generators never split one.
      const step = Math.floor(CHUNK / t.type.typeSize) * t.type.typeSize;
      let left = t.bytes;
      while (left > 0) {
        const n = Math.min(step, left);
        const view = chunk.subarray(0, n);
        filler(view);
        await fh.write(view);
        left -= n;
      }
      const padBytes = Math.ceil(t.bytes / alignment) * alignment - t.bytes;
      if (padBytes) await fh.write(Buffer.alloc(padBytes));
    }
    await fh.close();
    await fs.promises.rename(tmp, filePath);
  } catch (err) {
    await fh.close().catch(() => undefined);
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
  return { path: filePath, fileBytes: header.length + total, dataOffset: header.length, tensorBytes: total };
}

/**
 * The header bytes of a GGUF (metadata, tensor infos, padding to the data section) without any tensor data, and
 * the size the data section would have: enough to serve a virtual multi-gigabyte GGUF whose header is real.
 */
export function ggufHeaderOnly(spec: GgufWriteSpec): { header: Buffer; dataBytes: number } {
  const alignment = spec.alignment ?? 32;
  const { planned, total } = planTensors(spec.tensors, alignment);
  return { header: encodeHeader(spec.metadata, planned, alignment), dataBytes: total };
}
