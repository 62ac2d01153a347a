// The memory-fit rule: a diagnostic on the target entry (or the model line for targets from settings), stated
// with the same verdict as the lenses, and quick fixes that — applied — land in the green, not at 100 %.
import * as assert from 'node:assert/strict';
import { largestWhere, memoryFitRule, validTensorParallelSizes } from '../../../src/core/rules/memoryFit';
import { estimate } from '../../../src/core/estimator/estimate';
import { findHardware } from '../../../src/core/hardware/catalog';
import type { Deployment } from '../../../src/core/deployment';
import type { KvDiagnostic, Range } from '../../../src/core/diagnostics';
import type { RuleContext } from '../../../src/core/rules/rule';
import { LLAMA_8B, YI_34B, deployment } from './fixtures';

const r = (line: number, a: number, b: number): Range => ({ start: { line, character: a }, end: { line, character: b } });

function run(d: Deployment, extra: Partial<RuleContext> = {}, model = LLAMA_8B): KvDiagnostic[] {
  return memoryFitRule.run({ deployment: d, model, text: '', fileName: 'x.kvlens.yaml', baseDir: '/', fileExists: () => false, ...extra }) as KvDiagnostic[];
}

/** Apply a fix's edits to the deployment's engine the way the text edit would change the parsed settings. */
function applyFix(d: Deployment, newTexts: Record<string, string>): Deployment {
  const e = { ...d.engine };
  if (newTexts.contextSize) e.contextSize = Number(newTexts.contextSize);
  if (newTexts.cacheTypeK) e.cacheTypeK = newTexts.cacheTypeK;
  if (newTexts.cacheTypeV) e.cacheTypeV = newTexts.cacheTypeV;
  if (newTexts.parallel) e.parallel = Number(newTexts.parallel);
  if (newTexts.tensorParallel) e.tensorParallel = Number(newTexts.tensorParallel);
  if (newTexts.kvCacheDtype) e.kvCacheDtype = e.cacheTypeK = e.cacheTypeV = newTexts.kvCacheDtype;
  return { ...d, engine: e };
}

