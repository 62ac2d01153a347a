// `KV Lens: Load Test Endpoint`: load-tests the OpenAI-compatible endpoint behind the active profile (or any
// endpoint) from the extension host, appends every finished step to the results store, and opens the dashboard's
// "Load tests" tab with the measurement against the profile's estimate. Trusted workspaces only (it sends traffic
// from this machine). The URL comes from the user — the input box, pre-filled from the machine-scoped
// `kvlens.loadTest.endpoint` setting — never from a workspace file; the API key from VS Code's SecretStorage or the
// environment, never written to results or the log. Also registers the dashboard's "Calibrate from this run" hook.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LoadEstimator } from '../../core/loadtest/estimate';
import type { LoadTestRecord } from '../../core/loadtest/record';
import type { LoadShape } from '../../core/loadtest/types';
import { makeReestimate } from '../../core/report/reestimate';
import { loadCore, type TargetRef } from '../core';
import * as config from '../config';
import type { DocumentAnalysis } from '../analysisService';
import { targetDocument } from '../documents';
import { showDashboard } from '../panelBridge';
import type { Services } from '../services';

type Run = typeof import('../../engine/loadtest/run');
type Endpoint = typeof import('../../engine/loadtest/endpoint');
type Text = typeof import('../../core/loadtest/text');
type Calibration = typeof import('../../core/loadtest/calibration');
type EstimateMod = typeof import('../../core/loadtest/estimate');
type Store = typeof import('../../core/results/store');

/* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use: activation stays light */
const lazy = {
  run: () => require('../../engine/loadtest/run') as Run,
  endpoint: () => require('../../engine/loadtest/endpoint') as Endpoint,
  text: () => require('../../core/loadtest/text') as Text,
  calibration: () => require('../../core/loadtest/calibration') as Calibration,
  estimate: () => require('../../core/loadtest/estimate') as EstimateMod,
  store: () => require('../../core/results/store') as Store,
};
/* eslint-enable @typescript-eslint/no-require-imports */

export interface LoadTestOutcome {
  state: 'done' | 'cancelled' | 'failed' | 'refused';
  steps: number;
  runId?: string;
  message?: string;
}

/** Arguments a caller (CodeLens, dashboard, tests) may pass; none of them can supply the URL. */
export interface LoadTestArgs {
  /** The profile the endpoint serves (default: the active KV Lens file). */
  profile?: vscode.Uri | string;
  /** Skip the input box and use `kvlens.loadTest.endpoint` as configured in user settings. */
  useConfiguredEndpoint?: boolean;
  /** Skip the API-key question (no key unless one is stored or in the environment). */
  noPrompt?: boolean;
}

export const SECRET_PREFIX = 'kvlens.loadTest.apiKey:';
let running: AbortController | undefined;

export function registerLoadTest(s: Services): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('kvlens.loadTestEndpoint', (arg?: unknown) => loadTest(s, toArgs(arg))),
    vscode.commands.registerCommand('kvlens.calibrateFromLoadTest', (runId?: unknown, uri?: unknown) => calibrate(s, runId, uri)),
    { dispose: () => running?.abort('VS Code is closing') },
  ];
}

function toArgs(arg: unknown): LoadTestArgs {
  if (arg instanceof vscode.Uri) return { profile: arg };
  if (arg && typeof arg === 'object') {
    const a = arg as Record<string, unknown>;
    return {
      profile: a.profile instanceof vscode.Uri || typeof a.profile === 'string' ? a.profile : undefined,
      useConfiguredEndpoint: a.useConfiguredEndpoint === true,
      noPrompt: a.noPrompt === true,
    };
  }
  return {};
}

