// `kvlens estimate [--target ID]... [--format text|json] [--draft MODEL] <file> [llama.cpp flags]` — memory,
// concurrency and speed per target for a profile, a vLLM config, a llama-swap config (one block per model), a GGUF
// or an HF config.json. llama.cpp flags after the file (-c -np -ctk -ctv -fa -ngl ...) override or supply the
// engine settings. Exit (io.ts contract): 0 every target fits; 1 findings (config errors, unresolvable model,
// unknown target, no fit, refused flags); 2 usage or I/O failure.
import * as path from 'node:path';
import { DEFAULT_WORKLOAD, type Deployment, type TargetRef } from '../../core/deployment';
import { type KvDiagnostic, ZERO_RANGE } from '../../core/diagnostics';
import type { ModelDescriptor } from '../../core/models/descriptor';
import { estimate } from '../../core/estimator/estimate';
import type { EstimateReport, TargetEstimate } from '../../core/estimator/report';
import { resolveTargets } from '../../core/hardware/targets';
import { currentLocalDetection, detectLocalTarget } from '../../core/hardware/local';
import { machineCalibrationFromStore } from '../../core/estimator/calibration/machineStore';
import { formatBytes, formatDuration, formatGiB, formatRate, formatTokens } from '../../core/units';
import { createModelResolver } from '../../core/models/resolve';
import { parseModelRef } from '../../core/models/hub/ids';
import { findCatalogModel } from '../../core/models/catalog';

/** A model reference rather than a file: `kvlens estimate Qwen/Qwen3-8B -c 32768 --target rtx-4090`. */
function isModelName(text: string): boolean {
  return parseModelRef(text).kind !== 'other' || findCatalogModel(text) !== undefined;
}
import { parseLlamaArgs } from '../../core/formats/llamacpp/parse';
import { analyzeText } from '../../core/formats/analyze';
import { loadHardwareCatalog } from '../../core/hardware/catalog';
import { describeKind, LIMITS, namedOnPurpose, readInput, statInput } from '../../core/io';
import { MAX_ESTIMATED_DEPLOYMENTS } from '../../core/timeSlice';
import { clip, type CliIO, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError } from '../io';
import { llamaBuildArg, versionOptionsHelp, vllmVersionArg } from '../engineVersions';

export const HELP = `Usage: kvlens estimate [options] <file> [llama.cpp flags]

Memory (weights, KV cache, buffers), concurrency and speed (TTFT, TPOT, tok/s) per GPU/CPU target.
<file> is a KV Lens profile, a vLLM config, a llama-swap config (one estimate per model), a .gguf file or an
HF config.json (or a folder holding one) — or a model by name: a Hugging Face id (Qwen/Qwen3-8B, hf://org/name,
org/repo:Q4_K_M for a GGUF repo), an Ollama name (qwen3:8b) or a catalog id. Hub models are read headers only
(HF_TOKEN for gated ones, HF_ENDPOINT for mirrors, HF_HUB_OFFLINE=1 for caches only). llama.cpp flags after the
file (-c -np -ctk -ctv -fa -ngl -ub -b -kvu) override or supply the engine settings.

Options:
  --target ID          hardware target (repeatable): a catalog id such as h100-sxm, rtx-4090, or local
                       (default: the file's targets, else h100-sxm and local)
  --format text|json   output (default text; json follows the EstimateReport contract)
  --draft MODEL        draft model for speculative decoding (GGUF, config.json or catalog id)
  --deployment NAME    only this deployment of the file (a llama-swap model name; repeatable). A file with
                       more than 100 deployments is estimated for its first 100 unless you pick them
  --results FILE       a results store (kvlens bench --out): this machine's runs in it calibrate the
                       speed estimate for the 'local' target and this machine's catalog hardware
  --list-targets       print the hardware catalog ids and exit
${versionOptionsHelp(23)}  -h, --help           show this help

Memory is per device, in binary units (GiB = 2^30 bytes). Exit: 0 every target fits, 1 findings: errors in the
config, a model that cannot be resolved or read, an unknown target, a target that does not fit, or flags
llama.cpp would refuse (e.g. -ctv q4_0 with -fa off); 2 usage or I/O failure (the file is missing, not a regular
file, or over 4 MiB); 3 internal error.
`;

