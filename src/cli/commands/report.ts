// `kvlens report [--out report.html] [--results runs.jsonl] <profile|results.jsonl>`: one self-contained HTML file
// with the dashboard's views (the panel's own front-end bundle inlined), for design docs and CI artifacts.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CliIO } from '../io';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from '../io';
import { InputError, namedOnPurpose, openOutput, type OutputSink, statInput } from '../../core/io';
import type { LoadTestRecord } from '../../core/loadtest/record';
import type { ResultRecord } from '../../core/engine/protocol';
import { ResultsStore } from '../../core/results/store';
import { buildViewModel, type DeploymentInput } from '../../core/report/viewModel';
import { renderReportHtml } from '../../core/report/html';
import { estimateProfile } from '../../core/report/fromFiles';

export const HELP = `Usage: kvlens report [--out report.html] [--results runs.jsonl] <profile | results.jsonl>

Writes one self-contained HTML file (no network, scripts only by nonce) with the dashboard's views: memory per
target, speed with its ± band and theoretical peak, KV-cache type comparison, charts, and measured runs beside
their estimates.

  <profile>            a KV Lens profile, vLLM config or llama-swap config: its estimates
  <results.jsonl>      a results store (kvlens bench --out): the measured runs, with the estimates of the
                       profile they were run from when that file still exists
  --results FILE       add the measured runs of FILE to a profile's report
  --out FILE           where to write (default: kvlens-report.html in the current folder)
  -h, --help           this text

Exit status: 0 written and nothing wrong; 1 written, with findings (errors in the profile, a model that cannot
be resolved, a target that does not fit, a recorded profile that cannot be read); 2 usage or I/O (an input
missing or not a regular file, an output that cannot be written — a FIFO nobody reads, a folder, a device
other than a pipe or character device: nothing is ever replaced); 3 internal error.

The report follows the reader's light/dark and high-contrast preference (prefers-color-scheme, prefers-contrast,
forced colours); open it as report.html?theme=light|dark|hc-dark|hc-light to pick one.
`;

interface Opts { input?: string; out?: string; results: string[] }

