// Where a measurement ran, saved with each result so runs from different machines are never compared blindly.
import * as os from 'node:os';
import type { ResultRecord } from '../engine/protocol';

export type MachineInfo = ResultRecord['machine'];

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: (cpus[0]?.model ?? 'unknown CPU').trim(),
    cores: cpus.length,
    ramBytes: os.totalmem(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}
