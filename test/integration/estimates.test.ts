// CodeLens, hover, status bar and the details command show the core's estimate for the same text.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { analyzeText } from '../../src/core/formats/analyze';
import { createModelResolver } from '../../src/core/models/resolve';
import { estimate } from '../../src/core/estimator/estimate';
import { resolveTargets } from '../../src/core/hardware/targets';
import type { EstimateReport } from '../../src/core/estimator/report';
import { mdEscape, speedBandText, statusText } from '../../src/vscode/text';
import { targetVerdict } from '../../src/core/verdict';
import { api, closeAll, open, waitFor, workspaceDir } from './helpers';

async function coreReport(doc: vscode.TextDocument): Promise<EstimateReport> {
  const analysis = await analyzeText(doc.getText(), doc.fileName);
  const d = analysis.deployments[0];
  assert.ok(d, 'the core finds a deployment');
  const resolved = await createModelResolver().resolve(d.model!.ref, path.dirname(doc.fileName));
  assert.ok(resolved.descriptor, `the core resolves ${d.model!.ref}`);
  const { targets } = resolveTargets(d.targets);
  const targetAssumptions: Record<string, string[]> = {};
  for (const t of targets) if (t.assumptions?.length) targetAssumptions[t.id] = t.assumptions;
  return estimate(d, resolved.descriptor, targets, { targetAssumptions });
}

async function lensTitles(uri: vscode.Uri, expected: number): Promise<string[]> {
  return waitFor(`${expected}+ CodeLenses`, async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
    const titles = (lenses ?? []).map((l) => l.command?.title ?? '').filter(Boolean);
    return titles.length >= expected ? titles : undefined;
  });
}

