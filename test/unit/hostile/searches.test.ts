// Bounded searches: the slot-count quick fix bisects (the same answer as trying every count, in a few estimates),
// and catalog suggestions skip references no model id is near (a 3 MB `model:` string costs nothing).
import * as assert from 'node:assert/strict';
import { memoryFitRule } from '../../../src/core/rules/memoryFit';
import { estimate } from '../../../src/core/estimator/estimate';
import { findHardware } from '../../../src/core/hardware/catalog';
import type { Deployment } from '../../../src/core/deployment';
import type { KvDiagnostic, Range } from '../../../src/core/diagnostics';
import { createModelResolver } from '../../../src/core/models/resolve';
import { LLAMA_8B, deployment } from '../estimator/fixtures';

const r = (line: number, a: number, b: number): Range => ({ start: { line, character: a }, end: { line, character: b } });

function slotFix(d: Deployment): number | undefined {
  const diags = memoryFitRule.run({ deployment: d, model: LLAMA_8B, text: '', fileName: 'x.kvlens.yaml', baseDir: '/', fileExists: () => false }) as KvDiagnostic[];
  const fix = diags.flatMap((x) => x.fixes ?? []).find((f) => /parallel slot/.test(f.title));
  return fix ? Number(fix.edits[0]!.newText) : undefined;
}

describe('bounded searches', () => {
  const ranges = { contextSize: r(5, 10, 16), parallel: r(5, 40, 41) };
  const target = { id: 'rtx-4090', range: r(9, 20, 28) };

  // The slot fix keeps each slot's context (-c shrinks with -np unless the cache is unified) and wants a green
  // verdict (fits with headroom), as the editor's quick fixes do.
  const greenWith = (d: Deployment, n: number) => {
    const perSlot = d.engine.unifiedKv ? undefined : (d.engine.contextSize ?? 0) / (d.engine.parallel ?? 1);
    const engine = { ...d.engine, parallel: n, ...(perSlot ? { contextSize: Math.round(perSlot * n) } : {}) };
    const m = estimate({ ...d, engine }, LLAMA_8B, [findHardware('rtx-4090')!], { whatIfs: false }).targets[0]!.memory;
    return (m.verdict ?? (m.fits ? 'fits' : 'does-not-fit')) === 'fits';
  };

  it('the slot fix is green and one more slot is not; it is what a linear scan finds', () => {
    let withFix = 0;
    for (const [c, np, unifiedKv] of [[131072, 8, false], [200000, 64, false], [262144, 512, false], [110000, 300, true]] as const) {
      const d = deployment({ contextSize: c, parallel: np, flashAttention: 'on', unifiedKv }, { targets: [target], settingRanges: ranges });
      assert.equal(greenWith(d, np), false, `-c ${c} -np ${np} should not fit for this test`);
      const got = slotFix(d);
      let linear: number | undefined;
      for (let n = np - 1; n >= 1; n--) if (greenWith(d, n)) { linear = n; break; }
      assert.equal(got, linear, `-c ${c} -np ${np}${unifiedKv ? ' -kvu' : ''}: fix ${got}, linear scan ${linear}`);
      if (got !== undefined) {
        withFix++;
        assert.ok(greenWith(d, got) && !greenWith(d, got + 1), `-c ${c} -np ${np}: fix ${got}`);
      }
    }
    assert.ok(withFix >= 3, 'the cases with a per-slot cache get a slot fix');
  });

  it('-np 2147483647 gets its fix in well under a second', () => {
    const d = deployment({ contextSize: 8192, parallel: 2147483647 }, { targets: [target], settingRanges: ranges });
    const t0 = Date.now();
    const n = slotFix(d);
    assert.ok(Date.now() - t0 < 1000, `${Date.now() - t0} ms`);
    assert.ok(n === undefined || (n >= 1 && n < 2147483647));
  });

  it('catalog suggestions: near misses still suggest, a 3 MB reference returns at once with none', async () => {
    const res = createModelResolver();
    const near = await res.resolve('meta-llama/Llama-3.1-8B-Instruc', '/');
    assert.match(near.error ?? '', /did you mean meta-llama\/Llama-3\.1-8B-Instruct/);
    const t0 = Date.now();
    const huge = await res.resolve('m'.repeat(3_000_000), '/');
    assert.ok(Date.now() - t0 < 500, `${Date.now() - t0} ms`);
    assert.equal(huge.kind, 'missing');
    assert.doesNotMatch(huge.error ?? '', /did you mean/);
  });
});
