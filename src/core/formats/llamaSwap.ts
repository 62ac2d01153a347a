// llama-swap configs: every `models.<id>.cmd` that runs llama-server becomes a Deployment, and its flags are
// validated like any llama.cpp command line. llama-swap macros (`macros:` at the top and per model, `${PORT}`,
// `${MODEL_ID}`) are expanded before parsing, as llama-swap does, while every character keeps its origin: a
// problem in text that came from a macro is reported on the `${name}` reference in the cmd (where the user
// sees it used, and which is inside the model it concerns), with the macro named in the message; no quick fix
// is offered there, since editing the reference would not fix the macro.
// Codes added here (besides parseLlamaArgs's): unknown-macro (error), missing-proxy (warning: llama-server not on
// ${PORT} and no `proxy`), unterminated-quote.
import type { Deployment } from '../deployment';
import { DEFAULT_WORKLOAD } from '../deployment';
import type { KvDiagnostic, QuickFix, Range } from '../diagnostics';
import { llamaEngineSettings } from './llamacpp/engine';
import { type ArgIssue, type LlamaArgsParse, llamaToolOf, parseArgTokens, type Span } from './llamacpp/parse';
import { suggest } from './llamacpp/suggest';
import { type ArgToken, tokenCharOffset, tokenizeArgs } from './llamacpp/tokenize';
import { splitShellCommands } from './shell/script';
import { type DocNode, type ParsedDocument, valueOffsetMapper } from './document';
import { modelOfLlama } from './commands/serveCommand';

export interface LlamaSwapAnalysis {
  deployments: Deployment[];
  diagnostics: KvDiagnostic[];
}

