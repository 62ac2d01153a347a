// The reproducers of issue 9, one entry per case: how to set it up, the CLI command, and what a correct outcome
// is. Shared by the fuzz suite (test/fuzz/reproducers.test.ts asserts them within 10 s and 512 MB) and by
// bench/hostile.ts (prints the before/after table). Every case runs the shipped CLI in a child process.
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeLlamaGguf } from '../../src/core/models/makeModel';
import { type CliRun, type DriveHandle, isAlive, REPO } from './harness';
import { ggufHeader, llamaMetadata, mkfifo, mknodNull, write, writeManyTensorGguf } from './inputs';

export interface Reproducer {
  id: string;
  /** The issue's table row (or 's' for the smaller list). */
  row: string;
  title: string;
  /** Needs root (mknod). */
  root?: boolean;
  /** Runs the real engine (slower; needs dist/runner.mjs). */
  engine?: boolean;
  setup?: (dir: string) => Promise<void> | void;
  args: (dir: string) => string[];
  /** Wall-clock bound for this case (default 10 s, the issue's bar). */
  limitMs?: number;
  /** For signal cases: the bound from the signal to the exit (the issue's 10 s applies there). */
  afterSignalMs?: number;
  drive?: (child: ChildProcess, dir: string, h: DriveHandle) => Promise<void>;
  /** Undefined when the outcome is right, else what is wrong. */
  check: (r: CliRun, dir: string) => string | undefined;
}

// eslint-disable-next-line no-control-regex -- looking for raw ESC/CSI in what the CLI printed
const RAW_ESCAPE = /[\u001b\u009b]/;
const EXAMPLE = path.join(REPO, 'examples', 'llama-3.1-8b.kvlens.yaml');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Exit status is `code` and stderr/stdout match `re`. */
function expect(code: number | number[], re?: RegExp, not?: RegExp) {
  return (r: CliRun): string | undefined => {
    const codes = Array.isArray(code) ? code : [code];
    const all = r.stdout + r.stderr;
    if (r.code === null || !codes.includes(r.code)) return `exit ${r.code ?? r.signal}, expected ${codes.join(' or ')}`;
    if (re && !re.test(all)) return `output does not match ${re}`;
    if (not && not.test(all)) return `output matches ${not}`;
    if (/internal-error|Maximum call stack|Invalid array length|Cannot read properties|readBigUInt64LE|bad_alloc/.test(all)) return 'an internal error reached the user';
    return undefined;
  };
}

function both(...checks: ((r: CliRun, dir: string) => string | undefined)[]) {
  return (r: CliRun, dir: string) => { for (const c of checks) { const e = c(r, dir); if (e) return e; } return undefined; };
}

const stillCharDevice = (name: string) => (_r: CliRun, dir: string) => {
  try { return fs.lstatSync(path.join(dir, name)).isCharacterDevice() ? undefined : `${name} is no longer a character device`; } catch { return `${name} is gone`; }
};
const noTemps = (_r: CliRun, dir: string) => {
  const left = fs.readdirSync(dir).filter((f) => /\.tmp\b|\.tmp-|kvlens-tmp/.test(f));
  return left.length ? `temp files left behind: ${left.join(', ')}` : undefined;
};
const storeLines = (dir: string, name = 'r.jsonl') => { try { return fs.readFileSync(path.join(dir, name), 'utf8').split('\n').filter((l) => l.trim()).length; } catch { return 0; } };

/** Waits until the store has a line (the first finished test), or `maxMs`; then sends the signals. */
function signalAfterFirstResult(signals: NodeJS.Signals[], maxMs = 40_000) {
  return async (child: ChildProcess, dir: string, h: DriveHandle) => {
    const t0 = Date.now();
    while (Date.now() - t0 < maxMs && storeLines(dir) === 0 && child.exitCode === null) await sleep(50);
    h.mark();
    for (const s of signals) { if (child.exitCode === null) child.kill(s); await sleep(300); }
  };
}

const smallModel = async (dir: string) => { await makeLlamaGguf(path.join(dir, 'small.gguf'), { layers: 2, embd: 256, heads: 4, kvHeads: 2, ff: 512, vocab: 300 }); };

function interrupted(code: number) {
  return both(expect(code, /interrupted|saved/i), (_r, dir) => (storeLines(dir) >= 1 ? undefined : 'no finished result was saved'));
}

