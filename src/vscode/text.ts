// What the CodeLens, status bar, hover and details document say, as plain functions of the estimate and its
// verdict (src/core/verdict.ts). No 'vscode' import, so the same text can be checked in a unit test and in the
// extension host. Every figure goes through a formatter that prints "?" rather than NaN or undefined.
import type { Deployment } from '../core/deployment';
import type { EstimateReport, TargetEstimate } from '../core/estimator/report';
import {
  bytesText, clip, fitText, headline, lensText, MAX_LENS_COLUMNS, noSpeedText, rateText, secondsText, statusBarText, targetLabel,
  targetVerdict, tokensText, VERDICT_ICONS, VERDICT_MARKS, VERDICT_WORDS, type DeploymentVerdict, type TargetVerdict,
} from '../core/verdict';
import { calibrationView } from '../core/report/calibrationView';

export { bytesText, fitText, rateText, secondsText, targetLabel, tokensText, VERDICT_ICONS, VERDICT_MARKS, VERDICT_WORDS };
export { headline, lensText, noSpeedText };

export function cacheTypeText(k: string, v: string): string {
  return k === v ? k : `K ${k}/V ${v}`;
}

/**
 * Several target lenses on one line (`targets: [a, b, c]`, or the settings' targets on the model line): each
 * says only what tells them apart — the verdict, memory and users — so all of them fit on the line.
 */
export function compactLensText(v: TargetVerdict): string {
  if (v.state === 'will-not-start') return clip(`${v.label} ✗ won't start`, MAX_LENS_COLUMNS);
  return clip(`${v.label} ${v.mark} ${v.summary}`, MAX_LENS_COLUMNS);
}

/** The engine lens, on `args:`/`options:`/`cmd:`: what the engine allocates, the same for every target. */
export function engineLensText(report: EstimateReport, d: Deployment, server?: string): string {
  const e = report.engine;
  const kv = `KV ${cacheTypeText(e.cacheTypeK, e.cacheTypeV)} ${bytesText(e.kvBytesPerToken)}/token`;
  if (e.kind === 'vllm') {
    // An SGLang command is sized with vLLM's memory model (its sizing options share vLLM's meaning): say both.
    const parts = [server === 'sglang' ? 'SGLang (as vLLM)' : 'vLLM', kv, `max-model-len ${tokensText(e.contextSize)}`, `≤${e.parallel} seqs`];
    if (e.tensorParallel > 1) parts.splice(2, 0, `TP ${e.tensorParallel}`);
    if (d.speculative) parts.push('+ draft');
    return clip(parts.join(' · '), MAX_LENS_COLUMNS);
  }
  // kvCells is per stream: without a unified cache each slot has its own stream of cells.
  const perStream = e.kvCells ?? e.contextSize;
  const cells = e.parallel > 1 && perStream * e.parallel <= e.contextSize + 256 * e.parallel ? perStream * e.parallel : perStream;
  const t0 = report.targets[0];
  const kvAll = t0 ? (t0.memory.kvBytes ?? 0) + (t0.memory.hostKvBytes ?? 0) : e.kvBytesPerToken * cells;
  const perSlot = e.parallel > 1 ? ` · ${e.parallel} slots × ${tokensText(Math.floor(cells / e.parallel))}` : '';
  const total = bytesText(kvAll);
  return clip(`llama.cpp · ${kv} · ${tokensText(cells)} cells = ${total}${perSlot} · fa ${e.flashAttention}`, MAX_LENS_COLUMNS);
}

/** Tooltip of a target lens: the headline, then the memory split, then where the speed figures went. */
export function lensTooltip(report: EstimateReport, t: TargetEstimate, v: TargetVerdict = targetVerdict(report, t)): string {
  const lines = [headline(v), `weights ${bytesText(t.memory.weightsBytes)}, KV ${bytesText(t.memory.kvBytes)}, compute ${bytesText(t.memory.computeBytes)} per device`];
  const no = noSpeedText(v);
  if (no) lines.push(no);
  else {
    lines.push(`TTFT ${secondsText(t.perf.ttftSec)}, ${rateText(t.perf.decodeTokensPerSec)} tok/s per user, ${t.perf.bound}-bound decode`);
    const band = speedBandText(t);
    if (band) lines.push(band);
  }
  lines.push(`model ${report.model.name}`, 'Click for the formulas and assumptions.');
  return lines.join('\n');
}

/** Status bar text for one target: `$(check) H100 SXM 80GB 41.2/80 GiB`. */
export function statusText(v: TargetVerdict): string {
  return statusBarText(v);
}

export function statusTooltip(v: TargetVerdict, deploymentName: string): string {
  const no = noSpeedText(v);
  return [`KV Lens — ${deploymentName}`, headline(v), ...(no ? [no] : []), 'Click to choose the primary target.'].join('\n');
}

/**
 * The target the status bar shows: the configured primary id when the file estimates it, else the first target.
 * Returns the deployment index too, since a llama-swap file has several deployments.
 */
