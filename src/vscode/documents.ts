// Which document a command acts on: the URI a CodeLens passed, else the active editor's, else any visible
// editor showing a KV Lens file.
import * as vscode from 'vscode';
import type { AnalysisService } from './analysisService';

export async function targetDocument(analyses: AnalysisService, arg?: unknown): Promise<vscode.TextDocument | undefined> {
  if (arg instanceof vscode.Uri) return vscode.workspace.openTextDocument(arg);
  if (typeof arg === 'string' && arg.length > 0) return vscode.workspace.openTextDocument(vscode.Uri.parse(arg));
  const active = vscode.window.activeTextEditor?.document;
  if (active && analyses.formatOf(active)) return active;
  return vscode.window.visibleTextEditors.map((e) => e.document).find((d) => analyses.formatOf(d) !== undefined);
}
