// A load-test step read back from a results store, made complete: the store accepts a line that passes the
// structural check (core/loadtest/record.ts), and every consumer (report, panel, calibration) then reads fields
// without guards. A line another tool or a hand edit wrote with a field missing or of the wrong type must not
// crash them (issue 9 row 12, for load tests): required fields get a neutral value, optional objects of the
// wrong shape are dropped, arrays keep only their numbers or strings. Built as literals, one object shape each.
import type { LoadTestRecord } from '../loadtest/record';
import type { Summary } from '../loadtest/stats';
import type { ServerTruth } from '../loadtest/serverTruth';
import type { StepSummary } from '../loadtest/types';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : d);
const num = (v: unknown, d = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const optStr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const optNum = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const nums = (v: unknown): number[] => (Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)) : []);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
/** Drops keys whose value is undefined, so optional fields stay absent (JSON output and deepEqual alike). */
function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** A distribution summary: its figures that are numbers (an importer may have only some), or undefined. */
function summary(v: unknown): Summary | undefined {
  if (!isObj(v)) return undefined;
  return defined({ count: optNum(v.count), mean: optNum(v.mean), std: optNum(v.std), min: optNum(v.min), max: optNum(v.max), p50: optNum(v.p50), p90: optNum(v.p90), p99: optNum(v.p99) }) as Summary;
}