function parseArgs(args: string[]): Opts | 'help' {
  const o: Opts = { results: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '-h' || a === '--help') return 'help';
    else if (a === '--out' || a === '-o') o.out = value();
    else if (a.startsWith('--out=')) o.out = a.slice(6);
    else if (a === '--results') o.results.push(value());
    else if (a.startsWith('--results=')) o.results.push(a.slice(10));
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}\n\n${HELP}`);
    else if (o.input) throw new UsageError('give one profile or results file');
    else o.input = a;
  }
  if (!o.input) throw new UsageError(`no input file\n\n${HELP}`);
  return o;
}

/** dist/webview/main.js, found from wherever this module runs (dist/cli.js or out/src/cli/commands/report.js). */
export function findWebviewBundle(start = __dirname): string {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    for (const p of [path.join(dir, 'webview', 'main.js'), path.join(dir, 'dist', 'webview', 'main.js')]) {
      if (fs.existsSync(p) && /dist[\\/]webview[\\/]main\.js$/.test(p)) return p;
    }
    dir = path.dirname(dir);
  }
  throw new Error('the dashboard bundle dist/webview/main.js is missing; run `npm run build`');
}

/** Runs and load-test steps left out while reading (older than the newest MAX_REPORT_RUNS of a store). */
interface Skipped { runs: number; steps: number }

async function readRuns(file: string, display: string, io: CliIO, loadTests: LoadTestRecord[], skipped: Skipped): Promise<ResultRecord[]> {
  if (!statInput(file)) throw new UsageError(`cannot read '${display}': no such file`);
  // Only the newest MAX_REPORT_RUNS of each kind are held while reading: a store of 150,000 lines stays small.
  const { records, corrupt, corruptTotal, loadTests: steps, total } = await new ResultsStore(file).readAll({ keepLast: MAX_REPORT_RUNS });
  for (const c of corrupt.slice(0, 20)) io.err(`kvlens report: ${display}:${c.line}: skipped an unreadable record (${c.error})\n`);
  const unreadable = corruptTotal ?? corrupt.length;
  if (unreadable > 20) io.err(`kvlens report: ${display}: ${unreadable - 20} more unreadable records skipped\n`);
  if (total && total.records > records.length) skipped.runs += total.records - records.length;
  if (total && steps && total.loadTests > steps.length) skipped.steps += total.loadTests - steps.length;
  // A loop, not push(...steps): a store of 150,000 load-test lines would overflow the call stack.
  if (steps) for (const s of steps) loadTests.push(s);
  return records;
}

/** More runs than this make an HTML table nobody reads (and a report of hundreds of MiB): the newest are kept. */
export const MAX_REPORT_RUNS = 5000;
/** Profiles named by the runs that the report estimates (each is a file read; the records name them). */
const MAX_RUN_PROFILES = 4;

export async function run(args: string[], io: CliIO): Promise<number> {
  const o = parseArgs(args);
  if (o === 'help') {
    io.out(HELP);
    return EXIT_OK;
  }
  const input = path.resolve(io.cwd, o.input!);
  if (!statInput(input)) throw new UsageError(`cannot read '${o.input}': no such file`);
  // The output is opened first: a destination that cannot take it (a folder, a FIFO nobody reads, /proc/x/y) is an
  // error before any work, and the temp file it writes to is removed on every exit path.
  const outDisplay = o.out ?? 'kvlens-report.html';
  const sink = await openOutput(path.resolve(io.cwd, outDisplay), { display: outDisplay });
  try {
    return await build(o, input, sink, io);
  } finally {
    await sink.abort();
  }
}

async function build(o: Opts, input: string, sink: OutputSink, io: CliIO): Promise<number> {
  const notes: string[] = [];
  let findings = false;
  let deployments: DeploymentInput[] = [];
  let runs: ResultRecord[] = [];
  const loadTests: LoadTestRecord[] = [];
  const skipped: Skipped = { runs: 0, steps: 0 };
  const isResults = /\.jsonl$/i.test(input);
  if (isResults) {
    runs = await readRuns(input, o.input!, io, loadTests, skipped);
    // The runs (and load-test steps) remember the profile they were measured for; its estimates make the
    // comparison. Those paths come from a file, not from the user: regular files only, read bounded (a record
    // naming /dev/zero or a FIFO is a note, not a hang).
    const named = new Set<string>();
    for (const r of runs) if (r.profile) named.add(r.profile);
    for (const r of loadTests) if (typeof r.profile === 'string' && r.profile) named.add(r.profile);
    const profiles = [...named].slice(0, MAX_RUN_PROFILES);
    for (const p of profiles) {
      try {
        const est = await estimateProfile(p);
        deployments.push(...est.deployments);
        notes.push(...est.notes);
      } catch (e) {
        if (e instanceof InputError && e.problem === 'missing') continue;
        findings = true;
        notes.push(`No estimate for ${p}: ${e instanceof Error ? e.message : String(e)}`);
        io.err(`kvlens report: no estimate for ${p}: ${e instanceof Error ? e.message : String(e)}\n`);
      }
    }
    if (named.size > MAX_RUN_PROFILES) notes.push(`The runs name ${named.size} profiles; estimates are shown for the first ${MAX_RUN_PROFILES}.`);
    if (!deployments.length && !notes.length) notes.push('No profile recorded with these runs: showing the measurements with the estimates saved beside them.');
  } else {
    const est = await estimateProfile(input, undefined, { allowSpecial: namedOnPurpose(o.input!) });
    deployments = est.deployments;
    notes.push(...est.notes);
    if (est.notes.some((n) => /error\(s\) in the file/.test(n))) findings = true;
  }
  for (const r of o.results) for (const rec of await readRuns(path.resolve(io.cwd, r), r, io, loadTests, skipped)) runs.push(rec);
  if (runs.length > MAX_REPORT_RUNS || skipped.runs) {
    notes.push(`Showing the newest ${MAX_REPORT_RUNS.toLocaleString('en-US')} of ${(runs.length + skipped.runs).toLocaleString('en-US')} measured runs.`);
    runs = runs.slice(Math.max(0, runs.length - MAX_REPORT_RUNS));
  }
  let steps = loadTests;
  if (steps.length > MAX_REPORT_RUNS || skipped.steps) {
    notes.push(`Showing the newest ${MAX_REPORT_RUNS.toLocaleString('en-US')} of ${(steps.length + skipped.steps).toLocaleString('en-US')} load-test steps.`);
    steps = steps.slice(Math.max(0, steps.length - MAX_REPORT_RUNS));
  }

  const vm = buildViewModel({
    title: `KV Lens — ${path.basename(input)}`,
    source: o.input!,
    generatedAt: new Date().toISOString(),
    deployments,
    runs,
    notes,
    loadTests: steps,
    profilePath: isResults ? undefined : input,
  });
  const bundle = fs.readFileSync(findWebviewBundle(), 'utf8');
  const html = renderReportHtml(vm, bundle, randomBytes(18).toString('base64'));
  await sink.write(html);
  await sink.commit();
  const written = { path: sink.path, bytes: Buffer.byteLength(html) };
  const targets = vm.deployments.reduce((n, d) => n + d.targets.length, 0);
  io.out(`wrote ${path.relative(io.cwd, written.path) || written.path} (${(written.bytes / 1024).toFixed(0)} KiB): ${vm.deployments.length} deployment(s), ${targets} target(s), ${vm.runs.rows.length} measured run(s)\n`);
  for (const d of vm.deployments) if (d.error) { findings = true; io.err(`kvlens report: ${d.name}: ${d.error}\n`); }
  if (vm.deployments.some((d) => d.targets.some((t) => t.verdict === 'does-not-fit'))) findings = true;
  return findings ? EXIT_FINDINGS : EXIT_OK;
}
