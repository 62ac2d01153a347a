// Parses llama.cpp flags (a pasted command line, a llama-swap `cmd`, or a profile's `engine.args`) into
// EngineSettings, with every problem located at the flag's own characters. It follows what the bundled
// llama.cpp's common/arg.cpp does — exact spellings, `_` = `-` in long options, last value wins, no
// `--flag=value` — and adds llama.cpp's own refusal of a quantized V cache with flash attention off.
import type { EngineSettings, FlashAttention } from '../../deployment';
import { LLAMA_CACHE_TYPES } from '../../deployment';
import type { Severity } from '../../diagnostics';
import { GPU_LAYERS_ALL, buildsWithFlag, findAnyLlamaFlag, flagIndex, lookupFlag, resolveLlamaBuild, type LlamaBuild } from './flags';
import type { FlagSpec, LlamaTool } from './flagTypes';
import { rankSuggestions, singleSuggestion } from './suggest';
import { type ArgToken, tokenCharOffset, tokenizeArgs } from './tokenize';
import { pushAll } from '../../arrays';

export type { ArgToken } from './tokenize';
export type { LlamaTool } from './flagTypes';

/**
 * A place in the input: `offset`/`length` into the string, or — when the input was an array — into item
 * `index` (whose text is the item's value).
 */
export interface Span {
  offset: number;
  length: number;
  index?: number;
}

export interface SpanEdit extends Span {
  newText: string;
}

export interface ArgFix {
  title: string;
  edits: SpanEdit[];
}

export interface ArgIssue {
  severity: Severity;
  /**
   * Stable codes. error: unknown-flag (llama.cpp refuses unknown flags), wrong-program (a flag of another llama.cpp
   * program), missing-value, invalid-value (wrong type, enum value not allowed, -np 0), quantized-v-needs-fa,
   * equals-form (`--flag=value`, which llama.cpp does not parse), unexpected-argument, unterminated-quote.
   * warning: duplicate-flag (on the overridden occurrence), removed-flag (refused by the bundled llama.cpp, taken
   * by older builds), deprecated-flag (still accepted). information: deprecated-flag for a bare `-fa`.
   */
  code: string;
  message: string;
  span: Span;
  /** Other places the message talks about (e.g. the `-ctv` of a quantized-V error). */
  related?: Span[];
  fix?: ArgFix;
}

/** One flag occurrence, in order. */
export interface ParsedFlag {
  spec: FlagSpec;
  /** The spelling used. */
  name: string;
  negative: boolean;
  flagSpan: Span;
  value?: string;
  valueSpan?: Span;
  /** The token holding the value and where in it the value starts (after `=` for `--flag=value`). */
  valueToken?: ArgToken;
  valueFrom?: number;
}

export interface LlamaArgsParse {
  settings: Partial<EngineSettings>;
  /** `-m` as written. */
  modelRef?: string;
  /** `-md` / `--spec-draft-model` as written. */
  draftModelRef?: string;
  tokens: ArgToken[];
  issues: ArgIssue[];
  /**
   * Where each setting is written, keyed by EngineSettings field (`contextSize`, `cacheTypeV`, `modelRef`,
   * ...; also `draftModelRef`): the value's span, or the flag's for a switch. Quick fixes replace this span.
   */
  spans: Record<string, Span>;
  flags: ParsedFlag[];
  /** The leading program token, when there was one (llama-server, /opt/llama-server, ${server}). */
  program?: { name: string; span: Span; tool?: LlamaTool };
  /** The program whose flags were applied. */
  tool: LlamaTool;
}

export interface ParseLlamaOptions {
  /** Which program's flags to accept; default from the leading program name, else llama-server. */
  tool?: LlamaTool;
  /** The llama.cpp build the flags are for: `bundled` (default), `upstream`, or a build number (`b8914`). */
  build?: string;
}

