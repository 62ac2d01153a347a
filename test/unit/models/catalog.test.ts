import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { catalogDescriptor, findCatalogModel, listCatalogModels } from '../../../src/core/models/catalog';

const REPO = path.resolve(__dirname, '../../../..');

describe('models/catalog (data/models.json)', () => {
  it('validates against schemas/model-catalog.schema.json (draft-07)', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(REPO, 'schemas/model-catalog.schema.json'), 'utf8'));
    const data = JSON.parse(fs.readFileSync(path.join(REPO, 'data/models.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    assert.ok(validate(data), ajv.errorsText(validate.errors));
    // The schema does reject a broken entry.
    const broken = structuredClone(data) as { models: { source?: string; config: Record<string, unknown> }[] };
    delete broken.models[0].source;
    broken.models[1].config.num_hidden_layers = -3;
    assert.equal(validate(broken), false);
    assert.ok((validate.errors ?? []).length >= 2);
  });

  it('holds at least 25 models with unique ids and aliases', () => {
    const models = listCatalogModels();
    assert.ok(models.length >= 25, `${models.length} models`);
    const names = new Map<string, string>();
    for (const m of models) {
      for (const n of [m.id, ...(m.aliases ?? [])]) {
        const k = n.toLowerCase();
        assert.ok(!names.has(k) || names.get(k) === m.id, `${n} used by ${names.get(k)} and ${m.id}`);
        names.set(k, m.id);
      }
      assert.match(m.source, new RegExp(`^https://huggingface\\.co/${m.id.replace(/[.]/g, '\\.')}/`));
    }
  });

  it('contains the models the issue names', () => {
    for (const id of [
      'meta-llama/Llama-3.1-8B-Instruct', 'meta-llama/Llama-3.1-70B-Instruct', 'meta-llama/Llama-3.1-405B-Instruct',
      'meta-llama/Llama-3.2-1B-Instruct', 'meta-llama/Llama-3.2-3B-Instruct', 'meta-llama/Llama-3.3-70B-Instruct',
      'mistralai/Mistral-7B-Instruct-v0.3', 'mistralai/Mistral-7B-v0.1', 'mistralai/Mixtral-8x7B-Instruct-v0.1',
      'mistralai/Mistral-Small-24B-Instruct-2501', 'mistralai/Mistral-Nemo-Instruct-2407', 'Qwen/Qwen2.5-7B-Instruct',
      'Qwen/Qwen2.5-32B-Instruct', 'Qwen/Qwen2.5-72B-Instruct', 'Qwen/Qwen3-8B', 'Qwen/Qwen3-32B', 'Qwen/Qwen3-30B-A3B',
      'Qwen/Qwen3-235B-A22B', 'google/gemma-2-9b-it', 'google/gemma-2-27b-it', 'google/gemma-3-27b-it', 'google/gemma-3-4b-it',
      'microsoft/Phi-3-mini-4k-instruct', 'deepseek-ai/DeepSeek-V2-Lite-Chat', 'deepseek-ai/DeepSeek-V3', 'deepseek-ai/DeepSeek-R1',
      'openai/gpt-oss-20b', 'openai/gpt-oss-120b', '01-ai/Yi-34B',
    ]) {
      assert.equal(findCatalogModel(id)?.id, id);
    }
  });

  it('finds models case-insensitively, by alias, and from a pasted huggingface.co URL', () => {
    assert.equal(findCatalogModel('META-LLAMA/llama-3.1-70b-instruct')?.id, 'meta-llama/Llama-3.1-70B-Instruct');
    assert.equal(findCatalogModel('llama-3.1-8b')?.id, 'meta-llama/Llama-3.1-8B-Instruct');
    assert.equal(findCatalogModel('meta-llama/Meta-Llama-3.1-8B-Instruct')?.id, 'meta-llama/Llama-3.1-8B-Instruct');
    assert.equal(findCatalogModel('https://huggingface.co/Qwen/Qwen3-8B/tree/main')?.id, 'Qwen/Qwen3-8B');
    assert.equal(findCatalogModel(' openai/gpt-oss-20b ')?.id, 'openai/gpt-oss-20b');
    assert.equal(findCatalogModel('someone/unknown-model'), undefined);
    assert.equal(findCatalogModel(''), undefined);
  });

  it('every entry yields a descriptor with no NaN and parameters matching the published size', () => {
    for (const e of listCatalogModels()) {
      const d = catalogDescriptor(e);
      assert.deepEqual(d.missing, [], `${e.id} missing ${d.missing.join(', ')}`);
      for (const [k, v] of Object.entries(d)) if (typeof v === 'number') assert.ok(Number.isFinite(v) && v >= 0, `${e.id}.${k} = ${v}`);
      assert.ok(d.kvHeadsPerLayer.every((h) => Number.isInteger(h) && h > 0), `${e.id} KV heads`);
      assert.ok(Number.isInteger(d.headDimK) && d.headDimK > 0, `${e.id} head dim`);
      assert.ok(d.trainedContext! >= 2048, `${e.id} context`); // TinyLlama 1.1B was trained at 2048
      assert.equal(d.source.kind, 'catalog');
      assert.equal(d.source.url, e.source);
      assert.ok(e.published?.params, `${e.id} has a published size`);
      const expected = e.published!.params! - (e.published!.notCounted ?? 0);
      const rel = Math.abs(d.params / expected - 1);
      assert.ok(rel < 0.02, `${e.id}: ${(d.params / 1e9).toFixed(2)} B vs published ${(expected / 1e9).toFixed(2)} B`);
      // The size in the name ("8B", "70B", "8x7B", "A22B") agrees too, loosely — names round.
      const m = /(?:^|[-/])(\d+(?:\.\d+)?)[bB](?:-|$)/.exec(e.id.replace(/-A\d+B/, ''));
      if (m) {
        const named = Number(m[1]) * 1e9;
        assert.ok(Math.abs((d.params + (e.published!.notCounted ?? 0)) / named - 1) < 0.25, `${e.id}: ${(d.params / 1e9).toFixed(2)} B vs name ${m[1]}B`);
      }
      if (e.published!.activeParams) {
        const active = d.activeParams - (e.published!.activeExcludesInputEmbedding ? d.vocabSize! * d.hiddenSize : 0);
        assert.ok(Math.abs(active / e.published!.activeParams - 1) < 0.03, `${e.id} active ${(active / 1e9).toFixed(2)} B`);
      }
    }
  });

  it('returns copies: changing one descriptor does not change the next lookup', () => {
    const e = findCatalogModel('Qwen/Qwen3-8B')!;
    const a = catalogDescriptor(e);
    a.layers = 1;
    a.notes.push('changed');
    const b = catalogDescriptor(e);
    assert.equal(b.layers, 36);
    assert.ok(!b.notes.includes('changed'));
  });
});
