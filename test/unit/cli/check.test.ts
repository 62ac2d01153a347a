import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../../src/cli/commands/check';
import { main } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/io';
import { EXAMPLES, FIXTURES } from '../formats/helpers';

interface Captured { code: number; out: string; err: string }

async function check(args: string[], cwd = FIXTURES): Promise<Captured> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => { out += t; }, err: (t) => { err += t; }, cwd, isTTY: false };
  const code = await run(args, io);
  return { code, out, err };
}

describe('cli/check', () => {
  it('exits 0 on the examples, with no errors or warnings (information notes allowed)', async () => {
    const r = await check(['llama-3.1-8b.kvlens.yaml', 'llama-3.1-70b-vllm.kvlens.yaml', 'vllm-llama70b.yaml', 'llama-swap.yaml'], EXAMPLES);
    assert.ok(!/: (error|warning): /.test(r.out), r.out);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /4 files checked, 0 errors, 0 warnings/);
  });

  it('prints path:line:col: severity: message [code], 1-based, and exits 1 on errors', async () => {
    const r = await check(['vllm-invalid.yaml']);
    assert.equal(r.code, 1);
    const lines = r.out.trim().split('\n');
    // tensor-parallel-size: 0 is refused by ParallelConfig Field(ge=1); port 70000 is not checked by vLLM.
    assert.equal(lines.length, 6);
    assert.equal(lines[0], 'vllm-invalid.yaml:2:16: error: `max-model-len` must be a whole number (such as 32768, 32k = 32000 or 32K = 32768) or `auto`; found `lots`. [invalid-type]');
    assert.match(lines[1], /^vllm-invalid\.yaml:3:1: error: `gpu-memory-utilisation` is not a vLLM option in vLLM 0\.\d+ \(.*\): vLLM refuses unknown options; did you mean `gpu-memory-utilization`\? \[unknown-key\]$/);
    for (const l of lines) assert.match(l, /^[^:]+:\d+:\d+: (error|warning|information): .+ \[[a-z0-9-]+\]$/);
  });

  it('writes the JSON contract with 0-based ranges', async () => {
    const r = await check(['--format', 'json', 'vllm-invalid.yaml', 'serve-vllm.json']);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.out) as { file: string; format: string; diagnostics: { severity: string; code: string; message: string; range: unknown }[] }[];
    assert.deepEqual(j.map((f) => [f.file, f.format]), [['vllm-invalid.yaml', 'vllm'], ['serve-vllm.json', 'vllm']]);
    assert.deepEqual(j[0].diagnostics[0].range, { start: { line: 1, character: 15 }, end: { line: 1, character: 19 } });
    assert.deepEqual(Object.keys(j[0].diagnostics[0]).sort(), ['code', 'message', 'range', 'severity']);
    assert.deepEqual(j[1].diagnostics, []);
  });

  it('reads a Kubernetes manifest named vllm-*.yaml as the manifest it is, not as a vLLM config', async () => {
    const r = await check(['--format', 'json', 'vllm-lws.yaml'], path.join(FIXTURES, '..', 'workspace'));
    const [f] = JSON.parse(r.out) as { format: string; diagnostics: { code: string }[] }[];
    assert.equal(f.format, 'kubernetes');
    assert.ok(!f.diagnostics.some((d) => d.code === 'yaml-syntax' || d.code === 'unknown-key'), JSON.stringify(f.diagnostics));
    assert.ok(f.diagnostics.some((d) => d.code === 'removed-option'), 'the leader script\'s vLLM flags are checked');
  });

  it('exits 0 when there are only warnings', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-check-'));
    try {
      // A kv-cache-dtype outside the listed ones is a warning (platforms add values).
      fs.writeFileSync(path.join(dir, 'a-vllm.yaml'), 'max-model-len: 4096\nkv-cache-dtype: fp8_e4m3fn\n');
      const r = await check(['a-vllm.yaml'], dir);
      assert.equal(r.code, 0);
      assert.match(r.out, /a-vllm\.yaml:2:17: warning: .*Did you mean `fp8_e4m3`/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 for a missing file or a directory, and still checks the other files', async () => {
    const r = await check(['nope.kvlens.yaml', '.', 'vllm-invalid.yaml']);
    assert.equal(r.code, 2);
    assert.match(r.err, /cannot read nope\.kvlens\.yaml: no such file/);
    assert.match(r.err, /\. is a directory/);
    assert.ok(r.out.includes('vllm-invalid.yaml:2:16'));
  });

  it('exits 2 when it cannot tell the format, and --as or --format-of fix that', async () => {
    const r = await check(['docker-compose-web.yaml']);
    assert.equal(r.code, 2);
    assert.match(r.err, /cannot tell the format of docker-compose-web\.yaml; name it \*\.kvlens\.yaml.*--as profile\|vllm\|llama-swap/);
    const forced = await check(['--as', 'vllm', 'docker-compose-web.yaml']);
    assert.equal(forced.code, 1, 'vLLM refuses unknown options');
    assert.match(forced.out, /`services` is not a vLLM option/);
    const glob = await check(['--format-of', 'docker-*.yaml=vllm', 'docker-compose-web.yaml']);
    assert.match(glob.out, /docker-compose-web\.yaml:2:1: error/);
    const content = await check(['serve-config.yaml']);
    assert.equal(content.code, 0, 'detected as vLLM by content');
  });

  it('reports invalid UTF-8 and binary files as diagnostics at the bad byte', async () => {
    const r = await check(['--format', 'json', 'vllm-latin1.yaml', 'blob-vllm.yaml']);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.out) as { diagnostics: { code: string; message: string; range: { start: unknown } }[] }[];
    assert.equal(j[0].diagnostics[0].code, 'invalid-utf8');
    assert.deepEqual(j[0].diagnostics[0].range.start, { line: 1, character: 0 });
    assert.match(j[0].diagnostics[0].message, /byte 0xff at byte 9/);
    assert.equal(j[1].diagnostics[0].code, 'binary-file');
    assert.deepEqual(j[1].diagnostics[0].range.start, { line: 0, character: 5 });
  });

  it('refuses a 10 MB file unread (I/O, exit 2) and still checks 10,000-deep JSON after it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-check-'));
    try {
      fs.writeFileSync(path.join(dir, 'big-vllm.yaml'), 'port: 8000\n'.repeat(1_000_000));
      fs.writeFileSync(path.join(dir, 'deep-vllm.json'), '['.repeat(10_000) + ']'.repeat(10_000));
      const r = await check(['big-vllm.yaml', 'deep-vllm.json'], dir);
      assert.equal(r.code, 2);
      assert.match(r.err, /big-vllm\.yaml is 10\.5 MiB: larger than the 4\.0 MiB KV Lens reads for a config; not read/);
      assert.match(r.out, /deep-vllm\.json:1:257: error: .*deeper than 256 levels.*\[too-deep\]/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks against the vLLM release and llama.cpp build given (--vllm-version, --llama-build)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-versions-'));
    try {
      // swap-space: removed in vLLM 0.18 (generated tables); --mlock: gone from the bundled build, kept in b8914.
      fs.writeFileSync(path.join(dir, 'vllm-old.yaml'), 'model: Qwen/Qwen3-8B\nswap-space: 4\n');
      fs.writeFileSync(path.join(dir, 'llama-swap.yaml'), 'models:\n  a:\n    cmd: llama-server --port ${PORT} -m a.gguf --mlock\n');
      const codes = (r: Captured) => (JSON.parse(r.out) as { diagnostics: { code: string; severity: string }[] }[]).map((f) => f.diagnostics.filter((d) => d.severity !== 'information').map((d) => d.code));
      const newest = await check(['--no-models', '--format', 'json', 'vllm-old.yaml', 'llama-swap.yaml'], dir);
      assert.deepEqual(codes(newest), [['removed-option'], ['removed-flag']]);
      assert.equal(newest.code, 1);
      const older = await check(['--no-models', '--format', 'json', '--vllm-version', 'v0.10.2', '--llama-build=b8914', 'vllm-old.yaml', 'llama-swap.yaml'], dir);
      assert.deepEqual(codes(older), [[], []]);
      assert.equal(older.code, 0);
      const bad = await check(['--vllm-version', 'newest', 'vllm-old.yaml'], dir);
      assert.equal(bad.code, 2);
      assert.match(bad.err, /--vllm-version wants a vLLM release .*0\.8, 0\.9/);
      assert.equal((await check(['--llama-build', 'master', 'llama-swap.yaml'], dir)).code, 2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers --help with 0 and bad usage with 2', async () => {
    const h = await check(['--help']);
    assert.equal(h.code, 0);
    assert.match(h.out, /Usage: kvlens check/);
    assert.equal((await check([])).code, 2);
    assert.equal((await check(['--format', 'xml', 'a.yaml'])).code, 2);
    assert.equal((await check(['--as', 'docker', 'a.yaml'])).code, 2);
    assert.equal((await check(['--bogus', 'a.yaml'])).code, 2);
  });
});

describe('cli/check through main()', () => {
  it('dispatches `kvlens check` and returns its exit code', async () => {
    let out = '';
    const io: CliIO = { out: (t) => { out += t; }, err: () => undefined, cwd: FIXTURES, isTTY: false };
    assert.equal(await main(['check', '--format', 'json', 'serve-vllm.json'], io), 0);
    assert.equal((JSON.parse(out) as unknown[]).length, 1);
  });
});
