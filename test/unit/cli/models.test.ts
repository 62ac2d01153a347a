// `kvlens models resolve` and `kvlens estimate <hub id>` in-process, against the stand-in for the Hub's network
// (test/unit/models/hubStandIn.ts). HF_ENDPOINT points the real client at it; caches go to a temp folder.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/io';
import { findCatalogModel } from '../../../src/core/models/catalog';
import { fakeCommit, HubStandIn, llamaLikeTensors, shardedSafetensors } from '../models/hubStandIn';

function io(cwd: string): CliIO & { stdout: string; stderr: string } {
  const o = { stdout: '', stderr: '', cwd, isTTY: false, out: (t: string) => { o.stdout += t; }, err: (t: string) => { o.stderr += t; } };
  return o;
}

describe('kvlens models resolve / kvlens estimate <hub id>', function () {
  this.timeout(60_000);
  let hub: HubStandIn;
  let tmp: string;
  const saved: Record<string, string | undefined> = {};
  const ENV = ['HF_ENDPOINT', 'XDG_CACHE_HOME', 'HF_HOME', 'HF_HUB_OFFLINE', 'HF_TOKEN', 'HF_HUB_CACHE'];
  const cfg = { architectures: ['Qwen3ForCausalLM'], ...findCatalogModel('Qwen/Qwen3-8B')!.config } as unknown as Record<string, number | string | boolean>;

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-cli-models-'));
    hub = await new HubStandIn().start();
    // A repo the catalog does not know, so the answer can only come from the stand-in.
    hub.add('acme/Qwen3-8B-finetune', { commit: fakeCommit('acme'), files: { 'config.json': Buffer.from(JSON.stringify(cfg)), ...shardedSafetensors(llamaLikeTensors(cfg), 3) } });
    for (const k of ENV) saved[k] = process.env[k];
    for (const k of ENV) delete process.env[k];
    process.env.HF_ENDPOINT = hub.endpoint;
    process.env.XDG_CACHE_HOME = path.join(tmp, 'cache');
    process.env.HF_HOME = path.join(tmp, 'hf');
  });
  after(async () => {
    for (const k of ENV) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
    await hub.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('prints what was read and from where: the Hub, the commit, requests and bytes; then the cache', async () => {
    const o = io(tmp);
    assert.equal(await main(['models', 'resolve', 'acme/Qwen3-8B-finetune'], o), 0, o.stderr);
    assert.match(o.stdout, new RegExp(`Hub: ${hub.endpoint.replace(/[.]/g, '\\.')} \\(HF_ENDPOINT\\)`));
    assert.match(o.stdout, /found {7}hub/);
    assert.match(o.stdout, new RegExp(`commit ${fakeCommit('acme')}`));
    assert.match(o.stdout, /read {8}\d+ request\(s\), [\d,]+ bytes \(headers only\)/);
    assert.match(o.stdout, /facts {7}config\.json \+ 3 safetensors header\(s\)/);
    assert.match(o.stdout, /36 full layers × 8192 cells/);
    const again = io(tmp);
    await main(['models', 'resolve', '--json', 'acme/Qwen3-8B-finetune'], again);
    const j = JSON.parse(again.stdout);
    assert.equal(j.origin.cached, true);
    assert.equal(j.kv.llamaCppBytesPerTokenF16, 36 * 2 * 8 * 128 * 2);
  });

  it('exit 1 and the reason for a model that does not exist; --offline never asks the Hub', async () => {
    const o = io(tmp);
    assert.equal(await main(['models', 'resolve', 'acme/nothing-here'], o), 1);
    assert.match(o.stdout, /no such model on the Hub \(404\)/);
    const before = hub.log.length;
    const off = io(tmp);
    assert.equal(await main(['models', 'resolve', '--offline', 'acme/never-fetched'], off), 1);
    assert.match(off.stdout, /the Hub was not asked \(HF_HUB_OFFLINE is set\)/);
    assert.equal(hub.log.length, before);
  });

  it('kvlens estimate acme/Qwen3-8B-finetune -c 32768 -ctk q8_0 --target rtx-4090, no profile', async () => {
    const o = io(tmp);
    const code = await main(['estimate', '--format', 'json', 'acme/Qwen3-8B-finetune', '-c', '32768', '-ctk', 'q8_0', '--target', 'rtx-4090'], o);
    assert.ok(code === 0 || code === 1, o.stderr);
    const r = JSON.parse(o.stdout);
    assert.equal(r.targets[0].id, 'rtx-4090');
    assert.equal(r.engine.contextSize, 32768);
    // K q8_0: 8 × 128 = 1024 elements → 1088 B; V f16: 2048 B; × 36 layers.
    assert.equal(r.engine.kvBytesPerToken, 36 * (1088 + 2048));
    assert.equal(r.targets[0].memory.kvBytes, 36 * 32768 * (1088 + 2048));
    assert.equal(r.model.layers, 36);
  });
});
