// MagicDec's acceptance rate α from a server's speculative-decoding counters. The model (Leviathan et al. 2023,
// used by MagicDec arXiv 2408.11049 and src/core/estimator/speculative.ts): each drafted token is accepted with
// probability α, independently, until the first rejection; with γ drafted per step
//   P(≥ k accepted) = α^k,   E[accepted per step] = Σ_{k=1..γ} α^k = Ω(γ, α) − 1.
// Two fits:
//  - per-position counters A_k (drafts with ≥ k accepted; vLLM's and llama-server's
//    spec_decode_num_accepted_tokens_per_pos{position=k−1}) and D drafts: the maximum-likelihood estimate of the
//    truncated geometric, α̂ = S / (S + D − A_γ) with S = Σ_k A_k (the accepted tokens) — closed form;
//  - totals only (accepted tokens S, drafts D, γ = draft tokens / D): solve Ω(γ, α) − 1 = S / D for α (monotone).
// The "draft acceptance rate" servers print, S / draft tokens, is not α: a rejection ends the chain, so it is lower.
import { expectedTokensPerStep } from '../estimator/speculative';

export interface SpecCounters {
  drafts: number;
  draftTokens: number;
  acceptedTokens: number;
  /** acceptedPerPos[k] = drafts whose first k+1 tokens were accepted. */
  acceptedPerPos?: number[];
}

export interface AlphaFit {
  alpha: number;
  method: 'per-position MLE' | 'mean accepted length';
  /** Draft tokens per step (γ), from the counters. */
  gamma: number;
  /** accepted / drafted: what servers call the acceptance rate. */
  draftAcceptanceRate: number;
  /** Mean accepted per step + the bonus token: Ω measured. */
  meanAcceptanceLength: number;
  /** Per position: measured A_k / D against α̂^k. */
  perPosition?: { position: number; measured: number; model: number }[];
  drafts: number;
}

/** α with Ω(γ, α) − 1 = target, by bisection on [0, 1]. */
export function alphaFromMeanAccepted(gamma: number, meanAccepted: number): number {
  if (!(gamma > 0)) return NaN;
  const target = Math.min(Math.max(meanAccepted, 0), gamma);
  if (target <= 0) return 0;
  if (target >= gamma) return 1;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (expectedTokensPerStep(gamma, mid) - 1 < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export function fitAlpha(c: SpecCounters): AlphaFit | undefined {
  if (!(c.drafts > 0) || !(c.draftTokens > 0)) return undefined;
  const gamma = c.draftTokens / c.drafts;
  const meanAccepted = c.acceptedTokens / c.drafts;
  const base = {
    gamma,
    draftAcceptanceRate: c.acceptedTokens / c.draftTokens,
    meanAcceptanceLength: 1 + meanAccepted,
    drafts: c.drafts,
  };
  const pos = c.acceptedPerPos?.filter((x) => Number.isFinite(x));
  // The closed form needs a fixed γ (every step drafted the same number of tokens) and one counter per position.
  if (pos && pos.length > 0 && Math.abs(gamma - pos.length) < 1e-9) {
    const S = pos.reduce((a, b) => a + b, 0);
    const full = pos[pos.length - 1]!;
    const denom = S + c.drafts - full;
    const alpha = denom > 0 ? S / denom : 1;
    return {
      ...base,
      alpha,
      method: 'per-position MLE',
      perPosition: pos.map((a, k) => ({ position: k + 1, measured: a / c.drafts, model: Math.pow(alpha, k + 1) })),
    };
  }
  return { ...base, alpha: alphaFromMeanAccepted(gamma, meanAccepted), method: 'mean accepted length' };
}
