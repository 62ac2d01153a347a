// Where the CodeLenses go: per target on its line, on the model line for targets from settings, the engine lens on
// args/options/cmd, actions on the header, an unknown target on its own line; never wider than 80 columns.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeForEditor } from '../../../src/core/editorAnalysis';
import { detectFormat } from '../../../src/core/formats/detect';
import { createModelResolver } from '../../../src/core/models/resolve';
import { placeLenses } from '../../../src/vscode/lensPlacement';

async function lenses(text: string, file: string, defaults = ['h100-sxm', 'l40s']) {
  const abs = path.join('/virtual', file);
  const a = await analyzeForEditor(text, abs, { format: detectFormat(abs, text), modelResolver: createModelResolver(), defaultTargets: defaults });
  return placeLenses(a, text, { trusted: true });
}

describe('CodeLens placement', () => {
  it('a profile: actions on the header, the engine on args:, each target on its own line', async () => {
    const text = '# comment\nmodel: meta-llama/Llama-3.1-8B-Instruct\nengine:\n  kind: llama.cpp\n  args: "-c 8192 -np 2"\ntargets:\n  - h100-sxm\n  - rtx-4090\n';
    const ls = await lenses(text, 'a.kvlens.yaml');
    const on = (kind: string) => ls.filter((l) => l.kind === kind).map((l) => l.line);
    assert.deepEqual(on('actions'), [0, 0]);
    assert.deepEqual(on('engine'), [4]);
    assert.deepEqual(ls.filter((l) => l.kind === 'target').map((l) => [l.targetId, l.line]), [['h100-sxm', 6], ['rtx-4090', 7]]);
    assert.match(ls.find((l) => l.targetId === 'h100-sxm')!.title, /^H100 SXM 80GB ✓ [\d.]+\/80 GiB · \d+ users @4K · TTFT [\d.]+ (ms|s) · [\d.]+ tok\/s$/);
    for (const l of ls) assert.ok([...l.title].length <= 80, l.title);
  });

  it('a vLLM config: the targets from settings sit on the model line, short; the engine lens on the first sizing option', async () => {
    const text = 'model: meta-llama/Llama-3.1-8B-Instruct\nhost: 0.0.0.0\nmax-model-len: 8192\nkv-cache-dtype: fp8\n';
    const ls = await lenses(text, 'serve-vllm.yaml');
    assert.deepEqual(ls.filter((l) => l.kind === 'target').map((l) => l.line), [0, 0]);
    assert.ok(ls.filter((l) => l.kind === 'target').every((l) => !/tok\/s/.test(l.title)), 'several on a line: compact');
    assert.deepEqual(ls.filter((l) => l.kind === 'engine').map((l) => l.line), [2]);
    assert.ok(!ls.some((l) => l.title.includes('Run benchmark')), 'benchmarks run profiles');
  });

  it('an unknown target says so on its line while the others are estimated', async () => {
    const text = 'model: meta-llama/Llama-3.1-8B-Instruct\nengine: {kind: llama.cpp, args: "-c 8192"}\ntargets:\n  - rtx 4099\n  - h100-sxm\n';
    const ls = await lenses(text, 'a.kvlens.yaml');
    const bad = ls.find((l) => l.line === 3)!;
    assert.match(bad.title, /^✗ rtx 4099: unknown target — rtx-4090\?$/);
    assert.ok(ls.some((l) => l.kind === 'target' && l.targetId === 'h100-sxm' && l.line === 4));
  });

  it('llama-swap: the engine lens on each cmd:, a Hub model says why it is not sized', async () => {
    const text = 'models:\n  a:\n    cmd: llama-server --port ${PORT} -hf org/repo-GGUF:Q4_K_M -c 4096\n  b:\n    cmd: |\n      llama-server --port ${PORT}\n      -m ./missing.gguf\n';
    const ls = await lenses(text, 'x.llama-swap.yaml');
    // The -hf repo is the model reference (offline here: not found, with the resolver's reason in the tooltip).
    const a = ls.find((l) => l.deployment === 0 && l.kind === 'problem')!;
    assert.match(a.title, /^KV Lens: .*org\/repo-GGUF:Q4_K_M/);
    assert.ok(a.line === 1 || a.line === 2, `on the model's header or its cmd line: ${a.line}`);
    assert.ok(ls.some((l) => l.deployment === 1 && l.kind === 'problem' && /model not found/.test(l.title)));
  });
});

describe('CodeLens placement: serve commands in scripts, compose files and Kubernetes manifests', () => {
  const FIX = path.resolve(__dirname, '../../../../test/fixtures/wild');
  const read = (f: string): string => fs.readFileSync(path.join(FIX, f), 'utf8');

  it('a compose file: each service\'s engine lens on its command, targets from settings beside it; SGLang says it is sized as vLLM', async () => {
    const text = read('docker-compose.yml');
    const ls = await lenses(text, 'docker-compose.yml');
    const lines = text.split('\n');
    const sglang = ls.find((l) => l.kind === 'engine' && /sglang/.test(lines[l.line]));
    assert.ok(sglang, JSON.stringify(ls));
    assert.match(sglang.title, /^SGLang \(as vLLM\) · KV .* · TP 2 · max-model-len 8K · ≤256 seqs$/);
    const vllm = ls.find((l) => l.kind === 'engine' && /--model/.test(lines[l.line]))!;
    assert.match(vllm.title, /^vLLM · /);
    // The vLLM service has an unknown option (vLLM refuses it): its targets say won't start, the SGLang ones are sized.
    assert.ok(ls.some((l) => l.kind === 'target' && l.line === vllm.line && /won't start/.test(l.title)));
    assert.ok(ls.some((l) => l.kind === 'target' && l.line === sglang.line && /✓ [\d.]+\/80 GiB/.test(l.title)));
    for (const l of ls) assert.ok([...l.title].length <= 80, l.title);
  });

  it('a shell script: a model path from a variable says why it is not sized', async () => {
    const ls = await lenses(fs.readFileSync(path.join(FIX, '..', 'workspace', 'serve.sh'), 'utf8'), 'serve.sh');
    assert.ok(ls.some((l) => l.kind === 'problem' && /^KV Lens: not sized: the model is \$MODEL \(\$MODEL is set where it runs\)$/.test(l.title)), JSON.stringify(ls.map((l) => l.title)));
  });
});
