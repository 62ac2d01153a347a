#!/usr/bin/env node
// `npm run package -- [--target linux-x64] [--gpu cuda|vulkan] [--no-engine] [--no-check] [--no-build] [--out DIR]`
// Builds a platform VSIX: the production bundle (dist/), schemas/, data/, examples/, README/CHANGELOG/LICENSE, and
// node-llama-cpp with only the target's prebuilt llama.cpp binary package (+ node-llama-cpp's runtime deps).
// `--no-engine` builds a VSIX without the engine (estimates only; the extension says how to get measurements).
//
// How: the extension is staged in a temp folder whose package.json depends on node-llama-cpp alone (everything
// else is bundled by esbuild), node_modules is filled from this checkout's (or `npm pack` for another platform's
// binary package), and `vsce package` runs there. Then the VSIX is unpacked into a temp folder and its runner
// loads node-llama-cpp from there and runs a tiny generated model (skipped for other platforms' targets).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const noEngine = argv.includes('--no-engine');
const noCheck = argv.includes('--no-check');
const gpu = opt('--gpu'); // cuda | vulkan
const outDir = path.resolve(opt('--out') ?? REPO);

const hostTarget = `${process.platform === 'win32' ? 'win32' : process.platform}-${process.arch === 'arm' ? 'armhf' : process.arch}`;
const target = opt('--target') ?? hostTarget;

/** vsce target → node-llama-cpp's prebuilt binary packages. */
const BINARIES = {
  'linux-x64': { cpu: 'linux-x64', cuda: ['linux-x64-cuda', 'linux-x64-cuda-ext'], vulkan: ['linux-x64-vulkan'] },
  'linux-arm64': { cpu: 'linux-arm64' },
  'linux-armhf': { cpu: 'linux-armv7l' },
  'darwin-arm64': { cpu: 'mac-arm64-metal' },
  'darwin-x64': { cpu: 'mac-x64' },
  'win32-x64': { cpu: 'win-x64', cuda: ['win-x64-cuda', 'win-x64-cuda-ext'], vulkan: ['win-x64-vulkan'] },
  'win32-arm64': { cpu: 'win-arm64' },
};

const tmpRoots = [];
process.on('exit', () => { for (const d of tmpRoots) rmSync(d, { recursive: true, force: true }); });
const tmp = (prefix) => { const d = mkdtempSync(path.join(tmpdir(), prefix)); tmpRoots.push(d); return d; };
const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;
const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));

function dirSize(p) {
  const st = statSync(p);
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const e of readdirSync(p)) n += dirSize(path.join(p, e));
  return n;
}

/** Node's lookup: `name` as seen from package dir `from` (nested node_modules first, then the parents'). */
function resolvePackageDir(name, from) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (path.basename(dir) !== 'node_modules') {
      const cand = path.join(dir, 'node_modules', name);
      if (existsSync(path.join(cand, 'package.json'))) return cand;
    }
    if (dir === REPO || dir === path.dirname(dir)) return undefined;
  }
}

/** node-llama-cpp and its runtime dependency closure in this checkout (dependencies only; no optional binaries). */
function runtimeClosure(root) {
  const seen = new Set();
  const visit = (dir) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const pkg = readJson(path.join(dir, 'package.json'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      const d = resolvePackageDir(dep, dir);
      if (!d) throw new Error(`${dep} (needed by ${pkg.name}) is not installed; run npm ci`);
      visit(d);
    }
  };
  visit(root);
  return [...seen];
}

function copyBinaryPackage(name, version, stageModules) {
  const local = path.join(REPO, 'node_modules', '@node-llama-cpp', name);
  const dest = path.join(stageModules, '@node-llama-cpp', name);
  if (existsSync(path.join(local, 'package.json')) && readJson(path.join(local, 'package.json')).version === version) {
    cpSync(local, dest, { recursive: true });
    return 'local';
  }
  // Not installed here (another platform's package): fetch the tarball from the npm registry.
  const t = tmp('kvlens-pack-');
  const file = execFileSync('npm', ['pack', `@node-llama-cpp/${name}@${version}`, '--silent'], { cwd: t, encoding: 'utf8' }).trim().split('\n').pop();
  mkdirSync(dest, { recursive: true });
  execFileSync('tar', ['-xzf', path.join(t, file), '-C', dest, '--strip-components=1']);
  return 'npm pack';
}

