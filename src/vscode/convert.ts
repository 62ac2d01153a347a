// KvDiagnostic / Range (0-based, LSP-like) ↔ vscode types.
import * as vscode from 'vscode';
import type { KvDiagnostic, KvRange, KvSeverity } from './core';

export const DIAGNOSTIC_SOURCE = 'KV Lens';

const SEVERITY: Record<KvSeverity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

export function toRange(r: KvRange): vscode.Range {
  const n = (x: number): number => (Number.isFinite(x) && x > 0 ? x : 0);
  return new vscode.Range(n(r.start.line), n(r.start.character), n(r.end.line), n(r.end.character));
}

export function toDiagnostic(d: KvDiagnostic): vscode.Diagnostic {
  const diag = new vscode.Diagnostic(toRange(d.range), d.message, SEVERITY[d.severity] ?? vscode.DiagnosticSeverity.Error);
  diag.source = DIAGNOSTIC_SOURCE;
  diag.code = d.code;
  return diag;
}

export function sameRange(a: vscode.Range, b: KvRange): boolean {
  return a.isEqual(toRange(b));
}
