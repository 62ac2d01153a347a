// kubernetes-sigs/inference-perf lifecycle reports (stage_<N>_lifecycle_metrics.json, summary_lifecycle_metrics.json;
// inference_perf/reportgen/base.py summarize_requests, @ 7de5ef2e). Seconds throughout:
// {load_summary: {count, requested_rate, concurrency?, schedule_delay}, successes: {count, latency: {request_latency,
// time_to_first_token, time_per_output_token, normalized_time_per_output_token, inter_token_latency},
// throughput: {requests_per_sec, output_tokens_per_sec, ...}, prompt_len, output_len}, failures: {count}}.
// Definitions there:
//   time_to_first_token   = first token time − start_time          → our TTFT (start_time is when it was sent; the
//                           wait behind the schedule is load_summary.schedule_delay, not in it)
//   time_per_output_token = (last token − first token) / (n − 1)   → our TPOT (last token, not stream end)
//   normalized_time_per_output_token = request latency / n         → includes TTFT; not used
//   inter_token_latency   = per token, tokens of one chunk get gaps of 0 → not our per-chunk ITL; not used
//   request_latency       = end_time − start_time                  → our E2E
import { emptySummary, ImportError, isObj, num, toSummary, type ImportResult } from './common';

const KEYS = { mean: ['mean'], p50: ['median', 'p50'], p90: ['p90'], p99: ['p99'], min: ['min'], max: ['max'] };

export function looksLikeInferencePerf(v: unknown): boolean {
  return isObj(v) && isObj(v.successes) && isObj(v.load_summary);
}

export function importInferencePerf(v: unknown, fileName = ''): ImportResult {
  if (!looksLikeInferencePerf(v)) throw new ImportError('not an inference-perf lifecycle report: expected load_summary and successes');
  const o = v as { load_summary: Record<string, unknown>; successes: Record<string, unknown>; failures?: Record<string, unknown> };
  const ok = o.successes;
  const lat = isObj(ok.latency) ? ok.latency : {};
  const thr = isObj(ok.throughput) ? ok.throughput : {};
  const summary = emptySummary();
  const completed = num(ok.count) ?? 0;
  const failed = (isObj(o.failures) ? num(o.failures.count) : undefined) ?? 0;
  summary.requests = { sent: completed + failed, completed, failed, cancelled: 0, short: 0, warmup: 0 };
  if (failed) summary.errors.http_status = failed;
  summary.ttft = toSummary(lat.time_to_first_token, 1, KEYS);
  summary.tpot = toSummary(lat.time_per_output_token, 1, KEYS);
  summary.e2e = toSummary(lat.request_latency, 1, KEYS);
  summary.outputTokens = toSummary(ok.output_len, 1, KEYS);
  summary.promptTokens = toSummary(ok.prompt_len, 1, KEYS);
  summary.requestThroughput = num(thr.requests_per_sec) ?? NaN;
  summary.outputTokenThroughput = num(thr.output_tokens_per_sec) ?? NaN;
  summary.totalTokenThroughput = num(thr.total_tokens_per_sec) ?? NaN;
  summary.tokenSource = 'chunks';
  const ls = o.load_summary;
  const concurrency = num(ls.concurrency);
  const rate = num(ls.requested_rate);
  const load = concurrency !== undefined ? { mode: 'concurrency' as const, concurrency } : { mode: 'rate' as const, rate: rate ?? NaN };
  const stage = /stage_(\d+)/.exec(fileName)?.[1];
  const delay = toSummary(ls.schedule_delay, 1, KEYS);
  const notes: string[] = [];
  if (delay && Number.isFinite(delay.mean)) notes.push(`mean schedule delay (client behind its schedule) ${(delay.mean * 1e3).toFixed(2)} ms, not in inference-perf's latencies`);
  return {
    tool: 'inference-perf',
    steps: [{
      load,
      summary,
      label: stage !== undefined ? `stage ${stage}` : undefined,
      conversions: [
        "inference-perf's time_per_output_token, (last − first token) / (output tokens − 1), is our TPOT",
        "inference-perf's inter_token_latency is per token (0 inside a chunk), not per chunk: ITL is not available",
        "inference-perf's normalized_time_per_output_token includes the TTFT and is not used",
        "inference-perf's latencies start when a request is sent; its schedule delay is not in them",
        'inference-perf counts tokens with a client-side tokenizer unless configured to use the server\'s usage',
      ],
    }],
    notes,
  };
}