const FULL_PRECISION = new Set(['f32', 'f16', 'bf16']);
const TRUTHY = new Set(['on', 'enabled', 'true', '1']);
const FALSEY = new Set(['off', 'disabled', 'false', '0']);
const AUTOY = new Set(['auto', '-1']);
const INT_RE = /^[+-]?\d+$/;
/** What std::stoi reads of a value: leading spaces, a sign and digits. */
const STOI_RE = /^\s*([+-]?\d+)/;
const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
// llama-server, /opt/llama.cpp/build/bin/llama-server, llama-server-ec9e0301, llama-server.exe; `server` and
// `main` are the names of the same programs before llama.cpp renamed them.
const PROGRAM_RE = /(?:^|[\\/])(?:(llama-server|llama-cli|llama-bench)[^\\/\s]*|(server|main)(?:\.exe)?)$/;

/** The program a command's first word names, when it is a llama.cpp one. */
export function llamaToolOf(word: string): LlamaTool | undefined {
  const m = PROGRAM_RE.exec(word);
  if (!m) return undefined;
  switch (m[1] ?? m[2]) {
    case 'llama-server':
    case 'server':
      return 'llama-server';
    case 'llama-cli':
    case 'main':
      return 'llama-cli';
    default:
      return 'llama-bench';
  }
}

/** Whether a V cache type is quantized (llama.cpp then needs flash attention). */
export function isQuantizedCacheType(t: string): boolean {
  return !FULL_PRECISION.has(t);
}

function spanOf(tok: ArgToken, from = 0, to = tok.value.length): Span {
  // A sub-range of the value maps through the token's char offsets; the whole value is the raw token.
  if (from === 0 && to === tok.value.length) return withIndex({ offset: tok.offset, length: tok.length }, tok);
  const start = tokenCharOffset(tok, from);
  const end = to > from ? tokenCharOffset(tok, to - 1) + 1 : start;
  return withIndex({ offset: start, length: Math.max(0, end - start) }, tok);
}

function withIndex(s: Span, tok: ArgToken): Span {
  if (tok.index !== undefined) s.index = tok.index;
  return s;
}

function endSpan(tok: ArgToken): Span {
  return withIndex({ offset: tok.offset + tok.length, length: 0 }, tok);
}

function isPlain(tok: ArgToken): boolean {
  return tok.charOffsets === undefined;
}

function q(s: string): string {
  return '`' + s + '`';
}

function listValues(values: readonly string[]): string {
  return values.map(q).join(', ');
}

function looksLikeFlag(tok: ArgToken | undefined, tool: LlamaTool, build?: LlamaBuild): boolean {
  if (!tok) return false;
  const v = tok.value;
  if (!v.startsWith('-') || v === '-') return false;
  if (FLOAT_RE.test(v)) return false; // -1, -0.5: values
  return lookupFlag(tool, beforeEquals(v), build) !== undefined || /^--?[A-Za-z]/.test(v);
}

/** `--flag` of `--flag=value` (the whole word without one), without split's array. */
function beforeEquals(v: string): string {
  const eq = v.indexOf('=');
  return eq < 0 ? v : v.slice(0, eq);
}

/**
 * Parses llama.cpp flags. A string is split like a shell would (quotes, escapes, `\` continuations, comments);
 * an array is taken item by item (an item that starts with `-` and holds spaces, like `"-c 4096"`, is split).
 */
export function parseLlamaArgs(input: string | readonly string[], options: ParseLlamaOptions = {}): LlamaArgsParse {
  const issues: ArgIssue[] = [];
  let tokens: ArgToken[];
  if (typeof input === 'string') {
    const t = tokenizeArgs(input);
    tokens = t.tokens;
    if (t.unterminatedQuote) {
      issues.push({
        severity: 'error',
        code: 'unterminated-quote',
        message: `Unterminated ${t.unterminatedQuote.quote} quote: the rest of the line is read as one argument.`,
        span: { offset: t.unterminatedQuote.offset, length: 1 },
      });
    }
  } else {
    tokens = [];
    input.forEach((item, index) => {
      if (typeof item !== 'string') return;
      if (item.startsWith('-') && /\s/.test(item.trim())) {
        pushAll(tokens, tokenizeArgs(item, index).tokens);
      } else {
        tokens.push({ value: item, offset: 0, length: item.length, index });
      }
    });
  }
  return parseArgTokens(tokens, options, issues);
}

