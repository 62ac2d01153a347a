// The bundled engine (node-llama-cpp's llama.cpp, in a child process) on generated GGUFs of architectures beyond
// llama — SWA (gemma3), MLA + MoE (deepseek2), hybrid short-conv recurrent (lfm2), pure recurrent (mamba2), MoE
// (qwen3moe): what llama.cpp logs it allocated (KV cache per cache, recurrent state) must equal the estimator's
// figures for the same -c/-np/-ctk/-ctv/-fa. The log prints MiB with 2 decimals, so a measured byte count is exact to
// ±LOG_MIB_RESOLUTION_BYTES; the shapes are chosen so every figure is well above that.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchTestResult } from '../../../src/core/engine/protocol';
import { llamaKvCache } from '../../../src/core/estimator/kvCache';
import { explainKvGroups } from '../../../src/core/estimator/explain';
import { writeTinyArchGguf, type TinyArch } from '../../../src/core/models/archGguf';
import { descriptorFromGguf } from '../../../src/core/models/ggufDescriptor';
import { readGgufSync } from '../../../src/core/models/gguf';
import { ggufMetadataOnly } from '../../../src/core/models/ggufWrite';
import { runBench } from '../../../src/engine/client';
import { LOG_MIB_RESOLUTION_BYTES, parseKvLine, parseRecurrentLine } from '../../../src/engine/llamaLog';
import type { BenchTestSpec, CacheType, FlashAttn } from '../../../src/engine/spec';

function t(typeK: CacheType, typeV: CacheType, c: number, np: number, fa: FlashAttn): BenchTestSpec {
  return { n_prompt: 16, n_gen: 0, n_depth: 0, n_ctx_requested: c, n_seq: np, n_batch: 512, n_ubatch: 512, n_threads: 1, n_gpu_layers: 0, type_k: typeK, type_v: typeV, flash_attn: fa };
}

const MATRIX: Record<TinyArch, BenchTestSpec[]> = {
  // SWA cells PAD(min(cells, 128 + 512), 256) = 768 at every size here; -np 3 rounds 3000 up to 3 × 1024.
  gemma3: [t('f16', 'f16', 2048, 1, 'auto'), t('q8_0', 'q8_0', 3000, 3, 'on'), t('f16', 'f16', 700, 1, 'off'), t('q4_0', 'f16', 4096, 2, 'on')],
  // MLA: K = 64 + 32 = 96 elements, no V; llama.cpp needs the same K and V type.
  deepseek2: [t('f16', 'f16', 2048, 1, 'auto'), t('q8_0', 'q8_0', 3000, 3, 'on'), t('f16', 'f16', 1000, 2, 'off')],
  // 2 short-conv layers of 1024 × (3 − 1) f32 per sequence: -np 32 makes the state 0.5 MiB.
  lfm2: [t('f16', 'f16', 8192, 32, 'auto'), t('q8_0', 'q8_0', 16384, 64, 'on'), t('f16', 'f16', 12288, 48, 'off')],
  // 2 Mamba-2 layers of (1,920 + 32,768) f32 per sequence.
  mamba2: [t('f16', 'f16', 2048, 2, 'auto'), t('f16', 'f16', 4096, 8, 'auto')],
  qwen3moe: [t('f16', 'f16', 2048, 1, 'auto'), t('q8_0', 'q4_0', 1000, 2, 'on'), t('f16', 'f16', 1500, 1, 'off')],
};

const near = (measured: number, estimated: number): boolean => Math.abs(measured - estimated) <= LOG_MIB_RESOLUTION_BYTES;