export const REPRODUCERS: Reproducer[] = [
  // 1: --out onto an existing special file must never replace it.
  {
    id: '1a', row: '1', title: 'report --out onto a device node', root: true,
    setup: (dir) => { if (!mknodNull(path.join(dir, 'n'))) throw new Error('mknod failed'); },
    args: (dir) => ['report', '--out', path.join(dir, 'n'), EXAMPLE],
    check: both(expect([0, 1]), stillCharDevice('n'), noTemps),
  },
  {
    id: '1b', row: '1', title: 'make-model onto a device node', root: true,
    setup: (dir) => { if (!mknodNull(path.join(dir, 'n'))) throw new Error('mknod failed'); },
    args: (dir) => ['make-model', path.join(dir, 'n')],
    check: both(expect(0), stillCharDevice('n'), noTemps),
  },
  {
    id: '1c', row: '1', title: 'report --out onto a FIFO nobody reads',
    setup: (dir) => { if (!mkfifo(path.join(dir, 'p'))) throw new Error('mkfifo failed'); },
    args: (dir) => ['report', '--out', path.join(dir, 'p'), EXAMPLE],
    check: both(expect(2, /FIFO|pipe/i), (_r, dir) => (fs.lstatSync(path.join(dir, 'p')).isFIFO() ? undefined : 'the FIFO was replaced'), noTemps),
  },
  // 2: SIGTERM while llama.cpp loads a model: the runner must die with the CLI.
  {
    id: '2', row: '2', title: 'SIGTERM to bench while the runner loads a 300k-tensor GGUF', engine: true, limitMs: 60_000, afterSignalMs: 10_000,
    setup: (dir) => writeManyTensorGguf(path.join(dir, 'x.gguf'), 300_000),
    args: (dir) => ['bench', path.join(dir, 'x.gguf'), '-p', '16', '-n', '4', '-r', '1'],
    drive: async (child, _dir, h) => {
      const t0 = Date.now();
      const runnerUp = () => h.descendants().some((p) => { try { return fs.readFileSync(`/proc/${p}/cmdline`, 'latin1').includes('runner.mjs'); } catch { return false; } });
      while (Date.now() - t0 < 30_000 && !runnerUp() && child.exitCode === null) await sleep(50);
      await sleep(1500);
      h.mark();
      if (child.exitCode === null) child.kill('SIGTERM');
    },
    check: expect(143),
  },
  {
    id: '2b', row: '2', title: 'SIGKILL to bench while the runner loads: the runner\'s watchdog ends it', engine: true, limitMs: 60_000, afterSignalMs: 10_000,
    setup: (dir) => writeManyTensorGguf(path.join(dir, 'x.gguf'), 300_000),
    args: (dir) => ['bench', path.join(dir, 'x.gguf'), '-p', '16', '-n', '4', '-r', '1'],
    drive: async (child, _dir, h) => {
      const t0 = Date.now();
      const runnerUp = () => h.descendants().some((p) => { try { return fs.readFileSync(`/proc/${p}/cmdline`, 'latin1').includes('runner.mjs'); } catch { return false; } });
      while (Date.now() - t0 < 30_000 && !runnerUp() && child.exitCode === null) await sleep(50);
      await sleep(1500);
      h.mark();
      // SIGKILL: the CLI can do nothing; the runner notices on its own (the harness checks 1 s after the exit).
      if (child.exitCode === null) child.kill('SIGKILL');
    },
    check: (r) => (r.signal === 'SIGKILL' ? undefined : `expected the CLI to die by SIGKILL, got ${r.code ?? r.signal}`),
  },
  // 3: signals mid-sweep: finished tests are in the store, the exit status says so.
  { id: '3a', row: '3', title: 'SIGTERM mid-sweep keeps finished results', engine: true, limitMs: 60_000, afterSignalMs: 10_000, setup: smallModel,
    args: (dir) => ['bench', '--out', path.join(dir, 'r.jsonl'), path.join(dir, 'small.gguf'), '-p', '16', '-n', '20000', '-r', '1', '-t', '1', '--no-warmup'],
    drive: signalAfterFirstResult(['SIGTERM']), check: interrupted(143) },
  { id: '3b', row: '3', afterSignalMs: 10_000, title: 'SIGHUP mid-sweep keeps finished results', engine: true, limitMs: 60_000, setup: smallModel,
    args: (dir) => ['bench', '--out', path.join(dir, 'r.jsonl'), path.join(dir, 'small.gguf'), '-p', '16', '-n', '20000', '-r', '1', '-t', '1', '--no-warmup'],
    drive: signalAfterFirstResult(['SIGHUP']), check: interrupted(129) },
  { id: '3c', row: '3', afterSignalMs: 10_000, title: 'two SIGINTs mid-sweep keep finished results', engine: true, limitMs: 60_000, setup: smallModel,
    args: (dir) => ['bench', '--out', path.join(dir, 'r.jsonl'), path.join(dir, 'small.gguf'), '-p', '16', '-n', '20000', '-r', '1', '-t', '1', '--no-warmup'],
    drive: signalAfterFirstResult(['SIGINT', 'SIGINT']), check: interrupted(130) },
  { id: '3d', row: '3', afterSignalMs: 10_000, title: 'one SIGINT cancels with exit 130, not 0', engine: true, limitMs: 60_000, setup: smallModel,
    args: (dir) => ['bench', '--out', path.join(dir, 'r.jsonl'), path.join(dir, 'small.gguf'), '-p', '16', '-n', '20000', '-r', '1', '-t', '1', '--no-warmup'],
    drive: signalAfterFirstResult(['SIGINT']), check: interrupted(130) },
  // 4: configs and models that are /dev/zero or /dev/urandom.
  { id: '4a', row: '4', title: 'check on a symlink to /dev/zero', setup: (dir) => fs.symlinkSync('/dev/zero', path.join(dir, 'z.kvlens.yaml')),
    args: (dir) => ['check', path.join(dir, 'z.kvlens.yaml')], check: expect(2, /character device|not a regular file/) },
  { id: '4b', row: '4', title: 'estimate on a symlink to /dev/zero', setup: (dir) => fs.symlinkSync('/dev/zero', path.join(dir, 'z.kvlens.yaml')),
    args: (dir) => ['estimate', path.join(dir, 'z.kvlens.yaml')], check: expect(2, /character device|not a regular file/) },
  { id: '4c', row: '4', title: 'estimate on a GGUF that is /dev/urandom', setup: (dir) => fs.symlinkSync('/dev/urandom', path.join(dir, 'u.gguf')),
    args: (dir) => ['estimate', path.join(dir, 'u.gguf')], check: expect(1, /character device|not a regular file/) },
  { id: '4d', row: '4', title: 'report on a symlink to /dev/zero', setup: (dir) => fs.symlinkSync('/dev/zero', path.join(dir, 'z.kvlens.yaml')),
    args: (dir) => ['report', '--out', path.join(dir, 'o.html'), path.join(dir, 'z.kvlens.yaml')], check: expect(2, /character device|not a regular file/) },
  // 5: a config that is a FIFO.
  ...(['check', 'estimate', 'report'] as const).map((cmd): Reproducer => ({
    id: `5${cmd[0]}`, row: '5', title: `${cmd} on a FIFO config`,
    setup: (dir) => { if (!mkfifo(path.join(dir, 'f.kvlens.yaml'))) throw new Error('mkfifo failed'); },
    args: (dir) => [cmd, ...(cmd === 'report' ? ['--out', path.join(dir, 'o.html')] : []), path.join(dir, 'f.kvlens.yaml')],
    check: expect(2, /FIFO/),
  })),
  // 6: a results record whose profile is /dev/zero or a FIFO.
  { id: '6a', row: '6', title: 'report on a record whose profile is /dev/zero',
    setup: (dir) => write(dir, 'z.jsonl', '{"id":"a","result":{"avg_ts":1},"profile":"/dev/zero"}\n'),
    args: (dir) => ['report', '--out', path.join(dir, 'o.html'), path.join(dir, 'z.jsonl')], check: expect([0, 1], /dev\/zero/) },
  { id: '6b', row: '6', title: 'report on a record whose profile is a FIFO',
    setup: (dir) => { mkfifo(path.join(dir, 'f.kvlens.yaml')); write(dir, 'f.jsonl', JSON.stringify({ id: 'a', result: { avg_ts: 1 }, profile: path.join(dir, 'f.kvlens.yaml') }) + '\n'); },
    args: (dir) => ['report', '--out', path.join(dir, 'o.html'), path.join(dir, 'f.jsonl')], check: expect([0, 1], /FIFO/) },
  // 7: bench on /dev/zero or a FIFO model.
  { id: '7a', row: '7', title: 'bench -m /dev/zero --out r.jsonl', args: (dir) => ['bench', '-m', '/dev/zero', '--out', path.join(dir, 'r.jsonl')],
    check: both(expect(2, /character device|not a regular file/), (_r, dir) => (fs.existsSync(path.join(dir, 'r.jsonl')) ? 'a store was written' : undefined)) },
  { id: '7b', row: '7', title: 'bench -m fifo.gguf --timeout 10', setup: (dir) => { mkfifo(path.join(dir, 'fifo.gguf')); },
    args: (dir) => ['bench', '-m', path.join(dir, 'fifo.gguf'), '--timeout', '10'], check: expect(2, /FIFO/) },
  // 8: -np 2147483647 (the slot-count quick fix).
  { id: '8', row: '8', title: 'check with -np 2147483647',
    setup: (dir) => write(dir, 'np.kvlens.yaml', 'model: meta-llama/Llama-3.1-8B-Instruct\nengine: {kind: llama.cpp, args: "-c 8192 -np 2147483647"}\ntargets: [rtx-4090]\n'),
    args: (dir) => ['check', path.join(dir, 'np.kvlens.yaml')], check: expect(1, /does not fit/) },
  // 9: a 3 MB model string.
  { id: '9', row: '9', title: 'check with a 3 MB `model:` string', setup: (dir) => write(dir, 'm.kvlens.yaml', `model: ${'m'.repeat(3_000_000)}\n`),
    args: (dir) => ['check', path.join(dir, 'm.kvlens.yaml')], check: expect(1) },
  // 10: ~130k diagnostics in one file.
  { id: '10', row: '10', title: 'check with 130,000 repeated flags', setup: (dir) => write(dir, 'd.kvlens.yaml', `model: meta-llama/Llama-3.1-8B-Instruct\nengine:\n  kind: llama.cpp\n  args: "${'-c 4096 '.repeat(130_000)}"\n`),
    args: (dir) => ['check', path.join(dir, 'd.kvlens.yaml')], check: expect([0, 1], /more|warning/) },
  // 11: report --results with 150k records.
  { id: '10b', row: '10', title: 'check with 130,000 flags in one `args` list item', setup: (dir) => write(dir, 'l.kvlens.yaml', `model: meta-llama/Llama-3.1-8B-Instruct\nengine:\n  kind: llama.cpp\n  args: ["${'-c 4096 '.repeat(130_000)}"]\n`),
    args: (dir) => ['check', path.join(dir, 'l.kvlens.yaml')], check: expect([0, 1], /checked/) },
  { id: '10c', row: '10', title: 'check a shell script whose vllm serve has 130,000 unknown options',
    setup: (dir) => write(dir, 'serve.sh', `#!/bin/sh\nvllm serve meta-llama/Llama-3.1-8B-Instruct ${Array.from({ length: 130_000 }, (_, i) => `--nope${i} 1`).join(' ')}\n`),
    args: (dir) => ['check', '--as', 'shell', path.join(dir, 'serve.sh')], check: expect(1, /not a vLLM option/) },
  { id: '16c', row: '16', title: 'check a Kubernetes manifest of 9,000 Deployments',
    setup: (dir) => write(dir, 'k8s.yaml', Array.from({ length: 9000 }, (_, i) => `---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d${i}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: vllm/vllm-openai\n        args: ["--model", "m", "--nope", "1"]\n`).join('')),
    args: (dir) => ['check', '--as', 'kubernetes', path.join(dir, 'k8s.yaml')], check: expect(1, /first 100/) },
  { id: '11', row: '11', title: 'report --results with 150,000 records',
    setup: (dir) => write(dir, 'big.jsonl', Array.from({ length: 150_000 }, (_, i) => `{"id":"r${i}","result":{"avg_ts":1}}`).join('\n') + '\n'),
    args: (dir) => ['report', '--out', path.join(dir, 'o.html'), '--results', path.join(dir, 'big.jsonl'), EXAMPLE], check: expect([0, 1], /wrote/) },
  // 12: a minimal record the store accepts.
  { id: '12', row: '12', title: 'report on a minimal valid record', setup: (dir) => write(dir, 'o.jsonl', '{"id":"a","result":{"avg_ts":1}}\n'),
    args: (dir) => ['report', '--out', path.join(dir, 'o.html'), path.join(dir, 'o.jsonl')], check: expect(0, /wrote/) },
  // 13: check on a 2 GiB regular file (sparse here: the size decides, and the later file is still checked).
  { id: '13', row: '13', title: 'check on a 2 GiB file, then a good one',
    setup: (dir) => { const fd = fs.openSync(path.join(dir, 'big.kvlens.yaml'), 'w'); fs.writeSync(fd, '# comment\n'); fs.ftruncateSync(fd, 2 * 1024 ** 3 - 65536); fs.closeSync(fd); fs.copyFileSync(EXAMPLE, path.join(dir, 'ok.kvlens.yaml')); },
    args: (dir) => ['check', path.join(dir, 'big.kvlens.yaml'), path.join(dir, 'ok.kvlens.yaml')],
    check: both(expect(2, /2\.0 GiB|larger than|too large/), (r) => (/2 files checked|ok\.kvlens\.yaml|1 file checked/.test(r.stderr) ? undefined : 'the second file was not checked')) },
  // 14: one exit-code contract.
  { id: '14a', row: '14', title: 'estimate a hostile GGUF -c 4096', setup: (dir) => write(dir, 'bad.gguf', Buffer.concat([Buffer.from('GGUF'), Buffer.from([3, 0, 0, 0]), Buffer.alloc(8, 0xff)])),
    args: (dir) => ['estimate', path.join(dir, 'bad.gguf'), '-c', '4096'], check: expect(1, /GGUF|model/) },
  { id: '14b', row: '14', title: 'estimate a profile whose args say -m /dev/zero', setup: (dir) => write(dir, 'dz.kvlens.yaml', 'engine: {kind: llama.cpp, args: "-m /dev/zero -c 4096"}\ntargets: [rtx-4090]\n'),
    args: (dir) => ['estimate', path.join(dir, 'dz.kvlens.yaml')], check: expect(1, /dev\/zero/) },
  { id: '14c', row: '14', title: 'estimate a directory named x.kvlens.yaml', setup: (dir) => fs.mkdirSync(path.join(dir, 'x.kvlens.yaml')),
    args: (dir) => ['estimate', path.join(dir, 'x.kvlens.yaml')], check: expect(1, /folder|directory/) },
  { id: '14d', row: '14', title: 'estimate a vLLM config with an unknown model', setup: (dir) => write(dir, 'u-vllm.yaml', 'model: nobody/no-such-model-xyz\nmax-model-len: 4096\n'),
    args: (dir) => ['estimate', path.join(dir, 'u-vllm.yaml')], check: expect(1, /no-such-model/) },
  { id: '14e', row: '14', title: 'estimate a profile with -c -1', setup: (dir) => write(dir, 'c.kvlens.yaml', 'model: meta-llama/Llama-3.1-8B-Instruct\nengine: {kind: llama.cpp, args: "-c -1"}\ntargets: [h100-sxm]\n'),
    args: (dir) => ['estimate', path.join(dir, 'c.kvlens.yaml')], check: expect(1) },
  { id: '14f', row: '14', title: 'estimate a profile with -np 0', setup: (dir) => write(dir, 'np0.kvlens.yaml', 'model: meta-llama/Llama-3.1-8B-Instruct\nengine: {kind: llama.cpp, args: "-c 4096 -np 0"}\ntargets: [h100-sxm]\n'),
    args: (dir) => ['estimate', path.join(dir, 'np0.kvlens.yaml')], check: expect(1) },
  { id: '14g', row: '14', title: 'estimate a vLLM profile with tensor-parallel-size 0', setup: (dir) => write(dir, 'tp0.kvlens.yaml', 'model: meta-llama/Llama-3.1-8B-Instruct\nengine: {kind: vllm, options: {tensor-parallel-size: 0}}\ntargets: [h100-sxm]\n'),
    args: (dir) => ['estimate', path.join(dir, 'tp0.kvlens.yaml')], check: expect(1) },
  { id: '14h', row: '14', title: 'check a profile with -np 0', setup: (dir) => write(dir, 'np0.kvlens.yaml', 'model: meta-llama/Llama-3.1-8B-Instruct\nengine: {kind: llama.cpp, args: "-c 4096 -np 0"}\ntargets: [h100-sxm]\n'),
    args: (dir) => ['check', path.join(dir, 'np0.kvlens.yaml')], check: expect(1) },
  // 15: nonsense accepted as facts (the custom-target part; model facts are issue 10's, in the fuzz suite).
  { id: '15a', row: '15', title: 'custom target memoryGiB: 1e308', setup: (dir) => write(dir, 't.kvlens.yaml', 'model: meta-llama/Llama-3.1-8B-Instruct\nengine: {kind: llama.cpp, args: "-c 4096"}\ntargets: [{id: big, memoryGiB: 1e308, bandwidthGBs: 1000}]\n'),
    args: (dir) => ['estimate', path.join(dir, 't.kvlens.yaml')], check: expect([1, 2], /memoryGiB/, /\bfits\b/) },
  { id: '15b', row: '15', title: 'check: custom target memoryGiB: 1e308', setup: (dir) => write(dir, 't.kvlens.yaml', 'model: meta-llama/Llama-3.1-8B-Instruct\nengine: {kind: llama.cpp, args: "-c 4096"}\ntargets: [{id: big, memoryGiB: 1e308, bandwidthGBs: 1000}]\n'),
    args: (dir) => ['check', path.join(dir, 't.kvlens.yaml')], check: expect(1, /memoryGiB/) },
  // 16: large but legal inputs.
  { id: '16a', row: '16', title: 'estimate a llama-swap file with 75,000 models',
    setup: async (dir) => { await smallModel(dir); write(dir, 'big-llama-swap.yaml', 'models:\n' + Array.from({ length: 75_000 }, (_, i) => `  m${i}:\n    cmd: llama-server -m small.gguf\n`).join('')); },
    args: (dir) => ['estimate', path.join(dir, 'big-llama-swap.yaml')], check: expect([0, 1]) },
  { id: '16b', row: '16', title: 'estimate a GGUF with 1,000,000 tensors', setup: (dir) => writeManyTensorGguf(path.join(dir, 'x.gguf'), 1_000_000),
    args: (dir) => ['estimate', path.join(dir, 'x.gguf'), '--target', 'h100-sxm'], check: expect([0, 1]) },
  // 17: make-model at the largest allowed shape.
  { id: '17a', row: '17', title: 'make-model at the largest allowed shape',
    args: (dir) => ['make-model', '--layers', '256', '--embd', '16384', '--heads', '128', '--kv-heads', '8', '--ff', '65536', '--vocab', '262144', path.join(dir, 'x.gguf')],
    check: both(expect(2, /free|TB|TiB|GiB/), noTemps) },
  { id: '17b', row: '17', title: 'make-model killed mid-write leaves no temp file', limitMs: 30_000, afterSignalMs: 10_000,
    args: (dir) => ['make-model', '--layers', '48', '--embd', '4096', '--heads', '32', '--kv-heads', '8', '--ff', '11008', '--vocab', '32000', path.join(dir, 'x.gguf')],
    drive: async (child, dir, h) => {
      const t0 = Date.now();
      while (Date.now() - t0 < 20_000 && child.exitCode === null && !fs.readdirSync(dir).some((f) => f.includes('tmp'))) await sleep(20);
      await sleep(300);
      h.mark();
      if (child.exitCode === null) child.kill('SIGTERM');
    },
    check: both(expect(143), noTemps, (_r, dir) => (fs.existsSync(path.join(dir, 'x.gguf')) ? 'a partial model was left' : undefined)) },
  // The smaller list.
  { id: 's1', row: 's', title: '300 `[` in a comment', setup: (dir) => write(dir, 'c.kvlens.yaml', `# ${'['.repeat(300)}\n${fs.readFileSync(EXAMPLE, 'utf8')}`),
    args: (dir) => ['check', path.join(dir, 'c.kvlens.yaml')], check: expect(0, undefined, /too-deep/) },
  { id: 's2', row: 's', title: '300 `[` in a quoted string', setup: (dir) => write(dir, 'q.kvlens.yaml', `${fs.readFileSync(EXAMPLE, 'utf8')}notes: '${'['.repeat(300)}'\n`),
    args: (dir) => ['check', path.join(dir, 'q.kvlens.yaml')], check: expect([0, 1], undefined, /too-deep/) },
  { id: 's3', row: 's', title: 'a `"` in a plain scalar, then deep nesting', setup: (dir) => write(dir, 'p.kvlens.yaml', `a: b"c\nd: ${'['.repeat(100_000)}\n`),
    args: (dir) => ['check', path.join(dir, 'p.kvlens.yaml')], check: expect(1, /too-deep|nests deeper/) },
  { id: 's4', row: 's', title: 'an undefined alias', setup: (dir) => write(dir, 'a.kvlens.yaml', 'model: *nope\n'),
    args: (dir) => ['check', path.join(dir, 'a.kvlens.yaml')], check: expect(1, /nope/, /expand too far/) },
  { id: 's5', row: 's', title: 'ANSI escapes in keys', setup: (dir) => write(dir, 'e.kvlens.yaml', `${fs.readFileSync(EXAMPLE, 'utf8')}"\\e[2J\\e[31mevil": 1\n`),
    args: (dir) => ['check', path.join(dir, 'e.kvlens.yaml')],
    check: both(expect(1), (r) => (RAW_ESCAPE.test(r.stdout + r.stderr) ? 'a raw escape character reached the terminal' : undefined)) },
  { id: 's6', row: 's', title: 'a !!binary value', setup: (dir) => write(dir, 'b.kvlens.yaml', 'model: !!binary AAAAAAAAAAA=\nengine: {kind: llama.cpp}\n'),
    args: (dir) => ['check', path.join(dir, 'b.kvlens.yaml')], check: expect(1, /binary/i) },
  { id: 's7', row: 's', title: 'CR-only line endings', setup: (dir) => write(dir, 'cr.kvlens.yaml', fs.readFileSync(EXAMPLE, 'utf8').replace(/\n/g, '\r')),
    args: (dir) => ['check', path.join(dir, 'cr.kvlens.yaml')], check: expect(0, undefined, /empty-file/) },
  { id: 's9', row: 's', title: '5,000 levels of compact block nesting (`- - - … x`)', setup: (dir) => write(dir, 'deep.kvlens.yaml', `${'- '.repeat(5000)}x\n`),
    args: (dir) => ['check', path.join(dir, 'deep.kvlens.yaml')], check: expect(1, /too-deep|nests deeper/) },
  { id: 's8', row: 's', title: 'report --out /proc/x/y', args: () => ['report', '--out', '/proc/x/y', EXAMPLE], check: expect(2, /\/proc\/x/) },
  // Never write into the user's folder: the bundle once ran a generator's `require.main === module` block.
  { id: 'n0', row: '1', title: 'check in a folder with a schemas/ folder: nothing written there',
    setup: (dir) => { fs.mkdirSync(path.join(dir, 'schemas')); write(dir, 'schemas/vllm-config.schema.json', 'mine\n'); fs.copyFileSync(EXAMPLE, path.join(dir, 'p.kvlens.yaml')); },
    args: (dir) => ['check', path.join(dir, 'p.kvlens.yaml')],
    check: both(expect(0), (_r, dir) => (fs.readdirSync(path.join(dir, 'schemas')).join(',') === 'vllm-config.schema.json' && fs.readFileSync(path.join(dir, 'schemas/vllm-config.schema.json'), 'utf8') === 'mine\n' ? undefined : 'the CLI wrote into ./schemas')) },
  // Inputs that arrived with later issues, through the same reader and writer (rows 4–6 and 11 for them).
  { id: 'n1', row: 'n', title: 'loadtest --import a symlink to /dev/zero', setup: (dir) => fs.symlinkSync('/dev/zero', path.join(dir, 'z.json')),
    args: (dir) => ['loadtest', '--import', path.join(dir, 'z.json')], check: expect(2, /character device|not a regular file/) },
  { id: 'n2', row: 'n', title: 'loadtest --import a FIFO', setup: (dir) => { if (!mkfifo(path.join(dir, 'f.json'))) throw new Error('mkfifo failed'); },
    args: (dir) => ['loadtest', '--import', path.join(dir, 'f.json')], check: expect(2, /FIFO/) },
  { id: 'n3', row: 'n', title: 'estimate --results a FIFO', setup: (dir) => { if (!mkfifo(path.join(dir, 'r.jsonl'))) throw new Error('mkfifo failed'); },
    args: (dir) => ['estimate', EXAMPLE, '--results', path.join(dir, 'r.jsonl')], check: expect(2, /FIFO/) },
  { id: 'n4', row: 'n', title: 'models resolve a folder whose config.json is a FIFO',
    setup: (dir) => { fs.mkdirSync(path.join(dir, 'm')); if (!mkfifo(path.join(dir, 'm', 'config.json'))) throw new Error('mkfifo failed'); },
    args: (dir) => ['models', 'resolve', '--offline', path.join(dir, 'm')], check: expect([1, 2], /FIFO|not a regular file/) },
  { id: 'n5', row: 'n', title: 'report on a store with 150,000 load-test steps',
    setup: (dir) => {
      const step = (i: number) => JSON.stringify({ kind: 'loadtest', id: `s${i}`, runId: 'r', endpoint: { origin: 'http://127.0.0.1:1' }, load: { mode: 'concurrency', concurrency: 1 + (i % 64) },
        summary: { requests: { ok: 1, failed: 0 }, requestThroughput: 1 }, source: { tool: 'kvlens' }, step: { index: i, of: 150_000 }, notes: [] });
      const lines: string[] = [];
      for (let i = 0; i < 150_000; i++) lines.push(step(i));
      write(dir, 'lt.jsonl', lines.join('\n') + '\n');
    },
    args: (dir) => ['report', '--out', path.join(dir, 'o.html'), path.join(dir, 'lt.jsonl')], check: expect([0, 1], /wrote/) },
];

