// The editor's wording of an estimate (CodeLens, status bar, details), on plain Node: src/vscode/text.ts imports
// no 'vscode'.
import * as assert from 'node:assert/strict';
import type { EstimateReport, TargetEstimate } from '../../../src/core/estimator/report';
import { bytesText, compactLensText, engineLensText, fitText, lensText, pickPrimary, secondsText, statusText, tokensText, estimateMarkdown } from '../../../src/vscode/text';
import { deploymentVerdicts, MAX_LENS_COLUMNS, targetVerdict } from '../../../src/core/verdict';
import type { Deployment } from '../../../src/core/deployment';

const GIB = 1024 ** 3;

function target(id: string, name: string, over: Partial<TargetEstimate['memory']> = {}): TargetEstimate {
  return {
    id, name, devices: 1,
    memory: { weightsBytes: 16 * GIB, kvBytes: 8 * GIB, kvBytesPerToken: 69632, computeBytes: GIB, totalBytes: 41.2 * GIB, capacityBytes: 80 * GIB, fits: true, verdict: 'fits', headroomBytes: 38.8 * GIB, ...over },
    concurrency: { maxSequences: 12, atContext: 32768 },
    perf: { prefillTokensPerSec: 19500, ttftSec: 0.21, decodeTokensPerSec: 143.4, tpotSec: 0.007, contextSwitchSec: 0.1, bound: 'memory', band: 0.3,
      theoretical: { prefillTokensPerSec: 30000, ttftSec: 0.14, decodeTokensPerSec: 200, tpotSec: 0.005 } },
    assumptions: ['efficiency 0.7 of peak bandwidth'],
  };
}

function report(targets: TargetEstimate[]): EstimateReport {
  return {
    model: { name: 'Llama <b>', architecture: 'llama', layers: 32, kvHeads: 8, headDim: 128, params: 8.03e9, activeParams: 8.03e9, weightsBytes: 16 * GIB },
    engine: { kind: 'llama.cpp', contextSize: 32768, parallel: 4, cacheTypeK: 'q8_0', cacheTypeV: 'q8_0', flashAttention: 'on', tensorParallel: 1, kvBytesPerToken: 69632 },
    workload: { promptTokens: 4096, outputTokens: 256, concurrency: 4 },
    targets, warnings: [],
  };
}

describe('vscode/text', () => {
  it('writes a short CodeLens per target: verdict, memory, users, then speed while it fits in 80 columns', () => {
    const r = report([target('h100-sxm', 'H100 SXM')]);
    const v = targetVerdict(r, r.targets[0]);
    assert.equal(lensText(v), 'H100 SXM ✓ 41.2/80 GiB · 12 users @32K · TTFT 0.21 s · 143 tok/s');
    assert.equal(compactLensText(v), 'H100 SXM ✓ 41.2/80 GiB · 12 users @32K');
    const long = targetVerdict(r, { ...r.targets[0], name: 'NVIDIA A Very Long Accelerator Name That Someone Typed Into Settings', devices: 8 });
    assert.ok([...lensText(long)].length <= MAX_LENS_COLUMNS, lensText(long));
    assert.match(lensText(long), /✓ 41\.2\/80 GiB · 12 users @32K/);
  });

  it('a target that does not fit or will not start shows why instead of speed figures', () => {
    const r = report([target('rtx-4090', 'RTX 4090', { verdict: 'does-not-fit', fits: false, totalBytes: 27.3 * GIB, capacityBytes: 24 * GIB })]);
    const v = targetVerdict(r, r.targets[0]);
    assert.equal(lensText(v), 'RTX 4090 ✗ 27.3/24 GiB · does not fit');
    assert.equal(v.speed, undefined);
    assert.equal(statusText(v), '$(error) RTX 4090 27.3/24 GiB');
    const tight = targetVerdict(r, { ...r.targets[0], memory: { ...r.targets[0].memory, verdict: 'tight', fits: true, totalBytes: 22 * GIB } });
    assert.equal(statusText(tight), '$(warning) RTX 4090 22.0/24 GiB');
    const ok = target('h100-sxm', 'H100 SXM');
    const blocked = targetVerdict(report([ok]), ok, [{ severity: 'error', code: 'tensor-parallel-heads', message: 'tensor-parallel-size 3 does not divide 64 attention heads; vLLM will not start.', range: { start: { line: 1, character: 0 }, end: { line: 1, character: 1 } } }]);
    assert.equal(blocked.state, 'will-not-start');
    assert.match(lensText(blocked), /^H100 SXM ✗ won't start: tensor-parallel-size 3 does not divide 64 attention/);
    assert.equal([...lensText(blocked)].length, MAX_LENS_COLUMNS, 'cut at 80 columns with an ellipsis');
    assert.doesNotMatch(lensText(blocked), /tok\/s/);
    assert.equal(statusText(blocked), "$(error) H100 SXM won't start");
  });

  it('the engine lens says what the engine allocates', () => {
    const r = report([target('h100-sxm', 'H100 SXM')]);
    r.engine.kvCells = 32768;
    r.targets[0].memory.kvBytes = 69632 * 32768;
    assert.equal(engineLensText(r, { speculative: undefined } as unknown as Deployment), 'llama.cpp · KV q8_0 68.0 KiB/token · 32K cells = 2.1 GiB · 4 slots × 8K · fa on');
  });

  it('never prints NaN or undefined', () => {
    const t = target('x', 'X', { totalBytes: NaN, kvBytes: undefined as unknown as number });
    t.perf.ttftSec = Infinity;
    const r = report([t]);
    const v = targetVerdict(r, t);
    const s = lensText(v) + statusText(v) + estimateMarkdown(r, 'p');
    assert.doesNotMatch(s, /NaN|undefined|Infinity/);
    assert.equal(bytesText(undefined), '? GiB');
    assert.equal(secondsText(NaN), '? s');
    assert.equal(fitText(NaN, 24 * GIB), '?/24 GiB');
  });

  it('writes contexts as people do', () => {
    assert.equal(tokensText(32768), '32K');
    assert.equal(tokensText(100000), '100,000');
    assert.equal(secondsText(0.0042), '4.2 ms');
    assert.equal(secondsText(12.34), '12.3 s');
  });

  it('picks the configured primary target, else the first', () => {
    const a = report([target('h100-sxm', 'H100 SXM'), target('rtx-4090', 'RTX 4090')]);
    const z = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const d = { name: 'd', format: 'kvlens-profile', anchor: z, targets: [] } as unknown as Deployment;
    const [va] = deploymentVerdicts([{ deployment: d, report: a }], []);
    const [none] = deploymentVerdicts([{ deployment: d, problem: 'no model' }], []);
    assert.equal(pickPrimary([va], 'rtx-4090')?.target.id, 'rtx-4090');
    assert.equal(pickPrimary([va], 'nope')?.target.id, 'h100-sxm');
    assert.equal(pickPrimary([none, va], undefined)?.deployment, 1);
    assert.equal(pickPrimary([none], undefined), undefined);
  });

  it('escapes names from files in the Markdown details', () => {
    const md = estimateMarkdown(report([target('h100-sxm', 'H100 SXM')]), 'x');
    assert.ok(md.includes('Llama \\<b\\>'), md);
    assert.ok(!md.includes('<b>'));
  });
});
