// Benchmark: validation time (analyzeText: detect, parse, schema, llama.cpp flags, llama-swap, rules) for each
// file in examples/ and for a generated 5,000-line llama-swap config (1,000 models, the largest realistic
// config). Median, p95, min and max over RUNS runs after a warm-up; target ≤ 50 ms median for the 5,000-line file.
// Prints a table and writes bench-results/validation.json. Model files are not read (no resolver): this is
// the per-keystroke cost of the checks themselves.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeText } from '../src/core/formats/analyze';
import { detectByContent, detectFormat } from '../src/core/formats/detect';

const RUNS = 40;
const WARMUP = 5;
export const TARGET_LARGE_MS = 50;

export interface BenchRow {
  name: string;
  lines: number;
  bytes: number;
  diagnostics: number;
  deployments: number;
  runs: number;
  medianMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
  /** CPU time (user + system) of the process per run: less sensitive than wall time to a loaded machine. */
  cpuMedianMs: number;
  targetMs?: number;
  ok?: boolean;
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return 0;
  const i = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

/** A llama-swap config of `lines` lines: models with multi-line cmds, ttls, aliases, like a large homelab setup. */
export function generateLlamaSwap(lines: number): string {
  const out = ['# generated for bench/validation.ts', 'healthCheckTimeout: 120', 'macros:', '  server: llama-server --port ${PORT} -ngl 99 -fa on', 'models:'];
  const caches = ['f16', 'q8_0', 'q4_0', 'q5_1'];
  for (let i = 0; out.length < lines; i++) {
    const c = caches[i % caches.length];
    out.push(
      `  model-${i}:`,
      `    cmd: >-`,
      `      \${server} -m ./models/model-${i}.Q4_K_M.gguf -c ${4096 * (1 + (i % 8))} -np ${1 + (i % 4)} -ctk ${c} -ctv ${c}`,
      `    ttl: ${60 * (1 + (i % 10))}`,
      `    aliases: [m${i}, alias-${i}]`,
    );
  }
  return out.slice(0, lines).join('\n') + '\n';
}

type Analyze = typeof analyzeText;

async function time(name: string, text: string, fileName: string, runs: number, targetMs?: number, analyze: Analyze = analyzeText): Promise<BenchRow> {
  const samples: number[] = [];
  const cpu: number[] = [];
  let last = await analyze(text, fileName);
  for (let i = 0; i < WARMUP + runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    last = await analyze(text, fileName);
    const dt = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (i >= WARMUP) {
      samples.push(dt);
      cpu.push((c.user + c.system) / 1000);
    }
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  return {
    name,
    lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0),
    bytes: Buffer.byteLength(text),
    diagnostics: last.diagnostics.length,
    deployments: last.deployments.length,
    runs,
    medianMs: median,
    p95Ms: quantile(sorted, 0.95),
    minMs: sorted[0] ?? 0,
    maxMs: sorted[sorted.length - 1] ?? 0,
    cpuMedianMs: quantile([...cpu].sort((a, b) => a - b), 0.5),
    targetMs,
    ok: targetMs === undefined ? undefined : median <= targetMs,
  };
}

/** A 5,000-line YAML that is none of our formats (a Kubernetes ConfigMap with many keys). */
export function generateUnrelatedYaml(lines: number): string {
  const out = ['# generated for bench/validation.ts', 'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: app-settings', 'data:'];
  for (let i = 0; out.length < lines; i++) out.push(`  setting_${i}: "value ${i}, some text that a config would hold"`);
  return out.join('\n') + '\n';
}

export interface DetectionRow {
  name: string;
  lines: number;
  runs: number;
  medianMs: number;
  p95Ms: number;
  targetMs: number;
  ok: boolean;
}

/** Content detection on a file that is not ours: the cost every opened YAML file pays. */
export function benchDetection(runs = 400): DetectionRow {
  const text = generateUnrelatedYaml(5000);
  for (let i = 0; i < 20; i++) detectFormat('values.yaml', text);
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    detectFormat('values.yaml', text);
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  const median = quantile(t, 0.5);
  return { name: 'detect by content, 5,000-line unrelated YAML', lines: 5000, runs, medianMs: median, p95Ms: quantile(t, 0.95), targetMs: 1, ok: median <= 1 };
}

export interface FalsePositives {
  files: number;
  claimed: { file: string; format: string }[];
  rate: number;
}

/**
 * How often content detection claims a YAML/JSON file that is none of our formats: every .yml/.yaml/.json under
 * node_modules (bounded) and the repository's own files outside examples/ and the format fixtures.
 */
export function measureFalsePositives(root: string, limit = 4000): FalsePositives {
  const files: string[] = [];
  const skip = new Set(['.git', 'out', 'dist', 'bench-results', 'examples']);
  const walk = (dir: string, depth: number): void => {
    if (files.length >= limit || depth > 12) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (files.length >= limit) return;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!skip.has(e.name) && e.name !== 'fixtures') walk(p, depth + 1);
      } else if (e.isFile() && /\.(ya?ml|json)$/i.test(e.name)) files.push(p);
    }
  };
  walk(path.join(root, 'node_modules'), 0);
  walk(root, 0);
  const claimed: { file: string; format: string }[] = [];
  let checked = 0;
  for (const f of [...new Set(files)]) {
    let text: string;
    try {
      if (fs.statSync(f).size > 512 * 1024) continue;
      text = fs.readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    checked++;
    // By content only: the name rules (*vllm*.yaml, *llama-swap*.yaml, *.kvlens.*) are the user's own doing.
    const format = detectByContent(f, text);
    if (format) claimed.push({ file: path.relative(root, f), format });
  }
  return { files: checked, claimed, rate: checked ? claimed.length / checked : 0 };
}

