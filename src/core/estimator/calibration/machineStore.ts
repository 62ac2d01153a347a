// The per-machine calibration of this machine, read from a results store (JSON Lines written by `kvlens bench
// --out` and Run Benchmark): the records this machine saved with estimates of the calibration now in use.
import * as fs from 'node:fs';
import { machineInfo } from '../../results/machine';
import { ResultsStore } from '../../results/store';
import { machineCalibration, machineKey, type MachineCalibration } from './machine';
import { calibrationId } from './params';

const cache = new Map<string, { stamp: string; value: MachineCalibration | undefined }>();

/** This machine's calibration from `file`, cached by the file's size and mtime (read again only when it changed);
 *  undefined without usable runs. */
export async function machineCalibrationFromStore(file: string): Promise<MachineCalibration | undefined> {
  let st: fs.Stats;
  try { st = await fs.promises.stat(file); } catch { return undefined; }
  if (!st.isFile()) return undefined;
  const opts = { machine: machineKey(machineInfo()), calibration: calibrationId() };
  const stamp = `${st.size}:${st.mtimeMs}:${opts.machine}:${opts.calibration}`;
  const hit = cache.get(file);
  if (hit && hit.stamp === stamp) return hit.value;
  const { records } = await new ResultsStore(file).readAll();
  const value = machineCalibration(records, opts);
  cache.set(file, { stamp, value });
  return value;
}
