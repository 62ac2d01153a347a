// A model given by Hugging Face id, in the real extension host: the editor never waits for the Hub. While the
// lookup is out the deployment says `resolving <id>…` (CodeLens, no error in Problems); when the answer arrives the
// document is analysed again on its own — no edit — and the lenses show the figures the core computes for the same
// text and model. The Hub is the stand-in issue 10's tests use (test/unit/models/hubStandIn.ts: a real HTTP server
// on 127.0.0.1 in the Hub's URL layout; the only stand-in here, since these machines have no network), with its
// answers held back until the test lets them go, so the pending state is observed rather than raced.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { analyzeForEditor } from '../../src/core/editorAnalysis';
import { findCatalogModel } from '../../src/core/models/catalog';
import { createModelResolver } from '../../src/core/models/resolve';
import { fakeCommit, HubStandIn, llamaLikeTensors, shardedSafetensors } from '../unit/models/hubStandIn';
import { api, closeAll, kvDiagnostics, waitFor, workspaceDir } from './helpers';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, host: 'hub' | 'cdn') => void;

async function lensTitles(uri: vscode.Uri): Promise<string[]> {
  const ls = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
  return (ls ?? []).map((l) => l.command?.title ?? '').filter(Boolean);
}

suite('a model by Hub id: pending, resolved, analysed again', function () {
  this.timeout(120_000);
  let hub: HubStandIn;
  let tmp: string;
  let release: () => void = () => undefined;
  /** Request paths as they reach the stand-in (its own log fills in only when a held request is answered). */
  const arrived: string[] = [];
  const saved: Record<string, string | undefined> = {};
  // A fresh repo id per run: neither the catalog nor any cache knows it, so only the Hub can answer.
  const repo = `kvlens-it/Qwen3-8B-${Date.now().toString(36)}`;
  let file: string;

  suiteSetup(async () => {
    await api();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-it-hub-'));
    hub = await new HubStandIn().start();
    const cfg = findCatalogModel('Qwen/Qwen3-8B')!.config as unknown as Record<string, number | string | boolean>;
    hub.add(repo, { commit: fakeCommit(repo), files: { 'config.json': Buffer.from(JSON.stringify({ architectures: ['Qwen3ForCausalLM'], ...cfg })), ...shardedSafetensors(llamaLikeTensors(cfg), 2) } });
    // Hold every answer until release(): the editor must show the pending state, not race past it.
    const gate = new Promise<void>((r) => { release = r; });
    const target = hub as unknown as { handle: Handler };
    const inner = target.handle.bind(hub);
    target.handle = (req, res, host) => {
      arrived.push(req.url ?? '');
      void gate.then(() => inner(req, res, host));
    };
    // The extension host's resolver reads process.env: caches go to a temp folder (the lookup starts cold), and
    // nothing here turns the network off.
    for (const k of ['XDG_CACHE_HOME', 'HF_HOME', 'HF_HUB_OFFLINE', 'HF_ENDPOINT']) saved[k] = process.env[k];
    process.env.XDG_CACHE_HOME = path.join(tmp, 'cache');
    process.env.HF_HOME = path.join(tmp, 'hf');
    delete process.env.HF_HUB_OFFLINE;
    delete process.env.HF_ENDPOINT;
    // A user (machine-scoped) setting, as a mirror would be configured; changing it gives a fresh resolver.
    await vscode.workspace.getConfiguration('kvlens').update('hub.endpoint', hub.endpoint, vscode.ConfigurationTarget.Global);
    file = path.join(workspaceDir(), 'hub-model.kvlens.yaml');
    fs.writeFileSync(file, `model: ${repo}\nengine:\n  kind: llama.cpp\n  args: "-c 8192 -np 2"\ntargets:\n  - h100-sxm\n  - rtx-4090\n`);
  });

  suiteTeardown(async () => {
    release();
    await closeAll();
    await vscode.workspace.getConfiguration('kvlens').update('hub.endpoint', undefined, vscode.ConfigurationTarget.Global);
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await hub.stop();
    fs.rmSync(file, { force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('resolving <id>… while the Hub has not answered, then the estimate, without an edit', async () => {
    const k = await api();
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc);
    const version = doc.version;

    // Pending: the lens says so on the model line, Problems has no model error, the request reached the Hub.
    const pending = await waitFor('a resolving… lens', async () => {
      const titles = await lensTitles(doc.uri);
      return titles.some((t) => t.includes(`resolving ${repo}`)) ? titles : undefined;
    }, 30_000);
    assert.ok(pending.every((t) => [...t].length <= 80), JSON.stringify(pending));
    assert.equal(k.analyses.last(doc.uri)?.estimates[0]?.pending, true);
    assert.deepEqual(kvDiagnostics(doc.uri).filter((d) => /model/i.test(String(typeof d.code === 'object' ? d.code.value : d.code))).map((d) => d.message), [], 'no model diagnostic while pending');
    await waitFor('the lookup at the stand-in', () => (arrived.some((u) => u.startsWith(`/api/models/${repo}/revision/`)) ? true : undefined));

    // Resolved: the document is analysed again on its own, and the lenses equal the core's for this text and model.
    release();
    const done = await waitFor('the estimate after the Hub answered', () => {
      const a = k.analyses.last(doc.uri);
      return a?.estimates[0]?.report ? a : undefined;
    }, 60_000);
    assert.equal(doc.version, version, 'no edit: the re-analysis came from the resolver');
    assert.equal(done.estimates[0].model?.name !== undefined, true);
    const core = await analyzeForEditor(doc.getText(), doc.fileName, {
      format: 'kvlens-profile',
      modelResolver: createModelResolver({ network: 'blocking', env: { HF_ENDPOINT: hub.endpoint, XDG_CACHE_HOME: path.join(tmp, 'core-cache'), HF_HOME: path.join(tmp, 'core-hf') }, homeDir: tmp }),
    });
    assert.ok(core.estimates[0].report, `the core resolves ${repo} from the stand-in: ${core.estimates[0].problem}`);
    const titles = await waitFor('target lenses', async () => {
      const t = await lensTitles(doc.uri);
      return t.some((x) => x.includes('resolving')) || t.length < 3 ? undefined : t;
    });
    for (const v of core.verdicts[0].targets) {
      assert.ok(titles.some((t) => t.startsWith(`${v.label} ${v.mark} ${v.summary}`)), `"${v.label} ${v.mark} ${v.summary}" among ${JSON.stringify(titles)}`);
    }
    assert.equal(done.estimates[0].report!.model.params, core.estimates[0].report!.model.params, 'parameters from the Hub\'s safetensors headers');
    assert.ok(titles.every((t) => [...t].length <= 80), JSON.stringify(titles));
  });
});
