// `npm run bench:loadtest`: is the load-test client ever the bottleneck? And what does a real sweep look like?
//
// 1. Client overhead at 256 concurrent streams, against the STAND-IN streaming server (test/fixtures/loadtest/
//    standIn.ts) run in its own process, pacing tokens at a fixed TTFT and TPOT and stamping each chunk with its
//    send time (process.hrtime, CLOCK_MONOTONIC — one clock for both processes on Linux) and the time the request
//    arrived. From those, per request and per streamed token:
//      - send overhead      = server arrival − request created       (client work before the request is on the wire)
//      - per-token lag      = client arrival of a chunk − server send of it (socket + client event loop)
//      - finish overhead    = client done − server send of the last event
//      - client CPU         = process CPU time of the client / tokens (and / requests)
//    each against the latencies measured in the same run (TPOT, TTFT, E2E). Target: below 1 %.
// 2. A closed-loop sweep 1 → 16 against the REAL llama-server (16 slots) on a generated model: the client's
//    TTFT/TPOT/throughput with percentiles beside llama-server's own per-request timings.
// Rounds are repeated (median and spread: the machine is shared). Writes bench-results/loadtest.json.
//
// Options: --part overhead|sweep|all (default all) --rounds N (3) --streams N (256) --tokens N (64)
//          --ttft-ms N (200) --tpot-ms N (50) --prompt N (256, sweep)
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { makeLlamaGguf } from '../src/core/models/makeModel';
import { requestMetrics } from '../src/core/loadtest/metrics';
import { percentile, summarize } from '../src/core/loadtest/stats';
import { machineInfo } from '../src/core/results/machine';
import { runLoadTest } from '../src/engine/loadtest/run';
import { llamaServerBinary, startLlamaServer } from '../test/fixtures/loadtest/llamaServer';

const REPO = path.resolve(__dirname, '..', '..');
function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}
const log = (s: string) => process.stderr.write(s);

