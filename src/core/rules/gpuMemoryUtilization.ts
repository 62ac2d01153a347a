// vLLM's gpu-memory-utilization is a fraction in (0, 1] (CacheConfig: gt=0, le=1). The schema catches a bad
// number; this also catches a quoted one ("1.5"), which vLLM reads the same way.
import type { QuickFix, Range } from '../diagnostics';
import { rangeText } from '../fixes/edits';
import type { Rule } from './rule';

/** 92 (or "92") meant 92 %: 0.92, in the same quoting. */
function percentFix(v: number, range: Range, raw: string | undefined): QuickFix[] | undefined {
  if (!(v > 1 && v <= 100)) return undefined;
  const q = raw && /^["']/.test(raw) ? raw[0] : '';
  const f = String(Number((v / 100).toPrecision(12)));
  return [{ title: `Write ${f} (${v} % as a fraction)`, preferred: true, edits: [{ range, newText: `${q}${f}${q}` }] }];
}

export const gpuMemoryUtilizationRule: Rule = {
  id: 'gpu-memory-utilization-range',
  description: 'gpu-memory-utilization must be in (0, 1].',
  run({ deployment, text }) {
    const v = deployment.engine.gpuMemoryUtilization;
    const range = deployment.settingRanges.gpuMemoryUtilization;
    if (v === undefined || !range || (v > 0 && v <= 1)) return [];
    return [{
      severity: 'error',
      code: 'out-of-range',
      message: `gpu-memory-utilization is a fraction of each GPU's memory and must be in (0, 1] (e.g. 0.9 for 90 %); found ${v}.`,
      range,
      fixes: percentFix(v, range, rangeText(text, range)),
    }];
  },
};
