import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import * as YAML from 'yaml';
import type { KvDiagnostic, Range } from '../../../src/core/diagnostics';
import { parseDocument } from '../../../src/core/formats/document';
import { analyzeLlamaSwap, type LlamaSwapAnalysis, looksLikeLlamaSwap } from '../../../src/core/formats/llamaSwap';
import { parseLlamaArgs } from '../../../src/core/formats/llamacpp/parse';

const ROOT = path.resolve(__dirname, '../../../..');
const FIXTURES = path.join(ROOT, 'test/fixtures');

function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

function analyze(text: string): LlamaSwapAnalysis {
  return analyzeLlamaSwap(parseDocument(text, 'yaml'));
}

/** The text a 0-based range covers (single line ranges). */
function textAt(text: string, r: Range): string {
  const lines = text.split(/\r?\n/);
  assert.equal(r.start.line, r.end.line, 'single-line range');
  return lines[r.start.line].slice(r.start.character, r.end.character);
}

function offsetOf(text: string, p: { line: number; character: number }): number {
  let line = 0;
  let i = 0;
  while (line < p.line) {
    i = text.indexOf('\n', i) + 1;
    line++;
  }
  return i + p.character;
}

function applyFix(text: string, d: KvDiagnostic): string {
  assert.ok(d.fixes?.length, `no fix on ${d.code}`);
  const edits = d.fixes[0].edits.map((e) => ({ s: offsetOf(text, e.range.start), e: offsetOf(text, e.range.end), t: e.newText }));
  let out = text;
  for (const e of edits.sort((a, b) => b.s - a.s)) out = out.slice(0, e.s) + e.t + out.slice(e.e);
  return out;
}

