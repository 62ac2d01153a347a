// Plain-text load-test results for the CLI and the VS Code log: one row per step, every figure with its unit,
// the server's own account beside the client's, and the metric definitions at the end — a reader of the output
// knows what each number means without the docs.
import { formatDuration, formatRate } from '../units';
import { diffPct } from './estimate';
import { findKnee } from './knee';
import type { LoadTestRecord } from './record';
import type { Summary } from './stats';

export const METRIC_DEFINITIONS = [
  'TTFT  = first output chunk − request created (client-side queueing counted)',
  'E2E   = response complete − request created',
  'TPOT  = (E2E − TTFT) / (output tokens − 1), output tokens from the server\'s usage (stream_options.include_usage)',
  'ITL   = every gap between consecutive output chunks (per chunk: a chunk can carry several tokens)',
  'req/s = completed / T,  tok/s = Σ output tokens / T,  goodput = requests meeting every SLO / T,  T = last done − first created',
  'p50/p90/p99: linear interpolation between closest ranks (numpy\'s default, as vllm bench serve)',
];

const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`);
const three = (s: Summary | undefined) => (s ? [s.p50, s.p90, s.p99].map(formatDuration).join(' / ') : '—');

function pad(rows: string[][]): string {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ')).join('\n');
}

export function stepName(r: LoadTestRecord): string {
  return r.load.mode === 'concurrency' ? `c=${r.load.concurrency}` : `${r.load.rate}/s`;
}

export function loadTestText(records: readonly LoadTestRecord[], opts: { stoppedBecause?: string } = {}): string {
  if (!records.length) return 'no step finished\n';
  const first = records[0]!;
  const out: string[] = [];
  out.push(`${first.endpoint.origin} · ${first.endpoint.server ?? 'server'}${first.endpoint.serverVersion ? ` ${first.endpoint.serverVersion}` : ''} · ${first.endpoint.model ?? ''} · /v1/${first.endpoint.api === 'chat' ? 'chat/completions' : 'completions'} · ${first.source.tool}`);
  const head = ['step', 'ok/sent', 'TTFT p50/p90/p99', 'TPOT p50/p90/p99', 'ITL p50', 'E2E p50', 'req/s', 'tok/s'];
  const anySlo = records.some((r) => r.summary.goodput !== undefined);
  if (anySlo) head.push('goodput');
  const anyEst = records.some((r) => r.estimate);
  if (anyEst) head.push('est TTFT', 'est TPOT', 'est tok/s', 'Δ TPOT', 'Δ tok/s');
  const rows = [head];
  for (const r of records) {
    const s = r.summary;
    const row = [
      stepName(r) + (r.partial ? ' (partial)' : ''),
      `${s.requests.completed}/${s.requests.sent}`,
      three(s.ttft), three(s.tpot), formatDuration(s.itl?.p50), formatDuration(s.e2e?.p50),
      Number.isFinite(s.requestThroughput) ? s.requestThroughput.toFixed(2) : '—', formatRate(s.outputTokenThroughput, ''),
    ];
    if (anySlo) row.push(s.goodput !== undefined ? `${s.goodput.toFixed(2)}/s` : '—');
    if (anyEst) {
      const e = r.estimate;
      row.push(formatDuration(e?.ttftSec), formatDuration(e?.tpotSec), formatRate(e?.outputTokensPerSec, ''), pct(diffPct(s.tpot?.p50, e?.tpotSec)), pct(diffPct(s.outputTokenThroughput, e?.outputTokensPerSec)));
    }
    rows.push(row.map((c) => c.trim()));
  }
  out.push(pad(rows));
  if (records.some((r) => r.agreement)) {
    out.push('', 'against the server\'s own timings (median over requests of (client − server) / server):');
    const arows = [['step', 'TTFT vs prompt_ms', 'TTFT − prompt_ms', 'TPOT vs per_token_ms', 'decode vs predicted_ms', 'tokens equal']];
    for (const r of records) {
      const a = r.agreement;
      if (!a) continue;
      arows.push([stepName(r), pct(a.ttftVsPromptMsPct), a.ttftMinusPromptMs !== undefined ? `${a.ttftMinusPromptMs.toFixed(1)} ms` : '—', pct(a.tpotVsPredictedPerTokenPct), pct(a.decodeSpanVsPredictedMsPct), `${a.outputTokensEqual}/${a.requests}`]);
    }
    out.push(pad(arows));
    out.push('(TTFT − prompt_ms is transport plus the wait before the server starts the prompt, which its timings leave out)');
  }
  const truth = records.filter((r) => r.server);
  if (truth.length) {
    out.push('', 'server /metrics during each step:');
    for (const r of truth) {
      const t = r.server!;
      const parts: string[] = [];
      if (t.kvCacheUsage) parts.push(`KV cache max ${(t.kvCacheUsage.max * 100).toFixed(1)}%`);
      if (t.runningMax !== undefined) parts.push(`running ≤ ${t.runningMax}`);
      if (t.waitingMax !== undefined) parts.push(`waiting ≤ ${t.waitingMax}`);
      if (t.preemptions !== undefined) parts.push(`preemptions ${t.preemptions}`);
      if (t.generationTokens !== undefined) parts.push(`generated ${t.generationTokens} tokens`);
      if (t.prefixCache?.hitRate !== undefined) parts.push(`prefix-cache hits ${(t.prefixCache.hitRate * 100).toFixed(1)}%`);
      if (t.spec?.fit) parts.push(`speculative α = ${t.spec.fit.alpha.toFixed(3)} (${t.spec.fit.method}, γ ${t.spec.fit.gamma.toFixed(1)}, accepted/drafted ${(t.spec.fit.draftAcceptanceRate * 100).toFixed(1)}%)${r.estimate?.alpha !== undefined ? `; the profile assumes α = ${r.estimate.alpha}` : ''}`);
      out.push(`  ${stepName(r)}: ${parts.join(', ') || 'no series we read'}`);
    }
  }
  const closed = records.filter((r) => r.load.mode === 'concurrency' && r.summary.e2e);
  const knee = findKnee(closed.map((r) => ({ x: r.load.concurrency!, y: r.summary.e2e!.p50 })));
  if (closed.length >= 3) out.push('', knee ? `knee: latency takes off past ${knee.x} concurrent (E2E p50 ×${knee.riseAfter.toFixed(1)} by ${closed[closed.length - 1]!.load.concurrency})` : 'knee: none in the range measured (E2E p50 does not take off)');
  const errs = records.filter((r) => r.summary.requests.failed > 0);
  if (errs.length) {
    out.push('', 'errors:');
    for (const r of errs) {
      for (const [reason, n] of Object.entries(r.summary.errors)) out.push(`  ${stepName(r)}: ${reason} × ${n}${r.summary.errorExamples[reason as keyof typeof r.summary.errorExamples]?.[0] ? ` — ${r.summary.errorExamples[reason as keyof typeof r.summary.errorExamples]![0]}` : ''}`);
    }
  }
  const notes = [...new Set(records.flatMap((r) => [...r.notes, ...r.source.conversions]))];
  if (notes.length) out.push('', 'notes:', ...notes.map((n) => `  - ${n}`));
  if (opts.stoppedBecause) out.push('', `stopped: ${opts.stoppedBecause}`);
  out.push('', 'definitions:', ...METRIC_DEFINITIONS.map((d) => `  ${d}`));
  return out.join('\n') + '\n';
}
