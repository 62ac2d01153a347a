// `kvlens estimate` in-process: argument parsing, a generated GGUF with llama.cpp flags, a profile, JSON contract.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseEstimateArgs, run } from '../../../src/cli/commands/estimate';
import { main } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/io';
import { makeLlamaGguf } from '../../../src/core/models/makeModel';
import { calibrationId } from '../../../src/core/estimator/calibration/params';
import { machineInfo } from '../../../src/core/results/machine';

function io(cwd: string): CliIO & { stdout: string; stderr: string } {
  const o = { stdout: '', stderr: '', cwd, isTTY: false, out: (t: string) => { o.stdout += t; }, err: (t: string) => { o.stderr += t; } };
  return o;
}

describe('kvlens estimate', () => {
  let dir: string;
  let gguf: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-est-'));
    gguf = path.join(dir, 'tiny.gguf');
    await makeLlamaGguf(gguf, { layers: 4, embd: 512, heads: 8, kvHeads: 2, ff: 1376, vocab: 1024, ctx: 4096 });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('judges the file against the vLLM release given with --vllm-version (and refuses a bad one)', async () => {
    const file = path.join(dir, 'vllm-old.yaml');
    fs.writeFileSync(file, 'model: tiny.gguf\nswap-space: 4\n');
    const newest = io(dir);
    assert.equal(await run([file, '--target', 'h100-sxm'], newest), 1, newest.stderr);
    assert.match(newest.stderr, /swap-space` was removed in vLLM 0\.18.*\[removed-option\]/);
    const older = io(dir);
    assert.equal(await run(['--vllm-version', '0.10', file, '--target', 'h100-sxm'], older), 0, older.stderr);
    assert.doesNotMatch(older.stderr, /removed-option/);
    assert.match(older.stdout, /h100-sxm +fits/);
    const bad = io(dir);
    assert.equal(await main(['estimate', file, '--llama-build', 'nightly'], bad), 2);
    assert.match(bad.stderr, /--llama-build wants bundled, upstream or a build number/);
  });

  it('parses our options before and after the file; the rest are llama.cpp flags', () => {
    const a = parseEstimateArgs(['--target', 'h100-sxm', 'm.gguf', '-c', '1000', '--target=l4', '-np', '3', '--format', 'json']);
    assert.deepEqual(a.targets, ['h100-sxm', 'l4']);
    assert.equal(a.file, 'm.gguf');
    assert.deepEqual(a.flags, ['-c', '1000', '-np', '3']);
    assert.equal(a.output, 'json');
    assert.throws(() => parseEstimateArgs(['--format', 'xml', 'f']), /text or json/);
    assert.throws(() => parseEstimateArgs(['-c', '5', 'f']), /unknown option/);
  });

  it('a GGUF with -c 1000 -np 3: exact llama.cpp cells and bytes in the JSON contract', async () => {
    const o = io(dir);
    const code = await run(['--target', 'h100-sxm', '--target', 'l4', '--format', 'json', 'tiny.gguf', '-c', '1000', '-np', '3', '-ctk', 'q8_0', '-ctv', 'q8_0', '-fa', 'on'], o);
    assert.equal(code, 0, o.stderr);
    const r = JSON.parse(o.stdout);
    for (const k of ['name', 'architecture', 'layers', 'kvHeads', 'headDim', 'params', 'activeParams', 'weightsBytes']) assert.ok(k in r.model, `model.${k}`);
    for (const k of ['kind', 'contextSize', 'parallel', 'cacheTypeK', 'cacheTypeV', 'flashAttention', 'tensorParallel', 'kvBytesPerToken']) assert.ok(k in r.engine, `engine.${k}`);
    assert.equal(r.engine.contextSize, 1000);
    assert.equal(r.engine.parallel, 3);
    // 2 KV heads × 64 head_dim = 128 elements per K row → q8_0 136 B; K+V × 4 layers = 1088 B/token
    assert.equal(r.engine.kvBytesPerToken, 4 * 2 * 136);
    // PAD(1024 / 3 = 341, 256) = 512 cells per stream × 3 streams
    assert.equal(r.engine.kvCells, 512);
    const t = r.targets[0];
    assert.equal(t.id, 'h100-sxm');
    assert.equal(t.memory.kvBytes, 1088 * 512 * 3);
    for (const k of ['weightsBytes', 'kvBytes', 'kvBytesPerToken', 'computeBytes', 'totalBytes', 'capacityBytes', 'fits']) assert.ok(k in t.memory, `memory.${k}`);
    for (const k of ['maxSequences', 'atContext']) assert.ok(k in t.concurrency);
    for (const k of ['prefillTokensPerSec', 'ttftSec', 'decodeTokensPerSec', 'tpotSec', 'contextSwitchSec', 'bound', 'theoretical']) assert.ok(k in t.perf, `perf.${k}`);
    assert.ok(Array.isArray(t.assumptions) && t.assumptions.length > 3);
    assert.ok(Number.isInteger(t.memory.totalBytes));
  });

  it('text output is a table with one row per target, what-ifs and assumptions', async () => {
    const o = io(dir);
    const code = await run(['--target', 'rtx-4090', 'tiny.gguf', '-c', '2048'], o);
    assert.equal(code, 0, o.stderr);
    assert.match(o.stdout, /^target\s+fit\s+weights/m);
    assert.match(o.stdout, /^rtx-4090\s+fits/m);
    assert.match(o.stdout, /KV what-ifs/);
    assert.match(o.stdout, /Assumptions:/);
    assert.ok(!/NaN|undefined|Infinity/.test(o.stdout));
  });

  it('a profile: uses its targets; an unknown --target is reported with suggestions', async () => {
    const profile = path.join(dir, 'p.kvlens.yaml');
    fs.writeFileSync(profile, 'model: ./tiny.gguf\nengine:\n  kind: llama.cpp\n  args: "-c 4096 -np 2"\nworkload:\n  promptTokens: 512\n  outputTokens: 64\n  concurrency: 2\ntargets: [l4, rtx-3090]\n');
    const o = io(dir);
    assert.equal(await run(['--format', 'json', 'p.kvlens.yaml'], o), 0, o.stderr);
    assert.deepEqual(JSON.parse(o.stdout).targets.map((t: { id: string }) => t.id), ['l4', 'rtx-3090']);
    const o2 = io(dir);
    await run(['--target', 'h100', '--target', 'l4', 'p.kvlens.yaml'], o2);
    assert.match(o2.stderr, /did you mean/);
  });

  it('--target takes names as people write them; --results calibrates the speed on this machine\'s runs', async () => {
    const o = io(dir);
    assert.equal(await run(['--target', 'RTX 4090', '--format', 'json', 'tiny.gguf'], o), 0, o.stderr);
    assert.equal(JSON.parse(o.stdout).targets[0].id, 'rtx-4090');
    assert.match(o.stderr, /'RTX 4090' is NVIDIA GeForce RTX 4090: catalog id 'rtx-4090'/);
    const store = path.join(dir, 'runs.jsonl');
    const result = { model_filename: 'tiny.gguf', model_size: 1, model_n_params: 1, n_batch: 2048, n_ubatch: 512, n_threads: 2, n_gpu_layers: 0, type_k: 'f16', type_v: 'f16', flash_attn: false, n_prompt: 0, n_gen: 128, n_depth: 0, test_time: '', avg_ns: 1, stddev_ns: 0, avg_ts: 50, stddev_ts: 0, samples_ns: [], samples_ts: [], n_ctx: 4096, kv_bytes: 1, kv_k_bytes: 1, kv_v_bytes: 0, engine: 'node-llama-cpp' };
    const recs = [0, 1, 2].map((i) => ({ id: `r${i}`, runId: 'r', savedAt: '2026-01-01T00:00:00Z', machine: machineInfo(), model: { path: 'tiny.gguf', sha256: 'x' }, flags: [], result, estimate: { decodeTokensPerSec: 100, calibration: calibrationId() } }));
    fs.writeFileSync(store, recs.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const o2 = io(dir);
    assert.equal(await run(['--target', 'local', '--results', 'runs.jsonl', '--format', 'json', 'tiny.gguf'], o2), 0, o2.stderr);
    assert.equal(JSON.parse(o2.stdout).targets[0].perf.calibration?.machine?.label, 'calibrated on 3 runs on this machine');
  });

  it('a missing file is a usage error', async () => {
    await assert.rejects(run(['nope.gguf'], io(dir)), /no such file/);
  });
});

describe('kvlens estimate: flags llama.cpp refuses', () => {
  it('still estimates, but exits 1 when the flags would stop llama.cpp from starting', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t), cwd: process.cwd(), isTTY: false };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-refused-'));
    const gguf = path.join(dir, 'm.gguf');
    await makeLlamaGguf(gguf, { layers: 2, embd: 256, heads: 4, kvHeads: 2, ff: 512, vocab: 300 });
    const ok = await main(['estimate', '--target', 'h100-sxm', gguf, '-c', '8192', '-ctk', 'q4_0', '-ctv', 'q4_0', '-fa', 'on'], io);
    const refused = await main(['estimate', '--target', 'h100-sxm', gguf, '-c', '8192', '-ctk', 'q4_0', '-ctv', 'q4_0', '-fa', 'off'], io);
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(ok, 0);
    assert.equal(refused, 1);
    assert.match(err.join(''), /quantized V cache requires flash_attn/);
  });
});
