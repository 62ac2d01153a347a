// The per-machine calibration of this machine, read from a results store (JSON Lines written by `kvlens bench
// --out` and Run Benchmark): the records this machine saved with estimates of the calibration now in use.
import * as fs from 'node:fs';
import { machineInfo } from '../../results/machine';
import { ResultsStore } from '../../results/store';
import { machineCalibration, machineCalibrationCached, machineKey, type MachineCalibration } from './machine';
import { calibrationId } from './params';

/** This machine's calibration from `file`, cached by the file's size and mtime; undefined without usable runs. */
export async function machineCalibrationFromStore(file: string): Promise<MachineCalibration | undefined> {
  let st: fs.Stats;
  try { st = await fs.promises.stat(file); } catch { return undefined; }
  if (!st.isFile()) return undefined;
  const { records } = await new ResultsStore(file).readAll();
  const opts = { machine: machineKey(machineInfo()), calibration: calibrationId() };
  return machineCalibrationCached(`${file}:${st.size}:${st.mtimeMs}`, () => records, opts) ?? machineCalibration([], opts);
}
