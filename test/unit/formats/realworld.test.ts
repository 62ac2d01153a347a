// Published configs from ../shared/realworld (provenance in its SOURCES.md), each checked under the file name it
// has in its repository (copied to a temporary folder of that name; nothing is committed). The expected
// diagnostics (errors and warnings; information notes are not listed) come from what each engine's source
// says about the file, written here with the reason — not from KV Lens's output.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeText } from '../../../src/core/formats/analyze';
import type { KvDiagnostic } from '../../../src/core/diagnostics';

const ROOT = path.resolve(__dirname, '../../../..');
const SHARED = path.resolve(ROOT, '..', 'shared', 'realworld');

type Expect = [severity: 'error' | 'warning', code: string, text: string];

interface Case {
  file: string;
  /** The file's name in its repository (SOURCES.md), or the name a code block of a README gets as a script. */
  as: string;
  format: string;
  /** The problems, or how to read them off the file's text. */
  expect: Expect[] | ((text: string) => Expect[]);
  why?: string;
  /** A vLLM version other than the newest table. */
  vllmVersion?: string;
  /** A llama.cpp build other than the bundled one. */
  llamaCppBuild?: string;
}

const PROXY_RULE = 'llama-swap internal/config/macros.go: a model whose proxy (default http://localhost:${PORT}) uses ${PORT} while its cmd does not is refused ("proxy uses ${PORT} but cmd does not"; config_test.go "Proxy value required if no ${PORT} in cmd")';

