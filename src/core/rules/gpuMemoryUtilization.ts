// vLLM's gpu-memory-utilization is a fraction in (0, 1] (CacheConfig: gt=0, le=1). The schema catches a bad
// number; this also catches a quoted one ("1.5"), which vLLM reads the same way.
import type { Rule } from './rule';

export const gpuMemoryUtilizationRule: Rule = {
  id: 'gpu-memory-utilization-range',
  description: 'gpu-memory-utilization must be in (0, 1].',
  run({ deployment }) {
    const v = deployment.engine.gpuMemoryUtilization;
    const range = deployment.settingRanges.gpuMemoryUtilization;
    if (v === undefined || !range || (v > 0 && v <= 1)) return [];
    return [{
      severity: 'error',
      code: 'out-of-range',
      message: `gpu-memory-utilization is a fraction of each GPU's memory and must be in (0, 1] (e.g. 0.9 for 90 %); found ${v}.`,
      range,
    }];
  },
};
