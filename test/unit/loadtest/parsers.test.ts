// SSE, Prometheus text and the MagicDec acceptance fit: the parsers a hostile or odd server talks to.
import * as assert from 'node:assert/strict';
import { alphaFromMeanAccepted, fitAlpha } from '../../../src/core/loadtest/acceptance';
import { parsePrometheus, total } from '../../../src/core/loadtest/prometheus';
import { serverTruth } from '../../../src/core/loadtest/serverTruth';
import { SseError, SseParser, type SseEvent } from '../../../src/core/loadtest/sse';
import { expectedTokensPerStep } from '../../../src/core/estimator/speculative';
import { rng } from '../../../src/engine/loadtest/prompts';

function parse(chunks: (string | Buffer)[]): SseEvent[] {
  const out: SseEvent[] = [];
  const p = new SseParser((e) => out.push(e));
  for (const c of chunks) p.push(c);
  p.end();
  return out;
}

describe('SSE parser', () => {
  it('reads events split anywhere, with LF, CRLF or CR line ends, comments and multi-line data', () => {
    const text = ': ping\r\ndata: {"a":1}\r\n\r\nevent: x\ndata: line1\ndata:line2\n\ndata: [DONE]\r\r';
    const whole = parse([text]);
    assert.deepEqual(whole, [{ data: '{"a":1}' }, { event: 'x', data: 'line1\nline2' }, { data: '[DONE]' }]);
    // Every split point, byte by byte, gives the same events (a CRLF split between two reads is one line break).
    for (let i = 1; i < text.length; i++) assert.deepEqual(parse([text.slice(0, i), text.slice(i)]), whole, `split at ${i}`);
  });

  it('keeps a multi-byte character split across two socket reads', () => {
    const buf = Buffer.from('data: {"text":"größer 🚀"}\n\n', 'utf8');
    const cut = buf.indexOf(0xf0) + 2; // inside the 4-byte emoji
    assert.deepEqual(parse([buf.subarray(0, cut), buf.subarray(cut)]), [{ data: '{"text":"größer 🚀"}' }]);
  });

  it('delivers a last event without its blank line, and refuses an endless line', () => {
    assert.deepEqual(parse(['data: tail']), [{ data: 'tail' }]);
    const p = new SseParser(() => undefined, 1024);
    assert.throws(() => p.push('data: ' + 'x'.repeat(2000)), SseError);
  });
});

