// vLLM option tables per release (generated from each release tag's sources by scripts/gen-vllm-options.py):
// version resolution, every version boundary, and the facts the issue names, checked against what vLLM's source
// says at those tags (cited per assertion), through analyzeText as a user meets them.
import * as assert from 'node:assert/strict';
import { analyzeText } from '../../../src/core/formats/analyze';
import { lookupVllmOption, resolveVllmVersion, vllmTable, VLLM_DEFAULT_VERSION, VLLM_VERSIONS } from '../../../src/core/formats/vllm/tables';
import type { KvDiagnostic, Range } from '../../../src/core/diagnostics';

const noRules = { rules: [] };
const problems = (ds: KvDiagnostic[]): KvDiagnostic[] => ds.filter((d) => d.severity !== 'information');

function textAt(text: string, r: Range): string {
  return text.split('\n')[r.start.line].slice(r.start.character, r.start.line === r.end.line ? r.end.character : undefined);
}

/** A `vllm serve` line in a shell script, checked against one version's table. */
async function serve(args: string, version: string): Promise<{ text: string; ds: KvDiagnostic[] }> {
  const text = `#!/bin/sh\nvllm serve Qwen/Qwen3-8B ${args}\n`;
  const a = await analyzeText(text, '/x/serve.sh', { ...noRules, vllmVersion: version });
  assert.equal(a.format, 'shell');
  return { text, ds: problems(a.diagnostics) };
}

async function yaml(text: string, version: string): Promise<KvDiagnostic[]> {
  const a = await analyzeText(text, '/x/a-vllm.yaml', { ...noRules, vllmVersion: version });
  assert.equal(a.format, 'vllm');
  return problems(a.diagnostics);
}

const codes = (ds: KvDiagnostic[], text: string): [string, string][] => ds.map((d) => [d.code, textAt(text, d.range)]);