/** Parses already-split tokens (used by llama-swap after macro expansion). */
export function parseArgTokens(tokens: ArgToken[], options: ParseLlamaOptions = {}, issues: ArgIssue[] = []): LlamaArgsParse {
  let start = 0;
  let program: LlamaArgsParse['program'];
  const first = tokens[0];
  if (first && !first.value.startsWith('-')) {
    program = { name: first.value, span: spanOf(first), tool: llamaToolOf(first.value) };
    start = 1;
  }
  const tool: LlamaTool = options.tool ?? program?.tool ?? 'llama-server';
  const build = resolveLlamaBuild(options.build);
  const table = build.label;
  const settings: Partial<EngineSettings> = {};
  const spans: Record<string, Span> = {};
  const flags: ParsedFlag[] = [];
  const seen = new LastBySpec();
  let modelRef: string | undefined;
  let draftModelRef: string | undefined;
  let faFlag: ParsedFlag | undefined;
  let ctvFlag: ParsedFlag | undefined;

  for (let i = start; i < tokens.length; i++) {
    const tok = tokens[i];
    const text = tok.value;
    if (!text.startsWith('-') || text === '-' || text === '--') {
      // `$EXTRA_ARGS`, `"${ARGS[@]}"`, `${env.ARGS}`: filled in by the shell, compose or llama-swap's environment
      // (with flags, or nothing) before llama.cpp sees them.
      if (text.includes('$')) continue;
      issues.push({
        severity: 'error',
        code: 'unexpected-argument',
        message: `${q(text)} is not a flag and no flag before it takes a value; ${tool} would stop with "invalid argument".`,
        span: spanOf(tok),
      });
      continue;
    }
    let name = text;
    let inlineValue: { value: string; from: number } | undefined;
    const eq = text.indexOf('=');
    if (eq > 1 && !(text.startsWith('--') && eq === 2)) {
      name = text.slice(0, eq);
      inlineValue = { value: text.slice(eq + 1), from: eq + 1 };
    }
    const nameSpan = spanOf(tok, 0, name.length);
    const hit = lookupFlag(tool, name, build);
    if (!hit) {
      reportUnknown(tok, name, nameSpan, tool, issues, build);
      // Skip what is most likely this flag's value, so one typo gives one diagnostic.
      if (!inlineValue && tokens[i + 1] && !looksLikeFlag(tokens[i + 1], tool, build)) i++;
      continue;
    }
    const { spec, negative } = hit;
    if (inlineValue) {
      const fixable = isPlain(tok);
      issues.push({
        severity: 'error',
        code: 'equals-form',
        message: `llama.cpp does not accept ${q(name + '=…')}: write the value as a separate argument, ${q(name + ' ' + inlineValue.value)}.`,
        span: spanOf(tok),
        fix: fixable
          ? { title: `Write ${q(name + ' ' + inlineValue.value)}`, edits: [{ ...spanOf(tok, eq, eq + 1), newText: ' ' }] }
          : undefined,
      });
    }
    if (spec.removed) {
      issues.push({
        severity: 'warning',
        code: 'removed-flag',
        message: `${q(name)} is no longer accepted by ${table} (${spec.removed.replace(/^the argument has been removed\.\s*/, '')}); older builds may still take it.`,
        span: nameSpan,
        fix: spec.replacement && isPlain(tok) && !inlineValue
          ? { title: `Replace with ${q(spec.replacement)}`, edits: [{ ...nameSpan, newText: spec.replacement }] }
          : undefined,
      });
    } else if (spec.deprecated) {
      issues.push({ severity: 'warning', code: 'deprecated-flag', message: `${q(name)} still works in ${table} but is deprecated: llama.cpp warns "${spec.deprecated}".`, span: nameSpan });
    }

    // Built whole, with a value or without (one object shape each): fields added one by one afterwards made V8
    // slow down every later parse by 3× once other files had been analysed (a 5,000-line llama-swap: 57 → 180 ms).
    let occurrence: ParsedFlag;
    if (inlineValue) {
      occurrence = { spec, name, negative, flagSpan: nameSpan, value: inlineValue.value, valueSpan: spanOf(tok, inlineValue.from), valueToken: tok, valueFrom: inlineValue.from };
    } else if (spec.kind !== 'none' && spec.kind !== 'bool') {
      const next = tokens[i + 1];
      const isFa = spec.canonical === '--flash-attn' && tool !== 'llama-bench';
      const textual = spec.kind === 'string' || spec.kind === 'list' || spec.kind === 'path';
      const nextIsValue =
        next !== undefined &&
        (!looksLikeFlag(next, tool, build) || (textual && !lookupFlag(tool, beforeEquals(next.value), build)));
      if (isFa && !nextIsValue) {
        // Older llama.cpp had a bare `-fa` switch; since `-fa [on|off|auto]` llama.cpp takes the next argument as
        // its value whatever it is (common/arg.cpp), and stops: "unknown value for --flash-attn: '<next>'".
        occurrence = { spec, name, negative, flagSpan: nameSpan, value: 'on' };
        issues.push({
          severity: 'error',
          code: 'fa-needs-value',
          message: next
            ? `Bare ${q(name)} takes the next argument as its value: ${table} stops with "unknown value for --flash-attn: '${next.value}'". Write ${q(name + ' on')} (or off, auto); only llama.cpp builds before -fa took a value accepted it bare.`
            : `Bare ${q(name)} at the end: ${table} stops with "expected value for argument" (-fa takes on, off or auto). Write ${q(name + ' on')}.`,
          span: nameSpan,
          fix: isPlain(tok) ? { title: `Write ${q(name + ' on')}`, edits: [{ ...endSpan(tok), newText: ' on' }] } : undefined,
        });
      } else if (!nextIsValue) {
        issues.push({
          severity: 'error',
          code: 'missing-value',
          message: `${q(name)} needs a value (${describeKind(spec)}).`,
          span: nameSpan,
        });
        flags.push({ spec, name, negative, flagSpan: nameSpan });
        continue;
      } else {
        i++;
        occurrence = { spec, name, negative, flagSpan: nameSpan, value: next.value, valueSpan: spanOf(next), valueToken: next, valueFrom: 0 };
      }
    } else {
      occurrence = { spec, name, negative, flagSpan: nameSpan };
    }

    const prev = seen.get(spec);
    if (prev && tool !== 'llama-bench') {
      issues.push({
        severity: 'warning',
        code: 'duplicate-flag',
        message: `${q(prev.name)} is given again later (${q(occurrence.value !== undefined ? name + ' ' + occurrence.value : name)}); llama.cpp uses only the last one, so this one has no effect.`,
        span: prev.valueSpan ? cover(prev.flagSpan, prev.valueSpan) : prev.flagSpan,
        related: [occurrence.flagSpan],
      });
    }
    seen.set(spec, occurrence);
    flags.push(occurrence);
    if (occurrence.value !== undefined || spec.kind === 'none' || spec.kind === 'bool') {
      applyValue(occurrence, tool, settings, spans, issues);
    }
    if (spec.canonical === '--model' && occurrence.value !== undefined) {
      modelRef = occurrence.value;
    }
    if (spec.canonical === '--spec-draft-model' && occurrence.value !== undefined) {
      draftModelRef = occurrence.value;
      if (occurrence.valueSpan) spans.draftModelRef = occurrence.valueSpan;
    }
    if (spec.sets === 'flashAttention') faFlag = occurrence;
    if (spec.sets === 'cacheTypeV') ctvFlag = occurrence;
  }

  checkQuantizedV(settings, faFlag, ctvFlag, tool, issues);
  const result: LlamaArgsParse = { settings, tokens, issues, spans, flags, tool };
  if (modelRef !== undefined) result.modelRef = modelRef;
  if (draftModelRef !== undefined) result.draftModelRef = draftModelRef;
  if (program) result.program = program;
  return result;
}

