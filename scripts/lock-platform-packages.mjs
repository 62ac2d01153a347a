#!/usr/bin/env node
// Makes package-lock.json list node-llama-cpp's prebuilt-binary packages for every platform, so `npm ci` accepts
// it everywhere. Why: npm ci refuses a lock that lacks any optional dependency of a locked package — even one for
// another OS, which npm would skip — and npm can only write such an entry from the registry's manifest. The
// registry these machines reach has no macOS, Windows or riscv64 builds of @node-llama-cpp/* (404), so a lock made
// here lacks 8 of node-llama-cpp's 14 platform packages and npm ci stops with "Missing: … from lock file".
// The entries npm would write hold the package's version (pinned exactly by node-llama-cpp's optionalDependencies)
// and its os/cpu/libc/engines/license, which come from the package.json in node-llama-cpp's repository
// (packages/@node-llama-cpp/<name>/package.json). They carry no `integrity`: npm fetches name@version and checks
// nothing more for these 8, on the platforms that install them.
//
//   node scripts/lock-platform-packages.mjs --check            lists what npm ci would call missing; exit 1 if any
//   node scripts/lock-platform-packages.mjs --from-checkout D  derives the entries from a clone D of node-llama-cpp
//                                                              (its HEAD commit; checked against the packages the
//                                                              registry has), records them with that commit in
//                                                              scripts/lock-platform-packages.json, adds them
//   node scripts/lock-platform-packages.mjs                    adds the recorded entries where the lock lacks them
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LOCK = path.join(REPO, 'package-lock.json');
const RECORD = path.join(REPO, 'scripts/lock-platform-packages.json');
const SOURCE = 'https://github.com/withcatai/node-llama-cpp';
/** The fields npm copies from a platform package's manifest into its lock entry, in npm's order. */
const FIELDS = ['cpu', 'libc', 'license', 'optional', 'os', 'engines'];

/** Where Node (and npm's lock) finds `name` from the package at lock path `from` ('' is the root). */
export function resolveInLock(packages, from, name) {
  for (let dir = from; ; ) {
    const cand = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[cand]) return cand;
    if (!dir) return undefined;
    const i = dir.lastIndexOf('node_modules/');
    dir = i <= 0 ? '' : dir.slice(0, i - 1);
  }
}

/** Every optional dependency some locked package declares that the lock does not hold (what npm ci calls missing). */
export function missingOptional(lock) {
  const packages = lock.packages ?? {};
  const out = [];
  for (const [from, entry] of Object.entries(packages)) {
    for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
      if (!resolveInLock(packages, from, name)) out.push({ from, name, spec });
    }
  }
  return out;
}

/** Adds `entries` (name → lock entry) at node_modules/<name>, each after the key it sorts after, others untouched. */
export function addEntries(lock, entries) {
  const keys = Object.keys(lock.packages);
  const add = Object.entries(entries).map(([name, e]) => [`node_modules/${name}`, e]).filter(([k]) => !lock.packages[k]);
  const count = add.length;
  if (count === 0) return 0;
  const out = {};
  const pending = add.sort(([a], [b]) => a.localeCompare(b, 'en'));
  for (const k of keys) {
    while (pending.length && k !== '' && pending[0][0].localeCompare(k, 'en') < 0) { const [nk, ne] = pending.shift(); out[nk] = ne; }
    out[k] = lock.packages[k];
  }
  for (const [nk, ne] of pending) out[nk] = ne;
  lock.packages = out;
  return count;
}

