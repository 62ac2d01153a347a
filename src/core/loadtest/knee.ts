// The knee of a latency curve: the load past which latency takes off. Kneedle (Satopää, Albrecht, Irwin, Raghavan,
// "Finding a 'Kneedle' in a Haystack", ICDCS workshops 2011) for a convex increasing curve: normalise x and y to
// [0, 1] and take the point farthest below the chord, i.e. the largest x̂ − ŷ. x is log2(concurrency) — the
// sweep doubles it, so the points are evenly spaced — or the request rate for open-loop steps. A curve that
// stays within 1.5× of its start, or bends less than 0.1, has no knee in the range measured (said as such).

export interface KneePoint { x: number; y: number }

export interface Knee {
  x: number;
  y: number;
  index: number;
  /** Kneedle's difference at the knee (0..1): how sharply the curve bends there. */
  score: number;
  /** Latency at the last point over latency at the knee. */
  riseAfter: number;
}

export const KNEE_MIN_SCORE = 0.1;
export const KNEE_MIN_RISE = 1.5;

export function findKnee(points: readonly KneePoint[], opts: { logX?: boolean } = {}): Knee | undefined {
  const pts = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.x > 0).slice().sort((a, b) => a.x - b.x);
  if (pts.length < 3) return undefined;
  const xs = pts.map((p) => (opts.logX === false ? p.x : Math.log2(p.x)));
  const ys = pts.map((p) => p.y);
  const x0 = xs[0]!;
  const x1 = xs[xs.length - 1]!;
  const y0 = Math.min(...ys);
  const y1 = Math.max(...ys);
  if (!(x1 > x0) || !(y1 > y0)) return undefined;
  let best = -Infinity;
  let at = -1;
  for (let i = 0; i < pts.length; i++) {
    const d = (xs[i]! - x0) / (x1 - x0) - (ys[i]! - y0) / (y1 - y0);
    if (d > best) { best = d; at = i; }
  }
  if (at < 0 || at === pts.length - 1) return undefined;
  const rise = ys[ys.length - 1]! / Math.max(ys[at]!, Number.MIN_VALUE);
  if (best < KNEE_MIN_SCORE || rise < KNEE_MIN_RISE) return undefined;
  return { x: pts[at]!.x, y: pts[at]!.y, index: at, score: best, riseAfter: rise };
}