export interface EstimateArgs {
  targets: string[];
  /** --deployment NAME: only these deployments of the file (llama-swap model names). */
  deployments: string[];
  output: 'text' | 'json';
  draft?: string;
  results?: string;
  file?: string;
  flags: string[];
  help: boolean;
  listTargets: boolean;
  vllmVersion?: string;
  llamaBuild?: string;
}

export function parseEstimateArgs(args: string[]): EstimateArgs {
  const out: EstimateArgs = { targets: [], deployments: [], output: 'text', flags: [], help: false, listTargets: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (out.file !== undefined) {
      // After the file: our own long options still work, everything else is a llama.cpp flag.
      if (isOwnOption(a)) {
        i = takeOption(out, args, i);
      } else {
        out.flags.push(a);
      }
      continue;
    }
    if (a === '-h' || a === '--help') out.help = true;
    else if (a === '--list-targets') out.listTargets = true;
    else if (a === '--json') out.output = 'json';
    else if (isOwnOption(a)) i = takeOption(out, args, i);
    else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option '${a}' before the file (llama.cpp flags go after it)`);
    else out.file = a;
  }
  return out;
}

const OWN_OPTIONS = ['--target', '--format', '--draft', '--deployment', '--results', '--vllm-version', '--llama-build'];
const isOwnOption = (a: string) => OWN_OPTIONS.some((o) => a === o || a.startsWith(`${o}=`));

function takeOption(out: EstimateArgs, args: string[], i: number): number {
  const a = args[i];
  const eq = a.indexOf('=');
  const name = eq > 0 ? a.slice(0, eq) : a;
  let value: string | undefined = eq > 0 ? a.slice(eq + 1) : args[i + 1];
  if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`${name} needs a value`);
  if (eq < 0) i++;
  value = value.trim();
  if (name === '--target') { for (const t of value.split(',').map((s) => s.trim()).filter(Boolean)) out.targets.push(t); }
  else if (name === '--deployment') out.deployments.push(value);
  else if (name === '--format') {
    if (value !== 'text' && value !== 'json') throw new UsageError(`--format must be text or json, not '${value}'`);
    out.output = value;
  } else if (name === '--results') out.results = value;
  else if (name === '--vllm-version') out.vllmVersion = vllmVersionArg(value);
  else if (name === '--llama-build') out.llamaBuild = llamaBuildArg(value);
  else out.draft = value;
  return i;
}

/** Deployments one `kvlens estimate` estimates unless --deployment picks them. */
export const MAX_ESTIMATED = MAX_ESTIMATED_DEPLOYMENTS;

interface ResolverLike {
  resolve(ref: string, baseDir: string): Promise<{ kind: string; descriptor?: ModelDescriptor; error?: string; path?: string }>;
}

function loadResolver(): ResolverLike {
  // The CLI may wait for the Hub (headers only); HF_HUB_OFFLINE=1 keeps it to caches.
  return createModelResolver({ network: 'blocking' });
}

function bareDeployment(name: string, modelRef: string): Deployment {
  return {
    name, format: 'kvlens-profile', anchor: ZERO_RANGE, model: { ref: modelRef, range: ZERO_RANGE },
    engine: { kind: 'llama.cpp', cacheTypeK: 'f16', cacheTypeV: 'f16', flashAttention: 'auto', tensorParallel: 1, pipelineParallel: 1, dataParallel: 1 },
    workload: { ...DEFAULT_WORKLOAD }, targets: [], settingRanges: {},
  };
}

async function applyFlags(d: Deployment, flags: string[], io: CliIO): Promise<Deployment> {
  if (!flags.length) return d;
  const parsed = parseLlamaArgs(flags);
  for (const issue of parsed.issues) {
    const sev = (issue as { severity?: string }).severity ?? 'warning';
    io.err(`kvlens estimate: flag ${sev}: ${(issue as { message?: string }).message ?? String(issue)}\n`);
  }
  const settings = Object.fromEntries(Object.entries(parsed.settings).filter(([, v]) => v !== undefined));
  delete (settings as Record<string, unknown>).kind;
  const next: Deployment = { ...d, engine: { ...d.engine, ...settings } };
  if (parsed.modelRef) next.model = { ref: parsed.modelRef, range: ZERO_RANGE };
  return next;
}

/** Deployments described by `file`: a config's deployments, or one bare llama.cpp deployment for a model file. */
async function deploymentsOf(file: string, io: CliIO, versions: { vllmVersion?: string; llamaCppBuild?: string } = {}): Promise<{ deployments: Deployment[]; baseDir: string; configErrors: number }> {
  const abs = file === '-' ? '-' : path.resolve(io.cwd, file);
  const st = statInput(abs);
  if (!st) {
    // Not a file: a model by name (Hub id, hf://…, org/repo:quant, an Ollama name, a catalog id), no profile needed.
    if (isModelName(file)) return { deployments: [bareDeployment(file, file)], baseDir: io.cwd, configErrors: 0 };
    throw new UsageError(`cannot read '${file}': no such file or folder`);
  }
  const baseDir = st.isDirectory() ? abs : path.dirname(abs === '-' ? path.join(io.cwd, '-') : abs);
  const base = path.basename(abs);
  // A folder, a .gguf or a config.json is a model: the resolver reads it (regular files only) and a model it
  // cannot use is a finding (exit 1), the same for every deployment kind.
  if (st.isDirectory() || /\.gguf$/i.test(base) || /^config\.json$/i.test(base)) {
    return { deployments: [bareDeployment(base, abs)], baseDir, configErrors: 0 };
  }
  const text = (await readInput(abs, { maxBytes: LIMITS.configBytes, what: 'config', display: file, allowSpecial: namedOnPurpose(file) })).toString('utf8');
  const analysis = await analyzeText(text, abs, versions);
  const errors = analysis.diagnostics.filter((x: KvDiagnostic) => x.severity === 'error');
  for (const e of errors) io.err(`${file}:${e.range.start.line + 1}:${e.range.start.character + 1}: error: ${e.message} [${e.code}]\n`);
  if (!analysis.format || !analysis.deployments.length) {
    throw new UsageError(`'${file}' is not a KV Lens profile, vLLM config or llama-swap config (run \`kvlens check ${file}\`)`);
  }
  return { deployments: analysis.deployments, baseDir, configErrors: errors.length };
}