/** The user-level (machine or application) value only: a workspace's settings.json is never read for a URL. */
function configuredEndpoint(): string | undefined {
  const v = vscode.workspace.getConfiguration('kvlens').inspect<string>('loadTest.endpoint')?.globalValue;
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

interface SweepSettings { concurrency: number[]; promptTokens: number; outputTokens: number; requestsPerStep: number; stepSeconds: number; api: 'completions' | 'chat' }

function sweepSettings(): SweepSettings {
  const raw = vscode.workspace.getConfiguration('kvlens').get<Partial<SweepSettings>>('loadTest.sweep') ?? {};
  const int = (v: unknown, lo: number, hi: number, d: number) => (typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.round(v))) : d);
  const conc = Array.isArray(raw.concurrency) && raw.concurrency.length && raw.concurrency.length <= 16 && raw.concurrency.every((x) => Number.isInteger(x) && x >= 1 && x <= 1024)
    ? raw.concurrency : [1, 2, 4, 8, 16];
  return {
    concurrency: conc,
    promptTokens: int(raw.promptTokens, 1, 1 << 20, 512),
    outputTokens: int(raw.outputTokens, 1, 1 << 16, 128),
    requestsPerStep: int(raw.requestsPerStep, 0, 100_000, 0),
    stepSeconds: int(raw.stepSeconds, 5, 3600, 120),
    api: raw.api === 'chat' ? 'chat' : 'completions',
  };
}

async function apiKeyFor(s: Services, origin: string, ask: boolean): Promise<string | undefined> {
  const stored = await s.context.secrets.get(SECRET_PREFIX + origin);
  if (stored) return stored;
  const env = process.env.KVLENS_API_KEY || process.env.OPENAI_API_KEY;
  if (env) return env;
  if (!ask || s.context.globalState.get<boolean>(`kvlens.loadTest.noKey:${origin}`)) return undefined;
  const pick = await vscode.window.showQuickPick(
    [{ label: 'No API key', id: 'none' }, { label: 'Enter an API key…', description: 'kept in VS Code\'s secret storage for this endpoint', id: 'enter' }],
    { title: `KV Lens: does ${origin} need an API key?`, ignoreFocusOut: true },
  );
  if (!pick) return undefined;
  if (pick.id === 'none') { await s.context.globalState.update(`kvlens.loadTest.noKey:${origin}`, true); return undefined; }
  const key = await vscode.window.showInputBox({ title: `API key for ${origin}`, password: true, ignoreFocusOut: true, prompt: 'Stored in VS Code secret storage; never written to results or logs' });
  if (key) await s.context.secrets.store(SECRET_PREFIX + origin, key);
  return key || undefined;
}

/** The estimate for the profile's deployment at any load: the analysis' own estimator call, re-run. */
export function estimatorFor(analysis: DocumentAnalysis | undefined, uri: vscode.Uri | undefined): { estimator?: LoadEstimator; deployment?: string; target?: string } {
  const e = analysis?.estimates.find((x) => x.report && x.model);
  if (!e?.model) return {};
  try {
    const core = loadCore();
    const refs: TargetRef[] = e.deployment.targets.length > 0 ? e.deployment.targets : config.defaultTargets(uri).map((id) => ({ id }));
    const { targets } = core.resolveTargets(refs, config.customTargets());
    if (!targets.length) return { deployment: e.deployment.name };
    const targetAssumptions: Record<string, string[]> = {};
    for (const t of targets) if (t.assumptions?.length) targetAssumptions[t.id] = t.assumptions;
    const model = e.model;
    const re = makeReestimate(e.deployment, (d) => core.estimate(d, model, targets, { targetAssumptions }));
    return { estimator: (o) => re(o), deployment: e.deployment.name, target: targets.find((t) => t.id === 'local')?.id ?? targets[0]!.id };
  } catch {
    return { deployment: e.deployment.name };
  }
}

