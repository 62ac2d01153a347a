// Distribution summaries for load-test metrics. Percentiles interpolate linearly between the two closest ranks
// (Hyndman & Fan type 7, numpy's default `np.percentile`), the method `vllm bench serve` uses, so a p99 here and a
// p99 there mean the same thing on the same samples.

export interface Summary {
  count: number;
  mean: number;
  /** Population standard deviation (numpy's default ddof=0, as vLLM reports `std_*`). */
  std: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p99: number;
}

export const PERCENTILES = [50, 90, 99] as const;

/** Type-7 percentile of values already sorted ascending; `p` in [0, 100]. NaN for no values. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (n === 1) return sorted[0]!;
  const h = (Math.min(100, Math.max(0, p)) / 100) * (n - 1);
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export function percentile(values: readonly number[], p: number): number {
  return percentileSorted(Float64Array.from(values).sort(), p);
}

/** Summary of the finite values; undefined when there are none (a metric that was never observed). */
export function summarize(values: readonly number[]): Summary | undefined {
  const xs = Float64Array.from(values.filter((v) => Number.isFinite(v))).sort();
  const n = xs.length;
  if (n === 0) return undefined;
  let sum = 0;
  for (const v of xs) sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of xs) ss += (v - mean) * (v - mean);
  return {
    count: n,
    mean,
    std: Math.sqrt(ss / n),
    min: xs[0]!,
    max: xs[n - 1]!,
    p50: percentileSorted(xs, 50),
    p90: percentileSorted(xs, 90),
    p99: percentileSorted(xs, 99),
  };
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}
