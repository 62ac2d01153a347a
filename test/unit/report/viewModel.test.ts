import * as assert from 'node:assert/strict';
import { buildViewModel, concurrencyLadder, filterRuns, memorySegments, DashboardViewModel, EstimateOverrides } from '../../../src/core/report/viewModel';
import type { EstimateReport } from '../../../src/core/estimator/report';
import { GiB, makeRecord, makeReport, MiB } from './fixtures';
import { targetVerdict } from '../../../src/core/verdict';

/** Every string anywhere in the view-model: none may say NaN, undefined, Infinity or null. */
function allStrings(x: unknown, out: string[] = []): string[] {
  if (typeof x === 'string') out.push(x);
  else if (Array.isArray(x)) x.forEach((v) => allStrings(v, out));
  else if (x && typeof x === 'object') Object.values(x).forEach((v) => allStrings(v, out));
  return out;
}
function allNumbers(x: unknown, out: number[] = []): number[] {
  if (typeof x === 'number') out.push(x);
  else if (Array.isArray(x)) x.forEach((v) => allNumbers(v, out));
  else if (x && typeof x === 'object') Object.values(x).forEach((v) => allNumbers(v, out));
  return out;
}
function assertClean(vm: DashboardViewModel) {
  for (const s of allStrings(vm)) assert.doesNotMatch(s, /\b(NaN|undefined|Infinity|null)\b/, s);
  for (const n of allNumbers(vm)) assert.ok(Number.isFinite(n), `non-finite number ${n}`);
}

const vmOf = (reports: EstimateReport[], runs = [] as ReturnType<typeof makeRecord>[], reestimate?: (o: EstimateOverrides) => EstimateReport | undefined) =>
  buildViewModel({ title: 'KV Lens — llama.kvlens.yaml', source: 'llama.kvlens.yaml', generatedAt: '2026-11-22T02:00:00Z',
    deployments: reports.map((r) => ({ name: 'llama', report: r, reestimate })), runs });

