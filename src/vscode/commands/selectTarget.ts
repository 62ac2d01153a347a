// `KV Lens: Select Primary Target` (also the status bar's click): a quick pick over the active file's targets
// with their verdicts, saved to the user's kvlens.targets.primary.
import * as vscode from 'vscode';
import { targetDocument } from '../documents';
import type { Services } from '../services';
import { VERDICT_ICONS } from '../text';

interface TargetPick extends vscode.QuickPickItem { id: string }

export function registerSelectTarget(s: Services): vscode.Disposable {
  return vscode.commands.registerCommand('kvlens.selectTarget', async (idArg?: unknown) => {
    const cfg = vscode.workspace.getConfiguration('kvlens');
    if (typeof idArg === 'string') {
      await cfg.update('targets.primary', idArg, vscode.ConfigurationTarget.Global);
      return idArg;
    }
    const doc = await targetDocument(s.analyses);
    const analysis = doc ? await s.analyses.analyze(doc) : undefined;
    const current = cfg.get<string>('targets.primary', '');
    const items: TargetPick[] = [];
    const seen = new Set<string>();
    for (const v of analysis?.verdicts ?? []) {
      for (const t of v.targets) {
        if (seen.has(t.id)) continue;
        seen.add(t.id);
        items.push({ id: t.id, label: `${VERDICT_ICONS[t.state]} ${t.label}`, description: `${t.id} · ${t.words} · ${t.summary}`, picked: t.id === current });
      }
    }
    items.push({ id: '', label: '$(list-flat) First target of each file', description: 'clear kvlens.targets.primary' });
    const pick = await vscode.window.showQuickPick(items, { title: 'KV Lens: primary target for the status bar', placeHolder: current ? `now: ${current}` : 'now: the first target of each file' });
    if (!pick) return undefined;
    await cfg.update('targets.primary', pick.id, vscode.ConfigurationTarget.Global);
    return pick.id;
  });
}
