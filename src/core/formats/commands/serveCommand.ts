// The shared core of the command readers (shell/, compose/, kubernetes/): find the serve command in one command
// line's tokens — `vllm serve …`, `python -m vllm.entrypoints.openai.api_server …`, `llama-server …`,
// `python -m sglang.launch_server …`, behind env assignments and wrappers (`exec`, `nohup`, `taskset -c 0-7`,
// `CUDA_VISIBLE_DEVICES=0`, `uv run`) — and turn it into a Deployment and diagnostics through the same
// vLLM / llama.cpp parsers the YAML formats use, so CodeLens, hovers and estimates work on it unchanged.
import type { ConfigFormat, Deployment } from '../../deployment';
import { DEFAULT_WORKLOAD } from '../../deployment';
import type { KvDiagnostic, QuickFix, Range } from '../../diagnostics';
import { llamaEngineSettings } from '../llamacpp/engine';
import { llamaToolOf, parseArgTokens, type Span } from '../llamacpp/parse';
import { llamaHfModelRef } from '../../models/hub/ids';
import type { ArgToken } from '../llamacpp/tokenize';
import { parseVllmArgv } from '../vllm/argv';
import { vllmSettingsFrom, type VllmOptionEntry } from '../vllm/settings';
import { vllmTable } from '../vllm/tables';
import { parseSglangArgv } from '../sglang/argv';

export type ServeEngine = 'vllm' | 'llama.cpp' | 'sglang';

export interface ServeCommand {
  engine: ServeEngine;
  /** Index of the program token (`vllm`, `python3`, `llama-server`). */
  programIndex: number;
  /** Index of the first argument the engine parses. */
  argsStart: number;
}

const BASENAME = (s: string): string => s.replace(/\\/g, '/').split('/').pop() ?? s;
const PYTHON_RE = /^python[0-9.]*(\.exe)?$/;
const VLLM_MODULES = new Set(['vllm.entrypoints.openai.api_server', 'vllm.entrypoints.api_server']);
const SGLANG_MODULES = new Set(['sglang.launch_server']);

/** The serve command in one command's tokens, or undefined. */
export function findServeCommand(tokens: readonly ArgToken[]): ServeCommand | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const v = tokens[i].value;
    const base = BASENAME(v);
    if (base === 'vllm' && tokens[i + 1]?.value === 'serve') return { engine: 'vllm', programIndex: i, argsStart: i + 2 };
    if (PYTHON_RE.test(base) && tokens[i + 1]?.value === '-m') {
      const mod = tokens[i + 2]?.value ?? '';
      if (VLLM_MODULES.has(mod)) return { engine: 'vllm', programIndex: i, argsStart: i + 3 };
      if (SGLANG_MODULES.has(mod)) return { engine: 'sglang', programIndex: i, argsStart: i + 3 };
    }
    if (llamaToolOf(v) === 'llama-server' && !/ik[-_]llama/i.test(v)) return { engine: 'llama.cpp', programIndex: i, argsStart: i + 1 };
  }
  return undefined;
}

export interface CommandContext {
  format: ConfigFormat;
  /** Span (offset into the tokenized text, or into list item `index`) → document range. */
  rangeOf(span: Span): Range;
  vllmVersion?: string;
  /** The llama.cpp build llama-server commands are for: bundled (default), upstream or a build number. */
  llamaCppBuild?: string;
  /** Name for the deployment when the command names no model (a compose service, a container). */
  name?: string;
}

export interface CommandAnalysis {
  deployment?: Deployment;
  diagnostics: KvDiagnostic[];
}

/** Diagnostics and a deployment for the serve command found in `tokens`. */
export function analyzeServeCommand(tokens: readonly ArgToken[], cmd: ServeCommand, ctx: CommandContext): CommandAnalysis {
  const program = tokens[cmd.programIndex];
  const anchor = ctx.rangeOf({ offset: program.offset, length: program.length, index: program.index });
  if (cmd.engine === 'vllm') return vllmCommand(tokens.slice(cmd.argsStart), anchor, ctx);
  if (cmd.engine === 'sglang') return sglangCommand(tokens.slice(cmd.argsStart), anchor, ctx);
  return llamaCommand(tokens.slice(cmd.programIndex), anchor, ctx);
}

/** Arguments for an image's entrypoint (compose `command:` / Kubernetes `args:` of a vllm/vllm-openai image). */
export function analyzeEntrypointArgs(engine: ServeEngine, args: readonly ArgToken[], anchor: Range, ctx: CommandContext): CommandAnalysis {
  if (engine === 'vllm') return vllmCommand(args, anchor, ctx);
  if (engine === 'sglang') return sglangCommand(args, anchor, ctx);
  const fake: ArgToken = { value: 'llama-server', offset: 0, length: 0 };
  return llamaCommand([fake, ...args], anchor, ctx);
}