describe('formats/llamaSwap', () => {
  describe('looksLikeLlamaSwap', () => {
    it('recognises a models mapping whose entries have cmd', () => {
      assert.equal(looksLikeLlamaSwap(YAML.parse(fixture('llama-swap/valid.llama-swap.yaml'))), true);
      assert.equal(looksLikeLlamaSwap({ models: { a: { cmd: 'llama-server' }, peer: { proxy: 'http://x' } } }), true);
    });
    it('rejects other shapes', () => {
      assert.equal(looksLikeLlamaSwap(undefined), false);
      assert.equal(looksLikeLlamaSwap({ model: 'x', engine: {} }), false);
      assert.equal(looksLikeLlamaSwap({ models: ['a', 'b'] }), false);
      assert.equal(looksLikeLlamaSwap({ models: {} }), false);
      assert.equal(looksLikeLlamaSwap({ models: { a: { name: 'x' } } }), false);
      assert.equal(looksLikeLlamaSwap({ models: { a: 'llama-server -m x' } }), false);
    });
  });

  describe('a valid config', () => {
    const text = fixture('llama-swap/valid.llama-swap.yaml');
    const r = analyze(text);

    it('has no diagnostics', () => assert.deepEqual(r.diagnostics, []));

    it('gives one deployment per llama-server model, none for the vLLM one', () => {
      assert.deepEqual(r.deployments.map((d) => d.name), ['qwen3-8b', 'gemma-27b', 'embed']);
      assert.ok(r.deployments.every((d) => d.format === 'llama-swap' && d.engine.kind === 'llama.cpp'));
    });

    it('reads settings through macros, block scalars, continuations and comments', () => {
      const q = r.deployments[0];
      assert.equal(q.engine.contextSize, 32768, 'from ${ctx}');
      assert.equal(q.engine.parallel, 4);
      assert.equal(q.engine.unifiedKv, true);
      assert.equal(q.engine.cacheTypeK, 'q8_0');
      assert.equal(q.engine.cacheTypeV, 'q8_0');
      assert.equal(q.engine.flashAttention, 'on');
      assert.equal(q.engine.gpuLayers, 99);
      assert.equal(q.model?.ref, '/models/Qwen3-8B-Q4_K_M.gguf');
      const g = r.deployments[1];
      assert.equal(g.model?.ref, '/models/gemma 3/gemma-3-27b-it-Q4_K_M.gguf');
      assert.equal(g.engine.swaFull, true);
      assert.equal(g.engine.flashAttention, 'auto');
      assert.equal(g.engine.cacheTypeV, 'q4_0');
      const e = r.deployments[2];
      assert.equal(e.engine.cacheTypeK, 'f16', 'llama.cpp default');
      assert.equal(e.engine.ubatchSize, 8192);
    });

    it('anchors each deployment on its model key and ranges each setting on its value', () => {
      const q = r.deployments[0];
      assert.equal(textAt(text, q.anchor), '"qwen3-8b"');
      assert.equal(textAt(text, q.settingRanges.cacheTypeV!), 'q8_0');
      assert.equal(q.settingRanges.cacheTypeV!.start.line, text.split('\n').findIndex((l) => l.includes('-ctv q8_0')));
      assert.equal(textAt(text, q.settingRanges.contextSize!), '${ctx}', 'a setting from a macro is ranged on the reference');
      assert.equal(textAt(text, q.model!.range), '/models/Qwen3-8B-Q4_K_M.gguf');
      const g = r.deployments[1];
      assert.equal(textAt(text, g.settingRanges.contextSize!), '16384');
      assert.equal(textAt(text, g.model!.range), '"/models/gemma 3/gemma-3-27b-it-Q4_K_M.gguf"');
    });
  });

  describe('diagnostics on the exact columns', () => {
    it('a misspelt flag inside a `cmd: |` block lands on its own line and columns, with a fix', () => {
      const text = fixture('llama-swap/misspelt-flag.llama-swap.yaml');
      const r = analyze(text);
      const d = r.diagnostics.find((x) => x.code === 'unknown-flag');
      assert.ok(d);
      assert.deepEqual(d.range, { start: { line: 5, character: 8 }, end: { line: 5, character: 18 } });
      assert.equal(textAt(text, d.range), '--ctx-sise');
      assert.match(applyFix(text, d), /\n {8}--ctx-size 8192 \\\n/);
    });

    it('the quantized-V rule lands on `-fa off` and its fix turns it on', () => {
      const text = fixture('llama-swap/misspelt-flag.llama-swap.yaml');
      const d = analyze(text).diagnostics.find((x) => x.code === 'quantized-v-needs-fa');
      assert.ok(d);
      assert.equal(d.severity, 'error');
      assert.equal(textAt(text, d.range), '-fa off');
      assert.equal(d.range.start.line, 6);
      assert.match(applyFix(text, d), /-ctv q4_0 -fa on\n/);
    });

    it('CRLF files map to the same columns', () => {
      const text = fixture('llama-swap/crlf.llama-swap.yaml');
      assert.ok(text.includes('\r\n'));
      const d = analyze(text).diagnostics.find((x) => x.code === 'unknown-flag');
      assert.ok(d);
      assert.deepEqual(d.range, { start: { line: 5, character: 8 }, end: { line: 5, character: 18 } });
    });

    it('a folded `cmd: >` and a quoted one-line cmd map too', () => {
      const text = 'models:\n  a:\n    cmd: >\n      llama-server --port ${PORT}\n      -c 4096\n      -ctk q9_0\n  b:\n    cmd: "llama-server --port ${PORT} -c \\"4096\\" -np zero"\n';
      const r = analyze(text);
      assert.deepEqual(r.diagnostics.map((d) => [d.code, textAt(text, d.range)]), [
        ['invalid-value', 'q9_0'],
        ['invalid-value', 'zero'],
      ]);
    });

    it('every diagnostic of the realistic fixture points at the text it is about', () => {
      const text = fixture('llama-swap/realistic.llama-swap.yaml');
      const r = analyze(text);
      assert.deepEqual(r.diagnostics.map((d) => [d.code, textAt(text, d.range)]), [
        ['unknown-flag', '--ctx-sise'],
        ['quantized-v-needs-fa', '-fa off'],
        ['quantized-v-needs-fa', '-fa off'],
      ]);
      assert.deepEqual(r.deployments.map((d) => d.name), ['qwen3-8b', 'llama-70b', 'docker-llama']);
      assert.equal(r.deployments[0].engine.cacheTypeV, 'q8_0', 'from the kv8 macro');
    });
  });

  describe('macros', () => {
    const text = fixture('llama-swap/macros.llama-swap.yaml');
    const r = analyze(text);

    it('a bad value that came from a macro is reported on the reference in cmd, naming the macro, without a fix', () => {
      const d = r.diagnostics.find((x) => x.code === 'invalid-value');
      assert.ok(d);
      assert.equal(textAt(text, d.range), '${kv4}');
      assert.match(d.message, /`of`/);
      assert.match(d.message, /from macro `\$\{kv4\}`/);
      assert.equal(d.fixes, undefined, 'editing the reference would not fix the macro');
    });

    it('nested macros and ${PORT} expand: the program and --port parse cleanly', () => {
      const dep = r.deployments.find((d) => d.name === 'from-macro');
      assert.ok(dep);
      assert.equal(dep.engine.cacheTypeK, 'q4_0');
      assert.equal(r.diagnostics.filter((d) => d.code === 'unexpected-argument' || d.code === 'missing-value').length, 0);
    });

    it('an undefined macro is an error on the reference, with a suggestion', () => {
      const d = r.diagnostics.find((x) => x.code === 'unknown-macro');
      assert.ok(d);
      assert.equal(textAt(text, d.range), '${contxt}');
      assert.match(d.message, /Did you mean `\$\{context\}`/);
    });

    it('reads llama-server inside `bash -c "…"`, each diagnostic on the flag as written', () => {
      const t = 'models:\n  m:\n    cmd: >\n      bash -c "source /opt/env.sh > /dev/null && exec /opt/llama-server\n      -m /m/x.gguf --port ${PORT} -c 8192 --no-such-flag"\n';
      const a = analyze(t);
      assert.equal(a.deployments.length, 1);
      assert.equal(a.deployments[0].engine.contextSize, 8192);
      assert.equal(textAt(t, a.deployments[0].settingRanges.contextSize!), '8192');
      const bad = a.diagnostics.filter((d) => d.severity !== 'information');
      assert.deepEqual(bad.map((d) => [d.code, textAt(t, d.range)]), [['unknown-flag', '--no-such-flag']]);
    });

    it('model-level macros override global ones', () => {
      const t = 'macros:\n  ctx: 4096\nmodels:\n  m:\n    macros:\n      ctx: 8192\n    cmd: llama-server --port ${PORT} -c ${ctx}\n';
      const a = analyze(t);
      assert.deepEqual(a.diagnostics, []);
      assert.equal(a.deployments[0].engine.contextSize, 8192);
    });

    it('self-referencing and multiplying macros neither hang nor blow up', () => {
      const names = Array.from({ length: 30 }, (_, i) => `m${i}`);
      const defs = names.map((n, i) => `  ${n}: "\${m${i + 1}}\${m${i + 1}}"`).join('\n');
      const t = `macros:\n  loop-a: \${loop-b}\n  loop-b: \${loop-a}\n${defs}\n  m30: x\nmodels:\n  m:\n    cmd: llama-server -a \${loop-a} --api-key \${m0}\n`;
      const t0 = Date.now();
      const a = analyze(t);
      assert.ok(Date.now() - t0 < 2000);
      assert.equal(a.deployments.length, 1);
    });

    it('${env.X} is left to the environment and not reported', () => {
      const a = analyze('models:\n  m:\n    cmd: llama-server -m ${env.HOME}/models/a.gguf\n    proxy: http://127.0.0.1:8080\n');
      assert.deepEqual(a.diagnostics, []);
      assert.equal(a.deployments[0].model?.ref, '${env.HOME}/models/a.gguf');
    });
  });

  describe('proxy and port', () => {
    it('a fixed --port with no proxy is a warning on the port, fixed by ${PORT}', () => {
      const t = 'models:\n  m:\n    cmd: llama-server -m a.gguf --port 8081\n';
      const a = analyze(t);
      assert.deepEqual(a.diagnostics.map((d) => [d.code, d.severity, textAt(t, d.range)]), [['missing-proxy', 'warning', '8081']]);
      assert.match(a.diagnostics[0].message, /http:\/\/127\.0\.0\.1:8081/);
      assert.match(applyFix(t, a.diagnostics[0]), /--port \$\{PORT\}\n/);
    });
    it('no --port at all points at the program and names llama-server\'s 8080 default', () => {
      const t = 'models:\n  m:\n    cmd: /opt/llama-server -m a.gguf\n';
      const d = analyze(t).diagnostics;
      assert.deepEqual(d.map((x) => [x.code, textAt(t, x.range)]), [['missing-proxy', '/opt/llama-server']]);
      assert.match(d[0].message, /8080/);
    });
    it('${PORT} through a macro, or an explicit proxy, is fine', () => {
      assert.deepEqual(analyze('macros:\n  s: llama-server --port ${PORT}\nmodels:\n  m:\n    cmd: ${s} -m a.gguf\n').diagnostics, []);
      assert.deepEqual(analyze('models:\n  m:\n    cmd: llama-server --port 9000\n    proxy: http://127.0.0.1:9000\n').diagnostics, []);
    });
  });

  describe('commands that are not llama-server', () => {
    it('are skipped without diagnostics', () => {
      const t = 'models:\n  v:\n    cmd: vllm serve x --bogus-flag 1\n  p:\n    cmd: python -m sglang.launch_server --port ${PORT}\n  s:\n    cmd: sh -c "python serve.py --port ${PORT}"\n';
      const a = analyze(t);
      assert.deepEqual(a.diagnostics, []);
      assert.deepEqual(a.deployments, []);
      // A shell script that runs llama-server is read (this one is never reached: it does not listen on ${PORT}).
      const sh = 'models:\n  s:\n    cmd: sh -c "llama-server -c 1"\n';
      assert.deepEqual(analyze(sh).diagnostics.map((d) => [d.code, textAt(sh, d.range)]), [['missing-proxy', 'llama-server']]);
    });
    it('docker running the llama.cpp server image is validated after the image name', () => {
      const t = 'models:\n  d:\n    cmd: docker run --rm -p ${PORT}:8080 ghcr.io/ggml-org/llama.cpp:server-cuda -m /m/a.gguf -ctk q3\n';
      const a = analyze(t);
      assert.deepEqual(a.diagnostics.map((d) => [d.code, textAt(t, d.range)]), [['invalid-value', 'q3']]);
      assert.equal(a.deployments[0].model?.ref, '/m/a.gguf');
    });
    it('non-mapping documents and models without cmd give nothing and do not throw', () => {
      assert.deepEqual(analyze('- a\n- b\n'), { deployments: [], diagnostics: [] });
      assert.deepEqual(analyze('models:\n  a: 1\n  b:\n    proxy: http://x\n  c:\n    cmd: [1, 2]\n'), { deployments: [], diagnostics: [] });
    });
  });

  describe('schemas/llama-swap.schema.json', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas/llama-swap.schema.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
    const validate = ajv.compile(schema);

    it('is draft-07 and accepts every llama-swap fixture', () => {
      assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
      for (const f of fs.readdirSync(path.join(FIXTURES, 'llama-swap'))) {
        const ok = validate(YAML.parse(fixture(`llama-swap/${f}`)));
        assert.ok(ok, `${f}: ${JSON.stringify(validate.errors)}`);
      }
    });

    it('rejects a misspelt model key, a missing cmd, bad enums and bad group members', () => {
      const bad = (v: unknown): string[] => {
        assert.equal(validate(v), false);
        return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`);
      };
      assert.ok(bad({ models: { a: { cmd: 'x', tll: 5 } } }).includes('/models/a additionalProperties'));
      // cmd is not checked when llama-swap loads the config (only when the model starts): KV Lens warns instead.
      assert.equal(validate({ models: { a: { proxy: 'http://x' } } }), true);
      assert.ok(bad({ logLevel: 'verbose', models: { a: { cmd: 'x' } } }).includes('/logLevel enum'));
      assert.ok(bad({ healthCheckTimeout: 5, models: { a: { cmd: 'x' } } }).includes('/healthCheckTimeout minimum'));
      // GroupConfig.UnmarshalYAML defaults members to an empty list: a group without them loads.
      assert.equal(validate({ models: { a: { cmd: 'x' } }, groups: { g: { swap: true } } }), true);
      assert.ok(bad({ models: { a: { cmd: 'x' } }, groups: { g: { members: 'a' } } }).includes('/groups/g/members type'));
      assert.ok(bad({ models: { a: { cmd: 'x' } }, macros: { PORT: 1 } }).some((e) => e.startsWith('/macros')));
    });
  });

  it('llama.cpp fixtures: a pasted README command parses cleanly; old flags are named', () => {
    const pasted = parseLlamaArgs(fixture('llamacpp/pasted-command.sh'));
    assert.deepEqual(pasted.issues, []);
    assert.equal(pasted.settings.parallel, 8);
    assert.equal(pasted.program?.tool, 'llama-server');
    const old = fixture('llamacpp/old-style.sh');
    const r = parseLlamaArgs(old);
    // A bare -fa before another flag: llama.cpp takes that flag as its value and stops.
    assert.deepEqual(r.issues.map((i) => i.code), ['fa-needs-value', 'removed-flag', 'removed-flag', 'removed-flag']);
    assert.equal(r.settings.flashAttention, 'on');
  });
});
