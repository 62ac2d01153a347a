// `KV Lens: New Deployment Profile` (palette, File > New File…, the walkthrough): asks for the model, the
// engine and the targets, then writes a commented `*.kvlens.yaml` (src/core/fixes/starter.ts) and opens it.
// Arguments skip the questions (used by tests and by other extensions): { model, engine, targets, uri }.
import * as vscode from 'vscode';
import { loadCore } from '../core';
import * as config from '../config';
import type { Services } from '../services';

interface NewProfileArgs {
  model?: string;
  engine?: 'llama.cpp' | 'vllm';
  targets?: string[];
  /** Where to write it; default: asked (a save dialog in the first workspace folder). */
  uri?: string | vscode.Uri;
}

const GIB = 1024 ** 3;

export function registerNewProfile(s: Services): vscode.Disposable {
  return vscode.commands.registerCommand('kvlens.newProfile', (args?: NewProfileArgs) => newProfile(s, args ?? {}));
}

async function askModel(): Promise<string | undefined> {
  const core = loadCore();
  const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { id?: string; action?: 'file' }>();
  qp.title = 'New deployment profile (1/3): the model';
  qp.placeholder = 'A catalog id, a Hugging Face id, or a path to a .gguf / config.json (type it, or pick one)';
  const catalog = core.listCatalogModels().map((m) => ({ label: m.id, id: m.id, description: m.published?.params ? `${Math.round(m.published.params / 1e9)} B parameters` : undefined }));
  qp.items = [{ label: '$(file) Local GGUF file…', action: 'file' as const, alwaysShow: true }, ...catalog];
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: string | undefined) => {
      if (done) return;
      done = true;
      qp.hide();
      resolve(v);
    };
    qp.onDidAccept(async () => {
      const pick = qp.selectedItems[0];
      if (pick?.action === 'file') {
        qp.hide();
        const files = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'GGUF models': ['gguf'], 'HF config': ['json'] }, title: 'The model to size' });
        done = true;
        resolve(files?.[0]?.fsPath);
        return;
      }
      finish(pick?.id ?? (qp.value.trim() || undefined));
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
  });
}

async function askEngine(): Promise<'llama.cpp' | 'vllm' | undefined> {
  const pick = await vscode.window.showQuickPick(
    [
      { label: 'llama.cpp', description: 'llama-server flags (-c, -np, -ctk/-ctv, -fa, -ngl)', value: 'llama.cpp' as const },
      { label: 'vLLM', description: 'vLLM options (tensor-parallel-size, max-model-len, kv-cache-dtype)', value: 'vllm' as const },
    ],
    { title: 'New deployment profile (2/3): the engine', placeHolder: 'Which engine serves it?' },
  );
  return pick?.value;
}

async function askTargets(uri?: vscode.Uri): Promise<string[] | undefined> {
  const core = loadCore();
  const defaults = new Set(config.defaultTargets(uri));
  const items = [
    ...config.customTargets().map((c) => ({ label: c.id, description: 'kvlens.targets.custom', picked: defaults.has(c.id) })),
    ...core.loadHardwareCatalog().targets.map((t) => ({ label: t.id, description: `${t.name} · ${Math.round(t.memoryBytes / GIB)} GB`, picked: defaults.has(t.id) })),
    { label: 'local', description: 'this machine (detected)', picked: false },
  ];
  const picks = await vscode.window.showQuickPick(items, { title: 'New deployment profile (3/3): the hardware to size for', placeHolder: 'Pick one or more targets', canPickMany: true });
  if (!picks) return undefined;
  return picks.map((p) => p.label);
}

function fileNameFor(model: string): string {
  const base = model.replace(/\\/g, '/').split('/').pop() ?? 'deployment';
  return `${base.replace(/\.(gguf|json)$/i, '').replace(/[^A-Za-z0-9._-]+/g, '-').toLowerCase() || 'deployment'}.kvlens.yaml`;
}

async function newProfile(s: Services, args: NewProfileArgs): Promise<string | undefined> {
  void s;
  const model = args.model ?? (await askModel());
  if (!model) return undefined;
  const engine = args.engine ?? (await askEngine());
  if (!engine) return undefined;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const targets = args.targets ?? (await askTargets(folder));
  if (!targets) return undefined;
  const text = loadCore().starterProfile({ model, engine, targets: targets.length ? targets : undefined });
  let uri: vscode.Uri | undefined = typeof args.uri === 'string' ? vscode.Uri.parse(args.uri) : args.uri;
  if (!uri) {
    const defaultUri = folder ? vscode.Uri.joinPath(folder, fileNameFor(model)) : undefined;
    uri = await vscode.window.showSaveDialog({ defaultUri, filters: { 'KV Lens profile': ['kvlens.yaml', 'yaml'] }, title: 'Save the deployment profile' });
    if (!uri) return undefined;
    // The name is what makes it a profile: keep `.kvlens.yaml` even if the dialog dropped half of it.
    if (!/\.kvlens\.ya?ml$/i.test(uri.path)) uri = uri.with({ path: uri.path.replace(/(\.ya?ml)?$/i, '.kvlens.yaml') });
  }
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  return uri.toString();
}
