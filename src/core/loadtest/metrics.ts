// Load-test metrics, each defined by one formula (README "Load tests: what each number means"). For request i:
//   TTFT_i = t_first_output_chunk − t_created         (client-side queueing included: the clock starts at creation)
//   E2E_i  = t_done − t_created
//   TPOT_i = (E2E_i − TTFT_i) / (n_i − 1)            n_i = the server's usage.completion_tokens; only when n_i ≥ 2
//   ITL    = every gap between consecutive output chunks (per chunk; a chunk may carry several tokens)
// For a step, T = max(t_done) − min(t_created) over its measured requests:
//   request throughput = completed / T,  output-token throughput = Σ n_i / T,  goodput = good requests / T
// where a request is good when it completed and meets every SLO given (TTFT, TPOT, E2E); p50/p90/p99 are type-7
// percentiles over requests (ITL: over chunks).
import { summarize } from './stats';
import type { ErrorReason, RequestSample, ServerAgreement, Slo, StepSummary } from './types';

export interface RequestMetrics {
  ttftSec?: number;
  e2eSec?: number;
  tpotSec?: number;
  queueSec?: number;
  /** First to last output chunk, seconds: comparable with llama-server's predicted_ms. */
  decodeSpanSec?: number;
}

export function requestMetrics(s: RequestSample): RequestMetrics {
  const m: RequestMetrics = {};
  if (s.sentMs !== undefined) m.queueSec = Math.max(0, s.sentMs - s.createdMs) / 1e3;
  if (s.error) return m;
  if (s.firstTokenMs !== undefined) m.ttftSec = (s.firstTokenMs - s.createdMs) / 1e3;
  if (s.endMs !== undefined) m.e2eSec = (s.endMs - s.createdMs) / 1e3;
  const n = s.outputTokens;
  if (m.ttftSec !== undefined && m.e2eSec !== undefined && n !== undefined && n >= 2) m.tpotSec = (m.e2eSec - m.ttftSec) / (n - 1);
  if (s.firstTokenMs !== undefined && s.lastTokenMs !== undefined) m.decodeSpanSec = (s.lastTokenMs - s.firstTokenMs) / 1e3;
  return m;
}

/** Whether a completed request meets every SLO that is set (a missing TPOT, from a 1-token output, passes: vLLM's rule). */
export function isGood(m: RequestMetrics, slo: Slo): boolean {
  if (slo.ttftSec !== undefined && !(m.ttftSec !== undefined && m.ttftSec <= slo.ttftSec)) return false;
  if (slo.tpotSec !== undefined && m.tpotSec !== undefined && m.tpotSec > slo.tpotSec) return false;
  if (slo.e2eSec !== undefined && !(m.e2eSec !== undefined && m.e2eSec <= slo.e2eSec)) return false;
  return true;
}

const MAX_EXAMPLES = 3;

