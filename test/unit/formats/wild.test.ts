// Serve commands where people keep them (shell scripts, compose files, Kubernetes manifests), content detection
// that claims only those, vLLM version tables at their boundary, and the model-path severity policy.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeText } from '../../../src/core/formats/analyze';
import { detectFormat } from '../../../src/core/formats/detect';
import { splitShellCommands } from '../../../src/core/formats/shell/script';
import { mapServerPath, modelNameHint } from '../../../src/core/rules/modelRefs';
import type { KvDiagnostic, Range } from '../../../src/core/diagnostics';

const ROOT = path.resolve(__dirname, '../../../..');
const WILD = path.join(ROOT, 'test/fixtures/wild');
// The serve script and the LeaderWorkerSet manifest are opened in the real editor too (test/integration): they
// live once, in the integration workspace.
const WORKSPACE = path.join(ROOT, 'test/fixtures/workspace');
const read = (f: string): string => fs.readFileSync(path.join(f === 'serve.sh' || f === 'vllm-lws.yaml' ? WORKSPACE : WILD, f), 'utf8');
const noRules = { rules: [] };

function textAt(text: string, r: Range): string {
  const lines = text.split('\n');
  return r.start.line === r.end.line ? lines[r.start.line].slice(r.start.character, r.end.character) : lines[r.start.line].slice(r.start.character);
}
const problems = (ds: KvDiagnostic[]): KvDiagnostic[] => ds.filter((d) => d.severity !== 'information');