export function pickPrimary(
  verdicts: ReadonlyArray<DeploymentVerdict | undefined>,
  primaryId: string | undefined,
): { deployment: number; target: TargetVerdict } | undefined {
  if (primaryId) {
    for (let d = 0; d < verdicts.length; d++) {
      const t = verdicts[d]?.targets.find((x) => x.id === primaryId);
      if (t) return { deployment: d, target: t };
    }
  }
  for (let d = 0; d < verdicts.length; d++) {
    const v = verdicts[d];
    if (v && v.targets.length > 0) return { deployment: d, target: v.targets[0] };
  }
  return undefined;
}

/** Markdown-safe text from a file (model names, paths): no HTML, no link syntax. */
export function mdEscape(s: string): string {
  return s.replace(/[\\`*_{}[\]()<>#+!|~-]/g, (c) => `\\${c}`);
}

/** The details document (`KV Lens: Show Estimate Details` with the dashboard unavailable). */
export function estimateMarkdown(report: EstimateReport, deploymentName: string, explanations: string[] = [], verdicts?: readonly TargetVerdict[]): string {
  const m = report.model;
  const e = report.engine;
  const lines: string[] = [];
  lines.push(`# KV Lens estimate — ${mdEscape(deploymentName)}`, '');
  lines.push(`**Model** ${mdEscape(m.name)} (${mdEscape(m.architecture)}): ${m.layers} layers, KV heads ${Array.isArray(m.kvHeads) ? mdEscape(summariseHeads(m.kvHeads)) : m.kvHeads}, head dim ${m.headDim}, ${rateText(m.params / 1e9)} B parameters (${rateText(m.activeParams / 1e9)} B active), weights ${bytesText(m.weightsBytes)}.`);
  if (m.missing && m.missing.length) lines.push('', `> Not known from the model source: ${m.missing.map(mdEscape).join(', ')}. Figures that need them are marked "?".`);
  lines.push('', `**Engine** ${e.kind}: context ${tokensText(e.contextSize)}${e.kvCells !== undefined ? ` (${e.kvCells} cells allocated)` : ''}, parallel ${e.parallel}, cache K ${e.cacheTypeK} / V ${e.cacheTypeV}, flash attention ${e.flashAttention}, tensor parallel ${e.tensorParallel}; KV ${bytesText(e.kvBytesPerToken)} per token.`);
  lines.push('', `**Workload** ${report.workload.promptTokens} prompt tokens, ${report.workload.outputTokens} output tokens, ${report.workload.concurrency} concurrent.`, '');
  lines.push('| Target | Verdict | Total / capacity | Weights | KV | Compute | Users @ context | TTFT | Decode tok/s/user | Bound |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|');
  report.targets.forEach((t, i) => {
    const v = verdicts?.[i] ?? targetVerdict(report, t);
    const speed = v.speed
      ? `${secondsText(t.perf.ttftSec)} (peak ${secondsText(t.perf.theoretical?.ttftSec)}) | ${rateText(t.perf.decodeTokensPerSec)} (peak ${rateText(t.perf.theoretical?.decodeTokensPerSec)}) | ${t.perf.bound}`
      : `— | — | ${mdEscape(v.why ?? v.words)}`;
    lines.push(`| ${mdEscape(v.label)} | ${v.mark} ${v.words} | ${v.memoryText} | ${bytesText(t.memory.weightsBytes)} | ${bytesText(t.memory.kvBytes)} | ${bytesText(t.memory.computeBytes)} | ${v.users} @ ${tokensText(t.concurrency.atContext)} | ${speed} |`);
  });
  for (const t of report.targets) {
    if (t.whatIfs && t.whatIfs.length) {
      lines.push('', `### KV cache types on ${mdEscape(targetLabel(t))}`, '', '| K / V | KV memory | Users | Decode tok/s/user | |', '|---|---|---|---|---|');
      for (const w of t.whatIfs) {
        lines.push(`| ${w.cacheTypeK} / ${w.cacheTypeV}${w.windowTokens ? ` (window ${tokensText(w.windowTokens)})` : ''} | ${bytesText(w.kvBytes)} | ${w.maxSequences} | ${rateText(w.decodeTokensPerSec)} | ${w.invalid ? mdEscape(w.invalid) : w.fits ? '✓' : '✗'} |`);
      }
    }
    if (t.assumptions.length) {
      lines.push('', `### Assumptions for ${mdEscape(targetLabel(t))}`, '');
      for (const a of t.assumptions) lines.push(`- ${mdEscape(a)}`);
    }
  }
  if (report.warnings.length) {
    lines.push('', '### Warnings', '');
    for (const w of report.warnings) lines.push(`- ${mdEscape(w)}`);
  }
  for (const x of explanations) lines.push('', x);
  return lines.join('\n') + '\n';
}

function summariseHeads(h: number[]): string {
  const uniq = [...new Set(h)];
  return uniq.length === 1 ? String(uniq[0]) : `${Math.min(...h)}–${Math.max(...h)} per layer`;
}

/**
 * The measured error of the speed figures, in one line (issue 13's calibration): "speed ± 54 % prefill, ± 23 %
 * decode — published llama-bench runs (CUDA/f16)". Undefined when the estimate carries no calibration.
 */
export function speedBandText(t: TargetEstimate): string | undefined {
  return calibrationView(t.perf.calibration)?.summary;
}
