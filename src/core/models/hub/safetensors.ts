// safetensors headers, read without the tensor data: 8 bytes little-endian u64 N, then N bytes of JSON
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}} (huggingface/safetensors, docs/
// "Format"; the reference implementation refuses headers over 100,000,000 bytes — MAX_HEADER_SIZE). Every entry is
// checked (known dtype, integer shape, offsets inside the file and consistent with the shape) so a hostile header
// is a SafetensorsError, never a huge allocation.

export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

/** Bytes per element; sub-byte types as fractions (safetensors' F4 is packed two per byte). */
export const SAFETENSORS_DTYPES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, F8_E8M0: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, I64: 8, U64: 8, F64: 8, F4: 0.5, F6_E2M3: 0.75, F6_E3M2: 0.75,
};

export const MAX_SAFETENSORS_HEADER = 100_000_000;

export interface SafetensorsTensor {
  name: string;
  dtype: string;
  shape: number[];
  elements: number;
  bytes: number;
}

export interface SafetensorsHeader {
  headerBytes: number;
  tensors: SafetensorsTensor[];
  metadata?: Record<string, string>;
  /** Bytes of tensor data the header describes. */
  dataBytes: number;
}

/** N from the first 8 bytes, checked against the format's limit and (when known) the file size. */
export function safetensorsHeaderLength(first8: Buffer, fileSize?: number, where = 'safetensors file'): number {
  if (first8.length < 8) throw new SafetensorsError(`${where}: shorter than the 8-byte header length`);
  const n = first8.readBigUInt64LE(0);
  if (n > BigInt(MAX_SAFETENSORS_HEADER)) throw new SafetensorsError(`${where}: header length ${n} exceeds the safetensors limit of ${MAX_SAFETENSORS_HEADER} bytes`);
  const len = Number(n);
  if (len < 2) throw new SafetensorsError(`${where}: header length ${len} is too small for a JSON object`);
  if (fileSize !== undefined && 8 + len > fileSize) throw new SafetensorsError(`${where}: header of ${len} bytes runs past the end of the ${fileSize}-byte file`);
  return len;
}

/** Parses and validates the JSON header (the `len` bytes after the first 8). */
export function parseSafetensorsHeader(json: Buffer, fileSize: number | undefined, where = 'safetensors file'): SafetensorsHeader {
  let obj: unknown;
  try {
    obj = JSON.parse(json.toString('utf8'));
  } catch (e) {
    throw new SafetensorsError(`${where}: the header is not valid JSON (${(e as Error).message}); truncated?`);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new SafetensorsError(`${where}: the header is not a JSON object`);
  const tensors: SafetensorsTensor[] = [];
  let metadata: Record<string, string> | undefined;
  let dataBytes = 0;
  const dataSize = fileSize !== undefined ? fileSize - 8 - json.length : undefined;
  const entries = Object.entries(obj as Record<string, unknown>);
  if (entries.length > 1_000_000) throw new SafetensorsError(`${where}: ${entries.length} tensors is beyond any model`);
  for (const [name, v] of entries) {
    if (name === '__metadata__') {
      if (v && typeof v === 'object' && !Array.isArray(v)) metadata = Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => typeof x === 'string')) as Record<string, string>;
      continue;
    }
    const t = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!t || typeof t !== 'object') throw new SafetensorsError(`${where}: tensor ${JSON.stringify(name.slice(0, 100))} is not an object`);
    const dtype = typeof t.dtype === 'string' ? t.dtype : '';
    const size = SAFETENSORS_DTYPES[dtype];
    if (size === undefined) throw new SafetensorsError(`${where}: tensor ${JSON.stringify(name.slice(0, 100))} has unknown dtype ${JSON.stringify(t.dtype)}`);
    if (!Array.isArray(t.shape) || t.shape.length > 8 || !t.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      throw new SafetensorsError(`${where}: tensor ${JSON.stringify(name.slice(0, 100))} has an invalid shape`);
    }
    const shape = t.shape as number[];
    let elements = 1;
    for (const d of shape) {
      elements *= d;
      if (!Number.isSafeInteger(elements)) throw new SafetensorsError(`${where}: tensor ${JSON.stringify(name.slice(0, 100))} shape overflows`);
    }
    const off = t.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isSafeInteger(x) && (x as number) >= 0) || (off[1] as number) < (off[0] as number)) {
      throw new SafetensorsError(`${where}: tensor ${JSON.stringify(name.slice(0, 100))} has invalid data_offsets`);
    }
    const bytes = (off[1] as number) - (off[0] as number);
    if (Math.ceil(elements * size) !== bytes) {
      throw new SafetensorsError(`${where}: tensor ${JSON.stringify(name.slice(0, 100))} spans ${bytes} bytes but ${dtype} ${JSON.stringify(shape)} needs ${Math.ceil(elements * size)}`);
    }
    if (dataSize !== undefined && (off[1] as number) > dataSize) {
      throw new SafetensorsError(`${where}: tensor ${JSON.stringify(name.slice(0, 100))} ends at ${off[1]}, past the ${dataSize} data bytes of the file`);
    }
    tensors.push({ name, dtype, shape, elements, bytes });
    dataBytes += bytes;
  }
  return { headerBytes: 8 + json.length, tensors, metadata, dataBytes };
}

/** The weight map of model.safetensors.index.json: tensor → shard file, checked. */
export function parseSafetensorsIndex(json: unknown, where = 'model.safetensors.index.json'): { files: string[]; totalSize?: number } {
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new SafetensorsError(`${where} is not a JSON object`);
  const wm = (json as { weight_map?: unknown }).weight_map;
  if (!wm || typeof wm !== 'object' || Array.isArray(wm)) throw new SafetensorsError(`${where} has no weight_map`);
  const files = new Set<string>();
  for (const f of Object.values(wm as Record<string, unknown>)) {
    if (typeof f !== 'string' || !/^[A-Za-z0-9_.\-/]{1,200}\.safetensors$/.test(f) || f.includes('..')) throw new SafetensorsError(`${where}: weight_map names an invalid file ${JSON.stringify(String(f).slice(0, 100))}`);
    files.add(f);
  }
  if (files.size > 10_000) throw new SafetensorsError(`${where}: ${files.size} shards is beyond any model`);
  const ts = (json as { metadata?: { total_size?: unknown } }).metadata?.total_size;
  return { files: [...files].sort(), totalSize: typeof ts === 'number' && Number.isSafeInteger(ts) && ts >= 0 ? ts : undefined };
}