function stage() {
  const root = tmp('kvlens-vsix-');
  const dir = path.join(root, 'kvlens');
  mkdirSync(dir);
  const pkg = readJson(path.join(REPO, 'package.json'));
  const nlcVersion = readJson(path.join(REPO, 'node_modules/node-llama-cpp/package.json')).version;

  for (const f of ['dist', 'schemas', 'data', 'examples', 'media', 'images', 'README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore']) {
    const src = path.join(REPO, f);
    if (!existsSync(src)) continue;
    cpSync(src, path.join(dir, f), { recursive: true, filter: (s) => !s.endsWith('.map') });
  }
  const manifest = { ...pkg };
  delete manifest.devDependencies;
  delete manifest.scripts; // nothing to run at install time; the bundle is built already
  delete manifest.allowScripts;
  delete manifest.bin; // the CLI ships through npm, not inside the VSIX
  manifest.dependencies = noEngine ? {} : { 'node-llama-cpp': nlcVersion };
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');

  const binaries = [];
  if (!noEngine) {
    const spec = BINARIES[target];
    if (!spec) throw new Error(`no node-llama-cpp binary for target ${target}; known: ${Object.keys(BINARIES).join(', ')}`);
    const modules = path.join(dir, 'node_modules');
    for (const d of runtimeClosure(path.join(REPO, 'node_modules/node-llama-cpp'))) {
      cpSync(d, path.join(modules, path.relative(path.join(REPO, 'node_modules'), d)), { recursive: true, dereference: true });
    }
    const names = [spec.cpu, ...(gpu ? spec[gpu] ?? [] : [])];
    if (gpu && !spec[gpu]) throw new Error(`node-llama-cpp has no ${gpu} build for ${target}`);
    for (const n of names) binaries.push(`@node-llama-cpp/${n} (${copyBinaryPackage(n, nlcVersion, modules)})`);
  }
  return { dir, pkg: manifest, binaries };
}

function vscePackage(dir, file) {
  const vsce = path.join(REPO, 'node_modules/@vscode/vsce/vsce');
  // Without the engine nothing is platform-specific: a universal VSIX unless a target was asked for.
  const targetArgs = noEngine && !opt('--target') ? [] : ['--target', target];
  const args = [vsce, 'package', ...targetArgs, '--out', file, '--allow-missing-repository', '--allow-star-activation'];
  if (!existsSync(path.join(dir, 'LICENSE'))) args.push('--skip-license');
  if (noEngine) args.push('--no-dependencies');
  const r = spawnSync(process.execPath, args, { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, npm_config_loglevel: 'error' } });
  if (r.status !== 0) throw new Error(`vsce package failed (exit ${r.status})`);
}

