// A GGUF header reader that is safe on hostile files: it reads through a file handle with a bounded
// read-ahead, checks every length against the bytes left in the file and against fixed caps before it
// allocates anything, and skips big arrays (tokenizer vocabularies) by length instead of materialising them.
// Written instead of using @huggingface/gguf because that library materialises every array (a 150k-token
// vocabulary and its merges become JS strings) and its errors do not say where in the file they occurred.
// Format: llama.cpp ggml/src/gguf.cpp (gguf_init_from_file_impl) — the checks mirror the ones it makes.

import * as fs from 'node:fs';
import { ggmlTypeById } from './ggmlTypes';

export class GgufError extends Error {
  constructor(message: string, readonly offset?: number) {
    super(message);
    this.name = 'GgufError';
  }
}

export interface GgufArraySummary {
  kind: 'array-summary';
  itemType: string;
  length: number;
}

export type GgufMetaValue = number | string | boolean | GgufMetaValue[] | GgufArraySummary;

export interface GgufTensorInfo {
  name: string;
  /** Innermost first, as stored. */
  dims: number[];
  type: string;
  typeId: number;
  /** Offset relative to the start of the data section. */
  offset: number;
  elements: number;
  bytes: number;
}

export interface GgufModelInfo {
  path: string;
  version: number;
  alignment: number;
  /** Small values materialised; arrays longer than the limit summarised; uint64 beyond 2^53 as a decimal string. */
  metadata: Record<string, GgufMetaValue>;
  tensors: GgufTensorInfo[];
  totalTensorBytes: number;
  totalElements: number;
  /** Absolute offset of the tensor data section. */
  dataOffset: number;
  fileSize: number;
}

export interface GgufReadLimits {
  maxStringBytes: number;
  maxArrayItems: number;
  maxTensors: number;
  maxKeys: number;
  maxHeaderBytes: number;
  /** Arrays up to this many items are materialised; longer ones are summarised. */
  materializeArrayItems: number;
}

export const DEFAULT_GGUF_LIMITS: GgufReadLimits = {
  maxStringBytes: 1 << 20,
  maxArrayItems: 1 << 24,
  maxTensors: 1_000_000,
  maxKeys: 1_000_000,
  maxHeaderBytes: 100 * 1024 * 1024,
  materializeArrayItems: 4096,
};

const VALUE_TYPES: Record<number, { name: string; size: number }> = {
  0: { name: 'uint8', size: 1 }, 1: { name: 'int8', size: 1 }, 2: { name: 'uint16', size: 2 },
  3: { name: 'int16', size: 2 }, 4: { name: 'uint32', size: 4 }, 5: { name: 'int32', size: 4 },
  6: { name: 'float32', size: 4 }, 7: { name: 'bool', size: 1 }, 8: { name: 'string', size: 0 },
  9: { name: 'array', size: 0 }, 10: { name: 'uint64', size: 8 }, 11: { name: 'int64', size: 8 },
  12: { name: 'float64', size: 8 },
};

const READ_AHEAD = 1 << 20;
const GGML_MAX_DIMS = 4;

/** Thrown by a buffer-backed read when the header continues past the bytes fetched so far (remote reads). */
export class GgufNeedMore extends Error {
  constructor(readonly needed: number) {
    super(`GGUF header continues past byte ${needed}`);
    this.name = 'GgufNeedMore';
  }
}

type ReadAt = (target: Buffer, offset: number, length: number, position: number) => number;

/** Sequential reader over a file handle or a prefix buffer: at most READ_AHEAD (or one capped item) buffered at a time. */
class HandleReader {
  private buf = Buffer.alloc(0);
  private bufStart = 0;
  pos = 0;
  where = 'header';

  constructor(private readonly readAt: ReadAt, readonly size: number, private readonly limits: GgufReadLimits, private readonly onShort?: (needed: number) => never) {}

  get remaining(): number { return this.size - this.pos; }

  fail(msg: string): never {
    throw new GgufError(`${msg} (at ${this.where}, offset ${this.pos}, file size ${this.size})`, this.pos);
  }