/**
 * The last occurrence of each flag so far. A command line has a dozen flags: pairs in an array are looked
 * through faster than a Map is made (1,000 cmds in a llama-swap file); past 32 flags a Map takes over.
 */
class LastBySpec {
  private specs: FlagSpec[] = [];
  private flags: ParsedFlag[] = [];
  private map?: Map<FlagSpec, ParsedFlag>;

  get(spec: FlagSpec): ParsedFlag | undefined {
    if (this.map) return this.map.get(spec);
    const i = this.specs.indexOf(spec);
    return i < 0 ? undefined : this.flags[i];
  }

  set(spec: FlagSpec, flag: ParsedFlag): void {
    if (this.map) {
      this.map.set(spec, flag);
      return;
    }
    const i = this.specs.indexOf(spec);
    if (i >= 0) this.flags[i] = flag;
    else if (this.specs.length < 32) {
      this.specs.push(spec);
      this.flags.push(flag);
    } else {
      this.map = new Map(this.specs.map((x, k) => [x, this.flags[k]]));
      this.map.set(spec, flag);
    }
  }
}

function cover(a: Span, b: Span): Span {
  if (a.index !== b.index) return a;
  const start = Math.min(a.offset, b.offset);
  const end = Math.max(a.offset + a.length, b.offset + b.length);
  const s: Span = { offset: start, length: end - start };
  if (a.index !== undefined) s.index = a.index;
  return s;
}

