// One analysis per document version, shared by diagnostics, CodeLens, hover, status bar and commands: the core
// parses, validates and estimates; this class caches the result, drops stale ones and tells listeners.
import * as vscode from 'vscode';
import type { MachineCalibration } from '../core/estimator/calibration/machine';
import { loadCore, type ConfigFormat, type Deployment, type DeploymentVerdict, type EditorEstimate, type KvDiagnostic } from './core';
import * as config from './config';
import { PendingResolver } from './pendingResolver';
import { hubSettings } from './hubSettings';

/** Content sniffing is skipped for bigger documents (the core also refuses to parse them, with a diagnostic). */
const MAX_SNIFF_CHARS = 4 * 1024 * 1024;
// dockercompose: VS Code's own language id for compose.yaml / docker-compose.yml.
const CONTENT_SNIFF_LANGUAGES = new Set(['yaml', 'json', 'jsonc', 'shellscript', 'dockercompose']);
const SCHEMES = new Set(['file', 'untitled', 'vscode-remote', 'vscode-userdata', 'vscode-vfs']);

/** One deployment's estimate as the editor shows it (src/core/editorAnalysis.ts). */
export type DeploymentEstimate = EditorEstimate;

export interface DocumentAnalysis {
  uri: string;
  version: number;
  fileName: string;
  format: ConfigFormat;
  deployments: Deployment[];
  diagnostics: KvDiagnostic[];
  estimates: DeploymentEstimate[];
  /** One verdict per deployment and target (src/core/verdict.ts): what every surface states. */
  verdicts: DeploymentVerdict[];
  durationMs: number;
  /** This machine's speed calibration the estimates used (the panel's re-estimates use it too). */
  machineCalibration?: Record<string, MachineCalibration | undefined>;
}

type ModelResolver = ReturnType<ReturnType<typeof loadCore>['createModelResolver']>;

export class AnalysisService implements vscode.Disposable {
  private readonly cache = new Map<string, DocumentAnalysis>();
  private readonly inflight = new Map<string, { version: number; promise: Promise<DocumentAnalysis | undefined> }>();
  private readonly emitter = new vscode.EventEmitter<{ uri: vscode.Uri; analysis?: DocumentAnalysis }>();
  /** Fired after each fresh analysis (and with `analysis` undefined when a document stops being ours or closes). */
  readonly onDidAnalyze = this.emitter.event;
  private resultsFile: string | undefined;
  private resolver: PendingResolver<Awaited<ReturnType<ModelResolver['resolve']>>> | undefined;
  /** Documents whose last analysis waited on a model lookup: analysed again when one settles. */
  private readonly waiting = new Set<string>();

  /**
   * Created lazily so activation reads no catalog and compiles no schema. Hub ids resolve in the background (the
   * resolver answers 'pending' at once and announces the model when it arrives); any other lookup slower than
   * 150 ms (a large GGUF read the first time) answers 'pending' too, through PendingResolver. Either way the
   * diagnostics and lenses never wait, and the documents that waited are analysed again when the model is there.
   */
  private modelResolver(): PendingResolver<Awaited<ReturnType<ModelResolver['resolve']>>> {
    if (!this.resolver) {
      const hub = hubSettings();
      const inner = loadCore().createModelResolver({ network: 'background', hub, lmStudioFolder: hub.lmStudioFolder });
      inner.onDidResolve(() => this.reanalyzePending());
      this.resolver = new PendingResolver(inner, { onSettled: () => this.resolvedLater() });
    }
    return this.resolver;
  }

  /**
   * Counts model lookups that settled. A lookup can settle while an analysis that got `pending` is still running
   * (before its document is listed in `waiting`, or while a re-analysis joins that running one): run() compares
   * the count at its start and end, and analyses again when a lookup settled meanwhile, so no "resolving…" stays.
   */
  private settles = 0;

  private resolvedLater(): void {
    this.settles++;
    const keys = [...this.waiting];
    this.waiting.clear();
    for (const key of keys) {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
      if (!doc || doc.isClosed) continue;
      this.cache.delete(key);
      this.analyze(doc).catch((e) => console.error('[kvlens] analysis failed', e));
    }
  }

  /** Documents whose estimate waited for a Hub model: analysed again (the resolver answers from memory now). */
  private reanalyzePending(): void {
    this.settles++;
    for (const [key, a] of this.cache) {
      if (!a.estimates.some((e) => e.pending)) continue;
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
      this.cache.delete(key);
      if (doc && !doc.isClosed) void this.analyze(doc);
    }
  }

  /**
   * The results store Run Benchmark writes: this machine's saved runs refine the speed estimates of `local` and of
   * the catalog entry it is (issue 13's per-machine calibration). Read only when the file changed (size, mtime).
   */
  useResults(file: string): void {
    this.resultsFile = file;
  }

  private async machineCalibration(): Promise<Record<string, MachineCalibration | undefined> | undefined> {
    if (!this.resultsFile) return undefined;
    const c = loadCore();
    const m = await c.machineCalibrationFromStore(this.resultsFile).catch(() => undefined);
    if (!m) return undefined;
    let here: string | undefined;
    try { here = c.currentLocalDetection().target.catalogId; } catch { here = undefined; }
    return { local: m, ...(here ? { [here]: m } : {}) };
  }

