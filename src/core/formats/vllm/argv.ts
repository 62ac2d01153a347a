// `vllm serve` arguments (after `serve`, or after `-m vllm.entrypoints.openai.api_server`) checked against a
// version's option table as vLLM's argparse reads them: `--name value` and `--name=value`, `_` as `-`, short
// forms (`-tp 8`, `-O3`), `--no-x` for booleans, nargs="+" lists, one positional model. Unknown, removed and
// deprecated options are reported with the table named; values are checked by kind.
import type { Severity } from '../../diagnostics';
import type { Span } from '../llamacpp/parse';
import { spanOfToken } from '../commands/spans';
import type { ArgToken } from '../llamacpp/tokenize';
import { suggestName } from '../suggest';
import type { VllmOptionEntry } from './settings';
import { lookupVllmOption, normaliseVllmKey, vllmTable, type GeneratedVllmOption } from './tables';
import { boundsProblem, isNoneValue } from './values';

export interface CommandIssue {
  severity: Severity;
  code: string;
  message: string;
  span: Span;
}

export interface VllmArgv {
  /** Entries with spans in place of ranges (the caller maps them). */
  entries: (Omit<VllmOptionEntry, 'range'> & { span: Span })[];
  issues: CommandIssue[];
  /** The positional model (`vllm serve <model>`). */
  model?: { ref: string; span: Span };
  /** `--config FILE`: options also come from a file this command names. */
  configFile?: string;
}

const INT_RE = /^-?[0-9]+$/;
const HRINT_RE = /^[0-9]+(\.[0-9]+)?[kKmMgG]?$/;
const FLOAT_RE = /^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/;

function q(s: string): string {
  return '`' + s + '`';
}

function isOptionLike(t: ArgToken | undefined): boolean {
  return !!t && t.value.startsWith('-') && t.value.length > 1 && !FLOAT_RE.test(t.value);
}

/** Whether `--model` (or `--model=…`) is given: then a positional is not the model. */
function hasModelOption(tokens: readonly ArgToken[]): boolean {
  return tokens.some((t) => t.value === '--model' || t.value.startsWith('--model='));
}

/** A value that the shell or compose fills in later (`$TP`, `${MODEL}`): not checked. */
function deferred(v: string): boolean {
  return v.includes('$');
}

