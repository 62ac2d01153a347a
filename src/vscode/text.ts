// What the CodeLens, status bar and details document say, as plain functions of the estimate. No 'vscode' import,
// so the same text can be checked in a unit test and in the extension host. Every figure goes through a
// formatter that prints "?" rather than NaN or undefined.
import type { EstimateReport, TargetEstimate, Verdict } from '../core/estimator/report';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

/** Binary units, as the rest of KV Lens: "41.2 GiB", "512.0 MiB". */
export function bytesText(n: unknown): string {
  if (!finite(n)) return '? GiB';
  if (Math.abs(n) >= GIB) return `${(n / GIB).toFixed(1)} GiB`;
  if (Math.abs(n) >= MIB) return `${(n / MIB).toFixed(1)} MiB`;
  if (Math.abs(n) >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${Math.round(n)} B`;
}

/** "41.2/80 GiB": used over capacity, the capacity without decimals when it is a whole number of GiB. */
export function fitText(used: unknown, capacity: unknown): string {
  const u = finite(used) ? (used / GIB).toFixed(1) : '?';
  let c = '?';
  if (finite(capacity)) c = Number.isInteger(capacity / GIB) ? String(capacity / GIB) : (capacity / GIB).toFixed(1);
  return `${u}/${c} GiB`;
}

/** Context lengths: 32768 → "32K" (powers of 1024 as people write them), 100000 → "100,000". */
export function tokensText(n: unknown): string {
  if (!finite(n)) return '?';
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}K`;
  return Math.round(n).toLocaleString('en-US');
}

export function secondsText(s: unknown): string {
  if (!finite(s)) return '? s';
  if (s < 0.01) return `${(s * 1000).toFixed(1)} ms`;
  if (s < 1) return `${s.toFixed(2)} s`;
  if (s < 100) return `${s.toFixed(1)} s`;
  return `${Math.round(s)} s`;
}

export function rateText(n: unknown): string {
  if (!finite(n)) return '?';
  if (n >= 100) return String(Math.round(n));
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

export function verdictOf(t: TargetEstimate): Verdict {
  return t.memory.verdict ?? (t.memory.fits ? 'fits' : 'does-not-fit');
}

export const VERDICT_MARK: Record<Verdict, string> = { fits: '✓', tight: '⚠', 'does-not-fit': '✗' };
export const VERDICT_ICON: Record<Verdict, string> = { fits: '$(check)', tight: '$(warning)', 'does-not-fit': '$(error)' };
export const VERDICT_WORDS: Record<Verdict, string> = { fits: 'fits', tight: 'fits, with little headroom', 'does-not-fit': 'does not fit' };

export function cacheTypeText(k: string, v: string): string {
  return k === v ? k : `K ${k}/V ${v}`;
}

/** The catalog's name without the vendor ("NVIDIA H100 SXM 80GB" → "H100 SXM 80GB"): lenses are read at a glance. */
export function targetLabel(t: TargetEstimate): string {
  const name = (t.name || t.id).replace(/^(NVIDIA|AMD|Intel|Apple)\s+/i, '');
  return t.devices > 1 ? `${t.devices}× ${name}` : name;
}

/** One CodeLens: `H100 SXM ✓ 41.2/80 GiB · KV 8.0 GiB q8_0 · 12 users @32K · TTFT 0.21 s · 143 tok/s/user`. */
export function lensTitle(report: EstimateReport, t: TargetEstimate): string {
  const parts = [
    `${targetLabel(t)} ${VERDICT_MARK[verdictOf(t)]} ${fitText(t.memory.totalBytes, t.memory.capacityBytes)}`,
    `KV ${bytesText(t.memory.kvBytes)} ${cacheTypeText(report.engine.cacheTypeK, report.engine.cacheTypeV)}`,
    `${finite(t.concurrency.maxSequences) ? t.concurrency.maxSequences : '?'} ${t.concurrency.maxSequences === 1 ? 'user' : 'users'} @${tokensText(t.concurrency.atContext)}`,
    `TTFT ${secondsText(t.perf.ttftSec)}`,
    `${rateText(t.perf.decodeTokensPerSec)} tok/s/user`,
  ];
  return parts.join(' · ');
}

export function lensTooltip(report: EstimateReport, t: TargetEstimate): string {
  const band = finite(t.perf.band) ? ` (±${Math.round(t.perf.band * 100)} %)` : '';
  return [
    `${targetLabel(t)}: ${VERDICT_WORDS[verdictOf(t)]} — ${bytesText(t.memory.totalBytes)} of ${bytesText(t.memory.capacityBytes)} per device`,
    `weights ${bytesText(t.memory.weightsBytes)}, KV ${bytesText(t.memory.kvBytes)}, compute ${bytesText(t.memory.computeBytes)}`,
    `${t.concurrency.maxSequences} sequences of ${tokensText(t.concurrency.atContext)} tokens fit`,
    `TTFT ${secondsText(t.perf.ttftSec)}, ${rateText(t.perf.decodeTokensPerSec)} tok/s per user${band}, ${t.perf.bound}-bound decode`,
    `model ${report.model.name}`,
    'Click for the formulas and assumptions.',
  ].join('\n');
}

/** Status bar text for one target: `$(check) H100 SXM 41.2/80 GiB`. */
export function statusText(t: TargetEstimate): string {
  return `${VERDICT_ICON[verdictOf(t)]} ${targetLabel(t)} ${fitText(t.memory.totalBytes, t.memory.capacityBytes)}`;
}

export function statusTooltip(report: EstimateReport, t: TargetEstimate, deploymentName: string): string {
  return `KV Lens — ${deploymentName} on ${targetLabel(t)}: ${VERDICT_WORDS[verdictOf(t)]}\n${lensTooltip(report, t).split('\n').slice(1, 4).join('\n')}\nClick to choose the primary target.`;
}

/**
 * The target the status bar shows: the configured primary id when the file estimates it, else the first target.
 * Returns the deployment index too, since a llama-swap file has several deployments.
 */
export function pickPrimary(
  reports: ReadonlyArray<EstimateReport | undefined>,
  primaryId: string | undefined,
): { deployment: number; target: TargetEstimate; report: EstimateReport } | undefined {
  if (primaryId) {
    for (let d = 0; d < reports.length; d++) {
      const r = reports[d];
      const t = r?.targets.find((x) => x.id === primaryId);
      if (r && t) return { deployment: d, target: t, report: r };
    }
  }
  for (let d = 0; d < reports.length; d++) {
    const r = reports[d];
    if (r && r.targets.length > 0) return { deployment: d, target: r.targets[0], report: r };
  }
  return undefined;
}

/** Markdown-safe text from a file (model names, paths): no HTML, no link syntax. */
export function mdEscape(s: string): string {
  return s.replace(/[\\`*_{}[\]()<>#+!|~-]/g, (c) => `\\${c}`);
}

/** The details document shown until the dashboard exists, and beside it afterwards (`KV Lens: Show Estimate Details`). */
export function estimateMarkdown(report: EstimateReport, deploymentName: string, explanations: string[] = []): string {
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
  for (const t of report.targets) {
    lines.push(`| ${mdEscape(targetLabel(t))} | ${VERDICT_MARK[verdictOf(t)]} ${VERDICT_WORDS[verdictOf(t)]} | ${fitText(t.memory.totalBytes, t.memory.capacityBytes)} | ${bytesText(t.memory.weightsBytes)} | ${bytesText(t.memory.kvBytes)} | ${bytesText(t.memory.computeBytes)} | ${t.concurrency.maxSequences} @ ${tokensText(t.concurrency.atContext)} | ${secondsText(t.perf.ttftSec)} (peak ${secondsText(t.perf.theoretical?.ttftSec)}) | ${rateText(t.perf.decodeTokensPerSec)} (peak ${rateText(t.perf.theoretical?.decodeTokensPerSec)}) | ${t.perf.bound} |`);
  }
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
