// What the server itself says during a step: its Prometheus /metrics scraped before, during and after, reduced to
// the figures that explain a latency curve — KV-cache usage, preemptions, queue depth, prefix-cache hits, and the
// speculative-decoding counters (→ α). Metric names per engine, with the spellings of older versions:
//   vLLM (vllm/v1/metrics/loggers.py, vllm/v1/spec_decode/metrics.py): vllm:kv_cache_usage_perc (formerly
//   vllm:gpu_cache_usage_perc), vllm:num_preemptions(_total), vllm:num_requests_running / _waiting,
//   vllm:prefix_cache_hits / _queries (formerly vllm:gpu_prefix_cache_*), vllm:spec_decode_num_drafts,
//   _num_draft_tokens, _num_accepted_tokens, _num_accepted_tokens_per_pos{position}. Counters carry `_total`.
//   llama-server (tools/server/server-task.cpp, --metrics): llamacpp:prompt_tokens_total, tokens_predicted_total,
//   n_decode_total, n_busy_slots_per_decode, requests_processing, requests_deferred, and the same
//   spec_decode_* counters with the llamacpp: prefix.
import { fitAlpha, type AlphaFit, type SpecCounters } from './acceptance';
import { first, maxOf, total, type Scrape } from './prometheus';

export type MetricsDialect = 'vllm' | 'llama-server' | 'sglang' | 'unknown';

export function dialectOf(s: Scrape): MetricsDialect {
  for (const x of s.samples) {
    if (x.name.startsWith('vllm:')) return 'vllm';
    if (x.name.startsWith('llamacpp:')) return 'llama-server';
    if (x.name.startsWith('sglang:')) return 'sglang';
  }
  return 'unknown';
}

const names = (prefix: string, base: string) => [`${prefix}${base}_total`, `${prefix}${base}`];

const KV_USAGE = ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc', 'sglang:token_usage', 'llamacpp:kv_cache_usage_ratio'];
const RUNNING = ['vllm:num_requests_running', 'sglang:num_running_reqs', 'llamacpp:requests_processing'];
const WAITING = ['vllm:num_requests_waiting', 'sglang:num_queue_reqs', 'llamacpp:requests_deferred'];

function counter(s: Scrape, candidates: readonly string[]): number | undefined {
  return first(s, candidates)?.value;
}

/** after − before for a counter; a reset in between (server restart) makes the after value the delta. */
function delta(before: Scrape | undefined, after: Scrape, candidates: readonly string[]): number | undefined {
  const a = counter(after, candidates);
  if (a === undefined) return undefined;
  const b = before ? counter(before, candidates) ?? 0 : 0;
  return a >= b ? a - b : a;
}

function perPosition(s: Scrape, prefix: string): number[] | undefined {
  const byPos = new Map<number, number>();
  for (const n of names(prefix, 'spec_decode_num_accepted_tokens_per_pos')) {
    for (const x of s.samples) {
      if (x.name !== n) continue;
      const p = Number(x.labels.position);
      if (!Number.isInteger(p) || p < 0 || p > 64) continue;
      byPos.set(p, (byPos.get(p) ?? 0) + x.value);
    }
    if (byPos.size) break;
  }
  if (!byPos.size) return undefined;
  const max = Math.max(...byPos.keys());
  return Array.from({ length: max + 1 }, (_, i) => byPos.get(i) ?? 0);
}

export interface ServerTruth {
  dialect: MetricsDialect;
  scrapes: number;
  /** 0..1, sampled during the step. */
  kvCacheUsage?: { max: number; mean: number };
  runningMax?: number;
  waitingMax?: number;
  preemptions?: number;
  promptTokens?: number;
  generationTokens?: number;
  prefixCache?: { hits: number; queries: number; hitRate?: number };
  /** llama-server: decode calls and the average number of busy slots per call. */
  decodeCalls?: number;
  busySlotsPerDecode?: number;
  spec?: SpecCounters & { fit?: AlphaFit };
  notes: string[];
}