describe('engine: KV and recurrent state of generated SWA, MLA, hybrid, recurrent and MoE models', function () {
  this.timeout(180_000);
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-arch-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const [arch, tests] of Object.entries(MATRIX) as [TinyArch, BenchTestSpec[]][]) {
    it(`${arch}: measured K, V, R and S bytes equal the estimate for ${tests.length} contexts`, async () => {
      const file = path.join(dir, `${arch}.gguf`);
      const model = await writeTinyArchGguf(file, arch);
      const desc = descriptorFromGguf(readGgufSync(file), file);
      assert.ok(desc.llamaPlan?.loadable, `${arch} is loadable by the bundled llama.cpp`);
      const buckets: string[][] = [[]];
      const results: BenchTestResult[] = await runBench({ model: file, tests, reps: 1, noWarmup: true, verboseLog: true }, {
        testTimeoutMs: 90_000,
        onLog: (_level, text) => buckets[buckets.length - 1]!.push(text),
        onResult: () => buckets.push([]),
      });
      assert.equal(results.length, tests.length);
      results.forEach((r, i) => {
        const spec = tests[i]!;
        const label = `${model.what}: ${spec.type_k}/${spec.type_v} -c ${spec.n_ctx_requested} -np ${spec.n_seq} -fa ${spec.flash_attn}`;
        const lines = buckets[i]!;
        const kvLines = lines.map(parseKvLine).filter((x) => x !== undefined);
        const rsLine = lines.map(parseRecurrentLine).find((x) => x !== undefined);
        const batch = Math.min(spec.n_batch, spec.n_ubatch);
        const est = llamaKvCache(desc, {
          nCtx: spec.n_ctx_requested, nSeq: spec.n_seq, unified: false, typeK: spec.type_k, typeV: spec.type_v,
          nBatch: batch, nUbatch: batch, flashAttention: spec.flash_attn,
        });
        assert.deepEqual(est.errors, [], `${label}: llama.cpp accepts it`);
        const mK = kvLines.reduce((a, k) => a + k.kBytes, 0);
        const mV = kvLines.reduce((a, k) => a + k.vBytes, 0);
        // Each cache logs its own line (iSWA: the full cache first, then the SWA cache), each rounded to 0.01 MiB.
        const caches = est.swaCells !== undefined ? [est.layers.filter((l) => l.kind !== 'swa'), est.layers.filter((l) => l.kind === 'swa')] : [est.layers];
        assert.equal(kvLines.length, caches.filter((c) => c.length).length, `${label}: one log line per cache`);
        kvLines.forEach((line, c) => {
          const k = caches[c]!.reduce((a, l) => a + l.kBytes, 0);
          const v = caches[c]!.reduce((a, l) => a + l.vBytes, 0);
          assert.ok(near(line.kBytes, k), `${label}: cache ${c} K measured ${line.kBytes} vs estimated ${k}`);
          assert.ok(near(line.vBytes, v), `${label}: cache ${c} V measured ${line.vBytes} vs estimated ${v}`);
          assert.equal(line.layers, caches[c]!.length, `${label}: cache ${c} layers`);
          assert.equal(line.cells, caches[c]![0]!.cells, `${label}: cache ${c} cells`);
        });
        if (est.stateBytes > 0) {
          assert.ok(rsLine, `${label}: a recurrent-state line`);
          assert.equal(rsLine.cells, est.stateRows, `${label}: state rows = sequences`);
          assert.ok(near(rsLine.rBytes, est.rBytes), `${label}: R measured ${rsLine.rBytes} vs estimated ${est.rBytes}`);
          assert.ok(near(rsLine.sBytes, est.sBytes), `${label}: S measured ${rsLine.sBytes} vs estimated ${est.sBytes}`);
          assert.ok(est.stateBytes > 100 * LOG_MIB_RESOLUTION_BYTES || est.stateBytes > 400_000, `${label}: state large enough to measure`);
        } else {
          assert.equal(rsLine, undefined, `${label}: no recurrent state`);
        }
        if (arch === 'mamba2') assert.equal(kvLines.length, 0, 'Mamba-2 has no KV cache');
        else assert.ok(mK > 0, `${label}: a KV cache`);
        if (arch === 'deepseek2') assert.equal(mV, 0, 'MLA stores no V');
        // The hover names the rule behind every group it lists.
        const text = explainKvGroups(est);
        for (const g of est.groups) assert.ok(text.includes(`${g.layers} `), `${label}: hover lists the ${g.kind} group`);
      });
    });
  }

  it('an architecture the bundled llama.cpp does not know: the engine refuses it and the plan says so', async () => {
    const file = path.join(dir, 'mystery.gguf');
    const meta = [
      { key: 'general.architecture', type: 'string' as const, value: 'kvlens-mystery' },
      { key: 'kvlens-mystery.block_count', type: 'uint32' as const, value: 2 },
      { key: 'kvlens-mystery.embedding_length', type: 'uint32' as const, value: 256 },
      { key: 'kvlens-mystery.attention.head_count', type: 'uint32' as const, value: 4 },
      { key: 'kvlens-mystery.context_length', type: 'uint32' as const, value: 2048 },
    ];
    fs.writeFileSync(file, ggufMetadataOnly(meta));
    const desc = descriptorFromGguf(readGgufSync(file), file);
    assert.equal(desc.llamaPlan?.loadable, false);
    const said = desc.notes.find((n) => /does not know the architecture 'kvlens-mystery'/.test(n));
    assert.ok(said, 'the descriptor (and so the hover) says llama.cpp cannot load it');
    const est = llamaKvCache(desc, { nCtx: 2048 });
    assert.ok(est.notes.some((n) => /does not know the architecture/.test(n)), 'the KV explanation repeats it');
    const results = await runBench({ model: file, tests: [t('f16', 'f16', 2048, 1, 'auto')], reps: 1, noWarmup: true }, { testTimeoutMs: 60_000 }).catch((e: Error) => e);
    const message = results instanceof Error ? results.message : results.map((r) => r.error).join('; ');
    assert.match(message, /unknown model architecture|cannot load model/i, 'the engine refuses it too');
  });
});
