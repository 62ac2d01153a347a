// The Load tests tab's view-model and the calibration hook, on steps measured here against the stand-in and the
// real estimator of a real profile (a generated GGUF on this machine's "local" target).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { calibrationInput } from '../../../src/core/loadtest/calibration';
import { estimateStep, type LoadEstimator } from '../../../src/core/loadtest/estimate';
import type { LoadTestRecord } from '../../../src/core/loadtest/record';
import { buildLoadTestView } from '../../../src/core/loadtest/viewModel';
import { loadTestText } from '../../../src/core/loadtest/text';
import { buildViewModel } from '../../../src/core/report/viewModel';
import { estimateProfile } from '../../../src/core/report/fromFiles';
import { makeLlamaGguf } from '../../../src/core/models/makeModel';
import { isWebviewToHost } from '../../../src/core/panelProtocol';
import { runLoadTest } from '../../../src/engine/loadtest/run';
import { startStandIn, type StandIn } from '../../fixtures/loadtest/standIn';

describe('load test view-model and calibration hook', function () {
  this.timeout(60_000);
  let dir: string;
  let profile: string;
  let s: StandIn;
  let records: LoadTestRecord[];
  let deployments: Awaited<ReturnType<typeof estimateProfile>>['deployments'];
  let estimator: LoadEstimator;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-ltvm-'));
    await makeLlamaGguf(path.join(dir, 'model.gguf'), {});
    await makeLlamaGguf(path.join(dir, 'draft.gguf'), { layers: 2, embd: 256, heads: 4, kvHeads: 2, ff: 512 });
    profile = path.join(dir, 'served.kvlens.yaml');
    fs.writeFileSync(profile, 'model: ./model.gguf\nengine:\n  kind: llama.cpp\n  args: "-c 8192 -np 8 -t 1"\nworkload:\n  promptTokens: 64\n  outputTokens: 16\n  concurrency: 8\nspeculative:\n  draft: ./draft.gguf\n  acceptanceRate: 0.6\n  draftLength: 3\ntargets: [local]\n');
    deployments = (await estimateProfile(profile)).deployments;
    const re = deployments[0]!.reestimate!;
    estimator = (o) => re(o);
    // A stand-in that reports vLLM's speculative-decoding counters for a known α = 0.75, γ = 3.
    s = await startStandIn({ ttftMs: 10, tpotMs: 4, spec: { alpha: 0.75, gamma: 3, draftsPerToken: 20 } });
    const r = await runLoadTest({
      baseUrl: s.url, api: 'completions', steps: [1, 2, 4, 8].map((c) => ({ mode: 'concurrency', concurrency: c })), requestsPerStep: 8,
      stepSeconds: 20, promptTokens: { kind: 'fixed', value: 64 }, outputTokens: { kind: 'fixed', value: 16 }, warmupRequests: 0,
      profile, deployment: deployments[0]!.name, estimator, target: 'local',
    });
    records = r.records;
  });
  after(async () => {
    await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('puts the profile\'s estimate and the difference beside every measured step', () => {
    const v = buildLoadTestView({ records, profile, deployments });
    assert.equal(v.runs.length, 1);
    const run = v.runs[0]!;
    assert.equal(run.sameProfile, true);
    assert.equal(run.rows.length, 4);
    for (const [i, row] of run.rows.entries()) {
      const e = estimateStep(records[i]!, estimator, 'local')!;
      assert.equal(row.est.tpot.value, e.tpotSec);
      assert.equal(row.est.tokensPerSec.value, e.outputTokensPerSec);
      const m = records[i]!.summary.tpot!.p50;
      assert.equal(row.diff.tpot.value!.toFixed(9), (((m - e.tpotSec!) / e.tpotSec!) * 100).toFixed(9));
      // The record saved at run time holds the same estimate.
      assert.equal(records[i]!.estimate?.tpotSec, e.tpotSec);
    }
    assert.equal(run.calibratable, true);
  });

  it('draws the estimate on a finer ladder than the measured points, with its ± band', () => {
    const run = buildLoadTestView({ records, profile, deployments }).runs[0]!;
    const tpot = run.charts.find((c) => c.id === 'tpot')!;
    assert.deepEqual(tpot.x, [1, 2, 3, 4, 5, 6, 7, 8]);
    const measured = tpot.series.find((x) => x.kind === 'measured')!.values;
    assert.deepEqual(measured.map((v) => v !== null), [true, true, false, true, false, false, false, true], 'measured only where a step ran');
    const est = tpot.series.find((x) => x.kind === 'estimate')!.values;
    const lo = tpot.series.find((x) => x.kind === 'band-low')!.values;
    const hi = tpot.series.find((x) => x.kind === 'band-high')!.values;
    const band = deployments[0]!.report!.targets[0]!.perf.band;
    for (let i = 0; i < est.length; i++) {
      assert.ok(est[i]! > 0);
      assert.equal(lo[i]!.toFixed(12), (est[i]! * (1 - band)).toFixed(12));
      assert.equal(hi[i]!.toFixed(12), (est[i]! * (1 + band)).toFixed(12));
    }
    assert.match(tpot.series.find((x) => x.kind === 'estimate')!.label, /± \d+ %/);
  });

  it('reaches the dashboard view-model only when the store holds load tests, and the webview may ask to calibrate', () => {
    const base = { title: 't', source: 's', generatedAt: '2026-01-01T00:00:00Z', deployments, runs: [] };
    assert.equal(buildViewModel(base).loadTests, undefined);
    const vm = buildViewModel({ ...base, loadTests: records, profilePath: profile });
    assert.equal(vm.loadTests!.runs[0]!.rows.length, 4);
    assert.ok(isWebviewToHost({ type: 'calibrateLoadTest', runId: records[0]!.runId }));
    assert.ok(!isWebviewToHost({ type: 'calibrateLoadTest', runId: '' }));
    assert.ok(!isWebviewToHost({ type: 'calibrateLoadTest', runId: 'x', path: '/etc/passwd' }));
  });

  it('fits α from the server\'s speculative counters and shows it beside the profile\'s assumption', () => {
    for (const r of records) {
      const fit = r.server!.spec!.fit!;
      assert.equal(fit.method, 'per-position MLE');
      assert.ok(Math.abs(fit.alpha - 0.75) < 0.04, `α ${fit.alpha} at c=${r.load.concurrency}`);
      assert.equal(r.estimate!.alpha, 0.6);
    }
    const run = buildLoadTestView({ records, profile, deployments }).runs[0]!;
    assert.match(run.alpha!.text, /^α = 0\.7\d\d fitted \(per-position MLE, γ 3\.0.*against 0\.60 assumed by the profile$/);
    assert.match(loadTestText(records), /speculative α = 0\.7\d\d \(per-position MLE.*the profile assumes α = 0\.6/);
  });

  it('turns a run into calibration samples: measured / estimate per step, and the efficiencies they imply', () => {
    const assumed = { bandwidth: 0.55, compute: 0.4 };
    const c = calibrationInput(records, (rec) => estimateStep(rec, estimator, 'local'), assumed)!;
    assert.equal(c.source, 'loadtest');
    assert.equal(c.target, 'local');
    assert.deepEqual(c.samples.map((x) => x.concurrency), [1, 2, 4, 8]);
    for (const x of c.samples) assert.equal(x.ratio.tpot!.toFixed(12), (x.measured.tpotSec! / x.estimate.tpotSec!).toFixed(12));
    const small = c.samples.filter((x) => (x.estimate.batch ?? x.concurrency) <= 4).map((x) => x.ratio.tpot!).sort((a, b) => a - b);
    assert.equal(c.implied!.bandwidthEfficiency!.toFixed(12), (assumed.bandwidth / small[Math.floor((small.length - 1) / 2)]!).toFixed(12));
    assert.equal(c.implied!.computeEfficiency!.toFixed(12), (assumed.compute / c.samples[0]!.ratio.ttft!).toFixed(12));
    assert.equal(calibrationInput([], () => undefined), undefined);
  });
});
