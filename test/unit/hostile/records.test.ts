// The results store on records it did not write: a record with only `id` and `result.avg_ts` reads as a complete
// record (the report used to crash on it), wrong types are replaced, not passed on; 150,000 records stream in.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { normaliseRecord, ResultsStore } from '../../../src/core/results/store';
import { buildViewModel } from '../../../src/core/report/viewModel';
import { mkfifo } from '../../fuzz/inputs';

describe('results store: records from anywhere', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-rec-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('fills what a minimal record lacks, so every consumer gets the full shape', () => {
    const r = normaliseRecord({ id: 'a', result: { avg_ts: 1 } });
    assert.ok(typeof r !== 'string');
    assert.deepEqual(r.model, { path: '', sha256: '', name: undefined, architecture: undefined });
    assert.equal(r.runId, 'a');
    assert.deepEqual(r.flags, []);
    assert.equal(r.result.type_k, '');
    assert.equal(r.result.kv_bytes, 0);
    assert.deepEqual(r.result.samples_ts, []);
    const vm = buildViewModel({ title: 't', source: 's', generatedAt: '', deployments: [], runs: [r], notes: [] });
    assert.equal(vm.runs.rows.length, 1);
  });

  it('replaces wrong types and refuses what is not a record', () => {
    const r = normaliseRecord({ id: 'b', model: { path: 7, name: ['x'] }, flags: ['-c', 4], machine: 'pc', profile: {}, result: { avg_ts: 2, n_ctx: 'big', samples_ts: [1, 'x', null, 3], error: 42 }, estimate: { kvBytes: 'x', decodeTokensPerSec: 5 } });
    assert.ok(typeof r !== 'string');
    assert.equal(r.model.path, '');
    assert.equal(r.model.name, undefined);
    assert.deepEqual(r.flags, ['-c']);
    assert.equal(r.machine, undefined);
    assert.equal(r.profile, undefined);
    assert.equal(r.result.n_ctx, 0);
    assert.deepEqual(r.result.samples_ts, [1, 3]);
    assert.equal(r.result.error, '42');
    assert.deepEqual(r.estimate, { decodeTokensPerSec: 5 });
    assert.equal(normaliseRecord({ id: 'c', model: 'x', result: { avg_ts: 1 } }), 'model is not an object');
    assert.equal(normaliseRecord({ id: 'c', result: { avg_ts: 'fast' } }), 'result.avg_ts is not a number');
    assert.equal(normaliseRecord(null), 'not a JSON object');
  });

  it('streams 150,000 records; refuses a FIFO store for reading and appending without blocking', async function () {
    this.timeout(30_000);
    const f = path.join(dir, 'big.jsonl');
    fs.writeFileSync(f, Array.from({ length: 150_000 }, (_, i) => `{"id":"r${i}","result":{"avg_ts":1}}`).join('\n') + '\n');
    const { records, corrupt } = await new ResultsStore(f).readAll();
    assert.equal(records.length, 150_000);
    assert.equal(corrupt.length, 0);
    const p = path.join(dir, 'p.jsonl');
    if (!mkfifo(p)) return;
    const t0 = Date.now();
    await assert.rejects(new ResultsStore(p).readAll(), /FIFO/);
    assert.throws(() => new ResultsStore(p).appendSync([records[0]!]), /FIFO/);
    assert.throws(() => ResultsStore.checkWritable(p), /not a regular file/);
    assert.ok(Date.now() - t0 < 2000);
    assert.ok(fs.lstatSync(p).isFIFO());
  });
});