function vllmCommand(args: readonly ArgToken[], anchor: Range, ctx: CommandContext): CommandAnalysis {
  const table = vllmTable(ctx.vllmVersion);
  const parsed = parseVllmArgv(args, table.version);
  const diagnostics: KvDiagnostic[] = parsed.issues.map((i) => ({ severity: i.severity, code: i.code, message: i.message, range: ctx.rangeOf(i.span) }));
  const entries: VllmOptionEntry[] = parsed.entries.map((e) => ({ name: e.name, value: e.value, range: ctx.rangeOf(e.span) }));
  const s = vllmSettingsFrom(entries);
  return {
    diagnostics,
    deployment: {
      name: s.servedName ?? s.model?.ref ?? ctx.name ?? 'vllm serve',
      format: ctx.format,
      anchor,
      model: s.model,
      engine: s.engine,
      workload: { ...DEFAULT_WORKLOAD },
      targets: [],
      speculative: s.speculative,
      settingRanges: s.ranges,
    },
  };
}

function sglangCommand(args: readonly ArgToken[], anchor: Range, ctx: CommandContext): CommandAnalysis {
  const parsed = parseSglangArgv(args);
  const diagnostics: KvDiagnostic[] = parsed.issues.map((i) => ({ severity: i.severity, code: i.code, message: i.message, range: ctx.rangeOf(i.span) }));
  const entries: VllmOptionEntry[] = parsed.entries.map((e) => ({ name: e.name, value: e.value, range: ctx.rangeOf(e.span) }));
  // SGLang's sizing options share vLLM's meaning where they share a name (tp-size → tensor-parallel-size etc.).
  const s = vllmSettingsFrom(entries);
  return {
    diagnostics,
    deployment: {
      name: s.servedName ?? s.model?.ref ?? ctx.name ?? 'sglang',
      format: ctx.format,
      anchor,
      model: s.model,
      engine: s.engine,
      workload: { ...DEFAULT_WORKLOAD },
      targets: [],
      settingRanges: s.ranges,
    },
  };
}

function llamaCommand(tokens: readonly ArgToken[], anchor: Range, ctx: CommandContext): CommandAnalysis {
  const parse = parseArgTokens([...tokens], { tool: 'llama-server', build: ctx.llamaCppBuild });
  const diagnostics: KvDiagnostic[] = parse.issues.map((issue) => {
    const fixes: QuickFix[] | undefined = issue.fix
      ? [{ title: issue.fix.title, preferred: true, edits: issue.fix.edits.map((e) => ({ range: ctx.rangeOf(e), newText: e.newText })) }]
      : undefined;
    const d: KvDiagnostic = { severity: issue.severity, code: issue.code, message: issue.message, range: ctx.rangeOf(issue.span) };
    if (fixes) d.fixes = fixes;
    return d;
  });
  const settingRanges: Partial<Record<string, Range>> = {};
  for (const [field, span] of Object.entries(parse.spans)) settingRanges[field] = ctx.rangeOf(span);
  const d: Deployment = {
    name: ctx.name ?? parse.modelRef ?? 'llama-server',
    format: ctx.format,
    anchor,
    engine: llamaEngineSettings(parse.settings),
    workload: { ...DEFAULT_WORKLOAD },
    targets: [],
    settingRanges,
  };
  const model = modelOfLlama(parse);
  if (model) d.model = { ref: model.ref, range: ctx.rangeOf(model.span) };
  return { deployment: d, diagnostics };
}

/**
 * `-m path`, else `-hf repo[:quant]` — the Hub id the model resolver sizes. With `--hf-file name.gguf` that file is
 * the model (llama.cpp: "If specified, it will override the quant in --hf-repo"), as an `hf://repo/name.gguf` ref.
 */
export function modelOfLlama(parse: ReturnType<typeof parseArgTokens>): { ref: string; span: Span } | undefined {
  if (parse.modelRef !== undefined && parse.spans.modelRef) return { ref: parse.modelRef, span: parse.spans.modelRef };
  const last = (canonical: string) => [...parse.flags].reverse().find((f) => f.spec.canonical === canonical);
  const hf = last('--hf-repo');
  if (!hf?.value || !hf.valueSpan) return undefined;
  const file = last('--hf-file')?.value;
  return { ref: file?.trim() ? llamaHfModelRef(hf.value, file) : hf.value, span: hf.valueSpan };
}
