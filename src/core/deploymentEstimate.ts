// The one way a deployment gets its estimate: the memory-fit rule (Problems), the editor's CodeLens, hover and
// status bar, and the panel all call this with the same inputs, so they cannot disagree. Before it existed the
// rule estimated without the speculative draft and without the settings' default targets, while the editor
// estimated with both — which is why the 70B vLLM example said "7 sequences fit" in Problems and 6 in the lens.
import type { Deployment, TargetRef } from './deployment';
import type { EstimateReport } from './estimator/report';
import { estimate } from './estimator/estimate';
import type { HardwareTarget } from './hardware/types';
import { resolveTargets, type CustomTarget, type TargetError, type TargetNotice } from './hardware/targets';
import type { ModelDescriptor } from './models/descriptor';
import type { MachineCalibration } from './estimator/calibration/machine';

export interface DeploymentEstimateInput {
  /** This machine's speed calibration by target id (`local` and its catalog id), from its saved runs. */
  machineCalibration?: Record<string, MachineCalibration | undefined>;
  model?: ModelDescriptor;
  /** The speculative draft's descriptor, when the deployment names one and it resolved. */
  draft?: ModelDescriptor;
  /** Catalog ids to size for when the deployment names no targets (the `kvlens.targets.default` setting). */
  defaultTargets?: readonly string[];
  /** `kvlens.targets.custom`. */
  customTargets?: readonly CustomTarget[];
  /** Per-cache-type what-ifs (the editor wants them; the rule does not). Main figures are the same either way. */
  whatIfs?: boolean;
}

export interface DeploymentEstimateResult {
  report?: EstimateReport;
  /** The hardware each report target was computed on, in report order (quick fixes re-run the estimator on it). */
  hardware: Array<HardwareTarget & { range?: TargetRef['range'] }>;
  /** Unknown or incomplete targets; the others are still estimated. */
  targetErrors: TargetError[];
  /** Targets written as names ("RTX 4090") that resolved to a catalog id. */
  targetNotices: TargetNotice[];
  /** True when the targets came from settings rather than the file (lenses then sit on the model line). */
  targetsFromSettings: boolean;
  /** Why there is no report at all. */
  problem?: string;
}

/** The deployment's own targets, else the default ids. */
export function targetRefsFor(d: Deployment, defaults: readonly string[] = []): { refs: TargetRef[]; fromSettings: boolean } {
  if (d.targets.length > 0) return { refs: d.targets, fromSettings: false };
  return { refs: defaults.filter((id) => typeof id === 'string' && id.trim()).map((id) => ({ id })), fromSettings: true };
}

export function estimateDeployment(d: Deployment, inp: DeploymentEstimateInput): DeploymentEstimateResult {
  const { refs, fromSettings } = targetRefsFor(d, inp.defaultTargets);
  const base = { hardware: [], targetErrors: [], targetNotices: [], targetsFromSettings: fromSettings };
  if (refs.length === 0) return { ...base, problem: 'no targets: add `targets:` or set kvlens.targets.default' };
  const { targets, errors, notices = [] } = resolveTargets(refs, [...(inp.customTargets ?? [])]);
  if (!inp.model) return { ...base, targetErrors: errors, targetNotices: notices, problem: 'no model' };
  if (targets.length === 0) return { ...base, targetErrors: errors, targetNotices: notices, problem: errors[0]?.message ?? 'no known target' };
  const targetAssumptions: Record<string, string[]> = {};
  for (const t of targets) if (t.assumptions?.length) targetAssumptions[t.id] = t.assumptions;
  const report = estimate(d, inp.model, targets, { targetAssumptions, draft: inp.draft, whatIfs: inp.whatIfs, machineCalibration: inp.machineCalibration });
  return { report, hardware: targets, targetErrors: errors, targetNotices: notices, targetsFromSettings: fromSettings };
}
