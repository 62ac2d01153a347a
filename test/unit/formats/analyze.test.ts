import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText, DEFAULT_MAX_CHARS } from '../../../src/core/formats/analyze';
import { EXAMPLES, one, textAt } from './helpers';

const noRules = { rules: [] };

describe('formats/analyze', () => {
  it('turns the llama.cpp example profile into a deployment with a range for every setting', async () => {
    const file = path.join(EXAMPLES, 'llama-3.1-8b.kvlens.yaml');
    const text = fs.readFileSync(file, 'utf8');
    const a = await analyzeText(text, file, noRules);
    assert.equal(a.format, 'kvlens-profile');
    assert.deepEqual(a.diagnostics, []);
    const d = a.deployments[0];
    assert.equal(d.name, 'llama-3.1-8b');
    assert.deepEqual(d.model?.ref, 'meta-llama/Llama-3.1-8B-Instruct');
    assert.equal(d.model?.weights, 'q4_k_m');
    assert.deepEqual(
      { c: d.engine.contextSize, np: d.engine.parallel, k: d.engine.cacheTypeK, v: d.engine.cacheTypeV, fa: d.engine.flashAttention, ngl: d.engine.gpuLayers },
      { c: 32768, np: 4, k: 'q8_0', v: 'q8_0', fa: 'on', ngl: 99 },
    );
    assert.deepEqual(d.workload, { promptTokens: 4096, outputTokens: 256, concurrency: 4 });
    assert.deepEqual(d.targets.map((t) => ('id' in t ? t.id : '?')), ['h100-sxm', 'rtx-4090', 'local']);
    const r = d.settingRanges;
    const expect: Record<string, string> = {
      contextSize: '32768', parallel: '4', cacheTypeK: 'q8_0', cacheTypeV: 'q8_0', flashAttention: 'on', gpuLayers: '99',
      promptTokens: '4096', outputTokens: '256', concurrency: '4', model: 'meta-llama/Llama-3.1-8B-Instruct', weights: 'q4_k_m',
    };
    for (const [k, v] of Object.entries(expect)) assert.equal(textAt(text, r[k]), v, k);
    assert.equal(textAt(text, d.targets[1].range), 'rtx-4090');
  });

  it('reads the vLLM example profile and the raw vLLM example with ranges', async () => {
    for (const f of ['llama-3.1-70b-vllm.kvlens.yaml', 'vllm-llama70b.yaml']) {
      const file = path.join(EXAMPLES, f);
      const text = fs.readFileSync(file, 'utf8');
      const a = await analyzeText(text, file, noRules);
      assert.deepEqual(a.diagnostics, [], f);
      const d = a.deployments[0];
      assert.equal(d.engine.kind, 'vllm');
      assert.equal(d.engine.tensorParallel, 4);
      assert.equal(d.engine.kvCacheDtype, 'fp8');
      assert.equal(textAt(text, d.settingRanges.tensorParallel), '4');
      assert.equal(textAt(text, d.settingRanges.kvCacheDtype), 'fp8');
      assert.equal(textAt(text, d.settingRanges.gpuMemoryUtilization), f.includes('kvlens') ? '0.90' : '0.92');
      assert.equal(d.model?.ref, 'meta-llama/Llama-3.1-70B-Instruct');
    }
  });

  it('reads the llama-swap example through the llama-swap analyser', async () => {
    const file = path.join(EXAMPLES, 'llama-swap.yaml');
    const a = await analyzeText(fs.readFileSync(file, 'utf8'), file, noRules);
    assert.equal(a.format, 'llama-swap');
    assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.deepEqual(a.deployments.map((d) => d.name), ['qwen2.5-7b', 'llama-3.1-8b']);
    assert.equal(a.deployments[0].engine.contextSize, 65536);
  });

  it('maps flags in a list-form args to their own item', async () => {
    const text = 'model: m/x\nengine:\n  kind: llama.cpp\n  args: ["-c", "8192", "-ctv", "q4_0", "-fa", "off"]\n';
    const a = await analyzeText(text, 'p.kvlens.yaml', noRules);
    const d = one(a.diagnostics, 'quantized-v-needs-fa');
    assert.equal(textAt(text, d.range), '-fa', 'on the flag\'s own list item');
    assert.equal(textAt(text, a.deployments[0].settingRanges.contextSize), '8192');
  });

  it('maps flags inside a folded YAML block and a quoted string', async () => {
    const text = 'model: m/x\nengine:\n  kind: llama.cpp\n  args: >-\n    -c 8192\n    --ctx-sise 3\n';
    const a = await analyzeText(text, 'p.kvlens.yaml', noRules);
    const d = one(a.diagnostics, 'unknown-flag');
    assert.equal(textAt(text, d.range), '--ctx-sise');
    assert.deepEqual(d.range.start, { line: 5, character: 4 });
  });

  it('says when engine fields do not fit the kind, and when the model is named twice', async () => {
    const text = 'model: m/x\nengine:\n  kind: vllm\n  args: "-c 4096"\n  options:\n    model: other/y\n';
    const a = await analyzeText(text, 'p.kvlens.yaml', noRules);
    assert.equal(textAt(text, one(a.diagnostics, 'wrong-engine-field').range), 'args');
    assert.equal(textAt(text, one(a.diagnostics, 'model-twice').range), 'other/y');
    assert.equal(a.deployments[0].model?.ref, 'm/x');
  });

  it('warns about vLLM options written in both spellings', async () => {
    const text = 'max-model-len: 4096\ntensor-parallel-size: 2\nmax_model_len: 8192\n';
    const a = await analyzeText(text, 'a-vllm.yaml', noRules);
    const d = one(a.diagnostics, 'duplicate-key');
    assert.equal(textAt(text, d.range), 'max_model_len');
    assert.equal(a.deployments[0].engine.contextSize, 8192, 'the last one wins, as in vLLM');
  });

  it('returns nothing for files it does not recognise', async () => {
    const a = await analyzeText('services:\n  web: {}\n', 'docker-compose.yaml');
    assert.equal(a.format, undefined);
    assert.deepEqual(a.diagnostics, []);
  });

  it('handles an empty profile, binary garbage and invalid UTF-8 with one clear diagnostic', async () => {
    const empty = await analyzeText('', 'p.kvlens.yaml');
    assert.equal(one(empty.diagnostics, 'empty-file').severity, 'warning');
    const bin = await analyzeText('GGUF\u0003\u0000\u0000garbage', 'x-vllm.yaml');
    assert.equal(one(bin.diagnostics, 'binary-file').range.start.character, 5);
    const bad = await analyzeText('model: x\nport: \uFFFD\n', 'x-vllm.yaml');
    assert.deepEqual(one(bad.diagnostics, 'invalid-utf8').range.start, { line: 1, character: 6 });
  });

  it('refuses a 10 MB YAML quickly with a diagnostic', async () => {
    const line = 'max-model-len: 4096 # ' + 'x'.repeat(80) + '\n';
    const text = line.repeat(Math.ceil((10 * 1024 * 1024) / line.length));
    const t0 = Date.now();
    const a = await analyzeText(text, 'big-vllm.yaml');
    assert.ok(Date.now() - t0 < 1000);
    assert.ok(text.length > DEFAULT_MAX_CHARS);
    assert.match(one(a.diagnostics, 'file-too-large').message, /10\.0 MiB/);
  });

  it('parses a large but allowed YAML without trouble', async () => {
    let text = 'models:\n';
    for (let i = 0; i < 3000; i++) text += `  m${i}:\n    cmd: llama-server --port \${PORT} -m ./m${i}.gguf -c 4096 -np 2\n`;
    const a = await analyzeText(text, 'many-llama-swap.yaml', noRules);
    assert.equal(a.deployments.length, 3000);
  });

  it('never throws on random bytes, in any format', async () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const alphabet = 'ab:{}[]-,"\'\n #&*!|>%@`\\\t0123456789.';
    for (let i = 0; i < 150; i++) {
      let s = '';
      const n = Math.floor(rnd() * 200);
      for (let j = 0; j < n; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      for (const name of ['f.kvlens.yaml', 'f.kvlens.json', 'f-vllm.yaml', 'f-llama-swap.yaml']) {
        const a = await analyzeText(s, name);
        assert.ok(Array.isArray(a.diagnostics));
        for (const d of a.diagnostics) {
          assert.ok(!/undefined|NaN/.test(d.message), d.message);
          assert.ok(d.range.start.line >= 0 && d.range.start.character >= 0);
        }
      }
    }
  });
});

