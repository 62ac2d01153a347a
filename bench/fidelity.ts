// `npm run bench:fidelity`: how close the speed estimates are to published measurements nobody here made
// (../shared/data/measured), leaving one hardware out at a time — fit without a chip, predict that chip — so the
// figures say how the estimator does on hardware it has not seen. Prints tables and writes
// bench-results/fidelity.json. Skips (exit 0) when ../shared is absent.
//
// Columns: `roofline` is the estimator before calibration (each target's fixed 70 % bandwidth / 60 % compute
// efficiencies, ±30 %); `calibrated` is the calibrated model fitted without the row's chip, at the row's build era
// (old builds get the era factor the fit found); `today` is the same fit at the 2025+ factor an estimate shows.
// Every calibrated figure comes from the product code path (calibratedSpeed + llamaBenchSpeed) with the
// held-out parameters, and is checked against the fit's own prediction.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Deployment, FlashAttention } from '../src/core/deployment';
import { estimate } from '../src/core/estimator/estimate';
import { bandMetric, crossValidate, DEFAULT_FIT, fitSpeed, heldOutBand, predictSample, quantile, type Sample } from '../src/core/estimator/calibration/fit';
import { backendGroup, eraOf, type SpeedParams } from '../src/core/estimator/calibration/model';
import { buildYear, measuredDir, publishedTest, readJsonl, type PublishedBenchRow, type PublishedServingRow } from '../src/core/estimator/calibration/published';
import { type RowSamples, samplesFromRows, settingOf } from '../src/core/estimator/calibration/samples';
import { crossValidateServing, servingSamples } from '../src/core/estimator/calibration/serving';
import { calibratedSpeed, llamaBenchSpeed } from '../src/core/estimator/calibration/speed';
import type { HardwareTarget } from '../src/core/hardware/types';
import type { ModelDescriptor } from '../src/core/models/descriptor';
import { llamaKvCache } from '../src/core/estimator/kvCache';
import { normalizeModel } from '../src/core/estimator/modelShape';

const ROOT = path.resolve(__dirname, '../..');
/** Measured before this issue with the code and catalog of the time (22 targets); kept for the comparison. */
const BEFORE = { rows: 777, hardwareKnown: 436, estimable: 432, pp: { n: 234, medianPct: 32.9, p90Pct: 178.2, inBandPct: 38 }, tg: { n: 194, medianPct: 17.9, p90Pct: 80.7, inBandPct: 82 } };

interface RowResult {
  id: string;
  chip: string;
  kind: 'pp' | 'tg' | 'pg';
  backend: string;
  hwFamily: string;
  measured: number;
  roofline?: number;
  rooflineBand?: number;
  calibrated?: number;
  today?: number;
  band?: number;
  typical: boolean;
}

const err = (est: number, meas: number) => est / meas - 1;

function zero() { return { line: 0, character: 0 }; }

/** The pre-calibration estimate of a llama-bench test (what kvlens bench printed before): estimate() at the target's fixed efficiencies. */
function rooflineTs(model: ModelDescriptor, target: HardwareTarget, row: PublishedBenchRow): { pp?: number; tg?: number; band: number } {
  const t = publishedTest(row);
  const fa: FlashAttention = row.fa === 1 ? 'on' : row.fa === 0 ? 'off' : 'auto';
  const dep = (prompt: number, output: number): Deployment => ({
    name: 'fidelity', format: 'kvlens-profile', anchor: { start: zero(), end: zero() },
    engine: { kind: 'llama.cpp', contextSize: Math.max(256, t.nPrompt + t.nGen + t.depth), parallel: 1, cacheTypeK: 'f16', cacheTypeV: 'f16', flashAttention: fa, ubatchSize: row.n_ubatch ?? 512, batchSize: row.n_batch ?? 2048, gpuLayers: 999, tensorParallel: 1, pipelineParallel: 1, dataParallel: 1 },
    workload: { promptTokens: prompt, outputTokens: output, concurrency: 1 }, targets: [{ id: target.id }], settingRanges: {},
  });
  const run = (p: number, o: number) => estimate(dep(p, o), model, [target], { whatIfs: false, speedModel: 'roofline' }).targets[0]!.perf;
  const out: { pp?: number; tg?: number; band: number } = { band: target.efficiency.band ?? 0.3 };
  if (t.nPrompt > 0) {
    const sec = run(t.depth + t.nPrompt, 0).ttftSec - (t.depth > 0 ? run(t.depth, 0).ttftSec : 0);
    if (sec > 0) out.pp = t.nPrompt / sec;
  }
  if (t.nGen > 0) out.tg = run(t.depth + t.nPrompt, t.nGen).decodeTokensPerSec || undefined;
  return out;
}

