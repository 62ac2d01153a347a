// The metric formulas of src/core/loadtest/metrics.ts on hand-made requests whose answers are worked out here.
import * as assert from 'node:assert/strict';
import { isGood, requestMetrics, serverAgreement, summarizeStep } from '../../../src/core/loadtest/metrics';
import { percentile, summarize } from '../../../src/core/loadtest/stats';
import { findKnee } from '../../../src/core/loadtest/knee';
import { diffPct, estimateFigures } from '../../../src/core/loadtest/estimate';
import type { RequestSample } from '../../../src/core/loadtest/types';
import type { TargetEstimate } from '../../../src/core/estimator/report';

function req(over: Partial<RequestSample> & { createdMs: number }): RequestSample {
  return { index: 0, chunkGapsMs: [], chunks: 0, maxTokens: 16, ...over };
}

describe('load test metrics', () => {
  it('percentiles interpolate like numpy (type 7), so p99s compare with vllm bench serve', () => {
    // np.percentile([1, 2, 3, 4], 90) = 3.7; np.percentile([15, 20, 35, 40, 50], 40) = 29.0
    assert.equal(percentile([4, 1, 3, 2], 90).toFixed(6), '3.700000');
    assert.equal(percentile([15, 20, 35, 40, 50], 40).toFixed(6), '29.000000');
    assert.equal(percentile([7], 99), 7);
    assert.ok(Number.isNaN(percentile([], 50)));
    const s = summarize([1, 2, 3, 4, NaN, Infinity])!;
    assert.equal(s.count, 4);
    assert.equal(s.mean, 2.5);
    // population std (ddof 0) of 1..4 = sqrt(1.25)
    assert.equal(s.std.toFixed(6), Math.sqrt(1.25).toFixed(6));
  });

  it('TTFT and E2E start at creation (client queueing counted); TPOT = (E2E − TTFT) / (n − 1)', () => {
    const m = requestMetrics(req({ createdMs: 1000, sentMs: 1100, firstTokenMs: 1300, lastTokenMs: 1900, endMs: 1910, outputTokens: 11 }));
    assert.equal(m.queueSec, 0.1);
    assert.equal(m.ttftSec, 0.3);
    assert.equal(m.e2eSec!.toFixed(6), '0.910000');
    assert.equal(m.tpotSec!.toFixed(6), ((0.91 - 0.3) / 10).toFixed(6));
    assert.equal(m.decodeSpanSec!.toFixed(6), '0.600000');
    // one output token: no TPOT (vLLM leaves it out of the TPOT distribution too)
    assert.equal(requestMetrics(req({ createdMs: 0, firstTokenMs: 5, endMs: 6, outputTokens: 1 })).tpotSec, undefined);
  });

  it('a step: throughput over max(end) − min(created), goodput under SLOs, errors by reason with examples', () => {
    const ok = (i: number, created: number, first: number, end: number, n: number) =>
      req({ index: i, createdMs: created, sentMs: created, firstTokenMs: first, lastTokenMs: end, endMs: end, outputTokens: n, promptTokens: 100, tokenSource: 'usage', chunkGapsMs: [10, 20] });
    const samples = [
      ok(0, 0, 100, 1100, 11), // TTFT 0.1, TPOT 0.1
      ok(1, 0, 300, 1300, 11), // TTFT 0.3, TPOT 0.1
      ok(2, 500, 600, 2000, 15), // TTFT 0.1, TPOT 0.1
      req({ index: 3, createdMs: 100, error: { reason: 'http_status', status: 500, message: 'HTTP 500: boom' } }),
      req({ index: 4, createdMs: 200, error: { reason: 'http_status', status: 429, message: 'HTTP 429: slow down' } }),
      req({ index: 5, createdMs: 300, error: { reason: 'stalled', message: 'no byte for 2 s' } }),
    ];
    const s = summarizeStep(samples, { slo: { ttftSec: 0.2, tpotSec: 0.15 }, warmup: 2 });
    assert.equal(s.durationSec, 2);
    assert.deepEqual(s.requests, { sent: 6, completed: 3, failed: 3, cancelled: 0, short: 0, warmup: 2 });
    assert.deepEqual(s.errors, { http_status: 2, stalled: 1 });
    assert.deepEqual(s.errorExamples.http_status, ['HTTP 500: boom', 'HTTP 429: slow down']);
    assert.equal(s.requestThroughput, 1.5);
    assert.equal(s.outputTokenThroughput, (11 + 11 + 15) / 2);
    assert.equal(s.totalTokenThroughput, (37 + 300) / 2);
    assert.equal(s.goodRequests, 2); // the 0.3 s TTFT misses the SLO
    assert.equal(s.goodput, 1);
    assert.equal(s.ttft!.p50, 0.1);
    assert.equal(s.tpot!.mean.toFixed(6), '0.100000');
    assert.equal(s.itl!.count, 6);
    assert.equal(s.tokenSource, 'usage');
    assert.equal(isGood({ ttftSec: 0.1 }, { tpotSec: 0.01 }), true, 'no TPOT (1 token) passes a TPOT SLO, as in vLLM');
  });

  it('agreement with llama-server timings: TTFT against prompt_ms, TPOT against predicted_per_token_ms', () => {
    const a = serverAgreement([
      req({ createdMs: 0, firstTokenMs: 105, lastTokenMs: 405, endMs: 406, outputTokens: 31, server: { prompt_ms: 100, predicted_ms: 300, predicted_n: 31, predicted_per_token_ms: 10 } }),
      req({ createdMs: 0, error: { reason: 'connection', message: 'x' }, server: { prompt_ms: 1 } }),
    ])!;
    assert.equal(a.requests, 1);
    assert.equal(a.outputTokensEqual, 1);
    assert.equal(a.ttftVsPromptMsPct!.toFixed(3), '5.000');
    assert.equal(a.decodeSpanVsPredictedMsPct!.toFixed(3), '0.000');
    // TPOT = (0.406 − 0.105) / 30 = 10.0333 ms against 10 ms
    assert.equal(a.tpotVsPredictedPerTokenPct!.toFixed(3), '0.333');
    assert.equal(a.ttftMinusPromptMs!.toFixed(3), '5.000');
  });

  it('finds the knee where latency takes off, and none on a curve that does not bend', () => {
    const xs = [1, 2, 4, 8, 16, 32];
    const knee = findKnee(xs.map((x, i) => ({ x, y: [1.0, 1.02, 1.05, 1.1, 2.5, 6.0][i]! })));
    assert.equal(knee?.x, 8);
    assert.ok(knee!.riseAfter > 5);
    assert.equal(findKnee(xs.map((x) => ({ x, y: 1 + 0.01 * x }))), undefined, 'a nearly flat line has no knee');
    assert.equal(findKnee(xs.map((x) => ({ x, y: Math.log2(x) + 1 }))), undefined, 'latency growing evenly per doubling has no knee');
    assert.equal(findKnee([{ x: 1, y: 1 }, { x: 2, y: 9 }]), undefined, 'two points are not a curve');
  });

  it('the estimate of a closed loop: c·n / (TTFT + (n − 1)·TPOT) output tokens per second', () => {
    const t = { id: 'local', name: 'This machine', perf: { ttftSec: 0.2, tpotSec: 0.01, band: 0.3, batch: 4 } } as unknown as TargetEstimate;
    const e = estimateFigures(t, 4, 31);
    assert.equal(e.outputTokensPerSec!.toFixed(6), ((4 * 31) / (0.2 + 30 * 0.01)).toFixed(6));
    assert.equal(e.band, 0.3);
    assert.equal(diffPct(110, 100)!.toFixed(6), '10.000000');
    assert.equal(diffPct(1, 0), undefined);
  });
});
