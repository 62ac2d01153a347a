// The GGUF reader against hostile and broken files: every failure must be a GgufError whose message says what
// is wrong and where, and no lying length may make the reader allocate more than a few MiB.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GgufByteWriter, GgufKV, writeGguf, writeGgufKV } from '../../../src/core/models/ggufWrite';
import { GgufError, readGguf, readGgufSync } from '../../../src/core/models/gguf';
import { tinyLlamaSpec } from './tinyLlama';

const TWO_40 = 2n ** 40n;

/** Header bytes: magic, version, counts (any values), then whatever the callback appends. */
function craft(opts: { version?: number; tensors?: bigint | number; kvs?: bigint | number }, body?: (w: GgufByteWriter) => void): Buffer {
  const w = new GgufByteWriter();
  w.bytes(Buffer.from('GGUF', 'latin1')).u32(opts.version ?? 3).u64(opts.tensors ?? 0).u64(opts.kvs ?? 0);
  body?.(w);
  return w.toBuffer();
}

function tensorInfo(w: GgufByteWriter, name: string, dims: (number | bigint)[], type: number, offset: number | bigint): void {
  w.str(name).u32(dims.length);
  for (const d of dims) w.u64(d);
  w.u32(type).u64(offset);
}

describe('models/gguf reader', () => {
  let dir: string;
  let n = 0;
  const file = (buf: Buffer | string): string => {
    const p = path.join(dir, `case-${n++}.gguf`);
    fs.writeFileSync(p, buf);
    return p;
  };
  const rejects = (buf: Buffer | string, re: RegExp): GgufError => {
    const p = file(buf);
    try {
      readGgufSync(p);
    } catch (e) {
      assert.ok(e instanceof GgufError, `GgufError expected, got ${(e as Error).name}: ${(e as Error).message}`);
      assert.match(e.message, re);
      return e;
    }
    assert.fail(`expected ${re} for case ${p}`);
  };

  let rssBefore = 0;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-hostile-'));
    rssBefore = process.memoryUsage().rss;
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    const grew = process.memoryUsage().rss - rssBefore;
    // The whole suite, lying lengths of 2^40 included, must not have grown the process by hundreds of MiB.
    assert.ok(grew < 150 * 1024 * 1024, `RSS grew ${Math.round(grew / 2 ** 20)} MiB during the hostile-file suite`);
  });

  it('says what is wrong with files that are not GGUF at all', () => {
    rejects(Buffer.alloc(0), /is empty \(0 bytes\)/);
    rejects('model: llama\n', /not a GGUF file: starts with "mode"/);
    rejects(Buffer.from('GG'), /not a GGUF file: only 2 bytes/);
    rejects(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), /not a GGUF file/);
    assert.throws(() => readGgufSync(dir), (e: Error) => e instanceof GgufError && /is a directory/.test(e.message));
    assert.throws(() => readGgufSync(path.join(dir, 'nope.gguf')), (e: Error) => e instanceof GgufError && /file not found/.test(e.message));
  });

  it('rejects unsupported versions and big-endian files', () => {
    rejects(craft({ version: 1 }), /version 1 is not supported/);
    rejects(craft({ version: 99 }), /unsupported GGUF version 99/);
    rejects(craft({ version: 0x03000000 }), /big-endian/);
    // Version 2 has the same layout as 3 and is accepted.
    assert.equal(readGgufSync(file(craft({ version: 2 }))).version, 2);
  });

  it('rejects lying counts without allocating for them', () => {
    rejects(craft({ tensors: TWO_40 }), /tensor count 1099511627776 exceeds the limit/);
    rejects(craft({ kvs: TWO_40 }), /metadata key count 1099511627776 exceeds the limit/);
    rejects(craft({ tensors: 1000 }), /truncated GGUF: .*tensor count 1000 needs at least 24000 bytes but only 8 remain/);
    rejects(craft({ kvs: 2n ** 64n - 1n }), /exceeds the limit/);
  });

  it('rejects a string length of 2^40 and an array count of 2^40 with the key they belong to', () => {
    rejects(craft({ kvs: 1 }, (w) => w.u64(TWO_40).bytes(Buffer.alloc(16))), /string length 1099511627776 exceeds the limit of 1048576 \(at metadata key 1 of 1/);
    rejects(craft({ kvs: 2 }, (w) => {
      writeGgufKV(w, { key: 'general.architecture', type: 'string', value: 'llama' });
      w.str('tokenizer.ggml.tokens').u32(9).u32(8).u64(TWO_40);
    }), /array length 1099511627776 exceeds the limit .*metadata key 2 of 2 \("tokenizer.ggml.tokens"\)/);
    // Under the cap but more items than bytes left.
    rejects(craft({ kvs: 1 }, (w) => { w.str('scores').u32(9).u32(6).u64(1 << 20); }), /truncated GGUF: .*array length 1048576 needs at least 4194304 bytes/);
    // A value string claiming 1000 bytes with 3 present.
    rejects(craft({ kvs: 1 }, (w) => { w.str('general.name').u32(8).u64(1000).bytes(Buffer.from('abc')); }),
      /truncated GGUF: .*string length 1000 needs at least 1000 bytes but only 3 remain/);
  });

  it('rejects malformed values', () => {
    rejects(craft({ kvs: 1 }, (w) => { w.str('k').u32(77).u32(0); }), /unknown GGUF value type 77 \(at metadata key 1 of 1 \("k"\)/);
    rejects(craft({ kvs: 1 }, (w) => { w.str('k').u32(7).u8(2); }), /invalid bool value 2/);
    rejects(craft({ kvs: 1 }, (w) => { w.str('k').u32(9).u32(9).u64(1).u32(4).u64(0); }), /nested GGUF arrays/);
    rejects(craft({ kvs: 2 }, (w) => {
      writeGgufKV(w, { key: 'dup', type: 'uint32', value: 1 });
      writeGgufKV(w, { key: 'dup', type: 'uint32', value: 2 });
    }), /duplicate metadata key "dup"/);
    rejects(craft({ kvs: 1, tensors: 1 }, (w) => {
      writeGgufKV(w, { key: 'general.alignment', type: 'uint32', value: 33 });
      tensorInfo(w, 'x', [4], 0, 0);
    }), /invalid general.alignment 33/);
  });

  it('rejects malformed tensor infos and names the tensor', () => {
    const one = (dims: (number | bigint)[], type: number, offset: number | bigint = 0, pad = 64): Buffer =>
      Buffer.concat([craft({ tensors: 2 }, (w) => { tensorInfo(w, 'ok', [8], 0, 0); tensorInfo(w, 'blk.0.attn_q.weight', dims, type, offset); }), Buffer.alloc(pad)]);
    rejects(one([1, 1, 1, 1, 1], 0), /tensor has 5 dimensions; GGUF allows 1 to 4 \(at tensor info 2 of 2 \("blk.0.attn_q.weight"\)/);
    rejects(one([], 0), /tensor has 0 dimensions/);
    rejects(one([2n ** 63n], 0), /negative dimension/);
    rejects(one([2n ** 40n, 2n ** 40n], 0), /element count overflows/);
    rejects(one([32], 99), /unknown or removed ggml tensor type 99/);
    rejects(one([32], 31), /unknown or removed ggml tensor type 31/);
    rejects(one([33], 8), /first dimension 33 is not a multiple of Q8_0's block size 32/);
    rejects(one([8], 0, 7), /tensor data offset 7 is not a multiple of the alignment 32/);
    rejects(one([1024, 1024], 1, 64), /truncated GGUF: data of tensor 2 of 2 \("blk.0.attn_q.weight", F16 \[1024, 1024\], 2097152 bytes\) ends at offset \d+, past the end of the file/);
    rejects(Buffer.concat([craft({ tensors: 2 }, (w) => { tensorInfo(w, 'a', [8], 0, 0); tensorInfo(w, 'a', [8], 0, 32); }), Buffer.alloc(64)]), /duplicate tensor name "a"/);
  });

  it('turns every truncation of a real model into a clear GgufError', async () => {
    const full = path.join(dir, 'tiny.gguf');
    await writeGguf(full, tinyLlamaSpec());
    const bytes = fs.readFileSync(full);
    const info = readGgufSync(full);
    // Every offset in the first 64 bytes, then a spread across the header and the data.
    const cuts = new Set<number>();
    for (let i = 0; i < 64; i++) cuts.add(i);
    for (let i = 64; i < info.dataOffset; i += 97) cuts.add(i);
    for (let i = info.dataOffset; i < bytes.length; i += Math.floor(bytes.length / 50)) cuts.add(i);
    cuts.add(bytes.length - 1);
    let tensorData = 0;
    for (const cut of cuts) {
      const e = rejects(bytes.subarray(0, cut), /is empty|not a GGUF file|truncated GGUF/);
      if (cut >= info.dataOffset) {
        assert.match(e.message, /data of tensor \d+ of \d+ \(".+"/);
        tensorData++;
      }
    }
    assert.ok(tensorData >= 40);
    assert.ok(cuts.size > 100, `${cuts.size} truncations`);
  });

  it('survives random corruption of a real header: a result or a GgufError, nothing else', async () => {
    const full = path.join(dir, 'tiny-fuzz.gguf');
    await writeGguf(full, tinyLlamaSpec());
    const bytes = fs.readFileSync(full);
    const dataOffset = readGgufSync(full).dataOffset;
    let seed = 12345;
    const rand = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
    let errors = 0;
    const p = path.join(dir, 'fuzz.gguf');
    for (let i = 0; i < 300; i++) {
      const copy = Buffer.from(bytes);
      for (let k = 0; k < 1 + (rand() % 4); k++) copy[rand() % dataOffset] = rand() & 0xff;
      fs.writeFileSync(p, copy);
      try {
        readGgufSync(p);
      } catch (e) {
        assert.ok(e instanceof GgufError, `mutation ${i}: ${(e as Error).name}: ${(e as Error).message}`);
        errors++;
      }
    }
    assert.ok(errors > 0);
  });

  it('skips a 150k-token vocabulary by length instead of materialising it', async () => {
    const tokens = Array.from({ length: 150_000 }, (_, i) => `tok${i}`);
    const metadata: GgufKV[] = [
      { key: 'general.architecture', type: 'string', value: 'llama' },
      { key: 'tokenizer.ggml.tokens', type: 'array', itemType: 'string', value: tokens },
      { key: 'llama.attention.head_count_kv', type: 'array', itemType: 'uint32', value: [8, 8, 4] },
    ];
    const p = path.join(dir, 'vocab.gguf');
    await writeGguf(p, { metadata, tensors: [{ name: 'x', dims: [32], type: 'F32' }] });
    const t0 = performance.now();
    const info = await readGguf(p);
    const ms = performance.now() - t0;
    assert.deepEqual(info.metadata['tokenizer.ggml.tokens'], { kind: 'array-summary', itemType: 'string', length: 150_000 });
    assert.deepEqual(info.metadata['llama.attention.head_count_kv'], [8, 8, 4]);
    assert.ok(ms < 2000, `read in ${ms.toFixed(0)} ms`);
  });
});