export function parseVllmArgv(tokens: readonly ArgToken[], version?: string, opts: { positionalModel?: boolean } = {}): VllmArgv {
  const table = vllmTable(version);
  const out: VllmArgv = { entries: [], issues: [] };
  const longNames = table.options.map((o) => o.n);
  // Asked once, and only when a `$` word needs it: a command of 100,000 `$X` words must not scan itself each time.
  let modelOption: boolean | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    const text = tok.value;
    if (!isOptionLike(tok)) {
      // `${FLAGS:---enable-prefix-caching}` expands to options, not to the model; so does any `$…` word once
      // `--model` names the model.
      if (deferred(text) && (/\$\{\w+:?[-+=?]-/.test(text) || (modelOption ??= hasModelOption(tokens)))) continue;
      // `vllm serve <model>`: one positional, the model (model_tag).
      if (opts.positionalModel !== false && !out.model) {
        out.model = { ref: text, span: spanOfToken(tok) };
        out.entries.push({ name: 'model', value: text, span: spanOfToken(tok) });
        continue;
      }
      // `$EXTRA_ARGS`, `"${ARGS[@]}"`: words the shell or compose fills in (with options, or nothing) are not
      // vLLM's to refuse.
      if (deferred(text)) continue;
      out.issues.push({
        severity: 'error',
        code: 'unexpected-argument',
        message: `${q(text)} is not an option and no option before it takes a value; vLLM stops with "unrecognized arguments".`,
        span: spanOfToken(tok),
      });
      continue;
    }
    let name = text;
    let inline: string | undefined;
    const eq = text.indexOf('=');
    if (eq > 1) {
      name = text.slice(0, eq);
      inline = text.slice(eq + 1);
    }
    // `--compilation-config.mode 3`: JSON keys of a config option passed one by one (FlexibleArgumentParser).
    let dotted: string | undefined;
    const dot = name.startsWith('--') ? name.indexOf('.') : -1;
    if (dot > 2) {
      dotted = name.slice(dot + 1);
      name = name.slice(0, dot);
    }
    let hit = lookupVllmOption(name, table.version);
    if (hit && dotted !== undefined && hit.option.t !== 'json' && hit.option.t !== 'dictstr') hit = undefined;
    // `-O3` / `-O 3`: FlexibleArgumentParser rewrites it to `--optimization-level 3` where that option exists.
    if (!hit && /^-O/.test(name) && !name.startsWith('--')) {
      const level = lookupVllmOption('optimization-level', table.version);
      if (level) {
        hit = level;
        if (name.length > 2) inline = name.slice(name[2] === '=' ? 3 : 2);
        name = '-O';
      }
    }
    // Single-dash short forms take their value attached (`-O3`).
    if (!hit && !name.startsWith('--') && inline === undefined && name.length > 2) {
      for (const o of table.options) {
        const a = (o.a ?? []).find((s) => s.length === 2 && name.startsWith(s));
        if (a) {
          hit = { option: o, negative: false };
          inline = name.slice(2);
          name = a;
          break;
        }
      }
    }
    const nameSpan = spanOfToken(tok, 0, name.length + (dotted !== undefined ? dotted.length + 1 : 0));
    // argparse's abbreviations (vLLM's FlexibleArgumentParser keeps allow_abbrev on): a unique prefix of a long
    // option is that option; one that starts several is refused.
    if (!hit && dotted === undefined && name.startsWith('--') && name.length > 3 && !table.missing.has(normaliseVllmKey(name).replace(/^no-/, ''))) {
      const prefix = abbreviated(normaliseVllmKey(name), table);
      if (prefix.length === 1) {
        hit = { option: prefix[0].option, negative: prefix[0].negative };
        const full = prefix[0].spelling;
        out.issues.push({
          severity: 'information',
          code: 'abbreviated-option',
          message: `${q(name)} abbreviates ${q(full)}: vLLM's argparse accepts a unique prefix, but a later vLLM with another option starting so would refuse it. Write it in full.`,
          span: nameSpan,
        });
      } else if (prefix.length > 1) {
        out.issues.push({
          severity: 'error',
          code: 'ambiguous-option',
          message: `${q(name)} is ambiguous in ${table.label}: it abbreviates ${prefix.slice(0, 4).map((p) => q(p.spelling)).join(', ')}${prefix.length > 4 ? ', …' : ''}; vLLM's argparse stops ("ambiguous option").`,
          span: nameSpan,
        });
        if (inline === undefined && tokens[i + 1] && !isOptionLike(tokens[i + 1])) i++;
        continue;
      }
    }
    if (!hit) {
      unknownOption(name, nameSpan, table, longNames, out.issues);
      if (inline === undefined && tokens[i + 1] && !isOptionLike(tokens[i + 1])) i++;
      continue;
    }
    const { option, negative } = hit;
    if (option.dep) {
      out.issues.push({
        severity: 'warning',
        code: 'deprecated-option',
        message: `${q(name)} is deprecated in ${table.label}: ${option.dep.replace(/^\[DEPRECATED\]\s*/, '')}`,
        span: nameSpan,
      });
    }
    if (option.n === 'config') out.configFile = inline ?? tokens[i + 1]?.value;
    const takesValue = !(option.t === 'bool' || option.t === 'flag') && !negative;
    if (!takesValue) {
      if (inline !== undefined) {
        out.issues.push({ severity: 'error', code: 'unexpected-value', message: `${q(name)} takes no value; vLLM stops with "ignored explicit argument '${inline}'".`, span: spanOfToken(tok) });
      }
      out.entries.push({ name: option.n, value: !negative, span: nameSpan });
      continue;
    }
    const values: { v: string; span: Span }[] = [];
    if (inline !== undefined) values.push({ v: inline, span: spanOfToken(tok, eq + 1) });
    else if (option.t === 'optstr') {
      if (tokens[i + 1] && !isOptionLike(tokens[i + 1])) values.push({ v: tokens[i + 1].value, span: spanOfToken(tokens[++i]) });
    } else {
      while (tokens[i + 1] && !isOptionLike(tokens[i + 1])) {
        values.push({ v: tokens[i + 1].value, span: spanOfToken(tokens[++i]) });
        if (option.t !== 'list') break;
      }
    }
    if (values.length === 0 && option.t !== 'optstr') {
      out.issues.push({ severity: 'error', code: 'missing-value', message: `${q(name)} needs a value; vLLM stops with "expected one argument".`, span: nameSpan });
      continue;
    }
    if (dotted !== undefined) {
      // One key of the JSON: vLLM json.loads the value (or keeps the text); the option as a whole is not a number.
      continue;
    }
    for (const v of values) checkValue(option, name, v.v, v.span, table.label, out.issues, table.version);
    out.entries.push({ name: option.n, value: option.t === 'list' ? values.map((v) => v.v) : values[0]?.v ?? true, span: values[0]?.span ?? nameSpan });
  }
  return out;
}

/** Long option strings per table (`--x`, `--no-x` of booleans, long aliases), for argparse's prefix matching. */
const LONG_SPELLINGS = new WeakMap<object, { spelling: string; option: GeneratedVllmOption; negative: boolean }[]>();

/** The options (one per argparse action) whose long spellings start with `--key`. */
function abbreviated(key: string, table: ReturnType<typeof vllmTable>): { spelling: string; option: GeneratedVllmOption; negative: boolean }[] {
  let all = LONG_SPELLINGS.get(table);
  if (!all) {
    all = [];
    for (const o of table.options) {
      all.push({ spelling: `--${o.n}`, option: o, negative: false });
      if (o.t === 'bool') all.push({ spelling: `--no-${o.n}`, option: o, negative: true });
      for (const a of o.a ?? []) if (a.startsWith('--')) all.push({ spelling: a, option: o, negative: false });
    }
    LONG_SPELLINGS.set(table, all);
  }
  const want = `--${key}`;
  const out: { spelling: string; option: GeneratedVllmOption; negative: boolean }[] = [];
  for (const s of all) if (s.spelling.startsWith(want) && !out.some((x) => x.option === s.option && x.negative === s.negative)) out.push(s);
  return out;
}