describe('formats in the wild', () => {
  describe('content detection', () => {
    it('claims serve scripts, compose files and manifests that run a server, and nothing else', () => {
      assert.equal(detectFormat('/x/serve.sh', read('serve.sh')), 'shell');
      assert.equal(detectFormat('/x/docker-compose.yml', read('docker-compose.yml')), 'docker-compose');
      assert.equal(detectFormat('/x/vllm-lws.yaml', read('vllm-lws.yaml')), 'kubernetes', 'a manifest named for what it runs is a manifest');
      assert.equal(detectFormat('/x/vllm-lws.yaml'), 'vllm', 'without the text, the name decides');
      assert.equal(detectFormat('/x/vllm-lws.yaml', read('vllm-lws.yaml'), { '**/vllm-lws.yaml': 'vllm' }), 'vllm', 'an association wins over the content');
      assert.equal(detectFormat('/x/llama-swap-compose.yml', read('docker-compose.yml')), 'docker-compose');
      assert.equal(detectFormat('/x/vllm-70b.yaml', 'model: x\nmax-model-len: 4096\n'), 'vllm', 'a real vLLM config keeps its name');
      assert.equal(detectFormat('/x/deploy.yaml', read('vllm-lws.yaml')), 'kubernetes');
      assert.equal(detectFormat('/x/configmap.yaml', read('configmap.yaml')), undefined, 'a manifest of other apps');
      assert.equal(detectFormat('/x/lmcache.yaml', read('lmcache-config.yaml')), undefined, 'an LMCache config');
      assert.equal(detectFormat('/x/build.sh', 'make -j8\nnpm test\n'), undefined, 'a script without a serve command');
      // `vllm serve` written as list items, with no vLLM image (a kustomize patch, a custom image).
      const patch = 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: m\n          command: ["vllm", "serve"]\n          args: ["Qwen/Qwen3-8B"]\n';
      assert.equal(detectFormat('/x/patch-vllm.yaml', patch), 'kubernetes', 'a manifest named for vLLM is not a vLLM config');
      assert.equal(detectFormat('/x/patch.yaml', patch), 'kubernetes');
      assert.equal(detectFormat('/x/patch.yaml', patch.replace('command: ["vllm", "serve"]', 'command:\n            - vllm\n            - serve')), 'kubernetes');
      assert.equal(detectFormat('/x/compose.yml', 'services:\n  llm:\n    image: me/custom:1\n    command: ["vllm", "serve", "m"]\n'), 'docker-compose');
      assert.equal(detectFormat('/x/notes.md', 'vllm serve x\n'), undefined);
    });

    it('finds llama-swap by its keys and vLLM configs by their options under any name', () => {
      assert.equal(detectFormat('/x/config.yaml', 'healthCheckTimeout: 60\nmodels:\n  a:\n    cmd: llama-server --port ${PORT} -m a.gguf\n'), 'llama-swap');
      assert.equal(detectFormat('/x/config.yaml', 'host: 0.0.0.0\nport: 8080\nmodels:\n  a:\n    cmd: x\n    proxy: http://127.0.0.1:9\n'), 'llama-swap', 'a few keys llama-swap ignores');
      assert.equal(detectFormat('/x/config.yaml', 'models:\n  - a\n'), undefined);
      assert.equal(detectFormat('/x/settings.yaml', 'no-enable-prefix-caching: true\nmax-num-batched-tokens: 8192\nstream-interval: 20\n'), 'vllm');
      assert.equal(detectFormat('/x/settings.yaml', 'services:\n  x:\n    max-model-len: 4\n'), undefined);
    });
  });

  describe('shell scripts', () => {
    it('joins continuations, keeps quotes for the tokenizer and warns when a comment cuts a continued command', async () => {
      const text = read('serve.sh');
      const a = await analyzeText(text, '/x/serve.sh', noRules);
      assert.equal(a.format, 'shell');
      assert.equal(a.deployments.length, 2);
      const [v, l] = a.deployments;
      assert.equal(v.engine.kind, 'vllm');
      assert.equal(v.engine.tensorParallel, 2);
      assert.equal(v.engine.contextSize, undefined, 'the lines after the comment are not part of the command');
      assert.equal(l.engine.kind, 'llama.cpp');
      assert.equal(l.engine.cacheTypeV, 'q8_0', 'the continued line belongs to llama-server');
      assert.equal(textAt(text, l.settingRanges.contextSize!), '4096');
      const cut = a.diagnostics.find((d) => d.code === 'comment-in-continuation');
      assert.ok(cut, JSON.stringify(a.diagnostics));
      assert.equal(cut.severity, 'warning');
      assert.equal(textAt(text, cut.range), '# --enforce-eager \\');
    });

    it('splits on ; && | and reports a backslash followed by spaces', () => {
      const r = splitShellCommands('a 1; b "x;y" && c \\  \nd\n');
      assert.deepEqual(r.commands.map((c) => c.text.trim()), ['a 1', 'b "x;y"', 'c \\', 'd']);
      assert.deepEqual(r.issues.map((i) => i.code), ['backslash-space']);
    });

    it("leaves redirections and here-documents to the shell: the server's argv never holds them", async () => {
      const cases: [string, string[]][] = [
        ['vllm serve m --port 1 > a.log 2>&1 &\necho done', ['vllm serve m --port 1', 'echo done']],
        ['vllm serve "$M" --port "$p" >"${OUT}/x.log" 2>&1 < /dev/null &', ['vllm serve "$M" --port "$p"']],
        ['llama-server -m x.gguf &>> log; y >&2 -c 3 2>/dev/null', ['llama-server -m x.gguf', 'y   -c 3']],
        ['echo a>b c', ['echo a  c']],
        ['vllm serve m > p$((i+1)).log 2>&1 &', ['vllm serve m']],
        ['vllm serve m >"$(date +%s) x".log -tp 2', ['vllm serve m   -tp 2']],
        ["cat <<EOF\nRun llama-server or download a model\nEOF\nllama-server -m x.gguf", ['cat', 'llama-server -m x.gguf']],
        ['cat <<-"END" > out.txt\n\tfoo --bar\n\tEND\nz', ['cat', 'z']],
        ['diff <(a) b', ['diff <(a) b']],
        ['echo "a > b" \'2>&1\'', ['echo "a > b" \'2>&1\'']],
      ];
      for (const [src, want] of cases) assert.deepEqual(splitShellCommands(src).commands.map((c) => c.text.trim()), want, JSON.stringify(src));
      // Offsets still point at the characters the user wrote.
      const text = 'vllm serve m >log --max-num-seqs 0 2>&1\n';
      const a = await analyzeText(text, '/x/serve.sh', noRules);
      assert.deepEqual(problems(a.diagnostics).map((d) => [d.code, textAt(text, d.range)]), [['out-of-range', '0']]);
    });

    it('finds llama-server behind a variable path; reads integers as std::stoi does; leaves $VALUES unchecked', async () => {
      const text = '#!/bin/sh\nexec "$LLAMA_DIR/build/bin/llama-server" -m x.gguf --parallel $NP --top-k 0.0 -c 4096\n';
      assert.equal(detectFormat('/x/run.sh', text), 'shell');
      const a = await analyzeText(text, '/x/run.sh', noRules);
      assert.equal(a.deployments[0]?.engine.contextSize, 4096);
      assert.deepEqual(problems(a.diagnostics).map((d) => [d.severity, d.code, textAt(text, d.range)]), [['warning', 'integer-prefix', '0.0']]);
      assert.match(problems(a.diagnostics)[0].message, /reads `0\.0` as 0/);
      const b = await analyzeText('llama-server -m x.gguf --top-k abc\n', '/x/run.sh', noRules);
      assert.deepEqual(problems(b.diagnostics).map((d) => d.code), ['invalid-value']);
    });

    it('reads `docker run … <serving image> <args>` in scripts: the args are the image entrypoint\'s', async () => {
      const text = '#!/bin/bash\ndocker run --gpus all \\\n  -p 8000:8000 --ipc=host \\\n  vllm/vllm-openai:v0.10.1 \\\n  --model Qwen/Qwen3-8B --max-model-len 8192 --bogus 1\n'
        + 'podman run -p 8080:8080 ghcr.io/ggml-org/llama.cpp:server -m /m/x.gguf -c 4096\ndocker run -it ubuntu:24.04 bash\n';
      assert.equal(detectFormat('/x/run.sh', text), 'shell');
      const a = await analyzeText(text, '/x/run.sh', noRules);
      assert.deepEqual(a.deployments.map((d) => [d.engine.kind, d.engine.contextSize]), [['vllm', 8192], ['llama.cpp', 4096]]);
      assert.equal(textAt(text, a.deployments[0].anchor), 'vllm/vllm-openai:v0.10.1');
      assert.deepEqual(problems(a.diagnostics).map((d) => [d.code, textAt(text, d.range)]), [['unknown-option', '--bogus']]);
    });

    it("checks a vLLM image's options against the release its tag names, unless a version is chosen", async () => {
      const compose = 'services:\n  vllm:\n    image: vllm/vllm-openai:v0.17.0\n    command: --model Qwen/Qwen3-8B --swap-space 4 ${EXTRA:---enforce-eager}\n';
      const at17 = await analyzeText(compose, '/x/docker-compose.yml', noRules);
      assert.deepEqual(problems(at17.diagnostics), [], '--swap-space is in v0.17');
      assert.equal(at17.deployments[0].model?.ref, 'Qwen/Qwen3-8B', 'a ${X:--flags} word is not the model');
      const latest = await analyzeText(compose.replace('v0.17.0', 'latest'), '/x/docker-compose.yml', noRules);
      assert.deepEqual(problems(latest.diagnostics).map((d) => d.code), ['removed-option']);
      const chosen = await analyzeText(compose, '/x/docker-compose.yml', { ...noRules, vllmVersion: '0.27' });
      assert.match(problems(chosen.diagnostics)[0]?.message ?? '', /removed in vLLM 0\.18/);
      const script = await analyzeText('docker run vllm/vllm-openai:v0.9.2 --model m --bogus\n', '/x/run.sh', noRules);
      assert.match(problems(script.diagnostics)[0]?.message ?? '', /vLLM 0\.9 \(v0\.9/);
    });

    it("reads vLLM options by argparse's unique prefixes (allow_abbrev is on); refuses ambiguous ones", async () => {
      const text = 'vllm serve m --max-num-seq 64 --gpu-memory 0.8 --no-enable-prefix --max-num 3\n';
      const a = await analyzeText(text, '/x/serve.sh', noRules);
      assert.equal(a.deployments[0].engine.parallel, 64);
      assert.equal(a.deployments[0].engine.gpuMemoryUtilization, 0.8);
      assert.deepEqual(a.diagnostics.filter((d) => d.code !== 'model-not-found').map((d) => [d.severity, d.code, textAt(text, d.range)]), [
        ['information', 'abbreviated-option', '--max-num-seq'], ['information', 'abbreviated-option', '--gpu-memory'],
        ['information', 'abbreviated-option', '--no-enable-prefix'], ['error', 'ambiguous-option', '--max-num'],
      ]);
    });

    it('does not refuse words the shell fills in (`$EXTRA_ARGS`, `"${ARGS[@]}"`) for vLLM or llama-server', async () => {
      const text = 'vllm serve m "${PLATFORM_ARGS[@]}" ${TOOL_ARGS:-} $EXTRA --port 8000\nllama-server -m x.gguf $FLAGS -c 4096\n';
      const a = await analyzeText(text, '/x/serve.sh', noRules);
      assert.deepEqual(problems(a.diagnostics), []);
      assert.equal(a.deployments[1].engine.contextSize, 4096);
      // A stray word that is not filled in is still one.
      const b = await analyzeText('vllm serve m extra --port 8000\n', '/x/serve.sh', noRules);
      assert.deepEqual(problems(b.diagnostics).map((d) => d.code), ['unexpected-argument']);
    });
  });

  describe('docker-compose', () => {
    it('reads command: of vLLM, llama.cpp and SGLang images with the same diagnostics as any command', async () => {
      const text = read('docker-compose.yml');
      const a = await analyzeText(text, '/x/docker-compose.yml', noRules);
      assert.equal(a.format, 'docker-compose');
      assert.deepEqual(a.deployments.map((d) => [d.name, d.engine.kind]), [
        ['Qwen/Qwen2.5-7B-Instruct', 'vllm'], ['llama', 'llama.cpp'], ['Qwen/Qwen2.5-7B-Instruct', 'vllm'],
      ]);
      assert.equal(textAt(text, a.deployments[0].anchor), 'vllm', 'CodeLens on the service name');
      assert.equal(a.deployments[0].engine.contextSize, 16384);
      assert.equal(a.deployments[2].engine.tensorParallel, 2, 'SGLang --tp-size');
      assert.equal(a.deployments[2].engine.contextSize, 8192, 'SGLang --context-length');
      const ds = problems(a.diagnostics);
      const unknown = ds.find((d) => d.code === 'unknown-option');
      assert.ok(unknown);
      assert.equal(textAt(text, unknown.range), '--gpu-memory-utilisation');
      assert.match(unknown.message, /in vLLM \d+\.\d+ \(.*Did you mean `--gpu-memory-utilization`/);
      const fa = ds.find((d) => d.code === 'fa-needs-value');
      assert.ok(fa, 'bare -fa before --port');
      assert.ok(!a.diagnostics.some((d) => d.code === 'options-not-checked'), 'SGLang options are checked against its table');
    });
  });

  describe('Kubernetes', () => {
    it('reads LeaderWorkerSet leader scripts (sh -c) and Deployment args of a llama.cpp server image', async () => {
      const text = read('vllm-lws.yaml');
      const a = await analyzeText(text, '/x/deploy.yaml', noRules);
      assert.equal(a.format, 'kubernetes');
      assert.equal(a.deployments.length, 2, 'the worker only starts ray');
      const [leader, llama] = a.deployments;
      assert.equal(leader.engine.tensorParallel, 8);
      assert.equal(leader.engine.pipelineParallel, 2, 'pipeline_parallel_size with underscores');
      assert.equal(leader.model?.ref, 'meta-llama/Meta-Llama-3.1-405B-Instruct');
      assert.equal(textAt(text, leader.settingRanges.contextSize!), '32768', 'ranges inside the quoted script');
      assert.equal(llama.engine.kind, 'llama.cpp');
      assert.equal(llama.engine.parallel, 4);
      const removed = problems(a.diagnostics).find((d) => d.code === 'removed-option');
      assert.ok(removed, 'swap-space is gone in the newest vLLM table');
      assert.equal(textAt(text, removed.range), '--swap-space');
    });
  });

  describe('vLLM versions', () => {
    it('accepts what vLLM accepts: nested mappings or JSON strings, YAML 1.1 booleans, max-model-len auto (0.14 on)', async () => {
      const ok = 'compilation-config:\n  pass_config:\n    fuse_allreduce_rms: true\nattention-config: \'{"backend": "FLASH_ATTN"}\'\nspeculative-config: {"method": "ngram", "num_speculative_tokens": 4}\nenforce-eager: yes\nmax-model-len: auto\n';
      const a = await analyzeText(ok, '/x/a-vllm.yaml', noRules);
      assert.deepEqual(problems(a.diagnostics), []);
      assert.equal(a.deployments[0].engine.contextSize, undefined, 'auto: the model decides');
      const b = await analyzeText('max-model-len: auto\nmax-num-seqs: 4\n', '/x/a-vllm.yaml', { ...noRules, vllmVersion: '0.13' });
      assert.deepEqual(problems(b.diagnostics).map((d) => d.code), ['invalid-type'], 'vLLM 0.13 has no `auto`');
      const c = await analyzeText('speculative-config: \'{"method": ngram}\'\nmax-num-seqs: 4\n', '/x/a-vllm.yaml', noRules);
      assert.deepEqual(problems(c.diagnostics).map((d) => d.code), ['invalid-json']);
    });
  });

  describe('model paths', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-paths-'));
      fs.mkdirSync(path.join(dir, 'local', 'qwen'), { recursive: true });
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('a path not on this machine is information outside profiles, an error in a profile', async () => {
      const v = await analyzeText('model: /models/nowhere/\nmax-model-len: 4096\n', path.join(dir, 'a-vllm.yaml'));
      const d = v.diagnostics.find((x) => x.code === 'model-not-here');
      assert.equal(d?.severity, 'information');
      assert.match(d!.message, /kvlens\.pathMappings/);
      const p = await analyzeText('model: /models/nowhere.gguf\nengine:\n  kind: llama.cpp\n', path.join(dir, 'a.kvlens.yaml'));
      assert.equal(p.diagnostics.find((x) => x.code === 'model-not-found')?.severity, 'error');
    });

    it('maps server folders to local ones, longest prefix first, and names models by their file name', async () => {
      const maps = { '/models': path.join(dir, 'local'), '/models/other': '/elsewhere' };
      assert.equal(mapServerPath('/models/qwen', maps), path.join(dir, 'local', 'qwen'));
      assert.equal(mapServerPath('/models/other/x.gguf', maps), '/elsewhere/x.gguf');
      assert.equal(mapServerPath('/data/x', maps), undefined);
      const a = await analyzeText('model: /models/qwen\nmax-model-len: 4096\n', path.join(dir, 'a-vllm.yaml'), { pathMappings: maps });
      assert.ok(!a.diagnostics.some((x) => /model-not/.test(x.code)), 'found through the mapping');
      assert.equal(modelNameHint('/models/Qwen2.5-Coder-0.5B-Instruct-Q4_K_M.gguf'), 'Qwen2.5-Coder-0.5B-Instruct');
      assert.equal(modelNameHint('/m/Qwen3-Coder-Next-UD-Q4_K_XL.gguf'), 'Qwen3-Coder-Next');
    });

    it('`-hf` gives the model reference (a Hub id) and `${env.X}` paths are not looked for', async () => {
      const text = 'models:\n  a:\n    cmd: llama-server --port ${PORT} -hf bartowski/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M\n  b:\n    cmd: llama-server --port ${PORT} -m ${env.HOME}/m.gguf\n';
      const a = await analyzeText(text, path.join(dir, 'llama-swap.yaml'));
      assert.equal(a.deployments[0].model?.ref, 'bartowski/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M');
      assert.ok(a.diagnostics.some((d) => d.code === 'model-path-variable' && d.severity === 'information'));
      assert.ok(!a.diagnostics.some((d) => d.severity === 'error'), JSON.stringify(a.diagnostics));
    });
  });
});