/** The product path: calibratedSpeed + llamaBenchSpeed with the given parameters, at the row's era or today's. */
function productTs(rs: RowSamples, params: SpeedParams, era: 'row' | 'today'): { pp?: number; tg?: number; pg?: number; bandPp: number; bandTg: number } {
  const row = rs.row;
  const t = publishedTest(row);
  const m = normalizeModel(rs.model).model;
  const year = buildYear(row);
  const flash = row.fa === 1 ? true : row.fa === 0 ? false : rs.backend !== 'CPU' && year !== undefined && year >= 2025.6;
  const kv = llamaKvCache(m, { nCtx: Math.max(256, t.nPrompt + t.nGen + t.depth), nSeq: 1, unified: false, typeK: 'f16', typeV: 'f16', nUbatch: row.n_ubatch ?? 512, nBatch: row.n_batch ?? 2048, swaFull: false, flashAttention: flash ? 'on' : 'off' });
  const attn = kv.layers.length;
  const swa = kv.layers.filter((l) => l.kind === 'swa').length;
  const s = calibratedSpeed({
    model: m, target: rs.target!, backend: rs.backend, kvBytesPerToken: kv.bytesPerToken, window: m.slidingWindow, swaShare: attn ? swa / attn : 0,
    devices: Math.max(1, row.hw_count ?? 1), threads: row.threads, nUbatch: row.n_ubatch ?? 512, nBatch: row.n_batch ?? 2048, flashAttention: flash,
    params, era: era === 'today' ? 'E2' : eraOf(year),
    // The row's own setup (Pi host, ik_llama.cpp) at its own era; `today` is what an estimate shows.
    ...(era === 'row' ? { setting: settingOf(row, rs.target!) } : {}),
  });
  return { ...llamaBenchSpeed(s, { nPrompt: t.nPrompt, nGen: t.nGen, depth: t.depth }), bandPp: s.pp.band, bandTg: s.tg.band };
}

function stats(rows: RowResult[], pick: (r: RowResult) => number | undefined, band: (r: RowResult) => number | undefined) {
  const e = rows.map((r) => ({ r, v: pick(r) })).filter((x): x is { r: RowResult; v: number } => x.v !== undefined && Number.isFinite(x.v) && x.v > 0);
  const abs = e.map((x) => Math.abs(err(x.v, x.r.measured)));
  const inBand = e.filter((x) => { const b = band(x.r); return b !== undefined && bandMetric(err(x.v, x.r.measured)) <= b; }).length;
  return { n: e.length, medianPct: r1(100 * quantile(abs, 0.5)), p90Pct: r1(100 * quantile(abs, 0.9)), inBandPct: e.length ? r1((100 * inBand) / e.length) : 0 };
}

const r1 = (x: number) => Math.round(x * 10) / 10;

