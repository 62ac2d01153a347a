// The bundled calibration (data/calibration.json), loaded once. Everything an estimate needs per target is a
// few map lookups: the estimator runs on every keystroke.
import calibrationJson from '../../../../data/calibration.json';
import type { CalibrationFile, SpeedParams } from './model';

const BUNDLED = calibrationJson as unknown as CalibrationFile;

export function bundledCalibration(): CalibrationFile {
  return BUNDLED;
}

/** A short id of the calibration an estimate used, saved with measured runs (per-machine refinement checks it). */
export function calibrationId(p: SpeedParams = BUNDLED): string {
  const f = p as Partial<CalibrationFile>;
  return f.source?.sha256 ? `published:${f.source.sha256.slice(0, 12)}` : 'custom';
}