function describeKind(spec: FlagSpec): string {
  switch (spec.kind) {
    case 'int':
      return 'an integer';
    case 'float':
      return 'a number';
    case 'enum':
      return `one of ${listValues(spec.values ?? [])}`;
    case 'gpuLayers':
      return 'a number of layers, `auto` or `all`';
    case 'path':
      return 'a file path';
    case 'list':
      return `a comma-separated list${spec.hint ? ' ' + q(spec.hint) : ''}`;
    default:
      return spec.hint ? q(spec.hint) : 'a value';
  }
}

/** " llama.cpp b8914 has it …" when another build's table has the flag: the config may be for that build. */
function otherBuilds(name: string, build: LlamaBuild, tool: LlamaTool): string {
  if (tool === 'llama-bench') return '';
  const others = buildsWithFlag(name, build);
  if (!others.length) return '';
  return ` ${others.map((b) => b.label).join(' and ')} ${others.length > 1 ? 'have' : 'has'} it: set the llama.cpp build (setting kvlens.llamaCpp.build, or the profile's engine.version) if the config is for that build.`;
}

function reportUnknown(tok: ArgToken, name: string, nameSpan: Span, tool: LlamaTool, issues: ArgIssue[], build: LlamaBuild): void {
  const elsewhere = tool === 'llama-bench' ? undefined : findAnyLlamaFlag(name, build);
  if (elsewhere) {
    const others = [...elsewhere.tools].filter((t) => t !== tool);
    const programs = [...others, ...elsewhere.otherPrograms.filter((p) => !others.includes(p as LlamaTool))];
    const who = programs.length ? `${programs.slice(0, 3).join(', ')}${programs.length > 3 ? ', …' : ''}` : 'other llama.cpp programs';
    issues.push({
      severity: 'error',
      code: 'wrong-program',
      message: `${q(name)} is not a ${tool} flag (it belongs to ${who}); ${tool} would stop with "invalid argument".`,
      span: nameSpan,
    });
    return;
  }
  const idx = flagIndex(tool, build);
  const sameSpec = (a: string, b: string): boolean => idx.byName.get(a)?.spec === idx.byName.get(b)?.spec;
  const ranked = rankSuggestions(name, idx.names);
  const shown: string[] = [];
  for (const r of ranked) {
    if (shown.some((s) => sameSpec(s, r.c))) continue;
    shown.push(r.c);
    if (shown.length === 3) break;
  }
  const single = singleSuggestion(name, idx.names, sameSpec);
  const hint = shown.length ? ` Did you mean ${shown.map(q).join(' or ')}?` : '';
  issues.push({
    severity: 'error',
    code: 'unknown-flag',
    message: `Unknown ${tool} flag ${q(name)} (in ${build.label}).${otherBuilds(name, build, tool)}${hint}`,
    span: nameSpan,
    fix: single && isPlain(tok) ? { title: `Replace with ${q(single)}`, edits: [{ ...nameSpan, newText: single }] } : undefined,
  });
}