describe('formats/analyze with YAML anchors', () => {
  it('reads settings through an alias, with ranges where the values are written', async () => {
    const text = 'model: m/x\nkv-transfer-config: &spec {model: d/y, num_speculative_tokens: 3}\nspeculative-config: *spec\n';
    const a = await analyzeText(text, 'a-vllm.yaml', { rules: [] });
    const s = a.deployments[0].speculative;
    assert.equal(s?.draftLength, 3);
    assert.equal(s?.draftRef, 'd/y');
    assert.deepEqual(s?.draftRange?.start, { line: 1, character: 34 });
  });

  it('llama-swap models as llama-swap expands them: proxy: null is the default proxy, model macros and comment lines apply', async () => {
    const text = [
      'macros:', '  srv: llama-server --port ${PORT}',
      'models:',
      '  a:', '    proxy: null', '    cmd: ${srv} -m a.gguf -c 8192',
      '  b:', '    macros:', '      ctx: 4096', '    cmd: |', '      ${srv} -m b.gguf', '      # -c 2', '      -c ${ctx}',
      '  c:', '    proxy: null', '    cmd: llama-server -m c.gguf',
      '',
    ].join('\n');
    const a = await analyzeText(text, '/x/llama-swap.yaml', noRules);
    // Only model c is refused: its default proxy uses ${PORT}, its cmd does not (a: proxy null, cmd on ${PORT}).
    assert.deepEqual(a.diagnostics.filter((d) => d.severity !== 'information').map((d) => [d.severity, d.code, d.range.start.line]), [['error', 'port-without-cmd', 13]]);
    const [da, db] = a.deployments;
    assert.equal(da?.engine.contextSize, 8192);
    assert.equal(db?.engine.contextSize, 4096, 'the model macro, not the commented line');
  });

  it('llama-swap models that merge a shared model (`<<: *base`) have its cmd: checked, no missing-cmd', async () => {
    const text = [
      'models:',
      '  a: &base', '    ttl: 300', '    cmd: llama-server --port ${PORT} -m /m/a.gguf -c 8192 --no-such-flag',
      '  b:', '    <<: *base', '    ttl: 60',
      '',
    ].join('\n');
    const a = await analyzeText(text, '/x/config.yaml', noRules);
    assert.deepEqual(a.deployments.map((d) => [d.name, d.engine.contextSize]), [['a', 8192], ['b', 8192]]);
    const bad = a.diagnostics.filter((d) => d.severity !== 'information');
    assert.ok(bad.every((d) => d.code === 'unknown-flag' && d.range.start.line === 3), JSON.stringify(bad.map((d) => [d.code, d.range.start.line])));
    assert.ok(bad.length >= 1);
  });

  it('llama-swap loads what yaml.v3 and config.go load: an empty hooks.on_startup, a group without members', async () => {
    const text = [
      'models:', '  a:', '    cmd: llama-server --port ${PORT} -m /m/a.gguf',
      'hooks:', '  on_startup:', '    # preload:', '    #   - a',
      'groups:', '  main:', '    swap: false',
      '',
    ].join('\n');
    const a = await analyzeText(text, '/x/config.yaml', noRules);
    assert.deepEqual(a.diagnostics.filter((d) => d.severity !== 'information').map((d) => d.code), []);
    // A value of the wrong type is still one.
    const b = await analyzeText(text.replace('    swap: false', '    swap: false\n    members: 3'), '/x/config.yaml', noRules);
    assert.deepEqual(b.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.range.start.line]), [['invalid-type', 10]]);
  });

  it('llama-swap cmds: a digest-pinned llama.cpp image is read; a backslash escapes as shlex.Posix does (not on Windows paths)', async () => {
    const text = [
      'models:',
      '  a:', '    cmd: docker run --rm -p \\${PORT}:8080 ghcr.io/ggml-org/llama.cpp:server-cuda13@sha256:7ee22018aa -m /m/a.gguf --port \\${PORT} -c 8192',
      '  w:', '    cmd: C:\\llama\\llama-server.exe --port ${PORT} -m C:\\models\\w.gguf -c 4096',
      '',
    ].join('\n');
    const a = await analyzeText(text, '/x/config.yaml', noRules);
    assert.deepEqual(a.diagnostics.filter((d) => d.severity !== 'information').map((d) => [d.code, d.message]), []);
    assert.deepEqual(a.deployments.map((d) => [d.name, d.engine.contextSize]), [['a', 8192], ['w', 4096]]);
    assert.equal(a.deployments[1].model?.ref, 'C:\\models\\w.gguf', 'a Windows cmd keeps its backslashes');
    // The same image in a compose file.
    const compose = 'services:\n  llm:\n    image: ghcr.io/ggml-org/llama.cpp:server@sha256:7ee22018aa\n    command: -m /m/x.gguf -c 2048 --no-such-flag\n';
    const c = await analyzeText(compose, '/x/docker-compose.yml', noRules);
    assert.equal(c.deployments[0]?.engine.contextSize, 2048);
    assert.ok(c.diagnostics.some((d) => d.code === 'unknown-flag'));
  });

  it('llama-swap model macros may use global macros: declarations are expanded where they are used, not checked', async () => {
    const text = [
      'macros:', '  models_dir: "/home/m/Models"',
      'models:',
      '  glm:', '    macros:', '      model_path: "${models_dir}/glm.gguf"', '      unused: "${nowhere}"', '    cmd: llama-server --port ${PORT} -m ${model_path}',
      '',
    ].join('\n');
    const a = await analyzeText(text, '/x/config.yaml', noRules);
    assert.equal(a.format, 'llama-swap');
    assert.deepEqual(a.diagnostics.filter((d) => d.severity !== 'information'), []);
    assert.equal(a.deployments[0]?.model?.ref, '/home/m/Models/glm.gguf');
    // A macro used in cmd whose value uses an undefined one leaves `${nowhere}` in cmd: llama-swap refuses that.
    const b = await analyzeText(text.replace('-m ${model_path}', '-m ${unused}'), '/x/config.yaml', noRules);
    assert.deepEqual(b.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.range.start.line]), [['unknown-macro', 7]]);
  });
});
