// A load test: detect the server, probe what it accepts (ignore_eos, min_tokens, usage) and how it tokenizes,
// then run each step — warm-up first (never counted), server metrics scraped before, during and after — and hand
// every finished step to `onStep` at once, so the caller can append it to the results store before the next step
// starts: a run that is killed or cancelled keeps every step it finished, and the step it was in is kept too,
// marked partial, with its unfinished requests counted as cancelled.
//
// Load shapes: closed loop (`concurrency` workers, each sending its next request when the previous one is done)
// and open loop (Poisson arrivals at `rate` per second; an arrival that finds `maxInFlight` requests running waits
// in the client's queue, and that wait is part of its TTFT and E2E because the clock starts at the arrival).
// Every loop is bounded: requests per step, seconds per step (then a grace period, then cancel), seconds per run.
import { randomBytes, randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { estimateStep, type LoadEstimator } from '../../core/loadtest/estimate';
import { serverAgreement, requestMetrics, summarizeStep } from '../../core/loadtest/metrics';
import type { Scrape } from '../../core/loadtest/prometheus';
import { LOADTEST_RECORD_KIND, safeOrigin, type LoadTestRecord } from '../../core/loadtest/record';
import { serverTruth } from '../../core/loadtest/serverTruth';
import type { ApiKind, LengthSpec, LoadShape, RequestSample, Slo } from '../../core/loadtest/types';
import { machineInfo } from '../../core/results/machine';
import { detectServer, type ServerInfo } from './detect';
import { Endpoint } from './endpoint';
import { drawLength, fitTokens, PromptMaker, randomWords, rng, type TokenFit } from './prompts';
import { requestPayload, streamRequest, type GenerationSpec, type RequestLimits } from './request';
import { Scraper } from './scrape';

export interface LoadTestOptions {
  baseUrl: string;
  apiKey?: string;
  api: ApiKind;
  /** Model name for the request body; default: the first of /v1/models. */
  model?: string;
  steps: LoadShape[];
  /** Measured requests per step (warm-up not included). */
  requestsPerStep: number | ((shape: LoadShape) => number);
  /** Stop sending new requests after this long in a step; running ones get `graceSeconds`, then are cancelled. */
  stepSeconds: number;
  graceSeconds?: number;
  /** The whole run, all steps. */
  runSeconds?: number;
  promptTokens: LengthSpec;
  outputTokens: LengthSpec;
  sharedPrefixTokens?: number;
  /** Warm-up requests before each step (default: one per concurrent stream). */
  warmupRequests?: number;
  seed?: number;
  slo?: Slo;
  stallSeconds?: number;
  requestTimeoutSeconds?: number;
  /** Scrape /metrics (and /slots) during the run (default true). */
  scrape?: boolean;
  scrapeIntervalMs?: number;
  /** Ask for exactly max_tokens (ignore_eos, min_tokens) where the server accepts it (default true). */
  exactOutput?: boolean;
  temperature?: number;
  extraBody?: Record<string, unknown>;
  signal?: AbortSignal;
  onStep?: (rec: LoadTestRecord) => void | Promise<void>;
  onProgress?: (p: { step: number; of: number; done: number; total: number; label: string }) => void;
  log?: (line: string) => void;
  /** Keep every RequestSample in the result (tests, benchmarks). */
  keepSamples?: boolean;
  /** Every parsed stream event of a measured request, with its arrival time (benchmarks). */
  onEvent?: (v: Record<string, unknown>, arrivedMs: number, sample: RequestSample) => void;
  profile?: string;
  deployment?: string;
  estimator?: LoadEstimator;
  target?: string;
}

export interface LoadTestResult {
  runId: string;
  records: LoadTestRecord[];
  server: ServerInfo;
  tokenFit: TokenFit;
  stoppedBecause?: string;
  samples?: RequestSample[][];
}

const SAMPLE_CAP = 2000;
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export function stepLabel(s: LoadShape): string {
  return s.mode === 'concurrency' ? `concurrency ${s.concurrency}` : `rate ${s.rate}/s${s.maxInFlight ? ` (≤ ${s.maxInFlight} in flight)` : ''}`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); signal?.removeEventListener('abort', done); resolve(); }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function newSample(index: number, createdMs: number, maxTokens: number): RequestSample {
  return { index, createdMs, chunkGapsMs: [], chunks: 0, maxTokens };
}

