// Quick fixes: the core attaches computed fixes to its diagnostics; this turns the ones VS Code asks about
// (matched by code and range against the current analysis) into WorkspaceEdits.
import * as vscode from 'vscode';
import type { AnalysisService } from '../analysisService';
import { DIAGNOSTIC_SOURCE, sameRange, toRange } from '../convert';

export class QuickFixProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly analyses: AnalysisService) {}

  async provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, ctx: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    // Right after an edit the squiggles are the previous version's: wait for this version's analysis (shared,
    // so it costs nothing extra) rather than offering nothing.
    const analysis = this.analyses.current(doc) ?? (await this.analyses.analyze(doc));
    if (!analysis) return [];
    const actions: vscode.CodeAction[] = [];
    for (const diag of ctx.diagnostics) {
      if (diag.source !== DIAGNOSTIC_SOURCE) continue;
      const code = typeof diag.code === 'object' ? diag.code.value : diag.code;
      const kv = analysis.diagnostics.find((d) => d.code === code && sameRange(diag.range, d.range) && d.message === diag.message);
      for (const fix of kv?.fixes ?? []) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [diag];
        action.isPreferred = fix.preferred ?? (kv?.fixes?.length === 1);
        const edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) edit.replace(doc.uri, toRange(e.range), e.newText);
        action.edit = edit;
        actions.push(action);
      }
    }
    return actions;
  }
}
