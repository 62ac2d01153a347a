// One verdict per deployment and target, computed here once from the estimate and the file's diagnostics, and
// read by every surface: the memory-fit diagnostic (Problems), the CodeLens, the hover, the status bar and the
// panel. Each surface prints `summary` verbatim next to the verdict's words, so they state the same numbers.
// Pure: no 'vscode'.
import type { Deployment } from './deployment';
import type { KvDiagnostic, Range } from './diagnostics';
import type { EstimateReport, TargetEstimate } from './estimator/report';

/**
 * fits / tight / does-not-fit: the memory verdict (tight = under 100 % but past the green threshold, or for vLLM
 * fewer sequences than the workload's concurrency); will-not-start: the engine refuses these settings (an error
 * in the engine's part of the file, or llama.cpp/vLLM rejecting the combination on this target).
 */
export type VerdictState = 'fits' | 'tight' | 'does-not-fit' | 'will-not-start';

export const VERDICT_MARKS: Record<VerdictState, string> = { fits: '✓', tight: '⚠', 'does-not-fit': '✗', 'will-not-start': '✗' };
export const VERDICT_ICONS: Record<VerdictState, string> = { fits: '$(check)', tight: '$(warning)', 'does-not-fit': '$(error)', 'will-not-start': '$(error)' };
export const VERDICT_WORDS: Record<VerdictState, string> = { fits: 'fits', tight: 'tight', 'does-not-fit': 'does not fit', 'will-not-start': "won't start" };

/** The widest a CodeLens may be: readable in an 80-column editor, a split editor or a laptop screen. */
export const MAX_LENS_COLUMNS = 80;

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

// ---------------------------------------------------------------------------------------------------------------
// Formatting: the few number formats every surface shares. "?" instead of NaN/undefined.

/** Binary units: "41.2 GiB", "512.0 MiB". */
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
  if (s > 0 && s < 0.001) return `${Math.round(s * 1e6)} µs`;
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

/** The catalog's name without the vendor ("NVIDIA H100 SXM 80GB" → "H100 SXM 80GB"): read at a glance. */
export function targetLabel(t: Pick<TargetEstimate, 'id' | 'name' | 'devices'>): string {
  const name = (t.name || t.id).replace(/^(NVIDIA|AMD|Intel|Apple)\s+/i, '');
  return t.devices > 1 ? `${t.devices}× ${name}` : name;
}

/** `12 users @32K`. */
export function usersText(users: unknown, atContext: unknown): string {
  const n = finite(users) ? Math.max(0, Math.floor(users)) : undefined;
  return `${n ?? '?'} ${n === 1 ? 'user' : 'users'} @${tokensText(atContext)}`;
}

/** Cuts to `max` columns (code points) with an ellipsis. */
export function clip(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : chars.slice(0, Math.max(1, max - 1)).join('').trimEnd() + '…';
}

