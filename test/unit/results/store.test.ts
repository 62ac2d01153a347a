import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ResultRecord } from '../../../src/core/engine/protocol';
import { ResultsStore, sha256File } from '../../../src/core/results/store';
import { toRecords } from '../../../src/core/results/records';
import { errorResult } from '../../../src/engine/client';

function record(i: number, pad = 0): ResultRecord {
  const r = errorResult(undefined, 'm.gguf', 'x');
  return toRecords([{ ...r, error: undefined, avg_ts: i, model_type: 'p'.repeat(pad) }], { modelPath: 'm.gguf', modelSha256: 'abc', flags: ['-p', String(i)] })[0]!;
}

describe('results store (JSON Lines)', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-store-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('appends, reads back, and deletes by id', async () => {
    const s = new ResultsStore(path.join(dir, 'sub', 'r.jsonl'));
    assert.deepEqual(await s.readAll(), { records: [], corrupt: [] });
    const stored = await s.append([record(1), record(2), record(3)]);
    await s.append([record(4)]);
    const all = await s.readAll();
    assert.deepEqual(all.records.map((r) => r.result.avg_ts), [1, 2, 3, 4]);
    assert.equal(all.records[0]!.machine.cores, os.cpus().length);
    assert.equal(await s.delete([stored[1]!.id, 'no-such-id']), 1);
    assert.deepEqual((await s.readAll()).records.map((r) => r.result.avg_ts), [1, 3, 4]);
  });

  it('skips and reports corrupt lines without losing the others, and keeps them on delete', async () => {
    const file = path.join(dir, 'r.jsonl');
    const s = new ResultsStore(file);
    const [a] = await s.append([record(1)]);
    fs.appendFileSync(file, '{"id":"half-written","result":{"avg_ts":\n');
    fs.appendFileSync(file, '[1,2,3]\n');
    await s.append([record(2)]);
    fs.appendFileSync(file, '{"id":"x","result":{"avg_ts":3'); // truncated last line, no newline
    await s.append([record(4)]); // must start on a fresh line
    const all = await s.readAll();
    assert.deepEqual(all.records.map((r) => r.result.avg_ts), [1, 2, 4]);
    assert.deepEqual(all.corrupt.map((c) => c.line), [2, 3, 5]);
    assert.match(all.corrupt[1]!.error, /not a JSON object/);
    await s.delete([a!.id]);
    const after = await s.readAll();
    assert.deepEqual(after.records.map((r) => r.result.avg_ts), [2, 4]);
    assert.equal(after.corrupt.length, 3);
  });

  it('concurrent appends from several processes never interleave partial lines', async function () {
    this.timeout(30000);
    const file = path.join(dir, 'r.jsonl');
    const storeJs = require.resolve('../../../src/core/results/store');
    const recordsJs = require.resolve('../../../src/core/results/records');
    const script = `
      const { ResultsStore } = require(${JSON.stringify(storeJs)});
      const { toRecords } = require(${JSON.stringify(recordsJs)});
      const w = Number(process.argv[1]);
      (async () => {
        const s = new ResultsStore(${JSON.stringify(file)});
        for (let i = 0; i < 40; i++) {
          const res = { avg_ts: w * 1000 + i, model_type: String(w).repeat(6000) };
          await s.append(toRecords([res], { modelPath: 'm', modelSha256: 'h', flags: [] }));
        }
      })();`;
    const writers = [1, 2, 3, 4].map((w) => new Promise<number>((resolve) => spawn(process.execPath, ['-e', script, String(w)], { stdio: 'inherit' }).on('close', (c) => resolve(c ?? -1))));
    assert.deepEqual(await Promise.all(writers), [0, 0, 0, 0]);
    const all = await new ResultsStore(file).readAll();
    assert.equal(all.corrupt.length, 0);
    assert.equal(all.records.length, 160);
    for (const r of all.records) assert.equal(r.result.model_type, String(Math.floor(r.result.avg_ts / 1000)).repeat(6000));
  });

  it('hashes a file with sha256, streamed', async () => {
    const f = path.join(dir, 'x.bin');
    fs.writeFileSync(f, 'abc');
    assert.equal(await sha256File(f), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
