// Shared by the importers: what an imported step is, and turning another tool's statistics object into our
// Summary (NaN where the tool did not report a figure — the panel shows "—" with the reason, never a guess).
import type { Summary } from '../stats';
import type { LoadTestTool } from '../record';
import type { LoadShape, StepSummary } from '../types';

export interface ImportedStep {
  load: LoadShape;
  summary: StepSummary;
  /** How the tool's definitions were mapped onto ours, one sentence each. */
  conversions: string[];
  model?: string;
  label?: string;
}

export interface ImportResult {
  tool: LoadTestTool;
  version?: string;
  steps: ImportedStep[];
  notes: string[];
}

export class ImportError extends Error {}

export const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
export const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);

/** Keys in several spellings (p50 / median, std / std_dev) → one Summary, every value multiplied by `scale`. */
export function toSummary(o: unknown, scale: number, keys: { mean?: string[]; p50?: string[]; p90?: string[]; p99?: string[]; min?: string[]; max?: string[]; std?: string[]; count?: string[] } = {}): Summary | undefined {
  if (!isObj(o)) return undefined;
  const pick = (names: string[]): number | undefined => {
    for (const n of names) {
      const v = num(o[n]);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  const scaled = (names: string[]) => {
    const v = pick(names);
    return v === undefined ? NaN : v * scale;
  };
  const s: Summary = {
    count: pick(keys.count ?? ['count']) ?? NaN,
    mean: scaled(keys.mean ?? ['mean', 'avg']),
    std: scaled(keys.std ?? ['std', 'std_dev', 'stddev']),
    min: scaled(keys.min ?? ['min']),
    max: scaled(keys.max ?? ['max']),
    p50: scaled(keys.p50 ?? ['p50', 'median']),
    p90: scaled(keys.p90 ?? ['p90']),
    p99: scaled(keys.p99 ?? ['p99']),
  };
  const any = [s.mean, s.p50, s.p90, s.p99, s.min, s.max].some((v) => Number.isFinite(v));
  return any ? s : undefined;
}

export function emptySummary(): StepSummary {
  return {
    requests: { sent: 0, completed: 0, failed: 0, cancelled: 0, short: 0, warmup: 0 },
    errors: {},
    errorExamples: {},
    durationSec: NaN,
    requestThroughput: NaN,
    outputTokenThroughput: NaN,
    totalTokenThroughput: NaN,
    tokenSource: 'none',
  };
}

/** Time units the tools write in their `unit` fields. */
export function timeScale(unit: unknown): number | undefined {
  switch (typeof unit === 'string' ? unit.trim().toLowerCase() : '') {
    case 'ns': return 1e-9;
    case 'us': case 'µs': return 1e-6;
    case 'ms': return 1e-3;
    case 's': case 'sec': case 'seconds': return 1;
    default: return undefined;
  }
}
