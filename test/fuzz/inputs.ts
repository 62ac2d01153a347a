// Generators of hostile and huge inputs for the fuzz suite and the reproducer table: GGUF headers built byte by
// byte, YAML/JSON texts, special files. Everything is deterministic for a seed.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GgufByteWriter, type GgufKV, writeGgufKV } from '../../src/core/models/ggufWrite';

/** xorshift32: a seeded source, so a failing case can be reproduced from its seed. */
export function rng(seed: number): () => number {
  let s = (seed >>> 0) || 0x9e3779b9;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}

/** The llama metadata llama.cpp needs to start loading (a tiny shape). */
export function llamaMetadata(over: Partial<Record<string, GgufKV>> = {}): GgufKV[] {
  const u32 = (key: string, value: number): GgufKV => ({ key, type: 'uint32', value });
  const base: GgufKV[] = [
    { key: 'general.architecture', type: 'string', value: 'llama' },
    { key: 'general.name', type: 'string', value: 'kvlens-fuzz' },
    u32('llama.context_length', 4096),
    u32('llama.embedding_length', 256),
    u32('llama.block_count', 2),
    u32('llama.feed_forward_length', 512),
    u32('llama.attention.head_count', 4),
    u32('llama.attention.head_count_kv', 2),
    { key: 'llama.attention.layer_norm_rms_epsilon', type: 'float32', value: 1e-5 },
    u32('llama.rope.dimension_count', 64),
  ];
  const out = base.map((kv) => over[kv.key] ?? kv);
  for (const [k, kv] of Object.entries(over)) if (kv && !base.some((b) => b.key === k)) out.push(kv);
  return out;
}

/** A GGUF v3 header: metadata then `tensors` tensor infos (name, dims, type id, offset); no data. */
export function ggufHeader(metadata: GgufKV[], tensors: { name: string; dims: number[]; type: number; offset: number }[] = []): Buffer {
  const w = new GgufByteWriter();
  w.bytes(Buffer.from('GGUF', 'latin1')).u32(3).u64(tensors.length).u64(metadata.length);
  for (const kv of metadata) writeGgufKV(w, kv);
  for (const t of tensors) {
    w.str(t.name).u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(t.type).u64(t.offset);
  }
  w.pad(32);
  return w.toBuffer();
}

/**
 * A GGUF with `n` tensors of dims [0] (F32): valid for every bounds check (no data), but each tensor is work for a
 * loader. Written in pieces so a million tensors never sit in one JS array.
 */
export function writeManyTensorGguf(file: string, n: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    const head = new GgufByteWriter();
    const meta = llamaMetadata();
    head.bytes(Buffer.from('GGUF', 'latin1')).u32(3).u64(n).u64(meta.length);
    for (const kv of meta) writeGgufKV(head, kv);
    fs.writeSync(fd, head.toBuffer());
    let written = head.length;
    for (let i = 0; i < n;) {
      const w = new GgufByteWriter();
      for (let k = 0; k < 20000 && i < n; k++, i++) { w.str(`t.${i}`).u32(1).u64(0).u32(0).u64(0); }
      fs.writeSync(fd, w.toBuffer());
      written += w.length;
    }
    const pad = (32 - (written % 32)) % 32;
    if (pad) fs.writeSync(fd, Buffer.alloc(pad));
  } finally {
    fs.closeSync(fd);
  }
}

