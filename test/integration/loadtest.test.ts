// "KV Lens: Load Test Endpoint" in the real extension host: with trust, against a STAND-IN server started here
// (the real llama-server sweep runs in test/unit/loadtest and test/e2e/panel-loadtest), the URL taken from the
// user-level setting, the key from SecretStorage, the steps appended to the extension's results store and the
// key in none of them; without trust (the suite's second pass), refused before anything is sent.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { api, fixtureUri, open } from './helpers';
import { ResultsStore } from '../../src/core/results/store';
import { startStandIn, type StandIn } from '../fixtures/loadtest/standIn';

const cfg = () => vscode.workspace.getConfiguration('kvlens');

suite('load test command', () => {
  let s: StandIn | undefined;
  teardown(async () => {
    await cfg().update('loadTest.endpoint', undefined, vscode.ConfigurationTarget.Global);
    await cfg().update('loadTest.sweep', undefined, vscode.ConfigurationTarget.Global);
    await s?.close();
    s = undefined;
  });

  test('runs the configured sweep against the endpoint, stores every step, keeps the key out of them', async function () {
    if (!vscode.workspace.isTrusted) this.skip();
    this.timeout(60_000);
    const ext = await api();
    s = await startStandIn({ ttftMs: 5, tpotMs: 2 });
    await cfg().update('loadTest.endpoint', s.url, vscode.ConfigurationTarget.Global);
    await cfg().update('loadTest.sweep', { concurrency: [1, 2], promptTokens: 16, outputTokens: 4, requestsPerStep: 4, stepSeconds: 10 }, vscode.ConfigurationTarget.Global);
    const before = (await new ResultsStore(ext.resultsPath).readAll()).loadTests?.length ?? 0;
    await open('valid.kvlens.yaml');
    // The key from the extension host's environment: sent in the header, saved nowhere.
    const key = 'sk-integration-never-saved';
    const prev = process.env.KVLENS_API_KEY;
    process.env.KVLENS_API_KEY = key;
    let outcome: { state: string; steps: number; runId?: string } | undefined;
    try {
      outcome = await vscode.commands.executeCommand<{ state: string; steps: number; runId?: string }>('kvlens.loadTestEndpoint', { useConfiguredEndpoint: true, noPrompt: true, profile: fixtureUri('valid.kvlens.yaml') });
    } finally {
      if (prev === undefined) delete process.env.KVLENS_API_KEY; else process.env.KVLENS_API_KEY = prev;
    }
    assert.equal(outcome?.state, 'done');
    assert.equal(outcome?.steps, 2);
    assert.ok(s.requests.length > 0 && s.requests.every((q) => q.authorization === `Bearer ${key}`));
    const { loadTests } = await new ResultsStore(ext.resultsPath).readAll();
    assert.equal((loadTests?.length ?? 0) - before, 2);
    const mine = loadTests!.filter((r) => r.runId === outcome!.runId);
    assert.deepEqual(mine.map((r) => r.load.concurrency), [1, 2]);
    assert.ok(mine.every((r) => r.summary.requests.completed === 4 && r.endpoint.origin === s!.url));
    assert.ok(mine.every((r) => r.profile?.endsWith('valid.kvlens.yaml')));
    assert.doesNotMatch(fs.readFileSync(ext.resultsPath, 'utf8'), new RegExp(key));
  });
});

suite('workspace trust: load tests', () => {
  test('an untrusted workspace refuses to load-test (nothing is sent)', async function () {
    if (vscode.workspace.isTrusted) this.skip();
    const s = await startStandIn({ ttftMs: 1, tpotMs: 1 });
    try {
      await cfg().update('loadTest.endpoint', s.url, vscode.ConfigurationTarget.Global);
      const outcome = await vscode.commands.executeCommand<{ state: string; message?: string }>('kvlens.loadTestEndpoint', { useConfiguredEndpoint: true, noPrompt: true });
      assert.equal(outcome?.state, 'refused');
      assert.match(outcome?.message ?? '', /trusted workspace/);
      assert.equal(s.requests.length, 0, 'no request reached the server');
    } finally {
      await cfg().update('loadTest.endpoint', undefined, vscode.ConfigurationTarget.Global);
      await s.close();
    }
  });
});
