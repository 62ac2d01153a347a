import * as assert from 'node:assert/strict';
import { isHostToWebview, isWebviewToHost } from '../../../src/core/panelProtocol';
import { buildViewModel } from '../../../src/core/report/viewModel';

describe('panel protocol validators', () => {
  it('accepts every well-formed webview message', () => {
    for (const m of [
      { type: 'ready' }, { type: 'runBenchmark' }, { type: 'export', format: 'csv' }, { type: 'export', format: 'md' },
      { type: 'export', format: 'csv', runFilter: { text: 'q8', type: 'q8_0/q8_0', from: '2026-01-01' } }, { type: 'export', format: 'json', runFilter: {} },
      { type: 'deleteRuns', ids: ['a', 'b'] }, { type: 'deleteRuns', ids: [] }, { type: 'openFile', path: '/x/y.gguf' }, { type: 'openFile', path: 'a', line: 3 },
    ]) assert.ok(isWebviewToHost(m), JSON.stringify(m));
  });

  it('drops malformed or unknown webview messages', () => {
    for (const m of [
      null, 'ready', [], {}, { type: 'nope' }, { type: 'export', format: 'html' }, { type: 'export' },
      { type: 'deleteRuns', ids: 'a' }, { type: 'deleteRuns', ids: [1] }, { type: 'deleteRuns', ids: [''] },
      { type: 'openFile' }, { type: 'openFile', path: 3 }, { type: 'openFile', path: 'a', line: -1 }, { type: 'openFile', path: 'a', line: 1.5 },
      { type: 'ready', extra: 1 }, { type: 'export', format: 'csv', path: '/etc/passwd' },
      { type: 'export', format: 'csv', runFilter: 'q8' }, { type: 'export', format: 'csv', runFilter: { text: 3 } },
      { type: 'export', format: 'csv', runFilter: { text: 'a', models: ['x'] } },
    ]) assert.ok(!isWebviewToHost(m), JSON.stringify(m));
  });

  it('checks host messages too', () => {
    const viewModel = buildViewModel({ title: 't', source: 's', generatedAt: 'g', deployments: [], runs: [] });
    assert.ok(isHostToWebview({ type: 'state', profileUri: 'file:///a', viewModel }));
    assert.ok(isHostToWebview({ type: 'results', viewModel }));
    assert.ok(isHostToWebview({ type: 'benchProgress', progress: { done: 1, total: 3, state: 'running' } }));
    assert.ok(!isHostToWebview({ type: 'state', viewModel }));
    assert.ok(!isHostToWebview({ type: 'benchProgress', progress: { done: 1, total: 3, state: 'weird' } }));
    assert.ok(!isHostToWebview({ type: 'state', profileUri: 'x', viewModel: { version: 2 } }));
  });
});