/** Issues after which unknown options get no "did you mean" (130,000 of them took 15 s of edit distances). */
const MAX_SUGGESTED = 1000;

function unknownOption(name: string, span: Span, table: ReturnType<typeof vllmTable>, longNames: readonly string[], issues: CommandIssue[]): void {
  const bare = normaliseVllmKey(name).replace(/^no-/, '');
  const missing = table.missing.get(bare);
  if (missing?.removedIn) {
    issues.push({
      severity: 'error',
      code: 'removed-option',
      message: `${q(name)} was removed in vLLM ${missing.removedIn}; vLLM refuses it (table: ${table.label}).${replacementText(missing.replacement)}`,
      span,
    });
    return;
  }
  if (missing?.addedIn) {
    issues.push({
      severity: 'error',
      code: 'unknown-option',
      message: `${q(name)} is not an option of ${table.label}: it was added in vLLM ${missing.addedIn}, and older vLLM refuses unknown options.`,
      span,
    });
    return;
  }
  // Past the first 1,000 issues no message is shown anyway (analysis caps each file's diagnostics): no search.
  const s = issues.length < MAX_SUGGESTED ? suggestName(name, longNames) : undefined;
  issues.push({
    severity: 'error',
    code: 'unknown-option',
    message: `${q(name)} is not a vLLM option in ${table.label}; vLLM stops with "unrecognized arguments".${s ? ` Did you mean ${q('--' + s)}?` : ''}`,
    span,
  });
}

/** "Use `--x` instead." for an option, the source's words otherwise. */
export function replacementText(r: string | undefined): string {
  if (!r) return ' vLLM names no replacement.';
  return r.startsWith('-') ? ` Use \`${r}\` instead.` : ` Replace it with ${r}.`;
}

function checkValue(option: GeneratedVllmOption, name: string, v: string, span: Span, label: string, issues: CommandIssue[], version = ''): void {
  if (deferred(v) || isNoneValue(option, v)) return;
  const bad = (what: string): void => {
    issues.push({ severity: 'error', code: 'invalid-value', message: `${q(name)} takes ${what}, not ${q(v)}; vLLM stops with "invalid … value".`, span });
  };
  switch (option.t) {
    case 'int':
      if (!INT_RE.test(v)) bad('a whole number');
      break;
    case 'hrint':
      if (!HRINT_RE.test(v)) bad('a whole number (32768, or 32k = 32000 / 32K = 32768)');
      break;
    case 'hrint-auto':
      if (!HRINT_RE.test(v) && v !== 'auto' && v !== '-1') bad('a whole number (32768, 32k, 32K) or `auto`');
      break;
    case 'float':
      if (!FLOAT_RE.test(v)) bad('a number');
      break;
    case 'enum': {
      const c = option.c ?? [];
      if (c.includes(option.norm ? v.toLowerCase().replace(/-/g, '_') : v)) break;
      const close = suggestName(v, c);
      issues.push({
        severity: option.open ? 'warning' : 'error',
        code: option.open ? 'unlisted-value' : 'invalid-value',
        message: option.open
          ? `${q(v)} is not one of the values ${label} lists for ${q(name)}; platforms and plugins add values, so check that yours has it.${close ? ` Did you mean ${q(close)}?` : ''}`
          : `${q(v)} is not allowed for ${q(name)} in ${label}; allowed: ${c.map(q).join(', ')}.${close ? ` Did you mean ${q(close)}?` : ''}`,
        span,
      });
      break;
    }
    case 'dictstr':
      // union_dict_and_str: text that looks like a JSON object is json.loads-ed; any other text is kept.
      if (/^\s*\{[\s\S]*\}\s*$/.test(v)) {
        try {
          JSON.parse(v);
        } catch {
          bad('a JSON object or plain text (vLLM json.loads text in braces)');
        }
      }
      break;
    case 'json': {
      const t = v.trim();
      // vLLM 0.8 read a bare number as the compilation level; from 0.9 CompilationConfig is built from a mapping.
      if (INT_RE.test(t) && option.n === 'compilation-config' && /^0\.8(\.|$)/.test(version)) break;
      let parsed: unknown;
      try {
        parsed = JSON.parse(t);
      } catch {
        bad('a JSON object (vLLM json.loads it)');
        break;
      }
      // The *-config options are config classes built from a mapping (pydantic refuses a number or a list there).
      if (option.n.endsWith('-config') && (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))) {
        bad(option.n === 'compilation-config' ? 'a JSON object from vLLM 0.9 on (a bare level was vLLM 0.8\'s; write `-O3`)' : 'a JSON object (vLLM builds its config from a mapping)');
      }
      break;
    }
    default:
      break;
  }
  const range = boundsProblem(option, v, label);
  if (range) issues.push({ severity: 'error', code: 'out-of-range', message: range, span });
}