async function standInProcess(ttftMs: number, tpotMs: number): Promise<{ url: string; stop(): Promise<void> }> {
  const script = path.join(REPO, 'out', 'test', 'fixtures', 'loadtest', 'standIn.js');
  const child = spawn(process.execPath, [script, '--ttft-ms', String(ttftMs), '--tpot-ms', String(tpotMs), '--stamp'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => { buf += d.toString(); const m = /port (\d+)/.exec(buf); if (m) resolve(Number(m[1])); });
    child.once('exit', (c) => reject(new Error(`stand-in exited (${c})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.stdin!.end(); setTimeout(() => child.kill('SIGKILL'), 3000).unref(); }),
  };
}

interface OverheadRound {
  requests: number; tokens: number; wallSec: number;
  ttftP50Ms: number; tpotP50Ms: number; e2eP50Ms: number;
  /** created → the request flushed to the OS: the client's own send work (and any wait for its event loop). */
  clientSendP50Ms: number; clientSendP99Ms: number;
  /** created → the server saw it: adds the socket and the stand-in's own event loop. */
  sendOverheadP50Ms: number; sendOverheadP99Ms: number;
  tokenLagP50Ms: number; tokenLagP99Ms: number;
  finishOverheadP50Ms: number;
  cpuPerTokenUs: number; cpuPerRequestUs: number;
  /** How long a ready callback waited for the client's event loop (perf_hooks.monitorEventLoopDelay), ms. */
  loopDelayP50Ms: number; loopDelayP99Ms: number;
  /** (client send + finish) / E2E, all-in per-token lag / TPOT, client send / TTFT: percent. */
  requestOverheadPctOfE2e: number; tokenLagPctOfTpot: number; sendPctOfTtft: number;
  /** The client's own cost per token — its CPU per token plus the wait for its event loop — over TPOT, percent. */
  clientTokenPctOfTpot: number;
}

async function overheadRound(streams: number, tokens: number, ttftMs: number, tpotMs: number): Promise<OverheadRound> {
  const srv = await standInProcess(ttftMs, tpotMs);
  // performance.now() and process.hrtime share CLOCK_MONOTONIC; the offset between them is fixed for the process.
  const offsetNs = Number(process.hrtime.bigint()) - performance.now() * 1e6;
  const lag: number[] = [];
  const send: number[] = [];
  const finish: number[] = [];
  const lastSent = new Map<number, number>();
  const seenArrival = new Set<number>();
  // Two identical steps: the first warms the JIT, the sockets and the stand-in; only the second is measured. Each
  // step's first wave (one request per stream) is its warm-up, so the measured requests run in the steady state.
  let measuring = false;
  let cpu0: NodeJS.CpuUsage | undefined;
  let t0 = 0;
  const loop = monitorEventLoopDelay({ resolution: 1 });
  try {
    const r = await runLoadTest({
      baseUrl: srv.url, api: 'completions', steps: [{ mode: 'concurrency', concurrency: streams }, { mode: 'concurrency', concurrency: streams }],
      requestsPerStep: streams * 2, stepSeconds: 600, promptTokens: { kind: 'fixed', value: 128 }, outputTokens: { kind: 'fixed', value: tokens },
      scrape: false, keepSamples: true,
      onStep: (rec) => { if (rec.step.index === 0) { measuring = true; cpu0 = process.cpuUsage(); t0 = performance.now(); loop.enable(); } },
      onEvent: (v, arrivedMs, s) => {
        if (!measuring) return;
        const sentNs = Number(v.kvlens_sent_ns);
        if (!Number.isFinite(sentNs)) return;
        const arrivedNs = arrivedMs * 1e6 + offsetNs;
        lag.push((arrivedNs - sentNs) / 1e6);
        lastSent.set(s.index, sentNs);
        const srvArrived = Number(v.kvlens_arrived_ns);
        if (!seenArrival.has(s.index) && Number.isFinite(srvArrived)) {
          seenArrival.add(s.index);
          send.push((srvArrived - (s.createdMs * 1e6 + offsetNs)) / 1e6);
        }
      },
    });
    const wallSec = (performance.now() - t0) / 1e3;
    const cpu = process.cpuUsage(cpu0);
    loop.disable();
    // The histogram counts from the timer's resolution (1 ms): subtract it to get the wait itself.
    const loopP50 = Math.max(0, loop.percentile(50) / 1e6 - 1);
    const loopP99 = Math.max(0, loop.percentile(99) / 1e6 - 1);
    const samples = r.samples![1]!.filter((s) => !s.error);
    for (const s of samples) {
      const ls = lastSent.get(s.index);
      if (ls !== undefined && s.endMs !== undefined) finish.push((s.endMs * 1e6 + offsetNs - ls) / 1e6);
    }
    const clientSend = samples.filter((s) => s.writtenMs !== undefined).map((s) => s.writtenMs! - s.createdMs);
    const m = samples.map(requestMetrics);
    const nTok = samples.reduce((a, s) => a + (s.outputTokens ?? 0), 0);
    const ttft = percentile(m.map((x) => x.ttftSec! * 1e3), 50);
    const tpot = percentile(m.map((x) => x.tpotSec! * 1e3), 50);
    const e2e = percentile(m.map((x) => x.e2eSec! * 1e3), 50);
    const clientSendP50 = percentile(clientSend, 50);
    const finishP50 = percentile(finish, 50);
    const lagP50 = percentile(lag, 50);
    if (process.env.KVLENS_BENCH_DEBUG) log(`lag n ${lag.length} min ${Math.min(...lag).toFixed(3)} p10 ${percentile(lag, 10).toFixed(3)} p50 ${lagP50.toFixed(3)} p90 ${percentile(lag, 90).toFixed(3)}\n`);
    const cpuUs = cpu.user + cpu.system;
    return {
      requests: samples.length, tokens: nTok, wallSec,
      ttftP50Ms: ttft, tpotP50Ms: tpot, e2eP50Ms: e2e,
      clientSendP50Ms: clientSendP50, clientSendP99Ms: percentile(clientSend, 99),
      sendOverheadP50Ms: percentile(send, 50), sendOverheadP99Ms: percentile(send, 99),
      tokenLagP50Ms: lagP50, tokenLagP99Ms: percentile(lag, 99),
      finishOverheadP50Ms: finishP50,
      cpuPerTokenUs: cpuUs / nTok, cpuPerRequestUs: cpuUs / samples.length,
      loopDelayP50Ms: loopP50, loopDelayP99Ms: loopP99,
      requestOverheadPctOfE2e: ((clientSendP50 + finishP50) / e2e) * 100,
      tokenLagPctOfTpot: (lagP50 / tpot) * 100,
      sendPctOfTtft: (clientSendP50 / ttft) * 100,
      clientTokenPctOfTpot: ((cpuUs / nTok / 1e3 + loopP50) / tpot) * 100,
    };
  } finally {
    await srv.stop();
  }
}

const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const spread = (xs: number[]) => `${f(percentile(xs, 50), 3)} [${f(Math.min(...xs), 3)}–${f(Math.max(...xs), 3)}]`;

async function sweep(promptTokens: number): Promise<unknown> {
  const b = llamaServerBinary(log);
  if (!b.bin) { log(`sweep skipped: ${b.reason}\n`); return { skipped: b.reason }; }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kvlens-bench-lt-'));
  const model = path.join(dir, 'model.gguf');
  await makeLlamaGguf(model, {});
  const srv = await startLlamaServer({ bin: b.bin, model, slots: 16, ctxPerSlot: Math.max(512, promptTokens + 256), threads: 1 });
  try {
    const r = await runLoadTest({
      baseUrl: srv.url, api: 'completions', steps: [1, 2, 4, 8, 16].map((c) => ({ mode: 'concurrency', concurrency: c })),
      requestsPerStep: (s) => Math.max(16, 2 * (s.concurrency ?? 1)), stepSeconds: 300,
      promptTokens: { kind: 'fixed', value: promptTokens }, outputTokens: { kind: 'fixed', value: 32 }, keepSamples: true, log: (l) => log(`  ${l}\n`),
    });
    const rows = r.records.map((rec, i) => {
      const s = r.samples![i]!.filter((x) => !x.error && x.server);
      const sv = (k: 'prompt_ms' | 'predicted_per_token_ms') => percentile(s.map((x) => x.server![k]!), 50);
      return {
        concurrency: rec.load.concurrency!, ok: rec.summary.requests.completed, sent: rec.summary.requests.sent,
        ttftMs: { p50: rec.summary.ttft!.p50 * 1e3, p90: rec.summary.ttft!.p90 * 1e3, p99: rec.summary.ttft!.p99 * 1e3 },
        tpotMs: { p50: rec.summary.tpot!.p50 * 1e3, p90: rec.summary.tpot!.p90 * 1e3, p99: rec.summary.tpot!.p99 * 1e3 },
        itlP50Ms: rec.summary.itl!.p50 * 1e3, e2eP50Ms: rec.summary.e2e!.p50 * 1e3,
        requestsPerSec: rec.summary.requestThroughput, outputTokensPerSec: rec.summary.outputTokenThroughput,
        serverPromptMsP50: sv('prompt_ms'), serverPerTokenMsP50: sv('predicted_per_token_ms'),
        agreement: rec.agreement, serverGenerated: rec.server?.generationTokens,
      };
    });
    log('\nsweep against the real llama-server (16 slots, 1 thread), prompt ' + promptTokens + ' tokens, 32 output tokens\n');
    log('c   ok    TTFT p50/p90/p99 ms      prompt_ms p50  TTFT Δ   TPOT p50/p90/p99 ms   per_token_ms p50  TPOT Δ   decode Δ  tok/s   req/s\n');
    for (const x of rows) {
      const a = x.agreement!;
      log(`${String(x.concurrency).padEnd(3)} ${`${x.ok}/${x.sent}`.padEnd(5)} ${[x.ttftMs.p50, x.ttftMs.p90, x.ttftMs.p99].map((v) => f(v, 1)).join('/').padEnd(24)} ${f(x.serverPromptMsP50, 1).padStart(13)}  ${(f(a.ttftVsPromptMsPct!, 1) + '%').padStart(6)}   ${[x.tpotMs.p50, x.tpotMs.p90, x.tpotMs.p99].map((v) => f(v, 2)).join('/').padEnd(20)} ${f(x.serverPerTokenMsP50, 2).padStart(16)}  ${(f(a.tpotVsPredictedPerTokenPct!, 2) + '%').padStart(6)}  ${(f(a.decodeSpanVsPredictedMsPct!, 2) + '%').padStart(8)}  ${f(x.outputTokensPerSec, 1).padStart(6)}  ${f(x.requestsPerSec, 2)}\n`);
    }
    return { promptTokens, outputTokens: 32, slots: 16, threads: 1, rows };
  } finally {
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const part = arg('--part', 'all');
  const rounds = Number(arg('--rounds', '3'));
  const streams = Number(arg('--streams', '256'));
  const tokens = Number(arg('--tokens', '64'));
  const ttftMs = Number(arg('--ttft-ms', '200'));
  const tpotMs = Number(arg('--tpot-ms', '50'));
  const out: Record<string, unknown> = { machine: machineInfo(), date: new Date().toISOString() };
  if (part === 'all' || part === 'overhead') {
    log(`client overhead: ${streams} streams × 2 requests, ${tokens} tokens each, stand-in TTFT ${ttftMs} ms, TPOT ${tpotMs} ms, ${rounds} rounds\n`);
    const rs: OverheadRound[] = [];
    for (let i = 0; i < rounds; i++) {
      const r = await overheadRound(streams, tokens, ttftMs, tpotMs);
      rs.push(r);
      log(`  round ${i + 1}: ${r.requests} requests, ${r.tokens} tokens in ${f(r.wallSec, 1)} s; client per token ${f(r.clientTokenPctOfTpot, 3)}% of TPOT (CPU ${f(r.cpuPerTokenUs, 1)} µs + loop wait ${f(r.loopDelayP50Ms, 3)} ms), all-in token lag p50 ${f(r.tokenLagP50Ms, 3)} ms (${f(r.tokenLagPctOfTpot, 3)}%), request overhead ${f(r.clientSendP50Ms + r.finishOverheadP50Ms, 3)} ms (${f(r.requestOverheadPctOfE2e, 3)}% of E2E)\n`);
    }
    const col = (k: keyof OverheadRound) => rs.map((r) => r[k]);
    const table: [string, keyof OverheadRound, string][] = [
      ['measured TTFT p50', 'ttftP50Ms', 'ms'], ['measured TPOT p50', 'tpotP50Ms', 'ms'], ['measured E2E p50', 'e2eP50Ms', 'ms'],
      ['client send p50 (created → flushed to the OS)', 'clientSendP50Ms', 'ms'], ['client send p99', 'clientSendP99Ms', 'ms'],
      ['created → the stand-in saw it, p50', 'sendOverheadP50Ms', 'ms'], ['created → the stand-in saw it, p99', 'sendOverheadP99Ms', 'ms'],
      ['per-token lag p50 (server send → client)', 'tokenLagP50Ms', 'ms'], ['per-token lag p99', 'tokenLagP99Ms', 'ms'],
      ['finish overhead p50 (last send → done)', 'finishOverheadP50Ms', 'ms'],
      ['client CPU per streamed token', 'cpuPerTokenUs', 'µs'], ['client CPU per request (its tokens included)', 'cpuPerRequestUs', 'µs'],
      ['client event-loop wait p50', 'loopDelayP50Ms', 'ms'], ['client event-loop wait p99', 'loopDelayP99Ms', 'ms'],
      ['client per token (CPU + loop wait) / TPOT', 'clientTokenPctOfTpot', '%'],
      ['(client send + finish) / E2E', 'requestOverheadPctOfE2e', '%'], ['client send / TTFT', 'sendPctOfTtft', '%'],
      ['all-in per-token lag / TPOT (+ OS, stand-in)', 'tokenLagPctOfTpot', '%'],
    ];
    log(`\nclient overhead at ${streams} concurrent streams — median [min–max] of ${rounds} rounds\n`);
    for (const [label, k, unit] of table) log(`  ${label.padEnd(44)} ${spread(col(k) as number[]).padStart(28)} ${unit}\n`);
    // The client's own overhead is what the target is about; the all-in lag adds the kernel, the scheduler of a
    // shared machine and the stand-in's own write path, and is reported as the conservative bound beside it.
    const worst = Math.max(...rs.map((r) => Math.max(r.clientTokenPctOfTpot, r.requestOverheadPctOfE2e, r.sendPctOfTtft)));
    const allIn = Math.max(...rs.map((r) => r.tokenLagPctOfTpot));
    log(`  client overhead, worst ratio over all rounds: ${f(worst, 3)} % (target < 1 %) → ${worst < 1 ? 'PASS' : 'FAIL'}\n`);
    log(`  all-in per-token lag, worst round: ${f(allIn, 3)} % of TPOT (median ${f(percentile(col('tokenLagPctOfTpot') as number[], 50), 3)} %)\n`);
    out.overhead = { streams, tokens, ttftMs, tpotMs, rounds: rs, summary: Object.fromEntries(table.map(([, k]) => [k, summarize(col(k) as number[])])), worstPct: worst, allInWorstPct: allIn, pass: worst < 1 };
  }
  if (part === 'all' || part === 'sweep') out.sweep = await sweep(Number(arg('--prompt', '256')));
  fs.mkdirSync(path.join(REPO, 'bench-results'), { recursive: true });
  fs.writeFileSync(path.join(REPO, 'bench-results', 'loadtest.json'), JSON.stringify(out, null, 2) + '\n');
  log('saved bench-results/loadtest.json\n');
}

main().catch((e) => { process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`); process.exitCode = 1; });
