// KV Lens: Run Benchmark in the real extension host: a tiny sweep on the generated model, results in the store.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { api, closeAll, open, waitFor } from './helpers';

interface Outcome { state: string; results: number; errors: string[]; model?: string; generatedModel?: boolean; resultsPath?: string }

function storeLines(p: string): Record<string, unknown>[] {
  if (!fs.existsSync(p)) return [];
  return fs.readFileSync(p, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

suite('benchmark', () => {
  teardown(closeAll);

  test('runs a two-cache-type sweep on the generated model and saves all four results with their estimates', async function () {
    this.timeout(240_000);
    const a = await api();
    const before = storeLines(a.resultsPath).length;
    const ed = await open('bench.kvlens.yaml');
    const outcome = await vscode.commands.executeCommand<Outcome>('kvlens.runBenchmark', ed.document.uri, {
      cacheTypes: ['f16', 'q8_0'], promptTokens: 32, genTokens: 4, depths: [0], repetitions: 1,
    });
    assert.equal(outcome.state, 'done', JSON.stringify(outcome));
    assert.equal(outcome.generatedModel, true, 'the profile names a hub id, so the generated model is measured');
    assert.deepEqual(outcome.errors, []);
    // pp32 and tg4 for each of the two cache types.
    assert.equal(outcome.results, 4);
    const lines = storeLines(a.resultsPath);
    assert.equal(lines.length, before + 4, `store ${a.resultsPath}`);
    const added = lines.slice(before).map((l) => l.result as Record<string, unknown>);
    assert.deepEqual(added.map((r) => `${r.type_k}/${r.type_v} p${r.n_prompt} g${r.n_gen}`).sort(),
      ['f16/f16 p0 g4', 'f16/f16 p32 g0', 'q8_0/q8_0 p0 g4', 'q8_0/q8_0 p32 g0']);
    for (const rec of lines.slice(before)) {
      const r = rec.result as Record<string, number>;
      const est = rec.estimate as Record<string, number> | undefined;
      assert.ok(r.avg_ts > 0, `avg_ts ${r.avg_ts}`);
      assert.ok(r.kv_bytes > 0, `kv_bytes ${r.kv_bytes}`);
      // The estimator's bytes for the same settings sit beside the measurement: equal within llama.cpp's log
      // precision (sizes are printed in MiB with 2 decimals, ±5,243 B per figure).
      assert.ok(est && est.kvBytes > 0, `estimate saved: ${JSON.stringify(est)}`);
      assert.ok(Math.abs(r.kv_bytes - est.kvBytes) <= 2 * 5243, `measured ${r.kv_bytes} vs estimated ${est.kvBytes}`);
    }
  });

  test('cancel stops the sweep and keeps what was measured', async function () {
    this.timeout(240_000);
    const a = await api();
    const before = storeLines(a.resultsPath).length;
    const ed = await open('bench.kvlens.yaml');
    const running = vscode.commands.executeCommand<Outcome>('kvlens.runBenchmark', ed.document.uri, {
      cacheTypes: ['f16', 'q8_0', 'q4_0', 'q5_0'], promptTokens: 64, genTokens: 16, depths: [0, 256], repetitions: 3,
    });
    await waitFor('the first saved result', () => (storeLines(a.resultsPath).length > before ? true : undefined), 120_000);
    const t0 = Date.now();
    assert.equal(await vscode.commands.executeCommand('kvlens.cancelBenchmark'), true);
    const outcome = await running;
    const stopMs = Date.now() - t0;
    assert.equal(outcome.state, 'cancelled', JSON.stringify(outcome));
    assert.ok(outcome.results >= 1 && outcome.results < 16, `saved ${outcome.results} of 16`);
    assert.equal(storeLines(a.resultsPath).length, before + outcome.results);
    assert.ok(stopMs < 5000, `stopped ${stopMs} ms after cancel`);
    assert.equal(await vscode.commands.executeCommand('kvlens.cancelBenchmark'), false, 'nothing left to cancel');
  });
});
