// The Hub client and the resolver against a stand-in for the Hub's network (hubStandIn.ts, a real HTTP server on
// 127.0.0.1 in the Hub's URL layout). Real published config.json files (../shared/realworld, when present) and
// safetensors/GGUF headers generated from real tensor layouts; faults the real Hub produces.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createModelResolver, type ModelResolverOptions } from '../../../src/core/models/resolve';
import { findCatalogModel } from '../../../src/core/models/catalog';
import { analyzeText } from '../../../src/core/formats/analyze';
import { parseModelRef, llamaHfModelRef } from '../../../src/core/models/hub/ids';
import { pickGgufFile } from '../../../src/core/models/hub/ggufPick';
import { hubEnvironment } from '../../../src/core/models/hub/env';
import { forgetUnreachableHosts, hubGet } from '../../../src/core/models/hub/http';
import * as net from 'node:net';
import { ggufHeaderOnly, writeGguf } from '../../../src/core/models/ggufWrite';
import { tinyArchModel } from '../../../src/core/models/archGguf';
import { llamaKvCache } from '../../../src/core/estimator/kvCache';
import { bytesOf, elementsOf, fakeCommit, HubStandIn, llamaLikeTensors, safetensorsFile, shardedSafetensors, type VirtualFile } from './hubStandIn';

const REALWORLD = path.resolve(process.cwd(), '../shared/realworld/models');
const realConfig = (name: string): Buffer | undefined => {
  const p = path.join(REALWORLD, name, 'config.json');
  return fs.existsSync(p) ? fs.readFileSync(p) : undefined;
};
// Qwen3-8B's published config (the catalog carries the same facts when ../shared is absent).
const qwenConfigBytes = (): Buffer => realConfig('qwen3-8b') ?? Buffer.from(JSON.stringify({ architectures: ['Qwen3ForCausalLM'], ...findCatalogModel('Qwen/Qwen3-8B')!.config }));

