// `KV Lens: Open Dashboard`: delegates to the panel; falls back to the Markdown details until it exists.
import * as vscode from 'vscode';
import { targetDocument } from '../documents';
import { showDashboard } from '../panelBridge';
import type { Services } from '../services';

export function registerOpenDashboard(s: Services): vscode.Disposable {
  return vscode.commands.registerCommand('kvlens.openDashboard', async (uriArg?: unknown) => {
    const doc = await targetDocument(s.analyses, uriArg);
    if (doc && (await showDashboard(s, doc.uri))) return { kind: 'dashboard' as const };
    return vscode.commands.executeCommand('kvlens.showEstimate', doc?.uri);
  });
}
