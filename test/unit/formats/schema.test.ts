import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../../../src/core/formats/analyze';
import { buildProfileSchema, buildVllmSchema, schemaFileText } from '../../../src/core/formats/schemaBuild';
import { VLLM_OPTIONS } from '../../../src/core/formats/vllmOptions';
import { at, byCode, FIXTURES, one, textAt } from './helpers';

const ROOT = path.resolve(FIXTURES, '..', '..', '..');
const noRules = { rules: [] };

describe('formats/schemas', () => {
  it('shipped schema files equal what schemaBuild generates from the option table', () => {
    assert.equal(fs.readFileSync(path.join(ROOT, 'schemas', 'vllm-config.schema.json'), 'utf8'), schemaFileText(buildVllmSchema()),
      'regenerate: node out/src/core/formats/schemaBuild.js');
    assert.equal(fs.readFileSync(path.join(ROOT, 'schemas', 'kvlens-profile.schema.json'), 'utf8'), schemaFileText(buildProfileSchema()));
  });

  it('covers every option issue 2 names, in both spellings', () => {
    const schema = buildVllmSchema() as { properties: Record<string, unknown> };
    const required = ['model', 'tokenizer', 'revision', 'dtype', 'quantization', 'max-model-len', 'tensor-parallel-size',
      'pipeline-parallel-size', 'data-parallel-size', 'gpu-memory-utilization', 'kv-cache-dtype', 'block-size', 'max-num-seqs',
      'max-num-batched-tokens', 'enable-prefix-caching', 'enable-chunked-prefill', 'cpu-offload-gb',
      'speculative-config', 'enforce-eager', 'host', 'port', 'served-model-name', 'trust-remote-code', 'seed', 'generation-config'];
    for (const k of required) {
      assert.ok(schema.properties[k], k);
      assert.ok(schema.properties[k.replace(/-/g, '_')], k.replace(/-/g, '_'));
    }
    assert.ok(VLLM_OPTIONS.length > 120);
    // swap-space is in vLLM 0.17 and removed in the newest table, where the schema says so.
    assert.ok((buildVllmSchema('0.17') as { properties: Record<string, unknown> }).properties['swap-space']);
    assert.ok(!schema.properties['swap-space']);
    const kv = schema.properties['kv-cache-dtype'] as { enum: string[] };
    for (const v of ['auto', 'fp8', 'fp8_e4m3', 'fp8_e5m2']) assert.ok(kv.enum.includes(v));
    assert.ok(!kv.enum.includes('q8_0'), 'llama.cpp cache types are not vLLM values');
  });

  it('accepts vLLM configs written the way people write them (underscores, quoted numbers, 32K, JSON strings)', async () => {
    const text = fs.readFileSync(path.join(FIXTURES, 'vllm-underscored.yaml'), 'utf8');
    // The fixture uses disable_log_requests: an option of vLLM 0.16 (deprecated there) that 0.17 removed.
    const a = await analyzeText(text, path.join(FIXTURES, 'vllm-underscored.yaml'), { ...noRules, vllmVersion: '0.16' });
    assert.equal(a.format, 'vllm');
    assert.deepEqual(a.diagnostics.map((d) => [d.code, d.severity]), [['deprecated-option', 'warning']], 'deprecated in 0.16');
    const newest = await analyzeText(text, path.join(FIXTURES, 'vllm-underscored.yaml'), noRules);
    assert.deepEqual(newest.diagnostics.map((d) => [d.code, textAt(text, d.range)]), [['removed-option', 'disable_log_requests']]);
    assert.match(newest.diagnostics[0].message, /removed in vLLM 0\.17.*--enable-log-requests/);
    const e = a.deployments[0].engine;
    assert.equal(e.contextSize, 32768, '32K is binary');
    assert.equal(e.gpuMemoryUtilization, 0.85, 'quoted number');
    assert.equal(e.tensorParallel, 2);
    assert.equal(e.parallel, 256);
    assert.equal(e.kvCacheDtype, 'fp8_e5m2');
    assert.equal(a.deployments[0].name, 'qwen', 'first served-model-name');
    assert.deepEqual(a.deployments[0].speculative, {
      draftRef: 'Qwen/Qwen2.5-0.5B-Instruct', draftRange: a.deployments[0].speculative!.draftRange, acceptanceRate: 0.8, draftLength: 5,
    });
    assert.equal(textAt(text, a.deployments[0].settingRanges.contextSize), '32K');
    assert.equal(textAt(text, a.deployments[0].settingRanges.gpuMemoryUtilization), "'0.85'");
  });

  it('accepts a JSON vLLM config with human-readable sizes', async () => {
    const file = path.join(FIXTURES, 'serve-vllm.json');
    const a = await analyzeText(fs.readFileSync(file, 'utf8'), file, noRules);
    assert.equal(a.format, 'vllm');
    assert.deepEqual(a.diagnostics, []);
    assert.equal(a.deployments[0].engine.maxNumBatchedTokens, 8000, '8k is decimal');
  });

  it('locates every vLLM error on its key or value, says what is allowed, and suggests', async () => {
    const file = path.join(FIXTURES, 'vllm-invalid.yaml');
    const text = fs.readFileSync(file, 'utf8');
    const a = await analyzeText(text, file, noRules);
    const ds = a.diagnostics;
    const byLine = (line: number) => ds.filter((d) => d.range.start.line === line);

    const mml = byLine(1)[0];
    assert.equal(mml.code, 'invalid-type');
    assert.equal(textAt(text, mml.range), 'lots');
    assert.match(mml.message, /`max-model-len` must be a whole number .*32k.*; found `lots`/);

    const unknown = one(ds, 'unknown-key');
    assert.equal(unknown.severity, 'error', 'vLLM refuses unknown options');
    assert.match(unknown.message, /in vLLM 0\.27 \(v0\.27\.\d+ @[0-9a-f]{7}\)/, 'names the table');
    assert.equal(at(unknown), '2:0');
    assert.equal(textAt(text, unknown.range), 'gpu-memory-utilisation');
    assert.match(unknown.message, /did you mean `gpu-memory-utilization`\?/);
    assert.deepEqual(unknown.fixes?.[0].edits, [{ range: unknown.range, newText: 'gpu-memory-utilization' }]);

    // kv-cache-dtype is a list platforms extend: an unlisted value is a warning.
    const kv = byLine(3)[0];
    assert.equal(kv.code, 'unlisted-value');
    assert.equal(kv.severity, 'warning');
    assert.equal(textAt(text, kv.range), 'fp16');
    assert.match(kv.message, /not one of the values vLLM 0\.27 .* lists \(`auto`, `bfloat16`, `float16`, `fp8`/);
    assert.match(kv.message, /Did you mean `float16`\?/);

    const eager = byLine(5)[0];
    assert.equal(eager.code, 'invalid-type');
    assert.match(eager.message, /must be true or false; found `yes`/);


    const dtype = byLine(7)[0];
    assert.equal(dtype.code, 'invalid-value');
    assert.match(dtype.message, /Did you mean `bfloat16`\?/);
    assert.equal(dtype.fixes?.[0].edits[0].newText, 'bfloat16');
    // tensor-parallel-size: 0 is refused by ParallelConfig.tensor_parallel_size Field(ge=1) (v0.27.1, the default
    // table); port: 70000 is not checked by vLLM (check_port exists in argparse_utils.py but nothing calls it).
    const tp = byLine(4)[0];
    assert.equal(tp.code, 'out-of-range');
    assert.equal(textAt(text, tp.range), '0');
    assert.match(tp.message, /Field\(ge=1\)/);
    assert.equal(byLine(6).length, 0, 'port 70000');
    assert.equal(ds.length, 6, JSON.stringify(ds.map((d) => d.message)));
  });

  it('keeps the user\'s spelling style in suggestions', async () => {
    const text = 'max_model_len: 4096\ngpu_memory_utilisation: 0.9\n';
    const a = await analyzeText(text, 'x-vllm.yaml', noRules);
    const d = one(a.diagnostics, 'unknown-key');
    assert.match(d.message, /did you mean `gpu_memory_utilization`/);
  });

  it('reports a profile\'s errors on the right key or value, in JSON too', async () => {
    const file = path.join(FIXTURES, 'profile-invalid.kvlens.json');
    const text = fs.readFileSync(file, 'utf8');
    const a = await analyzeText(text, file, noRules);
    const unknown = one(a.diagnostics, 'unknown-key');
    assert.equal(unknown.severity, 'error', 'our own format: a typo is an error');
    assert.equal(textAt(text, unknown.range), '"outputToken"');
    assert.match(unknown.message, /did you mean `outputTokens`/);
    assert.equal(unknown.fixes?.[0].edits[0].newText, '"outputTokens"', 'JSON keys keep their quotes');
    const conc = one(a.diagnostics, 'out-of-range');
    assert.equal(textAt(text, conc.range), '0');
    const missing = one(a.diagnostics, 'missing-key');
    assert.match(missing.message, /Missing required key `bandwidthGBs` in `targets\[1\]`/);
    assert.equal(missing.range.start.line, 4);
    const fa = one(a.diagnostics, 'quantized-v-needs-fa');
    assert.equal(textAt(text, fa.range), '-fa off', 'flags inside a JSON string land on their own columns');
  });

  it('validates a profile\'s vLLM options against the vLLM option list', async () => {
    const text = 'model: m/x\nengine:\n  kind: vllm\n  options:\n    max_num_seq: 8\n    kv-cache-dtype: q8_0\n';
    const a = await analyzeText(text, 'p.kvlens.yaml', noRules);
    const u = one(a.diagnostics, 'unknown-key');
    assert.equal(u.severity, 'error');
    assert.match(u.message, /did you mean `max_num_seqs`/);
    assert.equal(textAt(text, u.range), 'max_num_seq');
    const kv = one(a.diagnostics, 'unlisted-value');
    assert.match(kv.message, /`engine\.options\.kv-cache-dtype`: `q8_0` is not one of the values/);
  });

  it('puts a missing required key on its parent key', async () => {
    const text = 'model: meta-llama/Llama-3.1-8B-Instruct\nengine:\n  args: "-c 4096"\n';
    const a = await analyzeText(text, 'p.kvlens.yaml', noRules);
    const d = one(a.diagnostics, 'missing-key');
    assert.equal(textAt(text, d.range), 'engine');
    assert.match(d.message, /`kind` in `engine`/);
  });

  it('lists allowed keys when nothing is close', async () => {
    const text = 'model: m/x\nengine: {kind: llama.cpp}\nzzzz: 1\n';
    const a = await analyzeText(text, 'p.kvlens.yaml', noRules);
    const d = one(a.diagnostics, 'unknown-key');
    assert.match(d.message, /Allowed keys: .*`workload`/);
    assert.equal(d.fixes, undefined);
  });

  it('reports YAML syntax errors of a profile at their line', async () => {
    const file = path.join(FIXTURES, 'broken-syntax.kvlens.yaml');
    const a = await analyzeText(fs.readFileSync(file, 'utf8'), file, noRules);
    const errs = byCode(a.diagnostics, 'yaml-syntax');
    assert.ok(errs.length >= 1);
    assert.ok(errs.every((d) => d.range.start.line >= 3), JSON.stringify(errs));
  });
});
