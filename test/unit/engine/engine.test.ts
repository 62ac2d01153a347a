// The real engine (node-llama-cpp's prebuilt llama.cpp in a child process) on generated GGUF models. Tests are
// tiny (-p 32, -r 1, no warmup, 1 thread): they check allocation, failure reporting and process handling, not
// speed (speed lives in bench/engine.ts).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchTestResult } from '../../../src/core/engine/protocol';
import { llamaKvCache } from '../../../src/core/estimator/kvCache';
import { LlamaShape, makeLlamaGguf } from '../../../src/core/models/makeModel';
import { toRecords } from '../../../src/core/results/records';
import { ResultsStore } from '../../../src/core/results/store';
import { BenchRunError, runBench } from '../../../src/engine/client';
import { estimateKvForTest, modelDescriptor } from '../../../src/engine/compare';
import { LOG_MIB_RESOLUTION_BYTES } from '../../../src/engine/llamaLog';
import { BenchTestSpec, CacheType, FlashAttn } from '../../../src/engine/spec';

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const groupAlive = (pid: number) => { try { process.kill(-pid, 0); return true; } catch { return false; } };

function t(typeK: CacheType, typeV: CacheType, c = 0, np = 1, fa: FlashAttn = 'on', over: Partial<BenchTestSpec> = {}): BenchTestSpec {
  return { n_prompt: 32, n_gen: 0, n_depth: 0, n_ctx_requested: c, n_seq: np, n_batch: 512, n_ubatch: 512, n_threads: 1, n_gpu_layers: 0, type_k: typeK, type_v: typeV, flash_attn: fa, ...over };
}

// Every cache type the issue names, mixed K/V, contexts that are not multiples of 256, -np > 1.
const KV_MATRIX: BenchTestSpec[] = [
  t('f16', 'f16', 0, 1, 'auto'),
  t('q8_0', 'q8_0', 1000),
  t('q4_0', 'q4_0', 1000),
  t('q4_1', 'q4_1', 777),
  t('q5_0', 'q5_0', 1000),
  t('q5_1', 'q5_1', 1000),
  t('iq4_nl', 'iq4_nl', 1000),
  t('f32', 'f32', 1000),
  t('bf16', 'bf16', 600),
  t('f16', 'q8_0', 1000),
  t('q8_0', 'q4_0', 1300),
  t('f16', 'f16', 1000, 1, 'off'),
  t('q8_0', 'q8_0', 8192, 3),
  t('q4_0', 'f16', 1000, 2, 'off'),
  t('f16', 'f16', 700, 1, 'auto', { n_gen: 4 }),
];

const SHAPES: Record<string, Partial<LlamaShape>> = {
  '4 layers × 512, 8 heads / 2 KV heads (head_dim 64)': { layers: 4, embd: 512, heads: 8, kvHeads: 2, ff: 1376, vocab: 1024 },
  '3 layers × 256, 4 heads / 4 KV heads (head_dim 64)': { layers: 3, embd: 256, heads: 4, kvHeads: 4, ff: 512, vocab: 300 },
  '2 layers × 256, 2 heads / 1 KV head (head_dim 128)': { layers: 2, embd: 256, heads: 2, kvHeads: 1, ff: 512, vocab: 300 },
};

