// Load-test steps in a results store that KV Lens did not write (another tool, a hand edit, an older version):
// the store accepts a line that passes the structural check, so it must hand every consumer the full shape — the
// report built from a minimal step used to crash ("Cannot convert undefined or null to object"). Reading keeps
// only the newest steps the report shows, and lists at most MAX_CORRUPT_LISTED unreadable lines.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildViewModel } from '../../../src/core/report/viewModel';
import { normaliseLoadTest } from '../../../src/core/results/loadTestLine';
import { MAX_CORRUPT_LISTED, ResultsStore } from '../../../src/core/results/store';

const minimal = (i = 0) => ({ kind: 'loadtest', id: `s${i}`, runId: 'r', endpoint: { origin: 'http://127.0.0.1:1' }, load: { mode: 'concurrency', concurrency: 1 + i },
  summary: { requests: {}, requestThroughput: 1 }, source: { tool: 'kvlens' } });

describe('results store: load-test steps from anywhere', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-lt-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a minimal step reads complete, and the report view builds from it', async () => {
    const f = path.join(dir, 'lt.jsonl');
    fs.writeFileSync(f, [minimal(0), minimal(1), minimal(2)].map((x) => JSON.stringify(x)).join('\n') + '\n');
    const read = await new ResultsStore(f).readAll();
    assert.equal(read.corrupt.length, 0);
    const s = read.loadTests![0]!;
    assert.deepEqual(s.summary.requests, { sent: 0, completed: 0, failed: 0, cancelled: 0, short: 0, warmup: 0 });
    assert.deepEqual(s.summary.errors, {});
    assert.deepEqual(s.notes, []);
    assert.deepEqual(s.source.conversions, []);
    assert.deepEqual(s.step, { index: 0, of: 0 });
    const vm = buildViewModel({ title: 't', source: 's', generatedAt: '', deployments: [], runs: [], notes: [], loadTests: read.loadTests });
    assert.equal(JSON.stringify(vm).includes('"rows"'), true);
  });

  it('wrong types are dropped or replaced, not passed on (a string α would crash toFixed)', () => {
    const r = normaliseLoadTest({ ...minimal(), notes: ['a', 3], summary: { requests: { sent: 'x', completed: 2 }, requestThroughput: 1, errors: { timeout: 2, bad: 'x' }, ttft: 'fast', tpot: { p50: 0.01, p90: 'x' } },
      server: { dialect: 'vllm', scrapes: 2, kvCacheUsage: { max: 'full' }, spec: { drafts: 1, fit: { alpha: '0.7', method: 'x' } }, notes: 'n' }, agreement: 'yes', estimate: { ttftSec: 1 }, samples: { ttft: [1, 'x'] } });
    assert.deepEqual(r.notes, ['a']);
    assert.equal(r.summary.requests.sent, 0);
    assert.equal(r.summary.requests.completed, 2);
    assert.deepEqual(r.summary.errors, { timeout: 2 });
    assert.equal(r.summary.ttft, undefined);
    assert.deepEqual(r.summary.tpot, { p50: 0.01 });
    assert.equal(r.server!.kvCacheUsage, undefined);
    assert.equal(r.server!.spec!.fit, undefined);
    assert.deepEqual(r.server!.notes, []);
    assert.equal(r.agreement, undefined);
    assert.equal(r.estimate, undefined, 'an estimate without a target is dropped');
    assert.deepEqual(r.samples, { ttft: [1], tpot: [], e2e: [], outputTokens: [] });
  });

  it('keepLast holds only the newest steps and runs while reading; unreadable lines are listed up to a cap and counted', async () => {
    const f = path.join(dir, 'big.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) lines.push(JSON.stringify(minimal(i)), JSON.stringify({ id: `b${i}`, result: { avg_ts: i } }), 'junk');
    fs.writeFileSync(f, lines.join('\n') + '\n');
    const read = await new ResultsStore(f).readAll({ keepLast: 100 });
    assert.equal(read.loadTests!.length, 100);
    assert.equal(read.loadTests![99]!.id, 's2999');
    assert.equal(read.records.length, 100);
    assert.equal(read.records[0]!.id, 'b2900');
    assert.deepEqual(read.total, { records: 3000, loadTests: 3000 });
    assert.equal(read.corrupt.length, MAX_CORRUPT_LISTED);
    assert.equal(read.corruptTotal, 3000);
  });
});