const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));
const writeLock = (lock) => writeFileSync(LOCK, JSON.stringify(lock, null, 2) + '\n');
const pick = (o) => Object.fromEntries(FIELDS.filter((f) => o[f] !== undefined).map((f) => [f, o[f]]));
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function fromCheckout(dir, lock, missing) {
  const commit = execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  // Read from the commit, not the work tree (a bare mirror has none; a work tree may be edited).
  const manifest = (name) => {
    const file = `packages/${name}/package.json`;
    let text;
    try { text = execFileSync('git', ['-C', dir, 'show', `${commit}:${file}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }); } catch {
      throw new Error(`${dir} has no ${file} at ${commit}: is it a clone of ${SOURCE}?`);
    }
    return pick({ ...JSON.parse(text), optional: true });
  };
  // The method, checked: for every platform package the registry did serve, the repository's package.json says
  // exactly what the registry's manifest said (as npm recorded it in the lock).
  const checked = [];
  for (const [k, e] of Object.entries(lock.packages)) {
    const m = /^node_modules\/(@node-llama-cpp\/[^/]+)$/.exec(k);
    if (!m) continue;
    const fromRepo = manifest(m[1]);
    if (!same(pick(e), fromRepo)) throw new Error(`${m[1]}: the registry's manifest ${JSON.stringify(pick(e))} differs from ${dir}'s ${JSON.stringify(fromRepo)}; not deriving anything from this checkout`);
    checked.push(m[1]);
  }
  const packages = {};
  for (const { name, spec } of missing) {
    if (!name.startsWith('@node-llama-cpp/')) throw new Error(`${name} is missing from the lock, and only node-llama-cpp's platform packages are derived here`);
    if (!/^\d+\.\d+\.\d+$/.test(spec)) throw new Error(`${name}@${spec}: not an exact version, so the lock cannot pin it`);
    packages[name] = { version: spec, ...manifest(name) };
  }
  const record = {
    note: 'Lock entries for node-llama-cpp platform packages the npm registry these machines reach does not serve; written by scripts/lock-platform-packages.mjs',
    source: SOURCE, commit, files: 'packages/@node-llama-cpp/<name>/package.json',
    checkedAgainstRegistry: checked, packages,
  };
  writeFileSync(RECORD, JSON.stringify(record, null, 2) + '\n');
  console.log(`derived ${Object.keys(packages).length} entries from ${SOURCE} at ${commit} (method checked on ${checked.length} packages the registry has); recorded in ${path.relative(REPO, RECORD)}`);
  return packages;
}

function main(argv) {
  const lock = readJson(LOCK);
  const missing = missingOptional(lock);
  if (argv[0] === '--check') {
    for (const m of missing) console.log(`missing from package-lock.json: ${m.name}@${m.spec} (optional dependency of ${m.from || 'the root'})`);
    if (missing.length) {
      console.log('npm ci refuses this lock. `node scripts/lock-platform-packages.mjs` adds the recorded entries.');
      return 1;
    }
    console.log('package-lock.json lists every optional dependency of every locked package');
    return 0;
  }
  if (missing.length === 0) { console.log('package-lock.json already lists every optional dependency'); return 0; }
  let entries;
  if (argv[0] === '--from-checkout' && argv[1]) entries = fromCheckout(path.resolve(argv[1]), lock, missing);
  else if (argv.length === 0) {
    if (!existsSync(RECORD)) throw new Error(`${path.relative(REPO, RECORD)} does not exist; run with --from-checkout <node-llama-cpp checkout>`);
    const record = readJson(RECORD);
    entries = {};
    for (const { name, spec } of missing) {
      const e = record.packages[name];
      if (!e || e.version !== spec) throw new Error(`${name}@${spec} is not recorded (recorded: ${e?.version ?? 'nothing'}); run with --from-checkout <node-llama-cpp checkout at that release>`);
      entries[name] = e;
    }
  } else {
    console.error('usage: node scripts/lock-platform-packages.mjs [--check | --from-checkout DIR]');
    return 2;
  }
  const n = addEntries(lock, entries);
  writeLock(lock);
  const left = missingOptional(lock);
  console.log(`added ${n} entries to package-lock.json${left.length ? `; still missing: ${left.map((m) => m.name).join(', ')}` : ''}`);
  return left.length ? 1 : 0;
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  try { process.exit(main(process.argv.slice(2))); } catch (e) { console.error(`[lock] ${e.message}`); process.exit(1); }
}
