// `kvlens loadtest <base-url> [options]` — load-test an OpenAI-compatible endpoint (vLLM, SGLang, llama-server,
// TGI, Ollama): a closed-loop concurrency sweep or open-loop request-rate steps, streaming, with the estimate for
// a profile beside each step. `kvlens loadtest --import FILE...` reads GuideLLM, vllm bench serve, AIPerf/
// genai-perf and inference-perf results into the same definitions. Thin: parse, call src/engine/loadtest, print.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { LoadEstimator } from '../../core/loadtest/estimate';
import { importResults, ImportError } from '../../core/loadtest/importers';
import { LOADTEST_RECORD_KIND, type LoadTestRecord } from '../../core/loadtest/record';
import { loadTestText } from '../../core/loadtest/text';
import type { ApiKind, LengthSpec, LoadShape, Slo } from '../../core/loadtest/types';
import { machineInfo } from '../../core/results/machine';
import { ResultsStore } from '../../core/results/store';
import { EndpointError, parseBaseUrl } from '../../engine/loadtest/endpoint';
import { parseLength } from '../../engine/loadtest/prompts';
import { runLoadTest } from '../../engine/loadtest/run';
import { type CliIO, EXIT_FINDINGS, EXIT_OK, UsageError } from '../io';

export const HELP = `Usage: kvlens loadtest <base-url> [options]
       kvlens loadtest --import <results.json>... [--out runs.jsonl] [--format text|json]

Load-tests an OpenAI-compatible endpoint (vLLM, SGLang, llama-server, TGI, Ollama) by streaming
/v1/completions or /v1/chat/completions, and prints TTFT, TPOT, ITL, E2E (p50/p90/p99), request and
output-token throughput and goodput per step, the server's own figures (/metrics, llama-server's timings)
beside them, and — with --profile — the estimate for that deployment with the difference in percent.
Only <base-url> is contacted (redirects to other hosts are refused). The API key is read from the environment,
never from a file, and never written to results or output.

Load (default: --concurrency 1,2,4,8,16):
  --concurrency LIST     closed loop: this many requests in flight per step, e.g. 1,2,4,8 or 1..64 (doubling)
  --rate LIST            open loop: Poisson arrivals per second per step, e.g. 0.5,1,2,4
  --max-in-flight N      open loop: most requests in flight; later arrivals wait in the client (and that counts)
  --requests N           measured requests per step (default: max(16, 4 × concurrency); rate: 60 s worth)
  --step-seconds S       stop starting requests in a step after S seconds (default 120)
  --run-seconds S        stop the whole run after S seconds (default 1800)
  --warmup N             warm-up requests before each step, not counted (default: one per stream)
Requests:
  --api completions|chat (default completions)
  --model NAME           model name in the requests (default: the first of /v1/models)
  --prompt-tokens SPEC   128 | 64-256 (uniform) | normal:MEAN,SD | lognormal:MEDIAN,SIGMA (default 512)
  --output-tokens SPEC   max_tokens per request, same forms (default 128)
  --shared-prefix N      the same first N tokens in every prompt (to measure prefix caching); default: every
                         prompt is random from its first token, so no prefix cache helps
  --no-exact-output      do not send ignore_eos / min_tokens (outputs may stop early; counted as short)
  --slo ttft=500ms,tpot=50ms,e2e=10s   goodput: requests meeting every bound, per second
  --seed N               lengths and arrival times (default 1); prompt text is fresh every run, so no run hits
                         the prefix cache another run filled
  --stall-seconds S      a stream silent this long is an error (default 60)
  --timeout S            one request's limit (default 600)
  --no-metrics           do not scrape the server's /metrics and /slots
  --api-key-env VAR      read the API key from $VAR (default: KVLENS_API_KEY, then OPENAI_API_KEY)
Estimate and results:
  --profile FILE         the deployment behind the endpoint (KV Lens profile, vLLM config, llama-swap file)
  --deployment NAME      which deployment of the file (default: the first)
  --target ID            the hardware target of the estimate (default: local, else the profile's first)
  --out FILE             append every step to this results store (JSON Lines) as soon as it finishes
  --format text|json     (default text; json = the stored records)

Exit: 0 every request completed, 1 some requests failed or the run stopped early, 2 usage or I/O failure.
Definitions of every metric are printed under the results and in the README.
`;

interface Args {
  url?: string;
  imports: string[];
  concurrency?: number[];
  rates?: number[];
  maxInFlight?: number;
  requests?: number;
  stepSeconds: number;
  runSeconds: number;
  warmup?: number;
  api: ApiKind;
  model?: string;
  prompt: LengthSpec;
  output: LengthSpec;
  sharedPrefix?: number;
  exact: boolean;
  slo?: Slo;
  seed: number;
  stallSeconds: number;
  timeout: number;
  metrics: boolean;
  apiKeyEnv?: string;
  profile?: string;
  deployment?: string;
  target?: string;
  out?: string;
  format: 'text' | 'json';
  help: boolean;
}