describe('vLLM versions', () => {
  it('has one table per minor release from 0.8 to the newest, each naming its release tag and commit', () => {
    assert.ok(VLLM_VERSIONS.length >= 7, 'at least the last 6 minor releases and the current one');
    assert.equal(VLLM_DEFAULT_VERSION, VLLM_VERSIONS[VLLM_VERSIONS.length - 1]);
    const minors = VLLM_VERSIONS.map((v) => Number(v.split('.')[1]));
    for (let i = 1; i < minors.length; i++) assert.equal(minors[i], minors[i - 1] + 1, 'no minor release is skipped');
    for (const v of VLLM_VERSIONS) {
      const t = vllmTable(v);
      assert.match(t.source.tag, new RegExp(`^v${v.replace('.', '\\.')}\\.\\d+`), 'the table is read at a release tag of its minor');
      assert.match(t.source.commit, /^[0-9a-f]{40}$/);
      assert.equal(t.label, `vLLM ${v} (${t.source.tag} @${t.source.commit.slice(0, 7)})`);
    }
    // Tag commits that independent builds' setuptools-scm version files name (see the generator's header).
    assert.equal(vllmTable('0.23').source.commit.slice(0, 9), '0fc695fc6');
    assert.equal(vllmTable('0.25').source.commit.slice(0, 9), '752a3a504');
  });

  it('resolves a version to the newest table not newer than it', () => {
    assert.equal(resolveVllmVersion('0.10.1'), '0.10');
    assert.equal(resolveVllmVersion('v0.25.0'), '0.25');
    assert.equal(resolveVllmVersion('0.27.9'), '0.27');
    assert.equal(resolveVllmVersion('0.99'), VLLM_DEFAULT_VERSION, 'newer than any table: the newest');
    assert.equal(resolveVllmVersion('0.5'), VLLM_VERSIONS[0], 'older than any table: the oldest');
    assert.equal(resolveVllmVersion(undefined), VLLM_DEFAULT_VERSION);
  });

  describe('every boundary between two releases', () => {
    for (let i = 1; i < VLLM_VERSIONS.length; i++) {
      const older = VLLM_VERSIONS[i - 1];
      const newer = VLLM_VERSIONS[i];
      it(`${older} → ${newer}: removed options are refused after, added ones before, each naming the table`, async () => {
        const tNew = vllmTable(newer);
        const tOld = vllmTable(older);
        for (const r of tNew.source.removed) {
          assert.ok(lookupVllmOption(r.n, older), `${r.n} is an option of ${older}`);
          assert.equal(lookupVllmOption(r.n, newer), undefined, `${r.n} is not an option of ${newer}`);
          const { text, ds } = await serve(`--${r.n}`, newer);
          const d = ds.find((x) => x.code === 'removed-option');
          assert.ok(d, `${r.n} in ${newer}: ${JSON.stringify(ds)}`);
          assert.equal(textAt(text, d.range), `--${r.n}`);
          assert.equal(d.severity, 'error');
          assert.match(d.message, new RegExp(`removed in vLLM ${newer.replace('.', '\\.')}.*${tNew.label.replace(/[().]/g, '\\$&')}`));
        }
        const added = tNew.options.filter((o) => !lookupVllmOption(o.n, older)).slice(0, 5);
        for (const o of added) {
          const { text, ds } = await serve(`--${o.n}`, older);
          const d = ds.find((x) => x.code === 'unknown-option' && textAt(text, x.range) === `--${o.n}`);
          assert.ok(d, `${o.n} in ${older}: ${JSON.stringify(ds)}`);
          assert.match(d.message, new RegExp(`not an option of ${tOld.label.replace(/[().]/g, '\\$&')}: it was added in vLLM ${newer.replace('.', '\\.')}`));
        }
      });
    }
  });

  describe('the changes the issue names, as vLLM\'s sources at the release tags have them', () => {
    it('--swap-space: CacheConfig.swap_space in v0.17.1, gone from v0.18.1 (vLLM names no replacement)', async () => {
      assert.deepEqual(await yaml('model: m/x\nswap-space: 4\n', '0.17'), []);
      const ds = await yaml('model: m/x\nswap-space: 4\n', '0.18');
      assert.deepEqual(ds.map((d) => d.code), ['removed-option']);
      assert.match(ds[0].message, /removed in vLLM 0\.18.*vLLM names no replacement/);
    });

    it('--disable-log-requests: deprecated in v0.16.0 ("[DEPRECATED] Disable logging requests."), gone from v0.17.1', async () => {
      const old = await serve('--disable-log-requests', '0.16');
      assert.deepEqual(codes(old.ds, old.text), [['deprecated-option', '--disable-log-requests']]);
      assert.equal(old.ds[0].severity, 'warning');
      const now = await serve('--disable-log-requests', '0.17');
      assert.deepEqual(codes(now.ds, now.text), [['removed-option', '--disable-log-requests']]);
      assert.match(now.ds[0].message, /--enable-log-requests/);
    });

    it('--use-gpu-for-pooling-score: added in v0.17.1 (FrontendArgs), removed in v0.18.1', async () => {
      const before = await serve('--use-gpu-for-pooling-score', '0.16');
      assert.deepEqual(codes(before.ds, before.text), [['unknown-option', '--use-gpu-for-pooling-score']]);
      assert.match(before.ds[0].message, /added in vLLM 0\.17/);
      assert.deepEqual((await serve('--use-gpu-for-pooling-score', '0.17')).ds, []);
      const after = await serve('--use-gpu-for-pooling-score', '0.18');
      assert.deepEqual(codes(after.ds, after.text), [['removed-option', '--use-gpu-for-pooling-score']]);
    });

    it('--kv-cache-memory-bytes: not in v0.9.2, in v0.10.2 as a human-readable int (8G)', async () => {
      const before = await serve('--kv-cache-memory-bytes 8G', '0.9');
      assert.deepEqual(codes(before.ds, before.text), [['unknown-option', '--kv-cache-memory-bytes']]);
      assert.deepEqual((await serve('--kv-cache-memory-bytes 8G', '0.10')).ds, []);
      const bad = await serve('--kv-cache-memory-bytes lots', '0.10');
      assert.deepEqual(codes(bad.ds, bad.text), [['invalid-value', 'lots']]);
    });

    it('max-model-len: auto: human_readable_int in v0.13.0, human_readable_int_or_auto from v0.14.1', async () => {
      assert.deepEqual((await yaml('max-model-len: auto\n', '0.13')).map((d) => d.code), ['invalid-type']);
      assert.deepEqual(await yaml('max-model-len: auto\n', '0.14'), []);
      const a = await analyzeText('max-model-len: 32K\n', '/x/a-vllm.yaml', noRules);
      assert.equal(a.deployments[0].engine.contextSize, 32768);
    });

    it('kv-cache-dtype: the CacheDType literal grows (fp8_inc in v0.10.2, nvfp4 in v0.20.2); unlisted values are warnings', async () => {
      const c = (v: string): string[] => [...(vllmTable(v).options.find((o) => o.n === 'kv-cache-dtype')?.c ?? [])];
      for (let i = 1; i < VLLM_VERSIONS.length; i++) {
        for (const v of c(VLLM_VERSIONS[i - 1])) assert.ok(c(VLLM_VERSIONS[i]).includes(v), `${v} stays in ${VLLM_VERSIONS[i]}`);
      }
      assert.ok(!c('0.9').includes('fp8_inc') && c('0.10').includes('fp8_inc'));
      assert.ok(!c('0.19').includes('nvfp4') && c('0.20').includes('nvfp4'));
      const before = await yaml('kv-cache-dtype: nvfp4\n', '0.19');
      assert.deepEqual(before.map((d) => [d.code, d.severity]), [['unlisted-value', 'warning']]);
      assert.deepEqual(await yaml('kv-cache-dtype: nvfp4\n', '0.20'), []);
    });
  });

  describe('bounds vLLM enforces (restored from its config classes)', () => {
    it('tensor-parallel-size 0: ParallelConfig Field(ge=1) from v0.23.0; before that vLLM does not check it here', async () => {
      const now = await serve('-tp 0', '0.27');
      assert.deepEqual(codes(now.ds, now.text), [['out-of-range', '0']]);
      assert.match(now.ds[0].message, /must be ≥ 1 in vLLM 0\.27 \(v0\.27\.1 @[0-9a-f]{7}\).*ParallelConfig\.tensor_parallel_size Field\(ge=1\)/);
      assert.deepEqual((await yaml('tensor-parallel-size: 0\n', '0.27')).map((d) => d.code), ['out-of-range']);
      assert.deepEqual((await serve('-tp 0', '0.22')).ds, [], 'ParallelConfig.tensor_parallel_size: int = 1 in v0.22.1, no check');
    });

    it('max-num-seqs -1: SchedulerConfig Field(ge=1) from v0.11.2; a quoted number too', async () => {
      assert.deepEqual((await yaml('max-num-seqs: -1\n', '0.11')).map((d) => d.code), ['out-of-range']);
      assert.deepEqual((await yaml('max-num-seqs: "0"\n', '0.27')).map((d) => d.code), ['out-of-range']);
      assert.deepEqual(await yaml('max-num-seqs: 1\n', '0.27'), []);
    });

    it('gpu-memory-utilization 1.5: CacheConfig._verify_args in v0.10.2, Field(gt=0, le=1) later; one error, not two', async () => {
      const old = await analyzeText('gpu-memory-utilization: 1.5\n', '/x/a-vllm.yaml', { vllmVersion: '0.10' });
      const ds = old.diagnostics.filter((d) => d.code === 'out-of-range');
      assert.equal(ds.length, 1, JSON.stringify(old.diagnostics));
      assert.match(ds[0].message, /≤ 1 in vLLM 0\.10 .*CacheConfig\._verify_args/);
      assert.deepEqual(await yaml('gpu-memory-utilization: 0.95\n', '0.27'), []);
    });

    it('port 70000: vLLM does not check it (FlexibleArgumentParser.check_port is never called), so neither do we', async () => {
      assert.deepEqual(await yaml('port: 70000\n', '0.27'), []);
    });
  });

  it('reads options the way FlexibleArgumentParser does: dotted JSON keys, -O3, None for Optional', async () => {
    const a = await serve('--compilation-config.mode 3 --speculative-config.num_speculative_tokens 4 -O3 --max-num-batched-tokens 8k', '0.27');
    assert.deepEqual(a.ds, []);
    // A bare compilation level: vLLM 0.8's reading; from 0.9 the config is built from a JSON mapping.
    assert.deepEqual((await serve('--compilation-config 3', '0.8')).ds, []);
    for (const v of ['0.9', '0.27']) {
      const c = await serve('--compilation-config 3 --speculative-config [1] --allowed-origins \'["*"]\'', v);
      assert.deepEqual(codes(c.ds, c.text), [['invalid-value', '3'], ['invalid-value', '[1]']], v);
    }
    const b = await serve('--max-model-len.x 3', '0.27');
    assert.deepEqual(codes(b.ds, b.text).map((c) => c[0]), ['unknown-option'], 'only config options take dotted keys');
    assert.deepEqual((await serve('--kv-cache-memory-bytes None', '0.27')).ds, []);
  });
});