  private need(n: number): void {
    if (n > this.remaining) {
      throw new GgufError(
        `truncated GGUF: ${this.where} ends past the end of the file (offset ${this.pos}, needs ${n} more bytes, ` +
          `file size ${this.size})`, this.pos);
    }
    if (this.pos + n > this.limits.maxHeaderBytes) {
      this.fail(`GGUF header larger than ${this.limits.maxHeaderBytes} bytes`);
    }
  }

  private view(n: number): Buffer {
    this.need(n);
    const rel = this.pos - this.bufStart;
    if (rel >= 0 && rel + n <= this.buf.length) {
      const v = this.buf.subarray(rel, rel + n);
      this.pos += n;
      return v;
    }
    const len = Math.min(Math.max(n, READ_AHEAD), this.size - this.pos);
    const fresh = Buffer.alloc(len);
    let got = 0;
    while (got < len) {
      const r = this.readAt(fresh, got, len - got, this.pos + got);
      if (r === 0) break;
      got += r;
    }
    if (got < n) {
      if (this.onShort) this.onShort(this.pos + n);
      this.fail(`file shrank while reading: got ${got} of ${n} bytes`);
    }
    this.buf = fresh.subarray(0, got);
    this.bufStart = this.pos;
    this.pos += n;
    return this.buf.subarray(0, n);
  }

  skip(n: number): void { this.need(n); this.pos += n; }
  u8(): number { return this.view(1).readUInt8(0); }
  i8(): number { return this.view(1).readInt8(0); }
  u16(): number { return this.view(2).readUInt16LE(0); }
  i16(): number { return this.view(2).readInt16LE(0); }
  u32(): number { return this.view(4).readUInt32LE(0); }
  i32(): number { return this.view(4).readInt32LE(0); }
  f32(): number { return this.view(4).readFloatLE(0); }
  f64(): number { return this.view(8).readDoubleLE(0); }
  u64(): bigint { return this.view(8).readBigUInt64LE(0); }
  i64(): bigint { return this.view(8).readBigInt64LE(0); }

  /** A uint64 length/count, checked against a cap and (with minItemBytes) against the bytes left. */
  count(what: string, cap: number, minItemBytes: number): number {
    const v = this.u64();
    if (v > BigInt(cap)) this.fail(`${what} ${v} exceeds the limit of ${cap}`);
    const n = Number(v);
    if (n * minItemBytes > this.remaining) {
      throw new GgufError(
        `truncated GGUF: ${this.where}: ${what} ${n} needs at least ${n * minItemBytes} bytes but only ` +
          `${this.remaining} remain (offset ${this.pos}, file size ${this.size})`, this.pos);
    }
    return n;
  }

  str(): string {
    const n = this.count('string length', this.limits.maxStringBytes, 1);
    return this.view(n).toString('utf8');
  }
  skipStr(): void { this.skip(this.count('string length', this.limits.maxStringBytes, 1)); }

  /** Skips n strings; the hot path of a 150k-token vocabulary, so lengths are read straight from the buffer. */
  skipStrings(n: number): void {
    for (let i = 0; i < n; i++) {
      const rel = this.pos - this.bufStart;
      if (rel >= 0 && rel + 8 <= this.buf.length && this.buf.readUInt32LE(rel + 4) === 0) {
        const len = this.buf.readUInt32LE(rel);
        if (len <= this.limits.maxStringBytes && 8 + len <= this.remaining && this.pos + 8 + len <= this.limits.maxHeaderBytes) {
          this.pos += 8 + len;
          continue;
        }
      }
      this.skipStr(); // slow path: refills the buffer or reports the precise error
    }
  }
}