interface Probe { ignoreEos: 'sent' | 'unsupported' | 'not-sent'; minTokens: 'sent' | 'unsupported' | 'not-sent'; fit: TokenFit; usage: boolean; notes: string[] }

/**
 * Short requests before the run: what the server accepts, and tokens per word. Starts with ignore_eos and
 * min_tokens; a 4xx drops min_tokens, then ignore_eos (servers that validate their body reject unknown fields).
 */
async function probe(ep: Endpoint, base: Omit<GenerationSpec, 'prompt' | 'maxTokens'>, lim: RequestLimits, exact: boolean, log: (l: string) => void): Promise<Probe> {
  const notes: string[] = [];
  let ignoreEos: Probe['ignoreEos'] = exact ? 'sent' : 'not-sent';
  let minTokens: Probe['minTokens'] = exact ? 'sent' : 'not-sent';
  const r = rng(0x9e3779b9);
  const attempt = async (words: number) => {
    const s = newSample(-1, performance.now(), 2);
    await streamRequest(ep, { ...base, prompt: randomWords(words, r), maxTokens: 2, ignoreEos: ignoreEos === 'sent', minTokens: minTokens === 'sent' ? 2 : undefined }, s, lim);
    return s;
  };
  let s = await attempt(8);
  if (s.error?.reason === 'http_status' && s.error.status !== undefined && s.error.status >= 400 && s.error.status < 500 && minTokens === 'sent') {
    minTokens = 'unsupported';
    log(`the server refused min_tokens (${s.error.message}); retrying without it`);
    s = await attempt(8);
  }
  if (s.error?.reason === 'http_status' && s.error.status !== undefined && s.error.status >= 400 && s.error.status < 500 && ignoreEos === 'sent') {
    ignoreEos = 'unsupported';
    log(`the server refused ignore_eos (${s.error.message}); outputs may stop early at end-of-sequence`);
    s = await attempt(8);
  }
  if (s.error) throw new Error(`the first request failed: ${s.error.message}`);
  // The second probe sizes tokens per word; a server with a short context refuses 160 words, so try 40 then.
  let words2 = 160;
  let s2 = await attempt(words2);
  if (s2.error?.reason === 'http_status' && (s2.error.status ?? 0) >= 400 && (s2.error.status ?? 0) < 500) { words2 = 40; s2 = await attempt(words2); }
  if (s2.error) throw new Error(`a probe request failed: ${s2.error.message}`);
  const usage = s.tokenSource === 'usage' && s.promptTokens !== undefined;
  if (!usage) notes.push('the server sends no usage (stream_options.include_usage): token counts are one per streamed chunk, a guess');
  const fit = fitTokens(usage ? [{ words: 8, tokens: s.promptTokens! }, { words: words2, tokens: s2.promptTokens ?? 0 }] : []);
  if (ignoreEos === 'unsupported') notes.push('the server does not accept ignore_eos: outputs can come back shorter than max_tokens (counted as short)');
  return { ignoreEos, minTokens, fit, usage, notes };
}

