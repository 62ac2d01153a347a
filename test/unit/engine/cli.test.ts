import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run as bench } from '../../../src/cli/commands/bench';
import { run as makeModel } from '../../../src/cli/commands/makeModel';
import { UsageError, type CliIO } from '../../../src/cli/io';
import type { BenchTestResult } from '../../../src/core/engine/protocol';
import { readGguf } from '../../../src/core/models/gguf';
import { descriptorFromGguf } from '../../../src/core/models/ggufDescriptor';
import { ensureDefaultModel } from '../../../src/core/models/makeModel';
import { ResultsStore } from '../../../src/core/results/store';
import { profileSweep } from '../../../src/engine/profileSweep';

function io(cwd: string) {
  const o = { out: '', err: '' };
  const cli: CliIO = { out: (t) => { o.out += t; }, err: (t) => { o.err += t; }, cwd, isTTY: false };
  return { cli, o };
}

describe('kvlens make-model and kvlens bench', function () {
  this.timeout(90_000);
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-cli-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('make-model writes a GGUF whose shape the GGUF reader reads back', async () => {
    const { cli, o } = io(dir);
    assert.equal(await makeModel(['--layers', '3', '--embd', '256', '--heads', '4', '--kv-heads', '2', '--ff', '512', '--vocab', '300', '--ctx', '2048', 'small.gguf'], cli), 0);
    assert.match(o.out, /3 layers × 256 wide, 4 heads \/ 2 KV heads \(head_dim 64\)/);
    const d = descriptorFromGguf(await readGguf(path.join(dir, 'small.gguf')));
    assert.equal(d.architecture, 'llama');
    assert.equal(d.layers, 3);
    assert.deepEqual(d.kvHeadsPerLayer, [2, 2, 2]);
    assert.equal(d.headDimK, 64);
    assert.equal(d.trainedContext, 2048);
    await assert.rejects(makeModel(['--embd', '100', 'x.gguf'], cli), (e: Error) => e instanceof UsageError && /divisible by heads|multiple of 32/.test(e.message));
    await assert.rejects(makeModel(['--layerz', '3', 'x.gguf'], cli), UsageError);
  });

  it('ensureDefaultModel generates once per shape into the cache folder', async () => {
    const cache = path.join(dir, 'cache');
    const a = await ensureDefaultModel(cache, { layers: 2, embd: 256, heads: 4, kvHeads: 2, ff: 256, vocab: 300 });
    const mtime = fs.statSync(a).mtimeMs;
    assert.equal(await ensureDefaultModel(cache, { layers: 2, embd: 256, heads: 4, kvHeads: 2, ff: 256, vocab: 300 }), a);
    assert.equal(fs.statSync(a).mtimeMs, mtime);
    const b = await ensureDefaultModel(cache, { layers: 3, embd: 256, heads: 4, kvHeads: 2, ff: 256, vocab: 300 });
    assert.notEqual(a, b);
    assert.deepEqual(fs.readdirSync(cache).filter((f) => f.endsWith('.tmp')), []);
  });

  it('bench --format json measures a model, --out saves it, and the estimate sits beside it in text', async () => {
    const { cli, o } = io(dir);
    const code = await bench(['--format', 'json', '--out', 'r.jsonl', 'small.gguf', '-p', '16', '-n', '2', '-r', '1', '-t', '1', '-ctk', 'f16,q8_0', '-ctv', 'q8_0', '--no-warmup'], cli);
    assert.equal(code, 0, o.err);
    const rs = JSON.parse(o.out) as BenchTestResult[];
    assert.deepEqual(rs.map((r) => `${r.type_k}/${r.type_v} pp${r.n_prompt} tg${r.n_gen}`), ['f16/q8_0 pp16 tg0', 'f16/q8_0 pp0 tg2', 'q8_0/q8_0 pp16 tg0', 'q8_0/q8_0 pp0 tg2']);
    const stored = await new ResultsStore(path.join(dir, 'r.jsonl')).readAll();
    assert.equal(stored.records.length, 4);
    assert.match(stored.records[0]!.model.sha256, /^[0-9a-f]{64}$/);
    assert.ok(stored.records[0]!.estimate?.kvKBytes);
    // The estimator's speed is saved beside each measurement: prefill for pp tests, decode for tg tests.
    for (const rec of stored.records) {
      const e = rec.estimate!;
      if (rec.result.n_prompt > 0) { assert.ok(Number.isFinite(e.prefillTokensPerSec) && e.prefillTokensPerSec! > 0, JSON.stringify(e)); assert.equal(e.decodeTokensPerSec, undefined); }
      else { assert.ok(Number.isFinite(e.decodeTokensPerSec) && e.decodeTokensPerSec! > 0, JSON.stringify(e)); assert.equal(e.prefillTokensPerSec, undefined); }
    }
    // JSON keeps llama-bench's avg_ts and adds est_ts = the saved estimate.
    const withEst = rs as (BenchTestResult & { est_ts?: number })[];
    assert.equal(withEst[0]!.est_ts, stored.records[0]!.estimate!.prefillTokensPerSec);
    assert.equal(withEst[1]!.est_ts, stored.records[1]!.estimate!.decodeTokensPerSec);

    const t = io(dir);
    assert.equal(await bench(['small.gguf', '-p', '16', '-n', '0', '-r', '1', '-t', '1', '-c', '1000', '-np', '2', '--no-warmup'], t.cli), 0, t.o.err);
    assert.match(t.o.out, /\bt\/s \|\s+est t\/s \|\s+t\/s Δ % \|\s+n_ctx \|\s+KV MiB \|\s+est MiB \|\s+KV Δ \|/);
    assert.match(t.o.out, /pp16 .*\|\s+1024 \|.*\| match \|/);
    // est t/s and its Δ % are finite numbers, and Δ % is what the two t/s columns say.
    const row = t.o.out.split('\n').find((l) => / pp16 /.test(l))!.split('|').map((c) => c.trim());
    const head = t.o.out.split('\n')[0]!.split('|').map((c) => c.trim());
    const measured = Number(row[head.indexOf('t/s')]!.split('±')[0]);
    const est = Number(row[head.indexOf('est t/s')]);
    const delta = Number(row[head.indexOf('t/s Δ %')]);
    assert.ok(Number.isFinite(est) && est > 0, row.join('|'));
    assert.ok(Number.isFinite(delta), row.join('|'));
    assert.ok(Math.abs(delta - ((measured - est) / est) * 100) < Math.max(1, Math.abs(delta) * 0.01), `${measured} vs ${est}: ${delta}`);
    assert.match(t.o.out, /est t\/s: kvlens estimate's roofline for the 'local' target .* ±\d+ % band/);
  });

  it("bench <profile> runs the profile's sweep on its GGUF: f16, q8_0, q4_0 at its -c/-np, server flags ignored", async () => {
    // Read with the shared parser (as `kvlens estimate` reads it): model is a path relative to the profile.
    fs.writeFileSync(path.join(dir, 'p.kvlens.yaml'), 'model: ./small.gguf\nengine:\n  kind: llama.cpp\n  args: "-c 1000 -np 2 -ctk q8_0 -ctv q8_0 -fa on --port 8080 --host 0.0.0.0"\n');
    const { cli, o } = io(dir);
    assert.equal(await bench(['--format', 'json', 'p.kvlens.yaml', '-p', '16', '-n', '0', '-r', '1', '-t', '1', '--no-warmup'], cli), 0, o.err);
    const rs = JSON.parse(o.out) as BenchTestResult[];
    assert.deepEqual(rs.map((r) => `${r.type_k}/${r.type_v} n_ctx=${r.n_ctx} np=${r.n_seq}`), ['f16/f16 n_ctx=1024 np=2', 'q8_0/q8_0 n_ctx=1024 np=2', 'q4_0/q4_0 n_ctx=1024 np=2']);
    assert.ok(rs.every((r) => r.model_filename.endsWith('small.gguf') && r.flash_attn === true));
  });

  it("bench <profile> with -ctk/-ctv on the command line measures the profile's GGUF with those types only; a catalog model falls back to the generated one", async () => {
    fs.writeFileSync(path.join(dir, 'q.kvlens.yaml'), 'model: ./small.gguf\nengine:\n  kind: llama.cpp\n  args: "-c 512 -ctk q4_0 -ctv q8_0 -fa on -t 1"\nworkload:\n  promptTokens: 16\n  outputTokens: 2\n  concurrency: 1\ntargets: [local]\n');
    const { cli, o } = io(dir);
    assert.equal(await bench(['--format', 'json', 'q.kvlens.yaml', '-p', '16', '-n', '0', '-r', '1', '-ctk', 'q4_0', '-ctv', 'q8_0', '--no-warmup'], cli), 0, o.err);
    const rs = JSON.parse(o.out) as BenchTestResult[];
    assert.deepEqual(rs.map((r) => `${r.type_k}/${r.type_v} n_ctx=${r.n_ctx} t=${r.n_threads}`), ['q4_0/q8_0 n_ctx=512 t=1']);
    assert.ok(rs[0]!.model_filename.endsWith('small.gguf'), rs[0]!.model_filename);

    const ps = await profileSweep(path.join(dir, 'q.kvlens.yaml'));
    assert.equal(ps.modelPath, path.join(dir, 'small.gguf'));
    assert.deepEqual([ps.values.c, ps.values.ctk, ps.values.ctv, ps.values.fa, ps.values.t], [[512], ['q4_0'], ['q8_0'], ['on'], [1]]);
    assert.deepEqual(ps.cacheTypes, ['f16', 'q8_0', 'q4_0']);
    fs.writeFileSync(path.join(dir, 'cat.kvlens.yaml'), 'model: meta-llama/Llama-3.1-8B-Instruct\nengine:\n  kind: llama.cpp\n  args: "-c 4096"\n');
    const cat = await profileSweep(path.join(dir, 'cat.kvlens.yaml'));
    assert.equal(cat.modelPath, undefined);
    assert.match(cat.note ?? '', /catalog id/);
    fs.writeFileSync(path.join(dir, 'v.kvlens.yaml'), 'model: ./small.gguf\nengine:\n  kind: vllm\n');
    await assert.rejects(profileSweep(path.join(dir, 'v.kvlens.yaml')), /only llama.cpp profiles/);
  });

  it('bench exits 1 when a test fails and 2-style usage errors for bad flags', async () => {
    const { cli, o } = io(dir);
    assert.equal(await bench(['small.gguf', '-p', '16', '-n', '0', '-r', '1', '-t', '1', '-ctv', 'q8_0', '-fa', 'off', '--no-warmup'], cli), 1);
    assert.match(o.out, /error: quantized V cache requires flash_attn to be enabled/);
    await assert.rejects(bench(['small.gguf', '-ctkk', 'q8_0'], cli), (e: Error) => e instanceof UsageError && /did you mean/.test(e.message));
    await assert.rejects(bench(['missing.gguf'], cli), /model file not found/);
  });
});
