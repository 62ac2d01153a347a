// The editor's settings → analyzeText options: kvlens.vllm.version, kvlens.llamaCpp.build, kvlens.pathMappings.
import * as assert from 'node:assert/strict';
import { analyzeText, formatOptionsFromSettings } from '../../../src/core/formats/analyze';

const getter = (values: Record<string, unknown>) => (k: string): unknown => values[k];

describe('formats/settings', () => {
  it('reads the three settings and drops values of the wrong shape', () => {
    assert.deepEqual(formatOptionsFromSettings(getter({ 'vllm.version': ' 0.10 ', 'llamaCpp.build': 'b8914', pathMappings: { '/models': '/home/me/models', '/bad': 3, '': '/x' } })), {
      vllmVersion: '0.10', llamaCppBuild: 'b8914', pathMappings: { '/models': '/home/me/models' },
    });
    assert.deepEqual(formatOptionsFromSettings(getter({ 'vllm.version': 10, 'llamaCpp.build': '', pathMappings: ['/models'] })), {});
    assert.deepEqual(formatOptionsFromSettings(getter({})), {});
  });

  it('the settings change what a file is checked against', async () => {
    const swap = 'models:\n  a:\n    cmd: llama-server --port ${PORT} -m /m/a.gguf --mlock\n';
    const codes = async (values: Record<string, unknown>): Promise<string[]> =>
      (await analyzeText(swap, '/x/config.yaml', { rules: [], ...formatOptionsFromSettings(getter(values)) })).diagnostics
        .filter((d) => d.severity !== 'information').map((d) => d.code);
    assert.deepEqual(await codes({}), ['removed-flag']);
    assert.deepEqual(await codes({ 'llamaCpp.build': 'b8914' }), []);
    // vLLM 0.10 has no --max-cudagraph-capture-size (v0.10.2 add_cli_args); 0.11 and later do.
    const vllm = 'model: org/m\nmax-cudagraph-capture-size: 256\n';
    const v = async (values: Record<string, unknown>): Promise<string[]> =>
      (await analyzeText(vllm, '/x/vllm_config.yaml', { rules: [], format: 'vllm', ...formatOptionsFromSettings(getter(values)) })).diagnostics
        .filter((d) => d.severity === 'error').map((d) => d.code);
    assert.deepEqual(await v({}), []);
    assert.deepEqual(await v({ 'vllm.version': '0.10' }), ['unknown-key']);
  });
});
