// `python -m sglang.launch_server …` arguments checked against SGLang's option table (generated from
// server_args.py at a release tag by scripts/gen-sglang-options.py) as its plain argparse parser reads them:
// `--name value` / `--name=value`, other spellings (`--tp-size`), unique prefixes (argparse's allow_abbrev),
// nargs lists. The options that size a deployment are mapped onto vLLM's names (vllm/settings.ts reads those).
// The table is one release: an option it lacks may be newer, so unknown options and unlisted choices are
// warnings that name the table; a value of the wrong type is an error (argparse stops on it).
import type { Span } from '../llamacpp/parse';
import type { ArgToken } from '../llamacpp/tokenize';
import { spanOfToken } from '../commands/spans';
import { suggestName } from '../suggest';
import type { CommandIssue } from '../vllm/argv';
import { SGLANG_TABLE } from './table.generated';
import type { GeneratedSglangOption } from './tableTypes';

/** SGLang option (canonical name) → the vLLM option of the same meaning. */
const AS_VLLM: Record<string, string> = {
  'model-path': 'model',
  'tensor-parallel-size': 'tensor-parallel-size',
  'pipeline-parallel-size': 'pipeline-parallel-size',
  'data-parallel-size': 'data-parallel-size',
  'context-length': 'max-model-len',
  'max-running-requests': 'max-num-seqs',
  'kv-cache-dtype': 'kv-cache-dtype',
  dtype: 'dtype',
  quantization: 'quantization',
  'served-model-name': 'served-model-name',
};

/** How messages name the table: "SGLang 0.5.10.post1 (v0.5.10.post1 @7c35342)". */
export const SGLANG_LABEL = `SGLang ${SGLANG_TABLE.version} (${SGLANG_TABLE.tag} @${SGLANG_TABLE.commit.slice(0, 7)})`;

let spellings: Map<string, GeneratedSglangOption> | undefined;
function bySpelling(): Map<string, GeneratedSglangOption> {
  if (!spellings) {
    spellings = new Map();
    for (const o of SGLANG_TABLE.options) {
      spellings.set(`--${o.n}`, o);
      for (const a of o.a ?? []) spellings.set(a, o);
    }
  }
  return spellings;
}

/** An option by exact spelling, else by a unique prefix of a long spelling (argparse's abbreviations). */
export function lookupSglangOption(name: string): { option?: GeneratedSglangOption; ambiguous?: string[] } {
  const exact = bySpelling().get(name);
  if (exact) return { option: exact };
  if (!name.startsWith('--') || name.length < 3) return {};
  const hits = new Map<string, GeneratedSglangOption>();
  const spelled: string[] = [];
  for (const [s, o] of bySpelling()) {
    if (s.startsWith('--') && s.startsWith(name)) {
      hits.set(o.n, o);
      spelled.push(s);
    }
  }
  if (hits.size === 1) return { option: [...hits.values()][0] };
  return hits.size > 1 ? { ambiguous: spelled } : {};
}

const INT_RE = /^-?[0-9]+$/;
/** SGLang's human_readable_int (srt/utils/common.py): SI k/M/G/T (decimals allowed), IEC Ki/Mi/Gi/Ti, case-sensitive. */
const HRINT_RE = /^([0-9]+(\.[0-9]+)?(k|M|G|T)|[0-9]+(Ki|Mi|Gi|Ti))$/;
const SI: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** A human-readable int as SGLang reads it (32k = 32000, 32Ki = 32768), else the text. */
export function sglangInt(v: string): string {
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T)$/.exec(v.trim());
  return m ? String(Math.round(Number(m[1]) * SI[m[2]])) : v;
}
const FLOAT_RE = /^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/;

function q(s: string): string {
  return '`' + s + '`';
}

function isOptionLike(t: ArgToken | undefined): boolean {
  return !!t && t.value.startsWith('-') && t.value.length > 1 && !FLOAT_RE.test(t.value);
}

