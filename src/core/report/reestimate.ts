// Lets the view-model ask the estimator "and at 16 users?" or "and with q4_0 at n_ctx 512?" without knowing
// how a deployment is built: the settings are applied to a copy of the deployment and the estimator re-runs.
import type { Deployment } from '../deployment';
import type { EstimateReport } from '../estimator/report';
import type { EstimateOverrides, Reestimate } from './viewModel';

export function applyOverrides(d: Deployment, o: EstimateOverrides): Deployment {
  return {
    ...d,
    engine: {
      ...d.engine,
      ...(o.contextSize !== undefined ? { contextSize: o.contextSize } : {}),
      ...(o.parallel !== undefined ? { parallel: o.parallel } : {}),
      ...(o.cacheTypeK !== undefined ? { cacheTypeK: o.cacheTypeK } : {}),
      ...(o.cacheTypeV !== undefined ? { cacheTypeV: o.cacheTypeV } : {}),
    },
    workload: {
      ...d.workload,
      ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
      ...(o.promptTokens !== undefined ? { promptTokens: o.promptTokens } : {}),
      ...(o.outputTokens !== undefined ? { outputTokens: o.outputTokens } : {}),
    },
  };
}

/** Memoised per settings; an estimator error yields undefined (the chart then falls back, never throws). */
export function makeReestimate(d: Deployment, run: (d: Deployment) => EstimateReport): Reestimate {
  const memo = new Map<string, EstimateReport | undefined>();
  return (o) => {
    const key = JSON.stringify([o.concurrency, o.contextSize, o.parallel, o.cacheTypeK, o.cacheTypeV, o.promptTokens, o.outputTokens]);
    if (memo.has(key)) return memo.get(key);
    let r: EstimateReport | undefined;
    try {
      r = run(applyOverrides(d, o));
    } catch {
      r = undefined;
    }
    memo.set(key, r);
    return r;
  };
}