/**
 * Reduces the scrapes of one step: `before` right before the first measured request, `during` sampled while it
 * ran, `after` once the last request finished. Counters are differenced; gauges take their max/mean over `during`.
 */
export function serverTruth(before: Scrape | undefined, during: readonly Scrape[], after: Scrape): ServerTruth {
  const dialect = dialectOf(after);
  const prefix = dialect === 'llama-server' ? 'llamacpp:' : dialect === 'sglang' ? 'sglang:' : 'vllm:';
  const all = [...during, after];
  const t: ServerTruth = { dialect, scrapes: all.length + (before ? 1 : 0), notes: [] };
  const usage = all.map((s) => maxOf(s, KV_USAGE)).filter((v): v is number => v !== undefined);
  if (usage.length) t.kvCacheUsage = { max: Math.max(...usage), mean: usage.reduce((a, b) => a + b, 0) / usage.length };
  const running = all.map((s) => maxOf(s, RUNNING)).filter((v): v is number => v !== undefined);
  if (running.length) t.runningMax = Math.max(...running);
  const waiting = all.map((s) => maxOf(s, WAITING)).filter((v): v is number => v !== undefined);
  if (waiting.length) t.waitingMax = Math.max(...waiting);
  t.preemptions = delta(before, after, names(prefix, 'num_preemptions'));
  t.promptTokens = delta(before, after, names(prefix, 'prompt_tokens'));
  t.generationTokens = delta(before, after, dialect === 'llama-server' ? names(prefix, 'tokens_predicted') : names(prefix, 'generation_tokens'));
  const hits = delta(before, after, [...names(prefix, 'prefix_cache_hits'), ...names(prefix, 'gpu_prefix_cache_hits')]);
  const queries = delta(before, after, [...names(prefix, 'prefix_cache_queries'), ...names(prefix, 'gpu_prefix_cache_queries')]);
  if (hits !== undefined && queries !== undefined) t.prefixCache = { hits, queries, hitRate: queries > 0 ? hits / queries : undefined };
  if (dialect === 'llama-server') {
    // llama-server counts prompt tokens it processed and prompt tokens it found in a slot's cache apart.
    const cached = delta(before, after, names(prefix, 'prompt_tokens_cached'));
    if (cached !== undefined && t.promptTokens !== undefined) t.prefixCache = { hits: cached, queries: cached + t.promptTokens, hitRate: cached + t.promptTokens > 0 ? cached / (cached + t.promptTokens) : undefined };
    t.decodeCalls = delta(before, after, names(prefix, 'n_decode'));
    t.busySlotsPerDecode = total(after, 'llamacpp:n_busy_slots_per_decode');
    if (t.busySlotsPerDecode !== undefined) t.notes.push('busy slots per decode is llama-server\'s average since it started, not this step\'s');
  }
  const drafts = delta(before, after, names(prefix, 'spec_decode_num_drafts'));
  const draftTokens = delta(before, after, names(prefix, 'spec_decode_num_draft_tokens'));
  const accepted = delta(before, after, names(prefix, 'spec_decode_num_accepted_tokens'));
  if (drafts !== undefined && draftTokens !== undefined && accepted !== undefined) {
    const posAfter = perPosition(after, prefix);
    const posBefore = before ? perPosition(before, prefix) : undefined;
    const acceptedPerPos = posAfter?.map((a, i) => {
      const b = posBefore?.[i] ?? 0;
      return a >= b ? a - b : a;
    });
    const spec: ServerTruth['spec'] = { drafts, draftTokens, acceptedTokens: accepted, acceptedPerPos };
    const fit = fitAlpha(spec);
    if (fit) spec.fit = fit;
    else if (drafts === 0) t.notes.push('speculative decoding counters are present but no draft was made in this step');
    t.spec = spec;
  }
  if (dialect === 'unknown') t.notes.push('the /metrics answer has no vllm:, sglang: or llamacpp: series');
  return t;
}
