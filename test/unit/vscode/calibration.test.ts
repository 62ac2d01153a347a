// Issue 13's calibration on the editor side: the measured error band beside every speed figure (hover line, lens
// tooltip, panel band cells and calibration block), and this machine's saved runs refining the `local` target's
// estimate the way Run Benchmark saves them (each estimate tagged with the calibration that produced it).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeForEditor } from '../../../src/core/editorAnalysis';
import { machineCalibrationFromStore } from '../../../src/core/estimator/calibration/machineStore';
import { calibrationId } from '../../../src/core/estimator/calibration/params';
import { currentLocalDetection } from '../../../src/core/hardware/local';
import { createModelResolver } from '../../../src/core/models/resolve';
import { buildViewModel } from '../../../src/core/report/viewModel';
import { machineInfo } from '../../../src/core/results/machine';
import type { ResultRecord } from '../../../src/core/engine/protocol';
import { lensTooltip, speedBandText } from '../../../src/vscode/text';

const PROFILE = 'model: meta-llama/Llama-3.1-8B-Instruct\nengine: {kind: llama.cpp, args: "-c 8192"}\ntargets:\n  - rtx-4090\n  - local\n  - rtx-3060\n';

async function analyse(text: string, machineCalibration?: Parameters<typeof analyzeForEditor>[2]['machineCalibration']) {
  return analyzeForEditor(text, '/virtual/a.kvlens.yaml', { format: 'kvlens-profile', modelResolver: createModelResolver({ network: 'off' }), machineCalibration });
}

/** A decode run as Run Benchmark saves it: measured t/s, and the estimate with the calibration id it came from. */
function decodeRun(i: number, measured: number, estimated: number, calibration = calibrationId()): ResultRecord {
  return {
    id: `r${i}`, runId: 'sweep-1', savedAt: '2026-12-01T00:00:00Z', machine: { ...machineInfo() }, model: { path: 'm.gguf', sha256: 'x' }, flags: [],
    result: { model_filename: 'm.gguf', model_size: 1, model_n_params: 1, n_batch: 2048, n_ubatch: 512, n_threads: 4, n_gpu_layers: 0, type_k: 'f16', type_v: 'f16', flash_attn: false, n_prompt: 0, n_gen: 128, n_depth: 0, test_time: '', avg_ns: 1, stddev_ns: 0, avg_ts: measured, stddev_ts: 0, samples_ns: [], samples_ts: [], n_ctx: 1024, kv_bytes: 1, kv_k_bytes: 1, kv_v_bytes: 0, engine: 'node-llama-cpp' },
    estimate: { decodeTokensPerSec: estimated, calibration },
  } as ResultRecord;
}

describe('calibration in the editor', () => {
  it('the hover line and lens tooltip carry the measured band; the panel uses the prefill band for TTFT and the decode band for TPOT', async () => {
    const a = await analyse(PROFILE);
    const r = a.estimates[0].report!;
    const t = r.targets.find((x) => x.id === 'rtx-4090')!;
    const c = t.perf.calibration!;
    assert.ok(c && c.prefill.band !== c.decode.band, 'prefill and decode bands differ on this target');
    const line = speedBandText(t)!;
    assert.match(line, new RegExp(`± ${Math.round(c.prefill.band * 100)} % prefill, ± ${Math.round(c.decode.band * 100)} % decode — published llama-bench runs`));
    const v = a.verdicts[0].targets[r.targets.indexOf(t)];
    assert.ok(lensTooltip(r, t, v).split('\n').includes(line));

    const vm = buildViewModel({ title: 't', source: 'a.kvlens.yaml', generatedAt: '2026-12-01T00:00:00Z', runs: [], deployments: [{ name: 'a', report: r, verdicts: a.verdicts[0].targets }] });
    const tv = vm.deployments[0].targets.find((x) => x.id === 'rtx-4090')!;
    const band = (m: string) => tv.metrics.find((x) => x.metric === m)!.band;
    assert.equal(band('TTFT').value, c.prefill.band);
    assert.equal(band('Prefill').value, c.prefill.band);
    assert.equal(band('TPOT').value, c.decode.band);
    assert.equal(band('Decode per user').value, c.decode.band);
    assert.match(band('TPOT').title!, /held-out median error [\d.]+ % on \d+ published measurements/);
    assert.equal(tv.calibration?.summary, line);
    assert.deepEqual(tv.calibration?.parts.map((p) => p.label), ['Prefill', 'Decode']);
    assert.ok(tv.calibration!.parts[1].parameters.length > 0 && /of the time$/.test(tv.calibration!.parts[1].parameters[0]));
  });

  it('a target that does not fit shows no band and no calibration (its speed figures are replaced by why)', async () => {
    const a = await analyse(PROFILE.replace('-c 8192', '-c 131072 -np 8'));
    const r = a.estimates[0].report!;
    const i = r.targets.findIndex((x) => x.id === 'rtx-3060');
    const v = a.verdicts[0].targets[i];
    assert.equal(v.speed, undefined, `expected no speed on the 12 GB card: ${v.words}`);
    const vm = buildViewModel({ title: 't', source: 'a', generatedAt: 'x', runs: [], deployments: [{ name: 'a', report: r, verdicts: a.verdicts[0].targets }] });
    assert.equal(vm.deployments[0].targets[i].calibration, undefined);
    assert.ok(!lensTooltip(r, r.targets[i], v).includes('published llama-bench runs'));
  });

  it('runs saved with their calibration id refine the local target (and the catalog entry it is); runs of another calibration do not', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-editor-mc-'));
    try {
      const file = path.join(dir, 'results.jsonl');
      // Six decode runs measured at half the estimate.
      fs.writeFileSync(file, Array.from({ length: 6 }, (_, i) => JSON.stringify(decodeRun(i, 50, 100))).join('\n') + '\n');
      const m = await machineCalibrationFromStore(file);
      assert.equal(m?.label, 'calibrated on 6 runs on this machine');
      const here = currentLocalDetection().target.catalogId;
      const plain = (await analyse(PROFILE)).estimates[0].report!.targets.find((x) => x.id === 'local')!;
      const cal = (await analyse(PROFILE, { local: m, ...(here ? { [here]: m } : {}) })).estimates[0].report!.targets.find((x) => x.id === 'local')!;
      assert.equal(cal.perf.calibration?.source, 'machine');
      assert.ok(cal.perf.decodeTokensPerSec < 0.75 * plain.perf.decodeTokensPerSec, `${cal.perf.decodeTokensPerSec} vs ${plain.perf.decodeTokensPerSec}`);
      assert.match(speedBandText(cal)!, /— calibrated on 6 runs on this machine, on published llama-bench runs/);
      // The GPU targets are not this machine: unchanged.
      const gpuPlain = (await analyse(PROFILE)).estimates[0].report!.targets.find((x) => x.id === 'rtx-4090')!;
      const gpuCal = (await analyse(PROFILE, { local: m })).estimates[0].report!.targets.find((x) => x.id === 'rtx-4090')!;
      assert.equal(gpuCal.perf.decodeTokensPerSec, gpuPlain.perf.decodeTokensPerSec);

      // Saved without the id (what Run Benchmark did before), or by another calibration: no refinement.
      const old = path.join(dir, 'old.jsonl');
      fs.writeFileSync(old, Array.from({ length: 6 }, (_, i) => JSON.stringify(decodeRun(i, 50, 100, 'published:older'))).join('\n') + '\n');
      assert.equal(await machineCalibrationFromStore(old), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
