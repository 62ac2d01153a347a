// The memory-fit rule: a diagnostic on the target entry, with quick fixes that really make it fit.
import * as assert from 'node:assert/strict';
import { memoryFitRule } from '../../../src/core/rules/memoryFit';
import { estimate } from '../../../src/core/estimator/estimate';
import { findHardware } from '../../../src/core/hardware/catalog';
import type { Deployment } from '../../../src/core/deployment';
import type { KvDiagnostic, Range } from '../../../src/core/diagnostics';
import { LLAMA_8B, deployment } from './fixtures';

const r = (line: number, a: number, b: number): Range => ({ start: { line, character: a }, end: { line, character: b } });

function run(d: Deployment): KvDiagnostic[] {
  return memoryFitRule.run({ deployment: d, model: LLAMA_8B, text: '', fileName: 'x.kvlens.yaml', baseDir: '/', fileExists: () => false }) as KvDiagnostic[];
}

/** Apply a fix's edits to the deployment's engine the way the text edit would change the parsed settings. */
function applyFix(d: Deployment, newTexts: Record<string, string>): Deployment {
  const e = { ...d.engine };
  if (newTexts.contextSize) e.contextSize = Number(newTexts.contextSize);
  if (newTexts.cacheTypeK) e.cacheTypeK = newTexts.cacheTypeK;
  if (newTexts.cacheTypeV) e.cacheTypeV = newTexts.cacheTypeV;
  if (newTexts.parallel) e.parallel = Number(newTexts.parallel);
  return { ...d, engine: e };
}

describe('memory-fit rule', () => {
  const ranges = { contextSize: r(5, 10, 16), cacheTypeK: r(5, 21, 24), cacheTypeV: r(5, 29, 32), parallel: r(5, 40, 41) };
  const keyOf = (range: Range): string => Object.entries(ranges).find(([, v]) => v.start.character === range.start.character)?.[0] ?? '?';

  it('reports "does not fit" on the target entry, with fixes that fit when applied', () => {
    const d = deployment({ contextSize: 131072, parallel: 2, flashAttention: 'on' }, { targets: [{ id: 'h100-sxm', range: r(9, 10, 18) }, { id: 'rtx-4090', range: r(9, 20, 28) }], settingRanges: ranges });
    const diags = run(d);
    assert.equal(diags.length, 1);
    const diag = diags[0];
    assert.equal(diag.code, 'memory-does-not-fit');
    assert.equal(diag.severity, 'error');
    assert.deepEqual(diag.range, r(9, 20, 28));
    assert.match(diag.message, /^does not fit on rtx-4090: needs \d+(\.\d)? GiB of 24 GiB/);
    const fixes = diag.fixes ?? [];
    assert.ok(fixes.length >= 2, fixes.map((f) => f.title).join('; '));
    assert.ok(fixes[0].preferred);
    for (const f of fixes) {
      const texts = Object.fromEntries(f.edits.map((e) => [keyOf(e.range), e.newText]));
      const fixed = applyFix(d, texts);
      const t = estimate(fixed, LLAMA_8B, [findHardware('rtx-4090')!], { whatIfs: false }).targets[0];
      assert.ok(t.memory.fits, `${f.title} makes it fit`);
    }
    const ctx = fixes.find((f) => /context/.test(f.title));
    assert.ok(ctx);
    const c = Number(ctx.edits[0].newText);
    // 256 more tokens per slot would not fit.
    const over = estimate(applyFix(d, { contextSize: String(c + 512) }), LLAMA_8B, [findHardware('rtx-4090')!], { whatIfs: false }).targets[0];
    assert.ok(!over.memory.fits);
  });

  it('with flash attention off, a cache-type fix quantizes only K (quantized V would be refused)', () => {
    const d = deployment({ contextSize: 57344, flashAttention: 'off' }, { targets: [{ id: 'rtx-4090', range: r(9, 0, 8) }], settingRanges: ranges });
    const diag = run(d)[0];
    assert.equal(diag?.code, 'memory-does-not-fit');
    const ct = (diag.fixes ?? []).find((f) => /cache/.test(f.title));
    assert.ok(ct, 'a K-only cache-type fix is offered');
    assert.deepEqual(ct.edits.map((e) => keyOf(e.range)), ['cacheTypeK']);
    assert.ok(!(diag.fixes ?? []).some((f) => f.edits.some((e) => keyOf(e.range) === 'cacheTypeV')));
    const fixed = applyFix(d, { cacheTypeK: ct.edits[0].newText });
    assert.ok(estimate(fixed, LLAMA_8B, [findHardware('rtx-4090')!], { whatIfs: false }).targets[0].memory.fits);
    // The same settings with flash attention on may quantize V too.
    const withFa = run({ ...d, engine: { ...d.engine, flashAttention: 'on', contextSize: 131072 } })[0];
    const ctFa = (withFa?.fixes ?? []).find((f) => /cache/.test(f.title));
    assert.ok(ctFa && ctFa.edits.length === 2, 'K and V with flash attention');
  });

  it('is quiet when everything fits, and flags unknown targets with suggestions', () => {
    const d = deployment({ contextSize: 8192 }, { targets: [{ id: 'h100-sxm', range: r(1, 0, 8) }, { id: 'h100', range: r(1, 10, 14) }], settingRanges: ranges });
    const diags = run(d);
    assert.equal(diags.length, 1);
    assert.equal(diags[0].code, 'unknown-target');
    assert.ok((diags[0].fixes ?? []).some((f) => f.edits[0].newText === 'h100-sxm'));
    assert.deepEqual(memoryFitRule.run({ deployment: d, model: undefined, text: '', fileName: 'x', baseDir: '/', fileExists: () => false }), diags);
  });
});
