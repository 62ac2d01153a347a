// A speculative draft that is still being looked up (a slow Hub or GGUF read: the editor's PendingResolver answers
// `pending` after 150 ms) must not give an estimate without the draft's weights and KV: the deployment says
// "resolving <draft> (draft)…" until the lookup settles, then the estimate is the one a waiting caller gets.
// The slowness is a stand-in (a delay around the real catalog resolver); the analysis and estimate are real.
import * as assert from 'node:assert/strict';
import { analyzeForEditor } from '../../../src/core/editorAnalysis';
import { createModelResolver } from '../../../src/core/models/resolve';
import { PendingResolver } from '../../../src/vscode/pendingResolver';

const DRAFT = 'meta-llama/Llama-3.2-1B-Instruct';
const PROFILE = [
  'model: meta-llama/Llama-3.1-70B-Instruct',
  'engine:',
  '  kind: vllm',
  '  options: { tensor-parallel-size: 4, max-model-len: 32768, kv-cache-dtype: fp8 }',
  'targets: [h100-sxm]',
  'speculative:',
  `  draft: ${DRAFT}`,
  '  acceptanceRate: 0.7',
  '',
].join('\n');

describe('editor estimates: a draft still being looked up', () => {
  it('is "resolving … (draft)" until it settles, then includes the draft in memory like a waiting lookup', async () => {
    const inner = createModelResolver({ network: 'off' });
    let settled = 0;
    const slow = {
      resolve: async (ref: string, dir: string) => {
        await new Promise((r) => setTimeout(r, 120));
        return inner.resolve(ref, dir);
      },
    };
    // Only the draft's lookup is slow (the model answers at once, however loaded the machine is).
    const pending = new PendingResolver(slow, { waitMs: 30, onSettled: () => { settled++; } });
    const editor = { resolve: (ref: string, dir: string) => (ref === DRAFT ? pending.resolve(ref, dir) : inner.resolve(ref, dir)) };
    const analyse = (modelResolver: Parameters<typeof analyzeForEditor>[2]['modelResolver']) =>
      analyzeForEditor(PROFILE, '/ws/p.kvlens.yaml', { modelResolver, defaultTargets: [] });

    const first = await analyse(editor);
    assert.equal(first.estimates[0].pending, true);
    assert.equal(first.estimates[0].report, undefined, 'no estimate that leaves the draft out');
    assert.equal(first.verdicts[0].problem, `resolving ${DRAFT} (draft)…`);
    assert.equal(first.verdicts[0].pending, true);

    for (const t0 = Date.now(); settled === 0 && Date.now() - t0 < 10_000;) await new Promise((r) => setTimeout(r, 20));
    assert.equal(settled, 1, 'the settled draft is announced, so the editor analyses again');
    const again = await analyse(editor);
    const want = await analyse(createModelResolver({ network: 'off' }));
    const mem = again.estimates[0].report!.targets[0].memory;
    assert.ok(mem.draftBytes && mem.draftBytes > 0, 'the draft is in memory');
    assert.equal(again.verdicts[0].targets[0].summary, want.verdicts[0].targets[0].summary);
    assert.equal(again.estimates[0].pending, undefined);
  });

  it('a draft that cannot be found is left out of memory, and the assumptions say so', async () => {
    const text = PROFILE.replace(DRAFT, 'nobody/no-such-draft');
    const r = await analyzeForEditor(text, '/ws/p.kvlens.yaml', { modelResolver: createModelResolver({ network: 'off' }), defaultTargets: [] });
    const t = r.estimates[0].report!.targets[0];
    assert.equal(t.memory.draftBytes, undefined);
    assert.ok(t.assumptions.some((a) => /no draft model descriptor for 'nobody\/no-such-draft'.*leaves out the draft's weights and KV/.test(a)), JSON.stringify(t.assumptions));
  });
});
