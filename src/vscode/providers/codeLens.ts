// One lens per deployment per target with the estimate's headline figures, plus "Run benchmark" (trusted
// profiles) and "Open dashboard". Lenses come from the shared analysis, so typing re-estimates once per version.
import * as vscode from 'vscode';
import type { AnalysisService, DocumentAnalysis } from '../analysisService';
import * as config from '../config';
import { toRange } from '../convert';
import { lensTitle, lensTooltip } from '../text';

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
    return lensesFor(analysis, doc.uri);
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.changed.dispose();
  }
}

export function lensesFor(analysis: DocumentAnalysis, uri: vscode.Uri): vscode.CodeLens[] {
  const lenses: vscode.CodeLens[] = [];
  analysis.estimates.forEach((est, d) => {
    const range = toRange(est.deployment.anchor);
    if (est.report) {
      for (const t of est.report.targets) {
        lenses.push(new vscode.CodeLens(range, {
          title: lensTitle(est.report, t),
          tooltip: lensTooltip(est.report, t),
          command: 'kvlens.showEstimate',
          arguments: [uri, d, t.id],
        }));
      }
    } else if (est.problem) {
      lenses.push(new vscode.CodeLens(range, { title: `KV Lens: ${est.problem}`, command: '' }));
    }
    if (analysis.format === 'kvlens-profile' && vscode.workspace.isTrusted) {
      lenses.push(new vscode.CodeLens(range, { title: '▶ Run benchmark', tooltip: 'Measure this profile on the bundled llama.cpp engine', command: 'kvlens.runBenchmark', arguments: [uri] }));
    }
    if (est.report) {
      lenses.push(new vscode.CodeLens(range, { title: 'Open dashboard', command: 'kvlens.openDashboard', arguments: [uri] }));
    }
  });
  return lenses;
}
