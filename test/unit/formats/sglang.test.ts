// SGLang command lines checked against the option table generated from server_args.py at a release tag
// (scripts/gen-sglang-options.py). Expectations come from that file at v0.5.10.post1 and from Python's argparse.
import * as assert from 'node:assert/strict';
import { analyzeText } from '../../../src/core/formats/analyze';
import { lookupSglangOption, SGLANG_LABEL, sglangInt } from '../../../src/core/formats/sglang/argv';
import { SGLANG_TABLE } from '../../../src/core/formats/sglang/table.generated';
import type { KvDiagnostic, Range } from '../../../src/core/diagnostics';

const noRules = { rules: [] };

function textAt(text: string, r: Range): string {
  return text.split('\n')[r.start.line].slice(r.start.character, r.end.character);
}

async function launch(args: string): Promise<{ text: string; ds: KvDiagnostic[]; a: Awaited<ReturnType<typeof analyzeText>> }> {
  const text = `#!/bin/sh\npython3 -m sglang.launch_server --model-path Qwen/Qwen3-8B ${args}\n`;
  const a = await analyzeText(text, '/x/serve.sh', noRules);
  return { text, a, ds: a.diagnostics.filter((d) => d.severity !== 'information') };
}

describe('SGLang options', () => {
  it('has a table from a release tag with its commit', () => {
    assert.match(SGLANG_TABLE.tag, /^v0\.\d+\.\d+/);
    assert.match(SGLANG_TABLE.commit, /^[0-9a-f]{40}$/);
    assert.ok(SGLANG_TABLE.options.length > 300, `${SGLANG_TABLE.options.length} options`);
    assert.match(SGLANG_LABEL, /^SGLang 0\.\d+\.\d+\S* \(v0\.\d+\.\d+\S* @[0-9a-f]{7}\)$/);
  });

  it('accepts a valid command line and reads what sizes the deployment (SGLang\'s 32k = 32000, 32Ki = 32768)', async () => {
    const { a, ds } = await launch('--tp-size 2 --context-length 32Ki --mem-fraction-static 0.85 --kv-cache-dtype fp8_e5m2 --enable-torch-compile --port 30000');
    assert.deepEqual(ds, []);
    assert.equal(a.deployments[0].engine.tensorParallel, 2);
    assert.equal(a.deployments[0].engine.contextSize, 32768);
    assert.equal(sglangInt('32k'), '32000');
    assert.ok(!a.diagnostics.some((d) => d.code === 'options-not-checked'));
  });

  it('resolves argparse abbreviations and refuses ambiguous ones', () => {
    assert.equal(lookupSglangOption('--tp-size').option?.n, 'tensor-parallel-size');
    assert.equal(lookupSglangOption('--context-len').option?.n, 'context-length', 'a unique prefix');
    assert.ok(lookupSglangOption('--enable').ambiguous, '--enable prefixes many options');
  });

  it('reports unknown options (warning: the table is one release), bad values (error) and unlisted choices', async () => {
    const { text, ds } = await launch('--tensor-paralel-size 2 --context-length lots --kv-cache-dtype q8_0 --max-running-requests 1.5');
    assert.deepEqual(ds.map((d) => [d.severity, d.code, textAt(text, d.range)]), [
      ['warning', 'unknown-option', '--tensor-paralel-size'],
      ['error', 'invalid-value', 'lots'],
      ['warning', 'unlisted-value', 'q8_0'],
      ['error', 'invalid-value', '1.5'],
    ]);
    assert.match(ds[0].message, /Did you mean `--tensor-parallel-size`/);
    for (const d of ds) assert.ok(d.message.includes(SGLANG_LABEL), d.message);
    const amb = await launch('--enable');
    assert.deepEqual(amb.ds.map((d) => d.code), ['ambiguous-option']);
  });
});
