// Squiggles: debounced per document (kvlens.validation.debounceMs), stale results dropped by the analysis
// service's version check, cleared when a document closes or stops being one of ours.
import * as vscode from 'vscode';
import type { AnalysisService } from '../analysisService';
import * as config from '../config';
import { toDiagnostic } from '../convert';
import type { KvDiagnostic } from '../core';

/**
 * In a JSON editor VS Code's built-in JSON language features already report syntax errors; ours would repeat
 * them. (Our schemas are not contributed through `jsonValidation` for the same reason: KV Lens validates, with
 * quick fixes, and VS Code's JSON checker would say it all a second time.) YAML has no built-in checker.
 */
export function withoutDuplicates(uri: vscode.Uri, ds: readonly KvDiagnostic[]): KvDiagnostic[] {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  const json = doc?.languageId === 'json' || doc?.languageId === 'jsonc';
  if (!json || !vscode.extensions.getExtension('vscode.json-language-features')) return [...ds];
  return ds.filter((d) => d.code !== 'json-syntax');
}

export class DiagnosticsProvider implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('kvlens');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly analyses: AnalysisService) {
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.schedule(e.document, config.debounceMs());
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.clear(d.uri)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('kvlens')) this.refreshAll();
      }),
      analyses.onDidAnalyze(({ uri, analysis }) => {
        if (!analysis) this.collection.delete(uri);
        else if (config.validationEnabled(uri)) this.collection.set(uri, withoutDuplicates(uri, analysis.diagnostics).map(toDiagnostic));
        else this.collection.delete(uri);
      }),
    );
  }

  /** Validates documents already open when the extension activates (activation itself stays cheap: deferred). */
  refreshAll(): void {
    for (const d of vscode.workspace.textDocuments) {
      this.analyses.forget(d.uri);
      this.schedule(d, 0);
    }
  }

  schedule(doc: vscode.TextDocument, delayMs: number): void {
    const key = doc.uri.toString();
    const old = this.timers.get(key);
    if (old) clearTimeout(old);
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      if (doc.isClosed) return;
      // Stale versions resolve undefined inside the service; the change that made them stale has its own timer.
      this.analyses.analyze(doc).catch((e) => console.error('[kvlens] analysis failed', e));
    }, delayMs));
  }

  private clear(uri: vscode.Uri): void {
    const key = uri.toString();
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
    this.collection.delete(uri);
    this.analyses.forget(uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
  }
}