export function parseSglangArgv(tokens: readonly ArgToken[]): {
  entries: { name: string; value: unknown; span: Span }[];
  issues: CommandIssue[];
} {
  const entries: { name: string; value: unknown; span: Span }[] = [];
  const issues: CommandIssue[] = [];
  const longNames = SGLANG_TABLE.options.map((o) => o.n);
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    const text = tok.value;
    if (!isOptionLike(tok)) {
      if (text.includes('$')) continue;
      issues.push({
        severity: 'error',
        code: 'unexpected-argument',
        message: `${q(text)} is not an option and no option before it takes a value; SGLang stops with "unrecognized arguments" (${SGLANG_LABEL}).`,
        span: spanOfToken(tok),
      });
      continue;
    }
    const eq = text.indexOf('=');
    const name = eq > 1 ? text.slice(0, eq) : text;
    const inline = eq > 1 ? text.slice(eq + 1) : undefined;
    const nameSpan = spanOfToken(tok, 0, name.length);
    const hit = lookupSglangOption(name);
    if (hit.ambiguous) {
      issues.push({
        severity: 'error',
        code: 'ambiguous-option',
        message: `${q(name)} is ambiguous in ${SGLANG_LABEL}: it abbreviates ${hit.ambiguous.slice(0, 4).map(q).join(', ')}${hit.ambiguous.length > 4 ? ', …' : ''}; argparse stops.`,
        span: nameSpan,
      });
      if (inline === undefined && tokens[i + 1] && !isOptionLike(tokens[i + 1])) i++;
      continue;
    }
    const option = hit.option;
    if (!option) {
      const s = suggestName(name.replace(/^-+/, ''), longNames);
      issues.push({
        severity: 'warning',
        code: 'unknown-option',
        message: `${q(name)} is not an option of ${SGLANG_LABEL}; SGLang refuses unknown options unless yours is newer and has it.${s ? ` Did you mean ${q('--' + s)}?` : ''}`,
        span: nameSpan,
      });
      if (inline === undefined && tokens[i + 1] && !isOptionLike(tokens[i + 1])) i++;
      continue;
    }
    if (option.dep) {
      issues.push({ severity: 'warning', code: 'deprecated-option', message: `${q(name)} is deprecated in ${SGLANG_LABEL}: ${option.dep}`, span: nameSpan });
    }
    if (option.t === 'flag' || option.t === 'bool') {
      if (inline !== undefined) {
        issues.push({ severity: 'error', code: 'unexpected-value', message: `${q(name)} takes no value; argparse stops with "ignored explicit argument '${inline}'".`, span: spanOfToken(tok) });
      }
      continue;
    }
    const values: { v: string; span: Span }[] = [];
    if (inline !== undefined) values.push({ v: inline, span: spanOfToken(tok, eq + 1) });
    else {
      while (tokens[i + 1] && !isOptionLike(tokens[i + 1])) {
        values.push({ v: tokens[i + 1].value, span: spanOfToken(tokens[++i]) });
        if (option.t !== 'list') break;
      }
    }
    if (values.length === 0) {
      if (option.t !== 'optstr' && option.t !== 'list') {
        issues.push({ severity: 'error', code: 'missing-value', message: `${q(name)} needs a value; argparse stops with "expected one argument".`, span: nameSpan });
      }
      continue;
    }
    for (const v of values) checkValue(option, name, v.v, v.span, issues);
    const as = AS_VLLM[option.n];
    if (as) entries.push({ name: as, value: option.t === 'hrint' ? sglangInt(values[0].v) : values[0].v, span: values[0].span });
  }
  return { entries, issues };
}

function checkValue(option: GeneratedSglangOption, name: string, v: string, span: Span, issues: CommandIssue[]): void {
  if (v.includes('$')) return;
  const bad = (what: string): void => {
    issues.push({ severity: 'error', code: 'invalid-value', message: `${q(name)} takes ${what}, not ${q(v)}; argparse stops with "invalid … value" (${SGLANG_LABEL}).`, span });
  };
  switch (option.t) {
    case 'int':
      if (!INT_RE.test(v)) bad('a whole number');
      break;
    case 'hrint':
      if (!HRINT_RE.test(v) && !INT_RE.test(v)) bad('a whole number (32768, or 32k = 32000 / 32Ki = 32768)');
      break;
    case 'float':
      if (!FLOAT_RE.test(v)) bad('a number');
      break;
    case 'enum':
    case 'list': {
      const c = option.c;
      if (!c || c.includes(v)) break;
      const close = suggestName(v, c);
      issues.push({
        severity: 'warning',
        code: 'unlisted-value',
        message: `${q(v)} is not one of the values ${SGLANG_LABEL} allows for ${q(name)} (${c.slice(0, 12).map(q).join(', ')}${c.length > 12 ? ', …' : ''}); SGLang refuses it unless yours is newer and has it.${close ? ` Did you mean ${q(close)}?` : ''}`,
        span,
      });
      break;
    }
    case 'json':
      try {
        JSON.parse(v);
      } catch {
        bad('a JSON value (SGLang json.loads it)');
      }
      break;
    default:
      break;
  }
}
