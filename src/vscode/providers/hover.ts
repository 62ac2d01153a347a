// Hovers on the settings that drive the estimate (cache types, context, parallelism, model, targets): the formula
// with this file's numbers plugged in and the assumptions behind each figure.
import * as vscode from 'vscode';
import type { AnalysisService, DeploymentEstimate } from '../analysisService';
import * as config from '../config';
import { toRange } from '../convert';
import { loadCore } from '../core';
import { explainSetting, flagDoc } from '../explain';

const FLAG_WORD = /--?[A-Za-z][A-Za-z0-9_-]*/;

export type HoverSubject =
  | { kind: 'setting'; key: string; range: vscode.Range }
  | { kind: 'model'; range: vscode.Range }
  | { kind: 'target'; index: number; range: vscode.Range };

/** What is under the cursor: settings, the model, or a target of one deployment, narrowest range first. */
export function subjectsAt(est: DeploymentEstimate, pos: vscode.Position): HoverSubject[] {
  const hits: HoverSubject[] = [];
  const d = est.deployment;
  for (const [key, r] of Object.entries(d.settingRanges)) {
    if (!r) continue;
    const range = toRange(r);
    if (range.contains(pos)) hits.push({ kind: 'setting', key, range });
  }
  if (d.model && toRange(d.model.range).contains(pos)) hits.push({ kind: 'model', range: toRange(d.model.range) });
  d.targets.forEach((t, index) => {
    if (t.range && toRange(t.range).contains(pos)) hits.push({ kind: 'target', index, range: toRange(t.range) });
  });
  const size = (r: vscode.Range): number => (r.end.line - r.start.line) * 1e6 + (r.end.character - r.start.character);
  hits.sort((a, b) => size(a.range) - size(b.range));
  return hits;
}

export class EstimateHoverProvider implements vscode.HoverProvider {
  constructor(private readonly analyses: AnalysisService) {}

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    if (!config.hoverEnabled(doc.uri)) return undefined;
    const analysis = this.analyses.current(doc) ?? (await this.analyses.analyze(doc));
    if (!analysis || token.isCancellationRequested) return undefined;
    // A llama.cpp flag under the cursor (profile args, llama-swap cmd): its documentation, and the estimate
    // behind the setting it controls.
    let flagRange = analysis.format !== 'vllm' ? doc.getWordRangeAtPosition(pos, FLAG_WORD) : undefined;
    // A flag starts a word: `llama-server` and `max-model-len` contain dashes but are not flags.
    if (flagRange && flagRange.start.character > 0 && !/[\s"'[,]/.test(doc.lineAt(flagRange.start.line).text[flagRange.start.character - 1])) flagRange = undefined;
    // Documented from the table the file is checked against: a llama.cpp profile's engine.version, else kvlens.llamaCpp.build.
    const setting = flagRange ? loadCore().formatOptionsFromSettings((k) => vscode.workspace.getConfiguration('kvlens', doc.uri).get(k)).llamaCppBuild : undefined;
    const build = flagRange ? loadCore().llamaBuildForText(doc.getText(), doc.fileName, analysis.format, setting) : undefined;
    const flag = flagRange ? loadCore().lookupFlag('llama-server', doc.getText(flagRange), loadCore().resolveLlamaBuild(build)) : undefined;
    for (const [i, est] of analysis.estimates.entries()) {
      const verdict = analysis.verdicts[i];
      if (flag && flagRange && est.deployment.engine.kind === 'llama.cpp' && isInside(est, flagRange)) {
        const docs = flagDoc(flag.spec, flag.negative);
        const key = flag.spec.sets;
        const explained = key ? explainSetting(est, { kind: 'setting', key, range: flagRange }, config.primaryTarget(), verdict) : undefined;
        return markdownHover([docs, explained].filter(Boolean).join('\n\n---\n\n'), flagRange);
      }
      for (const subject of subjectsAt(est, pos)) {
        const text = explainSetting(est, subject, config.primaryTarget(), verdict);
        if (text) return markdownHover(text, subject.range);
      }
    }
    return undefined;
  }
}

function markdownHover(text: string, range: vscode.Range): vscode.Hover {
  const md = new vscode.MarkdownString(text);
  md.supportHtml = false;
  md.isTrusted = false;
  return new vscode.Hover(md, range);
}

/** Whether a range lies within a deployment's text (its settings, or the block its anchor starts for llama-swap). */
function isInside(est: DeploymentEstimate, r: vscode.Range): boolean {
  const ranges = Object.values(est.deployment.settingRanges).filter((x): x is NonNullable<typeof x> => !!x).map(toRange);
  if (ranges.length === 0) return true;
  return ranges.some((x) => x.start.line <= r.start.line && x.end.line >= r.end.line);
}
