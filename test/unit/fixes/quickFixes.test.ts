// A quick fix for every diagnostic that has one obvious fix: for each code, a file that has the mistake; the
// preferred fix is applied to the text (as VS Code applies the WorkspaceEdit) and the file is checked again —
// the diagnostic is gone and nothing else (no error, no warning) is left.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyzeText } from '../../../src/core/formats/analyze';
import type { KvDiagnostic } from '../../../src/core/diagnostics';
import { applyEdits } from '../../../src/core/fixes/edits';
import { createModelResolver } from '../../../src/core/models/resolve';

const DIR = path.resolve(__dirname, 'virtual');
const resolver = createModelResolver();

interface Case {
  code: string;
  /** What it is about, for the test name. */
  what: string;
  file: string;
  text: string;
  /** The preferred fix's title matches this. */
  title?: RegExp;
  /** The text after the fix contains this. */
  after?: string | RegExp;
  /** Targets for files without `targets:` (the editor's kvlens.targets.default). */
  defaults?: string[];
}

const P8B = 'model: meta-llama/Llama-3.1-8B-Instruct\n';
const CASES: Case[] = [
  { code: 'unknown-key', what: 'a misspelt profile key', file: 'a.kvlens.yaml', text: `${P8B}engine: {kind: llama.cpp, args: "-c 8192"}\nworkload: {concurency: 2}\ntargets: [h100-sxm]\n`, after: 'concurrency: 2' },
  { code: 'unknown-key', what: 'a misspelt vLLM option', file: 'serve-vllm.yaml', text: `${P8B}gpu-memory-utilisation: 0.9\n`, defaults: ['h100-sxm'], after: 'gpu-memory-utilization: 0.9' },
  { code: 'unlisted-value', what: 'kv-cache-dtype: q8_0 (a llama.cpp type in vLLM) → fp8', file: 'serve-vllm.yaml', text: `${P8B}kv-cache-dtype: q8_0\n`, defaults: ['h100-sxm'], after: 'kv-cache-dtype: fp8' },
  { code: 'invalid-value', what: 'a llama.cpp flag value', file: 'a.kvlens.yaml', text: `${P8B}engine: {kind: llama.cpp, args: "-c 8192 -fa onn"}\ntargets: [h100-sxm]\n`, after: '-fa on"' },
  { code: 'out-of-range', what: 'gpu-memory-utilization: 92 → 0.92', file: 'serve-vllm.yaml', text: `${P8B}gpu-memory-utilization: 92\n`, defaults: ['h100-sxm'], after: 'gpu-memory-utilization: 0.92' },
  { code: 'out-of-range', what: 'a quoted "92" → "0.92"', file: 'serve-vllm.yaml', text: `${P8B}gpu-memory-utilization: "92"\n`, defaults: ['h100-sxm'], after: 'gpu-memory-utilization: "0.92"' },
  { code: 'out-of-range', what: 'acceptanceRate: 80 → 0.8', file: 'a.kvlens.yaml', text: `${P8B}engine: {kind: llama.cpp, args: "-c 8192"}\ntargets: [h100-sxm]\nspeculative: {draft: meta-llama/Llama-3.2-1B-Instruct, acceptanceRate: 80}\n`, after: 'acceptanceRate: 0.8' },
  { code: 'invalid-type', what: 'engine: llama.cpp written as a string', file: 'a.kvlens.yaml', text: `${P8B}engine: llama.cpp\ntargets: [h100-sxm]\n`, after: 'engine:\n  kind: llama.cpp\n' },
  { code: 'invalid-type', what: 'engine written as a string in JSON', file: 'a.kvlens.json', text: '{"model": "meta-llama/Llama-3.1-8B-Instruct", "engine": "vllm", "targets": ["h100-sxm"]}\n', after: '"engine": { "kind": "vllm" }' },
  { code: 'invalid-type', what: 'a number in quotes', file: 'a.kvlens.yaml', text: `${P8B}engine: {kind: llama.cpp, args: "-c 8192"}\nworkload: {promptTokens: "2048"}\ntargets: [h100-sxm]\n`, after: 'promptTokens: 2048' },
  { code: 'invalid-type', what: 'one target without a list', file: 'a.kvlens.yaml', text: `${P8B}engine: {kind: llama.cpp, args: "-c 8192"}\ntargets: h100-sxm\n`, after: 'targets: [h100-sxm]' },
  { code: 'missing-key', what: 'engine without kind, with args', file: 'a.kvlens.yaml', text: `${P8B}engine:\n  args: "-c 8192"\ntargets: [h100-sxm]\n`, after: 'engine:\n  kind: llama.cpp\n  args:' },
  { code: 'wrong-engine-field', what: 'options under kind: llama.cpp', file: 'a.kvlens.yaml', text: `${P8B}engine:\n  kind: llama.cpp\n  options: {max-model-len: 8192}\ntargets: [h100-sxm]\n`, after: 'kind: vllm' },
  { code: 'target-name', what: 'targets: [rtx 4090] → the catalog id (the schema\'s "must be text" error is replaced)', file: 'a.kvlens.yaml', text: `${P8B}engine: {kind: llama.cpp, args: "-c 8192"}\ntargets: [rtx 4090, h100-sxm]\n`, after: 'targets: [rtx-4090, h100-sxm]' },
  { code: 'target-name', what: 'targets: [4090] (a YAML number)', file: 'a.kvlens.yaml', text: `${P8B}engine: {kind: llama.cpp, args: "-c 8192"}\ntargets: [4090]\n`, after: 'targets: [rtx-4090]' },
  { code: 'target-name', what: 'a quoted JSON target name', file: 'a.kvlens.json', text: '{"model": "meta-llama/Llama-3.1-8B-Instruct", "engine": {"kind": "llama.cpp", "args": "-c 8192"}, "targets": ["rtx4090"]}\n', after: '"targets": ["rtx-4090"]' },
  { code: 'unknown-target', what: 'an unknown target (with another target still estimated)', file: 'a.kvlens.yaml', text: `${P8B}engine: {kind: llama.cpp, args: "-c 8192"}\ntargets: [rtx 4099, h100-sxm]\n`, after: 'targets: [rtx-4090, h100-sxm]' },
  { code: 'tensor-parallel-heads', what: 'TP 3 → 4 for 64 heads', file: 'serve-vllm.yaml', text: 'model: meta-llama/Llama-3.1-70B-Instruct\ntensor-parallel-size: 3\nmax-model-len: 8192\n', defaults: ['h100-sxm'], after: 'tensor-parallel-size: 4' },
  { code: 'tensor-parallel-kv-heads', what: 'TP 7 for 4 KV heads → 14', file: 'serve-vllm.yaml', text: 'model: Qwen/Qwen2.5-7B-Instruct\ntensor-parallel-size: 14\nmax-model-len: 8192\n', defaults: ['h100-sxm'] },
  { code: 'context-exceeds-trained', what: 'a context past the trained length', file: 'a.kvlens.yaml', text: `${P8B}engine: {kind: llama.cpp, args: "-c 262144 -ctk q8_0 -ctv q8_0 -fa on"}\ntargets: [h100-sxm]\n`, after: '-c 131072' },
  { code: 'memory-does-not-fit', what: 'llama.cpp: a context that does not fit an RTX 4090', file: 'a.kvlens.yaml', text: `${P8B}engine: {kind: llama.cpp, args: "-c 131072 -np 2 -fa on -ctk f16 -ctv f16"}\ntargets: [rtx-4090]\n` },
  { code: 'memory-does-not-fit', what: 'vLLM: a 70B model on one GPU (targets from settings)', file: 'serve-vllm.yaml', text: 'model: meta-llama/Llama-3.1-70B-Instruct\ntensor-parallel-size: 1\nmax-model-len: 32768\n', defaults: ['h100-sxm'], title: /tensor-parallel-size to 4/ },
  { code: 'memory-does-not-fit', what: 'vLLM: tensor-parallel-size not written yet', file: 'serve-vllm.yaml', text: 'model: meta-llama/Llama-3.1-70B-Instruct\nmax-model-len: 32768\n', defaults: ['h100-sxm'], after: 'model: meta-llama/Llama-3.1-70B-Instruct\ntensor-parallel-size: 4\n' },
  { code: 'memory-tight', what: 'vLLM: fewer sequences than the workload', file: 'a.kvlens.yaml', text: 'model: meta-llama/Llama-3.1-70B-Instruct\nengine:\n  kind: vllm\n  options:\n    tensor-parallel-size: 4\n    max-model-len: 32768\n    kv-cache-dtype: fp8\nworkload: {concurrency: 16}\ntargets: [l40s]\n' },
  { code: 'duplicate-flag', what: 'a flag given twice', file: 'a.kvlens.yaml', text: `${P8B}engine: {kind: llama.cpp, args: "-c 4096 -np 2 -c 8192"}\ntargets: [h100-sxm]\n`, after: '"-np 2 -c 8192"' },
  { code: 'model-twice', what: '-m beside the profile\'s model', file: 'a.kvlens.yaml', text: `${P8B}engine: {kind: llama.cpp, args: "-m ./other.gguf -c 8192"}\ntargets: [h100-sxm]\n`, after: 'args: "-c 8192"' },
  { code: 'unknown-flag', what: 'a misspelt flag', file: 'a.kvlens.yaml', text: `${P8B}engine: {kind: llama.cpp, args: "--ctx-sizee 8192"}\ntargets: [h100-sxm]\n`, after: '--ctx-size 8192' },
  { code: 'equals-form', what: '--flag=value', file: 'a.kvlens.yaml', text: `${P8B}engine: {kind: llama.cpp, args: "-c=8192"}\ntargets: [h100-sxm]\n`, after: '-c 8192' },
  { code: 'quantized-v-needs-fa', what: 'a quantized V cache with -fa off', file: 'a.kvlens.yaml', text: `${P8B}engine: {kind: llama.cpp, args: "-c 8192 -ctv q8_0 -fa off"}\ntargets: [h100-sxm]\n` },
  { code: 'fa-needs-value', what: 'a bare -fa', file: 'a.kvlens.yaml', text: `${P8B}engine: {kind: llama.cpp, args: "-c 8192 -fa"}\ntargets: [h100-sxm]\n`, after: '-fa on' },
  { code: 'unknown-macro', what: 'a misspelt llama-swap macro', file: 'x.llama-swap.yaml', text: 'macros:\n  server: llama-server --port ${PORT}\nmodels:\n  m:\n    cmd: ${serverr} -hf a/b -c 4096\n', after: '${server} -hf' },
  { code: 'missing-proxy', what: 'llama-server on a fixed port', file: 'x.llama-swap.yaml', text: 'models:\n  m:\n    cmd: llama-server --port 9000 -hf a/b -c 4096\n', after: '--port ${PORT}' },
  { code: 'empty-file', what: 'an empty profile gets a starter', file: 'a.kvlens.yaml', text: '', after: 'engine:\n  kind: llama.cpp' },
  { code: 'empty-file', what: 'an empty vLLM config gets a starter', file: 'serve-vllm.yaml', text: '# nothing yet\n', defaults: ['h100-sxm'], after: 'max-model-len: 32768' },
];