export const MEMORY_BAR = 512 * 1024 * 1024;
export const TIME_BAR_MS = 10_000;
/**
 * Wall time may exceed the bar by this factor before a case counts as slow: on this shared 2-core machine wall
 * time mostly measures the other work running; CPU time is what the case costs. A hang passes both.
 */
export const WALL_SLACK = 3;

/**
 * The issue's bar for every case: 10 s of the CPU time of the CLI's main thread — the time a user waits on an
 * idle machine — with at most twice that over all its threads (V8 collects garbage in parallel threads) and 3 ×
 * that of wall time (for a signal case, 10 s of wall time from the signal to the exit), 512 MB of peak RSS in the
 * CLI process, and nothing the CLI started still alive after it. Undefined when met.
 */
export function overBar(rep: Reproducer, r: CliRun): string | undefined {
  const bar = rep.limitMs ?? TIME_BAR_MS;
  if (r.timedOut) return `did not finish within ${Math.round(bar * WALL_SLACK / 1000)} s`;
  if (r.overMemory) return 'killed for passing the harness memory cap';
  if (rep.afterSignalMs !== undefined) {
    if (r.msAfterMark === undefined) return 'the signal was never sent';
    if (r.msAfterMark > rep.afterSignalMs) return `exited ${(r.msAfterMark / 1000).toFixed(1)} s after the signal (bar ${rep.afterSignalMs / 1000} s)`;
  } else {
    if (r.cpuMs > bar) return `used ${(r.cpuMs / 1000).toFixed(1)} s of CPU on its main thread (bar ${bar / 1000} s)`;
    if (r.processCpuMs > 2 * bar) return `used ${(r.processCpuMs / 1000).toFixed(1)} s of CPU over all its threads (bar ${2 * bar / 1000} s)`;
    if (r.ms > bar * WALL_SLACK) return `took ${(r.ms / 1000).toFixed(1)} s (bar ${bar / 1000} s of CPU, ${bar * WALL_SLACK / 1000} s of wall time)`;
  }
  if (r.peakRssBytes > MEMORY_BAR) return `peak RSS ${Math.round(r.peakRssBytes / 2 ** 20)} MB (bar 512 MB)`;
  if (r.survivors.length) return `${r.survivors.length} process(es) outlived the CLI: ${r.survivors.map((x) => `${x.pid} ${x.cmd}`).join('; ')}`;
  return undefined;
}

/** Block-count −1 and friends: impossible model facts (validated by issue 10's model-fact checks). */
export const IMPOSSIBLE_MODELS = {
  blockCountMinusOne: () => ggufHeader(llamaMetadata({ 'llama.block_count': { key: 'llama.block_count', type: 'int32', value: -1 } })),
  zeroHeads: () => ggufHeader(llamaMetadata({ 'llama.attention.head_count': { key: 'llama.attention.head_count', type: 'uint32', value: 0 }, 'llama.attention.head_count_kv': { key: 'llama.attention.head_count_kv', type: 'uint32', value: 0 } })),
};

export { isAlive };
