// `KV Lens: Show Estimate Details` (and the target CodeLenses): the dashboard when it exists, otherwise a
// Markdown preview of the full estimate with formulas and assumptions.
import * as vscode from 'vscode';
import { targetDocument } from '../documents';
import { showDashboard } from '../panelBridge';
import type { Services } from '../services';
import { estimateMarkdown } from '../text';

export function registerShowEstimate(s: Services): vscode.Disposable {
  return vscode.commands.registerCommand('kvlens.showEstimate', async (uriArg?: unknown, deploymentIndex?: unknown, _targetId?: unknown, options?: { markdown?: boolean }) => {
    const doc = await targetDocument(s.analyses, uriArg);
    if (!doc) {
      void vscode.window.showInformationMessage('KV Lens: open a KV Lens profile, a vLLM config or a llama-swap file first.');
      return undefined;
    }
    if (!options?.markdown && (await showDashboard(s, doc.uri))) return { kind: 'dashboard' as const };
    const analysis = await s.analyses.analyze(doc);
    if (!analysis) {
      void vscode.window.showInformationMessage(`KV Lens: ${vscode.workspace.asRelativePath(doc.uri)} is not a KV Lens profile, vLLM config or llama-swap file.`);
      return undefined;
    }
    const indices = typeof deploymentIndex === 'number' && analysis.estimates[deploymentIndex] ? [deploymentIndex] : analysis.estimates.map((_, i) => i);
    const parts: string[] = [];
    for (const i of indices) {
      const est = analysis.estimates[i];
      if (est.report) parts.push(estimateMarkdown(est.report, est.deployment.name, [], analysis.verdicts[i]?.targets));
      else parts.push(`# KV Lens — ${est.deployment.name}\n\nNo estimate: ${est.problem ?? 'unknown reason'}\n`);
    }
    if (parts.length === 0) parts.push('# KV Lens\n\nThis file defines no deployment yet.\n');
    const md = await vscode.workspace.openTextDocument({ language: 'markdown', content: parts.join('\n---\n\n') });
    await vscode.commands.executeCommand('markdown.showPreview', md.uri).then(undefined, async () => {
      // No Markdown extension (a stripped-down editor): show the source instead.
      await vscode.window.showTextDocument(md, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    });
    return { kind: 'markdown' as const, uri: md.uri.toString(), text: md.getText() };
  });
}
