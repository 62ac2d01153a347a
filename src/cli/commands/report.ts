// `kvlens report [--out report.html] [--results runs.jsonl] <profile|results.jsonl>`: one self-contained HTML file
// with the dashboard's views (the panel's own front-end bundle inlined), for design docs and CI artifacts.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CliIO } from '../io';
import { EXIT_OK, UsageError } from '../io';
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

async function readRuns(file: string, io: CliIO, loadTests?: LoadTestRecord[]): Promise<ResultRecord[]> {
  if (!fs.existsSync(file)) throw new UsageError(`cannot read '${file}': no such file`);
  const read = await new ResultsStore(file).readAll();
  for (const c of read.corrupt) io.err(`kvlens report: ${file}:${c.line}: skipped an unreadable record (${c.error})\n`);
  loadTests?.push(...(read.loadTests ?? []));
  return read.records;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const o = parseArgs(args);
  if (o === 'help') {
    io.out(HELP);
    return EXIT_OK;
  }
  const input = path.resolve(io.cwd, o.input!);
  if (!fs.existsSync(input)) throw new UsageError(`cannot read '${o.input}': no such file`);
  const notes: string[] = [];
  let deployments: DeploymentInput[] = [];
  let runs: ResultRecord[] = [];
  const loadTests: LoadTestRecord[] = [];
  const isResults = /\.jsonl$/i.test(input);
  if (isResults) {
    runs = await readRuns(input, io, loadTests);
    // The runs remember the profile they were measured for; its estimates make the comparison.
    const profiles = [...new Set([...runs, ...loadTests].map((r) => r.profile).filter((p): p is string => !!p && fs.existsSync(p)))];
    for (const p of profiles.slice(0, 4)) {
      try {
        const est = await estimateProfile(p);
        deployments.push(...est.deployments);
        notes.push(...est.notes);
      } catch (e) {
        notes.push(`No estimate for ${p}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (!profiles.length) notes.push('No profile recorded with these runs: showing the measurements with the estimates saved beside them.');
  } else {
    const est = await estimateProfile(input);
    deployments = est.deployments;
    notes.push(...est.notes);
  }
  for (const r of o.results) runs.push(...await readRuns(path.resolve(io.cwd, r), io, loadTests));

  const vm = buildViewModel({
    title: `KV Lens — ${path.basename(input)}`,
    source: o.input!,
    generatedAt: new Date().toISOString(),
    deployments,
    runs,
    notes,
    loadTests,
    profilePath: isResults ? undefined : input,
  });
  const bundle = fs.readFileSync(findWebviewBundle(), 'utf8');
  const html = renderReportHtml(vm, bundle, randomBytes(18).toString('base64'));
  const out = path.resolve(io.cwd, o.out ?? 'kvlens-report.html');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, html);
  fs.renameSync(tmp, out);
  const targets = vm.deployments.reduce((n, d) => n + d.targets.length, 0);
  io.out(`wrote ${path.relative(io.cwd, out) || out} (${(html.length / 1024).toFixed(0)} KiB): ${vm.deployments.length} deployment(s), ${targets} target(s), ${vm.runs.rows.length} measured run(s)\n`);
  for (const d of vm.deployments) if (d.error) io.err(`kvlens report: ${d.name}: ${d.error}\n`);
  return EXIT_OK;
}
