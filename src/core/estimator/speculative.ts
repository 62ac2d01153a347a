// MagicDec (arXiv 2408.11049): expected tokens per verification Ω(γ, α) = (1 − α^(γ+1)) / (1 − α), and
// speedup = Ω / (γ·T_D/T_T + T_V/T_T), with T_D one draft step, T_T one target step and T_V one target step that
// verifies γ+1 tokens per sequence — all at the same batch and context.

/** Ω(γ, α): expected tokens accepted per verification step (γ drafted + the bonus token). */
export function expectedTokensPerStep(gamma: number, alpha: number): number {
  const a = Math.min(Math.max(alpha, 0), 1);
  if (a >= 1) return gamma + 1;
  return (1 - Math.pow(a, gamma + 1)) / (1 - a);
}

/** MagicDec speedup from step times (any consistent unit). */
export function speculativeSpeedup(gamma: number, alpha: number, tDraft: number, tTarget: number, tVerify: number): number {
  if (!(tTarget > 0)) return 0;
  const denom = (gamma * tDraft) / tTarget + tVerify / tTarget;
  return denom > 0 ? expectedTokensPerStep(gamma, alpha) / denom : 0;
}

export interface SpeculativeResult {
  speedup: number;
  gamma: number;
  bestDraftLength: number;
  bestSpeedup: number;
  expectedTokensPerStep: number;
  perGamma: Array<{ gamma: number; omega: number; speedup: number }>;
}

/**
 * Speedup at the configured γ and the best γ in 1..8. `verifyTime(γ)` is one target step processing γ+1 tokens per
 * sequence (memory-bound until compute catches up).
 */
export function bestSpeculative(alpha: number, gamma: number, tDraft: number, tTarget: number, verifyTime: (g: number) => number): SpeculativeResult {
  const perGamma: SpeculativeResult['perGamma'] = [];
  for (let g = 1; g <= 8; g++) perGamma.push({ gamma: g, omega: expectedTokensPerStep(g, alpha), speedup: speculativeSpeedup(g, alpha, tDraft, tTarget, verifyTime(g)) });
  const best = perGamma.reduce((a, b) => (b.speedup > a.speedup ? b : a));
  const g0 = Math.max(1, Math.round(gamma));
  const at = g0 <= 8 ? perGamma[g0 - 1].speedup : speculativeSpeedup(g0, alpha, tDraft, tTarget, verifyTime(g0));
  return { speedup: at, gamma: g0, bestDraftLength: best.gamma, bestSpeedup: best.speedup, expectedTokensPerStep: expectedTokensPerStep(g0, alpha), perGamma };
}
