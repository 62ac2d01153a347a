// The editor's wording of an estimate (CodeLens, status bar, details), on plain Node: src/vscode/text.ts imports
// no 'vscode'.
import * as assert from 'node:assert/strict';
import type { EstimateReport, TargetEstimate } from '../../../src/core/estimator/report';
import { bytesText, fitText, lensTitle, pickPrimary, secondsText, statusText, tokensText, estimateMarkdown } from '../../../src/vscode/text';

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
  it('writes a CodeLens in the issue\'s shape', () => {
    const r = report([target('h100-sxm', 'H100 SXM')]);
    assert.equal(lensTitle(r, r.targets[0]), 'H100 SXM ✓ 41.2/80 GiB · KV 8.0 GiB q8_0 · 12 users @32K · TTFT 0.21 s · 143 tok/s/user');
  });

  it('marks tight and not-fitting targets and shows mixed K/V types', () => {
    const r = report([target('rtx-4090', 'RTX 4090', { verdict: 'does-not-fit', fits: false, totalBytes: 27.3 * GIB, capacityBytes: 24 * GIB })]);
    r.engine.cacheTypeV = 'q4_0';
    assert.match(lensTitle(r, r.targets[0]), /^RTX 4090 ✗ 27\.3\/24 GiB · KV 8\.0 GiB K q8_0\/V q4_0 · /);
    assert.equal(statusText(r.targets[0]), '$(error) RTX 4090 27.3/24 GiB');
    r.targets[0].memory.verdict = 'tight';
    assert.equal(statusText(r.targets[0]), '$(warning) RTX 4090 27.3/24 GiB');
  });

  it('never prints NaN or undefined', () => {
    const t = target('x', 'X', { totalBytes: NaN, kvBytes: undefined as unknown as number });
    t.perf.ttftSec = Infinity;
    const r = report([t]);
    const s = lensTitle(r, t) + statusText(t) + estimateMarkdown(r, 'p');
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
    assert.equal(pickPrimary([a], 'rtx-4090')?.target.id, 'rtx-4090');
    assert.equal(pickPrimary([a], 'nope')?.target.id, 'h100-sxm');
    assert.equal(pickPrimary([undefined, a], undefined)?.deployment, 1);
    assert.equal(pickPrimary([undefined], undefined), undefined);
  });

  it('escapes names from files in the Markdown details', () => {
    const md = estimateMarkdown(report([target('h100-sxm', 'H100 SXM')]), 'x');
    assert.ok(md.includes('Llama \\<b\\>'), md);
    assert.ok(!md.includes('<b>'));
  });
});