export async function runLoadTest(o: LoadTestOptions): Promise<LoadTestResult> {
  const log = o.log ?? (() => undefined);
  const runId = randomUUID();
  const tRun0 = performance.now();
  const runDeadline = o.runSeconds ? tRun0 + o.runSeconds * 1e3 : Infinity;
  const maxConc = Math.max(1, ...o.steps.map((s) => (s.mode === 'concurrency' ? s.concurrency ?? 1 : s.maxInFlight ?? 256)));
  const ep = new Endpoint({ baseUrl: o.baseUrl, apiKey: o.apiKey, maxSockets: maxConc + 4 });
  const records: LoadTestRecord[] = [];
  const allSamples: RequestSample[][] = [];
  try {
    const server = await detectServer(ep);
    const model = o.model ?? server.model;
    log(`server: ${server.kind}${server.version ? ` ${server.version}` : ''}, model ${model ?? '(none)'}${server.slots ? `, ${server.slots} slots` : ''}${server.metrics ? `, /metrics: ${server.metrics}` : ''}`);
    const stallMs = (o.stallSeconds ?? 60) * 1e3;
    const limits = (signal?: AbortSignal): RequestLimits => ({ stallMs, timeoutMs: (o.requestTimeoutSeconds ?? 600) * 1e3, maxTokensSlack: 8, signal });
    const base = { api: o.api, model, temperature: o.temperature, extra: o.extraBody };
    const pr = await probe(ep, base, limits(o.signal), o.exactOutput !== false, log);
    log(`tokens ≈ ${pr.fit.a.toFixed(1)} + ${pr.fit.b.toFixed(3)} × words; ignore_eos ${pr.ignoreEos}, min_tokens ${pr.minTokens}`);
    // The seed fixes lengths and arrival times; the prompt text also takes a fresh random salt every run, so a run
    // never finds the previous run's prompts in the server's prefix cache (a shared prefix is the same on purpose).
    const prompts = new PromptMaker(pr.fit, ((o.seed ?? 1) ^ randomBytes(4).readUInt32LE(0)) >>> 0, o.sharedPrefixTokens ?? 0);
    const lengths = rng((o.seed ?? 1) * 7919 + 13);
    const scrape = o.scrape !== false && server.metrics !== undefined && server.metrics !== 'unknown';
    const gen = (maxTokens: number, promptTokens: number): GenerationSpec => ({
      ...base, prompt: prompts.make(promptTokens), maxTokens,
      ignoreEos: pr.ignoreEos === 'sent', minTokens: pr.minTokens === 'sent' ? maxTokens : undefined,
    });
    const machine = machineInfo();
    let stoppedBecause: string | undefined;

    for (let si = 0; si < o.steps.length; si++) {
      const shape = o.steps[si]!;
      const label = stepLabel(shape);
      if (o.signal?.aborted) { stoppedBecause = 'cancelled'; break; }
      if (performance.now() >= runDeadline) { stoppedBecause = `the run's time limit (${o.runSeconds} s) was reached`; break; }
      const total = Math.max(1, Math.floor(typeof o.requestsPerStep === 'function' ? o.requestsPerStep(shape) : o.requestsPerStep));
      const stepCtl = new AbortController();
      // One listener per request in flight (hundreds at high concurrency) is expected, not a leak.
      setMaxListeners(0, stepCtl.signal);
      const onOuterAbort = () => stepCtl.abort(o.signal?.reason ?? 'cancelled');
      o.signal?.addEventListener('abort', onOuterAbort, { once: true });

      // Warm-up, never counted. Closed loop: the first wave — one request per stream (or as asked), at full length,
      // inside the loop — so the measured requests start one at a time as streams free up, in the steady state,
      // not in the synchronized burst at the start (whose prefills pile up on the server and whose sends queue in
      // the client). Open loop: a short burst before the arrivals start, to open the connections.
      const closed = shape.mode === 'concurrency';
      const width = closed ? shape.concurrency ?? 1 : Math.min(shape.maxInFlight ?? 4, 16);
      const warm = Math.max(0, o.warmupRequests ?? width);
      // Every request of the step is prepared before the clock starts (lengths, prompt text, JSON body), so a
      // measured request costs the client only the socket work.
      const planned = (closed ? warm : 0) + total;
      const plan = Array.from({ length: planned }, () => {
        const maxTokens = drawLength(o.outputTokens, lengths);
        const g = gen(maxTokens, drawLength(o.promptTokens, lengths));
        return { g, payload: requestPayload(g) };
      });

      const scraper = scrape ? new Scraper(ep, o.scrapeIntervalMs ?? 500, server.slotsEndpoint) : undefined;
      // Before the warm-up: the server's counters over the step then cover exactly the warm-up and the measured
      // requests, both of whose token counts the client knows.
      const before: Scrape | undefined = scraper ? await scraper.once() : undefined;
      scraper?.start();
      const warmSamples: RequestSample[] = [];
      if (!closed && warm > 0) {
        const ws = Array.from({ length: warm }, () => {
          const s = newSample(-1, performance.now(), 4);
          warmSamples.push(s);
          return streamRequest(ep, gen(Math.min(4, drawLength(o.outputTokens, lengths)), drawLength(o.promptTokens, lengths)), s, limits(stepCtl.signal));
        });
        await Promise.all(ws);
      }
      const samples: RequestSample[] = [];
      let finished = 0;
      const progress = () => o.onProgress?.({ step: si, of: o.steps.length, done: finished, total, label });
      const t0 = performance.now();
      const stepDeadline = Math.min(t0 + o.stepSeconds * 1e3, runDeadline);
      const grace = (o.graceSeconds ?? Math.max(5, o.stepSeconds * 0.1)) * 1e3;
      // At the deadline no new request starts; after the grace period the running ones are cancelled.
      const graceTimer = setTimeout(() => stepCtl.abort('the step time limit was reached'), Math.max(0, stepDeadline - t0) + grace);
      const canStart = () => !stepCtl.signal.aborted && performance.now() < stepDeadline;
      const one = async (s: RequestSample, planIndex: number, measured: boolean) => {
        const p = plan[planIndex]!;
        const lim = limits(stepCtl.signal);
        if (measured && o.onEvent) { const cb = o.onEvent; lim.onEvent = (v, t) => cb(v, t, s); }
        await streamRequest(ep, p.g, s, lim, p.payload);
        if (measured) { finished++; progress(); }
      };

      if (closed) {
        let next = 0;
        const worker = async () => {
          while (next < planned && canStart()) {
            const i = next++;
            const measured = i >= warm;
            const s = newSample(measured ? i - warm : -1, performance.now(), plan[i]!.g.maxTokens);
            (measured ? samples : warmSamples).push(s);
            await one(s, i, measured);
          }
        };
        await Promise.all(Array.from({ length: Math.max(1, shape.concurrency ?? 1) }, worker));
      } else {
        // Poisson arrivals: exponential gaps with mean 1/rate, drawn from the run's seed.
        const rate = shape.rate ?? 1;
        const cap = Math.max(1, shape.maxInFlight ?? 1024);
        const arrivals = rng((o.seed ?? 1) * 31 + si);
        let inFlight = 0;
        const queue: RequestSample[] = [];
        const running: Promise<void>[] = [];
        const launch = (s: RequestSample) => {
          inFlight++;
          const p = one(s, s.index, true).then(() => {
            inFlight--;
            const q = queue.shift();
            if (q && !stepCtl.signal.aborted) launch(q);
          });
          running.push(p);
        };
        let at = t0;
        for (let i = 0; i < total; i++) {
          at += (-Math.log(1 - arrivals()) / rate) * 1e3;
          if (at >= stepDeadline) break;
          await sleep(at - performance.now(), stepCtl.signal);
          if (!canStart()) break;
          // createdMs is the scheduled arrival, not when the timer fired: a late timer is client delay and counts.
          const s = newSample(i, at, plan[i]!.g.maxTokens);
          samples.push(s);
          if (inFlight < cap) launch(s);
          else queue.push(s);
        }
        // Arrivals still queued when the step ends are cancelled (they never reached the server).
        while (running.length) await Promise.all(running.splice(0));
        for (const q of queue.splice(0)) q.error = { reason: 'cancelled', message: 'still in the client queue when the step ended' };
      }
      const warmBad = warmSamples.filter((x) => x.error);
      if (warmBad.length) log(`${label}: ${warmBad.length} of ${warmSamples.length} warm-up requests failed (${warmBad[0]!.error!.message})`);
      clearTimeout(graceTimer);
      o.signal?.removeEventListener('abort', onOuterAbort);
      await scraper?.stop();
      const after: Scrape | undefined = scraper ? await scraper.once() : undefined;
      const partial = stepCtl.signal.aborted && (o.signal?.aborted ?? false);
      const summary = summarizeStep(samples, { slo: o.slo, warmup: warmSamples.length });
      summary.warmupOutputTokens = warmSamples.reduce((a, x) => a + (x.error ? 0 : x.outputTokens ?? 0), 0);
      const notes = [...pr.notes];
      if (summary.requests.short) notes.push(`${summary.requests.short} of ${summary.requests.completed} outputs came back shorter than max_tokens${pr.ignoreEos === 'sent' ? ' although ignore_eos was sent' : ''}`);
      if (partial) notes.push('partial step: the run was stopped while it ran');
      if (ep.closesAfterStream) notes.push('the server closes its connection after each streamed answer although it announces keep-alive: every request opens a fresh connection (its cost is in TTFT)');
      if (samples.length < total) notes.push(`${samples.length} of ${total} requests were sent before the step's time limit`);
      const rec: LoadTestRecord = {
        kind: LOADTEST_RECORD_KIND,
        id: randomUUID(),
        runId,
        savedAt: new Date().toISOString(),
        machine,
        endpoint: { origin: safeOrigin(ep.url), api: o.api, model, server: server.kind, serverVersion: server.version, slots: server.slots },
        profile: o.profile,
        deployment: o.deployment,
        source: { tool: 'kvlens', conversions: [] },
        load: {
          ...shape, promptTokens: o.promptTokens, outputTokens: o.outputTokens,
          sharedPrefixTokens: o.sharedPrefixTokens || undefined, ignoreEos: pr.ignoreEos, minTokens: pr.minTokens,
        },
        slo: o.slo,
        step: { index: si, of: o.steps.length },
        summary,
        notes,
      };
      const agreement = serverAgreement(samples);
      if (agreement) rec.agreement = agreement;
      if (after) {
        rec.server = serverTruth(before, scraper?.during ?? [], after);
        if (scraper?.busySlotsMax) rec.server.runningMax = Math.max(rec.server.runningMax ?? 0, scraper.busySlotsMax);
      }
      const ok = samples.filter((s) => !s.error).slice(0, SAMPLE_CAP).map((s) => requestMetrics(s));
      rec.samples = {
        ttft: ok.map((m) => round6(m.ttftSec ?? NaN)),
        tpot: ok.map((m) => round6(m.tpotSec ?? NaN)),
        e2e: ok.map((m) => round6(m.e2eSec ?? NaN)),
        outputTokens: samples.filter((s) => !s.error).slice(0, SAMPLE_CAP).map((s) => s.outputTokens ?? 0),
      };
      if (o.estimator) {
        const est = estimateStep(rec, o.estimator, o.target);
        if (est) rec.estimate = { target: est.target, ttftSec: est.ttftSec, tpotSec: est.tpotSec, outputTokensPerSec: est.outputTokensPerSec, band: est.band, alpha: est.alpha };
      }
      if (partial) rec.partial = true;
      records.push(rec);
      if (o.keepSamples) allSamples.push(samples);
      await o.onStep?.(rec);
      log(`${label}: ${summary.requests.completed}/${summary.requests.sent} ok` + (summary.requests.failed ? `, ${summary.requests.failed} failed (${Object.entries(summary.errors).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''));
      if (partial) { stoppedBecause = 'cancelled'; break; }
      const conn = summary.errors.connection ?? 0;
      if (summary.requests.sent > 0 && summary.requests.completed === 0 && conn === summary.requests.failed) {
        stoppedBecause = `the server stopped answering (${summary.errorExamples.connection?.[0] ?? 'connection errors'})`;
        break;
      }
    }
    return { runId, records, server, tokenFit: pr.fit, stoppedBecause, samples: o.keepSamples ? allSamples : undefined };
  } finally {
    ep.close();
  }
}
