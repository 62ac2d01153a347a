// Serve commands where people keep them, in the real editor: a docker compose file (VS Code gives it its own
// `dockercompose` language), a Kubernetes manifest named for what it runs (`vllm-lws.yaml`: a manifest, not a vLLM
// config, though the name says vllm) and a shell script get the diagnostics and CodeLenses the core computes for
// the same text — the editor's document selectors, activation and format choice reach them.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { analyzeForEditor } from '../../src/core/editorAnalysis';
import { createModelResolver } from '../../src/core/models/resolve';
import { api, closeAll, codeOf, kvDiagnostics, open, waitFor } from './helpers';

const DEFAULT_TARGETS = (): string[] => vscode.workspace.getConfiguration('kvlens').get<string[]>('targets.default') ?? [];

suite('serve commands: compose, Kubernetes, shell', () => {
  suiteSetup(async () => {
    await api();
  });
  teardown(closeAll);

  for (const [file, language, format] of [
    ['compose.yaml', 'dockercompose', 'docker-compose'],
    ['vllm-lws.yaml', 'yaml', 'kubernetes'],
    ['serve.sh', 'shellscript', 'shell'],
  ] as const) {
    test(`${file}: ${format} (language ${language}), the core's diagnostics and lenses`, async () => {
      const a = await api();
      const ed = await open(file);
      const doc = ed.document;
      assert.equal(doc.languageId, language);
      assert.equal(a.analyses.formatOf(doc), format);
      const core = await analyzeForEditor(doc.getText(), doc.fileName, { format, modelResolver: createModelResolver({ network: 'off' }), defaultTargets: DEFAULT_TARGETS() });
      const want = core.diagnostics.map((d) => `${d.code}@${d.range.start.line}`).sort();
      assert.ok(want.length > 0, 'the fixture has findings');
      assert.ok(!want.some((x) => x.startsWith('yaml-syntax')), `no false YAML error: ${want.join(', ')}`);
      const got = await waitFor(`${file} diagnostics`, () => {
        const ds = kvDiagnostics(doc.uri).map((d) => `${codeOf(d)}@${d.range.start.line}`).sort();
        return ds.length === want.length ? ds : undefined;
      });
      assert.deepEqual(got, want);
      const lenses = await waitFor(`${file} lenses`, async () => {
        const ls = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 100);
        const titles = (ls ?? []).map((l) => l.command?.title ?? '').filter(Boolean);
        return titles.length >= core.deployments.length ? titles : undefined;
      });
      assert.ok(lenses.every((t) => [...t].length <= 80), JSON.stringify(lenses));
    });
  }
});
