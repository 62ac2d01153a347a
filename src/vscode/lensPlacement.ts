// Where each CodeLens goes and what it says, as a pure function of the analysis and the text (no 'vscode'):
// - actions (Run benchmark, Open dashboard) on the deployment's header line;
// - the engine lens on `args:` / `options:` (profiles), the `cmd:` line (llama-swap) or the first sizing option
//   (vLLM configs): what the engine allocates, the same on every target;
// - one lens per target on that target's line in `targets:`, or on the model line when the targets come from
//   the settings; several on one line say less each, so all of them fit;
// - without an estimate, one lens saying why (or "resolving …") on the model line.
// Every title is at most MAX_LENS_COLUMNS wide; the details are in the tooltip, hover and panel.
import type { Deployment } from '../core/deployment';
import type { Range } from '../core/diagnostics';
import type { EstimateReport } from '../core/estimator/report';
import { clip, lensText, MAX_LENS_COLUMNS, type DeploymentVerdict } from '../core/verdict';
import { compactLensText, engineLensText, lensTooltip } from './text';

export interface LensInput {
  format?: string;
  estimates: ReadonlyArray<{
    deployment: Deployment; report?: EstimateReport; problem?: string; problemDetail?: string; pending?: boolean; targetRanges?: ReadonlyArray<Range | undefined>;
    targetErrors?: ReadonlyArray<{ ref: string; message: string; range?: Range; suggestions: readonly string[] }>;
  }>;
  verdicts: readonly DeploymentVerdict[];
}

export interface LensSpec {
  line: number;
  kind: 'actions' | 'engine' | 'target' | 'problem';
  title: string;
  tooltip?: string;
  command: string;
  /** For target lenses: deployment index and target id (the showEstimate command's arguments). */
  deployment: number;
  targetId?: string;
}

const lineOf = (r: Range | undefined): number | undefined => (r ? r.start.line : undefined);

function engineLine(d: Deployment, index: number, input: LensInput, lines: readonly string[]): number {
  const header = d.anchor.start.line;
  if (d.format === 'kvlens-profile' && d.engineRange) {
    for (let l = d.engineRange.start.line; l <= Math.min(d.engineRange.end.line, lines.length - 1); l++) {
      if (/^\s*(args|options)\s*:/.test(lines[l] ?? '')) return l;
    }
    return d.engineRange.start.line;
  }
  if (d.format === 'llama-swap') {
    const next = input.estimates.slice(index + 1).map((e) => e.deployment.anchor.start.line).filter((l) => l > header);
    const to = Math.min(lines.length, next.length ? Math.min(...next) : lines.length);
    for (let l = header + 1; l < to; l++) if (/^\s*cmd\s*:/.test(lines[l] ?? '')) return l;
    return header;
  }
  const sizing = ['contextSize', 'kvCacheDtype', 'tensorParallel', 'parallel', 'gpuMemoryUtilization']
    .map((k) => lineOf(d.settingRanges[k])).filter((l): l is number => l !== undefined);
  return sizing.length ? Math.min(...sizing) : header;
}

export function placeLenses(input: LensInput, text: string, opts: { trusted: boolean }): LensSpec[] {
  const lines = text.split(/\r\n|\r|\n/);
  const out: LensSpec[] = [];
  input.estimates.forEach((est, i) => {
    const d = est.deployment;
    const v = input.verdicts[i];
    const header = d.anchor.start.line;
    const modelLine = lineOf(d.model?.range) ?? header;
    if (input.format === 'kvlens-profile' && opts.trusted) {
      out.push({ line: header, kind: 'actions', title: '▶ Run benchmark', tooltip: 'Measure this profile on the bundled llama.cpp engine', command: 'kvlens.runBenchmark', deployment: i });
    }
    if (est.report) {
      out.push({ line: header, kind: 'actions', title: 'Open dashboard', tooltip: 'Targets, KV-cache types, charts and measured runs', command: 'kvlens.openDashboard', deployment: i });
      out.push({ line: engineLine(d, i, input, lines), kind: 'engine', title: engineLensText(est.report, d, /\bsglang\b/i.test(lines[d.anchor.start.line] ?? '') ? 'sglang' : undefined), tooltip: 'What the engine allocates: the same on every target. Hover a setting for its formula.', command: 'kvlens.showEstimate', deployment: i });
    }
    if (!est.report || !v) {
      const problem = est.problem ?? v?.problem ?? 'no estimate';
      out.push({ line: modelLine, kind: 'problem', title: clip(`KV Lens: ${problem}`, MAX_LENS_COLUMNS), tooltip: est.problemDetail && est.problemDetail !== problem ? `${problem}\n${est.problemDetail}` : problem, command: '', deployment: i });
      return;
    }
    // An unknown target says so on its own line; the others are estimated as usual.
    for (const e of est.targetErrors ?? []) {
      if (!e.range) continue;
      const title = e.suggestions.length ? `✗ ${e.ref}: unknown target — ${e.suggestions[0]}?` : `✗ ${e.ref}: unknown target`;
      out.push({ line: e.range.start.line, kind: 'problem', title: clip(title, MAX_LENS_COLUMNS), tooltip: e.message, command: '', deployment: i });
    }
    const targetLines = v.targets.map((_, j) => (v.targetsFromSettings ? modelLine : lineOf(est.targetRanges?.[j]) ?? modelLine));
    const perLine = new Map<number, number>();
    for (const l of targetLines) perLine.set(l, (perLine.get(l) ?? 0) + 1);
    v.targets.forEach((t, j) => {
      const line = targetLines[j];
      const report = est.report!;
      out.push({
        line, kind: 'target',
        title: (perLine.get(line) ?? 0) > 1 ? compactLensText(t) : lensText(t),
        tooltip: lensTooltip(report, report.targets[j], t) + (v.targetsFromSettings ? '\n(targets from the kvlens.targets.default setting)' : ''),
        command: 'kvlens.showEstimate', deployment: i, targetId: t.id,
      });
    });
  });
  return out;
}
