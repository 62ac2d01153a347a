// Hostile model files and facts through the one resolver: each is a clear error naming what is wrong, in bounded
// time and memory (nothing is allocated from an unchecked count), locally and over the stand-in for the Hub.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createModelResolver } from '../../../src/core/models/resolve';
import { GgufByteWriter, ggufMetadataOnly, GGUF_TYPE_ID } from '../../../src/core/models/ggufWrite';
import { fakeCommit, HubStandIn } from './hubStandIn';

function bounded<T>(fn: () => Promise<T>): Promise<T> {
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  return fn().then((r) => {
    assert.ok(performance.now() - t0 < 2000, `took ${(performance.now() - t0).toFixed(0)} ms`);
    assert.ok(process.memoryUsage().heapUsed - heap0 < 64 * 1024 * 1024, 'bounded memory');
    return r;
  });
}

/** A GGUF header that claims `tensors` tensor infos and then ends. */
function claimsTensors(tensors: bigint): Buffer {
  const w = new GgufByteWriter();
  w.bytes(Buffer.from('GGUF', 'latin1')).u32(3).u64(tensors).u64(1);
  w.str('general.architecture').u32(GGUF_TYPE_ID.string).str('llama');
  w.bytes(Buffer.alloc(64));
  return w.toBuffer();
}

const llamaMeta = (blocks: { type: 'int32' | 'uint64'; value: number | bigint }) => [
  { key: 'general.architecture', type: 'string' as const, value: 'llama' },
  { key: 'llama.block_count', type: blocks.type, value: blocks.value },
  { key: 'llama.embedding_length', type: 'uint32' as const, value: 256 },
  { key: 'llama.attention.head_count', type: 'uint32' as const, value: 4 },
];

describe('models: hostile inputs are clear errors with bounded time and memory', function () {
  this.timeout(30_000);
  let tmp: string;
  before(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-bad-')); });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a GGUF header claiming 2^31 tensors', async () => {
    fs.writeFileSync(path.join(tmp, 'many.gguf'), claimsTensors(2n ** 31n));
    const r = await bounded(() => createModelResolver().resolve('many.gguf', tmp));
    assert.equal(r.kind, 'error');
    assert.match(r.error!, /tensor count 2147483648 exceeds the limit of 1000000/);
  });

  it('GGUF block_count int32 −1 and uint64 1e12', async () => {
    fs.writeFileSync(path.join(tmp, 'neg.gguf'), ggufMetadataOnly(llamaMeta({ type: 'int32', value: -1 })));
    fs.writeFileSync(path.join(tmp, 'huge.gguf'), ggufMetadataOnly(llamaMeta({ type: 'uint64', value: 10n ** 12n })));
    const neg = await bounded(() => createModelResolver().resolve('neg.gguf', tmp));
    assert.equal(neg.kind, 'error');
    assert.match(neg.error!, /llama\.block_count = -1 is not a plausible layer count \(llama\.cpp accepts 1–512\)/);
    const huge = await bounded(() => createModelResolver().resolve('huge.gguf', tmp));
    assert.match(huge.error!, /block_count = 1000000000000 is not a plausible layer count/);
  });

  it('config.json: 1e12 layers, negative heads, kv_lora_rank −512 (issue 9 row 15)', async () => {
    const base = { architectures: ['DeepseekV3ForCausalLM'], model_type: 'deepseek_v3', hidden_size: 7168, num_hidden_layers: 61, num_attention_heads: 128, num_key_value_heads: 128, kv_lora_rank: 512, qk_rope_head_dim: 64, qk_nope_head_dim: 128, v_head_dim: 128, vocab_size: 129280, intermediate_size: 18432 };
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['layers', { num_hidden_layers: 1e12 }, /num_hidden_layers = 1000000000000 is not a layer count/],
      ['heads', { num_attention_heads: -64 }, /num_attention_heads = -64 is not an attention head count/],
      ['rank', { kv_lora_rank: -512 }, /kv_lora_rank = -512 is not an MLA latent rank/],
    ];
    for (const [name, patch, re] of cases) {
      fs.mkdirSync(path.join(tmp, name), { recursive: true });
      fs.writeFileSync(path.join(tmp, name, 'config.json'), JSON.stringify({ ...base, ...patch }));
      const r = await bounded(() => createModelResolver().resolve(name, tmp));
      assert.equal(r.kind, 'error', name);
      assert.match(r.error!, re);
    }
  });

  it('a safetensors header length of 2^63 in the huggingface_hub cache', async () => {
    const hubCache = path.join(tmp, 'hf');
    const commit = fakeCommit('bad-st');
    const snap = path.join(hubCache, 'models--bad--st', 'snapshots', commit);
    fs.mkdirSync(snap, { recursive: true });
    fs.mkdirSync(path.join(hubCache, 'models--bad--st', 'refs'), { recursive: true });
    fs.writeFileSync(path.join(hubCache, 'models--bad--st', 'refs', 'main'), commit);
    fs.writeFileSync(path.join(snap, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 256, num_hidden_layers: 2, num_attention_heads: 4, vocab_size: 300, intermediate_size: 512 }));
    const len = Buffer.alloc(16);
    len.writeBigUInt64LE(2n ** 63n);
    fs.writeFileSync(path.join(snap, 'model.safetensors'), len);
    const r = await bounded(() => createModelResolver({ env: { HF_HUB_CACHE: hubCache, XDG_CACHE_HOME: path.join(tmp, 'c') }, homeDir: tmp }).resolve('bad/st', tmp));
    assert.equal(r.kind, 'error');
    assert.match(r.error!, /header length 9223372036854775808 exceeds the safetensors limit/);
  });

  it('over the network: a GGUF claiming 2^31 tensors and a 1 GiB string are refused after a few kilobytes', async () => {
    const hub = await new HubStandIn().start();
    try {
      const w = new GgufByteWriter();
      w.bytes(Buffer.from('GGUF', 'latin1')).u32(3).u64(0).u64(1).u64(2n ** 30n);
      hub.add('bad/gguf', { commit: fakeCommit('bad-gguf'), files: { 'x-Q4_K_M.gguf': { head: claimsTensors(2n ** 31n), virtualBytes: 8e9 }, 'y-Q8_0.gguf': { head: w.toBuffer(), virtualBytes: 8e9 } } });
      const env = { HF_ENDPOINT: hub.endpoint, XDG_CACHE_HOME: path.join(tmp, 'nc'), HF_HOME: path.join(tmp, 'nh') };
      const res = createModelResolver({ network: 'blocking', env, homeDir: tmp, http: { retries: 0 } });
      const a = await bounded(() => res.resolve('bad/gguf', tmp));
      assert.equal(a.kind, 'error');
      assert.match(a.error!, /tensor count 2147483648 exceeds the limit/);
      const b = await bounded(() => res.resolve('bad/gguf:Q8_0', tmp));
      assert.match(b.error!, /string length 1073741824 exceeds the limit of 1048576/);
      const bytes = hub.log.filter((q) => q.host === 'cdn').length;
      assert.ok(bytes <= 4, `${bytes} ranged reads`);
    } finally {
      await hub.stop();
    }
  });
});