function list(v: string, what: string): number[] {
  const m = /^(\d+)\.\.(\d+)$/.exec(v.trim());
  if (m) {
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    if (lo < 1 || hi < lo) throw new UsageError(`${what}: ${v} is not a range like 1..64`);
    const out: number[] = [];
    for (let x = lo; x <= hi; x *= 2) out.push(x);
    if (out[out.length - 1] !== hi) out.push(hi);
    return out;
  }
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (!xs.length || xs.some((x) => !Number.isFinite(x) || x <= 0)) throw new UsageError(`${what}: expected positive numbers, got '${v}'`);
  return xs;
}

function seconds(v: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/.exec(v.trim());
  if (!m) throw new UsageError(`${what}: '${v}' is not a duration (500ms, 0.5s, 2)`);
  return Number(m[1]) / (m[2] === 'ms' ? 1000 : 1);
}

function parseSlo(v: string): Slo {
  const slo: Slo = {};
  for (const part of v.split(',')) {
    const [k, val] = part.split('=');
    if (!k || val === undefined) throw new UsageError(`--slo: '${part}' is not key=value`);
    const s = seconds(val, `--slo ${k}`);
    if (k === 'ttft') slo.ttftSec = s;
    else if (k === 'tpot') slo.tpotSec = s;
    else if (k === 'e2e' || k === 'e2el') slo.e2eSec = s;
    else throw new UsageError(`--slo: unknown metric '${k}' (ttft, tpot, e2e)`);
  }
  return slo;
}

export function parseLoadTestArgs(argv: string[]): Args {
  const a: Args = { imports: [], stepSeconds: 120, runSeconds: 1800, api: 'completions', prompt: { kind: 'fixed', value: 512 }, output: { kind: 'fixed', value: 128 }, exact: true, seed: 1, stallSeconds: 60, timeout: 600, metrics: true, format: 'text', help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const val = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    const int = (what: string) => {
      const n = Number(val());
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`${what} takes a whole number`);
      return n;
    };
    const len = (what: string) => { try { return parseLength(val()); } catch (e) { throw new UsageError(`${what}: ${(e as Error).message}`); } };
    switch (name) {
      case '-h': case '--help': a.help = true; break;
      case '--import': a.imports.push(val()); break;
      case '--concurrency': a.concurrency = list(val(), name).map(Math.round); break;
      case '--rate': a.rates = list(val(), name); break;
      case '--max-in-flight': a.maxInFlight = int(name); break;
      case '--requests': a.requests = int(name); break;
      case '--step-seconds': a.stepSeconds = seconds(val(), name); break;
      case '--run-seconds': a.runSeconds = seconds(val(), name); break;
      case '--warmup': a.warmup = int(name); break;
      case '--api': { const v = val(); if (v !== 'completions' && v !== 'chat') throw new UsageError('--api: completions or chat'); a.api = v; break; }
      case '--model': a.model = val(); break;
      case '--prompt-tokens': a.prompt = len(name); break;
      case '--output-tokens': a.output = len(name); break;
      case '--shared-prefix': a.sharedPrefix = int(name); break;
      case '--no-exact-output': a.exact = false; break;
      case '--slo': a.slo = parseSlo(val()); break;
      case '--seed': a.seed = int(name); break;
      case '--stall-seconds': a.stallSeconds = seconds(val(), name); break;
      case '--timeout': a.timeout = seconds(val(), name); break;
      case '--no-metrics': a.metrics = false; break;
      case '--api-key-env': a.apiKeyEnv = val(); break;
      case '--profile': a.profile = val(); break;
      case '--deployment': a.deployment = val(); break;
      case '--target': a.target = val(); break;
      case '--out': a.out = val(); break;
      case '--format': { const v = val(); if (v !== 'text' && v !== 'json') throw new UsageError('--format: text or json'); a.format = v; break; }
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}' (kvlens loadtest --help)`);
        if (a.url) throw new UsageError(`one endpoint per run (got ${a.url} and ${arg})`);
        a.url = arg;
    }
  }
  if (a.concurrency && a.rates) throw new UsageError('--concurrency and --rate are different load shapes: give one');
  return a;
}

const MAX_IMPORT_BYTES = 256 << 20;

async function runImport(a: Args, io: CliIO): Promise<number> {
  const records: LoadTestRecord[] = [];
  const runId = randomUUID();
  const machine = machineInfo();
  for (const f of a.imports) {
    const file = path.resolve(io.cwd, f);
    const st = fs.statSync(file);
    if (!st.isFile()) throw new UsageError(`${f} is not a regular file`);
    if (st.size > MAX_IMPORT_BYTES) throw new UsageError(`${f} is larger than 256 MiB`);
    let r;
    try { r = importResults(fs.readFileSync(file, 'utf8'), file); } catch (e) {
      if (e instanceof ImportError) throw new UsageError(`${f}: ${e.message}`);
      throw e;
    }
    r.steps.forEach((s, i) => records.push({
      kind: LOADTEST_RECORD_KIND, id: randomUUID(), runId, savedAt: new Date().toISOString(), machine,
      endpoint: { origin: 'imported', api: 'completions', model: s.model },
      source: { tool: r.tool, file: path.basename(file), version: r.version, conversions: s.conversions },
      load: s.load, step: { index: records.length + i, of: 0 }, summary: s.summary, notes: [...r.notes, ...(s.label ? [s.label] : [])],
    }));
  }
  for (const r of records) r.step.of = records.length;
  if (a.out) await new ResultsStore(path.resolve(io.cwd, a.out)).append(records);
  io.out(a.format === 'json' ? JSON.stringify(records, null, 2) + '\n' : loadTestText(records));
  return EXIT_OK;
}