describe('report view-model', () => {
  it('puts weights, KV, compute and free memory into the bar, as bytes and percent of capacity', () => {
    const vm = vmOf([makeReport()]);
    const h100 = vm.deployments[0].targets[0];
    const seg = Object.fromEntries(h100.memory.segments.map((s) => [s.key, s]));
    assert.equal(seg.weights.bytes, 16_060_522_496);
    assert.equal(seg.kv.bytes, 69_632 * 32_768);
    assert.equal(seg.kv.text, '2.13 GiB');
    assert.equal(seg.compute.bytes, 512 * MiB);
    assert.equal(seg.free.bytes, 80 * GiB - (16_060_522_496 + 69_632 * 32_768 + 512 * MiB));
    const pct = h100.memory.segments.reduce((a, s) => a + s.pct, 0);
    assert.ok(Math.abs(pct - 100) < 1e-9, `segments cover capacity: ${pct}`);
    assert.equal(h100.memory.capacity.text, '80.00 GiB');
    assert.equal(h100.verdict, 'fits');
  });

  it('shows what does not fit as overflow past capacity, not as negative free memory', () => {
    const small = vmOf([makeReport()]).deployments[0].targets[1];
    assert.equal(small.verdict, 'does-not-fit');
    assert.equal(small.verdictText, 'does not fit');
    const keys = small.memory.segments.map((s) => s.key);
    assert.ok(!keys.includes('free'));
    const over = small.memory.segments.find((s) => s.key === 'overflow')!;
    assert.equal(over.bytes, 16_060_522_496 + 69_632 * 32_768 + 512 * MiB - 16 * GiB);
    assert.ok(small.memory.usedPct > 100);
  });

  it('fills the metrics table with units, ± band and theoretical peak', () => {
    const t = vmOf([makeReport()]).deployments[0].targets[0];
    const row = (m: string) => t.metrics.find((x) => x.metric === m)!;
    assert.equal(row('Users that fit').expected.text, '12 @ 8K tokens');
    assert.equal(row('TTFT').expected.text, '205 ms');
    assert.equal(row('TTFT').theoretical.text, '102 ms');
    assert.equal(row('TTFT').band.text, '± 30 % (143 – 266 ms)');
    assert.equal(row('Decode per user').expected.text, '143 tok/s');
    assert.equal(row('Decode per user').theoretical.text, '200 tok/s');
    assert.equal(row('Decode, all users').expected.text, '572 tok/s');
    assert.equal(row('Decode, all users').theoretical.text, '800 tok/s');
    assert.equal(row('Prefill').expected.text, '20,000 tok/s');
    assert.equal(row('Context switch').expected.text, '71.2 ms');
  });

  it('lists KV-cache types with the current one marked and invalid ones carrying the reason', () => {
    const w = vmOf([makeReport()]).deployments[0].targets[0].whatIfs;
    assert.deepEqual(w.map((x) => x.cacheTypes), ['f16/f16', 'q8_0/q8_0', 'q4_0/q4_0']);
    assert.deepEqual(w.map((x) => x.current), [false, true, false]);
    assert.equal(w[0].memory.text, '4.00 GiB');
    assert.equal(w[0].users.text, '7');
    const bad = w[2];
    assert.equal(bad.fits, false);
    assert.match(bad.invalid!, /flash attention/);
    assert.equal(bad.memory.text, '—');
    assert.match(bad.memory.title!, /flash attention/);
  });

  it('charts decode against concurrency from the estimator when it can re-run, else extrapolates the roofline', () => {
    const base = makeReport();
    const calls: EstimateOverrides[] = [];
    const reestimate = (o: EstimateOverrides) => {
      calls.push(o);
      const r = makeReport();
      for (const t of r.targets) { t.perf.aggregateDecodeTokensPerSec = 100 * (o.concurrency ?? 1); t.memory.kvBytes = 1000 * (o.contextSize ?? 0); }
      return r;
    };
    const withEst = vmOf([base], [], reestimate).deployments[0].targets[0].charts[0];
    assert.deepEqual(withEst.x.slice(0, 3), [1, 2, 3]);
    assert.deepEqual(withEst.series[0].values.slice(0, 3), [100, 200, 300]);
    assert.ok(calls.some((c) => c.concurrency === 1));
    // c users get c slots at the configured 8K per sequence (llama.cpp's -c is the total across slots).
    assert.ok(calls.some((c) => c.concurrency === 6 && c.parallel === 6 && c.contextSize === 6 * 8192), JSON.stringify(calls.slice(0, 8)));
    assert.deepEqual(withEst.markers, [{ x: 12, label: '12 users fit' }]);

    const extrap = vmOf([base]).deployments[0].targets[0].charts[0];
    const c4 = extrap.x.indexOf(4);
    // At the workload's own concurrency the extrapolation passes through the estimate: 4 users × 143 tok/s.
    assert.ok(Math.abs((extrap.series[0].values[c4] as number) - 4 * 143) < 1e-6);
    const v = extrap.series[0].values as number[];
    for (let i = 1; i < v.length; i++) assert.ok(v[i] > v[i - 1], 'aggregate rises with concurrency');
    assert.match(extrap.note, /extrapolated/);
  });

  it('keeps the figures of a window-budget row and shows the estimator\'s remark as a note', () => {
    const r = makeReport();
    r.targets[0].whatIfs!.push({ cacheTypeK: 'q8_0', cacheTypeV: 'q8_0', windowTokens: 4096, kvBytes: 69_632 * 4096, kvBytesPerToken: 69_632, maxSequences: 90, decodeTokensPerSec: 150, fits: true, invalid: 'not a llama.cpp option: shown for comparison' });
    const row = vmOf([r]).deployments[0].targets[0].whatIfs[3];
    assert.equal(row.window, '4K window');
    assert.equal(row.memory.text, '272 MiB');
    assert.equal(row.users.text, '90');
    assert.equal(row.invalid, undefined);
    assert.match(row.note!, /comparison/);
    assert.equal(row.current, false);
  });

  it('charts KV memory against context with the capacity line', () => {
    const t = vmOf([makeReport()]).deployments[0].targets[0];
    const ch = t.charts.find((c) => c.id === 'kv-vs-context')!;
    assert.ok(ch.x.every((x) => x % 256 === 0));
    const i = ch.x.indexOf(32_768);
    assert.ok(i >= 0);
    assert.ok(Math.abs((ch.series[0].values[i] as number) - (69_632 * 32_768) / GiB) < 1e-9);
    assert.deepEqual(new Set(ch.series[2].values), new Set([80]));
    assert.equal(ch.series[2].kind, 'capacity');
  });

  it('joins measured runs to their estimate and gives the difference in percent', () => {
    const runs = [
      makeRecord({ id: 'a', savedAt: '2026-11-20T10:00:00Z', avgTs: 110, estimate: { decodeTokensPerSec: 100, kvBytes: 1_114_112 } }),
      makeRecord({ id: 'b', savedAt: '2026-11-21T10:00:00Z', nPrompt: 512, nGen: 0, avgTs: 900, estimate: { prefillTokensPerSec: 1000, kvBytes: 1_000_000 } }),
      makeRecord({ id: 'c', savedAt: '2026-11-19T10:00:00Z', typeK: 'q4_0', typeV: 'q4_0', error: 'quantized V cache requires flash_attn to be enabled' }),
    ];
    const vm = vmOf([makeReport()], runs);
    assert.deepEqual(vm.runs.rows.map((r) => r.id), ['b', 'a', 'c'], 'newest first');
    const a = vm.runs.rows.find((r) => r.id === 'a')!;
    assert.equal(a.test, 'tg128');
    assert.equal(a.measured.text, '110 tok/s ± 2.5');
    assert.equal(a.estimate.text, '100 tok/s');
    assert.equal(a.diff.text, '+10 %');
    assert.equal(a.kvDiff.text, '0.0 %');
    const b = vm.runs.rows.find((r) => r.id === 'b')!;
    assert.equal(b.test, 'pp512');
    assert.equal(b.diff.text, '-10 %');
    assert.ok(Math.abs(b.kvDiff.value! - 11.4112) < 1e-9);
    const c = vm.runs.rows.find((r) => r.id === 'c')!;
    assert.equal(c.measured.text, '—');
    assert.match(c.measured.title!, /flash_attn/);
    assert.deepEqual(vm.runs.cacheTypes, ['q4_0/q4_0', 'q8_0/q8_0']);
    assertClean(vm);
  });

  it('recomputes a run\'s estimate with the estimator for the same model, cache types and n_ctx', () => {
    const seen: EstimateOverrides[] = [];
    const reestimate = (o: EstimateOverrides) => {
      seen.push(o);
      const r = makeReport('kvlens-default');
      r.targets[0].memory.kvBytes = 1_114_112;
      r.targets[0].perf.decodeTokensPerSec = 80;
      return r;
    };
    const vm = vmOf([makeReport('kvlens-default')], [makeRecord({ id: 'x', savedAt: '2026-11-21T00:00:00Z', typeK: 'f16', typeV: 'q8_0', avgTs: 100 })], reestimate);
    const row = vm.runs.rows[0];
    assert.ok(seen.some((o) => o.cacheTypeK === 'f16' && o.cacheTypeV === 'q8_0' && o.contextSize === 512));
    assert.equal(row.estimate.text, '80.0 tok/s');
    assert.equal(row.diff.text, '+25 %');
    assert.equal(row.kvDiff.text, '0.0 %');
    // A run on another model is not joined to this deployment.
    const other = vmOf([makeReport('other-model')], [makeRecord({ id: 'y', savedAt: '2026-11-21T00:00:00Z' })], reestimate).runs.rows[0];
    assert.equal(other.estimate.text, '—');
    assert.match(other.estimate.title!, /no estimate/);
  });

  it('keeps the KV bytes saved with a run and recomputes only the speed it lacks (the extension saves KV only)', () => {
    const reestimate = () => {
      const r = makeReport('kvlens-default');
      r.targets[0].memory.kvBytes = 999;
      r.targets[0].perf.decodeTokensPerSec = 80;
      return r;
    };
    const rec = makeRecord({ id: 'k', savedAt: '2026-11-21T00:00:00Z', avgTs: 100, kv: 1_114_112, estimate: { kvBytes: 1_114_112 } });
    const row = vmOf([makeReport('kvlens-default')], [rec], reestimate).runs.rows[0];
    assert.equal(row.kvDiff.text, '0.0 %', 'the saved KV estimate, not the recomputed 999 bytes');
    assert.equal(row.estimate.text, '80.0 tok/s');
    assert.equal(row.diff.text, '+25 %');
    assert.match(row.estimate.title!, /missing figures recomputed/);
    // Without a deployment to recompute from, the saved figure stays and the speed shows as missing.
    const alone = vmOf([], [rec]).runs.rows[0];
    assert.equal(alone.kvDiff.text, '0.0 %');
    assert.equal(alone.estimate.text, '—');
  });

  it('shows no ± spread for a single repetition', () => {
    const rec = makeRecord({ id: 's', savedAt: '2026-11-21T00:00:00Z', avgTs: 100 });
    rec.result.stddev_ts = 0;
    assert.equal(vmOf([], [rec]).runs.rows[0].measured.text, '100 tok/s');
    rec.result.samples_ts = [99, 101];
    rec.result.stddev_ts = 1.4;
    assert.equal(vmOf([], [rec]).runs.rows[0].measured.text, '100 tok/s ± 1.4');
  });

  it('filters history by text, cache type and date', () => {
    const runs = [
      makeRecord({ id: 'a', savedAt: '2026-11-20T10:00:00Z' }),
      makeRecord({ id: 'b', savedAt: '2026-11-21T10:00:00Z', typeK: 'f16', typeV: 'f16' }),
      makeRecord({ id: 'c', savedAt: '2026-11-22T10:00:00Z', modelName: 'qwen-tiny' }),
    ];
    const rows = vmOf([], runs).runs.rows;
    assert.deepEqual(filterRuns(rows, { text: 'QWEN' }).map((r) => r.id), ['c']);
    assert.deepEqual(filterRuns(rows, { type: 'f16/f16' }).map((r) => r.id), ['b']);
    assert.deepEqual(filterRuns(rows, { from: '2026-11-21', to: '2026-11-21' }).map((r) => r.id), ['b']);
    assert.equal(filterRuns(rows, {}).length, 3);
  });

  it('never shows NaN or undefined when the estimate lacks figures', () => {
    const r = makeReport();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test breaks the contract on purpose
    const t = r.targets[0] as unknown as Record<string, any>;
    t.perf.ttftSec = NaN;
    t.perf.theoretical = undefined;
    t.perf.aggregateDecodeTokensPerSec = undefined;
    t.perf.decodeTokensPerSec = Infinity;
    t.memory.computeBytes = undefined;
    t.concurrency.maxSequences = NaN;
    t.whatIfs = undefined;
    r.model.params = NaN;
    const vm = vmOf([r], [makeRecord({ id: 'z', savedAt: 'x', avgTs: NaN })]);
    assertClean(vm);
    const tv = vm.deployments[0].targets[0];
    const ttft = tv.metrics.find((m) => m.metric === 'TTFT')!;
    assert.equal(ttft.expected.text, '—');
    assert.match(ttft.expected.title!, /TTFT/);
    assert.equal(vm.deployments[0].model!.params.text, '—');
  });

  it('keeps a deployment without a report, with its reason', () => {
    const vm = buildViewModel({ title: 't', source: 's', generatedAt: 'g', deployments: [{ name: 'x', error: 'model file not found: ./m.gguf' }], runs: [] });
    assert.equal(vm.deployments[0].error, 'model file not found: ./m.gguf');
    assert.equal(vm.deployments[0].targets.length, 0);
  });

  it('ladders concurrency densely while small', () => {
    assert.deepEqual(concurrencyLadder(5), [1, 2, 3, 4, 5]);
    const l = concurrencyLadder(200);
    assert.equal(l[0], 1);
    assert.equal(l[l.length - 1], 200);
    assert.ok(l.length < 40);
  });

  it('memorySegments skips absent parts', () => {
    const t = makeReport().targets[0];
    t.memory.computeBytes = 0;
    assert.deepEqual(memorySegments(t).map((s) => s.key), ['weights', 'kv', 'free']);
  });

  it('states the editor\'s verdict: a target that will not start shows why instead of speed figures', () => {
    const r = makeReport();
    const blocked = targetVerdict(r, r.targets[0], [{ severity: 'error', code: 'quantized-v-needs-fa', message: 'A quantized V cache needs flash attention. Use -fa on.', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } }]);
    const vm = buildViewModel({ title: 't', source: 's', generatedAt: 'g', runs: [], deployments: [{ name: 'x', report: r, verdicts: [blocked, targetVerdict(r, r.targets[1])] }] });
    const t = vm.deployments[0].targets[0];
    assert.equal(t.verdict, 'will-not-start');
    assert.equal(t.verdictText, "won't start");
    assert.equal(t.verdictSummary, blocked.summary);
    assert.match(t.noSpeed!, /would not start \(A quantized V cache needs flash attention\)/);
    const ttft = t.metrics.find((m) => m.metric === 'TTFT')!;
    assert.equal(ttft.expected.text, '—');
    assert.match(ttft.expected.title!, /would not start/);
    assert.equal(t.metrics[0].expected.text, '12 @ 8K tokens', 'what fits stays');
    assert.ok(!t.charts.some((c) => c.id === 'decode-vs-concurrency'), 'no decode curve for what does not run');
    // The small target does not fit: no speed either, and neither is drawn on the all-targets charts.
    assert.equal(vm.deployments[0].targets[1].verdict, 'does-not-fit');
    assert.deepEqual(vm.deployments[0].charts, []);
  });

  it('puts every target that runs on one chart: throughput, the Pareto view with its table, TTFT against prompt', () => {
    const r = makeReport();
    r.targets[1] = { ...r.targets[0], id: 'b200', name: 'B200' };
    const reestimate = (o: EstimateOverrides) => {
      const x = makeReport();
      x.targets[1] = { ...x.targets[0], id: 'b200', name: 'B200' };
      const c = o.concurrency ?? 1;
      x.targets.forEach((t, i) => {
        t.perf = { ...t.perf };
        t.perf.decodeTokensPerSec = (i ? 200 : 100) / (1 + c / 10);
        t.perf.aggregateDecodeTokensPerSec = t.perf.decodeTokensPerSec * c;
        t.perf.ttftSec = (o.promptTokens ?? 4096) / (i ? 40_000 : 20_000);
      });
      return x;
    };
    const d = buildViewModel({ title: 't', source: 's', generatedAt: 'g', runs: [], deployments: [{ name: 'x', report: r, reestimate }] }).deployments[0];
    assert.deepEqual(d.charts.map((c) => c.id), ['throughput-vs-concurrency', 'pareto', 'ttft-vs-prompt']);
    const [thr, pareto, ttft] = d.charts;
    assert.deepEqual(thr.series.map((s) => s.label), ['H100 SXM', 'B200']);
    assert.ok(Math.abs((thr.series[1].values[0] as number) - 200 / 1.1) < 1e-9);
    // Pareto: x is per-user speed, ascending; each target's points at its own x values; the table lists each.
    for (let i = 1; i < pareto.x.length; i++) assert.ok(pareto.x[i] > pareto.x[i - 1]);
    assert.equal(pareto.table!.head.join('|'), 'Target|Concurrent users|Per user|All users');
    assert.ok(pareto.table!.rows.some((row) => row[0] === 'B200' && row[1] === '1'));
    const b200At1 = pareto.x.findIndex((x) => Math.abs(x - 200 / 1.1) < 1e-3);
    assert.ok(b200At1 >= 0 && pareto.series[1].values[b200At1] !== null && pareto.series[0].values[b200At1] === null);
    assert.deepEqual(ttft.x.slice(0, 3), [256, 512, 1024]);
    assert.ok(Math.abs((ttft.series[0].values[2] as number) - 1024 / 20_000) < 1e-12);
    assertClean(buildViewModel({ title: 't', source: 's', generatedAt: 'g', runs: [], deployments: [{ name: 'x', report: r, reestimate }] }));
  });

  it('groups measured runs by sweep, marks a run that stopped early, and joins each test to its own estimate', () => {
    const mk = (id: string, runId: string, at: string, depth: number, ts: number, planned?: number) => {
      const rec = makeRecord({ id, savedAt: at, avgTs: ts, modelName: 'tiny' });
      rec.runId = runId;
      rec.result.n_depth = depth;
      if (planned) rec.planned = planned;
      return rec;
    };
    const runs = [
      mk('a1', 'A', '2026-11-20T10:00:00Z', 0, 100, 2), mk('a2', 'A', '2026-11-20T10:01:00Z', 512, 90, 2),
      mk('b1', 'B', '2026-11-21T10:00:00Z', 0, 110, 4),
    ];
    const estimateRun = (rec: ReturnType<typeof makeRecord>) => ({ decode: rec.result.n_depth ? 95 : 105, kv: 1_114_112, from: 'recomputed for this machine' });
    const vm = buildViewModel({ title: 't', source: 's', generatedAt: 'g', deployments: [], runs, estimateRun });
    assert.deepEqual(vm.runs.sweeps.map((s) => [s.runId, s.saved, s.planned, s.incomplete]), [['B', 1, 4, true], ['A', 2, 2, false]]);
    assert.match(vm.runs.sweeps[0].label, /1 of 4 tests · Intel Xeon, 2 cores — cancelled or stopped before the end/);
    const a2 = vm.runs.rows.find((r) => r.id === 'a2')!;
    assert.equal(a2.estimate.text, '95.0 tok/s');
    assert.equal(a2.diff.text, '-5.3 %');
    assert.match(a2.estimate.title!, /recomputed for this machine/);
    // Measured points over the estimate, against depth, for each sweep.
    const ch = vm.runs.charts.find((c) => c.id === 'sweep-decode-A')!;
    assert.deepEqual(ch.x, [0, 512]);
    assert.deepEqual(ch.series.map((s) => [s.label, s.kind, s.values]), [['q8_0/q8_0 estimate', 'line', [105, 95]], ['q8_0/q8_0 measured', 'measured', [100, 90]]]);
    assertClean(vm);
  });

  it('shows report fields it does not know yet (calibration, …) as label/value pairs', () => {
    const r = makeReport();
    (r.targets[0] as unknown as Record<string, unknown>).calibration = { measuredErrorPct: 12.3456, runs: 5, source: 'leave-one-chip-out' };
    const t = vmOf([r]).deployments[0].targets[0];
    assert.deepEqual(t.extras, [
      { label: 'calibration measuredErrorPct', value: '12.3' }, { label: 'calibration runs', value: '5' }, { label: 'calibration source', value: 'leave-one-chip-out' },
    ]);
    assert.equal(vmOf([makeReport()]).deployments[0].targets[0].extras, undefined);
  });
});
