// Writing a profile from nothing in a real extension host: completion with no other extension installed, the
// empty-file quick fix, the New Deployment Profile command, and quick fixes that leave the file clean.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, closeAll, codeOf, kvDiagnostics, waitFor, workspaceDir } from './helpers';

async function labelsAt(uri: vscode.Uri, pos: vscode.Position, trigger?: string): Promise<string[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, pos, trigger);
  // Our snippets (kvlens-profile, …) come too; these checks are about the completion provider's items.
  return (list?.items ?? []).filter((i) => i.kind !== vscode.CompletionItemKind.Snippet).map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
}

suite('writing a profile', () => {
  const made: string[] = [];
  suiteSetup(async () => {
    await api();
  });
  teardown(closeAll);
  suiteTeardown(() => {
    for (const f of made) fs.rmSync(f, { force: true });
  });
  /** A new file in the workspace with `text`, shown in an editor (removed after the suite). */
  async function showNew(name: string, text: string): Promise<{ doc: vscode.TextDocument; ed: vscode.TextEditor }> {
    const file = path.join(workspaceDir(), name);
    fs.writeFileSync(file, text);
    made.push(file);
    const doc = await vscode.workspace.openTextDocument(file);
    return { doc, ed: await vscode.window.showTextDocument(doc) };
  }

  test('completion in a fresh x.kvlens.yaml: keys, then engine kinds, flags, cache types and targets', async () => {
    const { doc, ed } = await showNew('x.kvlens.yaml', '');
    // No YAML extension here: whatever completes is KV Lens's own.
    assert.equal(vscode.extensions.all.filter((e) => /yaml/i.test(e.id) && !e.id.startsWith('vscode.')).length, 0, 'no third-party YAML extension');
    const top = await waitFor('top-level keys', async () => {
      const l = await labelsAt(doc.uri, new vscode.Position(0, 0));
      return l.includes('engine') ? l : undefined;
    });
    for (const k of ['model', 'workload', 'targets']) assert.ok(top.includes(k), top.join(','));
    await ed.edit((e) => e.insert(new vscode.Position(0, 0), 'model: meta-llama/Llama-3.1-8B-Instruct\nengine:\n  kind: \n'));
    assert.deepEqual((await labelsAt(doc.uri, new vscode.Position(2, 8))).sort(), ['llama.cpp', 'vllm']);
    await ed.edit((e) => e.replace(new vscode.Range(2, 0, 3, 0), '  kind: llama.cpp\n  args: "-c 8192 -ctk "\ntargets: [rtx\n'));
    // After `-ctk ` (the space typed): the cache types.
    const types = await labelsAt(doc.uri, new vscode.Position(3, 22), ' ');
    assert.ok(types.includes('q8_0') && types.includes('q4_0'), types.join(','));
    const flags = await labelsAt(doc.uri, new vscode.Position(3, 17), '-');
    assert.ok(flags.includes('-ctk') || flags.includes('-c'), flags.slice(0, 10).join(','));
    const targets = await labelsAt(doc.uri, new vscode.Position(4, 13));
    assert.ok(targets.includes('rtx-4090') && targets.includes('h100-sxm'), targets.slice(0, 10).join(','));
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('an empty profile: the quick fix inserts a starter profile that checks clean', async () => {
    const { doc } = await showNew('empty.kvlens.yaml', '');
    const diag = await waitFor('the empty-file warning', () => kvDiagnostics(doc.uri).find((d) => codeOf(d) === 'empty-file'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diag.range);
    const starter = actions?.find((a) => /starter profile/.test(a.title));
    assert.ok(starter?.edit, JSON.stringify(actions?.map((a) => a.title)));
    assert.ok(await vscode.workspace.applyEdit(starter.edit));
    assert.match(doc.getText(), /engine:\n {2}kind: llama\.cpp/);
    await waitFor('the starter profile analysed clean', () => {
      const a = kvDiagnostics(doc.uri);
      return a.length === 0 && doc.getText().includes('targets:') ? true : undefined;
    }, 20_000);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('KV Lens: New Deployment Profile writes a commented profile that estimates', async () => {
    const file = path.join(workspaceDir(), 'new-profile.kvlens.yaml');
    made.push(file);
    const uri = await vscode.commands.executeCommand<string>('kvlens.newProfile', { model: 'Qwen/Qwen2.5-7B-Instruct', engine: 'vllm', targets: ['h100-sxm', 'l40s'], uri: vscode.Uri.file(file).toString() });
    assert.ok(uri && fs.existsSync(file));
    const text = fs.readFileSync(file, 'utf8');
    assert.match(text, /^model: Qwen\/Qwen2\.5-7B-Instruct$/m);
    assert.match(text, /kind: vllm/);
    assert.match(text, /# /, 'commented');
    const a = await api();
    const doc = await vscode.workspace.openTextDocument(file);
    // The first analysis may say "resolving…" (a lookup slower than 150 ms); the document is analysed again.
    const analysis = await waitFor('its analysis with the model resolved', async () => {
      const x = (await a.analyses.analyze(doc)) ?? undefined;
      return x && !x.estimates.some((e) => e.pending) ? x : undefined;
    }, 30_000);
    assert.deepEqual(analysis.diagnostics.map((d) => `${d.code}: ${d.message}`), []);
    assert.deepEqual(analysis.verdicts[0].targets.map((t) => t.id), ['h100-sxm', 'l40s']);
  });

  test('gpu-memory-utilization: 92 → 0.92, and the file checks clean', async () => {
    const { doc } = await showNew('fix-vllm.yaml', 'model: meta-llama/Llama-3.1-8B-Instruct\ngpu-memory-utilization: 92\nkv-cache-dtype: q8_0\nmax-model-len: 8192\n');
    // kv-cache-dtype: q8_0 is an unlisted value (platforms add values: a warning) whose fix is vLLM's fp8.
    for (const code of ['out-of-range', 'unlisted-value']) {
      const d = await waitFor(code, () => kvDiagnostics(doc.uri).find((x) => codeOf(x) === code));
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range);
      const fix = actions?.find((x) => x.isPreferred) ?? actions?.[0];
      assert.ok(fix?.edit, `${code}: ${JSON.stringify(actions?.map((x) => x.title))}`);
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
    }
    assert.match(doc.getText(), /gpu-memory-utilization: 0\.92\nkv-cache-dtype: fp8\n/);
    await waitFor('no diagnostics left', () => (kvDiagnostics(doc.uri).length === 0 ? true : undefined), 20_000);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