async function estimatorFor(a: Args, io: CliIO): Promise<{ estimator?: LoadEstimator; deployment?: string; note?: string }> {
  if (!a.profile) return {};
  const file = path.resolve(io.cwd, a.profile);
  // Loaded only with --profile: the estimator pulls in the config parsers, which a bare load test does not need.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { estimateProfile } = require('../../core/report/fromFiles') as typeof import('../../core/report/fromFiles');
  const pe = await estimateProfile(file);
  const d = (a.deployment ? pe.deployments.find((x) => x.name === a.deployment) : undefined) ?? pe.deployments[0];
  if (!d) return { note: `${a.profile}: no deployment to estimate${pe.notes[0] ? ` (${pe.notes[0]})` : ''}` };
  if (a.deployment && d.name !== a.deployment) return { note: `${a.profile}: no deployment named ${a.deployment}` };
  if (!d.reestimate) return { deployment: d.name, note: `${a.profile}: no estimate (${d.error ?? 'unknown reason'})` };
  const re = d.reestimate;
  return { deployment: d.name, estimator: (o) => re({ concurrency: o.concurrency, promptTokens: o.promptTokens, outputTokens: o.outputTokens }) };
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const a = parseLoadTestArgs(argv);
  if (a.help) { io.out(HELP); return EXIT_OK; }
  if (a.imports.length) {
    if (a.url) throw new UsageError('--import reads files; it takes no endpoint URL');
    return runImport(a, io);
  }
  if (!a.url) throw new UsageError('no endpoint: kvlens loadtest http://127.0.0.1:8000 (see --help)');
  try { parseBaseUrl(a.url); } catch (e) { if (e instanceof EndpointError) throw new UsageError(e.message); throw e; }
  const keyVar = a.apiKeyEnv ?? (process.env.KVLENS_API_KEY ? 'KVLENS_API_KEY' : 'OPENAI_API_KEY');
  const apiKey = process.env[keyVar] || undefined;
  if (a.apiKeyEnv && !apiKey) throw new UsageError(`--api-key-env ${a.apiKeyEnv}: the variable is empty or not set`);
  const steps: LoadShape[] = a.rates
    ? a.rates.map((rate) => ({ mode: 'rate', rate, ...(a.maxInFlight ? { maxInFlight: a.maxInFlight } : {}) }))
    : (a.concurrency ?? [1, 2, 4, 8, 16]).map((concurrency) => ({ mode: 'concurrency', concurrency }));
  const est = await estimatorFor(a, io);
  if (est.note) io.err(`kvlens loadtest: ${est.note}\n`);
  const store = a.out ? new ResultsStore(path.resolve(io.cwd, a.out)) : undefined;
  const ac = new AbortController();
  const onSig = () => { io.err('\nkvlens loadtest: stopping (the finished steps are kept)…\n'); ac.abort('interrupted'); };
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  const progress = io.isTTY && a.format === 'text';
  try {
    const result = await runLoadTest({
      baseUrl: a.url, apiKey, api: a.api, model: a.model, steps,
      requestsPerStep: a.requests ?? ((s) => (s.mode === 'concurrency' ? Math.max(16, 4 * (s.concurrency ?? 1)) : Math.max(8, Math.ceil((s.rate ?? 1) * 60)))),
      stepSeconds: a.stepSeconds, runSeconds: a.runSeconds, warmupRequests: a.warmup, promptTokens: a.prompt, outputTokens: a.output,
      sharedPrefixTokens: a.sharedPrefix, exactOutput: a.exact, slo: a.slo, seed: a.seed, stallSeconds: a.stallSeconds,
      requestTimeoutSeconds: a.timeout, scrape: a.metrics, signal: ac.signal,
      profile: a.profile ? path.resolve(io.cwd, a.profile) : undefined, deployment: est.deployment, estimator: est.estimator, target: a.target,
      onStep: async (rec) => { if (store) await store.append([rec]); },
      onProgress: (p) => { if (progress) io.err(`\r\x1b[Kstep ${p.step + 1}/${p.of} ${p.label}: ${p.done}/${p.total} requests`); },
      log: (line) => io.err(`${progress ? '\r\x1b[K' : ''}${line}\n`),
    });
    if (progress) io.err('\r\x1b[K');
    io.out(a.format === 'json' ? JSON.stringify(result.records, null, 2) + '\n' : loadTestText(result.records, { stoppedBecause: result.stoppedBecause }));
    if (store) io.err(`appended ${result.records.length} step(s) to ${a.out}\n`);
    const failed = result.records.some((r) => r.summary.requests.failed > 0);
    return failed || result.stoppedBecause ? EXIT_FINDINGS : EXIT_OK;
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
}
