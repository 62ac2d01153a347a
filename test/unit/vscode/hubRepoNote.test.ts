// A deployment without a model that names one with `-hf` is "not sized: needs the Hub", with the repo; the search
// stays inside that deployment's own lines (a llama-swap model without a model must not borrow the next one's -hf).
import * as assert from 'node:assert/strict';
import { analyzeForEditor } from '../../../src/core/editorAnalysis';
import { createModelResolver } from '../../../src/core/models/resolve';

const problems = async (text: string, file: string) =>
  (await analyzeForEditor(text, file, { modelResolver: createModelResolver({ network: 'off' }), defaultTargets: ['h100-sxm'] })).estimates.map((e) => e.problem);

describe('editor estimates: -hf without a model', () => {
  it('a profile without `model:` whose args use -hf is sized by that Hub id (offline here: not found, not "no model")', async () => {
    const [p] = await problems('engine:\n  kind: llama.cpp\n  args: "-hf org/repo:Q4_K_M -c 4096"\ntargets: [h100-sxm]\n', '/x/p.kvlens.yaml');
    assert.equal(p, 'model not found: org/repo:Q4_K_M');
  });

  it('in a llama-swap file each model is searched in its own lines, and a commented -hf does not count', async () => {
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
    assert.match(c!, /org\/c:Q8_0/);
  });
});