  /** New measured runs were saved: every open document's speed figures are recomputed with them. */
  reanalyzeAll(): void {
    for (const key of [...this.cache.keys()]) {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
      this.cache.delete(key);
      if (doc && !doc.isClosed) void this.analyze(doc);
    }
  }

  /** Settings or workspace trust changed: the next resolve uses the new Hub settings. */
  resetModelResolver(): void {
    this.resolver = undefined;
  }

  /** The format of a document KV Lens handles, or undefined. Cheap: a name check, then a content sniff for YAML/JSON. */
  formatOf(doc: vscode.TextDocument): ConfigFormat | undefined {
    if (!SCHEMES.has(doc.uri.scheme)) return undefined;
    const assoc = config.fileAssociations(doc.uri);
    const c = loadCore();
    const byName = c.detectFormat(doc.fileName, undefined, assoc);
    // A Kubernetes manifest or compose file named for what it runs (`vllm-deployment.yaml`) is not a vLLM config:
    // the name pattern alone would give it false errors ("multiple documents", every key unknown). A user's
    // association still wins.
    if (byName && !((byName === 'vllm' || byName === 'llama-swap') && !c.detectByAssociation(doc.fileName, assoc))) return byName;
    if (!CONTENT_SNIFF_LANGUAGES.has(doc.languageId)) return byName;
    const text = doc.getText();
    if (text.length > MAX_SNIFF_CHARS) return byName;
    // By name, then by content; a vLLM or llama-swap name over a manifest's or compose file's content gives way.
    return c.detectFormat(doc.fileName, text, assoc);
  }

  /** The cached analysis when it is for the document's current version. */
  current(doc: vscode.TextDocument): DocumentAnalysis | undefined {
    const a = this.cache.get(doc.uri.toString());
    return a && a.version === doc.version ? a : undefined;
  }

  /** The last analysis whatever its version: CodeLens keeps showing it while the next one computes. */
  last(uri: vscode.Uri): DocumentAnalysis | undefined {
    return this.cache.get(uri.toString());
  }

  /**
   * Analyses the document's current version, once: concurrent callers share the promise. Resolves undefined when
   * the document is not ours, or when it changed meanwhile (the caller asks again for the new version).
   */
  analyze(doc: vscode.TextDocument): Promise<DocumentAnalysis | undefined> {
    const key = doc.uri.toString();
    const cached = this.current(doc);
    if (cached) return Promise.resolve(cached);
    const running = this.inflight.get(key);
    if (running && running.version === doc.version) return running.promise;
    const version = doc.version;
    const promise = this.run(doc, version).finally(() => {
      if (this.inflight.get(key)?.promise === promise) this.inflight.delete(key);
    });
    this.inflight.set(key, { version, promise });
    return promise;
  }

  private async run(doc: vscode.TextDocument, version: number): Promise<DocumentAnalysis | undefined> {
    const key = doc.uri.toString();
    const format = this.formatOf(doc);
    if (!format) {
      this.forget(doc.uri);
      return undefined;
    }
    const started = performance.now();
    const settlesAtStart = this.settles;
    const text = doc.getText();
    // The core refuses texts over its limits with one diagnostic and no parse, and never throws.
    // The format is known already: analyzeText need not sniff the content a second time.
    // kvlens.vllm.version, kvlens.llamaCpp.build, kvlens.pathMappings choose the tables and where server paths live.
    // EDITOR_LIMITS (issue 9): the parser is synchronous, so the editor analyses up to 512 KiB / 25,000 lines.
    const settings = vscode.workspace.getConfiguration('kvlens', doc.uri);
    const tables = loadCore().formatOptionsFromSettings((k) => settings.get(k));
    const machineCalibration = await this.machineCalibration();
    const analysis = await loadCore().analyzeForEditor(text, doc.fileName, {
      format, modelResolver: this.modelResolver(), defaultTargets: config.defaultTargets(doc.uri), customTargets: config.customTargets(),
      ...tables, ...loadCore().EDITOR_LIMITS, machineCalibration,
    });
    if (doc.version !== version || doc.isClosed) return undefined;
    const pending = analysis.estimates.some((e) => e.pending);
    if (pending) this.waiting.add(key);
    const result: DocumentAnalysis = {
      uri: key, version, fileName: doc.fileName, format,
      deployments: analysis.deployments, diagnostics: analysis.diagnostics, estimates: analysis.estimates, verdicts: analysis.verdicts,
      ...(machineCalibration ? { machineCalibration } : {}),
      durationMs: performance.now() - started,
    };
    if (doc.version !== version || doc.isClosed) return undefined;
    this.cache.set(key, result);
    this.emitter.fire({ uri: doc.uri, analysis: result });
    if (pending && this.settles !== settlesAtStart) {
      // A lookup settled while this analysis ran: its answer is kept by the resolver, so analyse again now.
      setTimeout(() => {
        if (this.cache.get(key) !== result || doc.isClosed) return;
        this.cache.delete(key);
        this.analyze(doc).catch((e) => console.error('[kvlens] analysis failed', e));
      }, 0);
    }
    return result;
  }

  forget(uri: vscode.Uri): void {
    const key = uri.toString();
    this.inflight.delete(key);
    this.waiting.delete(key);
    if (this.cache.delete(key)) this.emitter.fire({ uri });
  }

  dispose(): void {
    this.cache.clear();
    this.inflight.clear();
    this.emitter.dispose();
  }
}
