// One analysis per document version, shared by diagnostics, CodeLens, hover, status bar and commands: the core
// parses, validates and estimates; this class caches the result, drops stale ones and tells listeners.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadCore, type ConfigFormat, type Deployment, type EstimateReport, type KvDiagnostic, type ModelDescriptor, type TargetRef } from './core';
import * as config from './config';
import { hubSettings } from './hubSettings';

/** Content sniffing is skipped for bigger documents (the core also refuses to parse them, with a diagnostic). */
const MAX_SNIFF_CHARS = 4 * 1024 * 1024;
const CONTENT_SNIFF_LANGUAGES = new Set(['yaml', 'json', 'jsonc', 'shellscript']);
const SCHEMES = new Set(['file', 'untitled', 'vscode-remote', 'vscode-userdata', 'vscode-vfs']);

export interface DeploymentEstimate {
  deployment: Deployment;
  report?: EstimateReport;
  /** The model the estimate used (hovers recompute the exact KV layout from it). */
  model?: ModelDescriptor;
  /** Why there is no estimate (model missing, unknown target, estimator error): shown instead of numbers. */
  problem?: string;
  /** The model is being read from the Hub ("resolving Qwen/Qwen3-8B…"); the document is re-analysed when it arrives. */
  pendingModel?: string;
}

export interface DocumentAnalysis {
  uri: string;
  version: number;
  fileName: string;
  format: ConfigFormat;
  deployments: Deployment[];
  diagnostics: KvDiagnostic[];
  estimates: DeploymentEstimate[];
  durationMs: number;
}

type ModelResolver = ReturnType<ReturnType<typeof loadCore>['createModelResolver']>;

export class AnalysisService implements vscode.Disposable {
  private readonly cache = new Map<string, DocumentAnalysis>();
  private readonly inflight = new Map<string, { version: number; promise: Promise<DocumentAnalysis | undefined> }>();
  private readonly emitter = new vscode.EventEmitter<{ uri: vscode.Uri; analysis?: DocumentAnalysis }>();
  /** Fired after each fresh analysis (and with `analysis` undefined when a document stops being ours or closes). */
  readonly onDidAnalyze = this.emitter.event;
  private resolver: ModelResolver | undefined;

  /**
   * Created lazily so activation reads no catalog and compiles no schema. Hub ids resolve in the background: an
   * answer never waits for the network; when a pending model arrives, documents that used it are re-analysed.
   */
  private modelResolver(): ModelResolver {
    if (!this.resolver) {
      const hub = hubSettings();
      this.resolver = loadCore().createModelResolver({ network: 'background', hub, lmStudioFolder: hub.lmStudioFolder });
      this.resolver.onDidResolve(() => this.reanalyzePending());
    }
    return this.resolver;
  }

  /** Documents whose estimate waited for a model: analysed again (the resolver answers from memory now). */
  private reanalyzePending(): void {
    for (const [key, a] of this.cache) {
      if (!a.estimates.some((e) => e.pendingModel)) continue;
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
    const byName = loadCore().detectFormat(doc.fileName, undefined, assoc);
    if (byName) return byName;
    if (!CONTENT_SNIFF_LANGUAGES.has(doc.languageId)) return undefined;
    const text = doc.getText();
    if (text.length > MAX_SNIFF_CHARS) return undefined;
    return loadCore().detectFormat(doc.fileName, text, assoc);
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
    const text = doc.getText();
    // The core refuses texts over its limits with one diagnostic and no parse, and never throws.
    // The format is known already: analyzeText need not sniff the content a second time.
    // kvlens.vllm.version, kvlens.llamaCpp.build, kvlens.pathMappings choose the tables and where server paths live.
    // EDITOR_LIMITS (issue 9): the parser is synchronous, so the editor analyses up to 512 KiB / 25,000 lines.
    const settings = vscode.workspace.getConfiguration('kvlens', doc.uri);
    const tables = loadCore().formatOptionsFromSettings((k) => settings.get(k));
    const analysis = await loadCore().analyzeText(text, doc.fileName, { format, modelResolver: this.modelResolver(), ...tables, ...loadCore().EDITOR_LIMITS });
    if (doc.version !== version || doc.isClosed) return undefined;
    const estimates = await this.estimateAll(analysis.deployments, doc);
    const result: DocumentAnalysis = {
      uri: key, version, fileName: doc.fileName, format,
      deployments: analysis.deployments, diagnostics: analysis.diagnostics, estimates,
      durationMs: performance.now() - started,
    };
    if (doc.version !== version || doc.isClosed) return undefined;
    this.cache.set(key, result);
    this.emitter.fire({ uri: doc.uri, analysis: result });
    return result;
  }

  private async estimateAll(deployments: Deployment[], doc: vscode.TextDocument): Promise<DeploymentEstimate[]> {
    const baseDir = path.dirname(doc.fileName);
    const out: DeploymentEstimate[] = [];
    // A file with thousands of deployments (issue 9: a llama-swap file with 75,000 models) gets estimates for the
    // first ones, with the event loop handed back between them, so the extension host never freezes.
    const slice = loadCore().timeSlicer();
    for (const deployment of deployments.slice(0, loadCore().MAX_ESTIMATED_DEPLOYMENTS)) {
      await slice();
      out.push(await this.estimateOne(deployment, baseDir, doc.uri));
    }
    return out;
  }

  private async estimateOne(deployment: Deployment, baseDir: string, uri: vscode.Uri): Promise<DeploymentEstimate> {
    const ref = deployment.model?.ref ?? deployment.engine.modelRef;
    if (!ref) return { deployment, problem: 'no model: set `model:` to estimate memory and speed' };
    try {
      const resolved = await this.modelResolver().resolve(ref, baseDir);
      if (resolved.kind === 'pending') return { deployment, problem: resolved.error ?? `resolving ${ref}…`, pendingModel: ref };
      if (!resolved.descriptor) {
        return { deployment, problem: resolved.kind === 'missing' ? `model not found: ${ref}` : `model not readable: ${resolved.error ?? ref}` };
      }
      const refs: TargetRef[] = deployment.targets.length > 0 ? deployment.targets : config.defaultTargets(uri).map((id) => ({ id }));
      if (refs.length === 0) return { deployment, problem: 'no targets: add `targets:` or set kvlens.targets.default' };
      const { targets, errors } = loadCore().resolveTargets(refs, config.customTargets());
      if (targets.length === 0) return { deployment, problem: errors[0]?.message ?? 'no known target' };
      const targetAssumptions: Record<string, string[]> = {};
      for (const t of targets) if (t.assumptions?.length) targetAssumptions[t.id] = t.assumptions;
      let draft;
      if (deployment.speculative?.draftRef) draft = (await this.modelResolver().resolve(deployment.speculative.draftRef, baseDir)).descriptor;
      const report = loadCore().estimate(deployment, resolved.descriptor, targets, { targetAssumptions, draft });
      return { deployment, report, model: resolved.descriptor };
    } catch (e) {
      return { deployment, problem: `estimate failed: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  forget(uri: vscode.Uri): void {
    const key = uri.toString();
    this.inflight.delete(key);
    if (this.cache.delete(key)) this.emitter.fire({ uri });
  }

  dispose(): void {
    this.cache.clear();
    this.inflight.clear();
    this.emitter.dispose();
  }
}
