// llama.cpp's `-hf org/repo[:quant]` is the model the editor sizes, in a profile without `model:` and in each
// llama-swap model, from that model's own cmd: a model without a -hf does not borrow the next one's, and a
// commented-out -hf does not count. Offline here, so a Hub id is "not found" rather than "no model".
import * as assert from 'node:assert/strict';
import { analyzeForEditor } from '../../../src/core/editorAnalysis';
import { createModelResolver } from '../../../src/core/models/resolve';

const problems = async (text: string, file: string) =>
  (await analyzeForEditor(text, file, { modelResolver: createModelResolver({ network: 'off' }), defaultTargets: ['h100-sxm'] })).estimates.map((e) => e.problem);

describe('editor estimates: -hf models', () => {
  it('a profile without `model:` is sized by the -hf of its args', async () => {
    const [p] = await problems('engine:\n  kind: llama.cpp\n  args: "-hf org/repo:Q4_K_M -c 4096"\ntargets: [h100-sxm]\n', '/x/p.kvlens.yaml');
    assert.equal(p, 'model not found: org/repo:Q4_K_M');
    const [none] = await problems('engine:\n  kind: llama.cpp\n  args: "-c 4096"\ntargets: [h100-sxm]\n', '/x/p.kvlens.yaml');
    assert.match(none!, /^no model: set `model:` \(or -m, -hf\)/);
  });

  it('in a llama-swap file each model is read from its own cmd, and a commented -hf does not count', async () => {
    const text = [
      'models:',
      '  a:', '    cmd: |', '      llama-server --port ${PORT}', '      # -hf org/old',
      '  b:', '    cmd: llama-server --port ${PORT} -c 4096',
      '  c:', '    cmd: llama-server --port ${PORT} -hf org/c:Q8_0',
      '',
    ].join('\n');
    const [a, b, c] = await problems(text, '/x/llama-swap.yaml');
    assert.match(a!, /^no model: /);
    assert.match(b!, /^no model: /, 'the next model\'s -hf is not this one\'s');
    assert.equal(c, 'model not found: org/c:Q8_0');
  });
});
