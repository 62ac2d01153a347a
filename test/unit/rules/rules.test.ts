import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Deployment, EngineSettings } from '../../../src/core/deployment';
import { analyzeText } from '../../../src/core/formats/analyze';
import type { ModelDescriptor } from '../../../src/core/models/descriptor';
import { contextLengthRule } from '../../../src/core/rules/contextLength';
import { gpuMemoryUtilizationRule } from '../../../src/core/rules/gpuMemoryUtilization';
import { RULES } from '../../../src/core/rules/index';
import { refShape } from '../../../src/core/rules/modelRefs';
import type { ModelResolution, ModelResolverLike, RuleContext } from '../../../src/core/rules/rule';
import { tensorParallelRule } from '../../../src/core/rules/tensorParallel';
import { one, textAt } from '../formats/helpers';

const R = (line: number, a: number, b: number) => ({ start: { line, character: a }, end: { line, character: b } });

/** A hand-built descriptor: Llama-3.1-70B's attention shape. */
function model(over: Partial<ModelDescriptor> = {}): ModelDescriptor {
  const layers = over.layers ?? 80;
  return {
    name: 'test-70b', source: { kind: 'catalog', id: 'test/70b' }, architecture: 'llama', layers, hiddenSize: 8192, heads: 64,
    kvHeadsPerLayer: Array(layers).fill(8), headDimK: 128, headDimV: 128, layerKinds: Array(layers).fill('full'),
    trainedContext: 131072, params: 70.6e9, activeParams: 70.6e9, weightsBytes: 141e9, weightsType: 'bf16', missing: [], notes: [],
    ...over,
  };
}

function deployment(engine: Partial<EngineSettings>, ranges: Record<string, ReturnType<typeof R>> = {}): Deployment {
  return {
    name: 't', format: 'vllm', anchor: R(0, 0, 1),
    engine: { kind: 'vllm', cacheTypeK: 'auto', cacheTypeV: 'auto', flashAttention: 'auto', tensorParallel: 1, pipelineParallel: 1, dataParallel: 1, ...engine },
    workload: { promptTokens: 1, outputTokens: 1, concurrency: 1 }, targets: [], settingRanges: ranges,
  };
}

function ctx(d: Deployment, m?: ModelDescriptor): RuleContext {
  return { deployment: d, model: m, text: '', fileName: '/x/a.yaml', baseDir: '/x', fileExists: () => false };
}

