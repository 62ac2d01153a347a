// The verdict for the primary target of the active file. Hidden for files that are not ours. Also keeps the
// `kvlens.isKvFile` context key that the manifest's `when` clauses use.
import * as vscode from 'vscode';
import type { AnalysisService, DocumentAnalysis } from '../analysisService';
import * as config from '../config';
import { pickPrimary, statusText, statusTooltip } from '../text';

/** The status bar's text and tooltip for an analysis, or undefined when there is nothing to show. Exported for tests. */
export function statusFor(analysis: DocumentAnalysis | undefined, primaryId: string): { text: string; tooltip: string } | undefined {
  if (!analysis) return undefined;
  const pick = pickPrimary(analysis.verdicts, primaryId || undefined);
  if (!pick) {
    const v = analysis.verdicts.find((x) => x.problem);
    if (!v?.problem) return undefined;
    return v.pending
      ? { text: '$(sync~spin) KV Lens', tooltip: `KV Lens: ${v.problem}` }
      : { text: '$(circle-slash) KV Lens', tooltip: `KV Lens: ${v.problem}` };
  }
  return { text: statusText(pick.target), tooltip: statusTooltip(pick.target, analysis.verdicts[pick.deployment].name) };
}

export class StatusBarController implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('kvlens.verdict', vscode.StatusBarAlignment.Right, 100);
  private readonly subs: vscode.Disposable[];

  constructor(private readonly analyses: AnalysisService) {
    this.item.name = 'KV Lens verdict';
    this.item.command = 'kvlens.selectTarget';
    this.subs = [
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      analyses.onDidAnalyze(({ uri }) => {
        if (vscode.window.activeTextEditor?.document.uri.toString() === uri.toString()) this.update();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('kvlens.targets.primary') || e.affectsConfiguration('kvlens.statusBar')) this.update();
      }),
    ];
    // The first update() is the caller's, after activation: it loads the core to recognise the active file.
  }

  update(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const analysis = doc ? this.analyses.last(doc.uri) : undefined;
    const ours = doc ? analysis !== undefined || this.analyses.formatOf(doc) !== undefined : false;
    void vscode.commands.executeCommand('setContext', 'kvlens.isKvFile', ours);
    const s = config.statusBarEnabled() ? statusFor(analysis, config.primaryTarget()) : undefined;
    if (!s) {
      this.item.hide();
      return;
    }
    this.item.text = s.text;
    this.item.tooltip = s.tooltip;
    this.item.show();
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}