const CASES: Case[] = [
  // vLLM configs: every key is an option of the newest table (vLLM 0.27): frontend options (port, host, api-key,
  // return-tokens-as-token-ids) included; `no-enable-prefix-caching` is the negation BooleanOptionalAction adds;
  // compilation-config / speculative-config are JSON strings vLLM json.loads; `True` is a YAML boolean.
  { file: 'vllm/agentdac-help-dump.yaml', as: 'vllm_config.yaml', format: 'vllm', expect: [] },
  { file: 'vllm/spectrumdetect-gpt-oss-20b.yaml', as: 'vllm_config.yaml', format: 'vllm', expect: [], why: '/models/gpt-oss-20b/ is on the server: information only' },
  { file: 'vllm/paddleocr-vl-webapp-underscores.yaml', as: 'vllm_config.yaml', format: 'vllm', expect: [] },
  { file: 'vllm/recipes-Llama3.3_Blackwell.yaml', as: 'Llama3.3_Blackwell.yaml', format: 'vllm', expect: [] },
  { file: 'vllm/recipes-GPT-OSS_EAGLE3_Blackwell.yaml', as: 'GPT-OSS_EAGLE3_Blackwell.yaml', format: 'vllm', expect: [] },
  { file: 'vllm/recipes-GPT-OSS_Hopper.yaml', as: 'GPT-OSS_Hopper.yaml', format: 'vllm', expect: [] },
  { file: 'vllm/recipes-Llama4_Hopper.yaml', as: 'Llama4_Hopper.yaml', format: 'vllm', expect: [] },
  // max-cudagraph-capture-size and stream-interval are newer than vLLM 0.10 (v0.10.2's add_cli_args registers
  // neither; v0.11.2's registers both): 0.10 refuses them.
  { file: 'vllm/recipes-GPT-OSS_Hopper.yaml', as: 'GPT-OSS_Hopper.yaml', format: 'vllm', vllmVersion: '0.10',
    expect: [['error', 'unknown-key', 'max-cudagraph-capture-size'], ['error', 'unknown-key', 'stream-interval']] },

  // llama-swap configs, checked against llama-swap 0bdb372 (config.go, load.go, macros.go, model_config.go).
  { file: 'llama-swap/llama-swap-config.example.yaml', as: 'config.example.yaml', format: 'llama-swap', why: PROXY_RULE,
    expect: [['error', 'port-without-cmd', '"unlisted-model"']] },
  { file: 'llama-swap/llama-swap-docker-config.example.yaml', as: 'config.example.yaml', format: 'llama-swap', why: PROXY_RULE,
    expect: [['error', 'port-without-cmd', 'z-image']] },
  { file: 'llama-swap/llama-swap-docker-unified-config.example.yaml', as: 'config.example.yaml', format: 'llama-swap', why: PROXY_RULE,
    expect: [['error', 'port-without-cmd', '"image"']] },
  { file: 'llama-swap/llama-swap-aider-qwq-coder.yaml', as: 'llama-swap.yaml', format: 'llama-swap',
    why: 'config.go ProfileConfig.UnmarshalYAML refuses list profiles; llama.cpp arg.cpp: -fa takes the next argument as its value; '
      + '--ctx-size-draft is not in the bundled arg.cpp; --draft-max/--draft-min were replaced by --spec-draft-n-max/-min',
    expect: [
      ['error', 'invalid-type', '- qwen-coder-32B\n      - QwQ\n'],
      ['error', 'fa-needs-value', '--flash-attn'],
      ['error', 'unknown-flag', '--ctx-size-draft'],
      ['warning', 'removed-flag', '--draft-max'],
      ['warning', 'removed-flag', '--draft-min'],
      ['error', 'fa-needs-value', '--flash-attn'],
    ] },
  { file: 'llama-swap/cameronr-dotfiles-ik-llama-profiles.yaml', as: 'config.yaml', format: 'llama-swap',
    why: 'load.go overwrites a per-model healthCheckTimeout with the global one; a model without cmd fails with "empty command" when started; yaml.v3 ignores `headers`',
    expect: [
      ['warning', 'ignored-key', 'healthCheckTimeout'],
      ['warning', 'missing-cmd', 'openrouter-laguna'],
      ['warning', 'unknown-key', 'headers'],
    ] },
  { file: 'llama-swap/skygrip-dotfiles-host-port.yaml', as: 'config.yaml', format: 'llama-swap', why: 'Config has no host/port: yaml.v3 ignores them',
    expect: [['warning', 'unknown-key', 'host'], ['warning', 'unknown-key', 'port']] },
  { file: 'llama-swap/turboquant-setup-turbo-cache.yaml', as: 'config.yaml', format: 'llama-swap',
    why: 'llama.cpp arg.cpp accepts only its ggml KV cache types for -ctk/-ctv (turbo2/turbo3 are a fork\'s)',
    expect: [
      ['error', 'invalid-value', 'turbo2'], ['error', 'invalid-value', 'turbo3'],
      ...Array.from({ length: 8 }, (): Expect => ['error', 'invalid-value', 'turbo2']),
    ] },
  { file: 'llama-swap/fw-desktop-llm-qwen3-coder-next.yaml', as: 'llama-swap.yaml', format: 'llama-swap', why: '--no-mmap was replaced by --load-mode',
    expect: [['warning', 'removed-flag', '--no-mmap']] },
  // The same two files for upstream llama.cpp b8914 (common/arg.cpp at 8bc492e): it still has --draft-max,
  // --draft-min, --ctx-size-draft and --mmap/--no-mmap; -fa already takes a value ("unknown value for --flash-attn").
  { file: 'llama-swap/llama-swap-aider-qwq-coder.yaml', as: 'llama-swap.yaml', format: 'llama-swap', llamaCppBuild: 'b8914',
    why: 'config.go refuses list profiles; b8914 arg.cpp: -fa takes the next argument as its value, the draft flags are still there',
    expect: [
      ['error', 'invalid-type', '- qwen-coder-32B\n      - QwQ\n'],
      ['error', 'fa-needs-value', '--flash-attn'],
      ['error', 'fa-needs-value', '--flash-attn'],
    ] },
  { file: 'llama-swap/fw-desktop-llm-qwen3-coder-next.yaml', as: 'llama-swap.yaml', format: 'llama-swap', llamaCppBuild: 'b8914',
    why: 'b8914 arg.cpp has {"--mmap"}, {"--no-mmap"}', expect: [] },
  { file: 'llama-swap/luksamuk-ai-dotfiles-forks.yaml', as: 'config.yaml', format: 'llama-swap',
    why: 'ModelConfig has no health_check_timeout or tags: yaml.v3 ignores them; ik_llama.cpp flags are not checked (a fork)',
    // Every model-level `health_check_timeout:` / `tags:` key of the file, in order (4-space indented keys).
    expect: (text) => [...text.matchAll(/^ {4}(health_check_timeout|tags):/gm)].map((m): Expect => ['warning', 'unknown-key', m[1]]) },

  // vLLM command lines from the recipes' Markdown code blocks, read as shell scripts.
  { file: 'vllm-cmdlines/recipes-gpt-oss-120b-8xh100.txt', as: 'serve.sh', format: 'shell', expect: [] },
  { file: 'vllm-cmdlines/recipes-qwen3-next-rocm.txt', as: 'serve.sh', format: 'shell', expect: [] },
  { file: 'vllm-cmdlines/recipes-qwen3.6-35b-a3b-mtp.txt', as: 'serve.sh', format: 'shell', expect: [] },
  { file: 'vllm-cmdlines/recipes-kimi-k2-tp8-pp2.txt', as: 'serve.sh', format: 'shell', why: '--disable-log-requests is gone from vLLM 0.17 (v0.17.1 arg_utils.py has no such option)',
    expect: [['error', 'removed-option', '--disable-log-requests']] },
  { file: 'vllm-cmdlines/recipes-kimi-k2-tp8-pp2.txt', as: 'serve.sh', format: 'shell', vllmVersion: '0.16', why: 'deprecated in v0.16.0 (add_argument(..., deprecated=True))',
    expect: [['warning', 'deprecated-option', '--disable-log-requests']] },
];

