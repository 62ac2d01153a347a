import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { floatToHalf, ggufMetadataOnly, halfToFloat, writeGguf } from '../../../src/core/models/ggufWrite';
import { readGgufSync } from '../../../src/core/models/gguf';
import { ggmlTypeByName } from '../../../src/core/models/ggmlTypes';
import { tinyLlamaSpec } from './tinyLlama';
import type { Llama } from 'node-llama-cpp' with { 'resolution-mode': 'import' };

describe('models/ggufWrite', () => {
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-gguf-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('converts f16 exactly where f16 can represent the value, and rounds to nearest otherwise', () => {
    for (const v of [0, 1, -2, 0.5, 65504, 2 ** -14, 2 ** -24, 1.5, -0.125]) assert.equal(halfToFloat(floatToHalf(v)), v);
    assert.equal(halfToFloat(floatToHalf(1)), 1);
    assert.equal(halfToFloat(floatToHalf(65504)), 65504);
    assert.equal(halfToFloat(floatToHalf(2 ** -24)), 2 ** -24, 'smallest subnormal');
    assert.equal(floatToHalf(1e6), 0x7c00, 'overflow → +inf');
    assert.ok(Math.abs(halfToFloat(floatToHalf(0.1)) - 0.1) < 1e-4);
  });

  it('round-trips every metadata type and tensor type through the reader', async () => {
    const file = path.join(dir, 'all-types.gguf');
    const res = await writeGguf(file, {
      metadata: [
        { key: 'general.architecture', type: 'string', value: 'llama' },
        { key: 'u8', type: 'uint8', value: 200 },
        { key: 'i8', type: 'int8', value: -100 },
        { key: 'u16', type: 'uint16', value: 60000 },
        { key: 'i16', type: 'int16', value: -30000 },
        { key: 'u32', type: 'uint32', value: 4_000_000_000 },
        { key: 'i32', type: 'int32', value: -2_000_000_000 },
        { key: 'f32', type: 'float32', value: 0.5 },
        { key: 'b', type: 'bool', value: true },
        { key: 'u64', type: 'uint64', value: 2n ** 40n },
        { key: 'u64big', type: 'uint64', value: 2n ** 63n },
        { key: 'i64', type: 'int64', value: -5 },
        { key: 'f64', type: 'float64', value: Math.PI },
        { key: 'unicode', type: 'string', value: 'ä ✓ 日本' },
        { key: 'arr.u32', type: 'array', itemType: 'uint32', value: [1, 2, 3] },
        { key: 'arr.str', type: 'array', itemType: 'string', value: ['a', 'bc', ''] },
        { key: 'arr.big', type: 'array', itemType: 'int32', value: Array.from({ length: 5000 }, (_, i) => i) },
      ],
      tensors: [
        { name: 'a', dims: [64, 3], type: 'F32' },
        { name: 'b', dims: [64, 3], type: 'F16' },
        { name: 'c', dims: [64, 3], type: 'BF16', fill: 'ones' },
        { name: 'd', dims: [64, 3], type: 'Q8_0' },
        { name: 'e', dims: [64, 3], type: 'Q4_0' },
        { name: 'f', dims: [256, 2], type: 'Q4_K' },
        { name: 'g', dims: [7], type: 'F32', fill: 'zeros' },
      ],
    });
    const info = readGgufSync(file);
    assert.equal(info.version, 3);
    assert.equal(info.alignment, 32);
    assert.equal(info.fileSize, fs.statSync(file).size);
    assert.equal(res.fileBytes, info.fileSize);
    assert.equal(info.dataOffset, res.dataOffset);
    assert.equal(info.dataOffset % 32, 0);
    const m = info.metadata;
    assert.deepEqual(
      [m.u8, m.i8, m.u16, m.i16, m.u32, m.i32, m.f32, m.b, m.u64, m.u64big, m.i64, m.f64, m.unicode],
      [200, -100, 60000, -30000, 4_000_000_000, -2_000_000_000, 0.5, true, 2 ** 40, (2n ** 63n).toString(), -5, Math.PI, 'ä ✓ 日本'],
    );
    assert.deepEqual(m['arr.u32'], [1, 2, 3]);
    assert.deepEqual(m['arr.str'], ['a', 'bc', '']);
    assert.deepEqual(m['arr.big'], { kind: 'array-summary', itemType: 'int32', length: 5000 }, 'long arrays are summarised');
    const bytes = { a: 64 * 3 * 4, b: 64 * 3 * 2, c: 64 * 3 * 2, d: 2 * 3 * 34, e: 2 * 3 * 18, f: 2 * 144, g: 28 };
    assert.deepEqual(info.tensors.map((t) => [t.name, t.type, t.bytes]), Object.entries(bytes).map(([n, b], i) =>
      [n, ['F32', 'F16', 'BF16', 'Q8_0', 'Q4_0', 'Q4_K', 'F32'][i], b]));
    for (const t of info.tensors) assert.equal(t.offset % 32, 0, `${t.name} aligned`);
    assert.equal(info.totalTensorBytes, Object.values(bytes).reduce((a, b) => a + b, 0));

    // Data really is where the header says: BF16 ones are 0x3f80, random F16 values lie within ±0.02.
    const buf = fs.readFileSync(file);
    const c = info.tensors.find((t) => t.name === 'c')!;
    assert.equal(buf.readUInt16LE(info.dataOffset + c.offset), 0x3f80);
    const b = info.tensors.find((t) => t.name === 'b')!;
    let maxAbs = 0;
    let distinct = new Set<number>();
    for (let i = 0; i < 192; i++) {
      const h = buf.readUInt16LE(info.dataOffset + b.offset + 2 * i);
      maxAbs = Math.max(maxAbs, Math.abs(halfToFloat(h)));
      distinct.add(h);
    }
    assert.ok(maxAbs <= 0.0201 && maxAbs > 0.01, `random f16 within ±0.02 (max ${maxAbs})`);
    assert.ok(distinct.size > 150, 'random values vary');
    distinct = new Set();
    const d = info.tensors.find((t) => t.name === 'd')!;
    const scale = halfToFloat(buf.readUInt16LE(info.dataOffset + d.offset));
    assert.ok(scale > 0 && scale * 127 <= 0.0201, 'Q8_0 scale keeps values small');
  });

  it('honours a custom alignment and writes general.alignment', async () => {
    const file = path.join(dir, 'align64.gguf');
    await writeGguf(file, { metadata: [], tensors: [{ name: 'x', dims: [3], type: 'F32' }, { name: 'y', dims: [5], type: 'F32' }], alignment: 64 });
    const info = readGgufSync(file);
    assert.equal(info.alignment, 64);
    assert.equal(info.metadata['general.alignment'], 64);
    assert.deepEqual(info.tensors.map((t) => t.offset), [0, 64]);
    assert.equal(info.dataOffset % 64, 0);
  });

  it('rejects specs it cannot write, leaving no file behind', async () => {
    const file = path.join(dir, 'bad.gguf');
    await assert.rejects(writeGguf(file, { metadata: [], tensors: [{ name: 'x', dims: [33], type: 'Q8_0' }] }), /block size 32/);
    await assert.rejects(writeGguf(file, { metadata: [], tensors: [{ name: 'x', dims: [4], type: 'Q9_9' }] }), /unknown ggml type/);
    await assert.rejects(writeGguf(file, { metadata: [{ key: 'k', type: 'uint32', value: 1 }, { key: 'k', type: 'uint32', value: 2 }], tensors: [] }), /twice/);
    assert.equal(fs.existsSync(file), false);
    assert.deepEqual(fs.readdirSync(dir).filter((n) => n.includes('.tmp-')), []);
  });

  it('streams large tensors without holding them in memory', async function () {
    this.timeout(60000);
    const file = path.join(dir, 'big.gguf');
    const before = process.memoryUsage().rss;
    // 32 Mi f16 elements = 64 MiB on disk.
    await writeGguf(file, { metadata: [], tensors: [{ name: 'big', dims: [8192, 4096], type: 'F16' }] });
    const grew = process.memoryUsage().rss - before;
    assert.equal(readGgufSync(file).totalTensorBytes, 8192 * 4096 * 2);
    fs.rmSync(file);
    assert.ok(grew < 32 * 1024 * 1024, `RSS grew ${Math.round(grew / 2 ** 20)} MiB while writing 64 MiB`);
  });

  it('writes a metadata-only file the reader accepts', () => {
    const file = path.join(dir, 'meta.gguf');
    fs.writeFileSync(file, ggufMetadataOnly([{ key: 'general.architecture', type: 'string', value: 'gemma2' }]));
    const info = readGgufSync(file);
    assert.equal(info.metadata['general.architecture'], 'gemma2');
    assert.equal(info.tensors.length, 0);
  });

  describe('llama.cpp (node-llama-cpp) loads what the writer produces', function () {
    this.timeout(120000);
    let llama: Llama;
    before(async () => {
      const { getLlama } = await import('node-llama-cpp');
      llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' as never });
    });
    for (const shape of [
      { weightType: 'F16' },
      { weightType: 'Q8_0', layers: 3, kvHeads: [2, 2, 2] }, // the array form; llama's tensor shapes need equal heads
    ]) {
      it(`tiny llama ${shape.weightType}${'kvHeads' in shape ? ' with head_count_kv as an array' : ''}: loads, tokenizes and generates`, async () => {
        const file = path.join(dir, `tiny-${shape.weightType}.gguf`);
        await writeGguf(file, tinyLlamaSpec(shape));
        const size = fs.statSync(file).size;
        assert.ok(size < 3 * 1024 * 1024, `tiny model is ${size} bytes`);
        const model = await llama.loadModel({ modelPath: file });
        try {
          assert.equal(model.trainContextSize, 2048);
          const ctx = await model.createContext({ contextSize: 256, threads: 1 });
          try {
            const tokens = model.tokenize('the tea');
            assert.ok(tokens.length > 0);
            const seq = ctx.getSequence();
            const out: number[] = [];
            for await (const t of seq.evaluate(tokens)) {
              out.push(t);
              if (out.length >= 4) break;
            }
            assert.equal(out.length, 4);
            const vocab = tinyLlamaSpec().metadata.find((k) => k.key === 'tokenizer.ggml.tokens')!.value as string[];
            for (const t of out) assert.ok(t >= 0 && t < vocab.length, `token ${t} inside the vocabulary`);
            // llama.cpp's own parameter count equals the reader's element sum.
            assert.equal(model.fileInsights.totalParameters, readGgufSync(file).totalElements);
          } finally {
            await ctx.dispose();
          }
        } finally {
          await model.dispose();
        }
        assert.ok(ggmlTypeByName(shape.weightType));
      });
    }
  });
});
