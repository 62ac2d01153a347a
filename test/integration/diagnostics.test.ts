// Squiggles in a real extension host: exact code, range and severity per fixture, updates after edits, cleared
// on close, quick fixes that apply. Everything is polled with a deadline.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { api, closeAll, describe as show, kvDiagnostics, open, waitFor, workspaceDir } from './helpers';

/** Waits until the file's KV Lens diagnostics are exactly `expected` (sorted), or fails showing the last ones. */
async function expectDiagnostics(uri: vscode.Uri, expected: string[], timeoutMs = 15_000): Promise<vscode.Diagnostic[]> {
  const want = [...expected].sort();
  let last: string[] = [];
  try {
    return await waitFor(`diagnostics ${JSON.stringify(want)}`, () => {
      const ds = kvDiagnostics(uri);
      last = ds.map(show).sort();
      return JSON.stringify(last) === JSON.stringify(want) ? ds : undefined;
    }, timeoutMs);
  } catch (e) {
    assert.deepEqual(last, want, String(e));
    throw e;
  }
}

suite('diagnostics', () => {
  suiteSetup(async () => {
    await api();
  });
  teardown(closeAll);

  test('a valid profile has none', async () => {
    const ed = await open('valid.kvlens.yaml');
    // Wait for the analysis to have run (its CodeLens exists), then check nothing was reported.
    await waitFor('the analysis of valid.kvlens.yaml', async () => ((await api()).analyses.current(ed.document) ? true : undefined));
    assert.deepEqual(kvDiagnostics(ed.document.uri).map(show), []);
  });

  test('a misspelt profile key, on the key, with its suggestion', async () => {
    const ed = await open('misspelt.kvlens.yaml');
    const [d] = await expectDiagnostics(ed.document.uri, ['unknown-key@8:2-8:12/Error']);
    assert.match(d.message, /did you mean `concurrency`\?/);
    assert.equal(d.source, 'KV Lens');
  });

  test('a vLLM config: an unlisted kv-cache-dtype value and an unknown option', async () => {
    const ed = await open('serve-vllm.yaml');
    // kv-cache-dtype is a list platforms extend (warning); vLLM refuses unknown options (error).
    const ds = await expectDiagnostics(ed.document.uri, ['unlisted-value@3:16-3:20/Warning', 'unknown-key@4:0-4:22/Error']);
    assert.ok(ds.some((d) => /fp8_e4m3/.test(d.message)), 'the message lists vLLM\'s values');
    assert.ok(ds.some((d) => /gpu-memory-utilization/.test(d.message)));
  });

  test('a llama-swap cmd: unknown flag, a model that is on the server, quantized V with flash attention off', async () => {
    const ed = await open('llama-swap.yaml');
    const ds = await expectDiagnostics(ed.document.uri, [
      'model-not-here@2:37-2:59/Information',
      'unknown-flag@2:60-2:71/Error',
      'quantized-v-needs-fa@2:77-2:84/Error',
    ]);
    const line = ed.document.lineAt(2).text;
    const fa = ds.find((d) => d.code === 'quantized-v-needs-fa')!;
    assert.equal(line.slice(fa.range.start.character, fa.range.end.character), '-fa off', 'the squiggle is on the flag that turns flash attention off');
    const flag = ds.find((d) => d.code === 'unknown-flag')!;
    assert.equal(line.slice(flag.range.start.character, flag.range.end.character), '--ctx-sizee');
  });

  test('diagnostics follow edits and clear when the file closes', async () => {
    const ed = await open('edit.kvlens.yaml');
    const uri = ed.document.uri;
    await waitFor('the first analysis', async () => ((await api()).analyses.current(ed.document) ? true : undefined));
    assert.deepEqual(kvDiagnostics(uri).map(show), []);
    const line = ed.document.lineAt(4);
    const bad = new vscode.WorkspaceEdit();
    bad.replace(uri, line.range, line.text.replace('-ctv f16"', '-ctv q4_0 -fa off"'));
    const t0 = Date.now();
    assert.ok(await vscode.workspace.applyEdit(bad));
    await expectDiagnostics(uri, ['quantized-v-needs-fa@4:42-4:49/Error']);
    const latency = Date.now() - t0;
    // Debounce 250 ms + analysis; generous bound for loaded CI machines, the figure is printed.
    console.log(`      edit → squiggle: ${latency} ms (debounce ${vscode.workspace.getConfiguration('kvlens').get('validation.debounceMs')} ms)`);
    assert.ok(latency < 3000, `squiggle after ${latency} ms`);
    const good = new vscode.WorkspaceEdit();
    good.replace(uri, ed.document.lineAt(4).range, line.text);
    assert.ok(await vscode.workspace.applyEdit(good));
    await expectDiagnostics(uri, []);
    // Back to an error, then close: the Problems entry must go.
    const again = new vscode.WorkspaceEdit();
    again.replace(uri, ed.document.lineAt(4).range, line.text.replace('-ctv f16"', '-ctv q4_0 -fa off"'));
    assert.ok(await vscode.workspace.applyEdit(again));
    await expectDiagnostics(uri, ['quantized-v-needs-fa@4:42-4:49/Error']);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    // VS Code disposes the document model shortly after its last editor closes; then onDidCloseTextDocument fires.
    await waitFor('diagnostics cleared on close', () => (kvDiagnostics(uri).length === 0 ? true : undefined), 30_000);
  });

  test('quick fixes: rename a misspelt key, turn flash attention on', async () => {
    const ed = await open('misspelt.kvlens.yaml');
    const uri = ed.document.uri;
    const [d] = await expectDiagnostics(uri, ['unknown-key@8:2-8:12/Error']);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, d.range, vscode.CodeActionKind.QuickFix.value);
    const fix = (actions ?? []).find((a) => a.title === 'Change to `concurrency`');
    assert.ok(fix?.edit, `quick fix offered: ${JSON.stringify((actions ?? []).map((a) => a.title))}`);
    assert.equal(fix.isPreferred, true);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.equal(ed.document.lineAt(8).text, '  concurrency: 2');
    await expectDiagnostics(uri, []);

    const swap = await open('llama-swap.yaml');
    const ds = await expectDiagnostics(swap.document.uri, ['model-not-here@2:37-2:59/Information', 'unknown-flag@2:60-2:71/Error', 'quantized-v-needs-fa@2:77-2:84/Error']);
    const fa = ds.find((x) => x.code === 'quantized-v-needs-fa')!;
    const faActions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', swap.document.uri, fa.range, vscode.CodeActionKind.QuickFix.value);
    const faFix = (faActions ?? []).find((a) => /flash attention on/.test(a.title));
    assert.ok(faFix?.edit, JSON.stringify((faActions ?? []).map((a) => a.title)));
    assert.ok(await vscode.workspace.applyEdit(faFix.edit));
    assert.match(swap.document.lineAt(2).text, / -fa on -ctv q4_0$/);
    await expectDiagnostics(swap.document.uri, ['model-not-here@2:37-2:59/Information', 'unknown-flag@2:60-2:71/Error']);
  });

  test('a 10 MB profile and non-UTF-8 bytes: one clear diagnostic each, and the host keeps answering', async function () {
    this.timeout(60_000);
    const dir = workspaceDir();
    const big = path.join(dir, 'big.kvlens.yaml');
    const line = 'model: meta-llama/Llama-3.1-8B-Instruct  # padding padding padding padding padding padding\n';
    fs.writeFileSync(big, line.repeat(Math.ceil((10 * 1024 * 1024) / line.length)));
    // (VS Code itself refuses to open files with NUL bytes as text; Latin-1 bytes do open, with U+FFFD.)
    const garbage = path.join(dir, 'latin1.kvlens.yaml');
    fs.writeFileSync(garbage, Buffer.concat([Buffer.from('model: caf'), Buffer.from([0xe9, 0xff, 0xfe]), Buffer.from('\nengine:\n  kind: llama.cpp\n')]));
    try {
      const t0 = Date.now();
      const ed = await open('big.kvlens.yaml');
      const [d] = await expectDiagnostics(ed.document.uri, ['file-too-large@0:0-0:0/Error'], 30_000);
      assert.match(d.message, /MiB/);
      // The extension host still answers promptly: a hover request on another file comes back.
      const valid = await open('valid.kvlens.yaml');
      const t1 = Date.now();
      await vscode.commands.executeCommand('vscode.executeHoverProvider', valid.document.uri, new vscode.Position(4, 12));
      assert.ok(Date.now() - t1 < 5000, `hover took ${Date.now() - t1} ms after the 10 MB file (opened in ${t1 - t0} ms)`);
      const g = await open('latin1.kvlens.yaml');
      const [bad] = await expectDiagnostics(g.document.uri, ['invalid-utf8@0:10-0:11/Error']);
      assert.match(bad.message, /UTF-8/);
    } finally {
      await closeAll();
      fs.rmSync(big, { force: true });
      fs.rmSync(garbage, { force: true });
    }
  });

  test('files that are not serving configs get nothing', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: 'services:\n  web:\n    image: nginx\n' });
    await vscode.window.showTextDocument(doc);
    const a = await api();
    await waitFor('the not-ours verdict', () => (a.analyses.formatOf(doc) === undefined ? true : undefined));
    assert.equal(await a.analyses.analyze(doc), undefined);
    assert.deepEqual(kvDiagnostics(doc.uri), []);
    assert.equal(a.statusFor(doc.uri), undefined);
  });
});
