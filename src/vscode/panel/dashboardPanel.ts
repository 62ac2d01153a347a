// The dashboard webview: one panel per profile (reused and revealed), fed by the shared analysis cache and the
// results store, updated live while the profile is edited and while a benchmark runs. The webview is untrusted:
// every message it sends is checked against the shared protocol before the host acts on it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isWebviewToHost, type BenchProgress, type HostToWebview, type WebviewToHost } from '../../core/panelProtocol';
import { buildViewModel, type DashboardViewModel, type DeploymentInput, type RunFilter } from '../../core/report/viewModel';
import { exportView, EXPORT_EXTENSIONS } from '../../core/report/export';
import { makeReestimate } from '../../core/report/reestimate';
import { ResultsStore } from '../../core/results/store';
import type { ResultRecord } from '../../core/engine/protocol';
import type { LoadTestRecord } from '../../core/loadtest/record';
import type { TargetRef } from '../../core/deployment';
import type { DeploymentEstimate, DocumentAnalysis } from '../analysisService';
import { loadCore } from '../core';
import * as config from '../config';
import type { Services } from '../services';
import { dashboardHtml, newNonce } from './html';
import { runEstimator } from './runEstimates';

export const DASHBOARD_VIEW_TYPE = 'kvlens.dashboard';
const EXPORT_FILTERS: Record<string, Record<string, string[]>> = {
  json: { JSON: ['json'] },
  csv: { CSV: ['csv'] },
  md: { Markdown: ['md'] },
};

export class DashboardPanel implements vscode.Disposable {
  private static readonly panels = new Map<string, DashboardPanel>();
  private static lastProgress: BenchProgress | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private viewModel: DashboardViewModel | undefined;
  private ready = false;
  private updateTimer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;

  /** Opens (or reveals) the dashboard for a profile. */
  static async show(services: Services, uri: vscode.Uri): Promise<DashboardPanel> {
    const key = uri.toString();
    const existing = DashboardPanel.panels.get(key);
    if (existing) {
      existing.panel.reveal(undefined, false);
      existing.scheduleUpdate(0);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, DashboardPanel.title(uri), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, DashboardPanel.options(services));
    return new DashboardPanel(services, panel, uri);
  }

  /** Re-creates a panel after a window reload (WebviewPanelSerializer). */
  static revive(services: Services, panel: vscode.WebviewPanel, uri: vscode.Uri): DashboardPanel {
    panel.webview.options = DashboardPanel.options(services);
    return new DashboardPanel(services, panel, uri);
  }

  static get(uri: vscode.Uri): DashboardPanel | undefined {
    return DashboardPanel.panels.get(uri.toString());
  }

  static openCount(): number {
    return DashboardPanel.panels.size;
  }

  /** Benchmark progress goes to every open dashboard (a run measures the machine, not only one profile). */
  static notifyBenchmark(progress: BenchProgress): void {
    DashboardPanel.lastProgress = progress;
    for (const p of DashboardPanel.panels.values()) p.post({ type: 'benchProgress', progress });
  }

  /** After results were saved or deleted: every dashboard re-reads the store. */
  static refreshResults(): void {
    for (const p of DashboardPanel.panels.values()) p.scheduleUpdate(0);
  }

  private static title(uri: vscode.Uri): string {
    return `KV Lens — ${path.basename(uri.path)}`;
  }

