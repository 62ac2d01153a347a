// What the commands share: the extension context, the analysis cache, the engine log, the benchmark state.
import type * as vscode from 'vscode';
import type { AnalysisService } from './analysisService';
import type { BenchService } from './benchService';

export interface Services {
  context: vscode.ExtensionContext;
  analyses: AnalysisService;
  bench: BenchService;
  /** Created on first use: activation does not create an output channel. */
  log(): vscode.LogOutputChannel;
}
