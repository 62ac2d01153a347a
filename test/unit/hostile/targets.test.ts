// Custom targets with figures no hardware has: a clear error (an error diagnostic in a profile), never an
// Infinity that becomes a capacity of 0 that "fits".
import * as assert from 'node:assert/strict';
import { customTarget, resolveTargets } from '../../../src/core/hardware/targets';
import { analyzeText } from '../../../src/core/formats/analyze';

describe('custom targets with impossible figures', () => {
  it('refuses non-finite, negative, zero and absurd figures, naming the field', () => {
    for (const [k, v] of [['memoryGiB', 1e308], ['memoryGiB', -1], ['memoryGiB', 0], ['bandwidthGBs', Infinity], ['devices', 1e9], ['memoryGiB', 'lots']] as const) {
      const t = customTarget({ id: 'g', memoryGiB: 24, bandwidthGBs: 1000, [k]: v });
      assert.equal(typeof t, 'string', `${k}: ${v}`);
      assert.match(t as string, new RegExp(`custom target 'g': ${k} must be a number above 0`));
    }
    assert.match(customTarget({ id: 'g', memoryGiB: 24, bandwidthGBs: 1000, tflops: { bf16: 1e30 } }) as string, /tflops\.bf16/);
    assert.match(customTarget({ id: 'g', base: 'h100-sxm', efficiency: { compute: 2 } }) as string, /efficiency\.compute/);
    const ok = customTarget({ id: 'g', memoryGiB: 24, bandwidthGBs: 1000 });
    assert.equal(typeof ok, 'object');
    const r = resolveTargets([{ inline: { id: 'big', memoryGiB: 1e308, bandwidthGBs: 1000 } }]);
    assert.equal(r.targets.length, 0);
    assert.equal(r.errors[0]?.invalid, true);
  });

  it('in a profile it is an error on the target, so `kvlens check` exits 1', async () => {
    const text = 'model: meta-llama/Llama-3.1-8B-Instruct\nengine: {kind: llama.cpp, args: "-c 4096"}\ntargets: [{id: big, memoryGiB: 1e308, bandwidthGBs: 1000}]\n';
    const a = await analyzeText(text, 't.kvlens.yaml');
    const d = a.diagnostics.find((x) => x.code === 'invalid-target');
    assert.equal(d?.severity, 'error', JSON.stringify(a.diagnostics));
    assert.match(d!.message, /memoryGiB must be a number above 0 and at most 1,048,576/);
  });
});
