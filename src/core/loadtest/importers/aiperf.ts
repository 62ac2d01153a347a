// NVIDIA AIPerf (profile_export_aiperf.json; aiperf/common/models/export_models.py JsonExportData,
// ai-dynamo/aiperf @ db4f6397) and its predecessor genai-perf (profile_export_genai_perf.json, the shape AIPerf
// mimics; triton-inference-server/perf_analyzer genai-perf). Top-level keys are metrics:
// {unit, avg, p1..p99, min, max, std}; `input_config` holds the load settings. Definitions
// (aiperf/metrics/types/*.py; genai-perf llm_profile_data_parser.py):
//   time_to_first_token = first response − request start               → our TTFT (no client queueing in it)
//   inter_token_latency = (request_latency − TTFT) / (OSL − 1)          → our TPOT, not our ITL
//   inter_chunk_latency (AIPerf) = gaps between chunks                  → our ITL
//   request_latency     = last response − request start                 → our E2E
//   request_throughput  = requests / benchmark duration; output_token_throughput = output tokens / duration
// genai-perf counts output tokens with a client-side tokenizer; AIPerf prefers the server's usage when present.
import { emptySummary, ImportError, isObj, num, timeScale, toSummary, type ImportedStep, type ImportResult } from './common';

function metric(v: Record<string, unknown>, key: string) {
  const m = v[key];
  if (!isObj(m)) return undefined;
  const scale = timeScale(m.unit) ?? 1e-3;
  return toSummary(m, scale, { mean: ['avg'], p50: ['p50'], p90: ['p90'], p99: ['p99'], min: ['min'], max: ['max'], std: ['std'] });
}

function plain(v: Record<string, unknown>, key: string) {
  const m = v[key];
  return isObj(m) ? toSummary(m, 1, { mean: ['avg'] }) : undefined;
}

export function looksLikeAiperf(v: unknown): boolean {
  return isObj(v) && isObj(v.time_to_first_token) && 'unit' in v.time_to_first_token && (isObj(v.request_throughput) || isObj(v.request_latency));
}

function concurrencyOf(cfg: Record<string, unknown> | undefined): { concurrency?: number; rate?: number } {
  if (!cfg) return {};
  const paths: unknown[] = [
    isObj(cfg.loadgen) ? cfg.loadgen : undefined, // AIPerf UserConfig.loadgen
    isObj(cfg.perf_analyzer) && isObj(cfg.perf_analyzer.stimulus) ? cfg.perf_analyzer.stimulus : undefined, // genai-perf config
    cfg, // genai-perf CLI args
  ];
  for (const p of paths) {
    if (!isObj(p)) continue;
    const c = num(p.concurrency);
    const r = num(p.request_rate);
    if (c !== undefined || r !== undefined) return { concurrency: c, rate: r };
  }
  return {};
}

export function importAiperf(v: unknown, fileName = ''): ImportResult {
  if (!looksLikeAiperf(v)) throw new ImportError('not an AIPerf/genai-perf export: expected time_to_first_token {unit, avg, ...}');
  const o = v as Record<string, unknown>;
  const cfg = isObj(o.input_config) ? o.input_config : undefined;
  const genai = /genai_perf/i.test(fileName) || (cfg !== undefined && 'perf_analyzer' in cfg && !('loadgen' in cfg));
  const tool = genai ? 'genai-perf' : 'aiperf';
  const summary = emptySummary();
  summary.ttft = metric(o, 'time_to_first_token');
  summary.tpot = metric(o, 'inter_token_latency');
  summary.itl = metric(o, 'inter_chunk_latency');
  summary.e2e = metric(o, 'request_latency');
  summary.requestThroughput = plain(o, 'request_throughput')?.mean ?? NaN;
  summary.outputTokenThroughput = plain(o, 'output_token_throughput')?.mean ?? NaN;
  summary.outputTokens = plain(o, 'output_sequence_length');
  summary.promptTokens = plain(o, 'input_sequence_length');
  const goodput = plain(o, 'goodput')?.mean;
  if (goodput !== undefined && Number.isFinite(goodput)) summary.goodput = goodput;
  const count = plain(o, 'request_count')?.mean;
  const errs = plain(o, 'error_request_count')?.mean ?? 0;
  if (count !== undefined && Number.isFinite(count)) summary.requests = { sent: count + errs, completed: count, failed: errs, cancelled: 0, short: 0, warmup: 0 };
  if (errs) summary.errors.http_status = errs;
  const dur = plain(o, 'benchmark_duration');
  if (dur && Number.isFinite(dur.mean)) summary.durationSec = dur.mean * (timeScale((o.benchmark_duration as Record<string, unknown>).unit) ?? 1);
  summary.tokenSource = genai ? 'chunks' : 'usage';
  // genai-perf writes its folder as <model>-<service>-<backend>-concurrency<N>; use that when the config is silent.
  const { concurrency, rate } = concurrencyOf(cfg);
  const fromName = /concurrency(\d+)/i.exec(fileName)?.[1];
  const load: ImportedStep['load'] = rate !== undefined && concurrency === undefined
    ? { mode: 'rate', rate }
    : { mode: 'concurrency', concurrency: concurrency ?? (fromName ? Number(fromName) : NaN) };
  const conversions = [
    `${tool}'s inter_token_latency, (request latency − TTFT) / (output tokens − 1), is our TPOT`,
    `${tool}'s TTFT and request latency start when the request is sent; ours start at creation (the same in a closed loop)`,
    summary.itl ? "AIPerf's inter_chunk_latency (gaps between chunks) is our ITL" : `${tool} reports no per-chunk gaps here: ITL is not available`,
  ];
  if (genai) conversions.push('genai-perf counts output tokens with its own tokenizer, not the server\'s usage');
  return { tool, steps: [{ load, summary, conversions }], notes: [] };
}
