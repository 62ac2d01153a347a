// The hardware catalog is data: validated against its draft-07 schema, with the ids the issue names and a
// datasheet source per entry; target resolution, custom targets and local detection parsing.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { catalogIdForGpuName, closeHardwareIds, findHardware, hardwareCatalogPath, loadHardwareCatalog } from '../../../src/core/hardware/catalog';
import { cpuHostTarget, isaFromCpuinfo, parseNvidiaSmi } from '../../../src/core/hardware/local';
import { customTarget, resolveTargets } from '../../../src/core/hardware/targets';

const ROOT = path.resolve(__dirname, '../../../..');
const REQUIRED = ['a100-40gb', 'a100-80gb', 'h100-sxm', 'h100-pcie', 'h200', 'b200', 'l4', 'l40s', 'rtx-3090', 'rtx-4090', 'mi300x', 'm2-ultra', 'xeon-8480', 'epyc-9654'];

describe('hardware catalog', () => {
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas/hardware-catalog.schema.json'), 'utf8'));
  const data = JSON.parse(fs.readFileSync(path.join(ROOT, 'data/hardware.json'), 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);

  it('data/hardware.json validates against schemas/hardware-catalog.schema.json', () => {
    assert.ok(validate(data), ajv.errorsText(validate.errors));
    assert.equal(hardwareCatalogPath(), path.join(ROOT, 'data/hardware.json'));
  });

  it('the schema rejects an entry without a source or with a fractional byte count', () => {
    const bad1 = structuredClone(data);
    delete bad1.targets[0].source;
    assert.equal(validate(bad1), false);
    const bad2 = structuredClone(data);
    bad2.targets[0].memoryBytes = 1.5;
    assert.equal(validate(bad2), false);
  });

  it('has every required id once, with https datasheet sources and dense figures in sane ranges', () => {
    const ids = loadHardwareCatalog().targets.map((t) => t.id);
    for (const id of REQUIRED) assert.ok(ids.includes(id), id);
    assert.equal(new Set(ids).size, ids.length);
    for (const t of loadHardwareCatalog().targets) {
      assert.match(t.source.url, /^https:\/\//, t.id);
      assert.ok(Number.isInteger(t.memoryBytes), t.id);
      assert.ok(t.peakFlops.bf16 >= t.peakFlops.fp32 || t.id === 't4', t.id);
      assert.ok(t.efficiency.bandwidth > 0 && t.efficiency.bandwidth <= 1);
    }
  });

  it('anchors match domain.md: A100-80GB 312 TFLOP/s bf16 & 2.039 TB/s, H100 SXM 989 TFLOP/s & 3.35 TB/s, H200 4.8 TB/s', () => {
    assert.equal(findHardware('a100-80gb')?.peakFlops.bf16, 312e12);
    assert.equal(findHardware('a100-80gb')?.memoryBandwidthBytesPerSec, 2.039e12);
    assert.ok(Math.abs((findHardware('h100-sxm')?.peakFlops.bf16 ?? 0) - 989e12) < 1e12);
    assert.equal(findHardware('h100-sxm')?.memoryBandwidthBytesPerSec, 3.35e12);
    assert.equal(findHardware('h200')?.memoryBandwidthBytesPerSec, 4.8e12);
    assert.equal(findHardware('h100-sxm')?.hostLink.bytesPerSec, 64e9);
    assert.equal(findHardware('rtx-4090')?.hostLink.bytesPerSec, 32e9);
    // ridge points ≈ 150 (A100) and ≈ 295 (H100) FLOP/byte
    const a = findHardware('a100-80gb')!;
    const h = findHardware('h100-sxm')!;
    assert.equal(Math.round(a.peakFlops.bf16 / a.memoryBandwidthBytesPerSec), 153);
    assert.equal(Math.round(h.peakFlops.bf16 / h.memoryBandwidthBytesPerSec), 295);
  });
});

describe('resolveTargets', () => {
  it('resolves catalog ids and local, and lists close ids for an unknown one', () => {
    const r = resolveTargets([{ id: 'h100-sxm' }, { id: 'RTX-4090' }, { id: 'local' }, { id: 'h100' }, { id: 'rtx4090' }, { id: 'rtx 409' }]);
    // 'rtx4090' names one entry: resolved, with a notice carrying the id to write instead.
    assert.deepEqual(r.targets.map((t) => t.id), ['h100-sxm', 'rtx-4090', 'local', 'rtx-4090']);
    assert.deepEqual(r.notices?.map((n) => [n.ref, n.id]), [['rtx4090', 'rtx-4090']]);
    assert.equal(r.errors.length, 2);
    assert.deepEqual(r.errors[0].suggestions.sort(), ['h100-nvl', 'h100-pcie', 'h100-sxm']);
    assert.match(r.errors[0].message, /unknown hardware target 'h100'; did you mean/);
    assert.equal(r.errors[1].suggestions[0], 'rtx-4090');
    assert.deepEqual(closeHardwareIds('zzzzzzzzzz'), []);
  });

  it('accepts custom targets in the profile/settings shape and in the catalog\'s byte fields', () => {
    const profile = customTarget({ id: 'my-gpu', name: 'My GPU', memoryGiB: 48, bandwidthGBs: 960, tflops: { bf16: 181 } });
    assert.ok(typeof profile !== 'string');
    assert.equal(profile.memoryBytes, 48 * 2 ** 30);
    assert.equal(profile.memoryBandwidthBytesPerSec, 960e9);
    assert.equal(profile.peakFlops.bf16, 181e12);
    assert.equal(profile.peakFlops.fp16, 181e12);
    const settings = customTarget({ id: 'box', memoryBytes: 1e10, memoryBandwidthBytesPerSec: 5e11, devices: 2, peakFlops: { fp16: 1e14 } });
    assert.ok(typeof settings !== 'string');
    assert.equal(settings.count, 2);
    assert.equal(settings.peakFlops.bf16, 1e14);
    const based = customTarget({ id: 'big-h100', base: 'h100-sxm', memoryGiB: 96 });
    assert.ok(typeof based !== 'string');
    assert.equal(based.memoryBandwidthBytesPerSec, 3.35e12);
    assert.match(String(customTarget({ id: 'x', memoryGiB: 8 })), /bandwidth/);
    assert.match(String(customTarget({ id: 'x', base: 'nope', memoryGiB: 8 })), /unknown base/);
    const r = resolveTargets([{ inline: { id: 'inline-gpu', memoryGiB: 16, bandwidthGBs: 500 } }, { id: 'box' }], [{ id: 'box', memoryBytes: 1e10, memoryBandwidthBytesPerSec: 1e11 } as never]);
    assert.deepEqual(r.targets.map((t) => t.id), ['inline-gpu', 'box']);
    assert.deepEqual(r.errors, []);
  });
});

describe('local detection parsing', () => {
  it('reads ISA flags from /proc/cpuinfo', () => {
    const info = 'processor\t: 0\nmodel name\t: Intel Xeon\nflags\t\t: fpu sse avx2 fma avx512f avx512_bf16 amx_tile amx_bf16\n';
    assert.deepEqual(isaFromCpuinfo(info), ['avx2', 'avx512', 'avx512_bf16', 'amx', 'fma']);
    assert.deepEqual(isaFromCpuinfo('no flags here'), []);
  });

  it('parses nvidia-smi CSV and maps names to catalog entries', () => {
    const gpus = parseNvidiaSmi('NVIDIA H100 80GB HBM3, 81559\nNVIDIA GeForce RTX 4090, 24564\nbad line\nNVIDIA A100-SXM4-40GB, 40960\n');
    assert.deepEqual(gpus.map((g) => g.catalogId), ['h100-sxm', 'rtx-4090', 'a100-40gb']);
    assert.equal(catalogIdForGpuName('NVIDIA A100-SXM4-80GB', 81920), 'a100-80gb');
    assert.equal(catalogIdForGpuName('NVIDIA H100 PCIe'), 'h100-pcie');
    assert.equal(catalogIdForGpuName('NVIDIA L4'), 'l4');
    assert.equal(catalogIdForGpuName('NVIDIA L40S'), 'l40s');
    assert.equal(catalogIdForGpuName('Quadro P400'), undefined);
  });

  it('a CPU host target states its bandwidth and FLOP/s guesses', () => {
    const a: string[] = [];
    const t = cpuHostTarget('Test CPU', 16, 64 * 2 ** 30, ['avx2', 'avx512', 'amx'], a);
    assert.equal(t.kind, 'cpu');
    assert.ok(t.peakFlops.bf16 > t.peakFlops.fp32);
    assert.ok(a.some((s) => /bandwidth unknown/.test(s)));
  });
});
