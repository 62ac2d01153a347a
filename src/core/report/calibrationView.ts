// The speed model's measured error beside every speed figure (issue 13's perf.calibration), in the words the
// hover and the panel share: which band each figure carries, what measured it (published runs held out one chip
// at a time, or this machine's own runs), and how to check it here. Pure: no 'vscode', no DOM.
import type { CalibrationPart, SpeedCalibrationInfo, TargetEstimate } from '../estimator/report';
import { percentText } from './format';

export interface CalibrationPartView {
  /** "Prefill" / "Decode". */
  label: string;
  /** "± 23 %". */
  band: string;
  band01: number;
  /** Coefficient group, e.g. `CUDA/f16/geforce-40`. */
  group: string;
  /** "held-out median error 6.7 % on 57 published measurements, 6 chips". */
  basis: string;
  /** The terms that sized the figure, largest share first: "weights stream at 89 % of 3.35 TB/s — 77 %". */
  parameters: string[];
  /** Build-era / weight-type (and machine) factor, when it moves the figure. */
  factor?: string;
}

export interface CalibrationView {
  /** One line: "speed ± 54 % prefill, ± 23 % decode — published llama-bench runs (CUDA/f16)". */
  summary: string;
  source: SpeedCalibrationInfo['source'];
  /** The fit, the backend and the compute path. */
  model: string;
  parts: CalibrationPartView[];
  /** "calibrated on 6 runs on this machine", when this machine's runs refine the figure. */
  machine?: string;
  verify: string;
}

const pct = (x: number): string => `± ${percentText(Math.round(x * 100))}`;

function basisOf(p: CalibrationPart, source: SpeedCalibrationInfo['source']): string {
  if (source === 'roofline') return 'plain roofline: no published measurements for this hardware';
  const s = p.support;
  if (!s) return 'no published measurements in this group';
  const scope = s.scope !== p.group ? ` (${s.scope})` : '';
  return `held-out median error ${s.medianAbsErrorPct} % on ${s.rows} published measurement${s.rows === 1 ? '' : 's'}, ${s.chips} chip${s.chips === 1 ? '' : 's'}${scope}`;
}

function partView(label: string, p: CalibrationPart, c: SpeedCalibrationInfo): CalibrationPartView {
  return {
    label,
    band: pct(p.band),
    band01: p.band,
    group: p.group,
    basis: basisOf(p, c.source),
    parameters: p.parameters.slice(0, 5).map((x) => (x.share > 0 ? `${x.text} — ${Math.round(x.share * 100)} % of the time` : x.text)),
    ...(Math.abs(p.factor - 1) >= 0.01 ? { factor: `× ${p.factor.toFixed(2)} for current builds and this weight type${c.machine ? ' and this machine' : ''}` } : {}),
  };
}

/** What the speed figures of one target rest on; undefined when the estimate carries no calibration. */
export function calibrationView(c: SpeedCalibrationInfo | undefined): CalibrationView | undefined {
  if (!c) return undefined;
  const runs = c.model === 'serving' ? 'published serving measurements' : 'published llama-bench runs';
  const from = c.source === 'roofline' ? 'roofline, uncalibrated' : c.source === 'machine' && c.machine ? `${c.machine.label}, on ${runs}` : runs;
  const group = c.prefill.group === c.decode.group ? ` (${c.prefill.group})` : '';
  return {
    summary: `speed ${pct(c.prefill.band)} prefill, ${pct(c.decode.band)} decode — ${from}${group}`,
    source: c.source,
    model: c.model === 'serving' ? 'continuous-batching serving model' : `llama.cpp model, ${c.backend} backend${c.computePath ? `, ${c.computePath}` : ''}${c.devices > 1 ? `, ${c.devices} GPUs` : ''}`,
    parts: [partView('Prefill', c.prefill, c), partView('Decode', c.decode, c)],
    ...(c.machine ? { machine: c.machine.label } : {}),
    verify: c.verify.llamaBench ? `${c.verify.llamaBench}  or  ${c.verify.kvlensBench}` : c.verify.kvlensBench,
  };
}

/** The band a figure carries: prefill figures (TTFT, prefill t/s) the prefill band, decode figures the decode band. */
export function figureBand(t: TargetEstimate, kind: 'prefill' | 'decode'): number {
  const c = t.perf.calibration;
  const b = c ? (kind === 'prefill' ? c.prefill.band : c.decode.band) : t.perf.band;
  return typeof b === 'number' && Number.isFinite(b) ? b : t.perf.band;
}

/** The tooltip of a band cell: where the band comes from. */
export function bandSource(t: TargetEstimate, kind: 'prefill' | 'decode'): string {
  const c = t.perf.calibration;
  if (!c) return 'uncalibrated efficiency; a measured run narrows it';
  const p = kind === 'prefill' ? c.prefill : c.decode;
  return `${basisOf(p, c.source)}${c.machine ? `; ${c.machine.label}` : '; a run of Run Benchmark on this machine narrows it'}`;
}
