import * as assert from 'node:assert/strict';
import { expandSweep, parseBenchFlags, SweepUsageError } from '../../../src/engine/sweep';
import { paddedContext, requestedContext, testLabel } from '../../../src/engine/spec';
import { benchRelevantArgs, splitArgs } from '../../../src/engine/profileSweep';
import { LineSplitter, parseRunnerLine } from '../../../src/engine/client';
import { failureReason, parseContextMemory, parseKvLine } from '../../../src/engine/llamaLog';
import { llamaBenchArgs, normaliseLlamaBench, splitContexts } from '../../../src/engine/llamaBench';

describe('engine: flags → test matrix', () => {
  it('expands comma lists into a cartesian matrix in llama-bench order (pp tests, then tg tests)', () => {
    const { values } = parseBenchFlags(['-ctk', 'f16,q8_0,q4_0', '-ctv', 'f16,q8_0', '-p', '512,1024', '-n', '32']);
    const tests = expandSweep(values);
    assert.equal(tests.length, 3 * 2 * 3);
    assert.deepEqual(tests.slice(0, 3).map(testLabel), ['pp512', 'pp1024', 'tg32']);
    assert.deepEqual([...new Set(tests.map((t) => `${t.type_k}/${t.type_v}`))], ['f16/f16', 'f16/q8_0', 'q8_0/f16', 'q8_0/q8_0', 'q4_0/f16', 'q4_0/q8_0']);
  });
  it('reads ranges, repeated flags, long forms and -pg like llama-bench', () => {
    const v = parseBenchFlags(['-p', '128-1024*2', '--n-gen=16', '-n', '64', '-pg', '512,32', '-d', '0-2048+1024', '-fa', '1,off']).values;
    assert.deepEqual(v.p, [128, 256, 512, 1024]);
    assert.deepEqual(v.n, [16, 64]);
    assert.deepEqual(v.pg, [[512, 32]]);
    assert.deepEqual(v.d, [0, 1024, 2048]);
    assert.deepEqual(v.fa, ['on', 'off']);
    assert.equal(testLabel({ n_prompt: 512, n_gen: 32, n_depth: 1024 }), 'pp512+tg32 @ d1024');
  });
  it('rejects unknown flags with a suggestion, and bad values with what is allowed', () => {
    assert.throws(() => parseBenchFlags(['-ctx', 'q8_0']), (e: Error) => e instanceof SweepUsageError && /unknown flag '-ctx'.*did you mean '-ct[kv]'/.test(e.message));
    assert.throws(() => parseBenchFlags(['--cache-type-kk', 'q8_0']), /did you mean '--cache-type-k'/);
    assert.throws(() => parseBenchFlags(['-ctk', 'q3_k']), /unknown cache type 'q3_k' \(allowed: f32, f16/);
    assert.throws(() => parseBenchFlags(['-fa', 'maybe']), /not on, off or auto/);
    assert.throws(() => parseBenchFlags(['-p']), /needs a value/);
    assert.throws(() => parseBenchFlags(['-p', 'x']), /not a non-negative integer/);
  });
  it('sizes -c like llama-bench by default and pads like llama.cpp', () => {
    const [t] = expandSweep(parseBenchFlags(['-p', '300', '-n', '0', '-d', '100']).values);
    assert.equal(requestedContext(t!), 400);
    assert.deepEqual(paddedContext(400, 1), { nCtx: 512, nCtxSeq: 512 });
    // llama.cpp: n_ctx = PAD(8192) = 8192; n_ctx_seq = PAD(8192/3 = 2730, 256) = 2816; total 8448.
    assert.deepEqual(paddedContext(8192, 3), { nCtx: 8448, nCtxSeq: 2816 });
    assert.throws(() => expandSweep(parseBenchFlags(['-c', '512', '-np', '4', '-p', '512', '-n', '0']).values), /256 cells per sequence; the test needs 512/);
  });
  it('keeps only benchmark flags from a server command line', () => {
    assert.deepEqual(benchRelevantArgs(splitArgs('-m x.gguf --host 0.0.0.0 -c 8192 -np 4 -ctk q8_0 -ctv "q8_0" -fa on --port 8080 -ngl 99')),
      ['-c', '8192', '-np', '4', '-ctk', 'q8_0', '-ctv', 'q8_0', '-fa', 'on', '-ngl', '99']);
  });
});

describe('engine: protocol and log parsing', () => {
  it('splits partial lines and ignores garbage on the runner stream', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.push('{"type":"pro'); s.push('gress","test":0,"tests":1,"phase":"run"}\nnot json\n{"type":'); s.push('"done"}\r\n');
    assert.deepEqual(lines.map(parseRunnerLine).map((m) => m?.type), ['progress', undefined, 'done']);
    assert.equal(parseRunnerLine('{"no":"type"}'), undefined);
    assert.equal(parseRunnerLine('{broken'), undefined);
  });
  it('reads llama.cpp KV, buffer lines and failure reasons', () => {
    const kv = parseKvLine('llama_kv_cache: size =   10.57 MiB (  2816 cells,   4 layers,  3/3 seqs), K (f16):    8.25 MiB, V (q4_0):    2.32 MiB');
    assert.deepEqual(kv, { bytes: Math.round(10.57 * 1048576), cells: 2816, layers: 4, seqMax: 3, streams: 3, typeK: 'f16', kBytes: 8650752, typeV: 'q4_0', vBytes: Math.round(2.32 * 1048576) });
    const mem = parseContextMemory(['load_tensors:   CPU_Mapped model buffer size =    23.14 MiB', 'sched_reserve:        CPU compute buffer size =    13.87 MiB', 'llama_context:        CPU  output buffer size =     0.01 MiB']);
    assert.equal(mem.modelBufferBytes, Math.round(23.14 * 1048576));
    assert.equal(mem.computeBufferBytes, Math.round(13.87 * 1048576));
    assert.equal(mem.outputBufferBytes, Math.round(0.01 * 1048576));
    assert.equal(failureReason([{ level: 'warn', text: 'Failed simulating context resource usage' }, { level: 'error', text: 'llama_init_from_model: quantized V cache requires flash_attn to be enabled' }]), 'quantized V cache requires flash_attn to be enabled');
  });
  it('normalises llama-bench JSONL with the KV line of its own context', () => {
    const blocks = splitContexts(['load_tensors: CPU model buffer size = 23.14 MiB', 'llama_context: constructing llama_context', 'llama_kv_cache: size =    1.00 MiB (   512 cells,   4 layers,  1/1 seqs), K (f16):    0.50 MiB, V (f16):    0.50 MiB', 'llama_context: constructing llama_context', 'llama_kv_cache: size =    0.53 MiB (   512 cells,   4 layers,  1/1 seqs), K (q8_0):    0.27 MiB, V (q8_0):    0.27 MiB']);
    assert.equal(blocks.length, 2);
    const r = normaliseLlamaBench({ model_filename: 'm.gguf', model_size: 1, model_n_params: 2, n_prompt: 512, n_gen: 0, type_k: 'q8_0', type_v: 'q8_0', avg_ts: 100.5, samples_ts: [100, 101], flash_attn: 1 }, blocks[1]!);
    assert.equal(r.engine, 'llama-bench');
    assert.equal(r.kv_k_bytes, Math.round(0.27 * 1048576));
    assert.equal(r.n_ctx, 512);
    assert.equal(r.model_buffer_bytes, Math.round(23.14 * 1048576));
    assert.equal(r.avg_ts, 100.5);
    assert.deepEqual(llamaBenchArgs('m.gguf', parseBenchFlags(['-p', '64', '-ctk', 'q8_0']).values, new Set(['p', 'ctk'])).slice(0, 4), ['-m', 'm.gguf', '-p', '64']);
    assert.throws(() => llamaBenchArgs('m.gguf', parseBenchFlags(['-np', '2']).values, new Set(['np'])), /no -np/);
  });
});