describe('memory-fit rule', () => {
  const ranges = { contextSize: r(5, 10, 16), cacheTypeK: r(5, 21, 24), cacheTypeV: r(5, 29, 32), parallel: r(5, 40, 41), tensorParallel: r(6, 10, 11), kvCacheDtype: r(7, 10, 14) };
  const keyOf = (range: Range): string => Object.entries(ranges).find(([, v]) => v.start.line === range.start.line && v.start.character === range.start.character)?.[0] ?? '?';

  it('reports "does not fit" on the target entry, with fixes that land under the green threshold', () => {
    const d = deployment({ contextSize: 131072, parallel: 2, flashAttention: 'on' }, { targets: [{ id: 'h100-sxm', range: r(9, 10, 18) }, { id: 'rtx-4090', range: r(9, 20, 28) }], settingRanges: ranges });
    const diags = run(d);
    assert.equal(diags.length, 1);
    const diag = diags[0];
    assert.equal(diag.code, 'memory-does-not-fit');
    assert.equal(diag.severity, 'error');
    assert.deepEqual(diag.range, r(9, 20, 28));
    assert.match(diag.message, /^GeForce RTX 4090 ✗ does not fit: \d+\.\d\/24 GiB \(weights /);
    const fixes = diag.fixes ?? [];
    assert.ok(fixes.length >= 2, fixes.map((f) => f.title).join('; '));
    assert.ok(fixes[0].preferred);
    assert.match(fixes[0].title, /cache/, 'a cheaper KV cache type is offered first: it keeps the context and the slots');
    const rtx = findHardware('rtx-4090')!;
    for (const f of fixes) {
      const texts = Object.fromEntries(f.edits.map((e) => [keyOf(e.range), e.newText]));
      const t = estimate(applyFix(d, texts), LLAMA_8B, [rtx], { whatIfs: false }).targets[0];
      assert.equal(t.memory.verdict, 'fits', `${f.title} lands in the green (${(t.memory.totalBytes / t.memory.capacityBytes * 100).toFixed(1)} % used)`);
    }
    const ctx = fixes.find((f) => /context/.test(f.title))!;
    assert.ok(ctx);
    const c = Number(ctx.edits[0].newText);
    assert.equal(c % (256 * 2), 0, 'whole 256-cell slots');
    // One more 256-cell unit per slot would leave the green.
    const over = estimate(applyFix(d, { contextSize: String(c + 512) }), LLAMA_8B, [rtx], { whatIfs: false }).targets[0];
    assert.notEqual(over.memory.verdict, 'fits');
  });

  it('with flash attention off, a cache-type fix quantizes only K (quantized V would be refused)', () => {
    const d = deployment({ contextSize: 32768, flashAttention: 'off' }, { targets: [{ id: 'rtx-4090', range: r(9, 0, 8) }], settingRanges: ranges });
    const diag = run(d)[0];
    assert.ok(diag, 'a memory diagnostic');
    const ct = (diag.fixes ?? []).find((f) => /cache/.test(f.title));
    assert.ok(ct, `a K-only cache-type fix is offered among ${JSON.stringify(diag.fixes?.map((f) => f.title))}`);
    assert.deepEqual(ct.edits.map((e) => keyOf(e.range)), ['cacheTypeK']);
    assert.ok(!(diag.fixes ?? []).some((f) => f.edits.some((e) => keyOf(e.range) === 'cacheTypeV')));
    const fixed = applyFix(d, { cacheTypeK: ct.edits[0].newText });
    assert.equal(estimate(fixed, LLAMA_8B, [findHardware('rtx-4090')!], { whatIfs: false }).targets[0].memory.verdict, 'fits');
    const withFa = run({ ...d, engine: { ...d.engine, flashAttention: 'on', contextSize: 131072 } })[0];
    const ctFa = (withFa?.fixes ?? []).find((f) => /cache/.test(f.title));
    assert.ok(ctFa && ctFa.edits.length === 2, 'K and V with flash attention');
  });

  it('fewer slots keep each slot\'s context', () => {
    const d = deployment({ contextSize: 131072, parallel: 8, flashAttention: 'on', cacheTypeK: 'q8_0', cacheTypeV: 'q8_0' }, { targets: [{ id: 'rtx-4090', range: r(9, 0, 8) }], settingRanges: { parallel: ranges.parallel, contextSize: ranges.contextSize } });
    const diag = run(d)[0];
    const np = (diag?.fixes ?? []).find((f) => /slot/.test(f.title));
    if (!np) return assert.fail(`no slot fix among ${JSON.stringify(diag?.fixes?.map((f) => f.title))}`);
    const texts = Object.fromEntries(np.edits.map((e) => [keyOf(e.range), e.newText]));
    assert.equal(Number(texts.contextSize) / Number(texts.parallel), 131072 / 8);
    assert.equal(estimate(applyFix(d, texts), LLAMA_8B, [findHardware('rtx-4090')!], { whatIfs: false }).targets[0].memory.verdict, 'fits');
  });

  it('vLLM whose weights exceed the GPU: the fix is a tensor-parallel size that splits the heads evenly', () => {
    const d = deployment({ kind: 'vllm', contextSize: 32768, tensorParallel: 1, kvCacheDtype: 'auto', cacheTypeK: 'auto', cacheTypeV: 'auto' }, { targets: [], settingRanges: { tensorParallel: ranges.tensorParallel, contextSize: ranges.contextSize }, model: { ref: 'x', range: r(0, 7, 30) } });
    const diags = run(d, { defaultTargets: ['h100-sxm'] }, YI_34B);
    assert.equal(diags.length, 1, JSON.stringify(diags.map((x) => x.message)));
    assert.deepEqual(diags[0].range, r(0, 7, 30), 'on the model line: the targets come from settings');
    const tp = diags[0].fixes?.[0];
    assert.ok(tp && /tensor-parallel-size to (\d+)/.test(tp.title), JSON.stringify(diags[0].fixes));
    const n = Number(tp.edits[0].newText);
    assert.ok(validTensorParallelSizes(YI_34B).includes(n) && 56 % n === 0);
    const t = estimate(applyFix(d, { tensorParallel: String(n) }), YI_34B, [findHardware('h100-sxm')!], { whatIfs: false }).targets[0];
    assert.equal(t.memory.verdict, 'fits');
  });

  it('is quiet when everything fits, and flags unknown targets with suggestions', () => {
    const d = deployment({ contextSize: 8192 }, { targets: [{ id: 'h100-sxm', range: r(1, 0, 8) }, { id: 'h100', range: r(1, 10, 14) }], settingRanges: ranges });
    const diags = run(d);
    assert.equal(diags.length, 1);
    assert.equal(diags[0].code, 'unknown-target');
    assert.ok((diags[0].fixes ?? []).some((f) => f.edits[0].newText === 'h100-sxm'));
    assert.deepEqual(memoryFitRule.run({ deployment: d, model: undefined, text: '', fileName: 'x', baseDir: '/', fileExists: () => false }), diags);
  });

  it('searches are bounded: bisection calls the predicate O(log n) times', () => {
    let calls = 0;
    const got = largestWhere(1, 1 << 20, (n) => { calls++; return n <= 777_777; });
    assert.equal(got, 777_777);
    assert.ok(calls <= 23, `${calls} calls`);
    assert.equal(largestWhere(1, 10, () => false), undefined);
    assert.equal(largestWhere(5, 4, () => true), undefined);
  });
});
