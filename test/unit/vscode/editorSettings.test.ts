// The editor's settings reach the analysis: `kvlens.vllm.version` picks the option table (an option newer than
// that version is flagged), `kvlens.pathMappings` maps a server path to this machine (the model there is read,
// and the "not on this machine" note goes away). src/vscode/config.ts reads the settings; analysisService passes
// them to analyzeForEditor exactly as here.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeForEditor } from '../../../src/core/editorAnalysis';
import { findCatalogModel } from '../../../src/core/models/catalog';
import { createModelResolver } from '../../../src/core/models/resolve';

const run = (text: string, extra: { vllmVersion?: string; pathMappings?: Record<string, string> } = {}) =>
  analyzeForEditor(text, '/virtual/serve-vllm.yaml', { format: 'vllm', modelResolver: createModelResolver({ network: 'off' }), defaultTargets: ['h100-sxm'], ...extra });

describe('editor settings in the analysis', () => {
  it('kvlens.vllm.version: `max-model-len: auto` is fine for the newest vLLM, not for 0.11', async () => {
    const text = 'model: meta-llama/Llama-3.1-8B-Instruct\nmax-model-len: auto\n';
    assert.deepEqual((await run(text)).diagnostics.map((d) => d.code), []);
    const old = await run(text, { vllmVersion: '0.11' });
    assert.deepEqual(old.diagnostics.map((d) => [d.code, d.range.start.line]), [['invalid-type', 1]]);
  });

  it('kvlens.pathMappings: a server path is read from the mapped local folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-pm-'));
    try {
      fs.mkdirSync(path.join(dir, 'Qwen3-8B'));
      fs.writeFileSync(path.join(dir, 'Qwen3-8B', 'config.json'), JSON.stringify({ architectures: ['Qwen3ForCausalLM'], ...findCatalogModel('Qwen/Qwen3-8B')!.config }));
      const text = 'model: /models/Qwen3-8B\nmax-model-len: 8192\n';
      const unmapped = await run(text);
      assert.ok(unmapped.diagnostics.some((d) => d.code === 'model-not-here'));
      const mapped = await run(text, { pathMappings: { '/models': dir } });
      assert.deepEqual(mapped.diagnostics.map((d) => d.code), []);
      const m = mapped.estimates[0].model!;
      assert.equal(m.source.kind, 'hf-config');
      assert.equal(path.resolve(String(m.source.path)), path.join(dir, 'Qwen3-8B', 'config.json'));
      assert.ok(mapped.estimates[0].report && mapped.verdicts[0].targets.length === 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
