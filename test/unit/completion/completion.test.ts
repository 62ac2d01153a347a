// Completion from our schemas and the llama.cpp flag table, on text as people have it half-typed. `|` marks the
// cursor in each case.
import * as assert from 'node:assert/strict';
import { completionsAt, cursorContext, llamaBuildForText, type CompletionOptions } from '../../../src/core/completion';
import type { ConfigFormat } from '../../../src/core/deployment';
import { loadHardwareCatalog } from '../../../src/core/hardware/catalog';
import { listCatalogModels } from '../../../src/core/models/catalog';

function opts(format: ConfigFormat, lang: 'yaml' | 'json' = 'yaml'): CompletionOptions {
  return {
    format, lang,
    hardware: loadHardwareCatalog().targets.map((t) => ({ id: t.id, name: t.name, memoryBytes: t.memoryBytes })),
    models: listCatalogModels().map((m) => ({ id: m.id })),
  };
}

function at(src: string, format: ConfigFormat, lang: 'yaml' | 'json' = 'yaml') {
  const offset = src.indexOf('|');
  const text = src.replace('|', '');
  return { text, offset, items: completionsAt(text, offset, opts(format, lang)) };
}

const labels = (items: { label: string }[]) => items.map((i) => i.label);

describe('completion', () => {
  it('a fresh profile: the top-level keys, with their descriptions', () => {
    const { items } = at('|', 'kvlens-profile');
    for (const k of ['model', 'engine', 'workload', 'targets', 'speculative']) assert.ok(labels(items).includes(k), `${k} in ${labels(items)}`);
    const engine = items.find((i) => i.label === 'engine')!;
    assert.match(engine.documentation ?? '', /serving engine/);
    assert.equal(engine.insertText, 'engine:\n  ');
  });

  it('keys of a nested mapping, without those already written', () => {
    const { items } = at('model: x\nengine:\n  kind: llama.cpp\n  |', 'kvlens-profile');
    assert.deepEqual(labels(items).sort(), ['args', 'options', 'version']);
  });

  it('enum values: engine kinds', () => {
    const { items } = at('engine:\n  kind: |', 'kvlens-profile');
    assert.deepEqual(labels(items), ['llama.cpp', 'vllm']);
  });

  it('target ids with their memory, in a flow list and a block list; "4090" finds rtx-4090', () => {
    const flow = at('targets: [h100-sxm, |', 'kvlens-profile');
    const ids = labels(flow.items);
    assert.ok(ids.includes('rtx-4090') && ids.includes('local'), ids.join(','));
    const rtx = flow.items.find((i) => i.label === 'rtx-4090')!;
    assert.match(rtx.detail ?? '', /24 GB/);
    assert.match(rtx.filterText ?? '', /4090/);
    const block = at('targets:\n  - h100-sxm\n  - |', 'kvlens-profile');
    assert.ok(labels(block.items).includes('a100-80gb'));
  });

  it('catalog model ids for model:', () => {
    const { items } = at('model: |', 'kvlens-profile');
    assert.ok(labels(items).includes('meta-llama/Llama-3.1-8B-Instruct'));
    const { items: id } = at('model:\n  id: |', 'kvlens-profile');
    assert.ok(labels(id).includes('Qwen/Qwen2.5-7B-Instruct'));
  });

  it('llama.cpp flags and their values inside an args string', () => {
    const flags = at('engine:\n  kind: llama.cpp\n  args: "-c 8192 -ct|"', 'kvlens-profile');
    assert.ok(labels(flags.items).includes('-ctk') && labels(flags.items).includes('-ctv'), labels(flags.items).slice(0, 20).join(','));
    const ctk = flags.items.find((i) => i.label === '-ctk')!;
    assert.match(ctk.documentation ?? '', /KV cache data type for K/i);
    // Only the token being typed is replaced.
    assert.equal(flags.text.slice(ctk.replace[0], ctk.replace[1]), '-ct');
    const types = at('engine:\n  kind: llama.cpp\n  args: "-c 8192 -ctk |"', 'kvlens-profile');
    for (const t of ['f16', 'q8_0', 'q4_0']) assert.ok(labels(types.items).includes(t), labels(types.items).join(','));
    const fa = at('engine: {kind: llama.cpp, args: "-fa |"}', 'kvlens-profile');
    assert.deepEqual(labels(fa.items).sort(), ['auto', 'off', 'on']);
    const list = at('engine:\n  kind: llama.cpp\n  args:\n    - "-c 8192"\n    - "--fla|', 'kvlens-profile');
    assert.ok(labels(list.items).includes('--flash-attn'), labels(list.items).slice(0, 10).join(','));
  });

  it('llama.cpp flags in a llama-swap cmd block', () => {
    const { items } = at('models:\n  m:\n    cmd: |\n      llama-server -hf a/b\n      -np 4 -ct|\n', 'llama-swap');
    assert.ok(labels(items).includes('-ctv'));
    const one = at('models:\n  m:\n    cmd: llama-server -c 4096 -ctv |\n', 'llama-swap');
    assert.ok(labels(one.items).includes('q8_0'));
  });

  it('offers the flags of the llama.cpp build chosen (kvlens.llamaCpp.build), not only the bundled one', () => {
    const src = 'models:\n  m:\n    cmd: llama-server -m x.gguf --ml|\n';
    const offset = src.indexOf('|');
    const text = src.replace('|', '');
    const bundled = labels(completionsAt(text, offset, opts('llama-swap')));
    const b8914 = labels(completionsAt(text, offset, { ...opts('llama-swap'), llamaCppBuild: 'b8914' }));
    // --mlock: replaced by `-lm mlock` in the bundled build (removed there), still a flag of b8914.
    assert.ok(!bundled.includes('--mlock'), 'removed flags are not offered');
    assert.ok(b8914.includes('--mlock'));
    assert.ok(bundled.includes('--kv-unified-per-slot') && !b8914.includes('--kv-unified-per-slot'), 'a flag only the bundled build has');
  });

  it("a llama.cpp profile's engine.version chooses the flags offered, over the setting, as it does for its checks", () => {
    const src = (version: string) => `engine:\n  kind: llama.cpp\n${version}  args: "-m x.gguf --ml|"\n`;
    const offer = (version: string, llamaCppBuild?: string, format: ConfigFormat = 'kvlens-profile') => {
      const s = src(version);
      return labels(completionsAt(s.replace('|', ''), s.indexOf('|'), { ...opts(format), llamaCppBuild }));
    };
    assert.ok(offer('  version: b8914\n').includes('--mlock'), 'b8914 from the profile');
    assert.ok(!offer('  version: bundled\n', 'b8914').includes('--mlock'), 'the profile\'s bundled over the setting\'s b8914');
    assert.ok(offer('', 'b8914').includes('--mlock'), 'no engine.version: the setting');
    assert.ok(!offer('').includes('--mlock'));
    // The table hovers use too: a vLLM profile's version is a vLLM version, not a llama.cpp build; other formats keep the setting.
    assert.equal(llamaBuildForText('engine:\n  kind: llama.cpp\n  version: b8914\n', 'p.kvlens.yaml', 'kvlens-profile', 'upstream'), 'b8914');
    assert.equal(llamaBuildForText('{"engine": {"kind": "llama.cpp", "version": "b8914"}}', 'p.kvlens.json', 'kvlens-profile'), 'b8914');
    assert.equal(llamaBuildForText('engine:\n  kind: vllm\n  version: "0.10"\n', 'p.kvlens.yaml', 'kvlens-profile', 'upstream'), 'upstream');
    assert.equal(llamaBuildForText('engine:\n  kind: llama.cpp\n  version: b8914\n', 'llama-swap.yaml', 'llama-swap', 'upstream'), 'upstream');
  });

  it('vLLM options and their values', () => {
    const keys = at('model: x\nmax-m|', 'vllm');
    assert.ok(labels(keys.items).includes('max-model-len'));
    const kv = at('kv-cache-dtype: |', 'vllm');
    assert.ok(labels(kv.items).includes('fp8'));
    const inProfile = at('engine:\n  kind: vllm\n  options:\n    gpu-|', 'kvlens-profile');
    assert.ok(labels(inProfile.items).includes('gpu-memory-utilization'), labels(inProfile.items).slice(0, 5).join(','));
  });

  it('JSON profiles: keys with quotes, values inside quotes', () => {
    const keys = at('{"model": "x", "|"}', 'kvlens-profile', 'json');
    const engine = keys.items.find((i) => i.label === 'engine');
    assert.ok(engine, labels(keys.items).join(','));
    assert.equal(engine.insertText, '"engine": ');
    const kind = at('{"engine": {"kind": "|"}}', 'kvlens-profile', 'json');
    assert.deepEqual(labels(kind.items), ['llama.cpp', 'vllm']);
    assert.equal(kind.items[0].insertText, 'llama.cpp', 'inside quotes: no quotes added');
    const args = at('{"engine": {"kind": "llama.cpp", "args": "-c 4096 -ctk |"}}', 'kvlens-profile', 'json');
    assert.ok(labels(args.items).includes('q8_0'));
  });

  it('reads the cursor context of half-typed YAML', () => {
    assert.deepEqual(cursorContext('workload:\n  prompt', 'workload:\n  prompt'.length, 'yaml').path, ['workload']);
    assert.deepEqual(cursorContext('targets:\n  - id: x\n    mem', 'targets:\n  - id: x\n    mem'.length, 'yaml').path, ['targets', 0]);
    const c = cursorContext('a:\n  b: {c: 1, d: ', 'a:\n  b: {c: 1, d: '.length, 'yaml');
    assert.deepEqual(c.path, ['a', 'b', 'd']);
    assert.equal(c.at, 'value');
  });

  it('never throws on hostile text', () => {
    for (const t of ['{{{{', '"', 'a: [[[[', '- - - -', ':'.repeat(1000), 'x:\n'.repeat(5000)]) {
      assert.ok(Array.isArray(completionsAt(t, t.length, opts('kvlens-profile'))));
      assert.ok(Array.isArray(completionsAt(t, 0, opts('llama-swap'))));
    }
  });
});