/** Mutations of a valid GGUF: flipped bytes, lying lengths, truncations, spliced garbage. */
export function mutateGguf(valid: Buffer, seed: number): Buffer {
  const r = rng(seed);
  const b = Buffer.from(valid);
  const kind = Math.floor(r() * 5);
  const at = () => Math.floor(r() * b.length);
  if (kind === 0) { for (let i = 0; i < 1 + r() * 8; i++) b[at()] = Math.floor(r() * 256); return b; }
  if (kind === 1) {
    // A u64 length/count somewhere replaced by a huge or negative-looking value.
    const o = Math.min(b.length - 8, 8 + Math.floor(r() * Math.max(1, b.length - 16)));
    const vals = [0xffffffffffffffffn, 2n ** 40n, 2n ** 31n, 2n ** 63n, BigInt(Math.floor(r() * 1e9))];
    b.writeBigUInt64LE(vals[Math.floor(r() * vals.length)]!, o);
    return b;
  }
  if (kind === 2) return b.subarray(0, Math.floor(r() * b.length));
  if (kind === 3) { const o = at(); return Buffer.concat([b.subarray(0, o), Buffer.from(Array.from({ length: 1 + Math.floor(r() * 64) }, () => Math.floor(r() * 256))), b.subarray(o)]); }
  // A u32 (type ids, dims counts, int32 metadata) replaced by -1 / huge.
  const o = Math.min(b.length - 4, 24 + Math.floor(r() * Math.max(1, b.length - 28)));
  b.writeUInt32LE([0xffffffff, 0x7fffffff, 0x80000000, 13, 9][Math.floor(r() * 5)]!, o);
  return b;
}

/** A YAML or JSON text from a small grammar of config-like shapes, with hostile leaves mixed in. */
export function configText(seed: number): { name: string; text: string } {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const leaves = [
    '4096', '-1', '0', '1e308', '-1e308', '.nan', '.inf', '18446744073709551617', '"x"', "'q8_0'", 'null', '~', 'true',
    '"\\u001b[31mred\\u001b[0m"', '!!binary AAAA', '*nope', '&a [1, 2]', '"' + 'm'.repeat(5000) + '"', '[' .repeat(40) + ']'.repeat(40),
    '"-c 4096 -np 2147483647"', '"-ngl 99 -fa on -ctv q4_0 -c 1000000000"', "'[[[[[[[[['", '"a\\"b"', '2147483647', '0x7fffffff',
  ];
  const keys = ['model', 'engine', 'args', 'kind', 'targets', 'workload', 'max-model-len', 'tensor-parallel-size', 'gpu-memory-utilization',
    'kv-cache-dtype', 'contextSize', 'memoryGiB', 'models', 'cmd', 'macros', '\u001b[2J', 'k\u202e', '<<', '? x', 'a"b', "c'd"];
  const depth = 1 + Math.floor(r() * 4);
  const lines: string[] = [];
  const emit = (indent: number, d: number) => {
    const n = 1 + Math.floor(r() * 4);
    for (let i = 0; i < n; i++) {
      const k = pick(keys);
      if (d < depth && r() < 0.4) { lines.push(`${' '.repeat(indent)}${k}:`); emit(indent + 2, d + 1); }
      else lines.push(`${' '.repeat(indent)}${k}: ${pick(leaves)}${r() < 0.2 ? ' # ' + '['.repeat(300) : ''}`);
    }
  };
  emit(0, 0);
  const eol = pick(['\n', '\r\n', '\r']);
  const kind = pick(['profile', 'vllm', 'swap']);
  const name = kind === 'profile' ? `f${seed}.kvlens.yaml` : kind === 'vllm' ? `f${seed}-vllm.yaml` : `f${seed}-llama-swap.yaml`;
  if (kind === 'profile' && r() < 0.3) {
    // The JSON flavour: random JSON-ish values, some malformed.
    const v = JSON.stringify({ model: pick(['x', 'm'.repeat(2000), 1e308]), engine: { kind: 'llama.cpp', args: pick(leaves) }, targets: [{ id: 'g', memoryGiB: pick([1e308, -1, 0, 24]), bandwidthGBs: 1000 }] });
    return { name: `f${seed}.kvlens.json`, text: r() < 0.2 ? v.slice(0, Math.floor(r() * v.length)) : v };
  }
  return { name, text: lines.join(eol) + eol };
}

/** mkfifo / mknod through the system tools (no shell). Returns false where they are not available. */
export function mkfifo(p: string): boolean {
  try { execFileSync('mkfifo', [p], { stdio: 'ignore' }); return true; } catch { return false; }
}

export function mknodNull(p: string): boolean {
  try { execFileSync('mknod', ['-m', '666', p, 'c', '1', '3'], { stdio: 'ignore' }); return true; } catch { return false; }
}

export function write(dir: string, name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return p;
}
