// The exit-code contract (src/cli/io.ts, README "Exit status"), the same for every command, through main():
// 0 clean, 1 findings, 2 usage or I/O. (Signals, 128+N, are tested on real processes in test/fuzz.) And what the
// CLI prints from files cannot drive the terminal.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { type CliIO, exitForSignal, sanitizeForTerminal } from '../../../src/cli/io';
import { makeLlamaGguf } from '../../../src/core/models/makeModel';

async function kv(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const o = { out: '', err: '' };
  const io: CliIO = { out: (t) => { o.out += t; }, err: (t) => { o.err += t; }, cwd, isTTY: false };
  const code = await main(args, io);
  return { code, ...o };
}

describe('cli: one exit-code contract', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-contract-'));
    await makeLlamaGguf(path.join(dir, 'ok.gguf'), { layers: 2, embd: 256, heads: 4, kvHeads: 2, ff: 512, vocab: 300 });
    fs.writeFileSync(path.join(dir, 'bad.gguf'), Buffer.from('GGUF\x03\x00\x00\x00garbage', 'latin1'));
    const w = (n: string, t: string) => fs.writeFileSync(path.join(dir, n), t);
    w('fits.kvlens.yaml', 'model: ./ok.gguf\nengine: {kind: llama.cpp, args: "-c 4096"}\ntargets: [h100-sxm]\n');
    w('nofit.kvlens.yaml', 'model: meta-llama/Llama-3.1-70B-Instruct\nengine: {kind: llama.cpp, args: "-c 131072"}\ntargets: [rtx-4090]\n');
    w('badmodel.kvlens.yaml', 'model: ./bad.gguf\nengine: {kind: llama.cpp, args: "-c 4096"}\ntargets: [h100-sxm]\n');
    w('badmodel-vllm.yaml', 'model: ./bad.gguf\nmax-model-len: 4096\n');
    w('np0.kvlens.yaml', 'model: ./ok.gguf\nengine: {kind: llama.cpp, args: "-c 4096 -np 0"}\ntargets: [h100-sxm]\n');
    w('unknown-target.kvlens.yaml', 'model: ./ok.gguf\nengine: {kind: llama.cpp, args: "-c 4096"}\ntargets: [h100-sxm, no-such-gpu]\n');
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.kvlens.yaml'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cases: [string, string[], number][] = [
    ['check: a clean profile', ['check', 'fits.kvlens.yaml'], 0],
    ['estimate: every target fits', ['estimate', 'fits.kvlens.yaml'], 0],
    ['estimate: a GGUF', ['estimate', 'ok.gguf', '--target', 'h100-sxm'], 0],
    ['check: errors in the config', ['check', 'np0.kvlens.yaml'], 1],
    ['estimate: errors in the config (-np 0)', ['estimate', 'np0.kvlens.yaml'], 1],
    ['estimate: a target that does not fit', ['estimate', 'nofit.kvlens.yaml'], 1],
    ['estimate: an unknown target', ['estimate', 'unknown-target.kvlens.yaml'], 1],
    ['estimate: an unreadable GGUF given directly', ['estimate', 'bad.gguf'], 1],
    ['estimate: a llama.cpp profile whose model is unreadable', ['estimate', 'badmodel.kvlens.yaml'], 1],
    ['estimate: a vLLM config whose model is unreadable', ['estimate', 'badmodel-vllm.yaml'], 1],
    ['estimate: refused flags', ['estimate', 'ok.gguf', '--target', 'h100-sxm', '-ctv', 'q4_0', '-fa', 'off'], 1],
    ['report: a profile with a target that does not fit', ['report', '--out', 'r.html', 'nofit.kvlens.yaml'], 1],
    ['report: a clean profile', ['report', '--out', 'r.html', 'fits.kvlens.yaml'], 0],
    ['check: a missing file', ['check', 'missing.kvlens.yaml'], 2],
    ['check: a special file', ['check', 'zero.kvlens.yaml'], 2],
    ['estimate: a special file', ['estimate', 'zero.kvlens.yaml'], 2],
    ['report: an output that cannot be written', ['report', '--out', '/proc/x/y', 'fits.kvlens.yaml'], 2],
    ['bench: a model that is not a regular file', ['bench', '-m', '/dev/zero'], 2],
    ['bench: a bad flag', ['bench', 'ok.gguf', '-zz', '1'], 2],
    ['make-model: a bad shape', ['make-model', '--embd', '100', 'x.gguf'], 2],
    ['an unknown command', ['nope'], 2],
    ['estimate --results: a missing store', ['estimate', 'fits.kvlens.yaml', '--results', 'missing.jsonl'], 2],
    ['estimate --results: a device', ['estimate', 'fits.kvlens.yaml', '--results', '/dev/zero'], 2],
    ['loadtest --import: a device', ['loadtest', '--import', '/dev/zero'], 2],
    ['loadtest --import: a symlink to /dev/zero', ['loadtest', '--import', 'zero.kvlens.yaml'], 2],
    ['loadtest --import: a missing file', ['loadtest', '--import', 'missing.json'], 2],
    ['loadtest: --out onto a device is refused before the run', ['loadtest', 'http://127.0.0.1:9', '--out', '/dev/zero'], 2],
    ['models resolve: a GGUF that cannot be read', ['models', 'resolve', '--offline', 'bad.gguf'], 1],
    ['models: an unknown subcommand', ['models', 'nope'], 2],
  ];
  for (const [what, args, code] of cases) {
    it(`${code}: ${what}`, async () => {
      const r = await kv(args, dir);
      assert.equal(r.code, code, `kvlens ${args.join(' ')}\n${r.err}\n${r.out.slice(0, 500)}`);
    });
  }

  it('signals: 130 SIGINT, 143 SIGTERM, 129 SIGHUP', () => {
    assert.deepEqual(['SIGINT', 'SIGTERM', 'SIGHUP'].map(exitForSignal), [130, 143, 129]);
  });

  it('control characters and bidi overrides from files are written as escapes; JSON stays the same JSON', () => {
    const s = 'key \u001b[2J\u001b[31mred\u0007 \u009b1m \u202eevil\r\ttab\nnext';
    const t = sanitizeForTerminal(s);
    // eslint-disable-next-line no-control-regex -- checking that none is left
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/.test(t), JSON.stringify(t));
    assert.match(t, /\\u001b\[2J/);
    assert.ok(t.includes('\ttab\nnext'));
    const json = JSON.stringify({ k: 'a\u009bb\u202ec' });
    assert.deepEqual(JSON.parse(sanitizeForTerminal(json)), JSON.parse(json));
  });
});
