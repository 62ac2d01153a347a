// The flag table against the real llama.cpp source: the git bundle node-llama-cpp ships (its llama.cpp build)
// is cloned without a checkout and common/arg.cpp read from it. Skipped only where git or the bundle is absent.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LLAMA_CACHE_TYPES } from '../../../src/core/deployment';
import { LLAMA_BENCH_FLAGS, LLAMA_FLAGS, flagIndex, lookupFlag } from '../../../src/core/formats/llamacpp/flags';

const ROOT = path.resolve(__dirname, '../../../..');
const BUNDLE = path.join(ROOT, 'node_modules/node-llama-cpp/llama/gitRelease.bundle');

describe('llamacpp/flag table', () => {
  it('has every flag the serving configs use, for llama-server', () => {
    const needed = [
      '-m', '--model', '-c', '--ctx-size', '-np', '--parallel', '-ctk', '--cache-type-k', '-ctv', '--cache-type-v', '-fa',
      '--flash-attn', '-ngl', '--gpu-layers', '--n-gpu-layers', '-b', '--batch-size', '-ub', '--ubatch-size', '-t',
      '--threads', '-tb', '--threads-batch', '-kvu', '--kv-unified', '--swa-full', '-sm', '--split-mode', '-ts',
      '--tensor-split', '-mg', '--main-gpu', '--host', '--port', '-a', '--alias', '--jinja', '--chat-template', '-md',
      '--model-draft', '-ngld', '--gpu-layers-draft', '-ctkd', '-ctvd', '--cont-batching', '-cb', '--no-cont-batching',
      '-nkvo', '--no-kv-offload', '--rope-scaling', '--rope-freq-base', '--rope-freq-scale', '--yarn-orig-ctx', '-n',
      '--n-predict', '--temp', '--top-k', '--top-p', '--min-p', '--repeat-penalty', '--seed', '-s', '--api-key',
      '--metrics', '--slots', '--ctx-checkpoints', '-cram', '--cache-ram', '--cache-reuse', '-to', '--timeout',
      '--log-disable', '-v', '--verbose', '-hf', '--hf-repo', '-hff', '--mmproj', '--lora', '--override-kv', '-ot',
      '--override-tensor', '--numa', '--prio', '-dev', '--device', '--props', '--embedding', '--embeddings',
      '--reranking', '--pooling', '-sp', '--special', '--no-webui', '--reasoning-format', '--reasoning-budget', '-fit',
      // known but refused by the bundled llama.cpp: reported as removed-flag with the replacement
      '--draft-max', '--draft', '--draft-n', '--draft-min', '--no-mmap', '--mlock',
    ];
    const missing = needed.filter((n) => !lookupFlag('llama-server', n));
    assert.deepEqual(missing, []);
  });

  it('links the KV settings to EngineSettings and uses the shared cache type list', () => {
    const sets = (n: string): string | undefined => lookupFlag('llama-server', n)?.spec.sets;
    assert.equal(sets('-c'), 'contextSize');
    assert.equal(sets('-np'), 'parallel');
    assert.equal(sets('-ctk'), 'cacheTypeK');
    assert.equal(sets('-ctv'), 'cacheTypeV');
    assert.equal(sets('-fa'), 'flashAttention');
    assert.equal(sets('-ngl'), 'gpuLayers');
    assert.equal(sets('-kvu'), 'unifiedKv');
    assert.deepEqual(lookupFlag('llama-server', '-ctv')?.spec.values, [...LLAMA_CACHE_TYPES]);
    assert.deepEqual(lookupFlag('llama-server', '-ctvd')?.spec.values, [...LLAMA_CACHE_TYPES]);
  });

  it('gives every flag a description for hovers', () => {
    const bare = LLAMA_FLAGS.filter((f) => !f.description.trim());
    assert.deepEqual(bare.map((f) => f.canonical), []);
  });

  it('keeps llama-server and llama-bench apart', () => {
    assert.ok(lookupFlag('llama-bench', '-pg'));
    assert.equal(lookupFlag('llama-server', '-pg'), undefined);
    assert.equal(lookupFlag('llama-bench', '--jinja'), undefined);
    assert.ok(flagIndex('llama-server').names.length > 200);
  });

  describe('against llama.cpp common/arg.cpp from the node-llama-cpp bundle', function () {
    this.timeout(60_000);
    let argCpp = '';
    let contextCpp = '';
    let benchCpp = '';
    let dir = '';
    before(function () {
      if (!fs.existsSync(BUNDLE)) this.skip();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-llama-src-'));
      try {
        execFileSync('git', ['clone', '-q', '--no-checkout', BUNDLE, dir], { stdio: 'ignore' });
        argCpp = execFileSync('git', ['-C', dir, 'show', 'HEAD:common/arg.cpp'], { encoding: 'utf8', maxBuffer: 64 << 20 });
        contextCpp = execFileSync('git', ['-C', dir, 'show', 'HEAD:src/llama-context.cpp'], { encoding: 'utf8', maxBuffer: 64 << 20 });
        benchCpp = execFileSync('git', ['-C', dir, 'show', 'HEAD:tools/llama-bench/llama-bench.cpp'], { encoding: 'utf8', maxBuffer: 64 << 20 });
      } catch {
        this.skip();
      }
    });
    after(() => {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('every spelling in the table appears as an option string in arg.cpp', () => {
      const legacy = new Set(['--no-mmap', '--mmap', '--mlock']);
      const absent: string[] = [];
      for (const f of LLAMA_FLAGS) {
        for (const n of [...f.names, ...f.negNames]) {
          if (legacy.has(n)) continue;
          if (!argCpp.includes(`"${n}"`)) absent.push(n);
        }
      }
      assert.deepEqual(absent, []);
    });

    it('the legacy switches are really gone from this llama.cpp (so the removed-flag warning is right)', () => {
      for (const n of ['--no-mmap', '--mlock']) assert.equal(argCpp.includes(`"${n}"`), false, n);
    });

    it('every option llama-server accepts in arg.cpp is in the table', () => {
      // Options registered as {"-x", "--long"} inside add_opt(common_arg(...)); collect their first spelling.
      const firstNames = [...argCpp.matchAll(/common_arg\(\s*\{\s*"(-[^"]+)"/g)].map((m) => m[1]);
      const unknown = firstNames.filter((n) => !LLAMA_FLAGS.some((f) => f.names.includes(n) || f.negNames.includes(n)));
      assert.deepEqual(unknown, []);
    });

    it('every llama-bench spelling is one llama-bench.cpp compares argv against, and none is missing', () => {
      const inSource = new Set([...benchCpp.matchAll(/arg == "(-[^"]+)"/g)].map((m) => m[1]));
      const ours = new Set(LLAMA_BENCH_FLAGS.flatMap((f) => [...f.names]));
      assert.deepEqual([...ours].filter((n) => !inSource.has(n)), []);
      assert.deepEqual([...inSource].filter((n) => !ours.has(n)), []);
    });

    it('the cache types and the flash-attention refusal match the source', () => {
      const block = /kv_cache_types = \{([^}]*)\}/.exec(argCpp)?.[1] ?? '';
      const types = [...block.matchAll(/GGML_TYPE_(\w+)/g)].map((m) => m[1].toLowerCase());
      assert.deepEqual(types, [...LLAMA_CACHE_TYPES]);
      assert.ok(contextCpp.includes('quantized V cache requires flash_attn to be enabled') || argCpp.includes('quantized V cache'));
      assert.match(argCpp, /\{ "-fa", "--flash-attn" \}, "\[on\|off\|auto\]"/);
    });
  });
});