/** Unpacks the VSIX and runs its runner on a tiny generated model, loading node-llama-cpp from the VSIX only. */
function checkEngine(file) {
  const t = tmp('kvlens-vsix-check-');
  execFileSync('unzip', ['-q', file, '-d', t]);
  const ext = path.join(t, 'extension');
  const model = path.join(t, 'tiny.gguf');
  const makeModel = path.join(REPO, 'out/src/core/models/makeModel.js');
  if (existsSync(path.join(ext, 'dist/cli.js'))) {
    const r = spawnSync(process.execPath, [path.join(ext, 'dist/cli.js'), 'make-model', '--layers', '2', '--embd', '256', '--heads', '4', '--kv-heads', '2', '--ff', '512', model], { encoding: 'utf8' });
    if (r.status !== 0 && existsSync(makeModel)) {
      execFileSync(process.execPath, ['-e', `require(${JSON.stringify(makeModel)}).makeLlamaGguf(${JSON.stringify(model)}, { layers: 2, embd: 256, heads: 4, kvHeads: 2, ff: 512 })`]);
    }
  } else if (existsSync(makeModel)) {
    execFileSync(process.execPath, ['-e', `require(${JSON.stringify(makeModel)}).makeLlamaGguf(${JSON.stringify(model)}, { layers: 2, embd: 256, heads: 4, kvHeads: 2, ff: 512 })`]);
  }
  if (!existsSync(model)) throw new Error('could not generate the test model (dist/cli.js make-model / out/src/core/models/makeModel.js)');
  const spec = {
    model, reps: 1, gpu: false, seed: 1,
    tests: [{ n_prompt: 32, n_gen: 4, n_depth: 0, n_ctx_requested: 0, n_seq: 1, n_batch: 32, n_ubatch: 32, n_threads: 1, n_gpu_layers: 0, type_k: 'q8_0', type_v: 'q8_0', flash_attn: 'on' }],
  };
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [path.join(ext, 'dist/runner.mjs'), JSON.stringify(spec)], { cwd: t, encoding: 'utf8', timeout: 120000 });
  const msgs = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const result = msgs.find((m) => m.type === 'result');
  const hello = msgs.find((m) => m.type === 'hello');
  if (r.status !== 0 || !result) {
    throw new Error(`the runner inside the VSIX failed (exit ${r.status}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  }
  const res = result.result;
  return `runner from the unpacked VSIX: node-llama-cpp ${hello?.engine_version ?? '?'}, llama.cpp ${hello?.llama_cpp_version ?? '?'}; ` +
    `pp32+tg4 q8_0/q8_0 on a 2-layer model: kv_bytes=${res.kv_bytes}, ${res.avg_ts?.toFixed?.(1) ?? res.avg_ts} tok/s (${((Date.now() - t0) / 1000).toFixed(1)} s)`;
}

function main() {
  const t0 = Date.now();
  if (!argv.includes('--no-build')) {
    console.log(`[package] production build`);
    execFileSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: REPO, stdio: 'inherit' });
  }
  for (const f of ['dist/extension.js', 'dist/runner.mjs']) if (!existsSync(path.join(REPO, f))) throw new Error(`${f} is missing: build first`);
  const { dir, pkg, binaries } = stage();
  const name = noEngine
    ? `${pkg.name}-${pkg.version}${opt('--target') ? `-${target}` : ''}-no-engine.vsix`
    : `${pkg.name}-${pkg.version}-${target}${gpu ? `-${gpu}` : ''}.vsix`;
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, name);
  rmSync(file, { force: true });
  console.log(`[package] staged in ${dir}${binaries.length ? `; engine: node-llama-cpp + ${binaries.join(', ')}` : '; no engine'}`);
  vscePackage(dir, file);

  const size = statSync(file).size;
  const listing = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n').filter(Boolean);
  const top = new Map();
  for (const f of listing) {
    const parts = f.replace(/^extension\//, '').split('/');
    const key = parts[0] === 'node_modules' ? `node_modules/${parts[1].startsWith('@') ? `${parts[1]}/${parts[2]}` : parts[1]}` : parts[0];
    top.set(key, (top.get(key) ?? 0) + 1);
  }
  const unpacked = dirSize(dir);
  console.log(`[package] ${path.relative(process.cwd(), file) || file}: ${mib(size)} (unpacked ${mib(unpacked)}), ${listing.length} files`);
  const heavy = [...top.entries()].filter(([k]) => !k.startsWith('node_modules/') || /node-llama-cpp/.test(k)).map(([k, n]) => `${k} (${n})`);
  console.log(`[package] contents: ${heavy.join(', ')}${top.size > heavy.length ? `, + ${top.size - heavy.length} small runtime packages` : ''}`);
  for (const bad of ['src/', 'test/', 'out/', 'bench/', 'scripts/', '.ci/']) {
    if (listing.some((f) => f.startsWith(`extension/${bad}`))) throw new Error(`the VSIX contains ${bad} (check .vscodeignore)`);
  }
  if (!noEngine && !noCheck) {
    if (target === hostTarget) console.log(`[package] check: ${checkEngine(file)}`);
    else console.log(`[package] check skipped: ${target} binaries cannot run on ${hostTarget}`);
  }
  console.log(`[package] done in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${file}`);
}

try {
  main();
} catch (e) {
  console.error(`[package] FAILED: ${e?.message ?? e}`);
  process.exit(1);
}