function table(title: string, head: string[], body: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => (i === 0 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join(' | ')} |`;
  return [`\n${title}`, line(head), `| ${w.map((n, i) => (i === 0 ? '-'.repeat(n) : '-'.repeat(n - 1) + ':')).join(' | ')} |`, ...body.map(line)].join('\n');
}

export async function benchFidelity(): Promise<void> {
  const dir = measuredDir(ROOT);
  if (!dir) {
    process.stdout.write('bench:fidelity: ../shared/data/measured is absent: skipped\n');
    return;
  }
  const t0 = Date.now();
  const rows = readJsonl<PublishedBenchRow>(path.join(dir, 'llama-bench.jsonl'));
  const rs = samplesFromRows(rows);
  const fitRows = rs.filter((r) => r.estimable && !r.skip);
  const samples = fitRows.filter((r) => !r.pg).flatMap((r) => r.samples);
  const chips = [...new Set(fitRows.map((r) => r.target!.id))].sort();

  // Leave one hardware out: fit without the chip, predict every row of it through the product path.
  const results: RowResult[] = [];
  let maxPathDiff = 0;
  for (const chip of chips) {
    const train = samples.filter((s) => s.chip !== chip);
    const params = fitSpeed(train, DEFAULT_FIT);
    for (const r of fitRows.filter((x) => x.target!.id === chip)) {
      const row = r.row;
      const cal = productTs(r, params, 'row');
      const today = productTs(r, params, 'today');
      const roof = rooflineTs(r.model!, r.target!, row);
      const kind = r.pg ? 'pg' : row.test_kind === 'pp' ? 'pp' : 'tg';
      const pick = (o: { pp?: number; tg?: number; pg?: number }) => (kind === 'pg' ? o.pg : kind === 'pp' ? o.pp : o.tg);
      if (!r.pg) {
        // The product path and the fit agree (same terms, same coefficients).
        const s = r.samples[0] as Sample;
        const t = predictSample(params, s);
        const v = pick(cal);
        if (t && v) maxPathDiff = Math.max(maxPathDiff, Math.abs((kind === 'pp' ? publishedTest(row).nPrompt / t : 1 / t) / v - 1));
      }
      results.push({
        id: row.id, chip, kind, backend: backendGroup(r.backend!), hwFamily: row.hw_family, measured: row.ts_mean,
        roofline: kind === 'pg' ? (roof.pp && roof.tg ? (publishedTest(row).nPrompt + publishedTest(row).nGen) / (publishedTest(row).nPrompt / roof.pp + publishedTest(row).nGen / roof.tg) : undefined) : kind === 'pp' ? roof.pp : roof.tg,
        rooflineBand: roof.band, calibrated: pick(cal), today: pick(today), band: undefined, typical: (r.samples[0] as Sample | undefined)?.typical ?? true,
      });
    }
  }
  // Bands as an estimate shows them: from the other chips' held-out misses on the same backend (fit.ts crossValidate).
  const held = crossValidate(samples, DEFAULT_FIT);
  const bandById = new Map(held.map((h) => [`${h.sample.id}|${h.sample.kind}`, h.band]));
  const keysById = new Map(fitRows.map((r) => [r.row.id, r.samples[0]?.keys ?? []]));
  for (const r of results) {
    // A pp+tg row is not fitted: it gets the wider of the two bands its backend would show.
    if (r.kind === 'pg') r.band = Math.max(heldOutBand(held, 'pp', keysById.get(r.id)!, r.chip), heldOutBand(held, 'tg', keysById.get(r.id)!, r.chip));
    else r.band = bandById.get(`${r.id}|${r.kind}`);
  }

  const estimable = rs.filter((r) => r.estimable).length;
  const hwKnown = rs.filter((r) => r.target).length;
  const modelKnown = rs.filter((r) => r.skip !== 'model' && r.skip !== 'hardware').length;
  const out: string[] = [];
  out.push(`published llama-bench rows: ${rows.length}; hardware in the catalog ${hwKnown} (${r1((100 * hwKnown) / rows.length)} %), hardware and model known (estimable) ${estimable} (${r1((100 * estimable) / rows.length)} %) — before this change ${BEFORE.estimable} (${r1((100 * BEFORE.estimable) / BEFORE.rows)} %)`);
  out.push(`fitted on ${samples.length} samples from ${fitRows.length} rows on ${chips.length} chips; not fitted: ${rs.filter((r) => r.skip === 'suspect').length} suspect, ${rs.filter((r) => r.skip === 'ngl0').length} ngl 0, ${rows.length - estimable} not estimable (${[...new Set(rs.filter((r) => !r.estimable).map((r) => r.row.model_key))].join(', ')})`);
  out.push(`product path = fit prediction within ${(maxPathDiff * 100).toExponential(1)} %`);

  const cols = ['rows', 'roofline median', 'p90', 'in ±band', 'calibrated median', 'p90', 'in band', 'today median'];
  const line = (label: string, rr: RowResult[]) => {
    const a = stats(rr, (r) => r.roofline, (r) => r.rooflineBand);
    const b = stats(rr, (r) => r.calibrated, (r) => r.band);
    const c = stats(rr, (r) => r.today, (r) => r.band);
    return { label, roofline: a, calibrated: b, today: c, cells: [label, String(b.n), `${a.medianPct} %`, `${a.p90Pct} %`, `${a.inBandPct} %`, `${b.medianPct} %`, `${b.p90Pct} %`, `${b.inBandPct} %`, `${c.medianPct} %`] };
  };
  const kinds = ['pp', 'tg', 'pg'] as const;
  const byKind = kinds.map((k) => line(k, results.filter((r) => r.kind === k)));
  const all = line('all', results);
  out.push(table('Leave-one-hardware-out error |estimate/measured − 1| by test kind', ['kind', ...cols], [...byKind, all].map((x) => x.cells)));
  const backends = [...new Set(results.map((r) => r.backend))].sort();
  const byBackend = kinds.flatMap((k) => backends.map((b) => line(`${k} ${b}`, results.filter((r) => r.kind === k && r.backend === b)))).filter((x) => x.calibrated.n > 0);
  out.push(table('… by backend', ['kind backend', ...cols], byBackend.map((x) => x.cells)));
  const fams = [...new Set(results.map((r) => r.hwFamily))].sort();
  const byFamily = kinds.flatMap((k) => fams.map((f) => line(`${k} ${f}`, results.filter((r) => r.kind === k && r.hwFamily === f)))).filter((x) => x.calibrated.n > 0);
  out.push(table('… by hardware family', ['kind family', ...cols], byFamily.map((x) => x.cells)));

  // Serving: continuous batching, leave one hardware out.
  const sfile = path.join(dir, 'serving.jsonl');
  let serving: Record<string, unknown> | undefined;
  if (fs.existsSync(sfile)) {
    const srows = readJsonl<PublishedServingRow>(sfile);
    const { samples: ss, skipped } = servingSamples(srows);
    const sh = crossValidateServing(ss);
    const part = (label: string, hs: typeof sh) => {
      const abs = hs.map((h) => Math.abs(h.error));
      return { label, n: hs.length, medianPct: r1(100 * quantile(abs, 0.5)), p90Pct: r1(100 * quantile(abs, 0.9)) };
    };
    const tp = sh.filter((h) => h.sample.tpotMs !== undefined);
    const parts = [part('offline output throughput', sh.filter((h) => h.sample.kind === 'offline')), part('batch latency → output tok/s', sh.filter((h) => h.sample.kind === 'latency')), part('all serving rows', sh),
      ...[...new Set(sh.map((h) => h.sample.chip))].sort().map((c) => part(`  ${c}`, sh.filter((h) => h.sample.chip === c)))];
    out.push(table(`Serving rows (${srows.length}; ${ss.length} estimable; not: ${skipped.map((s) => s.id).join(', ')}), leave-one-hardware-out`, ['metric', 'rows', 'median |err|', 'p90'], parts.map((p) => [p.label, String(p.n), `${p.medianPct} %`, `${p.p90Pct} %`])));
    out.push(tp.length ? `TPOT given on ${tp.length} estimable rows` : 'TPOT: no estimable serving row states a TPOT (only the Tenstorrent n300 rows do, and that hardware has no llama.cpp/vLLM catalog entry)');
    serving = { rows: srows.length, estimable: ss.length, skipped, parts, tpotRows: tp.length, heldOut: sh.map((h) => ({ id: h.sample.id, chip: h.sample.chip, measured: h.sample.measured, estimate: Math.round(h.estimate * 10) / 10 })) };
  }
  out.push(`\nbefore this change (22-target catalog, fixed efficiencies): estimable ${BEFORE.estimable}/${BEFORE.rows}; pp median ${BEFORE.pp.medianPct} % (p90 ${BEFORE.pp.p90Pct} %, ${BEFORE.pp.inBandPct} % in ±30 %) on ${BEFORE.pp.n} rows; tg median ${BEFORE.tg.medianPct} % (p90 ${BEFORE.tg.p90Pct} %, ${BEFORE.tg.inBandPct} % in band) on ${BEFORE.tg.n} rows`);
  out.push(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
  process.stdout.write(out.join('\n') + '\n');

  const outDir = path.join(ROOT, 'bench-results');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'fidelity.json'), JSON.stringify({
    date: new Date().toISOString(), method: 'leave-one-hardware-out', rows: rows.length, hardwareKnown: hwKnown, modelKnown, estimable, chips: chips.length, before: BEFORE,
    byKind: [...byKind, all].map(({ cells: _c, ...x }) => x), byBackend: byBackend.map(({ cells: _c, ...x }) => x), byFamily: byFamily.map(({ cells: _c, ...x }) => x),
    serving, productPathMaxRelDiff: maxPathDiff,
    rowsDetail: results.map((r) => ({ ...r, roofline: round(r.roofline), calibrated: round(r.calibrated), today: round(r.today), band: round(r.band, 3), rooflineBand: r.rooflineBand })),
  }, null, 1) + '\n');
  process.stdout.write('saved bench-results/fidelity.json\n');
}

const round = (x: number | undefined, d = 2) => (x === undefined ? undefined : Math.round(x * 10 ** d) / 10 ** d);

if (require.main === module) {
  benchFidelity().catch((e) => {
    process.stderr.write(`bench:fidelity: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  });
}
