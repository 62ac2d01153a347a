// Per-machine calibration: the user's own measured runs (the results store `kvlens bench --out` and Run Benchmark
// write, later endpoint load tests) refine the published fit for this machine. Each run saved the estimator's
// figure for the same test (ResultRecord.estimate, tagged with the calibration it came from); the ratio
// measured/estimated per test kind, in logs, gives a factor shrunk toward 1 by n/(n + 2) — one run moves an
// estimate a third of the way, six runs three quarters — and the spread of the runs around it becomes the band,
// which can only narrow the published one as runs accumulate (never below 3 %). The work is a pass over the
// records; callers cache it by store file and mtime (machineCalibrationCached).
import type { ResultRecord } from '../../engine/protocol';
import type { Kind } from './model';

export interface KindRefinement {
  /** Multiplier on the fitted time (measured/estimated time, shrunk). */
  factor: number;
  runs: number;
  /** 85th percentile of the runs' misses around the factor. */
  spread: number;
}

export interface MachineCalibration {
  /** Which machine (MachineInfo fields) and, when known, which catalog target it is. */
  machine: string;
  pp?: KindRefinement;
  tg?: KindRefinement;
  runs: number;
  /** "calibrated on 12 runs on this machine". */
  label: string;
  /** Runs left out: measured before estimates were saved with them, from another calibration, or failed. */
  skipped: number;
}

const SHRINK = 2;
const MIN_BAND = 0.03;

export function machineKey(m: ResultRecord['machine'] | undefined): string {
  if (!m) return 'unknown machine';
  return `${m.cpu} · ${m.cores} cores · ${Math.round(m.ramBytes / 2 ** 30)} GiB${m.gpus?.length ? ` · ${m.gpus.join(', ')}` : ''}`;
}

function q(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return 0;
  const pos = (s.length - 1) * p;
  const lo = Math.floor(pos);
  return s[lo]! + (s[Math.min(s.length - 1, lo + 1)]! - s[lo]!) * (pos - lo);
}

/**
 * The refinement for one machine from its records. `calibration` is the id of the calibration now in use
 * (params.calibrationId): runs estimated with another one are left out, their ratio would mix two models.
 */
export function machineCalibration(records: readonly ResultRecord[], opts: { machine?: string; calibration?: string } = {}): MachineCalibration | undefined {
  const logs: Record<Kind, number[]> = { pp: [], tg: [] };
  let skipped = 0;
  let machine = opts.machine;
  for (const r of records) {
    const key = machineKey(r.machine);
    if (opts.machine && key !== opts.machine) continue;
    machine ??= key;
    if (key !== machine) continue;
    const res = r.result;
    const est = r.estimate;
    if (!res || res.error || !(res.avg_ts > 0) || !est) { skipped++; continue; }
    if (opts.calibration && est.calibration !== opts.calibration) { skipped++; continue; }
    // pp+tg tests mix both kinds: not used.
    if (res.n_prompt > 0 && res.n_gen === 0 && est.prefillTokensPerSec && est.prefillTokensPerSec > 0) logs.pp.push(Math.log(est.prefillTokensPerSec / res.avg_ts));
    else if (res.n_gen > 0 && res.n_prompt === 0 && est.decodeTokensPerSec && est.decodeTokensPerSec > 0) logs.tg.push(Math.log(est.decodeTokensPerSec / res.avg_ts));
    else skipped++;
  }
  const refine = (kind: Kind): KindRefinement | undefined => {
    const l = logs[kind];
    if (!l.length) return undefined;
    const n = l.length;
    const mean = l.reduce((a, b) => a + b, 0) / n;
    // estimated/measured speed = measured/estimated time: the factor multiplies the time.
    const factor = Math.exp(mean * (n / (n + SHRINK)));
    const spread = q(l.map((x) => Math.abs(Math.exp(mean - x) - 1)), 0.85);
    return { factor, runs: n, spread };
  };
  const pp = refine('pp');
  const tg = refine('tg');
  const runs = (pp?.runs ?? 0) + (tg?.runs ?? 0);
  if (!runs || !machine) return undefined;
  return { machine, pp, tg, runs, skipped, label: `calibrated on ${runs} run${runs === 1 ? '' : 's'} on this machine` };
}

/** The band once `r` runs refine an estimate whose published band is `published`: it narrows, never widens. */
export function refinedBand(published: number, r: KindRefinement): number {
  return Math.max(MIN_BAND, Math.min(published, Math.max(r.spread, published * Math.sqrt(SHRINK / (SHRINK + r.runs)))));
}

const cache = new Map<string, { stamp: string; value: MachineCalibration | undefined }>();

/** machineCalibration, cached by a caller-supplied stamp (e.g. `${file}:${mtimeMs}:${size}`): recomputed only when the store changes. */
export function machineCalibrationCached(stamp: string, load: () => readonly ResultRecord[], opts: Parameters<typeof machineCalibration>[1] = {}): MachineCalibration | undefined {
  const key = `${opts.machine ?? ''}|${opts.calibration ?? ''}`;
  const hit = cache.get(key);
  if (hit && hit.stamp === stamp) return hit.value;
  const value = machineCalibration(load(), opts);
  cache.set(key, { stamp, value });
  return value;
}