describe('rules', () => {
  it('every rule has a unique id and a description', () => {
    const ids = RULES.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(RULES.every((r) => r.description.length > 10));
  });

  describe('tensor-parallel-heads', () => {
    it('errors when tp does not divide the attention heads, on the tp value, listing sizes that work', () => {
      const ds = tensorParallelRule.run(ctx(deployment({ tensorParallel: 3 }, { tensorParallel: R(2, 22, 23) }), model())) as never;
      const d = one(ds, 'tensor-parallel-heads');
      assert.deepEqual(d.range, R(2, 22, 23));
      assert.match(d.message, /does not divide test-70b's 64 attention heads.*1, 2, 4, 8, 16/);
    });
    it('errors when tp divides the query heads but not the KV heads', () => {
      const m = model({ heads: 48, kvHeadsPerLayer: Array(80).fill(12) });
      const ds = tensorParallelRule.run(ctx(deployment({ tensorParallel: 8 }, { tensorParallel: R(0, 0, 1) }), m)) as unknown[];
      assert.match(one(ds as never, 'tensor-parallel-kv-heads').message, /8 does not divide test-70b's 12 KV heads/);
    });
    it('notes KV-head replication when tp exceeds the KV heads evenly', () => {
      const ds = tensorParallelRule.run(ctx(deployment({ tensorParallel: 16 }, { tensorParallel: R(0, 0, 1) }), model())) as never;
      assert.equal(one(ds, 'kv-heads-replicated').severity, 'information');
    });
    it('is quiet for valid tp, unknown models and MLA', () => {
      assert.deepEqual(tensorParallelRule.run(ctx(deployment({ tensorParallel: 8 }, { tensorParallel: R(0, 0, 1) }), model())), []);
      assert.deepEqual(tensorParallelRule.run(ctx(deployment({ tensorParallel: 3 }, { tensorParallel: R(0, 0, 1) }))), []);
      const mla = model({ heads: 128, kvHeadsPerLayer: Array(80).fill(1), mla: { kvLoraRank: 512, qkRopeHeadDim: 64 } });
      assert.deepEqual(tensorParallelRule.run(ctx(deployment({ tensorParallel: 16 }, { tensorParallel: R(0, 0, 1) }), mla)), []);
    });
  });

  describe('context-exceeds-trained', () => {
    it('warns on the context value when it exceeds the trained context', () => {
      const ds = contextLengthRule.run(ctx(deployment({ contextSize: 262144 }, { contextSize: R(3, 15, 21) }), model())) as never;
      const d = one(ds, 'context-exceeds-trained');
      assert.equal(d.severity, 'warning');
      assert.deepEqual(d.range, R(3, 15, 21));
      assert.match(d.message, /262144 tokens exceeds test-70b's trained context of 131072.*VLLM_ALLOW_LONG_MAX_MODEL_LEN/);
    });
    it('divides llama.cpp -c by separate slots, but not with a unified cache', () => {
      const m = model({ trainedContext: 8192 });
      const sep = { kind: 'llama.cpp' as const, contextSize: 32768, parallel: 4 };
      assert.deepEqual(contextLengthRule.run(ctx(deployment(sep, { contextSize: R(0, 0, 1) }), m)), [], '8192 per slot fits');
      const uni = contextLengthRule.run(ctx(deployment({ ...sep, unifiedKv: true }, { contextSize: R(0, 0, 1) }), m)) as never;
      assert.match(one(uni, 'context-exceeds-trained').message, /32768 tokens/);
      const three = contextLengthRule.run(ctx(deployment({ ...sep, contextSize: 40000 }, { contextSize: R(0, 0, 1) }), m)) as never;
      assert.match(one(three, 'context-exceeds-trained').message, /10000 tokens per sequence \(40000 \/ 4 slots\)/);
    });
    it('counts the RoPE scaling given to vLLM (--hf-overrides rope_scaling, --rope-scaling)', async () => {
      const m = model({ trainedContext: 40960 });
      const yarn = { contextSize: 131072, ropeScaling: { factor: 3.2, original: 40960 } };
      assert.deepEqual(contextLengthRule.run(ctx(deployment(yarn, { contextSize: R(0, 0, 1) }), m)), [], '40960 × 3.2 = 131072');
      const short = { contextSize: 131072, ropeScaling: { factor: 2 } };
      assert.match(one(contextLengthRule.run(ctx(deployment(short, { contextSize: R(0, 0, 1) }), m)) as never, 'context-exceeds-trained').message, /131072/);
      // Read from the command line as vLLM reads it.
      const text = `vllm serve Qwen/Qwen3-32B --max-model-len=131072 --hf-overrides='{"rope_scaling":{"rope_type":"yarn","factor":3.2,"original_max_position_embeddings":40960}}'\n`;
      const a = await analyzeText(text, '/x/serve.sh', { rules: [] });
      assert.deepEqual(a.deployments[0].engine.ropeScaling, { factor: 3.2, original: 40960 });
      const b = await analyzeText('rope-scaling: {"rope_type": "dynamic", "factor": 2.0}\nmodel: x\n', '/x/vllm.yaml', { rules: [], vllmVersion: '0.8' });
      assert.deepEqual(b.deployments[0].engine.ropeScaling, { factor: 2 });
    });
    it('is quiet without a model, a trained context or a written context', () => {
      assert.deepEqual(contextLengthRule.run(ctx(deployment({ contextSize: 1e6 }, { contextSize: R(0, 0, 1) }))), []);
      assert.deepEqual(contextLengthRule.run(ctx(deployment({ contextSize: 1e6 }, {}), model())), []);
      assert.deepEqual(contextLengthRule.run(ctx(deployment({ contextSize: 1e6 }, { contextSize: R(0, 0, 1) }), model({ trainedContext: undefined }))), []);
    });
  });

  describe('gpu-memory-utilization-range', () => {
    it('errors outside (0, 1] and accepts 1', () => {
      for (const v of [0, -0.1, 1.01, 90]) {
        const ds = gpuMemoryUtilizationRule.run(ctx(deployment({ gpuMemoryUtilization: v }, { gpuMemoryUtilization: R(1, 2, 3) }))) as never;
        assert.match(one(ds, 'out-of-range').message, /must be in \(0, 1\]/);
      }
      assert.deepEqual(gpuMemoryUtilizationRule.run(ctx(deployment({ gpuMemoryUtilization: 1 }, { gpuMemoryUtilization: R(1, 2, 3) }))), []);
    });
    it('reports a quoted value the schema cannot check, and does not repeat the schema for a number', async () => {
      const quoted = 'tensor-parallel-size: 2\ngpu-memory-utilization: "1.5"\n';
      const a = await analyzeText(quoted, 'a-vllm.yaml');
      assert.equal(textAt(quoted, one(a.diagnostics, 'out-of-range').range), '"1.5"');
      const plain = 'tensor-parallel-size: 2\ngpu-memory-utilization: 1.5\n';
      const b = await analyzeText(plain, 'a-vllm.yaml');
      const d = one(b.diagnostics, 'out-of-range');
      assert.match(d.message, /must be > 0 and ≤ 1 in vLLM 0\.\d+ .*CacheConfig\.gpu_memory_utilization Field\(gt=0, le=1\)/, 'the generated bound, with its source');
    });
  });

  describe('model-not-found', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-rules-'));
      fs.mkdirSync(path.join(dir, 'models'));
      fs.writeFileSync(path.join(dir, 'models', 'here.gguf'), 'GGUF');
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('classifies references', () => {
      assert.equal(refShape('./m.gguf'), 'path');
      assert.equal(refShape('../m'), 'path');
      assert.equal(refShape('/abs/m'), 'path');
      assert.equal(refShape('~/m'), 'path');
      assert.equal(refShape('C:\\models\\m.gguf'), 'path');
      assert.equal(refShape('model.gguf'), 'path');
      assert.equal(refShape('models/a/b'), 'path');
      assert.equal(refShape('meta-llama/Llama-3.1-8B-Instruct'), 'hf-id');
      // llama.cpp's -hf spellings: a quant tag after the repo, and --hf-file's hf://repo/file.
      assert.equal(refShape('bartowski/Qwen2.5-7B-Instruct-GGUF:Q4_K_M'), 'hf-id');
      assert.equal(refShape('hf://bartowski/Qwen2.5-7B-Instruct-GGUF/Qwen2.5-7B-Instruct-Q8_0.gguf'), 'hf-id');
      assert.equal(refShape('models/a:b/c'), 'path');
      assert.equal(refShape('gpt2'), 'name');
    });

    it('errors on a missing path (relative to the file), on the path, and accepts one that exists', async () => {
      const text = 'model: ./models/missing.gguf\nengine: {kind: llama.cpp, args: "-c 4096"}\nspeculative: {draft: models/here.gguf}\n';
      const a = await analyzeText(text, path.join(dir, 'p.kvlens.yaml'));
      const d = one(a.diagnostics, 'model-not-found');
      assert.equal(d.severity, 'error');
      assert.equal(textAt(text, d.range), './models/missing.gguf');
      assert.ok(d.message.includes(path.join(dir, 'models', 'missing.gguf')));
    });

    it('never reports an HF id as a missing path; with a resolver, an unknown id is an information note', async () => {
      const text = 'model: someorg/unknown-model\nengine: {kind: vllm}\n';
      const a = await analyzeText(text, path.join(dir, 'p.kvlens.yaml'));
      assert.deepEqual(a.diagnostics, []);
      const resolver: ModelResolverLike = { resolve: async (): Promise<ModelResolution> => ({ kind: 'missing', error: 'not found' }) };
      const b = await analyzeText(text, path.join(dir, 'p.kvlens.yaml'), { modelResolver: resolver });
      assert.equal(one(b.diagnostics, 'model-not-in-catalog').severity, 'information');
    });

    it('reports an unreadable model with the reader\'s reason, and a bare unknown name as a warning', async () => {
      const text = 'model: ./models/here.gguf\nengine: {kind: llama.cpp}\n';
      const broken: ModelResolverLike = { resolve: async () => ({ kind: 'error', error: 'tensor data runs past the end of the file' }) };
      const a = await analyzeText(text, path.join(dir, 'p.kvlens.yaml'), { modelResolver: broken });
      assert.match(one(a.diagnostics, 'model-unreadable').message, /tensor data runs past the end/);
      const bare = 'model: llama3\nengine: {kind: llama.cpp}\n';
      const missing: ModelResolverLike = { resolve: async () => ({ kind: 'missing' }) };
      const b = await analyzeText(bare, path.join(dir, 'p.kvlens.yaml'), { modelResolver: missing });
      assert.equal(one(b.diagnostics, 'model-not-found').severity, 'warning');
    });

    it('uses the model from the resolver for model-dependent rules', async () => {
      const text = 'model: test/70b\ntensor-parallel-size: 6\nmax-model-len: 32768\n';
      const resolver: ModelResolverLike = { resolve: async () => ({ kind: 'catalog', descriptor: model() }) };
      const a = await analyzeText(text, path.join(dir, 'x-vllm.yaml'), { modelResolver: resolver });
      assert.equal(textAt(text, one(a.diagnostics, 'tensor-parallel-heads').range), '6');
    });
  });
});