describe('models/hub: ids, quant choice, environment', () => {
  it('parses every spelling of a Hub id, llama.cpp -hf, Ollama names', () => {
    assert.deepEqual(parseModelRef('Qwen/Qwen3-8B'), { kind: 'hub', repo: 'Qwen/Qwen3-8B', revision: undefined, quant: undefined, file: undefined, spelling: 'id' });
    assert.equal((parseModelRef('Qwen/Qwen3-8B@v1.0') as { revision: string }).revision, 'v1.0');
    assert.equal((parseModelRef('hf://Qwen/Qwen3-8B') as { spelling: string }).spelling, 'hf-scheme');
    const url = parseModelRef('https://huggingface.co/Qwen/Qwen3-8B/tree/abc123');
    assert.deepEqual([url.kind, (url as { repo: string }).repo, (url as { revision: string }).revision], ['hub', 'Qwen/Qwen3-8B', 'abc123']);
    const hf = parseModelRef('unsloth/Qwen3-8B-GGUF:q4_k_m');
    assert.deepEqual([(hf as { quant: string }).quant, (hf as { spelling: string }).spelling], ['Q4_K_M', 'llama-hf']);
    assert.equal((parseModelRef('hf.co/bartowski/Qwen3-8B-GGUF:Q8_0') as { quant: string }).quant, 'Q8_0');
    assert.deepEqual(parseModelRef('qwen3:8b'), { kind: 'ollama', host: 'registry.ollama.ai', namespace: 'library', name: 'qwen3', tag: '8b' });
    assert.deepEqual(parseModelRef('ollama://llama3'), { kind: 'ollama', host: 'registry.ollama.ai', namespace: 'library', name: 'llama3', tag: 'latest' });
    assert.equal(llamaHfModelRef('ggml-org/gpt-oss-20b-GGUF', 'gpt-oss-20b-mxfp4.gguf'), 'hf://ggml-org/gpt-oss-20b-GGUF/gpt-oss-20b-mxfp4.gguf');
    assert.equal((parseModelRef(llamaHfModelRef('ggml-org/gpt-oss-20b-GGUF', 'gpt-oss-20b-mxfp4.gguf')) as { file: string }).file, 'gpt-oss-20b-mxfp4.gguf');
    for (const bad of ['a/b/c', '../x/y', 'org/na--me', 'org/', '/abs/path.gguf', 'org/name:bad tag']) assert.notEqual(parseModelRef(bad).kind, 'hub', bad);
  });

  it('picks the GGUF llama.cpp -hf would: tag, else Q4_K_M, else Q8_0, else the first; the first split shard', () => {
    const files = ['README.md', 'mmproj-Qwen3-F16.gguf', 'Qwen3-8B-Q8_0.gguf', 'Qwen3-8B-Q4_K_M.gguf', 'Qwen3-8B-F16-00002-of-00002.gguf', 'Qwen3-8B-F16-00001-of-00002.gguf'];
    assert.equal(pickGgufFile(files).file, 'Qwen3-8B-Q4_K_M.gguf');
    assert.equal(pickGgufFile(files, 'q8_0').file, 'Qwen3-8B-Q8_0.gguf');
    assert.deepEqual(pickGgufFile(files, 'F16').shards, ['Qwen3-8B-F16-00001-of-00002.gguf', 'Qwen3-8B-F16-00002-of-00002.gguf']);
    assert.equal(pickGgufFile(files, 'IQ2_XS').file, undefined);
    assert.match(pickGgufFile(files, 'IQ2_XS').reason, /no GGUF file in the repo matches the quant IQ2_XS/);
    assert.equal(pickGgufFile(['mmproj-x.gguf', 'model-bf16.gguf']).file, 'model-bf16.gguf', 'no Q4_K_M/Q8_0: the first model file');
  });

  it('endpoint and token only from the environment and machine settings; HF_HUB_OFFLINE and untrusted workspaces mean caches only', () => {
    const home = '/home/u';
    const e = hubEnvironment({ endpoint: 'https://mirror.example' }, { HF_TOKEN: 'hf_x' }, () => undefined, home);
    assert.deepEqual([e.endpoint, e.endpointSource, e.tokenSource], ['https://mirror.example', 'kvlens.hub.endpoint', 'HF_TOKEN']);
    assert.equal(hubEnvironment({ endpoint: 'https://mirror.example' }, { HF_ENDPOINT: 'https://hf-mirror.com/' }, undefined, home).endpoint, 'https://hf-mirror.com');
    const fromFile = hubEnvironment({}, {}, (p) => (p === path.join(home, '.cache', 'huggingface', 'token') ? 'hf_file\n' : undefined), home);
    assert.equal(fromFile.token, 'hf_file');
    assert.equal(hubEnvironment({}, { HF_HUB_OFFLINE: '1' }, undefined, home).offlineReason, 'HF_HUB_OFFLINE is set');
    assert.match(hubEnvironment({ trusted: false }, {}, undefined, home).offlineReason!, /not trusted/);
    assert.match(hubEnvironment({ network: false }, {}, undefined, home).offlineReason!, /kvlens.hub.network is off/);
    assert.equal(hubEnvironment({}, { HF_HOME: '/data/hf' }, undefined, home).hfHubCache, path.resolve('/data/hf/hub'));
    assert.equal(hubEnvironment({ endpoint: 'javascript:alert(1)' }, {}, undefined, home).endpoint, 'https://huggingface.co');
  });
});

