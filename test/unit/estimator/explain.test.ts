import * as assert from 'node:assert/strict';
import { explainDeploymentKv, explainKvCache, explainTarget, md } from '../../../src/core/estimator/explain';
import { llamaKvCache } from '../../../src/core/estimator/kvCache';
import { estimate } from '../../../src/core/estimator/estimate';
import { findHardware } from '../../../src/core/hardware/catalog';
import { GEMMA2_9B, LLAMA_8B, deployment } from './fixtures';

describe('explain', () => {
  it('plugs the numbers into the KV formula', () => {
    const kv = llamaKvCache(LLAMA_8B, { nCtx: 32768, nSeq: 4, typeK: 'q8_0', typeV: 'q8_0', flashAttention: 'on' });
    const text = explainKvCache(LLAMA_8B, kv);
    assert.ok(text.includes('2 × 32 layers × 8 KV heads × 128 head_dim × 1.0625 B (q8_0) = **69,632 B/token**'), text);
    assert.ok(text.includes('8,192 cells per stream'));
    assert.ok(text.includes('× 4 stream(s)'));
    assert.ok(/2,281,701,376 B/.test(text));
  });

  it('explains SWA sizing and escapes names from files', () => {
    const kv = llamaKvCache(GEMMA2_9B, { nCtx: 32768 });
    assert.match(explainKvCache(GEMMA2_9B, kv), /21 sliding-window layer\(s\) × 4,608 cells/);
    assert.equal(md('<img src=x onerror=alert(1)>'), '\\<img src=x onerror=alert\\(1\\)\\>');
    const evil = { ...LLAMA_8B, name: '<img src=x onerror=alert(1)>' };
    const r = estimate(deployment({ contextSize: 8192 }), evil, [findHardware('h100-sxm')!]);
    const all = explainTarget(r, r.targets[0]);
    assert.ok(!/(^|[^\\])<img/.test(all), 'every < from the model name is escaped');
    assert.ok(all.includes('\\<img'));
    assert.match(all, /TTFT/);
    assert.match(all, /fits < 85 %/);
  });
});

describe('explainDeploymentKv', () => {
  it('uses the deployment\'s own settings', () => {
    const text = explainDeploymentKv(deployment({ contextSize: 1000, parallel: 3, cacheTypeK: 'q4_0', cacheTypeV: 'q4_0', flashAttention: 'on' }), LLAMA_8B);
    assert.match(text, /0\.5625 B \(q4_0\) = \*\*36,864 B\/token\*\*/);
    assert.match(text, /3 sequence\(s\) × PAD\(n_ctx \/ 3, 256\) = 512 cells per stream/);
    const v = explainDeploymentKv(deployment({ kind: 'vllm', contextSize: 4096, kvCacheDtype: 'fp8', tensorParallel: 2 }), LLAMA_8B);
    assert.match(v, /× 1 B \(kv-cache-dtype fp8\) = \*\*65,536 B\/token\*\* ÷ TP 2 = 32,768 B\/token per GPU/);
  });
});