function verdictMark(t: TargetEstimate): string {
  return t.memory.verdict === 'fits' ? 'fits' : t.memory.verdict === 'tight' ? 'tight' : 'NO FIT';
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd()).join('\n');
}

export function renderText(report: EstimateReport, name: string): string {
  const e = report.engine;
  const out: string[] = [];
  out.push(`${name} — ${report.model.name} (${report.model.architecture}, ${report.model.layers} layers, ${formatBytes(report.model.weightsBytes)} weights)`);
  out.push(`engine ${e.kind}: context ${e.contextSize}${e.kvCells ? ` (${e.kvCells} cells/stream)` : ''}, parallel ${e.parallel}, KV ${e.cacheTypeK}/${e.cacheTypeV}, fa ${e.flashAttention}${e.tensorParallel > 1 ? `, TP ${e.tensorParallel}` : ''}, ${e.kvBytesPerToken.toLocaleString('en-US')} B/token`);
  out.push(`workload: prompt ${report.workload.promptTokens}, output ${report.workload.outputTokens}, concurrency ${report.workload.concurrency}`);
  out.push('');
  const rows = [['target', 'fit', 'weights', 'KV', 'total/capacity GiB', 'users@ctx', 'TTFT', 'TPOT', 'tok/s/user', 'tok/s all']];
  const known = report.model.layers > 0;
  const dash = (s: string): string => (known ? s : '—');
  for (const t of report.targets) {
    rows.push([
      `${t.id}${t.devices > 1 ? ` ×${t.devices}` : ''}`, known ? verdictMark(t) : '?', dash(formatBytes(t.memory.weightsBytes)), dash(formatBytes(t.memory.kvBytes)),
      `${formatGiB(t.memory.totalBytes)}/${formatGiB(t.memory.capacityBytes)}`, dash(`${t.concurrency.maxSequences}@${formatTokens(t.concurrency.atContext)}`),
      dash(formatDuration(t.perf.ttftSec)), dash(formatDuration(t.perf.tpotSec)), dash(formatRate(t.perf.decodeTokensPerSec, '')), dash(formatRate(t.perf.aggregateDecodeTokensPerSec, '')),
    ]);
  }
  out.push(table(rows));
  if (!known) out.push('', 'Model unknown: memory shows buffers only; speed needs the model (see warnings).');
  if (known) out.push('', 'Expected figures with a ± band (theoretical peak in brackets):');
  for (const t of known ? report.targets : []) {
    const p = t.perf;
    const spec = p.speculative ? `; speculative ${p.speculative.speedup.toFixed(2)}× (best γ=${p.speculative.bestDraftLength}, ${(p.speculative.bestSpeedup ?? 0).toFixed(2)}×)` : '';
    out.push(`  ${t.id}: ±${Math.round(p.band * 100)} %, TTFT ${formatDuration(p.ttftSec)} [${formatDuration(p.theoretical.ttftSec)}], TPOT ${formatDuration(p.tpotSec)} [${formatDuration(p.theoretical.tpotSec)}], decode ${p.bound}-bound, context switch ${formatDuration(p.contextSwitchSec)}${t.concurrency.maxContextAtParallel ? `, max context/seq ${formatTokens(t.concurrency.maxContextAtParallel)}` : ''}${spec}`);
    for (const err of t.errors ?? []) out.push(`    ! ${err}`);
  }
  const first = report.targets[0];
  if (first?.whatIfs?.length) {
    out.push('', `KV what-ifs on ${first.id}:`);
    const w = [['cache K/V', 'B/token', 'KV', 'users', 'tok/s/user', 'fits', 'note']];
    for (const x of first.whatIfs) {
      w.push([
        `${x.cacheTypeK}/${x.cacheTypeV}${x.windowTokens ? ` window ${x.windowTokens}` : ''}`, x.kvBytesPerToken.toLocaleString('en-US'), formatBytes(x.kvBytes), String(x.maxSequences),
        formatRate(x.decodeTokensPerSec, ''), x.fits ? 'yes' : 'no', x.invalid ?? '',
      ]);
    }
    out.push(table(w));
  }
  if (report.warnings.length) {
    out.push('', 'Warnings:');
    for (const w of report.warnings) out.push(`  - ${w}`);
  }
  out.push('', 'Assumptions:');
  for (const t of report.targets) {
    out.push(`  ${t.id}:`);
    for (const a of t.assumptions) out.push(`    - ${a}`);
  }
  return out.join('\n') + '\n';
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const opts = parseEstimateArgs(args);
  if (opts.help) {
    io.out(HELP);
    return EXIT_OK;
  }
  if (opts.listTargets) {
    for (const t of loadHardwareCatalog().targets) io.out(`${t.id.padEnd(12)} ${t.name}\n`);
    io.out(`${'local'.padEnd(12)} this machine (detected)\n`);
    return EXIT_OK;
  }
  if (!opts.file) {
    io.err(HELP);
    return EXIT_USAGE;
  }
  if (opts.results) {
    // A results store the user names: missing or not a regular file is a usage/IO error (2), not a silent
    // uncalibrated estimate; the store itself is read bounded, line by line (core/results/store.ts).
    const st = statInput(path.resolve(io.cwd, opts.results));
    if (!st) throw new UsageError(`cannot read '${opts.results}': no such file`);
    if (!st.isFile()) throw new UsageError(`--results ${opts.results} is ${describeKind(st)}, not a regular file; it takes a results store (kvlens bench --out)`);
  }
  const all = await deploymentsOf(opts.file, io, { vllmVersion: opts.vllmVersion, llamaCppBuild: opts.llamaBuild });
  const { baseDir, configErrors } = all;
  let deployments = all.deployments;
  if (opts.deployments.length) {
    const want = new Set(opts.deployments);
    deployments = deployments.filter((d) => want.has(d.name));
    const missing = opts.deployments.filter((n) => !all.deployments.some((d) => d.name === n));
    if (missing.length) throw new UsageError(`no deployment named ${missing.map((m) => `'${m}'`).join(', ')} in ${opts.file}`);
  } else if (deployments.length > MAX_ESTIMATED) {
    // Estimates are for people to read: a file with 75,000 models gets the first ones, and says so.
    io.err(`kvlens estimate: ${opts.file} has ${deployments.length.toLocaleString('en-US')} deployments; estimating the first ${MAX_ESTIMATED} (pick others with --deployment NAME)\n`);
    deployments = deployments.slice(0, MAX_ESTIMATED);
  }
  const resolver = loadResolver();
  const reports: Array<EstimateReport & { deployment: string }> = [];
  let anyNoFit = false;
  // Findings (exit 1): config errors, a model that cannot be resolved, an unknown target, no fit, refused flags.
  let findings = configErrors > 0;
  for (const d0 of deployments) {
    const d = await applyFlags(d0, opts.flags, io);
    let model: ModelDescriptor | undefined;
    const modelRef = d.model?.ref ?? d.engine.modelRef;
    if (modelRef) {
      const r = await resolver.resolve(modelRef, baseDir);
      if (r.descriptor) model = r.descriptor;
      else { findings = true; io.err(`kvlens estimate: ${clip(d.name)}: model '${clip(modelRef)}': ${clip(r.error ?? r.kind, 1000)}\n`); }
    } else {
      findings = true;
      io.err(`kvlens estimate: ${d.name}: no local model (-m, a GGUF path or a catalog id) — memory and speed need one\n`);
    }
    let draft: ModelDescriptor | undefined;
    const draftRef = opts.draft ?? d.speculative?.draftRef;
    if (draftRef) {
      const r = await resolver.resolve(draftRef, opts.draft ? io.cwd : baseDir);
      if (r.descriptor) draft = r.descriptor;
      else { findings = true; io.err(`kvlens estimate: draft '${clip(draftRef)}': ${clip(r.error ?? r.kind, 1000)}\n`); }
    }
    const withSpec: Deployment = opts.draft && !d.speculative ? { ...d, speculative: { draftRef: opts.draft, acceptanceRate: 0.8, draftLength: 4 } } : d;
    const refs: TargetRef[] = opts.targets.length ? opts.targets.map((id) => ({ id })) : d.targets.length ? d.targets : [{ id: 'h100-sxm' }, { id: 'local' }];
    if (refs.some((r) => 'id' in r && r.id.toLowerCase() === 'local')) await detectLocalTarget();
    const resolved = resolveTargets(refs);
    for (const e of resolved.errors) { findings = true; io.err(`kvlens estimate: ${e.message}\n`); }
    for (const n of resolved.notices ?? []) io.err(`kvlens estimate: ${n.message}\n`);
    if (!resolved.targets.length) {
      // --target ids that do not exist are a usage error; a config whose targets are all unusable is a finding.
      if (opts.targets.length) throw new UsageError('no known hardware target (see --list-targets)');
      findings = true;
      io.err(`kvlens estimate: ${d.name}: no usable hardware target; nothing estimated\n`);
      continue;
    }
    const machine = opts.results ? await machineCalibrationFromStore(path.resolve(io.cwd, opts.results)) : undefined;
    const here = machine ? currentLocalDetection().target.catalogId : undefined;
    const report = estimate(withSpec, model, resolved.targets, { draft, machineCalibration: machine ? { local: machine, ...(here ? { [here]: machine } : {}) } : undefined });
    if (report.targets.some((t) => !t.memory.fits)) anyNoFit = true;
    reports.push({ deployment: d.name, ...report });
  }
  if (opts.output === 'json') {
    io.out(JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2) + '\n');
  } else {
    io.out(reports.map((r) => renderText(r, r.deployment)).join('\n'));
  }
  // Settings llama.cpp refuses (e.g. a quantized V cache with -fa off) are findings too: the server would not start.
  const refused = opts.flags.length > 0 && parseLlamaArgs(opts.flags).issues.some((i) => i.severity === 'error');
  return anyNoFit || refused || findings ? EXIT_FINDINGS : EXIT_OK;
}

export { EXIT_USAGE };