/** First sentence of a diagnostic message, without a trailing period: a short "why". */
export function shortReason(message: string): string {
  const first = message.split(/(?<=[.;])\s+(?=[A-Z(`])/)[0] ?? message;
  return first.replace(/[.;:]\s*$/, '').trim();
}

// ---------------------------------------------------------------------------------------------------------------

export interface TargetVerdict {
  id: string;
  /** "H100 SXM 80GB", "4× A100 80GB SXM". */
  label: string;
  state: VerdictState;
  /** The memory verdict alone (what the memory-fit rule reports), before engine errors are considered. */
  memoryState: Exclude<VerdictState, 'will-not-start'>;
  mark: string;
  words: string;
  /** `41.2/80 GiB · 12 users @32K`: what every surface prints. */
  summary: string;
  memoryText: string;
  usersText: string;
  usedPct: number;
  users: number;
  atContext: number;
  /** Speed, only where the deployment fits and starts: elsewhere the figures would describe nothing that runs. */
  speed?: { ttftSec: number; decodeTokensPerSec: number; aggregateDecodeTokensPerSec?: number; band: number };
  /** Why it does not fit or will not start (replaces the speed figures). */
  why?: string;
  /** The diagnostics that stop the engine (for will-not-start). */
  blockers: KvDiagnostic[];
}

export interface DeploymentVerdict {
  name: string;
  /** Per target, in the report's order; empty when there is no estimate. */
  targets: TargetVerdict[];
  /** Why there is no estimate (model missing, no target, ...), or "resolving …" while a model is fetched. */
  problem?: string;
  /** True while the model is still being resolved (a Hub lookup): the surfaces say "resolving…". */
  pending?: boolean;
  /** Error diagnostics in this deployment's engine settings: the engine would refuse to start. */
  blockers: KvDiagnostic[];
  /** Targets came from settings, not the file. */
  targetsFromSettings: boolean;
}

/** Diagnostic codes that are about one target (or about the verdict itself), not about the engine's settings. */
const PER_TARGET_CODES = new Set(['memory-does-not-fit', 'memory-tight', 'unknown-target', 'target-name', 'invalid-target']);

function within(r: Range, outer: Range): boolean {
  const before = (a: Range['start'], b: Range['start']) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return before(outer.start, r.start) && before(r.end, outer.end);
}

/**
 * The error diagnostics that belong to deployment `index` and stop its engine: for a profile, errors inside its
 * `engine` block or on its model; for a file with several deployments, errors in that one's entry; else all.
 */
export function blockersFor(diagnostics: readonly KvDiagnostic[], deployments: readonly Deployment[], index: number): KvDiagnostic[] {
  const d = deployments[index];
  if (!d) return [];
  const errors = diagnostics.filter((x) => x.severity === 'error' && !PER_TARGET_CODES.has(x.code));
  if (d.format === 'kvlens-profile') {
    const areas = [d.engineRange, d.model?.range].filter((r): r is Range => !!r);
    return errors.filter((x) => areas.some((a) => within(x.range, a)));
  }
  // A vLLM config (or a script with one server): all of it is the engine. Several deployments in one file
  // (llama-swap models, compose services, Kubernetes containers): each owns the lines from its anchor to the next.
  if (deployments.length === 1) return errors;
  const from = d.anchor.start.line;
  const next = deployments.slice(index + 1).map((x) => x.anchor.start.line).filter((l) => l > from);
  const to = next.length ? Math.min(...next) : Number.POSITIVE_INFINITY;
  return errors.filter((x) => x.range.start.line >= from && x.range.start.line < to);
}

/** The memory verdict and its figures for one target: what the memory-fit rule and every surface share. */
export function targetVerdict(report: EstimateReport, t: TargetEstimate, blockers: readonly KvDiagnostic[] = []): TargetVerdict {
  const memoryState: TargetVerdict['memoryState'] = t.memory.verdict ?? (t.memory.fits ? 'fits' : 'does-not-fit');
  const memoryText = fitText(t.memory.totalBytes, t.memory.capacityBytes);
  const users = finite(t.concurrency.maxSequences) ? Math.max(0, Math.floor(t.concurrency.maxSequences)) : 0;
  const uText = usersText(users, t.concurrency.atContext);
  const cap = t.memory.capacityBytes;
  const usedPct = finite(cap) && cap > 0 && finite(t.memory.totalBytes) ? (t.memory.totalBytes / cap) * 100 : 0;
  let state: VerdictState = memoryState;
  let why: string | undefined;
  if (memoryState === 'does-not-fit') {
    why = t.errors?.[0] ? shortReason(t.errors[0]) : `needs ${memoryText}`;
  } else if (blockers.length) {
    state = 'will-not-start';
    why = shortReason(blockers[0].message);
  } else if (t.errors?.length) {
    state = 'will-not-start';
    why = shortReason(t.errors[0]);
  }
  const runs = state === 'fits' || state === 'tight';
  return {
    id: t.id,
    label: targetLabel(t),
    state,
    memoryState,
    mark: VERDICT_MARKS[state],
    words: VERDICT_WORDS[state],
    summary: `${memoryText} · ${uText}`,
    memoryText,
    usersText: uText,
    usedPct,
    users,
    atContext: t.concurrency.atContext,
    speed: runs
      ? { ttftSec: t.perf.ttftSec, decodeTokensPerSec: t.perf.decodeTokensPerSec, aggregateDecodeTokensPerSec: t.perf.aggregateDecodeTokensPerSec, band: t.perf.band }
      : undefined,
    why,
    blockers: [...blockers],
  };
}

export interface VerdictInput {
  deployment: Deployment;
  report?: EstimateReport;
  problem?: string;
  pending?: boolean;
  targetsFromSettings?: boolean;
}

/** Every deployment's verdict for one analysed file. */
export function deploymentVerdicts(inputs: readonly VerdictInput[], diagnostics: readonly KvDiagnostic[]): DeploymentVerdict[] {
  const deployments = inputs.map((i) => i.deployment);
  return inputs.map((inp, i) => {
    const blockers = blockersFor(diagnostics, deployments, i);
    return {
      name: inp.deployment.name,
      targets: inp.report ? inp.report.targets.map((t) => targetVerdict(inp.report!, t, blockers)) : [],
      problem: inp.report ? undefined : inp.problem ?? 'no estimate',
      pending: inp.pending || undefined,
      blockers,
      targetsFromSettings: inp.targetsFromSettings ?? inp.deployment.targets.length === 0,
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The words each surface uses. All of them include `summary` (or, without an estimate, the problem).

/**
 * One CodeLens, at most 80 columns: `H100 SXM 80GB ✓ 41.2/80 GiB · 12 users @32K · TTFT 0.21 s · 143 tok/s`.
 * Optional parts are dropped (TTFT first, then speed) before anything is cut.
 */
export function lensText(v: TargetVerdict, max = MAX_LENS_COLUMNS): string {
  const fit = (s: string) => [...s].length <= max;
  // A long (custom) target name gives way before any figure does.
  const label = (rest: string) => clip(v.label, Math.max(8, max - [...rest].length));
  if (v.speed) {
    const tail = ` ${v.mark} ${v.summary}`;
    const head = `${label(tail)}${tail}`;
    const rate = `${rateText(v.speed.decodeTokensPerSec)} tok/s`;
    const full = `${head} · TTFT ${secondsText(v.speed.ttftSec)} · ${rate}`;
    if (fit(full)) return full;
    if (fit(`${head} · ${rate}`)) return `${head} · ${rate}`;
    return clip(head, max);
  }
  if (v.state === 'does-not-fit') {
    const tail = ` ✗ ${v.memoryText} · does not fit`;
    return clip(`${label(tail)}${tail}${v.why && !v.why.startsWith('needs ') ? `: ${v.why}` : ''}`, max);
  }
  const tail = " ✗ won't start";
  return clip(`${label(tail)}${tail}: ${v.why ?? 'see Problems'}`, max);
}

/** The first line of every hover and tooltip about a target. */
export function headline(v: TargetVerdict): string {
  const head = `${v.label} — ${v.mark} ${v.words}: ${v.summary}`;
  if (v.speed) {
    const band = finite(v.speed.band) ? ` (±${Math.round(v.speed.band * 100)} %)` : '';
    return `${head} · TTFT ${secondsText(v.speed.ttftSec)} · ${rateText(v.speed.decodeTokensPerSec)} tok/s per user${band}`;
  }
  return `${head}${v.why ? ` — ${v.why}` : ''}`;
}

/** What replaces the speed figures where the deployment does not run. */
export function noSpeedText(v: TargetVerdict): string | undefined {
  if (v.speed) return undefined;
  return v.state === 'does-not-fit'
    ? `No speed figures: it does not fit on ${v.label} (${v.why ?? v.memoryText}).`
    : `No speed figures: the engine would not start (${v.why ?? 'see Problems'}).`;
}

/** Status bar text: `$(check) H100 SXM 80GB 41.2/80 GiB`, or why it does not start. */
export function statusBarText(v: TargetVerdict): string {
  return v.state === 'will-not-start' ? `${VERDICT_ICONS[v.state]} ${v.label} won't start` : `${VERDICT_ICONS[v.state]} ${v.label} ${v.memoryText}`;
}

/**
 * The memory-fit diagnostic's message for a target that does not fit or is tight (undefined when it fits): built
 * from the same verdict as the lens, so Problems states the same numbers.
 */
export function memoryMessage(v: TargetVerdict, t: TargetEstimate, report: EstimateReport): string | undefined {
  if (v.memoryState === 'fits') return undefined;
  const m = t.memory;
  if (v.memoryState === 'does-not-fit') {
    const parts = report.engine.kind === 'vllm'
      ? `${bytesText(m.budgetBytes ?? 0)} usable of ${bytesText(m.capacityBytes)}; weights ${bytesText(m.weightsBytes)} per GPU`
      : `weights ${bytesText(m.weightsBytes)}, KV ${bytesText(m.kvBytes)}, buffers ${bytesText((m.computeBytes ?? 0) + (m.overheadBytes ?? 0))}`;
    return `${v.label} ✗ does not fit: ${v.memoryText}${v.why && !v.why.startsWith('needs ') ? ` — ${v.why}` : ''} (${parts}).`;
  }
  if (report.engine.kind === 'vllm') {
    return `${v.label} ⚠ tight: ${v.summary} — fewer than the workload's ${report.workload.concurrency} concurrent requests; the rest queue.`;
  }
  return `${v.label} ⚠ tight: ${v.summary} — ${Math.round(v.usedPct)} % of memory used, little headroom for longer prompts or a larger batch.`;
}
