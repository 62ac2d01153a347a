// `vllm bench serve --save-result` (vllm/benchmarks/serve.py, vllm-project/vllm @ def9ce85): one JSON object per
// run (`--append-result` writes several, one per line). Metric definitions there (calculate_metrics and
// lib/endpoint_request_func.py):
//   ttft  = first chunk − st, where st is taken after the --max-concurrency semaphore: client-side queueing is NOT
//           in vLLM's TTFT or E2EL (it is in ours).
//   tpot  = (latency − ttft) / (output_len − 1) per request — the same formula as our TPOT.
//   itl   = every gap between chunks — the same as our ITL.
//   e2el  = last chunk − st.
//   request_throughput = completed / benchmark duration; output_throughput = Σ output_len / duration.
// Keys: mean_/median_/std_/p{N}_{ttft,tpot,itl,e2el}_ms for the --metric-percentiles asked (default only 99),
// max_concurrency, request_rate ("inf" or a number), completed, failed, request_goodput.
import { summarize } from '../stats';
import { emptySummary, ImportError, isObj, num, type ImportedStep, type ImportResult } from './common';
import type { Summary } from '../stats';

function metric(o: Record<string, unknown>, m: string): Summary | undefined {
  const g = (k: string) => {
    const v = num(o[k]);
    return v === undefined ? NaN : v / 1e3;
  };
  const s: Summary = { count: NaN, mean: g(`mean_${m}_ms`), std: g(`std_${m}_ms`), min: NaN, max: NaN, p50: g(`median_${m}_ms`), p90: g(`p90_${m}_ms`), p99: g(`p99_${m}_ms`) };
  if (!Number.isFinite(s.p50)) s.p50 = g(`p50_${m}_ms`);
  return [s.mean, s.p50, s.p90, s.p99].some((v) => Number.isFinite(v)) ? s : undefined;
}

export function looksLikeVllmBench(v: unknown): boolean {
  return isObj(v) && ('mean_ttft_ms' in v || 'median_ttft_ms' in v) && 'request_throughput' in v;
}

function step(o: Record<string, unknown>): ImportedStep {
  const conversions = [
    "vLLM's TTFT and E2EL start after its --max-concurrency semaphore, so they leave out client-side queueing; ours include it (identical in a closed-loop sweep)",
    "vLLM's TPOT is (E2EL − TTFT) / (output tokens − 1) per request: the same formula as ours",
    "vLLM's ITL is every gap between streamed chunks: the same as ours",
  ];
  const summary = emptySummary();
  const completed = num(o.completed) ?? 0;
  const failed = num(o.failed) ?? 0;
  summary.requests = { sent: completed + failed, completed, failed, cancelled: 0, short: 0, warmup: 0 };
  summary.durationSec = num(o.duration) ?? NaN;
  summary.requestThroughput = num(o.request_throughput) ?? NaN;
  summary.outputTokenThroughput = num(o.output_throughput) ?? NaN;
  summary.totalTokenThroughput = num(o.total_token_throughput) ?? NaN;
  const goodput = num(o.request_goodput);
  if (goodput !== undefined) summary.goodput = goodput;
  summary.ttft = metric(o, 'ttft');
  summary.tpot = metric(o, 'tpot');
  summary.itl = metric(o, 'itl');
  summary.e2e = metric(o, 'e2el');
  const totalOut = num(o.total_output_tokens);
  if (totalOut !== undefined && completed > 0) summary.outputTokens = { count: completed, mean: totalOut / completed, std: NaN, min: NaN, max: NaN, p50: NaN, p90: NaN, p99: NaN };
  const totalIn = num(o.total_input_tokens);
  if (totalIn !== undefined && completed > 0) summary.promptTokens = { count: completed, mean: totalIn / completed, std: NaN, min: NaN, max: NaN, p50: NaN, p90: NaN, p99: NaN };
  summary.tokenSource = 'usage';
  // --save-detailed keeps per-request arrays: recompute the percentiles vLLM did not print (it prints p99 only by default).
  if (Array.isArray(o.ttfts) && Array.isArray(o.output_lens)) {
    const errors = Array.isArray(o.errors) ? o.errors : [];
    const ok = (i: number) => !(typeof errors[i] === 'string' && errors[i]);
    const ttfts = (o.ttfts as unknown[]).map((x, i) => (ok(i) ? num(x) : undefined)).filter((x): x is number => x !== undefined && x > 0);
    const itls = Array.isArray(o.itls) ? (o.itls as unknown[]) : [];
    const outs = o.output_lens as unknown[];
    const tpots: number[] = [];
    const e2es: number[] = [];
    const gaps: number[] = [];
    (o.ttfts as unknown[]).forEach((t, i) => {
      const tt = num(t);
      const list = Array.isArray(itls[i]) ? (itls[i] as unknown[]).map(num).filter((x): x is number => x !== undefined) : [];
      const n = num(outs[i]);
      if (!ok(i) || tt === undefined || tt <= 0) return;
      gaps.push(...list);
      const decode = list.reduce((a, b) => a + b, 0);
      e2es.push(tt + decode);
      if (n !== undefined && n > 1) tpots.push(decode / (n - 1));
    });
    summary.ttft = summarize(ttfts) ?? summary.ttft;
    if (tpots.length) summary.tpot = summarize(tpots);
    if (gaps.length) summary.itl = summarize(gaps);
    if (e2es.length && !summary.e2e) summary.e2e = summarize(e2es);
    conversions.push('percentiles recomputed from the per-request arrays of --save-detailed (type-7, as numpy)');
  }
  const rate = o.request_rate;
  const conc = num(o.max_concurrency);
  const load: ImportedStep['load'] = typeof rate === 'number' && Number.isFinite(rate)
    ? { mode: 'rate', rate, ...(conc !== undefined ? { maxInFlight: conc } : {}) }
    : { mode: 'concurrency', concurrency: conc ?? (num(o.max_concurrent_requests) ?? completed + failed) };
  if (conc === undefined && load.mode === 'concurrency') conversions.push('no --max-concurrency: every request was sent at once, so the concurrency is the request count');
  return { load, summary, conversions, model: typeof o.model_id === 'string' ? o.model_id : undefined, label: typeof o.label === 'string' ? o.label : undefined };
}

/** `text` is the file: one JSON object, or several (one per line, as --append-result writes). */
export function importVllmBench(text: string): ImportResult {
  const objects: unknown[] = [];
  const trimmed = text.trim();
  try {
    const v = JSON.parse(trimmed);
    if (Array.isArray(v)) objects.push(...v);
    else objects.push(v);
  } catch {
    for (const line of trimmed.split('\n')) {
      if (!line.trim()) continue;
      try { objects.push(JSON.parse(line)); } catch { throw new ImportError('not vllm bench serve JSON: a line is not JSON'); }
    }
  }
  const steps = objects.filter(looksLikeVllmBench).map((o) => step(o as Record<string, unknown>));
  if (!steps.length) throw new ImportError('no vllm bench serve result in the file (expected mean_ttft_ms and request_throughput)');
  return { tool: 'vllm-bench-serve', steps, notes: [] };
}
