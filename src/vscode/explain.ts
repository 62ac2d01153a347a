// Hover text for one setting of one deployment: the estimator's own explanations (src/core/estimator/explain.ts:
// formulas with this file's numbers plugged in, assumptions, sources), chosen by what is under the cursor, plus
// the cache-type what-ifs. Only types come from 'vscode'.
import type { DeploymentEstimate } from './analysisService';
import type { HoverSubject } from './providers/hover';
import { loadCore, type DeploymentVerdict, type EstimateReport, type FlagSpec, type TargetEstimate, type TargetVerdict } from './core';
import { bytesText, headline, mdEscape, noSpeedText, rateText, speedBandText, targetLabel } from './text';

const KV_KEYS = new Set(['cacheTypeK', 'cacheTypeV', 'kvCacheDtype', 'flashAttention', 'unifiedKv', 'blockSize', 'swaFull', 'dtype']);
const CONTEXT_KEYS = new Set(['contextSize']);
const PARALLEL_KEYS = new Set(['parallel', 'concurrency', 'tensorParallel', 'pipelineParallel', 'dataParallel', 'gpuMemoryUtilization', 'cpuOffloadGb', 'swapSpaceGb']);
const TIME_KEYS = new Set(['promptTokens', 'outputTokens', 'batchSize', 'ubatchSize', 'threads', 'gpuLayers', 'maxNumBatchedTokens']);
const SEP = '\n\n---\n\n';

/** The verdict line every hover about a target starts with: the same words and numbers as its CodeLens. */
export function verdictText(v: TargetVerdict, t?: TargetEstimate): string {
  const no = noSpeedText(v);
  // Beside the speed figures, their measured error (the calibration's held-out band, or this machine's runs).
  const band = !no && t ? speedBandText(t) : undefined;
  return [`**KV Lens: ${mdEscape(headline(v))}**`, ...(no ? ['', mdEscape(no)] : []), ...(band ? ['', `_${mdEscape(band)}_`] : [])].join('\n');
}

export function explainSetting(est: DeploymentEstimate, subject: HoverSubject, primaryId?: string, verdict?: DeploymentVerdict): string | undefined {
  const r = est.report;
  if (!r) return est.problem ? `**KV Lens — ${est.pending ? 'estimating' : 'no estimate'}**\n\n${mdEscape(est.problem)}` : undefined;
  const index = Math.max(0, (primaryId && r.targets.findIndex((t) => t.id === primaryId)) || 0);
  const target = r.targets[index] ?? r.targets[0];
  const tv = verdict?.targets[index];
  const c = loadCore();
  const head = tv ? verdictText(tv, target) : '';
  if (subject.kind === 'model') return [head, modelText(r), kvText(est)].filter(Boolean).join(SEP);
  if (subject.kind === 'target') {
    const ref = est.deployment.targets[subject.index];
    const rangeOf = (i: number) => est.targetRanges?.[i];
    // The report lists only the targets that resolved: find this entry by where it is written, else by id.
    let j = ref?.range ? r.targets.findIndex((_, i) => sameStart(rangeOf(i), ref.range)) : -1;
    if (j < 0) {
      const id = ref && 'id' in ref ? ref.id.trim().toLowerCase() : undefined;
      j = id ? r.targets.findIndex((x) => x.id === id) : -1;
    }
    const t = r.targets[j];
    if (!t) return undefined;
    const v = verdict?.targets[j];
    return [v ? verdictText(v, t) : '', c.explainTarget(r, t)].filter(Boolean).join(SEP);
  }
  if (!target) return kvText(est);
  const key = subject.key;
  const timing = tv && !tv.speed ? mdEscape(noSpeedText(tv) ?? '') : c.explainTiming(r, target);
  if (KV_KEYS.has(key)) return [head, kvText(est), c.explainMemory(r, target), whatIfText(target)].filter(Boolean).join(SEP);
  if (CONTEXT_KEYS.has(key)) return [head, kvText(est), c.explainConcurrency(r, target), c.explainMemory(r, target)].filter(Boolean).join(SEP);
  if (PARALLEL_KEYS.has(key)) return [head, c.explainConcurrency(r, target), c.explainMemory(r, target), timing].filter(Boolean).join(SEP);
  if (TIME_KEYS.has(key)) return [head, timing, c.explainAssumptions(target)].filter(Boolean).join(SEP);
  return undefined;
}

