// Hardware names as people write them: what they resolve to, what "did you mean" offers (ranked by model number,
// family and memory before spelling), the catalog's coverage of what the issue lists, local-detection parsers, and
// the published measurements' hardware strings (../shared, skipped when absent).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { closeHardwareIds, findHardware, loadHardwareCatalog, resolveHardware } from '../../../src/core/hardware/catalog';
import { appleCatalogId, cpuCatalogId, cpuHostTarget, parseAppleGpuCores, parseRocmSmi } from '../../../src/core/hardware/local';
import { nameTokens } from '../../../src/core/hardware/names';

const ROOT = path.resolve(__dirname, '../../../..');
const id = (name: string, opts?: Parameters<typeof resolveHardware>[1]) => resolveHardware(name, opts).id;

describe('hardware names → catalog ids', () => {
  it('resolves the spellings users type', () => {
    for (const n of ['4090', 'RTX 4090', 'rtx4090', 'NVIDIA GeForce RTX 4090', 'GeForce RTX 4090', 'rtx-4090']) assert.equal(id(n), 'rtx-4090', n);
    assert.equal(id('m3 max 40c'), 'm3-max');
    assert.equal(id('Apple M3 Max 40-Core GPU 64GB'), 'm3-max');
    assert.equal(id('M3 Max (30-core GPU)'), 'm3-max-30c');
    assert.equal(id('m2 ultra 60c'), 'm2-ultra-60c');
    assert.equal(id('NVIDIA RTX 6000 Ada Generation'), 'rtx-6000-ada');
    assert.equal(id('RTX PRO 6000 Blackwell'), 'rtx-pro-6000');
    assert.equal(id('NVIDIA RTX 6000 Pro Blackwell Server Edition'), 'rtx-pro-6000-server');
    assert.equal(id('7900xtx'), 'rx-7900-xtx');
    assert.equal(id('dgx spark'), 'dgx-spark');
    assert.equal(id('GB10'), 'dgx-spark');
    assert.equal(id('Strix Halo'), 'ryzen-ai-max-395');
    assert.equal(id('a10'), 'a10');
    assert.equal(id('A10G'), 'a10g');
  });

  it('tells apart names that differ by one suffix, and never maps a laptop part to the desktop card', () => {
    assert.equal(id('RTX 3080'), 'rtx-3080');
    assert.equal(id('RTX 3080 Ti'), 'rtx-3080-ti');
    assert.equal(id('NVIDIA GeForce RTX 3080 Ti 12GB'), 'rtx-3080-ti');
    assert.equal(id('RTX 3080 12GB'), 'rtx-3080-12gb');
    assert.equal(id('4070 ti super'), 'rtx-4070-ti-super');
    assert.equal(id('RX 9070'), 'rx-9070');
    assert.equal(id('RX 9070 XT'), 'rx-9070-xt');
    assert.equal(id('H200 NVL'), 'h200-nvl');
    assert.equal(id('NVIDIA GeForce RTX 4090 Laptop GPU'), undefined);
    assert.equal(closeHardwareIds('NVIDIA GeForce RTX 4090 Laptop GPU')[0], 'rtx-4090');
  });

  it('does not guess between memory or form-factor variants: a100 suggests the A100s (not the A10) first', () => {
    const r = resolveHardware('a100');
    assert.equal(r.id, undefined);
    assert.deepEqual(r.candidates.slice(0, 4).map((c) => c.id).sort(), ['a100-40gb', 'a100-40gb-pcie', 'a100-80gb', 'a100-80gb-pcie']);
    assert.ok(closeHardwareIds('a100', 4).every((c) => c.startsWith('a100')));
    assert.deepEqual(closeHardwareIds('h100').sort(), ['h100-nvl', 'h100-pcie', 'h100-sxm']);
    // The device's reported memory picks the variant.
    assert.equal(id('NVIDIA A100-SXM4-80GB', { kind: 'gpu', memoryGiB: 80 }), 'a100-80gb');
    assert.equal(id('NVIDIA GH200 480GB', { kind: 'gpu', memoryGiB: 95.6 }), 'gh200');
    assert.equal(id('NVIDIA GH200 480GB', { kind: 'gpu', memoryGiB: 143 }), 'gh200-144gb');
    assert.deepEqual(closeHardwareIds('loacl'), ['local']);
  });

  it('reads device counts, memory and Apple core counts out of a name', () => {
    const t = nameTokens('16x NVIDIA GeForce RTX 3090 24GB');
    assert.equal(t.count, 16);
    assert.equal(t.memoryGiB, 24);
    assert.ok(t.tokens.has('3090') && t.tokens.has('rtx') && !t.tokens.has('nvidia'));
    assert.equal(nameTokens('Apple M1 Pro (14-core GPU)').gpuCores, 14);
    assert.equal(resolveHardware('16x NVIDIA GeForce RTX 3090').count, 16);
    // The host a GPU sat in is not the GPU.
    assert.equal(id('AMD Radeon RX 7900 XT 20GB (RADV NAVI31) on Raspberry Pi 5'), 'rx-7900-xt');
    assert.equal(id('NVIDIA RTX A2000 (host Minisforum MS-R1, Arm)'), 'rtx-a2000');
    assert.equal(id('Intel Core i7-1165G7 (Iris Xe iGPU)', { kind: 'cpu' }), 'core-i7-1165g7');
    assert.equal(id('Intel Core i7-1165G7 (Iris Xe iGPU)', { kind: 'gpu' }), 'iris-xe-96eu');
  });

  it('a hostile or huge name is bounded and answers nothing', () => {
    const r = resolveHardware('x'.repeat(1_000_000));
    assert.equal(r.id, undefined);
    assert.equal(resolveHardware('').id, undefined);
  });
});