  private static options(services: Services): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      // The built front end only: no workspace file can be loaded into the page.
      localResourceRoots: [vscode.Uri.joinPath(services.context.extensionUri, 'dist', 'webview')],
      // Hidden panels are destroyed; the webview keeps its tab and filters with setState and gets fresh data.
      retainContextWhenHidden: false,
      enableFindWidget: true,
    };
  }

  private constructor(private readonly services: Services, readonly panel: vscode.WebviewPanel, readonly uri: vscode.Uri) {
    DashboardPanel.panels.set(uri.toString(), this);
    panel.title = DashboardPanel.title(uri);
    const webviewRoot = vscode.Uri.joinPath(services.context.extensionUri, 'dist', 'webview');
    panel.webview.html = dashboardHtml({
      cspSource: panel.webview.cspSource,
      nonce: newNonce(),
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'main.js')).toString(),
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      panel.onDidChangeViewState((e) => { if (e.webviewPanel.visible) this.scheduleUpdate(0); }),
      services.analyses.onDidAnalyze((e) => { if (e.uri.toString() === this.uri.toString()) this.scheduleUpdate(150); }),
    );
    this.scheduleUpdate(0);
  }

  private post(msg: HostToWebview): void {
    if (this.ready) void this.panel.webview.postMessage(msg);
  }

  private scheduleUpdate(delayMs: number): void {
    clearTimeout(this.updateTimer);
    this.updateTimer = setTimeout(() => { void this.update(); }, delayMs);
  }

  private async update(): Promise<void> {
    const gen = ++this.generation;
    try {
      const vm = await this.buildViewModel();
      if (gen !== this.generation) return; // a newer edit superseded this one
      this.viewModel = vm;
      this.post({ type: 'state', profileUri: this.uri.toString(), viewModel: vm });
    } catch (e) {
      this.services.log().error(`dashboard: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
  }

  private async analysis(): Promise<DocumentAnalysis | undefined> {
    try {
      const doc = await vscode.workspace.openTextDocument(this.uri);
      return (await this.services.analyses.analyze(doc)) ?? this.services.analyses.last(this.uri);
    } catch (e) {
      this.services.log().warn(`dashboard: cannot open ${this.uri.toString()}: ${e instanceof Error ? e.message : String(e)}`);
      return this.services.analyses.last(this.uri);
    }
  }

  private async runs(): Promise<{ records: ResultRecord[]; notes: string[]; loadTests?: LoadTestRecord[] }> {
    const store = new ResultsStore(this.services.bench.resultsPath);
    try {
      const { records, corrupt, loadTests } = await store.readAll();
      const notes = corrupt.length ? [`${corrupt.length} unreadable line(s) in the results store were skipped (first: line ${corrupt[0].line}, ${corrupt[0].error}).`] : [];
      return { records, notes, loadTests };
    } catch (e) {
      return { records: [], notes: [`The results store could not be read: ${e instanceof Error ? e.message : String(e)}`] };
    }
  }

  private deploymentInput(e: DeploymentEstimate, verdict?: DocumentAnalysis['verdicts'][number], machine?: DocumentAnalysis['machineCalibration']): DeploymentInput {
    return { name: e.deployment.name, report: e.report, error: e.problem, reestimate: this.reestimateFor(e, machine), verdicts: verdict?.targets };
  }

  /** The same estimator call the analysis made, with changed settings, for the chart sweeps and run joins. */
  private reestimateFor(e: DeploymentEstimate & { model?: unknown }, machineCalibration?: DocumentAnalysis['machineCalibration']): DeploymentInput['reestimate'] {
    if (!e.report || !e.model) return undefined;
    try {
      const core = loadCore();
      const refs: TargetRef[] = e.deployment.targets.length > 0 ? e.deployment.targets : config.defaultTargets(this.uri).map((id) => ({ id }));
      const { targets } = core.resolveTargets(refs, config.customTargets());
      if (!targets.length) return undefined;
      const targetAssumptions: Record<string, string[]> = {};
      for (const t of targets) if (t.assumptions?.length) targetAssumptions[t.id] = t.assumptions;
      const model = e.model as Parameters<typeof core.estimate>[1];
      return makeReestimate(e.deployment, (d) => core.estimate(d, model, targets, { targetAssumptions, machineCalibration }));
    } catch {
      return undefined;
    }
  }

  private async buildViewModel(): Promise<DashboardViewModel> {
    const [analysis, runs] = await Promise.all([this.analysis(), this.runs()]);
    const notes = [...runs.notes];
    const deployments: DeploymentInput[] = analysis ? analysis.estimates.map((e, i) => this.deploymentInput(e, analysis.verdicts[i], analysis.machineCalibration)) : [];
    const estimateRun = await runEstimator(runs.records).catch(() => undefined);
    if (!analysis) notes.push('This file is not a KV Lens profile, vLLM config or llama-swap config, or it could not be read.');
    else if (!deployments.length) notes.push('No deployment found in this file; fix the errors in the Problems panel.');
    return buildViewModel({
      title: DashboardPanel.title(this.uri),
      source: vscode.workspace.asRelativePath(this.uri, false),
      generatedAt: new Date().toISOString(),
      deployments,
      runs: runs.records,
      notes,
      estimateRun,
      loadTests: runs.loadTests,
      profilePath: this.uri.scheme === 'file' ? this.uri.fsPath : undefined,
    });
  }

  private onMessage(raw: unknown): void {
    if (!isWebviewToHost(raw)) {
      const type = raw && typeof raw === 'object' ? String((raw as { type?: unknown }).type).slice(0, 40) : typeof raw;
      this.services.log().warn(`dashboard: dropped an invalid message from the webview (type ${type})`);
      return;
    }
    void this.handle(raw).catch((e) => {
      void vscode.window.showErrorMessage(`KV Lens: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  private async handle(m: WebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        if (this.viewModel) this.post({ type: 'state', profileUri: this.uri.toString(), viewModel: this.viewModel });
        else this.scheduleUpdate(0);
        if (DashboardPanel.lastProgress?.state === 'running') this.post({ type: 'benchProgress', progress: DashboardPanel.lastProgress });
        return;
      case 'export':
        return this.exportAs(m.format, m.runFilter);
      case 'deleteRuns': {
        if (!m.ids.length) return;
        const answer = await vscode.window.showWarningMessage(`Delete ${m.ids.length} measured run${m.ids.length === 1 ? '' : 's'} from the results store?`, { modal: true }, 'Delete');
        if (answer !== 'Delete') return;
        const removed = await new ResultsStore(this.services.bench.resultsPath).delete(m.ids);
        this.services.log().info(`dashboard: deleted ${removed} run(s)`);
        DashboardPanel.refreshResults();
        return;
      }
      case 'runBenchmark':
        await vscode.commands.executeCommand('kvlens.runBenchmark', this.uri);
        return;
      case 'calibrateLoadTest':
        // src/vscode/commands/loadTest.ts turns the run into calibration data (issue 13 consumes it).
        await vscode.commands.executeCommand('kvlens.calibrateFromLoadTest', m.runId, this.uri);
        return;
      case 'openFile': {
        // Only files of the open workspace: a path from a results file must not open arbitrary locations.
        const target = vscode.Uri.file(m.path);
        if (!vscode.workspace.getWorkspaceFolder(target)) {
          this.services.log().warn('dashboard: refused to open a file outside the workspace');
          return;
        }
        const doc = await vscode.workspace.openTextDocument(target);
        const line = m.line ?? 0;
        await vscode.window.showTextDocument(doc, { selection: new vscode.Range(line, 0, line, 0), preview: true });
        return;
      }
    }
  }

  private async exportAs(format: keyof typeof EXPORT_EXTENSIONS, runFilter?: RunFilter): Promise<void> {
    const vm = this.viewModel ?? (await this.buildViewModel());
    const base = path.basename(this.uri.path).replace(/\.(ya?ml|json)$/i, '').replace(/\.kvlens$/i, '');
    const defaultUri = vscode.Uri.joinPath(this.uri, '..', `${base}.kvlens-report.${EXPORT_EXTENSIONS[format]}`);
    const target = await vscode.window.showSaveDialog({ defaultUri, filters: EXPORT_FILTERS[format], title: 'Export the KV Lens dashboard' });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(exportView(vm, format, { runFilter }), 'utf8'));
    void vscode.window.showInformationMessage(`KV Lens: exported to ${vscode.workspace.asRelativePath(target, false)}`);
  }

  dispose(): void {
    clearTimeout(this.updateTimer);
    if (DashboardPanel.panels.get(this.uri.toString()) === this) DashboardPanel.panels.delete(this.uri.toString());
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
