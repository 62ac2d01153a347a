// Builds store records from a finished run: one ResultRecord per test, sharing the run's id and context.
import { randomUUID } from 'node:crypto';
import type { BenchTestResult, ResultRecord } from '../engine/protocol';
import { machineInfo } from './machine';

export interface RunContext {
  modelPath: string;
  modelSha256: string;
  modelName?: string;
  architecture?: string;
  flags: string[];
  profile?: string;
  runId?: string;
  estimates?: (ResultRecord['estimate'] | undefined)[];
  /** Tests the whole run plans (so a cancelled run's records say they are part of something larger). */
  planned?: number;
}

export function toRecords(results: readonly BenchTestResult[], ctx: RunContext): ResultRecord[] {
  const runId = ctx.runId ?? randomUUID();
  const machine = machineInfo();
  const savedAt = new Date().toISOString();
  return results.map((result, i) => {
    const rec: ResultRecord = {
      id: randomUUID(), runId, savedAt, machine,
      model: { path: ctx.modelPath, sha256: ctx.modelSha256, name: ctx.modelName, architecture: ctx.architecture },
      flags: ctx.flags, profile: ctx.profile, result,
    };
    const est = ctx.estimates?.[i];
    if (est) rec.estimate = est;
    if (ctx.planned !== undefined) rec.planned = ctx.planned;
    return rec;
  });
}