async function loadTest(s: Services, args: LoadTestArgs): Promise<LoadTestOutcome> {
  if (!vscode.workspace.isTrusted) {
    const msg = 'KV Lens load-tests endpoints only in a trusted workspace: a load test sends traffic from this machine.';
    void vscode.window.showErrorMessage(msg, 'Manage Workspace Trust').then((b) => { if (b) void vscode.commands.executeCommand('workbench.trust.manage'); });
    return { state: 'refused', steps: 0, message: msg };
  }
  if (running) {
    void vscode.window.showWarningMessage('KV Lens: a load test is already running.');
    return { state: 'refused', steps: 0, message: 'already running' };
  }
  const ep = lazy.endpoint();
  let url = configuredEndpoint();
  if (!args.useConfiguredEndpoint || !url) {
    url = await vscode.window.showInputBox({
      title: 'KV Lens: Load Test Endpoint',
      prompt: 'Base URL of an OpenAI-compatible server (vLLM, SGLang, llama-server, TGI, Ollama). Only this host is contacted.',
      placeHolder: 'http://127.0.0.1:8000',
      value: url ?? '',
      ignoreFocusOut: true,
      validateInput: (v) => { try { ep.parseBaseUrl(v); return undefined; } catch (e) { return e instanceof Error ? e.message : String(e); } },
    });
    if (!url) return { state: 'cancelled', steps: 0, message: 'no endpoint given' };
  }
  let origin: string;
  try { origin = ep.parseBaseUrl(url).url.origin; } catch (e) { return { state: 'failed', steps: 0, message: (e as Error).message }; }
  const apiKey = await apiKeyFor(s, origin, !args.noPrompt);

  const doc = args.profile !== undefined ? await targetDocument(s.analyses, args.profile) : await targetDocument(s.analyses, undefined);
  const analysis = doc ? await s.analyses.analyze(doc) : undefined;
  const est = estimatorFor(analysis, doc?.uri);
  const sweep = sweepSettings();
  const steps: LoadShape[] = sweep.concurrency.map((c) => ({ mode: 'concurrency', concurrency: c }));
  const log = s.log();
  const store = new (lazy.store().ResultsStore)(s.bench.resultsPath);
  fs.mkdirSync(path.dirname(s.bench.resultsPath), { recursive: true });
  log.info(`load test: ${origin} (${sweep.api}), concurrency ${sweep.concurrency.join(', ')}, prompt ${sweep.promptTokens} / output ${sweep.outputTokens} tokens${doc ? `, profile ${path.basename(doc.fileName)}` : ''}`);
  const ctl = new AbortController();
  running = ctl;
  const saved: LoadTestRecord[] = [];
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `KV Lens load test · ${origin}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => ctl.abort('cancelled'));
        let last = 0;
        return lazy.run().runLoadTest({
          baseUrl: url!, apiKey, api: sweep.api, steps,
          requestsPerStep: sweep.requestsPerStep || ((sh) => Math.max(16, 4 * (sh.concurrency ?? 1))),
          stepSeconds: sweep.stepSeconds, runSeconds: 3600,
          promptTokens: { kind: 'fixed', value: sweep.promptTokens }, outputTokens: { kind: 'fixed', value: sweep.outputTokens },
          signal: ctl.signal, profile: doc?.uri.scheme === 'file' ? doc.uri.fsPath : undefined,
          deployment: est.deployment, estimator: est.estimator, target: est.target,
          log: (line) => log.info(`load test: ${line}`),
          onProgress: (p) => {
            const frac = (p.step + p.done / Math.max(1, p.total)) / p.of;
            progress.report({ message: `step ${p.step + 1}/${p.of} (${p.label}): ${p.done}/${p.total}`, increment: Math.max(0, frac * 100 - last) });
            last = Math.max(last, frac * 100);
          },
          onStep: async (rec) => {
            await store.append([rec]);
            saved.push(rec);
            // Every open dashboard re-reads the store (the same signal a saved benchmark sends).
            s.bench.saved([]);
          },
        });
      },
    );
    log.info(lazy.text().loadTestText(result.records, { stoppedBecause: result.stoppedBecause }));
    const failed = result.records.reduce((a, r) => a + r.summary.requests.failed, 0);
    const msg = `KV Lens: load test of ${origin} finished — ${result.records.length} step(s)${failed ? `, ${failed} failed request(s)` : ''}${result.stoppedBecause ? ` (stopped: ${result.stoppedBecause})` : ''}.`;
    void (doc ? vscode.window.showInformationMessage(msg, 'Open Dashboard', 'Show Log') : vscode.window.showInformationMessage(msg, 'Show Log')).then((b) => {
      if (b === 'Open Dashboard' && doc) void showDashboard(s, doc.uri);
      if (b === 'Show Log') log.show(true);
    });
    if (doc) await showDashboard(s, doc.uri);
    return { state: ctl.signal.aborted ? 'cancelled' : 'done', steps: result.records.length, runId: result.runId, message: result.stoppedBecause };
  } catch (e) {
    const m = e instanceof Error ? e.message : String(e);
    log.error(`load test: ${m}`);
    void vscode.window.showErrorMessage(`KV Lens load test of ${origin}: ${m}${saved.length ? ` (${saved.length} finished step(s) were saved)` : ''}`);
    return { state: 'failed', steps: saved.length, message: m };
  } finally {
    running = undefined;
  }
}

/**
 * "Calibrate from this run": the run's steps against the profile's estimate, as calibration samples. Handed to
 * `kvlens.calibrate` when a calibration feature registers it (issue 13); saved as JSON beside the results store
 * until then, so nothing measured is lost.
 */
async function calibrate(s: Services, runId: unknown, uriArg: unknown): Promise<{ saved?: string; handedTo?: string } | undefined> {
  if (typeof runId !== 'string' || !runId) return undefined;
  const { loadTests } = await new (lazy.store().ResultsStore)(s.bench.resultsPath).readAll();
  const steps = (loadTests ?? []).filter((r) => r.runId === runId);
  if (!steps.length) { void vscode.window.showWarningMessage('KV Lens: that load test is no longer in the results store.'); return undefined; }
  const doc = await targetDocument(s.analyses, uriArg instanceof vscode.Uri ? uriArg : undefined);
  const analysis = doc ? await s.analyses.analyze(doc) : undefined;
  const est = estimatorFor(analysis, doc?.uri);
  if (!est.estimator) { void vscode.window.showWarningMessage('KV Lens: calibration needs the estimate of a profile: open the profile this endpoint serves.'); return undefined; }
  const estimator = est.estimator;
  const target = analysis?.estimates.find((x) => x.report)?.report?.targets.find((t) => t.id === est.target);
  const input = lazy.calibration().calibrationInput(steps, (rec) => lazy.estimate().estimateStep(rec, estimator, est.target), target ? assumedEfficiency(target.assumptions) : undefined);
  if (!input) { void vscode.window.showWarningMessage('KV Lens: no closed-loop step of this run has an estimate beside it.'); return undefined; }
  const commands = await vscode.commands.getCommands(true);
  if (commands.includes('kvlens.calibrate')) {
    await vscode.commands.executeCommand('kvlens.calibrate', input);
    return { handedTo: 'kvlens.calibrate' };
  }
  const dir = path.join(s.context.globalStorageUri.fsPath, 'calibration');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `loadtest-${runId}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(input, null, 2) + '\n');
  fs.renameSync(tmp, file);
  s.log().info(`calibration: ${input.samples.length} sample(s) from load test ${runId} saved to ${file}`);
  void vscode.window.showInformationMessage(`KV Lens: calibration data from ${input.samples.length} step(s) saved (${path.basename(file)}); per-machine calibration will read it.`, 'Show Log').then((b) => { if (b) s.log().show(true); });
  return { saved: file };
}

/** The efficiencies the estimate assumed, read back from its assumption line ("55 % of datasheet bandwidth and 40 % of peak FLOP/s"). */
function assumedEfficiency(assumptions: string[]): { bandwidth: number; compute: number } | undefined {
  for (const a of assumptions) {
    const m = /(\d+(?:\.\d+)?) % of datasheet bandwidth and (\d+(?:\.\d+)?) % of peak FLOP\/s/.exec(a);
    if (m) return { bandwidth: Number(m[1]) / 100, compute: Number(m[2]) / 100 };
  }
  return undefined;
}
