// Wiring only: create the services, register providers and commands. Activation does no file reads and
// compiles no schema; the first analysis happens after activation returns (deferred by a zero timer).
import * as vscode from 'vscode';
import { AnalysisService } from './analysisService';
import { BenchService } from './benchService';
import { registerCancelBenchmark } from './commands/cancelBenchmark';
import { registerNewProfile } from './commands/newProfile';
import { registerOpenDashboard } from './commands/openDashboard';
import { registerRunBenchmark } from './commands/runBenchmark';
import { registerSelectTarget } from './commands/selectTarget';
import { registerShowEstimate } from './commands/showEstimate';
import { registerShowLog } from './commands/showLog';
import { registerLoadTest } from './commands/loadTest';
import { registerPanel } from './panelBridge';
import { QuickFixProvider } from './providers/codeActions';
import { COMPLETION_TRIGGERS, CompletionProvider } from './providers/completion';
import { EstimateCodeLensProvider } from './providers/codeLens';
import { DiagnosticsProvider } from './providers/diagnostics';
import { EstimateHoverProvider } from './providers/hover';
import { StatusBarController, statusFor } from './providers/statusBar';
import type { Services } from './services';
import * as config from './config';

/** Which documents the providers are registered for; each provider then asks the analysis service whether a
 * document is ours (by name, setting or content), since vLLM and llama-swap files are also detected by content. */
const SELECTOR: vscode.DocumentSelector = [
  { language: 'yaml' }, { language: 'json' }, { language: 'jsonc' }, { language: 'shellscript' }, { language: 'dockercompose' },
  { pattern: '**/*.kvlens.{yaml,yml,json}' }, { pattern: '**/*{vllm,llama-swap}*.{yaml,yml,json}' },
];

/** What activate() returns: used by the integration tests and open to other extensions. */
export interface KvLensApi {
  analyses: AnalysisService;
  /** The JSON Lines results store of measured runs. */
  resultsPath: string;
  /** The status bar text the given document would show (the item itself cannot be read through the API). */
  statusFor(uri: vscode.Uri): { text: string; tooltip: string } | undefined;
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): KvLensApi {
  const t0 = performance.now();
  const analyses = new AnalysisService();
  let log: vscode.LogOutputChannel | undefined;
  const services: Services = {
    context,
    analyses,
    bench: undefined as unknown as BenchService,
    log: () => {
      if (!log) {
        log = vscode.window.createOutputChannel('KV Lens Engine', { log: true });
        context.subscriptions.push(log);
      }
      return log;
    },
  };
  services.bench = new BenchService(services);
  // Saved runs calibrate this machine's speed estimates: analyses read the store, and re-run when it grows.
  analyses.useResults(services.bench.resultsPath);

  const diagnostics = new DiagnosticsProvider(analyses);
  const codeLens = new EstimateCodeLensProvider(analyses);
  const status = new StatusBarController(analyses);
  context.subscriptions.push(
    analyses, diagnostics, codeLens, status, services.bench,
    vscode.languages.registerCodeActionsProvider(SELECTOR, new QuickFixProvider(analyses), QuickFixProvider.metadata),
    vscode.languages.registerCodeLensProvider(SELECTOR, codeLens),
    vscode.languages.registerHoverProvider(SELECTOR, new EstimateHoverProvider(analyses)),
    vscode.languages.registerCompletionItemProvider(SELECTOR, new CompletionProvider(analyses), ...COMPLETION_TRIGGERS),
    registerNewProfile(services),
    registerShowEstimate(services),
    registerOpenDashboard(services),
    registerRunBenchmark(services),
    registerCancelBenchmark(services),
    registerSelectTarget(services),
    registerShowLog(services),
    ...registerLoadTest(services),
    ...registerPanel(services),
  );
  // Hub settings or trust changed: models resolve with the new settings from the next analysis on.
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => analyses.resetModelResolver()),
    services.bench.onResults(() => analyses.reanalyzeAll()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('kvlens.hub') || e.affectsConfiguration('kvlens.models')) analyses.resetModelResolver();
    }),
  );
  // Documents already open when we activate: analysed right after activation, not during it.
  const initial = setTimeout(() => {
    diagnostics.refreshAll();
    status.update();
  }, 0);
  context.subscriptions.push({ dispose: () => clearTimeout(initial) });

  const activationMs = performance.now() - t0;
  return {
    analyses,
    resultsPath: services.bench.resultsPath,
    statusFor: (uri) => statusFor(analyses.last(uri), config.primaryTarget()),
    activationMs,
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions; the bench service's dispose aborts a running sweep.
}
