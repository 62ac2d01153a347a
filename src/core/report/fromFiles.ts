// Estimates for the HTML report, from a profile on disk: the same pipeline as `kvlens estimate` (analyse, resolve
// the model, resolve targets, estimate), plus a re-estimator for the chart sweeps. No VS Code.
import * as path from 'node:path';
import type { Deployment, TargetRef } from '../deployment';
import { analyzeText } from '../formats/analyze';
import { createModelResolver, type ModelResolver } from '../models/resolve';
import type { ModelDescriptor } from '../models/descriptor';
import { resolveTargets } from '../hardware/targets';
import { detectLocalTarget } from '../hardware/local';
import { estimate } from '../estimator/estimate';
import type { DeploymentInput } from './viewModel';
import { makeReestimate } from './reestimate';
import { LIMITS } from '../io/limits';
import { readInputText } from '../io/read';

export const DEFAULT_REPORT_TARGETS: TargetRef[] = [{ id: 'h100-sxm' }, { id: 'local' }];

export interface ProfileEstimates {
  deployments: DeploymentInput[];
  /** Problems worth a line in the report (syntax errors, unknown targets). */
  notes: string[];
}

export async function estimateDeployment(d: Deployment, baseDir: string, resolver: ModelResolver, notes: string[]): Promise<DeploymentInput> {
  const ref = d.model?.ref ?? d.engine.modelRef;
  if (!ref) return { name: d.name, error: 'no model: set `model:` to estimate memory and speed' };
  const resolved = await resolver.resolve(ref, baseDir);
  if (!resolved.descriptor) return { name: d.name, error: resolved.kind === 'missing' ? `model not found: ${ref}` : `model not readable: ${resolved.error ?? ref}` };
  const model = resolved.descriptor;
  let draft: ModelDescriptor | undefined;
  if (d.speculative?.draftRef) draft = (await resolver.resolve(d.speculative.draftRef, baseDir)).descriptor;
  const refs = d.targets.length ? d.targets : DEFAULT_REPORT_TARGETS;
  if (refs.some((r) => 'id' in r && r.id.toLowerCase() === 'local')) await detectLocalTarget();
  const { targets, errors } = resolveTargets(refs);
  for (const e of errors) notes.push(`${d.name}: ${e.message}`);
  if (!targets.length) return { name: d.name, error: errors[0]?.message ?? 'no known hardware target' };
  const targetAssumptions: Record<string, string[]> = {};
  for (const t of targets) if (t.assumptions?.length) targetAssumptions[t.id] = t.assumptions;
  const run = (x: Deployment) => estimate(x, model, targets, { draft, targetAssumptions });
  try {
    return { name: d.name, report: run(d), reestimate: makeReestimate(d, run) };
  } catch (e) {
    return { name: d.name, error: `estimate failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * Estimates of a profile on disk. The read is bounded (core/io): a regular file up to 4 MiB, or — only with
 * `allowSpecial`, for a path the user typed — a pipe. Paths found inside results files never get that.
 */
export async function estimateProfile(file: string, resolver: ModelResolver = createModelResolver(), opts: { allowSpecial?: boolean } = {}): Promise<ProfileEstimates> {
  const text = await readInputText(file, { maxBytes: LIMITS.configBytes, what: 'profile', allowSpecial: opts.allowSpecial ?? false });
  const analysis = await analyzeText(text, file, { modelResolver: resolver });
  if (!analysis.format) throw new Error(`'${file}' is not a KV Lens profile, vLLM config or llama-swap config (run \`kvlens check\`)`);
  const notes: string[] = [];
  const errors = analysis.diagnostics.filter((x) => x.severity === 'error');
  if (errors.length) notes.push(`${errors.length} error(s) in the file; the first: line ${errors[0].range.start.line + 1}: ${errors[0].message}`);
  const baseDir = path.dirname(file);
  const deployments: DeploymentInput[] = [];
  for (const d of analysis.deployments) deployments.push(await estimateDeployment(d, baseDir, resolver, notes));
  return { deployments, notes };
}