function sameStart(a: { start: { line: number; character: number } } | undefined, b: { start: { line: number; character: number } } | undefined): boolean {
  return !!a && !!b && a.start.line === b.start.line && a.start.character === b.start.character;
}

/** The KV formula for this deployment: llama.cpp's exact allocation, or vLLM's per-token figure. */
export function kvText(est: DeploymentEstimate): string | undefined {
  const m = est.model;
  if (!m || !est.report) return undefined;
  const c = loadCore();
  try {
    const e = c.resolveEngine(est.deployment, m);
    if (e.kind === 'vllm') return `**KV cache (vLLM)**\n\n${c.explainVllmKv(m, e.kvCacheDtype, e.dtype, e.tensorParallel)}`;
    const kv = c.llamaKvCache(m, {
      nCtx: e.contextSize, nSeq: e.parallel, unified: e.unified, typeK: e.typeK, typeV: e.typeV,
      nUbatch: e.nUbatch, nBatch: e.nBatch, swaFull: e.swaFull, flashAttention: e.flashAttention,
    });
    return c.explainKvCache(m, kv);
  } catch (err) {
    return `**KV cache**\n\n${est.report.engine.kvBytesPerToken.toLocaleString('en-US')} B/token (${mdEscape(err instanceof Error ? err.message : String(err))})`;
  }
}

function whatIfText(t: TargetEstimate): string {
  if (!t.whatIfs?.length) return '';
  const rows = t.whatIfs.filter((w) => !w.windowTokens).map((w) =>
    `| ${w.cacheTypeK}/${w.cacheTypeV} | ${bytesText(w.kvBytes)} | ${w.maxSequences} | ${rateText(w.decodeTokensPerSec)} | ${w.invalid ? mdEscape(w.invalid) : w.fits ? '✓' : '✗'} |`);
  return `**Other cache types on ${mdEscape(targetLabel(t))}**\n\n| K/V | KV | users | tok/s/user | |\n|---|---|---|---|---|\n${rows.join('\n')}`;
}

function modelText(r: EstimateReport): string {
  const m = r.model;
  const lines = [
    `**${mdEscape(m.name)}** — ${mdEscape(m.architecture)}, ${m.layers} layers, KV heads ${Array.isArray(m.kvHeads) ? mdEscape(m.kvHeads.join(',')) : m.kvHeads}, head dim ${m.headDim}`,
    '',
    `Parameters ${rateText(m.params / 1e9)} B (${rateText(m.activeParams / 1e9)} B active per token); weights ${bytesText(m.weightsBytes)}.`,
  ];
  if (m.missing?.length) lines.push('', `Not known from the source: ${m.missing.map(mdEscape).join(', ')}.`);
  return lines.join('\n');
}

/** llama.cpp flag documentation from the flag table (the llama.cpp bundled with node-llama-cpp). */
export function flagDoc(spec: FlagSpec, negative: boolean): string {
  const names = [...spec.names, ...spec.negNames].map((n) => `\`${n}\``).join(', ');
  const lines = [`**llama.cpp ${names}**${negative ? ' (negative form)' : ''}`, '', mdEscape(spec.description)];
  if (spec.values?.length) lines.push('', `Values: ${spec.values.map((v) => `\`${v}\``).join(', ')}`);
  else if (spec.hint) lines.push('', `Value: \`${spec.hint}\``);
  if (spec.deprecated) lines.push('', `Deprecated: ${mdEscape(spec.deprecated)}`);
  if (spec.removed) lines.push('', `Removed: ${mdEscape(spec.removed)}`);
  return lines.join('\n');
}