/** llama-swap's default first `${PORT}` value. */
const DEFAULT_START_PORT = 5800;
const MACRO_RE = /\$\{([^}\s]*)\}/g;
/** Docker images of llama.cpp whose entrypoint is llama-server. */
const SERVER_IMAGE_RE = /(^|\/)llama\.cpp:server([-_.\w]*)?(@sha256:[0-9a-f]+)?$/;
const MAX_MACRO_DEPTH = 16;
/** A drive-letter path (`C:\models`) or a `.exe` program: a cmd written for llama-swap on Windows. */
const WINDOWS_CMD_RE = /(^|[\s"'=])[A-Za-z]:\\|\.exe\b/i;
const MAX_EXPANSION = 1 << 20;

/** Content detection: a top-level `models` mapping whose entries are mappings with a `cmd`. */
export function looksLikeLlamaSwap(parsedValue: unknown): boolean {
  if (!isRecord(parsedValue)) return false;
  const models = parsedValue.models;
  if (!isRecord(models)) return false;
  const entries = Object.values(models);
  if (entries.length === 0) return false;
  let withCmd = 0;
  for (const e of entries) {
    if (!isRecord(e)) return false;
    if (typeof e.cmd === 'string') withCmd++;
    else if (!('proxy' in e) && !('cmd' in e)) return false;
  }
  return withCmd > 0;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface MacroDef {
  value: string;
}

/**
 * A cmd with macros expanded, as segments: expanded text [eStart(k), eStart(k+1)) is either the cmd's own text
 * from sStart(k) on (macro(k) = -1) or the expansion of macro macroNames[macro(k)], whose reference is written at
 * [sStart(k), sEnd(k)). The four numbers of segment k are seg[4k … 4k+3], in one array (five small arrays per cmd
 * were a fifth of a 1,000-model file's allocations).
 */
interface Expanded {
  text: string;
  seg: number[];
  macroNames: string[];
  usedPort: boolean;
}
const E_START = 0;
const S_START = 1;
const S_END = 2;
const MACRO = 3;

function readMacros(map: DocNode | undefined, into: Map<string, MacroDef>): void {
  if (map?.type !== 'object') return;
  for (const m of map.members ?? []) {
    if (!m.key) continue;
    // A scalar macro as written (`1.0` stays "1.0"); null, lists and mappings are not macros.
    if (m.type === 'string') into.set(m.key, { value: String(m.value) });
    else if (m.type === 'number' || m.type === 'boolean') into.set(m.key, { value: m.source ?? String(m.value) });
  }
}

/** What one model's cmd is expanded with: its macros and the two built-ins, ${MODEL_ID} and ${PORT}. */
interface MacroScope {
  macros: Map<string, MacroDef>;
  modelId: string;
  port: string;
  /** Set when ${PORT} was used, directly or through a macro. */
  usedPort: boolean;
  /** Expansions of macros that use other macros, for this cmd (made when the first is needed). */
  cache?: Map<string, string>;
}

/** Expands `${name}` in a macro's own value (macros may use earlier macros). */
function macroText(name: string, scope: MacroScope, depth: number): string | undefined {
  if (name === 'PORT') {
    scope.usedPort = true;
    return scope.port;
  }
  if (name === 'MODEL_ID') return scope.modelId;
  const def = scope.macros.get(name);
  if (!def) return undefined;
  if (!def.value.includes('${') || depth >= MAX_MACRO_DEPTH) return def.value;
  const cache = (scope.cache ??= new Map<string, string>());
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  // A macro that (indirectly) uses itself stays as written: llama-swap only allows macros defined earlier.
  cache.set(name, '${' + name + '}');
  // replace() with a global regex collects every match before it calls back, so the shared regex is safe here.
  let out = def.value.replace(MACRO_RE, (all, inner: string) => macroText(inner, scope, depth + 1) ?? all);
  // Nested macros can multiply (a = ${b}${b}, b = ${c}${c}, ...): past this size stop expanding.
  if (out.length > MAX_EXPANSION) out = def.value;
  cache.set(name, out);
  return out;
}

/** The `${name}` references of a cmd, in order (expand is not re-entrant, so one regex serves every call). */
const REFERENCE_RE = new RegExp(MACRO_RE.source, 'g');

function expand(cmd: string, scope: MacroScope, unknown: (name: string, start: number, end: number) => void): Expanded {
  if (!cmd.includes('${')) return { text: cmd, seg: [0, 0, cmd.length, -1], macroNames: [], usedPort: false };
  const result: Expanded = { text: '', seg: [], macroNames: [], usedPort: false };
  let text = '';
  let last = 0;
  const re = REFERENCE_RE;
  re.lastIndex = 0;
  for (let m = re.exec(cmd); m; m = re.exec(cmd)) {
    const name = m[1];
    const start = m.index;
    const end = start + m[0].length;
    const value = name.startsWith('env.') ? undefined : macroText(name, scope, 0);
    if (value === undefined) {
      // `${env.X}` is the environment's business; unknown names are reported and kept as written.
      if (!name.startsWith('env.')) unknown(name, start, end);
      continue;
    }
    if (start > last) text = segment(result, text, cmd.slice(last, start), last, start, -1);
    let idx = result.macroNames.indexOf(name);
    if (idx < 0) idx = result.macroNames.push(name) - 1;
    text = segment(result, text, value, start, end, idx);
    last = end;
  }
  re.lastIndex = 0;
  if (last < cmd.length) text = segment(result, text, cmd.slice(last), last, cmd.length, -1);
  result.text = text;
  result.usedPort = scope.usedPort;
  if (result.seg.length === 0) result.seg.push(0, 0, 0, -1);
  return result;
}

/** Appends a segment of expanded text (from the cmd at [sStart, sEnd), or macro `macro`'s value there). */
function segment(x: Expanded, text: string, piece: string, sStart: number, sEnd: number, macro: number): string {
  if (!piece) return text;
  x.seg.push(text.length, sStart, sEnd, macro);
  return text + piece;
}

/** The segment holding expanded offset i. */
function segmentAt(x: Expanded, i: number): number {
  let lo = 0;
  let hi = (x.seg.length >> 2) - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (x.seg[4 * mid + E_START] <= i) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Expanded [a, b) → cmd value range [out.start, out.end); text from a macro widens to its whole `${name}`
 * reference. Written into `out`: settingRanges map ~10 spans per model, and an object per span added up.
 */
function expandedBounds(x: Expanded, a: number, b: number, out: { start: number; end: number }): void {
  const n = x.text.length;
  a = Math.max(0, Math.min(a, n));
  b = Math.max(a, Math.min(b, n));
  if (b === a && a >= n) {
    out.start = out.end = x.seg[x.seg.length - 4 + S_END];
    return;
  }
  const ka = segmentAt(x, a);
  const g = x.seg;
  const A = 4 * ka;
  out.start = g[A + MACRO] < 0 ? g[A + S_START] + (a - g[A + E_START]) : g[A + S_START];
  if (b === a) {
    out.end = out.start;
    return;
  }
  const kb = segmentAt(x, b - 1);
  const B = 4 * kb;
  out.end = g[B + MACRO] < 0 ? g[B + S_START] + (b - g[B + E_START]) : g[B + S_END];
}

/** expandedBounds, and whether [a, b) is all the cmd's own text (else the first macro it comes from). */
function expandedToValue(x: Expanded, a: number, b: number): { start: number; end: number; macro?: string; literal: boolean } {
  const bounds = { start: 0, end: 0 };
  expandedBounds(x, a, b, bounds);
  const n = x.text.length;
  a = Math.max(0, Math.min(a, n));
  b = Math.max(a, Math.min(b, n));
  if (b === a) return { start: bounds.start, end: bounds.end, literal: a >= n || x.seg[4 * segmentAt(x, a) + MACRO] < 0 };
  let literal = true;
  let macro: string | undefined;
  for (let k = segmentAt(x, a), kb = segmentAt(x, b - 1); k <= kb; k++) {
    const m = x.seg[4 * k + MACRO];
    if (m >= 0) {
      literal = false;
      macro ??= x.macroNames[m];
    }
  }
  return { start: bounds.start, end: bounds.end, macro, literal };
}

/** Where the cmd's command starts for llama-server flags, or undefined when it does not run llama-server. */
/** Program paths of llama.cpp forks whose flags differ (ik_llama.cpp's ik-llama-server or its build folder). */
const FORK_RE = /ik[-_]llama/i;

function findServerStart(tokens: readonly ArgToken[]): { index: number; tool: 'llama-server' | 'llama-cli' | 'llama-bench' } | undefined {
  if (tokens.length === 0) return undefined;
  const first = tokens[0].value;
  if (FORK_RE.test(first) && /llama-server[^\\/]*$/.test(first)) return { index: 0, tool: 'llama-server' };
  const tool = llamaToolOf(first);
  if (tool) return { index: 0, tool };
  const base = first.replace(/\\/g, '/').split('/').pop() ?? '';
  if (base === 'docker' || base === 'podman') {
    const img = tokens.findIndex((t) => SERVER_IMAGE_RE.test(t.value));
    if (img >= 0) return { index: img, tool: 'llama-server' };
    // `docker run ... image llama-server -m ...` style: the first llama-server word after the image
  }
  // `env X=1 llama-server ...`, `nice -n 5 /opt/llama-server ...`, `docker run ... image llama-server ...`
  for (let i = 1; i < tokens.length; i++) {
    if (llamaToolOf(tokens[i].value) === 'llama-server') return { index: i, tool: 'llama-server' };
  }
  return undefined;
}

/** `sh|bash|zsh|dash -c <script>` (`-lc`, `-ec` too). */
const SHELL_RE = /(^|\/)(ba|z|da)?sh$/;

/**
 * The llama-server command inside `bash -c "<script>"`, as tokens whose offsets are in the cmd's (expanded) text,
 * so every diagnostic lands where the flag is written. Undefined when the script runs no llama-server.
 */
function shellScriptServer(tokens: readonly ArgToken[]): ArgToken[] | undefined {
  if (tokens.length < 3 || !SHELL_RE.test(tokens[0].value)) return undefined;
  const c = tokens.findIndex((t, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(t.value));
  const script = c > 0 ? tokens[c + 1] : undefined;
  if (!script) return undefined;
  for (const cmd of splitShellCommands(script.value).commands) {
    const inner = tokenizeArgs(cmd.text).tokens;
    if (!findServerStart(inner)) continue;
    // cmd text offset → script value offset → cmd text of the llama-swap cmd.
    const at = (o: number): number => tokenCharOffset(script, cmd.offsets[Math.min(o, cmd.offsets.length - 1)] + (o >= cmd.offsets.length ? 1 : 0));
    return inner.map((t) => {
      const offset = at(t.offset);
      const end = at(t.offset + t.length - 1) + 1;
      const charOffsets: number[] = [];
      for (let i = 0; i < t.value.length; i++) charOffsets.push(at(tokenCharOffset(t, i)));
      return { value: t.value, offset, length: Math.max(0, end - offset), charOffsets };
    });
  }
  return undefined;
}

/**
 * Analyzes a parsed llama-swap document. Models whose cmd does not run llama-server (vLLM, docker images of
 * other servers, scripts) get no deployment and no flag diagnostics.
 */
export function analyzeLlamaSwap(
  doc: ParsedDocument,
  /** ${PORT} per model as llama-swap assigns them (sorted model ids); default: document order from startPort. */
  ports?: ReadonlyMap<string, number>,
  /** The llama.cpp build the commands are for (flags table): bundled (default), upstream or a build number. */
  llamaCppBuild?: string,
): LlamaSwapAnalysis {
  const deployments: Deployment[] = [];
  const diagnostics: KvDiagnostic[] = [];
  const root = doc.root;
  if (root?.type !== 'object' || !root.props) return { deployments, diagnostics };
  const range = (start: number, end: number): Range => doc.lines.range(start, end);

  const bounds = { start: 0, end: 0 };
  const globalMacros = new Map<string, MacroDef>();
  readMacros(root.props.get('macros'), globalMacros);
  const startPortNode = root.props.get('startPort');
  let nextPort = startPortNode?.type === 'number' ? (startPortNode.value as number) : DEFAULT_START_PORT;

  const models = root.props.get('models');
  if (models?.type !== 'object') return { deployments, diagnostics };
  for (const model of models.members ?? []) {
    if (model.key === undefined || model.keyStart === undefined) continue;
    const name = model.key;
    const anchor = range(model.keyStart, model.keyEnd ?? model.keyStart);
    if (model.type !== 'object' || !model.props) continue;
    const cmdNode = model.props.get('cmd');
    // A cmd an alias brings (no style: written elsewhere) is not mapped onto the alias: left unchecked.
    if (cmdNode?.type !== 'string' || !cmdNode.style) continue;
    const cmd = String(cmdNode.value);

    const modelMacros = model.props.get('macros');
    const macros = modelMacros?.type === 'object' ? new Map(globalMacros) : globalMacros;
    if (macros !== globalMacros) readMacros(modelMacros, macros);
    // llama-swap hands out one port per model that uses ${PORT}, in order from startPort.
    const scope: MacroScope = { macros, modelId: name, port: String(ports?.get(name) ?? nextPort), usedPort: false };

    const toDoc = valueOffsetMapper(doc, cmdNode);
    const valueRange = (start: number, end: number): Range => {
      const s = toDoc(start);
      const e = end > start ? toDoc(end - 1) + 1 : s;
      return range(s, e);
    };
    const expanded = expand(cmd, scope, (macro, start, end) => {
      const close = suggest(macro, [...macros.keys(), 'PORT', 'MODEL_ID'], 1)[0];
      diagnostics.push({
        severity: 'error',
        code: 'unknown-macro',
        message: `Macro ${'`${' + macro + '}`'} is not defined in \`macros\` (globally or for this model); llama-swap would refuse the config.${close ? ` Did you mean \`\${${close}}\`?` : ''}`,
        range: valueRange(start, end),
      });
    });

    if (expanded.usedPort) nextPort++;
    // llama-swap splits cmd with shlex.Posix except on Windows, where a backslash is a path separator: a cmd that
    // names a Windows path or program is read the Windows way.
    let tok = tokenizeArgs(expanded.text, undefined, !WINDOWS_CMD_RE.test(expanded.text));
    let start = findServerStart(tok.tokens);
    if (!start) {
      // `bash -c "source env.sh && exec llama-server …"`: the server command inside the shell's script.
      const inner = shellScriptServer(tok.tokens);
      if (inner) {
        tok = { tokens: inner, unterminatedQuote: tok.unterminatedQuote };
        start = findServerStart(inner);
      }
    }
    if (!start) continue;
    const parse = parseArgTokens(start.index > 0 ? tok.tokens.slice(start.index) : tok.tokens, { tool: start.tool, build: llamaCppBuild });
    // Forks with flags of their own (ik_llama.cpp): no table to check them against, so their flags are read
    // for the estimate but not judged.
    const fork = FORK_RE.exec(tok.tokens[start.index].value);
    if (fork) {
      parse.issues = [{
        severity: 'information',
        code: 'fork-flags-not-checked',
        message: `This cmd runs ${fork[0].includes('ik') ? 'ik_llama.cpp' : 'a fork of llama.cpp'}, which has flags of its own: KV Lens does not check them (it has tables for llama.cpp only) and reads the flags llama.cpp shares for the estimate.`,
        span: { offset: tok.tokens[start.index].offset, length: tok.tokens[start.index].length },
      }];
    }
    if (start.index > 0) parse.program = { name: tok.tokens[start.index].value, span: { offset: tok.tokens[start.index].offset, length: tok.tokens[start.index].length }, tool: start.tool };

    const spanToValue = (sp: Span): { start: number; end: number; macro?: string; literal: boolean } =>
      expandedToValue(expanded, sp.offset, sp.offset + sp.length);
    const spanRange = (s: Span): Range => {
      expandedBounds(expanded, s.offset, s.offset + s.length, bounds);
      return valueRange(bounds.start, bounds.end);
    };

    if (tok.unterminatedQuote) {
      diagnostics.push({
        severity: 'error',
        code: 'unterminated-quote',
        message: `Unterminated ${tok.unterminatedQuote.quote} quote in cmd: the rest of the command is read as one argument.`,
        range: spanRange({ offset: tok.unterminatedQuote.offset, length: 1 }),
      });
    }
    for (const issue of parse.issues) diagnostics.push(toDiagnostic(issue, spanToValue, spanRange));
    if (start.tool === 'llama-server' && !expanded.usedPort && !model.props.has('proxy')) {
      diagnostics.push(missingProxy(parse, cmdNode, spanToValue, spanRange, valueRange));
    }

    const settingRanges: Partial<Record<string, Range>> = {};
    // for-in, not Object.entries: no pair array per setting (1,000 models × ~8 settings).
    for (const field in parse.spans) settingRanges[field] = spanRange(parse.spans[field]);
    const hf = modelOfLlama(parse);
    deployments.push(toDeployment(name, anchor, parse, settingRanges, hf ? spanRange(hf.span) : undefined));
  }
  return { deployments, diagnostics };
}

/**
 * llama-swap forwards to `proxy`, which defaults to http://localhost:${PORT}; a llama-server that does not
 * listen on ${PORT} (a fixed `--port`, or none: 8080) and has no `proxy` is never reached.
 */
function missingProxy(
  parse: LlamaArgsParse,
  cmdNode: DocNode,
  spanToValue: (s: Span) => { start: number; end: number; macro?: string; literal: boolean },
  spanRange: (s: Span) => Range,
  valueRange: (start: number, end: number) => Range,
): KvDiagnostic {
  const portFlag = [...parse.flags].reverse().find((f) => f.spec.canonical === '--port');
  const message =
    'This llama-server does not listen on `${PORT}` and the model has no `proxy`: llama-swap sends requests to ' +
    `http://localhost:\${PORT}, where nothing answers. Use \`--port \${PORT}\` or set \`proxy\` to the server's address` +
    (portFlag?.value ? ` (http://127.0.0.1:${portFlag.value}).` : ' (llama-server listens on 8080 by default).');
  if (portFlag?.valueSpan) {
    const d: KvDiagnostic = { severity: 'warning', code: 'missing-proxy', message, range: spanRange(portFlag.valueSpan) };
    if (spanToValue(portFlag.valueSpan).literal) {
      d.fixes = [{ title: 'Listen on `${PORT}`', preferred: true, edits: [{ range: spanRange(portFlag.valueSpan), newText: '${PORT}' }] }];
    }
    return d;
  }
  const program = parse.program?.span;
  const range = program ? spanRange(program) : valueRange(0, Math.min(String(cmdNode.value).length, 1));
  return { severity: 'warning', code: 'missing-proxy', message, range };
}

function toDiagnostic(
  issue: ArgIssue,
  spanToValue: (s: Span) => { start: number; end: number; macro?: string; literal: boolean },
  spanRange: (s: Span) => Range,
): KvDiagnostic {
  const where = spanToValue(issue.span);
  const message = where.macro ? `${issue.message} (from macro \`\${${where.macro}}\`)` : issue.message;
  let fixes: QuickFix[] | undefined;
  // A fix is offered only when every edit touches text written in the cmd itself, not a macro's expansion.
  if (issue.fix && issue.fix.edits.every((e) => spanToValue(e).literal)) {
    fixes = [{ title: issue.fix.title, preferred: true, edits: issue.fix.edits.map((e) => ({ range: spanRange(e), newText: e.newText })) }];
  }
  const d: KvDiagnostic = { severity: issue.severity, code: issue.code, message, range: spanRange(issue.span) };
  if (fixes) d.fixes = fixes;
  return d;
}

function toDeployment(name: string, anchor: Range, parse: LlamaArgsParse, settingRanges: Partial<Record<string, Range>>, hfRange?: Range): Deployment {
  const d: Deployment = {
    name,
    format: 'llama-swap',
    anchor,
    engine: llamaEngineSettings(parse.settings),
    workload: { ...DEFAULT_WORKLOAD },
    targets: [],
    settingRanges,
  };
  const modelRange = settingRanges.modelRef;
  if (parse.modelRef !== undefined && modelRange) d.model = { ref: parse.modelRef, range: modelRange };
  else if (hfRange && parse.flags.some((f) => f.spec.canonical === '--hf-repo')) {
    // `-hf org/repo[:quant]`: the Hub id the model resolver sizes.
    const hf = modelOfLlama(parse);
    if (hf) d.model = { ref: hf.ref, range: hfRange };
  }
  return d;
}
