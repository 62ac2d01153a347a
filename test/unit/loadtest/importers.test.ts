// The importers convert other tools' metric definitions to ours. Each test builds one set of requests, writes the
// file each tool would write for them — in the tool's own shape and with the tool's own formulas (cited in the
// importer) — imports it, and checks our figures come back: the same TTFT, our TPOT (not GuideLLM's, which
// includes the TTFT), our E2E, the load shape.
import * as assert from 'node:assert/strict';
import { detectFormat, importResults, ImportError } from '../../../src/core/loadtest/importers';
import { summarizeStep } from '../../../src/core/loadtest/metrics';
import { percentile, summarize } from '../../../src/core/loadtest/stats';
import type { RequestSample } from '../../../src/core/loadtest/types';

// 40 requests: start, first token, last token (ms) and output tokens, varied so percentiles differ from means.
const REQS = Array.from({ length: 40 }, (_, i) => {
  const start = i * 37;
  const ttft = 80 + ((i * 53) % 41) * 3;
  const n = 20 + ((i * 7) % 13);
  const tpot = 9 + ((i * 11) % 7) * 0.5;
  return { start, first: start + ttft, last: start + ttft + (n - 1) * tpot, n, prompt: 500 + (i % 5) };
});
const samples: RequestSample[] = REQS.map((r, i) => ({
  index: i, createdMs: r.start, sentMs: r.start, firstTokenMs: r.first, lastTokenMs: r.last, endMs: r.last, outputTokens: r.n,
  promptTokens: r.prompt, tokenSource: 'usage', chunkGapsMs: [], chunks: r.n, maxTokens: 64,
}));
const ours = summarizeStep(samples);
const ms = (xs: number[]) => ({ mean: summarize(xs)!.mean, p50: percentile(xs, 50), p90: percentile(xs, 90), p99: percentile(xs, 99) });
const TTFT = REQS.map((r) => r.first - r.start);
const TPOT = REQS.map((r) => (r.last - r.first) / (r.n - 1));
const E2E = REQS.map((r) => r.last - r.start);
const near = (a: number | undefined, b: number | undefined, what: string, tol = 1e-9) => {
  assert.ok(a !== undefined && b !== undefined && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
};
const duration = ours.durationSec;

describe('importers: other tools\' results in our definitions', () => {
  it('vllm bench serve --save-result (TPOT and ITL already ours; p90 only when asked)', () => {
    const st = (xs: number[]) => ms(xs);
    const t = st(TTFT), p = st(TPOT), e = st(E2E);
    const file = {
      date: '20260101-000000', backend: 'openai', model_id: 'meta-llama/Llama-3.1-8B-Instruct', num_prompts: 40, request_rate: 'inf', burstiness: 1.0, max_concurrency: 8,
      duration, completed: 40, failed: 0, total_input_tokens: REQS.reduce((a, r) => a + r.prompt, 0), total_output_tokens: REQS.reduce((a, r) => a + r.n, 0),
      request_throughput: 40 / duration, request_goodput: null, output_throughput: REQS.reduce((a, r) => a + r.n, 0) / duration,
      mean_ttft_ms: t.mean, median_ttft_ms: t.p50, std_ttft_ms: 1, p99_ttft_ms: t.p99,
      mean_tpot_ms: p.mean, median_tpot_ms: p.p50, std_tpot_ms: 1, p99_tpot_ms: p.p99,
      mean_itl_ms: 10, median_itl_ms: 10, std_itl_ms: 1, p99_itl_ms: 12,
      mean_e2el_ms: e.mean, median_e2el_ms: e.p50, std_e2el_ms: 1, p99_e2el_ms: e.p99,
    };
    const text = JSON.stringify(file);
    assert.equal(detectFormat(text), 'vllm-bench-serve');
    const r = importResults(text);
    assert.equal(r.tool, 'vllm-bench-serve');
    const s = r.steps[0]!;
    assert.deepEqual(s.load, { mode: 'concurrency', concurrency: 8 });
    near(s.summary.ttft!.p50, ours.ttft!.p50, 'TTFT p50');
    near(s.summary.tpot!.p99, ours.tpot!.p99, 'TPOT p99');
    near(s.summary.e2e!.mean, ours.e2e!.mean, 'E2E mean');
    assert.ok(Number.isNaN(s.summary.ttft!.p90), 'vLLM printed no p90: not invented');
    near(s.summary.outputTokenThroughput, ours.outputTokenThroughput, 'output tok/s', 1e-9);
    assert.ok(s.conversions.some((c) => /queueing/.test(c)));
    // --append-result: one object per line, a rate step
    const two = [text, JSON.stringify({ ...file, request_rate: 4, max_concurrency: null })].join('\n');
    const r2 = importResults(two);
    assert.equal(r2.steps.length, 2);
    assert.deepEqual(r2.steps[1]!.load, { mode: 'rate', rate: 4 });
  });

  it('vllm bench serve --save-detailed: p90s recomputed from the per-request arrays', () => {
    const file = {
      request_rate: 'inf', max_concurrency: 4, duration, completed: 40, failed: 0, request_throughput: 1, output_throughput: 1,
      mean_ttft_ms: 1, median_ttft_ms: 1, p99_ttft_ms: 1,
      ttfts: TTFT.map((x) => x / 1e3), output_lens: REQS.map((r) => r.n),
      itls: REQS.map((r) => Array.from({ length: r.n - 1 }, () => (r.last - r.first) / (r.n - 1) / 1e3)),
      errors: REQS.map(() => ''),
    };
    const s = importResults(JSON.stringify(file)).steps[0]!;
    near(s.summary.ttft!.p90, ours.ttft!.p90, 'TTFT p90', 1e-9);
    near(s.summary.tpot!.p90, ours.tpot!.p90, 'TPOT p90', 1e-9);
  });

  it('GuideLLM benchmarks.json: inter_token_latency_ms is our TPOT; its time_per_output_token_ms (with TTFT) is not', () => {
    const dist = (xs: number[]) => ({
      successful: { mean: summarize(xs)!.mean, median: percentile(xs, 50), mode: 0, variance: 0, std_dev: summarize(xs)!.std, min: Math.min(...xs), max: Math.max(...xs), count: xs.length, total_sum: xs.reduce((a, b) => a + b, 0),
        percentiles: { p001: 0, p01: 0, p05: 0, p10: 0, p25: 0, p50: percentile(xs, 50), p75: 0, p90: percentile(xs, 90), p95: 0, p99: percentile(xs, 99), p999: 0 } },
      incomplete: null, errored: null, total: null,
    });
    const guideTpot = REQS.map((r) => (r.last - r.start) / r.n); // GuideLLM's formula: includes the TTFT
    const guideItl = REQS.map((r) => (r.last - r.first) / (r.n - 1)); // GuideLLM's ITL = our TPOT
    const report = {
      metadata: { version: 1 },
      config: {},
      benchmarks: [{
        type_: 'generative_benchmark',
        config: { strategy: { type_: 'concurrent', streams: 16 } },
        scheduler_metrics: { measure_start_time: 1000, measure_end_time: 1000 + duration },
        metrics: {
          request_totals: { successful: 40, incomplete: 1, errored: 2, total: 43 },
          requests_per_second: dist([40 / duration]),
          output_tokens_per_second: dist([ours.outputTokenThroughput]),
          time_to_first_token_ms: dist(TTFT),
          time_per_output_token_ms: dist(guideTpot),
          inter_token_latency_ms: dist(guideItl),
          request_latency: dist(E2E.map((x) => x / 1e3)),
          output_token_count: dist(REQS.map((r) => r.n)),
        },
      }],
    };
    const r = importResults(JSON.stringify(report));
    assert.equal(r.tool, 'guidellm');
    const s = r.steps[0]!;
    assert.deepEqual(s.load, { mode: 'concurrency', concurrency: 16 });
    near(s.summary.tpot!.p50, ours.tpot!.p50, 'TPOT p50');
    near(s.summary.tpot!.p90, ours.tpot!.p90, 'TPOT p90');
    assert.ok(Math.abs(s.summary.tpot!.p50 - percentile(guideTpot, 50) / 1e3) > 1e-3, 'GuideLLM\'s TPOT (with TTFT) must not be taken as ours');
    near(s.summary.ttft!.p99, ours.ttft!.p99, 'TTFT p99');
    near(s.summary.e2e!.p50, ours.e2e!.p50, 'E2E p50');
    assert.equal(s.summary.itl, undefined, 'no per-chunk gaps in GuideLLM: no ITL');
    assert.deepEqual(s.summary.requests, { sent: 43, completed: 40, failed: 3, cancelled: 1, short: 0, warmup: 0 });
    near(s.summary.durationSec, duration, 'duration');
  });

  it('AIPerf and genai-perf: inter_token_latency is our TPOT; units read from the file', () => {
    const m = (xs: number[], unit: string, f: number) => ({ unit, avg: summarize(xs)!.mean * f, p50: percentile(xs, 50) * f, p90: percentile(xs, 90) * f, p99: percentile(xs, 99) * f, min: Math.min(...xs) * f, max: Math.max(...xs) * f, std: 0 });
    const aiperfTpot = REQS.map((r) => ((r.last - r.start) - (r.first - r.start)) / (r.n - 1));
    const aiperf = {
      time_to_first_token: m(TTFT, 'ms', 1),
      inter_token_latency: m(aiperfTpot, 'ns', 1e6),
      request_latency: m(E2E, 'ms', 1),
      request_throughput: { unit: 'requests/sec', avg: 40 / duration },
      output_token_throughput: { unit: 'tokens/sec', avg: ours.outputTokenThroughput },
      request_count: { unit: 'requests', avg: 40 },
      input_config: { loadgen: { concurrency: 32 } },
    };
    const r = importResults(JSON.stringify(aiperf), 'artifacts/run/profile_export_aiperf.json');
    assert.equal(r.tool, 'aiperf');
    const s = r.steps[0]!;
    assert.deepEqual(s.load, { mode: 'concurrency', concurrency: 32 });
    near(s.summary.tpot!.p90, ours.tpot!.p90, 'TPOT p90 (from ns)', 1e-9);
    near(s.summary.ttft!.p50, ours.ttft!.p50, 'TTFT p50');
    // genai-perf: same shape, concurrency from its artifact folder name
    const genai = { ...aiperf, input_config: { model_names: ['m'], perf_analyzer: { stimulus: {} } } };
    const g = importResults(JSON.stringify(genai), 'artifacts/m-openai-chat-concurrency4/profile_export_genai_perf.json');
    assert.equal(g.tool, 'genai-perf');
    assert.deepEqual(g.steps[0]!.load, { mode: 'concurrency', concurrency: 4 });
    assert.equal(g.steps[0]!.summary.tokenSource, 'chunks');
  });

  it('inference-perf lifecycle report: time_per_output_token is our TPOT; seconds; rate stages', () => {
    const d = (xs: number[]) => ({ mean: summarize(xs)!.mean, min: Math.min(...xs), median: percentile(xs, 50), p90: percentile(xs, 90), p99: percentile(xs, 99), max: Math.max(...xs) });
    const file = {
      load_summary: { count: 42, schedule_delay: d([0.001, 0.002]), send_duration: 10, requested_rate: 2.0, achieved_rate: 1.98 },
      successes: {
        count: 40,
        latency: {
          request_latency: d(E2E.map((x) => x / 1e3)),
          normalized_time_per_output_token: d(REQS.map((r) => (r.last - r.start) / r.n / 1e3)),
          time_per_output_token: d(TPOT.map((x) => x / 1e3)),
          time_to_first_token: d(TTFT.map((x) => x / 1e3)),
          inter_token_latency: d([0, 0.01]),
        },
        throughput: { input_tokens_per_sec: 1, output_tokens_per_sec: ours.outputTokenThroughput, total_tokens_per_sec: 1, requests_per_sec: 40 / duration },
        prompt_len: d(REQS.map((r) => r.prompt)),
        output_len: d(REQS.map((r) => r.n)),
      },
      failures: { count: 2, request_latency: null, prompt_len: null },
    };
    const r = importResults(JSON.stringify(file), 'results/stage_3_lifecycle_metrics.json');
    assert.equal(r.tool, 'inference-perf');
    const s = r.steps[0]!;
    assert.deepEqual(s.load, { mode: 'rate', rate: 2 });
    assert.equal(s.label, 'stage 3');
    near(s.summary.tpot!.p99, ours.tpot!.p99, 'TPOT p99');
    near(s.summary.ttft!.p90, ours.ttft!.p90, 'TTFT p90');
    assert.equal(s.summary.itl, undefined, 'per-token ITL (0 inside a chunk) is not our per-chunk ITL');
    assert.equal(s.summary.requests.failed, 2);
    assert.ok(r.notes.some((n) => /schedule delay/.test(n)));
  });

  it('refuses what it does not know, with a clear error', () => {
    assert.throws(() => importResults('{"hello": 1}'), ImportError);
    assert.throws(() => importResults('not json at all'), ImportError);
    assert.equal(detectFormat('[]'), undefined);
  });
});