describe('Prometheus text and server truth', () => {
  const before = parsePrometheus([
    '# HELP vllm:num_preemptions_total Cumulative number of preemption from the engine.',
    '# TYPE vllm:num_preemptions_total counter',
    'vllm:num_preemptions_total{engine="0",model_name="m"} 3.0',
    'vllm:spec_decode_num_drafts_total{engine="0",model_name="m"} 100',
    'vllm:spec_decode_num_draft_tokens_total{engine="0",model_name="m"} 300',
    'vllm:spec_decode_num_accepted_tokens_total{engine="0",model_name="m"} 150',
    'vllm:spec_decode_num_accepted_tokens_per_pos_total{engine="0",model_name="m",position="0"} 70',
    'vllm:spec_decode_num_accepted_tokens_per_pos_total{engine="0",model_name="m",position="1"} 50',
    'vllm:spec_decode_num_accepted_tokens_per_pos_total{engine="0",model_name="m",position="2"} 30',
    'vllm:prefix_cache_queries_total{engine="0",model_name="m"} 1000',
    'vllm:prefix_cache_hits_total{engine="0",model_name="m"} 10',
  ].join('\n'));
  const during = [0.25, 0.5, 0.75].map((u) => parsePrometheus(`vllm:kv_cache_usage_perc{engine="0",model_name="m"} ${u}\nvllm:num_requests_waiting{engine="0"} ${u * 8}`));
  const after = parsePrometheus([
    'vllm:num_preemptions_total{engine="0",model_name="m"} 5.0',
    'vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.1',
    'vllm:spec_decode_num_drafts_total{engine="0",model_name="m"} 1100',
    'vllm:spec_decode_num_draft_tokens_total{engine="0",model_name="m"} 3300',
    'vllm:spec_decode_num_accepted_tokens_total{engine="0",model_name="m"} 1650',
    'vllm:spec_decode_num_accepted_tokens_per_pos_total{engine="0",model_name="m",position="0"} 770',
    'vllm:spec_decode_num_accepted_tokens_per_pos_total{engine="0",model_name="m",position="1"} 550',
    'vllm:spec_decode_num_accepted_tokens_per_pos_total{engine="0",model_name="m",position="2"} 330',
    'vllm:prefix_cache_queries_total{engine="0",model_name="m"} 3000',
    'vllm:prefix_cache_hits_total{engine="0",model_name="m"} 1010',
  ].join('\n'));

  it('parses labels with escapes, special values and skips garbage lines', () => {
    const s = parsePrometheus('a{x="q\\"uote",y="n\\nl"} 1.5 1700000000\nb NaN\nc +Inf\ngarbage line here\nd{broken 3\n');
    assert.deepEqual(s.samples.map((x) => x.name), ['a', 'b', 'c']);
    assert.deepEqual(s.samples[0]!.labels, { x: 'q"uote', y: 'n\nl' });
    assert.ok(Number.isNaN(s.samples[1]!.value));
    assert.equal(s.samples[2]!.value, Infinity);
    assert.equal(total(s, 'missing'), undefined);
  });

  it('differences counters over a step, takes gauges over the samples, and fits α per position', () => {
    const t = serverTruth(before, during, after);
    assert.equal(t.dialect, 'vllm');
    assert.equal(t.preemptions, 2);
    assert.deepEqual(t.kvCacheUsage, { max: 0.75, mean: (0.25 + 0.5 + 0.75 + 0.1) / 4 });
    assert.equal(t.waitingMax, 6);
    assert.deepEqual(t.prefixCache, { hits: 1000, queries: 2000, hitRate: 0.5 });
    const spec = t.spec!;
    assert.deepEqual([spec.drafts, spec.draftTokens, spec.acceptedTokens], [1000, 3000, 1500]);
    assert.deepEqual(spec.acceptedPerPos, [700, 500, 300]);
    // MLE: S / (S + D − A_γ) = 1500 / (1500 + 1000 − 300)
    assert.equal(spec.fit!.alpha.toFixed(6), (1500 / 2200).toFixed(6));
    assert.equal(spec.fit!.method, 'per-position MLE');
    assert.equal(spec.fit!.draftAcceptanceRate, 0.5);
    assert.equal(spec.fit!.meanAcceptanceLength, 2.5);
  });

  it('recovers a known α from simulated drafts (the estimator\'s Ω model), with and without per-position counters', () => {
    const r = rng(42);
    for (const [alpha, gamma] of [[0.6, 4], [0.85, 3], [0.3, 5]] as const) {
      const D = 20_000;
      const perPos = new Array<number>(gamma).fill(0);
      let accepted = 0;
      for (let d = 0; d < D; d++) {
        let k = 0;
        while (k < gamma && r() < alpha) { perPos[k]!++; k++; }
        accepted += k;
      }
      const withPos = fitAlpha({ drafts: D, draftTokens: D * gamma, acceptedTokens: accepted, acceptedPerPos: perPos })!;
      const totals = fitAlpha({ drafts: D, draftTokens: D * gamma, acceptedTokens: accepted })!;
      assert.ok(Math.abs(withPos.alpha - alpha) < 0.015, `per-position α ${withPos.alpha} for ${alpha}`);
      assert.ok(Math.abs(totals.alpha - alpha) < 0.02, `totals α ${totals.alpha} for ${alpha}`);
      assert.equal(totals.method, 'mean accepted length');
      // The fitted α reproduces the measured mean accepted length through Ω(γ, α) − 1.
      assert.ok(Math.abs(expectedTokensPerStep(gamma, totals.alpha) - 1 - accepted / D) < 1e-6);
      assert.ok(withPos.draftAcceptanceRate < alpha, 'accepted / drafted understates α (a rejection ends the chain)');
    }
    assert.equal(alphaFromMeanAccepted(4, 0), 0);
    assert.equal(alphaFromMeanAccepted(4, 4), 1);
    assert.equal(fitAlpha({ drafts: 0, draftTokens: 0, acceptedTokens: 0 }), undefined);
  });
});
