// Faults a real llama-server will not produce on demand, against the STAND-IN server (test/fixtures/loadtest/
// standIn.ts): 500s, 429s, a stalled stream, malformed SSE, a server that ignores max_tokens, a cut connection, a
// redirect to another host, an answer that is not an event stream, an error inside the stream. Each must be
// counted as an error with its reason; the run must finish with every other request measured, save every step,
// leave no stream open, and never let the API key into a record.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ResultsStore } from '../../../src/core/results/store';
import type { LoadTestRecord } from '../../../src/core/loadtest/record';
import { runLoadTest, type LoadTestOptions } from '../../../src/engine/loadtest/run';
import { Endpoint, EndpointError } from '../../../src/engine/loadtest/endpoint';
import { startStandIn, type Fault, type StandIn } from '../../fixtures/loadtest/standIn';

const base = (url: string, over: Partial<LoadTestOptions> = {}): LoadTestOptions => ({
  baseUrl: url, api: 'completions', steps: [{ mode: 'concurrency', concurrency: 2 }], requestsPerStep: 10, stepSeconds: 20,
  stallSeconds: 1, promptTokens: { kind: 'fixed', value: 32 }, outputTokens: { kind: 'fixed', value: 8 }, warmupRequests: 0, ...over,
});

describe('load test client against a misbehaving stand-in server', function () {
  this.timeout(60_000);
  let s: StandIn | undefined;
  afterEach(async () => { await s?.close(); s = undefined; });

  it('counts each fault as an error with its reason, measures the rest, and leaves no stream open', async () => {
    // The first two generation requests are the probes; measured requests start at 2.
    const faults: Record<number, Fault> = { 3: '500', 4: '429', 5: 'stall', 6: 'malformed', 7: 'ignore-max-tokens', 8: 'truncate', 9: 'redirect', 10: 'not-sse', 11: 'error-event' };
    s = await startStandIn({ ttftMs: 5, tpotMs: 2, fault: (n) => faults[n] ?? 'ok' });
    const r = await runLoadTest(base(s.url, { requestsPerStep: 14, keepSamples: true }));
    const sum = r.records[0]!.summary;
    assert.deepEqual(sum.errors, { http_status: 2, stalled: 1, malformed_sse: 2, max_tokens_exceeded: 1, connection: 1, redirect_refused: 1, server_error: 1 });
    assert.equal(sum.requests.completed, 5);
    assert.equal(sum.requests.sent, 14);
    const ex = JSON.stringify(sum.errorExamples);
    assert.match(ex, /HTTP 500/);
    assert.match(ex, /HTTP 429/);
    assert.match(ex, /ignores max_tokens; stopped reading/);
    assert.match(ex, /not an event stream/);
    assert.match(ex, /only the URL given is contacted/);
    assert.doesNotMatch(ex, /secret/, 'the redirect target\'s query (a token) is not repeated');
    assert.equal(s.open(), 0, 'the client closed the stall and the endless stream');
    assert.ok(sum.ttft && sum.tpot && sum.e2e, 'the good requests are measured');
  });

  it('detects what the server accepts: min_tokens and ignore_eos refused → sent without, outputs short reported', async () => {
    s = await startStandIn({ ttftMs: 2, tpotMs: 1, rejectFields: ['min_tokens', 'ignore_eos'], fault: (n) => (n % 2 ? 'short' : 'ok') });
    const r = await runLoadTest(base(s.url, { requestsPerStep: 4 }));
    const rec = r.records[0]!;
    assert.equal(rec.load.minTokens, 'unsupported');
    assert.equal(rec.load.ignoreEos, 'unsupported');
    assert.equal(rec.summary.requests.completed, 4);
    assert.equal(rec.summary.requests.short, 2, 'outputs that stopped at EOS are counted as short, not as errors');
    assert.ok(rec.notes.some((n) => /does not accept ignore_eos/.test(n)));
    assert.ok(rec.notes.some((n) => /2 of 4 outputs came back shorter than max_tokens/.test(n)));
    const sent = s.requests.slice(-4).map((q) => q.body);
    assert.ok(sent.every((b) => !('min_tokens' in b) && !('ignore_eos' in b)));
  });

  it('without usage in the stream, counts one token per chunk and says it is a guess', async () => {
    s = await startStandIn({ ttftMs: 2, tpotMs: 1, tokensPerChunk: 2, fault: () => 'no-usage' });
    const r = await runLoadTest(base(s.url, { requestsPerStep: 3, outputTokens: { kind: 'fixed', value: 8 } }));
    const rec = r.records[0]!;
    assert.equal(rec.summary.tokenSource, 'chunks');
    assert.equal(rec.summary.outputTokens!.mean, 4, '8 tokens in 4 chunks of 2 counted as 4: the guess, labelled');
    assert.ok(rec.notes.some((n) => /no usage/.test(n)));
  });

  it('open loop: Poisson arrivals, the client queue counted in TTFT, queued arrivals cancelled at the step end', async () => {
    s = await startStandIn({ ttftMs: 40, tpotMs: 5 });
    const r = await runLoadTest(base(s.url, { steps: [{ mode: 'rate', rate: 50, maxInFlight: 1 }], requestsPerStep: 12, stepSeconds: 1, graceSeconds: 0.5, keepSamples: true }));
    const samples = r.samples![0]!;
    const done = samples.filter((x) => !x.error);
    assert.ok(done.length >= 2);
    // created = scheduled arrival; with one request in flight at a time, later arrivals waited in the client.
    const waited = done.filter((x) => x.sentMs! - x.createdMs > 20);
    assert.ok(waited.length >= 1, 'some arrivals waited in the client queue');
    for (const x of done) assert.ok(x.firstTokenMs! - x.createdMs >= x.sentMs! - x.createdMs, 'TTFT includes the wait');
    const arrivals = samples.map((x) => x.createdMs);
    assert.deepEqual(arrivals, [...arrivals].sort((a, b) => a - b));
    assert.ok(r.records[0]!.summary.queue!.max > 0.02);
  });

  it('a cancelled run keeps every finished step in the store and the running one as partial', async () => {
    s = await startStandIn({ ttftMs: 5, tpotMs: 20 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-lt-'));
    const store = new ResultsStore(path.join(dir, 'runs.jsonl'));
    const ctl = new AbortController();
    const seen: LoadTestRecord[] = [];
    const r = await runLoadTest(base(s.url, {
      steps: [{ mode: 'concurrency', concurrency: 2 }, { mode: 'concurrency', concurrency: 4 }, { mode: 'concurrency', concurrency: 8 }],
      requestsPerStep: 8, outputTokens: { kind: 'fixed', value: 10 }, signal: ctl.signal,
      onStep: async (rec) => { seen.push(rec); await store.append([rec]); if (seen.length === 1) setTimeout(() => ctl.abort('user cancelled'), 150); },
    }));
    assert.equal(r.stoppedBecause, 'cancelled');
    assert.equal(seen.length, 2);
    assert.equal(seen[1]!.partial, true);
    assert.ok((seen[1]!.summary.errors.cancelled ?? 0) >= 1);
    const back = await store.readAll();
    assert.deepEqual(back.loadTests!.map((x) => x.id), seen.map((x) => x.id));
    assert.equal(back.corrupt.length, 0);
    assert.equal(s.open(), 0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a step that runs past its time limit stops starting requests and cancels the stalled ones after the grace period', async () => {
    s = await startStandIn({ ttftMs: 5, tpotMs: 5, fault: (n) => (n >= 4 ? 'stall' : 'ok') });
    const t0 = Date.now();
    const r = await runLoadTest(base(s.url, { requestsPerStep: 50, stepSeconds: 0.5, graceSeconds: 0.3, stallSeconds: 30 }));
    assert.ok(Date.now() - t0 < 5000, 'bounded by the step limit, not the 30 s stall timeout');
    const sum = r.records[0]!.summary;
    assert.ok((sum.errors.cancelled ?? 0) >= 1);
    assert.ok(sum.requests.sent < 50);
    assert.equal(s.open(), 0);
  });

  it('sends the API key only in the Authorization header, never into a record; refuses credentials in the URL', async () => {
    s = await startStandIn({ ttftMs: 2, tpotMs: 1 });
    const key = 'sk-test-do-not-leak-123';
    const r = await runLoadTest(base(s.url, { apiKey: key, requestsPerStep: 2, api: 'chat' }));
    assert.doesNotMatch(JSON.stringify(r.records), new RegExp(key));
    assert.ok(s.requests.every((q) => q.authorization === `Bearer ${key}`), 'every request carries the key in its header');
    assert.ok(s.requests.every((q) => !JSON.stringify(q.body).includes(key)), 'and never in its body');
    assert.equal(r.records[0]!.endpoint.origin, s.url);
    assert.equal(r.records[0]!.summary.requests.completed, 2, 'the chat API streams too');
    assert.throws(() => new Endpoint({ baseUrl: `http://user:${key}@127.0.0.1:1` }), EndpointError);
    assert.throws(() => new Endpoint({ baseUrl: 'ftp://127.0.0.1/' }), EndpointError);
    assert.throws(() => new Endpoint({ baseUrl: 'http://127.0.0.1:1/v1?key=x' }), EndpointError);
  });

  it('every prompt is unique, across requests and across runs with the same seed; a shared prefix is shared on purpose', async () => {
    s = await startStandIn({ ttftMs: 1, tpotMs: 1 });
    const prompts = async (over: Partial<LoadTestOptions>) => {
      const from = s!.requests.length;
      await runLoadTest(base(s!.url, { requestsPerStep: 6, promptTokens: { kind: 'fixed', value: 64 }, ...over }));
      return s!.requests.slice(from + 2).map((q) => String(q.body.prompt)); // after the two probes
    };
    const a = await prompts({ seed: 7 });
    const b = await prompts({ seed: 7 });
    assert.equal(new Set([...a, ...b]).size, a.length + b.length, 'no prompt repeats, even with the same seed');
    const firstWords = new Set([...a, ...b].map((p) => p.split(' ').slice(0, 4).join(' ')));
    assert.equal(firstWords.size, a.length + b.length, 'no two prompts share even their first four words');
    const shared = await prompts({ sharedPrefixTokens: 32 });
    const head = (p: string) => p.split(' ').slice(0, 10).join(' ');
    assert.equal(new Set(shared.map(head)).size, 1, 'the shared prefix starts every prompt');
    assert.equal(new Set(shared).size, shared.length, 'and the rest still differs');
  });

  it('a server that is not there: a clear error before any step, nothing hangs', async () => {
    const t0 = Date.now();
    await assert.rejects(runLoadTest(base('http://127.0.0.1:9')), /first request failed|ECONNREFUSED/);
    assert.ok(Date.now() - t0 < 10_000);
  });
});
