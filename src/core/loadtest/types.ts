// The shapes a load test measures and saves. Times inside a run are milliseconds on one monotonic clock
// (performance.now() of the client process); summaries are in seconds, tokens/s and requests/s.
import type { Summary } from './stats';

export type ApiKind = 'completions' | 'chat';
export type ServerKind = 'vllm' | 'llama-server' | 'sglang' | 'tgi' | 'ollama' | 'openai-compatible';

/** Why a request did not count as completed. Every failed request carries exactly one. */
export type ErrorReason =
  | 'http_status' // a non-2xx answer (500, 429, 400...)
  | 'connection' // refused, reset, closed before the answer
  | 'stalled' // no byte for longer than the stall timeout
  | 'timeout' // the whole request took longer than its limit
  | 'malformed_sse' // not an event stream, or a data line that is not JSON
  | 'truncated' // the stream ended before the server said it was done
  | 'max_tokens_exceeded' // more output than max_tokens: the server ignored the limit (the client stopped reading)
  | 'redirect_refused' // a redirect (the client contacts only the URL it was given)
  | 'server_error' // an error object inside the stream
  | 'cancelled'; // the run was stopped (user, step or run time limit)

/** llama-server's per-request `timings` (server-common.cpp server_slot_stats::to_json), when present. */
export interface ServerTimings {
  prompt_n?: number;
  prompt_ms?: number;
  predicted_n?: number;
  predicted_ms?: number;
  predicted_per_token_ms?: number;
  cache_n?: number;
  draft_n?: number;
  draft_n_accepted?: number;
}

/** One request as the client saw it. */
export interface RequestSample {
  /** Index within its step (warm-up requests are never samples). */
  index: number;
  /** When the client created the request: closed loop, when a worker was free; open loop, the scheduled arrival. */
  createdMs: number;
  /** When the request was handed to the socket (created → sent is client-side queueing). */
  sentMs?: number;
  /** When the request's bytes were flushed to the operating system (the client's send work is done). */
  writtenMs?: number;
  /** First streamed chunk carrying output (text, content or reasoning). */
  firstTokenMs?: number;
  /** Last chunk carrying output. */
  lastTokenMs?: number;
  /** The response was complete (the `[DONE]` event, or the end of the stream after a finish_reason). */
  endMs?: number;
  /** Gaps between consecutive output chunks, ms (vLLM's ITL: per chunk, not per token). */
  chunkGapsMs: number[];
  /** Output chunks received. */
  chunks: number;
  promptTokens?: number;
  outputTokens?: number;
  /** 'usage': the server's `usage` (stream_options.include_usage); 'chunks': counted one per chunk (a guess). */
  tokenSource?: 'usage' | 'chunks';
  finishReason?: string;
  maxTokens: number;
  /** The output came back shorter than max_tokens (finish_reason "stop" or fewer tokens than asked). */
  short?: boolean;
  error?: { reason: ErrorReason; message: string; status?: number };
  server?: ServerTimings;
}

export interface LengthSpec {
  /** 'fixed' n; 'uniform' in [min, max]; 'normal' mean ± sd (clamped ≥ 1); 'lognormal' with the given median and sigma. */
  kind: 'fixed' | 'uniform' | 'normal' | 'lognormal';
  value?: number;
  min?: number;
  max?: number;
  mean?: number;
  sd?: number;
  median?: number;
  sigma?: number;
}

export interface Slo {
  /** Seconds; a request is "good" when every given bound holds (DistServe's goodput, as `vllm bench serve --goodput`). */
  ttftSec?: number;
  tpotSec?: number;
  e2eSec?: number;
}

export interface LoadShape {
  mode: 'concurrency' | 'rate';
  /** Closed loop: requests in flight. */
  concurrency?: number;
  /** Open loop: mean arrivals per second (Poisson). */
  rate?: number;
  /** Open loop: most requests in flight at once (later arrivals wait in the client queue, and that wait counts). */
  maxInFlight?: number;
}

export interface StepSummary {
  requests: { sent: number; completed: number; failed: number; cancelled: number; short: number; warmup: number };
  errors: Partial<Record<ErrorReason, number>>;
  /** First few error messages per reason, for the log and the panel. */
  errorExamples: Partial<Record<ErrorReason, string[]>>;
  /** max(end) − min(created) over the step's requests, seconds. */
  durationSec: number;
  requestThroughput: number;
  outputTokenThroughput: number;
  totalTokenThroughput: number;
  goodput?: number;
  goodRequests?: number;
  ttft?: Summary;
  tpot?: Summary;
  itl?: Summary;
  e2e?: Summary;
  /** created → sent: time a request waited in the client before it reached the socket. */
  queue?: Summary;
  promptTokens?: Summary;
  outputTokens?: Summary;
  tokenSource: 'usage' | 'chunks' | 'mixed' | 'none';
  /** Output tokens of the step's completed warm-up requests (the server's counters over the step include them). */
  warmupOutputTokens?: number;
}

/** How the client's figures compare with llama-server's own `timings` for the same requests. */
export interface ServerAgreement {
  requests: number;
  /** Median over requests of (client − server) / server, percent. */
  ttftVsPromptMsPct?: number;
  tpotVsPredictedPerTokenPct?: number;
  decodeSpanVsPredictedMsPct?: number;
  /** Requests whose output token count equals the server's predicted_n. */
  outputTokensEqual: number;
  /** Mean client TTFT − server prompt_ms, ms: transport, tokenization and the wait for the server's loop. */
  ttftMinusPromptMs?: number;
}