function bigToValue(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

function readScalar(r: HandleReader, type: number): number | string | boolean {
  switch (type) {
    case 0: return r.u8();
    case 1: return r.i8();
    case 2: return r.u16();
    case 3: return r.i16();
    case 4: return r.u32();
    case 5: return r.i32();
    case 6: return r.f32();
    case 7: {
      const b = r.u8();
      if (b > 1) r.fail(`invalid bool value ${b}`);
      return b === 1;
    }
    case 8: return r.str();
    case 10: return bigToValue(r.u64());
    case 11: return bigToValue(r.i64());
    case 12: return r.f64();
    default: return r.fail(`unknown GGUF value type ${type}`);
  }
}

function readValue(r: HandleReader, type: number, limits: GgufReadLimits): GgufMetaValue {
  if (type !== 9) return readScalar(r, type);
  const itemType = r.u32();
  const info = VALUE_TYPES[itemType];
  if (!info) r.fail(`unknown GGUF array item type ${itemType}`);
  // llama.cpp does not accept nested arrays either.
  if (itemType === 9) r.fail('nested GGUF arrays are not supported');
  const n = r.count('array length', limits.maxArrayItems, itemType === 8 ? 8 : info.size);
  if (n <= limits.materializeArrayItems) {
    const out: GgufMetaValue[] = [];
    for (let i = 0; i < n; i++) out.push(readScalar(r, itemType));
    return out;
  }
  if (itemType === 8) r.skipStrings(n);
  else r.skip(n * info.size);
  return { kind: 'array-summary', itemType: info.name, length: n };
}

/** Reads and validates a GGUF file's header and tensor table. Throws GgufError with a clear message. */
export function readGgufSync(path: string, limits: GgufReadLimits = DEFAULT_GGUF_LIMITS): GgufModelInfo {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new GgufError(code === 'ENOENT' ? `file not found: ${path}` : `cannot open ${path}: ${(e as Error).message}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw new GgufError(`${path} is a directory, not a GGUF file`);
    if (!st.isFile()) throw new GgufError(`${path} is not a regular file`);
    if (st.size === 0) throw new GgufError(`${path} is empty (0 bytes), not a GGUF file`);
    return parse(new HandleReader((b, o, l, p) => fs.readSync(fd, b, o, l, p), st.size, limits), path, limits);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Parses a GGUF header from the first bytes of a file of `fileSize` bytes (a Range read of a remote file). Throws
 * GgufNeedMore with the byte count needed when the header continues past `prefix`; the caller fetches more and
 * calls again. Same checks and limits as readGgufSync.
 */
export function parseGgufPrefix(prefix: Buffer, fileSize: number, where: string, limits: GgufReadLimits = DEFAULT_GGUF_LIMITS): GgufModelInfo {
  const readAt: ReadAt = (b, o, l, p) => {
    if (p >= prefix.length) return 0;
    const n = Math.min(l, prefix.length - p);
    prefix.copy(b, o, p, p + n);
    return n;
  };
  const onShort = (needed: number): never => {
    if (prefix.length < fileSize) throw new GgufNeedMore(needed);
    throw new GgufError(`truncated GGUF: ${where} ends at ${fileSize} bytes inside its header`);
  };
  return parse(new HandleReader(readAt, fileSize, limits, onShort), where, limits);
}

/** Async wrapper (the work is bounded synchronous I/O; callers in the extension get a Promise). */
export async function readGguf(path: string, limits?: GgufReadLimits): Promise<GgufModelInfo> {
  return readGgufSync(path, limits);
}

function parse(r: HandleReader, path: string, limits: GgufReadLimits): GgufModelInfo {
  r.where = 'magic';
  if (r.size < 4) r.fail(`not a GGUF file: only ${r.size} bytes`);
  const magic = Buffer.from([r.u8(), r.u8(), r.u8(), r.u8()]).toString('latin1');
  if (magic !== 'GGUF') {
    throw new GgufError(`not a GGUF file: starts with ${JSON.stringify(magic)} instead of "GGUF"`, 0);
  }
  r.where = 'version';
  const version = r.u32();
  if (version === 1) r.fail('GGUF version 1 is not supported (llama.cpp dropped it too)');
  if (version !== 2 && version !== 3) {
    if ((version & 0xffff) === 0 && (version >>> 16) !== 0) r.fail(`big-endian GGUF (version bytes ${version}) is not supported`);
    r.fail(`unsupported GGUF version ${version}`);
  }
  r.where = 'tensor count';
  // Each tensor info is at least 8 (name length) + 4 + 4 + 8 bytes.
  const nTensors = r.count('tensor count', limits.maxTensors, 24);
  r.where = 'metadata count';
  // Each key/value is at least 8 (key length) + 4 (type) + 1 byte.
  const nKv = r.count('metadata key count', limits.maxKeys, 13);

  const metadata: Record<string, GgufMetaValue> = {};
  for (let i = 0; i < nKv; i++) {
    r.where = `metadata key ${i + 1} of ${nKv}`;
    const key = r.str();
    r.where = `metadata key ${i + 1} of ${nKv} (${JSON.stringify(key.slice(0, 200))})`;
    if (Object.prototype.hasOwnProperty.call(metadata, key)) r.fail(`duplicate metadata key ${JSON.stringify(key)}`);
    const type = r.u32();
    if (!VALUE_TYPES[type]) r.fail(`unknown GGUF value type ${type}`);
    metadata[key] = readValue(r, type, limits);
  }

  let alignment = 32;
  const al = metadata['general.alignment'];
  if (al !== undefined) {
    if (typeof al !== 'number' || !Number.isInteger(al) || al <= 0 || (al & (al - 1)) !== 0) {
      throw new GgufError(`invalid general.alignment ${JSON.stringify(al)}: must be a power of two`);
    }
    alignment = al;
  }

  const tensors: GgufTensorInfo[] = [];
  const names = new Set<string>();
  let totalBytes = 0;
  let totalElements = 0;
  for (let i = 0; i < nTensors; i++) {
    r.where = `tensor info ${i + 1} of ${nTensors}`;
    const name = r.str();
    r.where = `tensor info ${i + 1} of ${nTensors} (${JSON.stringify(name.slice(0, 200))})`;
    if (names.has(name)) r.fail(`duplicate tensor name ${JSON.stringify(name)}`);
    names.add(name);
    const nDims = r.u32();
    if (nDims < 1 || nDims > GGML_MAX_DIMS) r.fail(`tensor has ${nDims} dimensions; GGUF allows 1 to ${GGML_MAX_DIMS}`);
    const dims: number[] = [];
    let elements = 1;
    for (let d = 0; d < nDims; d++) {
      const v = r.i64();
      if (v < 0n) r.fail(`negative dimension ${v}`);
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) r.fail(`dimension ${v} is too large`);
      dims.push(Number(v));
      elements *= Number(v);
      if (!Number.isSafeInteger(elements)) r.fail(`element count overflows (dims ${dims.join(' × ')} ...)`);
    }
    const typeId = r.u32();
    const type = ggmlTypeById(typeId);
    if (!type) r.fail(`unknown or removed ggml tensor type ${typeId}`);
    if (dims[0] % type.blockSize !== 0) {
      r.fail(`first dimension ${dims[0]} is not a multiple of ${type.name}'s block size ${type.blockSize}`);
    }
    const offsetBig = r.u64();
    if (offsetBig > BigInt(Number.MAX_SAFE_INTEGER)) r.fail(`tensor data offset ${offsetBig} is too large`);
    const offset = Number(offsetBig);
    if (offset % alignment !== 0) r.fail(`tensor data offset ${offset} is not a multiple of the alignment ${alignment}`);
    const bytes = (elements / type.blockSize) * type.typeSize;
    tensors.push({ name, dims, type: type.name, typeId, offset, elements, bytes });
    totalBytes += bytes;
    totalElements += elements;
  }

  const headerEnd = r.pos;
  const dataOffset = nTensors > 0 ? Math.ceil(headerEnd / alignment) * alignment : headerEnd;
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i];
    const end = dataOffset + t.offset + t.bytes;
    if (end > r.size) {
      throw new GgufError(
        `truncated GGUF: data of tensor ${i + 1} of ${tensors.length} (${JSON.stringify(t.name)}, ${t.type} ` +
          `[${t.dims.join(', ')}], ${t.bytes} bytes) ends at offset ${end}, past the end of the file (size ${r.size})`,
        dataOffset + t.offset);
    }
  }
  return {
    path, version, alignment, metadata, tensors, totalTensorBytes: totalBytes, totalElements, dataOffset, fileSize: r.size,
  };
}
