// GuideLLM's benchmarks.json (`--output kind=json`; GenerativeBenchmarksReport in
// src/guidellm/benchmark/schemas/report.py, vllm-project/guidellm @ ee7a7745). Each entry of `benchmarks` is one
// strategy (synchronous, concurrent with `streams`, constant/poisson with `rate`, throughput); its `metrics` hold
// StatusDistributionSummary objects {successful, incomplete, errored, total} of
// {mean, median, std_dev, min, max, count, percentiles: {p50, p90, p99, ...}}. Per-request definitions
// (src/guidellm/schemas/request_stats.py):
//   time_to_first_token_ms   = first token − request_start                       → our TTFT (queueing before
//                              request_start, GuideLLM's scheduler queue, is not in it)
//   time_per_output_token_ms = (last token − request_start) / output tokens       → includes TTFT: NOT our TPOT
//   inter_token_latency_ms   = (last token − first token) / (output tokens − 1)   → our TPOT
//   request_latency (s)      = request end − request_start                         → our E2E
// GuideLLM reports no per-chunk gaps, so our ITL stays empty for its runs.
import { emptySummary, ImportError, isObj, num, toSummary, type ImportedStep, type ImportResult } from './common';

const DIST_KEYS = { mean: ['mean'], p50: ['median'], std: ['std_dev'], min: ['min'], max: ['max'], count: ['count'] };

function dist(metrics: Record<string, unknown>, key: string, scale: number) {
  const d = metrics[key];
  if (!isObj(d)) return undefined;
  const ok = d.successful;
  if (!isObj(ok)) return undefined;
  const pct = isObj(ok.percentiles) ? ok.percentiles : {};
  const s = toSummary({ ...ok, ...pct }, scale, { ...DIST_KEYS, p50: ['median', 'p50'], p90: ['p90'], p99: ['p99'] });
  return s;
}

function loadOf(b: Record<string, unknown>): ImportedStep['load'] | undefined {
  const cfg = isObj(b.config) ? b.config : isObj(b.args) ? b.args : undefined;
  const strategy = cfg && isObj(cfg.strategy) ? cfg.strategy : undefined;
  if (!strategy) return undefined;
  const type = strategy.type_;
  if (type === 'synchronous') return { mode: 'concurrency', concurrency: 1 };
  if (type === 'concurrent') return { mode: 'concurrency', concurrency: num(strategy.streams) ?? NaN };
  if (type === 'constant' || type === 'poisson') return { mode: 'rate', rate: num(strategy.rate) ?? NaN, ...(num(strategy.max_concurrency) !== undefined ? { maxInFlight: num(strategy.max_concurrency)! } : {}) };
  if (type === 'throughput') return { mode: 'concurrency', concurrency: num(strategy.max_concurrency) ?? NaN };
  return undefined;
}

export function looksLikeGuidellm(v: unknown): boolean {
  return isObj(v) && Array.isArray(v.benchmarks) && v.benchmarks.some((b) => isObj(b) && isObj(b.metrics) && 'time_to_first_token_ms' in b.metrics);
}

export function importGuidellm(v: unknown): ImportResult {
  if (!looksLikeGuidellm(v)) throw new ImportError('not a GuideLLM report: expected benchmarks[].metrics.time_to_first_token_ms');
  const report = v as { benchmarks: unknown[]; metadata?: unknown };
  const steps: ImportedStep[] = [];
  const notes: string[] = [];
  for (const b of report.benchmarks) {
    if (!isObj(b) || !isObj(b.metrics)) continue;
    const m = b.metrics;
    const load = loadOf(b);
    if (!load) { notes.push('a benchmark without a recognisable strategy was skipped'); continue; }
    const summary = emptySummary();
    const totals = isObj(m.request_totals) ? m.request_totals : {};
    const completed = num(totals.successful) ?? 0;
    const errored = num(totals.errored) ?? 0;
    const incomplete = num(totals.incomplete) ?? 0;
    summary.requests = { sent: num(totals.total) ?? completed + errored + incomplete, completed, failed: errored + incomplete, cancelled: incomplete, short: 0, warmup: 0 };
    if (errored) summary.errors.http_status = errored;
    if (incomplete) summary.errors.cancelled = incomplete;
    summary.ttft = dist(m, 'time_to_first_token_ms', 1e-3);
    summary.tpot = dist(m, 'inter_token_latency_ms', 1e-3);
    summary.e2e = dist(m, 'request_latency', 1);
    summary.outputTokens = dist(m, 'output_token_count', 1);
    summary.promptTokens = dist(m, 'prompt_token_count', 1);
    summary.requestThroughput = dist(m, 'requests_per_second', 1)?.mean ?? NaN;
    summary.outputTokenThroughput = dist(m, 'output_tokens_per_second', 1)?.mean ?? NaN;
    summary.totalTokenThroughput = dist(m, 'tokens_per_second', 1)?.mean ?? NaN;
    summary.tokenSource = 'usage';
    const sm = isObj(b.scheduler_metrics) ? b.scheduler_metrics : undefined;
    const t0 = sm ? num(sm.measure_start_time) : undefined;
    const t1 = sm ? num(sm.measure_end_time) : undefined;
    if (t0 !== undefined && t1 !== undefined && t1 > t0) summary.durationSec = t1 - t0;
    steps.push({
      load,
      summary,
      conversions: [
        "GuideLLM's inter_token_latency_ms, (last − first token) / (output tokens − 1), is our TPOT",
        "GuideLLM's time_per_output_token_ms includes the TTFT ((last token − start) / output tokens), so it is not used",
        "GuideLLM's TTFT and request latency start at request_start, after its scheduler queue; ours start at creation",
        'GuideLLM has no per-chunk gaps: ITL is not available',
        "throughputs are the means of GuideLLM's rate distributions over the benchmark",
      ],
    });
  }
  if (!steps.length) throw new ImportError('the GuideLLM report holds no benchmark with a known strategy');
  return { tool: 'guidellm', steps, notes };
}