describe('models/hub: resolving against a stand-in for the Hub', function () {
  this.timeout(60_000);
  let hub: HubStandIn;
  let tmp: string;
  let n = 0;
  const QWEN_COMMIT = fakeCommit('qwen3-8b');
  let qwenTensors: ReturnType<typeof llamaLikeTensors>;

  const options = (extra: Partial<ModelResolverOptions> = {}, envExtra: NodeJS.ProcessEnv = {}): ModelResolverOptions => {
    const root = path.join(tmp, `r${n++}`);
    return {
      network: 'blocking', homeDir: path.join(root, 'home'),
      env: { HF_ENDPOINT: hub.endpoint, XDG_CACHE_HOME: path.join(tmp, 'shared-cache'), HF_HOME: path.join(root, 'hf'), ...envExtra },
      http: { timeoutMs: 3000, stallMs: 300, retries: 2, backoffMs: 10 }, ...extra,
    };
  };

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-hub-'));
    hub = await new HubStandIn().start();
    const cfgBytes = qwenConfigBytes();
    const cfg = JSON.parse(cfgBytes.toString('utf8')) as Record<string, number | string | boolean>;
    qwenTensors = llamaLikeTensors(cfg);
    hub.add('Qwen/Qwen3-8B', { commit: QWEN_COMMIT, files: { 'config.json': cfgBytes, 'README.md': Buffer.from('# Qwen3-8B'), ...shardedSafetensors(qwenTensors, 5) } });
    // A GGUF repo: llama.cpp quant files with real headers (tiny MoE layout), one split in two.
    const tiny = tinyArchModel('qwen3moe');
    const gguf = (ftype: number): VirtualFile => {
      const h = ggufHeaderOnly({ metadata: tiny.metadata.map((k) => (k.key === 'general.file_type' ? { ...k, value: ftype } : k)), tensors: tiny.tensors });
      return { head: h.header, virtualBytes: h.dataBytes };
    };
    const split = (i: number): VirtualFile => {
      const half = i === 1 ? tiny.tensors.slice(0, 10) : tiny.tensors.slice(10);
      const meta = [...(i === 1 ? tiny.metadata : tiny.metadata.filter((k) => !k.key.startsWith('tokenizer.'))),
        { key: 'split.no', type: 'uint16' as const, value: i - 1 }, { key: 'split.count', type: 'uint16' as const, value: 2 }];
      const h = ggufHeaderOnly({ metadata: meta, tensors: half });
      return { head: h.header, virtualBytes: h.dataBytes };
    };
    hub.add('tiny/Qwen3-MoE-GGUF', { commit: fakeCommit('gguf'), files: {
      'Qwen3-MoE-Q8_0.gguf': gguf(7), 'Qwen3-MoE-Q4_K_M.gguf': gguf(15), 'mmproj-F16.gguf': gguf(1),
      'Qwen3-MoE-F16-00001-of-00002.gguf': split(1), 'Qwen3-MoE-F16-00002-of-00002.gguf': split(2),
    } });
  });
  after(async () => {
    await hub.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('Qwen/Qwen3-8B: config + index + 5 shard headers (Range 8 bytes, then the header); exact parameters and bytes', async () => {
    const before = hub.log.length;
    const r = await createModelResolver(options()).resolve('Qwen/Qwen3-8B', tmp);
    assert.equal(r.kind, 'hub', r.error);
    const d = r.descriptor!;
    assert.equal(d.params, qwenTensors.reduce((a, t) => a + elementsOf(t), 0), 'parameters: the sum over the real tensor layout');
    assert.equal(d.weightsBytes, qwenTensors.reduce((a, t) => a + bytesOf(t), 0));
    assert.equal(d.weightsType, 'bf16');
    assert.equal(llamaKvCache(d, { nCtx: 8192 }).totalBytes, 36 * 8192 * 8 * 128 * 2 * 2);
    assert.equal(r.origin?.commit, QWEN_COMMIT);
    const reqs = hub.log.slice(before);
    assert.ok(reqs.some((q) => q.path.startsWith('/api/models/Qwen/Qwen3-8B/revision/main')));
    const ranges = reqs.filter((q) => q.host === 'cdn').map((q) => q.range);
    assert.equal(ranges.filter((x) => x === 'bytes=0-7').length, 5, 'one 8-byte read per shard');
    assert.ok(r.origin!.bytes! < 200_000, `headers only: ${r.origin!.bytes} bytes for a ${d.weightsBytes}-byte model`);
  });

  it('a second session answers from the KV Lens cache without a request; @commit pins the revision', async () => {
    const o = options();
    await createModelResolver(o).resolve('Qwen/Qwen3-8B', tmp);
    const before = hub.log.length;
    const again = await createModelResolver({ ...o }).resolve('Qwen/Qwen3-8B', tmp);
    assert.equal(again.kind, 'hub');
    assert.equal(again.origin?.cached, true);
    assert.equal(hub.log.length, before, 'no request at all');
    const pinned = await createModelResolver(options()).resolve(`Qwen/Qwen3-8B@${QWEN_COMMIT}`, tmp);
    assert.equal(pinned.descriptor?.layers, 36);
    const wrong = await createModelResolver(options()).resolve('Qwen/Qwen3-8B@nope', tmp);
    assert.equal(wrong.kind, 'missing');
    assert.match(wrong.error!, /no such revision/);
  });

  it('GGUF repos: the quant llama.cpp -hf picks, an explicit quant, --hf-file, split shards', async () => {
    const res = createModelResolver(options());
    const def = await res.resolve('tiny/Qwen3-MoE-GGUF', tmp);
    assert.equal(def.kind, 'hub', def.error);
    assert.equal(def.descriptor?.weightsType, 'Q4_K_M', "llama.cpp's default quant");
    assert.equal(def.descriptor?.moe?.experts, 4);
    const q8 = await res.resolve('tiny/Qwen3-MoE-GGUF:q8_0', tmp);
    assert.equal(q8.descriptor?.weightsType, 'Q8_0');
    const split = await res.resolve('tiny/Qwen3-MoE-GGUF:F16', tmp);
    const tiny = tinyArchModel('qwen3moe');
    assert.equal(split.descriptor?.params, tiny.tensors.reduce((a, t) => a + t.dims.reduce((x, y) => x * y, 1), 0), 'both shards counted');
    const file = await res.resolve(llamaHfModelRef('tiny/Qwen3-MoE-GGUF', 'Qwen3-MoE-Q8_0.gguf'), tmp);
    assert.equal(file.descriptor?.weightsType, 'Q8_0');
    const none = await res.resolve('tiny/Qwen3-MoE-GGUF:IQ1_S', tmp);
    assert.equal(none.kind, 'missing');
    assert.match(none.error!, /matches the quant IQ1_S/);
  });

  it('llama.cpp commands: -hf sizes the quant it names, --hf-file the file it names; neither is a missing path', async () => {
    const text = [
      'models:',
      '  default:', '    cmd: llama-server --port ${PORT} -hf tiny/Qwen3-MoE-GGUF',
      '  q8:', '    cmd: llama-server --port ${PORT} -hf tiny/Qwen3-MoE-GGUF:Q8_0',
      // --hf-file overrides the quant in --hf-repo (llama.cpp common/arg.cpp).
      '  file:', '    cmd: llama-server --port ${PORT} -hf tiny/Qwen3-MoE-GGUF:Q4_K_M --hf-file Qwen3-MoE-Q8_0.gguf',
      '',
    ].join('\n');
    const a = await analyzeText(text, path.join(tmp, 'llama-swap.yaml'));
    assert.deepEqual(a.diagnostics.filter((d) => /^model-/.test(d.code)).map((d) => d.message), [], 'Hub ids are not paths on this machine');
    const res = createModelResolver(options());
    const quants = [];
    for (const d of a.deployments) quants.push((await res.resolve(d.model!.ref, tmp)).descriptor?.weightsType);
    assert.deepEqual(quants, ['Q4_K_M', 'Q8_0', 'Q8_0']);
    const sh = await analyzeText('#!/bin/sh\nllama-server -hf tiny/Qwen3-MoE-GGUF -hff Qwen3-MoE-Q8_0.gguf -c 4096\n', path.join(tmp, 'serve.sh'));
    assert.equal(sh.deployments[0].model?.ref, llamaHfModelRef('tiny/Qwen3-MoE-GGUF', 'Qwen3-MoE-Q8_0.gguf'));
    // A profile without `model:`: its -hf is the model (a `model:` would win, as -m loses to it).
    const profile = await analyzeText('engine:\n  kind: llama.cpp\n  args: "-hf tiny/Qwen3-MoE-GGUF:Q8_0 -c 4096"\ntargets: [h100-sxm]\n', path.join(tmp, 'p.kvlens.yaml'));
    assert.equal((await res.resolve(profile.deployments[0].model!.ref, tmp)).descriptor?.weightsType, 'Q8_0');
    const both = await analyzeText('model: Qwen/Qwen3-8B\nengine:\n  kind: llama.cpp\n  args: "-hf tiny/Qwen3-MoE-GGUF:Q8_0"\n', path.join(tmp, 'p.kvlens.yaml'));
    assert.equal(both.deployments[0].model?.ref, 'Qwen/Qwen3-8B');
  });

  it('gated repos: 401 without a token, 403 with a token that has no access, the token never reaches the CDN', async () => {
    const cfgBytes = qwenConfigBytes();
    hub.add('meta/gated', { commit: fakeCommit('gated'), gated: true, files: { 'config.json': cfgBytes, 'model.safetensors': safetensorsFile(qwenTensors.slice(0, 5)) }, faults: { token: { kind: 'token', token: 'hf_good' } } });
    const none = await createModelResolver(options()).resolve('meta/gated', tmp);
    assert.equal(none.kind, 'error');
    assert.match(none.error!, /gated model: it needs a token — request access on its Hub page, then set HF_TOKEN/);
    const bad = await createModelResolver(options({}, { HF_TOKEN: 'hf_bad' })).resolve('meta/gated', tmp);
    assert.match(bad.error!, /your token has no access yet/);
    const before = hub.log.length;
    const ok = await createModelResolver(options({}, { HF_TOKEN: 'hf_good' })).resolve('meta/gated', tmp);
    assert.equal(ok.kind, 'hub', ok.error);
    const reqs = hub.log.slice(before);
    assert.ok(reqs.filter((q) => q.host === 'hub').every((q) => q.authorization === 'Bearer hf_good'));
    assert.ok(reqs.filter((q) => q.host === 'cdn').length > 0 && reqs.filter((q) => q.host === 'cdn').every((q) => q.authorization === undefined), 'no Authorization on the redirect to another origin');
  });

  it('404: no such model on the Hub (X-Error-Code RepoNotFound), said as missing', async () => {
    const r = await createModelResolver(options()).resolve('nobody/no-such-model', tmp);
    assert.equal(r.kind, 'missing');
    assert.match(r.error!, /nobody\/no-such-model: no such model on the Hub \(404\)/);
  });

  it('429 then success: retried with backoff; 500 every time: a clear error after the retries, in bounded time', async () => {
    hub.add('busy/model', { commit: fakeCommit('busy'), files: { 'config.json': qwenConfigBytes() }, faults: { api: { kind: 'status', status: 429, times: 2, headers: { 'retry-after': '0' } } } });
    const ok = await createModelResolver(options()).resolve('busy/model', tmp);
    assert.equal(ok.kind, 'hub', ok.error);
    assert.equal(hub.requestsFor('busy/model').filter((q) => q.path.includes('/api/')).length, 3, 'two 429s, then the answer');
    hub.add('broken/model', { commit: fakeCommit('broken'), files: { 'config.json': qwenConfigBytes() }, faults: { api: { kind: 'status', status: 500 } } });
    const t0 = Date.now();
    const bad = await createModelResolver(options()).resolve('broken/model', tmp);
    assert.equal(bad.kind, 'error');
    assert.match(bad.error!, /the Hub failed \(500\)/);
    assert.equal(hub.requestsFor('broken/model').length, 3, '1 + 2 retries');
    assert.ok(Date.now() - t0 < 5000);
  });

  it('a host that refuses connections is retried, then remembered: the next lookup fails at once, unrequested', async () => {
    // A real closed port on this machine (what a down HF_ENDPOINT mirror or a machine without a network gives).
    const port = await new Promise<number>((resolve) => { const srv = net.createServer().listen(0, '127.0.0.1', () => { const p = (srv.address() as net.AddressInfo).port; srv.close(() => resolve(p)); }); });
    const url = `http://127.0.0.1:${port}/api/models/x/y`;
    const retries: number[] = [];
    const counter = { requests: 0, bytes: 0 };
    try {
      await assert.rejects(hubGet({ url, maxBytes: 100 }, { retries: 2, backoffMs: 10, onRetry: (n) => retries.push(n) }, counter, 'x/y'), /x\/y: cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
      assert.deepEqual(retries, [1, 2], 'refused connections are retried (a server may be restarting)');
      assert.equal(counter.requests, 3);
      const t0 = Date.now();
      await assert.rejects(hubGet({ url: `http://127.0.0.1:${port}/api/models/other/z`, maxBytes: 100 }, { retries: 2, backoffMs: 10 }, counter, 'other/z'), /other\/z: not tried — 127\.0\.0\.1:\d+ was unreachable \(ECONNREFUSED\) \d+ s ago/);
      assert.equal(counter.requests, 3, 'no request for the second model');
      assert.ok(Date.now() - t0 < 100);
      // Another origin is not affected; a forgotten host is tried again.
      forgetUnreachableHosts();
      await assert.rejects(hubGet({ url, maxBytes: 100 }, { retries: 0 }, counter, 'x/y'), /cannot reach/);
      assert.equal(counter.requests, 4);
    } finally {
      forgetUnreachableHosts();
    }
  });

  it('a stalled body times out (stall limit × attempts), it never hangs', async () => {
    hub.add('slow/model', { commit: fakeCommit('slow'), files: { 'config.json': qwenConfigBytes(), 'model.safetensors': safetensorsFile(qwenTensors.slice(0, 3)) }, faults: { 'config.json': { kind: 'stall', afterBytes: 10 } } });
    const t0 = Date.now();
    const r = await createModelResolver(options()).resolve('slow/model', tmp);
    assert.equal(r.kind, 'error');
    assert.match(r.error!, /stalled for 300 ms/);
    assert.ok(Date.now() - t0 < 4000, `${Date.now() - t0} ms`);
  });

  it('a truncated safetensors header and a header claiming 10 GB are clear errors; only bytes up to the refusal are read', async () => {
    const trunc = safetensorsFile(qwenTensors.slice(0, 4));
    const cut: VirtualFile = { head: trunc.head.subarray(0, trunc.head.length - 40), virtualBytes: 0 };
    hub.add('cut/model', { commit: fakeCommit('cut'), files: { 'config.json': qwenConfigBytes(), 'model.safetensors': cut } });
    const r1 = await createModelResolver(options()).resolve('cut/model', tmp);
    assert.equal(r1.kind, 'error');
    assert.match(r1.error!, /header of \d+ bytes runs past the end of the \d+-byte file/);
    const huge = Buffer.alloc(16);
    huge.writeBigUInt64LE(10_000_000_000n);
    hub.add('huge/model', { commit: fakeCommit('huge'), files: { 'config.json': qwenConfigBytes(), 'model.safetensors': { head: huge, virtualBytes: 20_000_000_000 } } });
    const before = hub.log.length;
    const r2 = await createModelResolver(options()).resolve('huge/model', tmp);
    assert.equal(r2.kind, 'error');
    assert.match(r2.error!, /header length 10000000000 exceeds the safetensors limit of 100000000 bytes/);
    assert.ok(!hub.log.slice(before).some((q) => q.range && q.range !== 'bytes=0-7' && q.host === 'cdn'), 'never asked for the claimed header');
  });

  it('offline (HF_HUB_OFFLINE) and untrusted: caches answer, nothing is requested, a miss says where it looked', async () => {
    const o = options();
    await createModelResolver(o).resolve('Qwen/Qwen3-8B', tmp);
    const before = hub.log.length;
    const off = await createModelResolver({ ...o, env: { ...o.env, HF_HUB_OFFLINE: '1' } }).resolve('Qwen/Qwen3-8B', tmp);
    assert.equal(off.kind, 'hub');
    const miss = await createModelResolver({ ...o, env: { ...o.env, HF_HUB_OFFLINE: '1' } }).resolve('someone/never-seen', tmp);
    assert.equal(miss.kind, 'missing');
    assert.match(miss.error!, /the Hub was not asked \(HF_HUB_OFFLINE is set\); looked in: LM Studio models folder, huggingface_hub cache .*KV Lens Hub cache/);
    const untrusted = await createModelResolver({ ...o, hub: { trusted: false } }).resolve('someone/never-seen', tmp);
    assert.match(untrusted.error!, /workspace is not trusted/);
    assert.equal(hub.log.length, before, 'no request');
  });

  it('background mode (the editor): pending at once, one request per model per session, onDidResolve when it arrives', async () => {
    hub.add('bg/model', { commit: fakeCommit('bg'), files: { 'config.json': qwenConfigBytes(), 'model.safetensors': safetensorsFile(qwenTensors.slice(0, 3)) } });
    const res = createModelResolver(options({ network: 'background' }));
    const events: string[] = [];
    res.onDidResolve((ref, r) => events.push(`${ref}:${r.kind}`));
    const t0 = performance.now();
    const first = await res.resolve('bg/model', tmp);
    assert.ok(performance.now() - t0 < 50, 'answers at once');
    assert.equal(first.kind, 'pending');
    assert.match(first.error!, /resolving bg\/model…/);
    const second = await res.resolve('bg/model', tmp);
    assert.ok(second.kind === 'pending' || second.kind === 'hub', 'the same fetch, not a second one');
    const final = await first.pending!;
    assert.equal(final.kind, 'hub');
    assert.deepEqual(events, ['bg/model:hub']);
    const third = await res.resolve('bg/model', tmp);
    assert.equal(third.kind, 'hub');
    assert.equal(hub.requestsFor('bg/model').filter((q) => q.path.includes('/api/')).length, 1, 'one request for the model this session');
  });
});

describe('models: local stores (huggingface_hub cache, Ollama, LM Studio)', function () {
  this.timeout(30_000);
  let tmp: string;
  before(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-stores-')); });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('the huggingface_hub cache: refs/main → snapshots/<commit> (symlinks into blobs/), headers read from disk', async () => {
    const hubCache = path.join(tmp, 'hf', 'hub');
    const commit = fakeCommit('local');
    const repoDir = path.join(hubCache, 'models--Qwen--Qwen3-8B');
    fs.mkdirSync(path.join(repoDir, 'refs'), { recursive: true });
    fs.mkdirSync(path.join(repoDir, 'blobs'), { recursive: true });
    fs.mkdirSync(path.join(repoDir, 'snapshots', commit), { recursive: true });
    fs.writeFileSync(path.join(repoDir, 'refs', 'main'), commit);
    const cfgBytes = qwenConfigBytes();
    fs.writeFileSync(path.join(repoDir, 'blobs', 'cfgblob'), cfgBytes);
    fs.symlinkSync('../../blobs/cfgblob', path.join(repoDir, 'snapshots', commit, 'config.json'));
    const cfg = JSON.parse(cfgBytes.toString()) as Record<string, number>;
    const tensors = llamaLikeTensors({ ...cfg, num_hidden_layers: 2 });
    const st = safetensorsFile(tensors);
    // A real (small) file: header plus zero data, as a download leaves it.
    const fd = fs.openSync(path.join(repoDir, 'blobs', 'stblob'), 'w');
    fs.writeSync(fd, st.head);
    fs.ftruncateSync(fd, st.head.length + st.virtualBytes);
    fs.closeSync(fd);
    fs.symlinkSync('../../blobs/stblob', path.join(repoDir, 'snapshots', commit, 'model.safetensors'));
    const r = await createModelResolver({ env: { HF_HUB_CACHE: hubCache, XDG_CACHE_HOME: path.join(tmp, 'c') }, homeDir: tmp }).resolve('Qwen/Qwen3-8B', tmp);
    assert.equal(r.kind, 'hf-cache', r.error);
    assert.equal(r.descriptor?.params, tensors.reduce((a, t) => a + elementsOf(t), 0));
    assert.equal(r.origin?.commit, commit);
  });

  it("Ollama's store: manifests/registry.ollama.ai/library/<name>/<tag> → the GGUF blob", async () => {
    const models = path.join(tmp, 'ollama');
    const blob = path.join(models, 'blobs', `sha256-${'a'.repeat(64)}`);
    const tiny = tinyArchModel('gemma3');
    await writeGguf(blob, { metadata: tiny.metadata, tensors: tiny.tensors });
    const man = path.join(models, 'manifests', 'registry.ollama.ai', 'library', 'gemma3', '1b');
    fs.mkdirSync(path.dirname(man), { recursive: true });
    fs.writeFileSync(man, JSON.stringify({ schemaVersion: 2, layers: [{ mediaType: 'application/vnd.ollama.image.template', digest: `sha256:${'b'.repeat(64)}` }, { mediaType: 'application/vnd.ollama.image.model', digest: `sha256:${'a'.repeat(64)}`, size: 1 }] }));
    const res = createModelResolver({ env: { OLLAMA_MODELS: models }, homeDir: tmp });
    const r = await res.resolve('gemma3:1b', tmp);
    assert.equal(r.kind, 'ollama', r.error);
    assert.equal(r.descriptor?.architecture, 'gemma3');
    assert.equal(r.path, blob);
    const miss = await res.resolve('gemma3:27b', tmp);
    assert.equal(miss.kind, 'missing');
    assert.match(miss.error!, /not in Ollama's store .*ollama pull gemma3:27b/);
  });

  it("LM Studio's models folder: publisher/model holds the GGUFs; the quant is chosen as llama.cpp does", async () => {
    const folder = path.join(tmp, 'home', '.lmstudio', 'models', 'lmstudio-community', 'Tiny-GGUF');
    const tiny = tinyArchModel('qwen3moe');
    await writeGguf(path.join(folder, 'Tiny-Q8_0.gguf'), { metadata: tiny.metadata, tensors: tiny.tensors });
    await writeGguf(path.join(folder, 'Tiny-Q4_K_M.gguf'), { metadata: tiny.metadata.map((k) => (k.key === 'general.file_type' ? { ...k, value: 15 } : k)), tensors: tiny.tensors });
    const res = createModelResolver({ homeDir: path.join(tmp, 'home'), env: { XDG_CACHE_HOME: path.join(tmp, 'c2') } });
    const r = await res.resolve('lmstudio-community/Tiny-GGUF', tmp);
    assert.equal(r.kind, 'lmstudio', r.error);
    assert.equal(path.basename(r.path!), 'Tiny-Q4_K_M.gguf');
    assert.equal(path.basename((await res.resolve('lmstudio-community/Tiny-GGUF:Q8_0', tmp)).path!), 'Tiny-Q8_0.gguf');
  });
});