async function check(text: string, file: string, defaults?: string[]): Promise<KvDiagnostic[]> {
  const a = await analyzeText(text, path.join(DIR, file), { modelResolver: resolver, defaultTargets: defaults });
  return a.diagnostics;
}

describe('quick fixes: one per obvious mistake, and the file is clean after it', () => {
  for (const c of CASES) {
    it(`${c.code}: ${c.what}`, async () => {
      const before = await check(c.text, c.file, c.defaults);
      const diag = before.find((d) => d.code === c.code);
      assert.ok(diag, `${c.code} reported; got ${JSON.stringify(before.map((d) => `${d.code}: ${d.message}`))}`);
      const fix = diag.fixes?.find((f) => f.preferred) ?? diag.fixes?.[0];
      assert.ok(fix, `${c.code} has a fix: ${diag.message}`);
      if (c.title) assert.match(fix.title, c.title);
      const fixed = applyEdits(c.text, fix.edits);
      if (typeof c.after === 'string') assert.ok(fixed.includes(c.after), `after "${fix.title}":\n${fixed}`);
      else if (c.after) assert.match(fixed, c.after);
      const after = await check(fixed, c.file, c.defaults);
      const left = after.filter((d) => d.code === c.code || d.severity !== 'information');
      assert.deepEqual(left.map((d) => `${d.code}: ${d.message}`), [], `after "${fix.title}":\n${fixed}`);
    });
  }

  it('ranks "does not fit" fixes and keeps headroom: the context fix lands under the green threshold', async () => {
    const text = `${P8B}engine: {kind: llama.cpp, args: "-c 131072 -fa on -ctk f16 -ctv f16"}\ntargets: [rtx-4090]\n`;
    const diag = (await check(text, 'a.kvlens.yaml')).find((d) => d.code === 'memory-does-not-fit')!;
    const titles = diag.fixes!.map((f) => f.title);
    assert.match(titles[0], /K and V cache to q/, JSON.stringify(titles));
    const ctx = diag.fixes!.find((f) => /context/.test(f.title))!;
    const fixed = applyEdits(text, ctx.edits);
    const a = await analyzeText(fixed, path.join(DIR, 'a.kvlens.yaml'), { modelResolver: resolver });
    assert.ok(!a.diagnostics.some((d) => d.code === 'memory-tight' || d.code === 'memory-does-not-fit'), 'not even tight after the fix');
  });
});
