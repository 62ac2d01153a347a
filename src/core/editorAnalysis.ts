// What the editor shows for one file, computed in one place: diagnostics (analyzeText, whose memory-fit rule
// estimates through deploymentEstimate.ts), then per deployment the same estimate with what-ifs, then the
// verdicts. The extension's analysis service and the agreement tests both call this, so what the tests check is
// what the editor shows. Pure TypeScript: no 'vscode'.
import { MAX_ESTIMATED_DEPLOYMENTS, timeSlicer } from './timeSlice';
import { estimateDeployment } from './deploymentEstimate';
import type { ConfigFormat, Deployment } from './deployment';
import type { KvDiagnostic, Range } from './diagnostics';
import type { EstimateReport } from './estimator/report';
import { analyzeText, resolveModelRef } from './formats/analyze';
import { mapServerPath } from './rules/modelRefs';
import type { CustomTarget } from './hardware/targets';
import type { ModelDescriptor } from './models/descriptor';
import type { MachineCalibration } from './estimator/calibration/machine';
import type { ModelResolution, ModelResolverLike } from './rules/rule';
import { deploymentVerdicts, type DeploymentVerdict } from './verdict';
import * as path from 'node:path';

export interface EditorEstimate {
  deployment: Deployment;
  report?: EstimateReport;
  /** The model the estimate used (hovers recompute the exact KV layout from it). */
  model?: ModelDescriptor;
  /** Why there is no estimate (model missing, unknown target, estimator error): shown instead of numbers. */
  problem?: string;
  /** The resolver's own words on a missing or unreadable model (where it looked, how to get it). */
  problemDetail?: string;
  /** The model is still being looked up (a slow resolver answered 'pending'). */
  pending?: boolean;
  /** Targets came from the default-targets setting: target lenses sit on the model line. */
  targetsFromSettings?: boolean;
  /** Where each report target is written in the file (report order); undefined for targets from settings. */
  targetRanges?: Array<Range | undefined>;
  /** Targets that could not be resolved (unknown ids): the others are still estimated. */
  targetErrors?: Array<{ ref: string; message: string; range?: Range; suggestions: string[] }>;
}

export interface EditorAnalysis {
  format?: ConfigFormat;
  deployments: Deployment[];
  diagnostics: KvDiagnostic[];
  estimates: EditorEstimate[];
  verdicts: DeploymentVerdict[];
}

export interface EditorAnalysisOptions {
  format?: ConfigFormat;
  associations?: Record<string, ConfigFormat>;
  modelResolver: ModelResolverLike;
  defaultTargets?: readonly string[];
  customTargets?: readonly CustomTarget[];
  /** Passed through to analyzeText (the editor's kvlens.vllm.version, kvlens.llamaCpp.build, kvlens.pathMappings). */
  vllmVersion?: string;
  llamaCppBuild?: string;
  pathMappings?: Record<string, string>;
  /** Size limits passed to analyzeText (the editor passes EDITOR_LIMITS: its parser runs on the extension host's thread). */
  maxChars?: number;
  maxItems?: number;
  /** This machine's speed calibration by target id (from the results store): later estimates use its runs. */
  machineCalibration?: Record<string, MachineCalibration | undefined>;
}

export async function analyzeForEditor(text: string, fileName: string, opts: EditorAnalysisOptions): Promise<EditorAnalysis> {
  const analysis = await analyzeText(text, fileName, {
    format: opts.format, associations: opts.associations, modelResolver: opts.modelResolver,
    defaultTargets: opts.defaultTargets, customTargets: opts.customTargets, vllmVersion: opts.vllmVersion, llamaCppBuild: opts.llamaCppBuild, pathMappings: opts.pathMappings,
    maxChars: opts.maxChars, maxItems: opts.maxItems,
  });
  const baseDir = path.dirname(path.resolve(fileName));
  const estimates: EditorEstimate[] = [];
  // A file with thousands of deployments (a llama-swap file with 75,000 models) gets estimates for the first
  // MAX_ESTIMATED_DEPLOYMENTS, with the event loop handed back between them, so the extension host never freezes.
  const slice = timeSlicer();
  const n = Math.min(analysis.deployments.length, MAX_ESTIMATED_DEPLOYMENTS);
  for (let i = 0; i < n; i++) {
    const pause = slice();
    if (pause) await pause;
    estimates.push(await estimateOne(analysis.deployments[i], baseDir, opts));
  }
  const verdicts = deploymentVerdicts(estimates.map((e) => ({
    deployment: e.deployment, report: e.report, problem: e.problem, pending: e.pending, targetsFromSettings: e.targetsFromSettings,
  })), analysis.diagnostics);
  return { format: analysis.format, deployments: analysis.deployments, diagnostics: analysis.diagnostics, estimates, verdicts };
}

/** The model as the rules resolved it (path mappings, a server path's model name): one resolution for both. */
async function resolve(opts: EditorAnalysisOptions, ref: string, baseDir: string): Promise<ModelResolution> {
  try {
    return await resolveModelRef(opts.modelResolver, ref, mapServerPath(ref, opts.pathMappings), baseDir);
  } catch (e) {
    return { kind: 'error', error: e instanceof Error ? e.message : String(e) };
  }
}

async function estimateOne(deployment: Deployment, baseDir: string, opts: EditorAnalysisOptions): Promise<EditorEstimate> {
  const ref = deployment.model?.ref ?? deployment.engine.modelRef;
  // llama.cpp's `-hf repo[:quant]` is the model's ref already (profiles, llama-swap, serve commands).
  if (!ref) return { deployment, problem: 'no model: set `model:` (or -m, -hf) to estimate memory and speed' };
  try {
    const resolved = await resolve(opts, ref, baseDir);
    if (resolved.kind === 'pending') return { deployment, pending: true, problem: `resolving ${ref}…` };
    if (!resolved.descriptor) {
      // `$MODEL`, `${MODEL_DIR}/x.gguf`: set where the script or container runs, so there is nothing to look for here.
      const variable = /\$\{?[A-Za-z_]\w*/.exec(ref)?.[0];
      if (resolved.kind === 'missing' && variable) return { deployment, problem: `not sized: the model is ${ref} (${variable}${variable.startsWith('${') ? '}' : ''} is set where it runs)` };
      return { deployment, problem: resolved.kind === 'missing' ? `model not found: ${ref}` : `model not readable: ${resolved.error ?? ref}`, problemDetail: resolved.error };
    }
    const draftRef = deployment.speculative?.draftRef;
    const draftResolved = draftRef ? await resolve(opts, draftRef, baseDir) : undefined;
    // A draft still being looked up: no estimate yet rather than one that leaves the draft's weights and KV out
    // of memory (it is re-analysed when the lookup settles, as for the model itself).
    if (draftResolved?.kind === 'pending') return { deployment, pending: true, problem: `resolving ${draftRef} (draft)…` };
    const draft = draftResolved?.descriptor;
    const est = estimateDeployment(deployment, {
      model: resolved.descriptor, draft, defaultTargets: opts.defaultTargets, customTargets: opts.customTargets, machineCalibration: opts.machineCalibration,
    });
    const common = {
      deployment, model: resolved.descriptor, targetsFromSettings: est.targetsFromSettings,
      targetErrors: est.targetErrors.length ? est.targetErrors.map((e) => ({ ref: e.ref, message: e.message, range: e.range, suggestions: e.suggestions })) : undefined,
    };
    if (!est.report) return { ...common, problem: est.problem ?? 'no estimate' };
    return { ...common, report: est.report, targetRanges: est.hardware.map((h) => h.range) };
  } catch (e) {
    return { deployment, problem: `estimate failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}
