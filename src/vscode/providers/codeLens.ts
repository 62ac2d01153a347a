// CodeLenses where they belong (src/vscode/lensPlacement.ts decides): actions on the deployment's header, the
// engine lens on `args:`/`options:`, one lens per target on its line. Lenses come from the shared analysis, so
// typing re-estimates once per version; while the next analysis runs the previous lenses stay.
import * as vscode from 'vscode';
import type { AnalysisService, DocumentAnalysis } from '../analysisService';
import * as config from '../config';
import { placeLenses } from '../lensPlacement';

export class EstimateCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subs: vscode.Disposable[];

  constructor(private readonly analyses: AnalysisService) {
    this.subs = [
      analyses.onDidAnalyze(() => this.changed.fire()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('kvlens.codeLens')) this.changed.fire();
      }),
    ];
  }

  async provideCodeLenses(doc: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (!config.codeLensEnabled(doc.uri)) return [];
    // A fresh analysis when typing has paused; meanwhile the previous one, so lenses do not flicker away.
    let analysis = this.analyses.current(doc);
    if (!analysis) {
      analysis = (await this.analyses.analyze(doc)) ?? this.analyses.last(doc.uri);
    }
    if (!analysis || token.isCancellationRequested) return [];
    return lensesFor(analysis, doc);
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.changed.dispose();
  }
}

export function lensesFor(analysis: DocumentAnalysis, doc: vscode.TextDocument): vscode.CodeLens[] {
  const specs = placeLenses(analysis, doc.getText(), { trusted: vscode.workspace.isTrusted });
  return specs.map((s) => {
    const line = Math.min(Math.max(0, s.line), Math.max(0, doc.lineCount - 1));
    const range = new vscode.Range(line, 0, line, 0);
    const args = s.kind === 'target' ? [doc.uri, s.deployment, s.targetId] : s.kind === 'problem' ? [] : [doc.uri, s.deployment];
    return new vscode.CodeLens(range, { title: s.title, tooltip: s.tooltip, command: s.command, arguments: args });
  });
}
