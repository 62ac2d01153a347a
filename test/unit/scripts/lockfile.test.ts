// package-lock.json must satisfy `npm ci` on every platform: every optional dependency of every locked package
// listed (scripts/lock-platform-packages.mjs explains why node-llama-cpp's platform packages need help here).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(__dirname, '../../../..');

interface LockEntry { version?: string; optional?: boolean; os?: string[]; cpu?: string[]; optionalDependencies?: Record<string, string>; [k: string]: unknown }
interface Lock { packages: Record<string, LockEntry> }
interface LockModule {
  resolveInLock(packages: Record<string, LockEntry>, from: string, name: string): string | undefined;
  missingOptional(lock: Lock): { from: string; name: string; spec: string }[];
  addEntries(lock: Lock, entries: Record<string, LockEntry>): number;
}

const load = (): Promise<LockModule> => import(pathToFileURL(path.join(ROOT, 'scripts/lock-platform-packages.mjs')).href) as Promise<LockModule>;
const readJson = <T>(p: string): T => JSON.parse(fs.readFileSync(p, 'utf8')) as T;

describe('scripts/lock-platform-packages', () => {
  it('resolves a dependency the way Node does: nested node_modules first, then each parent, then the root', async () => {
    const { resolveInLock } = await load();
    const packages = { '': {}, 'node_modules/a': {}, 'node_modules/a/node_modules/b': {}, 'node_modules/b': {}, 'node_modules/c': {} };
    assert.equal(resolveInLock(packages, 'node_modules/a', 'b'), 'node_modules/a/node_modules/b');
    assert.equal(resolveInLock(packages, 'node_modules/c', 'b'), 'node_modules/b');
    assert.equal(resolveInLock(packages, 'node_modules/a/node_modules/b', 'c'), 'node_modules/c');
    assert.equal(resolveInLock(packages, '', 'd'), undefined);
  });

  it('reports the optional dependencies a lock lacks, wherever they are declared', async () => {
    const { missingOptional } = await load();
    const lock: Lock = { packages: {
      '': { optionalDependencies: { x: '1.0.0' } },
      'node_modules/eng': { optionalDependencies: { '@p/linux': '2.0.0', '@p/mac': '2.0.0' } },
      'node_modules/@p/linux': { version: '2.0.0' },
      'node_modules/x': { version: '1.0.0' },
    } };
    assert.deepEqual(missingOptional(lock), [{ from: 'node_modules/eng', name: '@p/mac', spec: '2.0.0' }]);
  });

  it('adds entries in sorted place without moving or changing the others', async () => {
    const { addEntries } = await load();
    const lock: Lock = { packages: { '': {}, 'node_modules/@p/a': { version: '1' }, 'node_modules/@p/c': { version: '1' }, 'node_modules/z': { version: '1' } } };
    assert.equal(addEntries(lock, { '@p/b': { version: '2' }, '@p/d': { version: '2' }, '@p/a': { version: '9' } }), 2);
    assert.deepEqual(Object.keys(lock.packages), ['', 'node_modules/@p/a', 'node_modules/@p/b', 'node_modules/@p/c', 'node_modules/@p/d', 'node_modules/z']);
    assert.equal(lock.packages['node_modules/@p/a'].version, '1');
  });

  it('package-lock.json lists every optional dependency of every locked package (else npm ci refuses it)', async () => {
    const { missingOptional } = await load();
    const missing = missingOptional(readJson<Lock>(path.join(ROOT, 'package-lock.json')));
    assert.deepEqual(missing.map((m) => `${m.name}@${m.spec}`), [],
      'npm ci would refuse this lock; `node scripts/lock-platform-packages.mjs` adds the recorded entries');
  });

  it('lists each node-llama-cpp platform package at the version node-llama-cpp pins, for one OS each, as recorded', () => {
    const lock = readJson<Lock>(path.join(ROOT, 'package-lock.json'));
    const engine = lock.packages['node_modules/node-llama-cpp'];
    const record = readJson<{ commit: string; packages: Record<string, LockEntry> }>(path.join(ROOT, 'scripts/lock-platform-packages.json'));
    assert.match(record.commit, /^[0-9a-f]{40}$/);
    const names = Object.keys(engine.optionalDependencies ?? {});
    assert.ok(names.length >= 14, names.join(', '));
    const oses = new Set<string>();
    for (const name of names) {
      const e = lock.packages[`node_modules/${name}`];
      assert.ok(e, name);
      assert.equal(e.version, engine.optionalDependencies![name], name);
      assert.equal(e.optional, true, name);
      assert.equal(e.os?.length, 1, name);
      oses.add(e.os![0]);
      // Entries npm could not write itself are exactly the recorded ones (no integrity: the registry here lacks them).
      if (record.packages[name]) assert.deepEqual(e, record.packages[name], name);
      else assert.match(String(e.integrity), /^sha512-/, `${name} came from the registry and carries its integrity`);
    }
    assert.deepEqual([...oses].sort(), ['darwin', 'linux', 'win32']);
  });
});