describe('engine: the bundled llama.cpp on generated models', function () {
  this.timeout(120_000);
  let dir: string;
  const models: Record<string, string> = {};
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-engine-'));
    for (const [i, [name, shape]] of Object.entries(SHAPES).entries()) {
      models[name] = path.join(dir, `m${i}.gguf`);
      await makeLlamaGguf(models[name]!, shape);
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const name of Object.keys(SHAPES)) {
    it(`measured K and V bytes equal the estimator's: ${name}`, async () => {
      const model = models[name]!;
      const results = await runBench({ model, tests: KV_MATRIX, reps: 1, noWarmup: true }, { testTimeoutMs: 60_000 });
      assert.equal(results.length, KV_MATRIX.length);
      const desc = await modelDescriptor(model);
      results.forEach((r, i) => {
        const spec = KV_MATRIX[i]!;
        const label = `${spec.type_k}/${spec.type_v} -c ${spec.n_ctx_requested} -np ${spec.n_seq} -fa ${spec.flash_attn}`;
        assert.equal(r.error, undefined, `${label}: ${r.error}`);
        const est = estimateKvForTest(desc, spec);
        assert.equal(r.n_ctx, est.nCtx, `${label}: cells`);
        assert.ok(Math.abs(r.kv_k_bytes - est.kvKBytes!) <= LOG_MIB_RESOLUTION_BYTES, `${label}: K ${r.kv_k_bytes} vs ${est.kvKBytes}`);
        assert.ok(Math.abs(r.kv_v_bytes - est.kvVBytes!) <= LOG_MIB_RESOLUTION_BYTES, `${label}: V ${r.kv_v_bytes} vs ${est.kvVBytes}`);
        assert.ok(est.kvKBytes! > 0 && est.kvVBytes! > 0);
        assert.equal(r.type_k, spec.type_k);
        assert.ok(r.avg_ts > 0 && r.samples_ts.length === 1, `${label}: measured a speed`);
        assert.ok((r.compute_buffer_bytes ?? 0) > 0 && (r.model_buffer_bytes ?? 0) > 0 && (r.peak_rss_bytes ?? 0) > 0);
      });
      // Spot-check the padding the table above relies on: 8192 over 3 sequences → 3 × 2816 = 8448 cells.
      assert.equal(results[KV_MATRIX.findIndex((x) => x.n_seq === 3)]!.n_ctx, 8448);
      // node-llama-cpp never unifies the cache; a unified cache for 3 sequences is one stream of PAD(c) cells,
      // which is exactly what a single sequence of the same -c allocates: check the estimator's unified case so.
      const unified = llamaKvCache(desc, { nCtx: 1000, nSeq: 3, unified: true, typeK: 'q8_0', typeV: 'q8_0', flashAttention: 'on' });
      const [single] = await runBench({ model, tests: [t('q8_0', 'q8_0', 1000, 1)], reps: 1, noWarmup: true });
      assert.equal(single!.n_ctx, unified.nCtx);
      assert.ok(Math.abs(single!.kv_bytes - unified.totalBytes) <= 2 * LOG_MIB_RESOLUTION_BYTES);
    });
  }

  it("fails a quantized V cache with -fa off with llama.cpp's own reason, and runs the other tests", async () => {
    const model = Object.values(models)[0]!;
    const results = await runBench({ model, tests: [t('f16', 'q8_0', 0, 1, 'off'), t('f16', 'f16')], reps: 1, noWarmup: true });
    assert.equal(results.length, 2);
    assert.match(results[0]!.error ?? '', /quantized V cache requires flash_attn to be enabled/);
    assert.doesNotMatch(results[0]!.error ?? '', /Failed to create context/);
    assert.equal(results[1]!.error, undefined);
    assert.ok(results[1]!.avg_ts > 0);
  });

  it('cancel kills the runner and its process group within a second', async () => {
    const model = Object.values(models)[0]!;
    const ac = new AbortController();
    let pid = 0;
    let abortedAt = 0;
    const p = runBench({ model, tests: [t('f16', 'f16', 0, 1, 'auto', { n_prompt: 512, n_gen: 4000 })], reps: 50, noWarmup: true }, {
      signal: ac.signal, onSpawn: (x) => { pid = x; },
      onProgress: (m) => { if (m.phase === 'run' && !abortedAt) { abortedAt = Date.now(); ac.abort(); } },
    });
    await assert.rejects(p, (e: unknown) => e instanceof BenchRunError && e.kind === 'cancelled');
    const took = Date.now() - abortedAt;
    assert.ok(abortedAt > 0 && took < 1000, `cancel took ${took} ms`);
    assert.ok(pid > 0);
    assert.equal(alive(pid), false, 'runner still alive');
    assert.equal(groupAlive(pid), false, 'a process of the runner group is still alive');
  });

  it('a truncated and a hostile GGUF give error results, and the store keeps earlier results', async () => {
    const good = Object.values(models)[1]!;
    const store = new ResultsStore(path.join(dir, 'results.jsonl'));
    const earlier = await runBench({ model: good, tests: [t('f16', 'f16')], reps: 1, noWarmup: true });
    await store.append(toRecords(earlier, { modelPath: good, modelSha256: 'x', flags: [] }));

    const truncated = path.join(dir, 'truncated.gguf');
    fs.writeFileSync(truncated, fs.readFileSync(good).subarray(0, 200_000));
    // A header that claims 2^40 tensors and a 2^62-byte key: a reader that trusts it would allocate terabytes.
    const hostile = path.join(dir, 'hostile.gguf');
    const h = Buffer.alloc(64);
    h.write('GGUF', 0, 'ascii'); h.writeUInt32LE(3, 4); h.writeBigUInt64LE(1n << 40n, 8); h.writeBigUInt64LE(1n, 16); h.writeBigUInt64LE(1n << 62n, 24);
    fs.writeFileSync(hostile, h);

    for (const bad of [truncated, hostile]) {
      const results = await runBench({ model: bad, tests: [t('f16', 'f16'), t('q8_0', 'q8_0')], reps: 1, noWarmup: true }, { testTimeoutMs: 30_000 });
      assert.equal(results.length, 2, path.basename(bad));
      for (const r of results) {
        assert.match(r.error ?? '', bad === truncated ? /cannot load model .*truncated GGUF: data of tensor .* past the end of the file/ : /cannot load model .*tensor count 1099511627776 exceeds the limit/);
      }
      await store.append(toRecords(results, { modelPath: bad, modelSha256: 'y', flags: [] }));
    }
    const all = await store.readAll();
    assert.equal(all.corrupt.length, 0);
    assert.equal(all.records.length, 5);
    assert.equal(all.records[0]!.result.error, undefined);
    assert.equal(all.records[0]!.result.avg_ts, earlier[0]!.avg_ts);
  });

  it('a runner that crashes mid-run (SIGSEGV) fails the rest with the exit reason and keeps the finished tests', async () => {
    const model = Object.values(models)[1]!;
    let pid = 0;
    const results = await runBench({ model, tests: [t('f16', 'f16'), t('f16', 'f16', 0, 1, 'auto', { n_prompt: 512, n_gen: 4000 }), t('q8_0', 'q8_0')], reps: 20, noWarmup: true }, {
      onSpawn: (x) => { pid = x; },
      onResult: (_r, i) => { if (i === 0) process.kill(pid, 'SIGSEGV'); },
    });
    assert.equal(results.length, 3);
    assert.equal(results[0]!.error, undefined);
    assert.ok(results[0]!.avg_ts > 0);
    assert.match(results[1]!.error ?? '', /the engine was killed by SIGSEGV during test 2\/3/);
    assert.match(results[2]!.error ?? '', /^not run: the engine was killed by SIGSEGV/);
    assert.equal(alive(pid), false);
  });

  it('stops a hung runner by the test timeout and leaves no process (FAKE hanging runner)', async () => {
    const fake = path.resolve(__dirname, '../../../../test/fixtures/engine/fake-hanging-runner.mjs');
    assert.ok(fs.existsSync(fake), fake);
    let pid = 0;
    const start = Date.now();
    const results: BenchTestResult[] = await runBench({ model: 'none.gguf', tests: [t('f16', 'f16')], reps: 1 }, { runnerPath: fake, testTimeoutMs: 800, onSpawn: (x) => { pid = x; } });
    const took = Date.now() - start;
    assert.equal(results.length, 1);
    assert.match(results[0]!.error ?? '', /sent nothing for 1 s/);
    // 0.8 s of silence, then SIGTERM (ignored by the fake), SIGKILL 0.5 s later.
    assert.ok(took < 5000, `took ${took} ms`);
    assert.equal(alive(pid), false);
    assert.equal(groupAlive(pid), false);
  });
});