export async function benchValidation(opts: { root?: string; runs?: number; write?: boolean; log?: (s: string) => void } = {}): Promise<BenchRow[]> {
  const root = opts.root ?? path.resolve(__dirname, '..', '..');
  const runs = Math.max(30, opts.runs ?? RUNS);
  const log = opts.log ?? ((s: string) => process.stdout.write(s));
  const dir = path.join(root, 'examples');
  const rows: BenchRow[] = [];
  for (const f of fs.readdirSync(dir).filter((x) => /\.(ya?ml|json)$/i.test(x)).sort()) {
    const file = path.join(dir, f);
    rows.push(await time(f, fs.readFileSync(file, 'utf8'), file, runs));
  }
  const big = generateLlamaSwap(5000);
  // The target is for the code that ships: the esbuild bundle (dist/cli.js holds the same core as the extension's
  // bundle, with yaml's browser build: no per-token environment read). The tsc build beside it for comparison.
  const bundle = path.join(root, 'dist', 'cli.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a built file chosen at run time, not a module of this tree
  const shipped = fs.existsSync(bundle) ? (require(bundle) as { analyzeText?: Analyze }).analyzeText : undefined;
  if (shipped) rows.push(await time('generated llama-swap (5,000 lines), shipped bundle', big, path.join(dir, 'generated-llama-swap.yaml'), runs, TARGET_LARGE_MS, shipped));
  rows.push(await time('generated llama-swap (5,000 lines), tsc build', big, path.join(dir, 'generated-llama-swap.yaml'), runs, shipped ? undefined : TARGET_LARGE_MS));
  // The same file under llama-swap's default name: the format is found by content, which parses the YAML.
  rows.push(await time('same, as config.yaml (format by content)', big, path.join(dir, 'config.yaml'), runs));

  const header = ['file', 'lines', 'deployments', 'diagnostics', 'runs', 'median ms', 'p95 ms', 'min ms', 'max ms', 'cpu median ms', 'target (median)'];
  const cells = rows.map((r) => [
    r.name, String(r.lines), String(r.deployments), String(r.diagnostics), String(r.runs), r.medianMs.toFixed(2), r.p95Ms.toFixed(2),
    r.minMs.toFixed(2), r.maxMs.toFixed(2), r.cpuMedianMs.toFixed(2), r.targetMs === undefined ? '' : `≤ ${r.targetMs} ms: ${r.ok ? 'yes' : 'NO'}`,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((l) => l[c].length)));
  const os = await import('node:os');
  log(`\nValidation time per file (analyzeText: parse, schema, flags, rules; no model files read)\n`);
  log(`machine: ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)} (wall times grow with load; CPU time less so)\n`);
  log(header.map((h, c) => h.padEnd(widths[c])).join('  ') + '\n');
  for (const l of cells) log(l.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  ') + '\n');
  const detection = benchDetection();
  log(`\nContent detection (a bounded sniff, no YAML parse)\n`);
  log(`${detection.name}: median ${detection.medianMs.toFixed(3)} ms, p95 ${detection.p95Ms.toFixed(3)} ms over ${detection.runs} runs (target ≤ ${detection.targetMs} ms: ${detection.ok ? 'yes' : 'NO'})\n`);
  const fp = measureFalsePositives(root);
  log(`False positives: ${fp.claimed.length} of ${fp.files} unrelated YAML/JSON files (node_modules and this repository) claimed = ${(fp.rate * 100).toFixed(2)} %\n`);
  for (const c of fp.claimed.slice(0, 20)) log(`  claimed as ${c.format}: ${c.file}\n`);
  if (opts.write !== false) {
    const outDir = path.join(root, 'bench-results');
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(
      path.join(outDir, 'validation.json'),
      JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: os.cpus().length, loadAverage: os.loadavg()[0], targetLargeMs: TARGET_LARGE_MS, rows, detection, falsePositives: fp }, null, 2) + '\n',
    );
    log('saved bench-results/validation.json\n');
  }
  return rows;
}

if (require.main === module) {
  benchValidation().then(
    (rows) => { process.exitCode = rows.every((r) => r.ok !== false) ? 0 : 1; },
    (e) => { process.stderr.write(`bench validation: ${e instanceof Error ? e.stack : String(e)}\n`); process.exitCode = 2; },
  );
}