function invalid(issues: ArgIssue[], span: Span, message: string, fix?: ArgFix): void {
  issues.push({ severity: 'error', code: 'invalid-value', message, span, fix });
}

/** Validates one value (one item of a llama-bench comma list) and returns it normalised, or undefined. */
function checkOne(spec: FlagSpec, name: string, value: string, span: Span, plain: boolean, issues: ArgIssue[]): string | number | undefined {
  // `--parallel $LLAMA_PARALLEL`, `-c ${env.CTX}`: the shell or llama-swap's environment fills the number in; not
  // known here. (Paths and text keep theirs: a model path with a variable is named as such by the rules.)
  if (value.includes('$') && spec.kind !== 'string' && spec.kind !== 'path' && spec.kind !== 'list') return undefined;
  switch (spec.kind) {
    case 'int': {
      if (!INT_RE.test(value)) {
        // llama.cpp reads integers with std::stoi, which stops at the first character that is not a digit.
        const lead = STOI_RE.exec(value);
        if (!lead) {
          invalid(issues, span, `${q(name)} takes an integer, not ${q(value)}.`);
          return undefined;
        }
        issues.push({
          severity: 'warning',
          code: 'integer-prefix',
          message: `llama.cpp reads ${q(value)} as ${Number(lead[1])} for ${q(name)} (std::stoi stops at the first character that is not a digit); write ${Number(lead[1])}.`,
          span,
          // `0.0` → `0` is what was meant; `4k` → `4` hardly is: no fix there.
          fix: plain && /^\s*[+-]?\d+\.\d*$/.test(value) ? { title: `Write ${Number(lead[1])}`, edits: [{ ...span, newText: String(Number(lead[1])) }] } : undefined,
        });
        value = lead[1];
      }
      const n = Number(value);
      if (!Number.isSafeInteger(n) || Math.abs(n) > 2147483647) {
        invalid(issues, span, `${q(name)} ${value} is out of range (a 32-bit integer).`);
        return undefined;
      }
      return n;
    }
    case 'float':
      if (!FLOAT_RE.test(value)) {
        invalid(issues, span, `${q(name)} takes a number, not ${q(value)}.`);
        return undefined;
      }
      return Number(value);
    case 'gpuLayers':
      if (value === 'auto' || value === 'all') return value;
      if (!INT_RE.test(value)) {
        invalid(issues, span, `${q(name)} takes a number of layers, \`auto\` or \`all\`, not ${q(value)}.`);
        return undefined;
      }
      return Number(value);
    case 'enum': {
      const values = spec.values ?? [];
      if (values.includes(value)) return value;
      if (spec.onOff) {
        if (TRUTHY.has(value)) return 'on';
        if (FALSEY.has(value)) return 'off';
        if (AUTOY.has(value) && values.includes('auto')) return 'auto';
      }
      const lower = value.toLowerCase();
      const caseFix = values.find((v) => v === lower);
      const close = caseFix ?? singleSuggestion(value, values);
      invalid(
        issues,
        span,
        `${q(value)} is not allowed for ${q(name)}; allowed: ${listValues(values)}.${close ? ` Did you mean ${q(close)}?` : ''}`,
        close && plain ? { title: `Replace with ${q(close)}`, edits: [{ ...span, newText: close }] } : undefined,
      );
      return undefined;
    }
    default:
      if (value === '') {
        invalid(issues, span, `${q(name)} needs a non-empty value.`);
        return undefined;
      }
      return value;
  }
}