suite('estimates in the editor', () => {
  suiteSetup(async () => {
    await api();
  });
  teardown(closeAll);

  test('one CodeLens per target, with the core estimate\'s figures', async () => {
    const ed = await open('valid.kvlens.yaml');
    const report = await coreReport(ed.document);
    assert.deepEqual(report.targets.map((t) => t.id), ['h100-sxm', 'rtx-4090']);
    const lenses = await waitFor('lenses', async () => {
      const ls = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', ed.document.uri, 100);
      return (ls ?? []).filter((l) => l.command?.title).length >= 4 ? ls : undefined;
    });
    const titles = lenses.map((l) => l.command?.title ?? '');
    // Both targets are written on line 9 (`targets: [h100-sxm, rtx-4090]`): their lenses sit there, short.
    for (const t of report.targets) {
      const v = targetVerdict(report, t);
      const lens = lenses.find((l) => l.command?.title.startsWith(`${v.label} ${v.mark} ${v.summary}`));
      assert.ok(lens, `lens for ${t.id}: "${v.label} ${v.mark} ${v.summary}" among ${JSON.stringify(titles)}`);
      assert.equal(lens.range.start.line, 9, 'on the targets line');
      // -c 32768 shared by -np 4: each user gets 8K cells.
      assert.match(v.summary, /^\d+\.\d\/\d+(\.\d)? GiB · \d+ users? @8K$/);
    }
    const engine = lenses.find((l) => l.command?.title.startsWith('llama.cpp · KV q8_0'));
    assert.ok(engine && engine.range.start.line === 4, `the engine lens on args: ${JSON.stringify(titles)}`);
    assert.ok(titles.every((t) => [...t].length <= 80), JSON.stringify(titles));
    assert.ok(titles.includes('▶ Run benchmark'), 'run-benchmark lens on a profile in a trusted workspace');
    assert.ok(titles.includes('Open dashboard'));
    assert.ok(titles.every((t) => !/NaN|undefined/.test(t)), JSON.stringify(titles));
  });

  test('CodeLens follows an edit of the cache type', async () => {
    const ed = await open('valid.kvlens.yaml');
    const before = await lensTitles(ed.document.uri, 2);
    const line = ed.document.lineAt(4);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(ed.document.uri, line.range, line.text.replace('-ctk q8_0 -ctv q8_0', '-ctk f16 -ctv f16'));
    assert.ok(await vscode.workspace.applyEdit(edit));
    const after = await waitFor('lenses showing f16 KV', async () => {
      const t = await lensTitles(ed.document.uri, 2);
      return t.some((x) => /KV f16 /.test(x)) ? t : undefined;
    });
    const report = await coreReport(ed.document);
    const v0 = targetVerdict(report, report.targets[0]);
    assert.ok(after.some((x) => x.startsWith(`${v0.label} ${v0.mark} ${v0.summary}`)), `${JSON.stringify(after)} has ${v0.summary}`);
    assert.notDeepEqual(after, before);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('hover on the cache type shows the KV formula with the numbers', async () => {
    const ed = await open('valid.kvlens.yaml');
    const report = await coreReport(ed.document);
    const line = ed.document.lineAt(4).text;
    const pos = new vscode.Position(4, line.indexOf('q8_0') + 1);
    const text = await waitFor('a KV cache hover', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', ed.document.uri, pos);
      const all = (hovers ?? []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return all.includes('KV cache (llama.cpp allocation)') ? all : undefined;
    });
    // The formula with this model's numbers, and the exact total: per token × 4 streams × 8,192 cells.
    const perToken = report.engine.kvBytesPerToken;
    assert.equal(perToken, 2 * report.model.layers * (report.model.kvHeads as number) * report.model.headDim * 34 / 32);
    assert.ok(text.includes(`2 × ${report.model.layers} layers × ${report.model.kvHeads} KV heads × ${report.model.headDim} head_dim × 1.0625 B (q8_0) = **${perToken.toLocaleString('en-US')} B/token**`), text);
    assert.ok(text.includes(`(${(perToken * 32768).toLocaleString('en-US')} B)**`), text);
    assert.ok(text.includes('Other cache types'), text);
    // Beside the verdict's speed figures, their measured error (the calibration's bands) — in the words the core gives.
    const band = speedBandText(report.targets[0]);
    assert.ok(band, 'the estimate carries a calibration');
    assert.ok(text.includes(`_${mdEscape(band)}_`), `${band} in ${text}`);
  });

  test('hover on the context shows how many users fit', async () => {
    const ed = await open('valid.kvlens.yaml');
    const report = await coreReport(ed.document);
    const line = ed.document.lineAt(4).text;
    const pos = new vscode.Position(4, line.indexOf('32768') + 2);
    const text = await waitFor('a context hover', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', ed.document.uri, pos);
      const all = (hovers ?? []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return all.includes('Concurrency on') ? all : undefined;
    });
    assert.ok(text.includes(`= **${report.targets[0].concurrency.maxSequences} sequences**`), text);
  });

  test('hover on a llama.cpp flag shows the flag table\'s documentation and the estimate behind it', async () => {
    const ed = await open('valid.kvlens.yaml');
    const line = ed.document.lineAt(4).text;
    const pos = new vscode.Position(4, line.indexOf('-ctv') + 2);
    const text = await waitFor('a flag hover', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', ed.document.uri, pos);
      const all = (hovers ?? []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return all.includes('llama.cpp') ? all : undefined;
    });
    assert.match(text, /\*\*llama\.cpp `-ctv`, `--cache-type-v`\*\*/);
    assert.match(text, /Values: .*`q4_0`/);
    assert.ok(text.includes('KV cache (llama.cpp allocation)'), text);
  });

  test("a flag hover documents the build a llama.cpp profile names in engine.version (over kvlens.llamaCpp.build)", async () => {
    // --mlock: removed in the bundled build (`-lm mlock` replaced it), a flag of b8914.
    const made: string[] = [];
    try {
      const hoverAt = async (name: string, version: string): Promise<string> => {
        const file = path.join(workspaceDir(), name);
        fs.writeFileSync(file, `model: meta-llama/Llama-3.1-8B-Instruct\nengine:\n  kind: llama.cpp\n${version}  args: "-c 8192 --mlock"\ntargets: [h100-sxm]\n`);
        made.push(file);
        const ed = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
        const line = ed.document.lineAt(version ? 4 : 3).text;
        const pos = new vscode.Position(version ? 4 : 3, line.indexOf('--mlock') + 3);
        return waitFor(`a flag hover in ${name}`, async () => {
          const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', ed.document.uri, pos);
          const all = (hovers ?? []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
          return all.includes('--mlock') ? all : undefined;
        });
      };
      assert.match(await hoverAt('bundled-mlock.kvlens.yaml', ''), /Removed: /, 'the bundled table: --mlock is removed');
      const b8914 = await hoverAt('b8914-mlock.kvlens.yaml', '  version: b8914\n');
      assert.match(b8914, /\*\*llama\.cpp .*`--mlock`/);
      assert.doesNotMatch(b8914, /Removed: /, 'b8914 still has --mlock');
    } finally {
      await closeAll();
      for (const f of made) fs.rmSync(f, { force: true });
    }
  });

  test('activation does little work', async () => {
    const a = await api();
    assert.ok(a.activationMs < 50, `activate() took ${a.activationMs.toFixed(1)} ms`);
    console.log(`      activate(): ${a.activationMs.toFixed(1)} ms`);
  });

  test('status bar text is the verdict for the primary target', async () => {
    const a = await api();
    const ed = await open('valid.kvlens.yaml');
    const report = await coreReport(ed.document);
    const s = await waitFor('status bar text', () => a.statusFor(ed.document.uri));
    assert.equal(s.text, statusText(targetVerdict(report, report.targets[0])));
    assert.match(s.text, /^\$\((check|warning|error)\) .*H100 SXM.* \d+\.\d\/\d+ GiB$/);
    // What the status bar's quick pick does once a target is chosen.
    assert.equal(await vscode.commands.executeCommand('kvlens.selectTarget', 'rtx-4090'), 'rtx-4090');
    assert.equal(vscode.workspace.getConfiguration('kvlens').get('targets.primary'), 'rtx-4090');
    try {
      const s2 = await waitFor('status for rtx-4090', () => {
        const x = a.statusFor(ed.document.uri);
        return x && x.text.includes('4090') ? x : undefined;
      });
      assert.equal(s2.text, statusText(targetVerdict(report, report.targets[1])));
    } finally {
      await vscode.workspace.getConfiguration('kvlens').update('targets.primary', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.equal(a.statusFor(vscode.Uri.file('/nonexistent/notes.txt')), undefined, 'no status for files that are not ours');
  });

  test('Show Estimate Details: the dashboard, or the Markdown details on request', async () => {
    const ed = await open('valid.kvlens.yaml');
    const report = await coreReport(ed.document);
    const md = await vscode.commands.executeCommand<{ kind: string; text?: string }>('kvlens.showEstimate', ed.document.uri, 0, undefined, { markdown: true });
    assert.equal(md?.kind, 'markdown');
    assert.ok(md.text?.includes('| Target | Verdict |'), md.text);
    for (const t of report.targets) assert.ok(md.text?.includes(targetVerdict(report, t).label), `${t.name} in the details`);
    assert.doesNotMatch(md.text ?? '', /NaN|undefined/);
    const r = await vscode.commands.executeCommand<{ kind: string }>('kvlens.showEstimate', ed.document.uri, 0);
    assert.equal(r?.kind, 'dashboard');
  });
});