function textAt(text: string, d: KvDiagnostic): string {
  const lines = text.split('\n');
  const { start, end } = d.range;
  if (start.line === end.line) return lines[start.line].slice(start.character, end.character);
  return [lines[start.line].slice(start.character), ...lines.slice(start.line + 1, end.line), lines[end.line].slice(0, end.character)].join('\n');
}

describe('formats/realworld (../shared/realworld, under their original file names)', function () {
  if (!fs.existsSync(SHARED)) {
    it('skipped: ../shared/realworld is not beside the repository');
    return;
  }
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-realworld-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const c of CASES) {
    const n = typeof c.expect === 'function' ? -1 : c.expect.length;
    it(`${c.file} as ${c.as}${c.vllmVersion ? ` (vLLM ${c.vllmVersion})` : ''}${c.llamaCppBuild ? ` (llama.cpp ${c.llamaCppBuild})` : ''}: ${n ? 'the problems the engine\'s source says it has' : 'recognised, no error or warning'}`, async () => {
      const sub = fs.mkdtempSync(path.join(dir, 'f-'));
      const file = path.join(sub, c.as);
      fs.copyFileSync(path.join(SHARED, c.file), file);
      const text = fs.readFileSync(file, 'utf8');
      const a = await analyzeText(text, file, { vllmVersion: c.vllmVersion, llamaCppBuild: c.llamaCppBuild });
      assert.equal(a.format, c.format, 'recognised by content under its own name');
      assert.ok(a.deployments.length >= (c.format === 'vllm' || c.format === 'shell' ? 1 : 0));
      const got = a.diagnostics.filter((d) => d.severity !== 'information').map((d): Expect => [d.severity as Expect[0], d.code, textAt(text, d)]);
      const expected = typeof c.expect === 'function' ? c.expect(text) : c.expect;
      assert.ok(typeof c.expect !== 'function' || expected.length > 0);
      assert.deepEqual(got, expected, `${c.why ?? ''}\n${a.diagnostics.map((d) => `${d.severity} ${d.code}: ${d.message}`).join('\n')}`);
      // Every unknown or removed option names the table it was checked against.
      for (const d of a.diagnostics.filter((x) => /^(unknown-key|removed-option|unknown-option|unknown-flag|removed-flag|fa-needs-value)$/.test(x.code))) {
        assert.match(d.message, /vLLM 0\.\d+ \(|llama-swap [0-9a-f]{7}|llama\.cpp b\d+ \(|llama\.cpp bundled with node-llama-cpp \d/, d.message);
      }
    });
  }
});