export function summarizeStep(samples: readonly RequestSample[], opts: { slo?: Slo; warmup?: number } = {}): StepSummary {
  const errors: Partial<Record<ErrorReason, number>> = {};
  const errorExamples: Partial<Record<ErrorReason, string[]>> = {};
  const ttft: number[] = [];
  const tpot: number[] = [];
  const e2e: number[] = [];
  const queue: number[] = [];
  const itl: number[] = [];
  const promptTokens: number[] = [];
  const outputTokens: number[] = [];
  let completed = 0;
  let cancelled = 0;
  let short = 0;
  let good = 0;
  let outSum = 0;
  let promptSum = 0;
  let t0 = Infinity;
  let t1 = -Infinity;
  const sources = new Set<string>();
  for (const s of samples) {
    t0 = Math.min(t0, s.createdMs);
    const end = s.endMs ?? s.lastTokenMs;
    if (end !== undefined) t1 = Math.max(t1, end);
    const m = requestMetrics(s);
    if (m.queueSec !== undefined) queue.push(m.queueSec);
    if (s.error) {
      errors[s.error.reason] = (errors[s.error.reason] ?? 0) + 1;
      if (s.error.reason === 'cancelled') cancelled++;
      const ex = (errorExamples[s.error.reason] ??= []);
      if (ex.length < MAX_EXAMPLES && !ex.includes(s.error.message)) ex.push(s.error.message);
      continue;
    }
    completed++;
    if (s.short) short++;
    if (m.ttftSec !== undefined) ttft.push(m.ttftSec);
    if (m.e2eSec !== undefined) e2e.push(m.e2eSec);
    if (m.tpotSec !== undefined) tpot.push(m.tpotSec);
    for (const g of s.chunkGapsMs) itl.push(g / 1e3);
    if (s.promptTokens !== undefined) { promptTokens.push(s.promptTokens); promptSum += s.promptTokens; }
    if (s.outputTokens !== undefined) { outputTokens.push(s.outputTokens); outSum += s.outputTokens; }
    if (s.tokenSource) sources.add(s.tokenSource);
    if (opts.slo && isGood(m, opts.slo)) good++;
  }
  const durationSec = Number.isFinite(t0) && Number.isFinite(t1) && t1 > t0 ? (t1 - t0) / 1e3 : 0;
  const rate = (x: number) => (durationSec > 0 ? x / durationSec : 0);
  const summary: StepSummary = {
    requests: { sent: samples.length, completed, failed: samples.length - completed, cancelled, short, warmup: opts.warmup ?? 0 },
    errors,
    errorExamples,
    durationSec,
    requestThroughput: rate(completed),
    outputTokenThroughput: rate(outSum),
    totalTokenThroughput: rate(outSum + promptSum),
    ttft: summarize(ttft),
    tpot: summarize(tpot),
    itl: summarize(itl),
    e2e: summarize(e2e),
    queue: summarize(queue),
    promptTokens: summarize(promptTokens),
    outputTokens: summarize(outputTokens),
    tokenSource: sources.size === 0 ? 'none' : sources.size > 1 ? 'mixed' : (sources.values().next().value as 'usage' | 'chunks'),
  };
  if (opts.slo && (opts.slo.ttftSec !== undefined || opts.slo.tpotSec !== undefined || opts.slo.e2eSec !== undefined)) {
    summary.goodRequests = good;
    summary.goodput = rate(good);
  }
  return summary;
}

/**
 * Client figures against llama-server's own `timings` of the same requests (server-common.h server_slot_stats):
 * prompt_ms runs from the start of prompt processing to the first token, predicted_ms from the first to the last
 * token, predicted_per_token_ms = predicted_ms / (predicted_n − 1) — the same formula as our TPOT.
 */
export function serverAgreement(samples: readonly RequestSample[]): ServerAgreement | undefined {
  const ttftPct: number[] = [];
  const tpotPct: number[] = [];
  const spanPct: number[] = [];
  const ttftMinus: number[] = [];
  let n = 0;
  let equal = 0;
  for (const s of samples) {
    const t = s.server;
    if (s.error || !t) continue;
    const m = requestMetrics(s);
    n++;
    if (t.predicted_n !== undefined && s.outputTokens === t.predicted_n) equal++;
    if (m.ttftSec !== undefined && t.prompt_ms !== undefined && t.prompt_ms > 0) {
      ttftPct.push(((m.ttftSec * 1e3 - t.prompt_ms) / t.prompt_ms) * 100);
      ttftMinus.push(m.ttftSec * 1e3 - t.prompt_ms);
    }
    if (m.tpotSec !== undefined && t.predicted_per_token_ms !== undefined && t.predicted_per_token_ms > 0) {
      tpotPct.push(((m.tpotSec * 1e3 - t.predicted_per_token_ms) / t.predicted_per_token_ms) * 100);
    }
    if (m.decodeSpanSec !== undefined && t.predicted_ms !== undefined && t.predicted_ms > 0) {
      spanPct.push(((m.decodeSpanSec * 1e3 - t.predicted_ms) / t.predicted_ms) * 100);
    }
  }
  if (n === 0) return undefined;
  const med = (xs: number[]) => summarize(xs)?.p50;
  const mean = (xs: number[]) => summarize(xs)?.mean;
  return {
    requests: n,
    ttftVsPromptMsPct: med(ttftPct),
    tpotVsPredictedPerTokenPct: med(tpotPct),
    decodeSpanVsPredictedMsPct: med(spanPct),
    outputTokensEqual: equal,
    ttftMinusPromptMs: mean(ttftMinus),
  };
}
