// A load-test step as the results store saves it: one JSON line per step (one concurrency or one request rate),
// `kind: "loadtest"`, beside the engine's measured-run records in the same JSON Lines file. Each step is appended
// as soon as it finishes, so a run that is killed keeps every step it completed.
import type { ServerTruth } from './serverTruth';
import type { ApiKind, LengthSpec, LoadShape, ServerAgreement, ServerKind, Slo, StepSummary } from './types';

export const LOADTEST_RECORD_KIND = 'loadtest';

export type LoadTestTool = 'kvlens' | 'guidellm' | 'vllm-bench-serve' | 'aiperf' | 'genai-perf' | 'inference-perf';

export interface LoadTestRecord {
  kind: typeof LOADTEST_RECORD_KIND;
  id: string;
  runId: string;
  savedAt: string;
  /** The client's machine (where the latencies were measured), not the server's. */
  machine: { cpu: string; cores: number; ramBytes: number; os: string };
  endpoint: {
    /** scheme://host:port, never with credentials, path or query. */
    origin: string;
    api: ApiKind;
    model?: string;
    server?: ServerKind;
    serverVersion?: string;
    /** llama-server's slot count (/props total_slots), vLLM's max_num_seqs when known. */
    slots?: number;
  };
  profile?: string;
  deployment?: string;
  source: { tool: LoadTestTool; file?: string; version?: string; conversions: string[] };
  load: LoadShape & {
    promptTokens?: LengthSpec;
    outputTokens?: LengthSpec;
    sharedPrefixTokens?: number;
    ignoreEos?: 'sent' | 'unsupported' | 'not-sent';
    minTokens?: 'sent' | 'unsupported' | 'not-sent';
  };
  slo?: Slo;
  /** Position of this step in its run (0-based) and how many the run planned. */
  step: { index: number; of: number };
  /** The run was stopped while this step ran: what finished is here, the rest counted as cancelled. */
  partial?: boolean;
  summary: StepSummary;
  agreement?: ServerAgreement;
  server?: ServerTruth;
  /** Per-request figures, seconds and tokens (capped; enough to redraw a distribution). */
  samples?: { ttft: number[]; tpot: number[]; e2e: number[]; outputTokens: number[] };
  /** The estimator's figures for this step's load, when a profile was given. */
  estimate?: { target: string; ttftSec?: number; tpotSec?: number; outputTokensPerSec?: number; band?: number; alpha?: number };
  notes: string[];
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Structural check for a stored line (the store reads files other tools or older versions may have written). */
export function loadTestRecordProblem(v: unknown): string | undefined {
  if (!isObj(v)) return 'not a JSON object';
  if (v.kind !== LOADTEST_RECORD_KIND) return 'not a load-test record';
  if (typeof v.id !== 'string' || !v.id) return 'missing id';
  if (typeof v.runId !== 'string' || !v.runId) return 'missing runId';
  if (!isObj(v.endpoint) || typeof v.endpoint.origin !== 'string') return 'missing endpoint.origin';
  if (!isObj(v.load) || (v.load.mode !== 'concurrency' && v.load.mode !== 'rate')) return 'load.mode is not concurrency or rate';
  if (!isObj(v.summary) || !isObj(v.summary.requests)) return 'missing summary';
  if (typeof v.summary.requestThroughput !== 'number') return 'summary.requestThroughput is not a number';
  if (!isObj(v.source) || typeof v.source.tool !== 'string') return 'missing source.tool';
  return undefined;
}

export function isLoadTestLine(v: unknown): boolean {
  return isObj(v) && v.kind === LOADTEST_RECORD_KIND;
}

/** Keeps only scheme, host and port of a URL: user:password@, paths, queries and fragments never reach a record. */
export function safeOrigin(url: string | URL): string {
  const u = typeof url === 'string' ? new URL(url) : url;
  return `${u.protocol}//${u.host}`;
}