function numberMap(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (isObj(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'number' && Number.isFinite(x)) out[k] = x;
  return out;
}

function stringListMap(v: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (isObj(v)) for (const [k, x] of Object.entries(v)) if (Array.isArray(x)) out[k] = strs(x).slice(0, 20);
  return out;
}

function stepSummary(s: Json): StepSummary {
  const q = isObj(s.requests) ? s.requests : {};
  return defined<StepSummary>({
    requests: { sent: num(q.sent), completed: num(q.completed), failed: num(q.failed), cancelled: num(q.cancelled), short: num(q.short), warmup: num(q.warmup) },
    errors: numberMap(s.errors), errorExamples: stringListMap(s.errorExamples),
    durationSec: num(s.durationSec), requestThroughput: num(s.requestThroughput), outputTokenThroughput: num(s.outputTokenThroughput), totalTokenThroughput: num(s.totalTokenThroughput),
    goodput: optNum(s.goodput), goodRequests: optNum(s.goodRequests),
    ttft: summary(s.ttft), tpot: summary(s.tpot), itl: summary(s.itl), e2e: summary(s.e2e), queue: summary(s.queue),
    promptTokens: summary(s.promptTokens), outputTokens: summary(s.outputTokens),
    tokenSource: (['usage', 'chunks', 'mixed', 'none'] as const).find((x) => x === s.tokenSource) ?? 'none',
    warmupOutputTokens: optNum(s.warmupOutputTokens),
  });
}

function serverTruth(t: unknown): ServerTruth | undefined {
  if (!isObj(t)) return undefined;
  const ku = isObj(t.kvCacheUsage) && typeof t.kvCacheUsage.max === 'number' && typeof t.kvCacheUsage.mean === 'number' ? { max: t.kvCacheUsage.max, mean: t.kvCacheUsage.mean } : undefined;
  const pc = isObj(t.prefixCache) ? defined({ hits: num(t.prefixCache.hits), queries: num(t.prefixCache.queries), hitRate: optNum(t.prefixCache.hitRate) }) : undefined;
  let spec: ServerTruth['spec'];
  if (isObj(t.spec)) {
    const f = t.spec.fit;
    const fitOk = isObj(f) && ['alpha', 'gamma', 'draftAcceptanceRate', 'meanAcceptanceLength', 'drafts'].every((k) => typeof f[k] === 'number') && typeof f.method === 'string';
    spec = defined({
      drafts: num(t.spec.drafts), draftTokens: num(t.spec.draftTokens), acceptedTokens: num(t.spec.acceptedTokens),
      acceptedPerPos: Array.isArray(t.spec.acceptedPerPos) ? nums(t.spec.acceptedPerPos) : undefined,
      fit: fitOk ? (f as unknown as NonNullable<NonNullable<ServerTruth['spec']>['fit']>) : undefined,
    });
  }
  return defined<ServerTruth>({
    dialect: str(t.dialect, 'unknown') as ServerTruth['dialect'], scrapes: num(t.scrapes),
    kvCacheUsage: ku, runningMax: optNum(t.runningMax), waitingMax: optNum(t.waitingMax), preemptions: optNum(t.preemptions),
    promptTokens: optNum(t.promptTokens), generationTokens: optNum(t.generationTokens), prefixCache: pc,
    decodeCalls: optNum(t.decodeCalls), busySlotsPerDecode: optNum(t.busySlotsPerDecode), spec, notes: strs(t.notes),
  });
}

/** A complete LoadTestRecord from a line that passed loadTestRecordProblem (kind, ids, origin, mode, summary, tool). */
export function normaliseLoadTest(v: Json): LoadTestRecord {
  const e = v.endpoint as Json;
  const l = v.load as Json;
  const src = v.source as Json;
  const mach = isObj(v.machine) ? v.machine : {};
  const step = isObj(v.step) ? v.step : {};
  const a = isObj(v.agreement) ? v.agreement : undefined;
  const est = isObj(v.estimate) ? v.estimate : undefined;
  const slo = isObj(v.slo) ? v.slo : undefined;
  const samples = isObj(v.samples) ? v.samples : undefined;
  const length = (x: unknown) => (isObj(x) && typeof x.kind === 'string' ? defined({ kind: x.kind as 'fixed', value: optNum(x.value), min: optNum(x.min), max: optNum(x.max), mean: optNum(x.mean), sd: optNum(x.sd), median: optNum(x.median), sigma: optNum(x.sigma) }) : undefined);
  return defined<LoadTestRecord>({
    kind: 'loadtest', id: v.id as string, runId: v.runId as string, savedAt: str(v.savedAt),
    machine: { cpu: str(mach.cpu), cores: num(mach.cores), ramBytes: num(mach.ramBytes), os: str(mach.os) },
    endpoint: defined({ origin: e.origin as string, api: str(e.api, 'completions') as LoadTestRecord['endpoint']['api'], model: optStr(e.model), server: optStr(e.server) as LoadTestRecord['endpoint']['server'], serverVersion: optStr(e.serverVersion), slots: optNum(e.slots) }),
    profile: optStr(v.profile), deployment: optStr(v.deployment),
    source: defined({ tool: src.tool as LoadTestRecord['source']['tool'], file: optStr(src.file), version: optStr(src.version), conversions: strs(src.conversions) }),
    load: defined({
      mode: l.mode as 'concurrency' | 'rate', concurrency: optNum(l.concurrency), rate: optNum(l.rate), maxInFlight: optNum(l.maxInFlight),
      promptTokens: length(l.promptTokens), outputTokens: length(l.outputTokens), sharedPrefixTokens: optNum(l.sharedPrefixTokens),
      ignoreEos: optStr(l.ignoreEos) as LoadTestRecord['load']['ignoreEos'], minTokens: optStr(l.minTokens) as LoadTestRecord['load']['minTokens'],
    }),
    slo: slo ? defined({ ttftSec: optNum(slo.ttftSec), tpotSec: optNum(slo.tpotSec), e2eSec: optNum(slo.e2eSec) }) : undefined,
    step: { index: num(step.index), of: num(step.of) },
    partial: v.partial === true ? true : undefined,
    summary: stepSummary(v.summary as Json),
    agreement: a ? defined({ requests: num(a.requests), ttftVsPromptMsPct: optNum(a.ttftVsPromptMsPct), tpotVsPredictedPerTokenPct: optNum(a.tpotVsPredictedPerTokenPct), decodeSpanVsPredictedMsPct: optNum(a.decodeSpanVsPredictedMsPct), outputTokensEqual: num(a.outputTokensEqual), ttftMinusPromptMs: optNum(a.ttftMinusPromptMs) }) : undefined,
    server: serverTruth(v.server),
    samples: samples ? { ttft: nums(samples.ttft), tpot: nums(samples.tpot), e2e: nums(samples.e2e), outputTokens: nums(samples.outputTokens) } : undefined,
    estimate: est && typeof est.target === 'string' ? defined({ target: est.target, ttftSec: optNum(est.ttftSec), tpotSec: optNum(est.tpotSec), outputTokensPerSec: optNum(est.outputTokensPerSec), band: optNum(est.band), alpha: optNum(est.alpha) }) : undefined,
    notes: strs(v.notes),
  });
}