describe('hardware catalog coverage', () => {
  const targets = loadHardwareCatalog().targets;
  it('has at least 80 targets, each with a datasheet source, the figures the estimator needs and its derivations noted', () => {
    assert.ok(targets.length >= 80, `${targets.length} targets`);
    for (const t of targets) {
      assert.match(t.source.url, /^https:\/\//, t.id);
      assert.ok(t.source.document.length > 10, t.id);
      assert.ok(t.memoryBytes > 0 && t.memoryBandwidthBytesPerSec > 0, t.id);
      assert.ok(t.peakFlops.fp32 > 0 && t.peakFlops.fp16 > 0 && t.peakFlops.bf16 > 0, t.id);
      assert.ok(t.family && t.arch, `${t.id} family/arch`);
      assert.ok(t.backends?.length, `${t.id} backends`);
      assert.ok(t.hostLink.bytesPerSec > 0, `${t.id} host link`);
      if (t.kind === 'gpu') assert.ok((t.peakFlops.int8 ?? 0) > 0, `${t.id} int8`);
      if (t.peakFlops.fp16Acc16) assert.ok(t.peakFlops.fp16Acc16 >= t.peakFlops.fp16, t.id);
      if (t.peakFlops.fp4) assert.ok(t.peakFlops.fp4 >= (t.peakFlops.fp8 ?? 0), t.id);
      // A figure derived rather than printed says so.
      if (/derived|assumed|estimate/i.test(JSON.stringify(t.peakFlops))) assert.fail(t.id);
    }
    // GeForce cards: the FP16-accumulate rate is twice the FP32-accumulate one.
    for (const t of targets.filter((x) => x.family?.startsWith('geforce-'))) assert.equal(Math.round((t.peakFlops.fp16Acc16 ?? 0) / t.peakFlops.fp16), 2, t.id);
    // Apple publishes no TDP; everyone else mostly does.
    const others = targets.filter((t) => t.vendor !== 'apple');
    const withTdp = others.filter((t) => t.tdpWatts).length;
    assert.ok(withTdp / others.length > 0.9, `${withTdp} of ${others.length} with a TDP`);
  });

  it('covers what the issue lists', () => {
    const ids = new Set(targets.map((t) => t.id));
    const want = [
      'rtx-2080-ti', 'rtx-3060', 'rtx-3080', 'rtx-4070', 'rtx-4080', 'rtx-5060-ti-16gb', 'rtx-5070', 'rtx-5080', 'rtx-5090', // consumer 20–50
      'rtx-a6000', 'rtx-6000-ada', 'rtx-pro-6000', // workstation
      'v100-sxm2-32gb', 'a100-80gb', 'h100-sxm', 'h200', 'b200', 'b300', 'gb200', 'gb300', 'l4', 'l40', 'l40s', 'a10', 'a10g', 't4', // datacenter
      'dgx-spark', 'jetson-agx-orin-64gb', 'jetson-agx-thor',
      'rx-6800-xt', 'rx-7900-xtx', 'rx-9070-xt', 'radeon-pro-w7900', 'mi210', 'mi250x', 'mi300x', 'mi325x', 'mi350x', 'mi355x', 'ryzen-ai-max-395',
      'm1-8c', 'm1-pro-16c', 'm1-max-32c', 'm1-ultra-64c', 'm2-10c', 'm2-pro-19c', 'm2-max-38c', 'm2-ultra', 'm3-10c', 'm3-pro-18c', 'm3-max', 'm3-ultra-80c',
      'm4-10c', 'm4-pro-20c', 'm4-max', 'm5-10c',
      'arc-a770', 'arc-b580', 'gaudi2', 'gaudi3',
      'epyc-9654', 'xeon-8480', 'xeon-6980p', 'ryzen-9-7950x', 'threadripper-pro-7995wx', 'graviton4', 'grace', 'm2-max-cpu',
    ];
    for (const w of want) assert.ok(ids.has(w), w);
    for (const k of ['gpu', 'cpu', 'apple'] as const) assert.ok(targets.some((t) => t.kind === k), k);
  });
});

describe('local detection maps to catalog ids', () => {
  it('parses rocm-smi JSON and maps the product name', () => {
    const json = JSON.stringify({
      card0: { 'Card Series': 'AMD Instinct MI300X', 'Card Model': '0x74a1', 'VRAM Total Memory (B)': '206141652992' },
      card1: { 'Card series': 'Radeon RX 7900 XTX', 'VRAM Total Memory (B)': '25753026560' },
      system: { 'Driver version': '6.7' },
    });
    const gpus = parseRocmSmi(json);
    assert.deepEqual(gpus.map((g) => g.catalogId), ['mi300x', 'rx-7900-xtx']);
    assert.equal(gpus[0]!.memoryMiB, 196592);
    assert.deepEqual(parseRocmSmi('not json'), []);
    assert.deepEqual(parseRocmSmi('[1,2]'), []);
  });

  it('reads the Apple GPU core count and the CPU model string', () => {
    assert.equal(parseAppleGpuCores('Graphics/Displays:\n    Apple M3 Max:\n      Chipset Model: Apple M3 Max\n      Total Number of Cores: 30\n'), 30);
    assert.equal(parseAppleGpuCores('nothing'), undefined);
    assert.equal(appleCatalogId('Apple M3 Max', 30), 'm3-max-30c');
    assert.equal(appleCatalogId('Apple M3 Max', 40), 'm3-max');
    assert.equal(appleCatalogId('Apple M1 Pro', 14), 'm1-pro-14c');
    assert.equal(cpuCatalogId('AMD EPYC 9654 96-Core Processor'), 'epyc-9654');
    assert.equal(cpuCatalogId('Intel(R) Xeon(R) Platinum 8480+'), 'xeon-8480');
    assert.equal(cpuCatalogId('AMD Ryzen 9 7950X 16-Core Processor'), 'ryzen-9-7950x');
    assert.equal(cpuCatalogId('Some Unknown CPU @ 2.00GHz'), undefined);
  });

  it('a known CPU gets its datasheet figures with this machine\'s memory; an unknown one the stated guesses', () => {
    const a: string[] = [];
    const t = cpuHostTarget('AMD EPYC 9654 96-Core Processor', 192, 256 * 2 ** 30, ['avx512'], a);
    assert.equal(t.id, 'local');
    assert.equal(t.catalogId, 'epyc-9654');
    assert.equal(t.memoryBandwidthBytesPerSec, findHardware('epyc-9654')!.memoryBandwidthBytesPerSec);
    assert.equal(t.memoryBytes, 256 * 2 ** 30);
    assert.match(a[0]!, /catalog entry epyc-9654/);
    const b: string[] = [];
    assert.equal(cpuHostTarget('Mystery CPU', 8, 2 ** 34, [], b).catalogId, undefined);
    assert.ok(b.some((s) => /bandwidth unknown/.test(s)));
  });
});

describe('published measurements\' hardware strings', () => {
  const file = path.resolve(ROOT, '../shared/data/measured/llama-bench.jsonl');
  it('almost all resolve to a catalog id (skipped without ../shared)', function () {
    if (!fs.existsSync(file)) { this.skip(); return; }
    const rows = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { hardware: string; hw_family: string });
    const kind = (f: string) => (f.startsWith('cpu') ? 'cpu' : f === 'apple-silicon' ? 'apple' : 'gpu') as 'cpu' | 'apple' | 'gpu';
    const names = [...new Map(rows.map((r) => [`${r.hardware}|${r.hw_family}`, r])).values()];
    const ok = names.filter((r) => resolveHardware(r.hardware, { kind: kind(r.hw_family) }).id);
    assert.ok(ok.length / names.length >= 0.95, `${ok.length} of ${names.length}`);
  });
});