function applyValue(
  f: ParsedFlag,
  tool: LlamaTool,
  settings: Partial<EngineSettings>,
  spans: Record<string, Span>,
  issues: ArgIssue[],
): void {
  const { spec } = f;
  let result: string | number | boolean | undefined;
  if (spec.kind === 'none' || spec.kind === 'bool') {
    result = !f.negative;
  } else if (f.value !== undefined && f.valueSpan && f.valueToken) {
    const valueSpan = f.valueSpan;
    const vt = f.valueToken;
    const from = f.valueFrom ?? 0;
    // A fix may replace the value only where its characters sit contiguously in the source.
    const plain = isPlain(vt) || from === 0;
    if (spec.commaList && f.value.includes(',')) {
      // llama-bench: every item is checked; the first one stands for the deployment.
      let pos = from;
      for (const part of f.value.split(',')) {
        const v = checkOne(spec, f.name, part, spanOf(vt, pos, pos + part.length), isPlain(vt), issues);
        if (result === undefined) result = v;
        pos += part.length + 1;
      }
    } else {
      result = checkOne(spec, f.name, f.value, valueSpan, plain, issues);
    }
    if (spec.canonical === '--parallel' && result === 0 && tool === 'llama-server') {
      invalid(issues, valueSpan, '`-np 0` is refused by llama-server ("invalid value for n_parallel"); use -1 for auto or a slot count ≥ 1.');
      result = undefined;
    }
    if (spec.canonical === '--ctx-size' && typeof result === 'number' && result < 0) {
      invalid(issues, valueSpan, `${q(f.name)} cannot be negative; 0 means the model's trained context.`);
      result = undefined;
    }
  } else if (f.value !== undefined) {
    // bare `-fa` read as on
    result = f.value;
  }
  const field = spec.sets;
  if (!field || result === undefined) return;
  const at = f.valueSpan ?? f.flagSpan;
  spans[field] = at;
  const s = settings as Record<string, unknown>;
  switch (field) {
    case 'gpuLayers':
      if (result === 'all') s.gpuLayers = GPU_LAYERS_ALL;
      else if (result === 'auto') delete s.gpuLayers;
      else s.gpuLayers = result;
      break;
    case 'flashAttention':
      s.flashAttention = result as FlashAttention;
      break;
    default:
      s[field] = result;
  }
}

function checkQuantizedV(
  settings: Partial<EngineSettings>,
  fa: ParsedFlag | undefined,
  ctv: ParsedFlag | undefined,
  tool: LlamaTool,
  issues: ArgIssue[],
): void {
  if (settings.flashAttention !== 'off' || !fa || !ctv) return;
  if (tool === 'llama-bench' && (fa.value?.includes(',') || ctv.value?.includes(','))) return;
  const v = settings.cacheTypeV;
  if (!v || !(LLAMA_CACHE_TYPES as readonly string[]).includes(v) || !isQuantizedCacheType(v)) return;
  const at = fa.valueSpan ? cover(fa.flagSpan, fa.valueSpan) : fa.flagSpan;
  issues.push({
    severity: 'error',
    code: 'quantized-v-needs-fa',
    message:
      `A quantized V cache (${q(ctv.name + ' ' + v)}) needs flash attention, and ${q(fa.name + ' ' + (fa.value ?? ''))} turns it off: ` +
      'llama.cpp refuses to start ("quantized V cache requires flash_attn to be enabled"). ' +
      'Use `-fa on` (or `auto`), or an f16 V cache.',
    span: at,
    related: ctv.valueSpan ? [ctv.valueSpan] : [ctv.flagSpan],
    fix: fa.valueSpan && fa.valueSpan.length === (fa.value ?? '').length
      ? { title: `Turn flash attention on (${q(fa.name + ' on')})`, edits: [{ ...fa.valueSpan, newText: 'on' }] }
      : undefined,
  });
}
