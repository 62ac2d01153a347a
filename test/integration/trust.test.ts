// Workspace Trust: an untrusted workspace keeps validation and estimates (they only read text), but KV Lens
// starts no engine process there. scripts/test-all.mjs runs this suite a second time with Workspace Trust on
// (the folder is then untrusted); in the ordinary, trust-disabled run the test is skipped.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { api, kvDiagnostics, open, waitFor } from './helpers';

suite('workspace trust', () => {
  test('an untrusted workspace validates and estimates, but Run Benchmark starts no engine', async function () {
    if (vscode.workspace.isTrusted) this.skip();
    const ext = await api();
    const before = fs.existsSync(ext.resultsPath) ? fs.readFileSync(ext.resultsPath, 'utf8') : '';

    const ed = await open('misspelt.kvlens.yaml');
    await waitFor('diagnostics in restricted mode', () => (kvDiagnostics(ed.document.uri).length > 0 ? true : undefined));
    const valid = await open('valid.kvlens.yaml');
    const lenses = await waitFor('estimate CodeLenses in restricted mode', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', valid.document.uri);
      return l && l.some((x) => /GiB/.test(x.command?.title ?? '')) ? l : undefined;
    });
    assert.ok(!lenses.some((l) => l.command?.command === 'kvlens.runBenchmark'), 'no Run benchmark lens without trust');

    const outcome = await vscode.commands.executeCommand<{ state: string; message?: string }>('kvlens.runBenchmark', valid.document.uri);
    assert.equal(outcome?.state, 'refused');
    assert.match(outcome?.message ?? '', /trusted workspace/);
    const after = fs.existsSync(ext.resultsPath) ? fs.readFileSync(ext.resultsPath, 'utf8') : '';
    assert.equal(after, before, 'no results were written');
  });
});
