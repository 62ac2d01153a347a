// Quick fixes for schema errors where one fix is the obvious one, derived from the schema itself (bounds, enums,
// required keys) plus a few spellings people carry over from other engines. schemaDiagnostics.ts calls these.
//   gpu-memory-utilization: 92        → 0.92    (a percentage written for a fraction)
//   kv-cache-dtype: q8_0               → fp8     (a llama.cpp cache type in a vLLM option)
//   engine: llama.cpp                  → engine: {kind: llama.cpp}   (a scalar where a mapping with `kind` goes)
//   max-model-len: "32768" in an int   → 32768
//   targets: h100-sxm                  → [h100-sxm]
//   engine: {args: …} without kind     → kind: llama.cpp   (what the other keys say it is)
import type { QuickFix, Range } from '../diagnostics';
import type { DocNode, ParsedDocument } from '../formats/document';
import { valueRange } from '../formats/document';

type Schema = Record<string, unknown>;

/** llama.cpp / PyTorch spellings of KV-cache and data types → what vLLM calls them. */
const VLLM_SPELLINGS: Record<string, string[]> = {
  q8_0: ['fp8'], q4_0: ['fp8'], q4_1: ['fp8'], q5_0: ['fp8'], q5_1: ['fp8'], iq4_nl: ['fp8'], int8: ['fp8'], fp8e4m3: ['fp8_e4m3'], e4m3: ['fp8_e4m3'], e5m2: ['fp8_e5m2'],
  f16: ['float16', 'auto'], fp16: ['float16', 'auto'], half: ['float16'], bf16: ['bfloat16', 'auto'], f32: ['float32'], fp32: ['float32'],
};
/** vLLM spellings → llama.cpp cache types (a vLLM habit in `-ctk`). */
const LLAMA_SPELLINGS: Record<string, string[]> = { fp8: ['q8_0'], fp8_e4m3: ['q8_0'], int8: ['q8_0'], float16: ['f16'], fp16: ['f16'], bfloat16: ['bf16'], float32: ['f32'], auto: ['f16'] };

/** The allowed value someone most likely meant, from the spellings of the other engine. */
export function aliasFor(value: string, allowed: readonly string[]): string | undefined {
  const v = value.trim().toLowerCase();
  for (const table of [VLLM_SPELLINGS, LLAMA_SPELLINGS]) {
    for (const cand of table[v] ?? []) if (allowed.includes(cand)) return cand;
  }
  return undefined;
}

function isNumberSchema(s: Schema | undefined): boolean {
  const t = s?.type;
  return t === 'number' || t === 'integer' || (Array.isArray(t) && (t.includes('number') || t.includes('integer')));
}

function fmt(n: number): string {
  return String(Number(n.toPrecision(12)));
}

/**
 * A value out of its bounds: a percentage written for a fraction (92 → 0.92 where the maximum is 1), otherwise
 * the nearest allowed value when the bound is inclusive (or, for integers, one step inside an exclusive one).
 */
export function outOfRangeFix(schema: Schema | undefined, data: unknown, range: Range, raw: string | undefined): QuickFix | undefined {
  if (!schema || typeof data !== 'number' && typeof data !== 'string') return undefined;
  const n = typeof data === 'number' ? data : Number(data);
  if (!Number.isFinite(n)) return undefined;
  const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  const xmax = typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum : undefined;
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  const xmin = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : undefined;
  const integer = schema.type === 'integer';
  const q = raw && /^["']/.test(raw) ? raw[0] : '';
  const write = (v: number) => `${q}${fmt(v)}${q}`;
  const top = max ?? xmax;
  if (top === 1 && !integer && n > 1 && n <= 100) {
    const v = n / 100;
    return { title: `Write ${fmt(v)} (${fmt(n)} % as a fraction)`, preferred: true, edits: [{ range, newText: write(v) }] };
  }
  if (max !== undefined && n > max) return { title: `Use the maximum, ${fmt(max)}`, preferred: true, edits: [{ range, newText: write(max) }] };
  if (min !== undefined && n < min) return { title: `Use the minimum, ${fmt(min)}`, preferred: true, edits: [{ range, newText: write(min) }] };
  if (integer && xmin !== undefined && n <= xmin) return { title: `Use ${fmt(Math.floor(xmin) + 1)}`, preferred: true, edits: [{ range, newText: write(Math.floor(xmin) + 1) }] };
  if (integer && xmax !== undefined && n >= xmax) return { title: `Use ${fmt(Math.ceil(xmax) - 1)}`, preferred: true, edits: [{ range, newText: write(Math.ceil(xmax) - 1) }] };
  return undefined;
}

/** The indentation of the line a node's key is on. */
function keyIndent(doc: ParsedDocument, node: DocNode): string {
  const at = node.keyStart ?? node.start;
  const lineStart = doc.text.lastIndexOf('\n', at - 1) + 1;
  return /^[ \t]*/.exec(doc.text.slice(lineStart))?.[0] ?? '';
}

/** Replaces a value node, from just after its key's colon in YAML (so no trailing space is left). */
function replaceValue(doc: ParsedDocument, node: DocNode, newText: string, block: boolean): Range {
  if (doc.lang === 'yaml' && block) {
    let s = node.start;
    while (s > 0 && (doc.text[s - 1] === ' ' || doc.text[s - 1] === '\t')) s--;
    return doc.lines.range(s, node.end);
  }
  return valueRange(doc, node);
}

function yamlScalar(v: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(v) ? v : JSON.stringify(v);
}

/**
 * A value of the wrong type with one obvious correction: a number in quotes, a single item where a list goes, or a
 * word where a mapping goes whose required key takes exactly that word (`engine: llama.cpp`).
 */
export function typeFix(doc: ParsedDocument, node: DocNode | undefined, schema: Schema | undefined, data: unknown): QuickFix | undefined {
  if (!node || !schema) return undefined;
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : schema.type ? [String(schema.type)] : [];
  const range = valueRange(doc, node);
  if (isNumberSchema(schema) && typeof data === 'string' && /^-?\d+(\.\d+)?$/.test(data.trim())) {
    if (types.includes('string')) return undefined;
    return { title: `Write ${data.trim()} as a number`, preferred: true, edits: [{ range, newText: data.trim() }] };
  }
  if (types.includes('array') && !types.includes('string') && (typeof data === 'string' || typeof data === 'number')) {
    const raw = doc.text.slice(node.start, node.end);
    return { title: `Make it a list: [${raw}]`, preferred: true, edits: [{ range, newText: `[${raw}]` }] };
  }
  if (types.length === 1 && types[0] === 'object' && typeof data === 'string') {
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
    for (const key of required) {
      const allowed = props[key]?.enum;
      if (!Array.isArray(allowed) || !allowed.map(String).includes(data)) continue;
      if (doc.lang === 'json') {
        return { title: `Write {"${key}": "${data}"}`, preferred: true, edits: [{ range, newText: `{ ${JSON.stringify(key)}: ${JSON.stringify(data)} }` }] };
      }
      const indent = keyIndent(doc, node) + '  ';
      const nl = doc.text.includes('\r\n') ? '\r\n' : '\n';
      return {
        title: `Write it as a mapping: ${key}: ${data}`,
        preferred: true,
        edits: [{ range: replaceValue(doc, node, '', true), newText: `${nl}${indent}${key}: ${yamlScalar(data)}` }],
      };
    }
  }
  return undefined;
}

/** A missing required key whose value the sibling keys give away (`kind` from `args`/`options`). */
export function missingKeyFix(doc: ParsedDocument, node: DocNode | undefined, missing: string): QuickFix | undefined {
  if (!node || node.type !== 'object' || missing !== 'kind') return undefined;
  const has = (k: string) => node.props?.has(k) ?? false;
  const kind = has('args') && !has('options') ? 'llama.cpp' : has('options') && !has('args') ? 'vllm' : undefined;
  if (!kind) return undefined;
  const first = node.members?.[0];
  if (!first || first.keyStart === undefined) return undefined;
  if (doc.lang === 'json') {
    const at = doc.lines.range(first.keyStart, first.keyStart);
    return { title: `Add "kind": "${kind}"`, preferred: true, edits: [{ range: at, newText: `"kind": "${kind}", ` }] };
  }
  const lineStart = doc.text.lastIndexOf('\n', first.keyStart - 1) + 1;
  const indent = doc.text.slice(lineStart, first.keyStart);
  // Block mapping: a new line above the first key; flow mapping (`{args: …}`): before the first key.
  if (/^[ \t]*$/.test(indent)) {
    const nl = doc.text.includes('\r\n') ? '\r\n' : '\n';
    const at = doc.lines.range(lineStart, lineStart);
    return { title: `Add kind: ${kind}`, preferred: true, edits: [{ range: at, newText: `${indent}kind: ${kind}${nl}` }] };
  }
  const at = doc.lines.range(first.keyStart, first.keyStart);
  return { title: `Add kind: ${kind}`, preferred: true, edits: [{ range: at, newText: `kind: ${kind}, ` }] };
}

/** The same fix for a bound from vLLM's generated option table (min/xmin/max/xmax; ints for int kinds). */
export function boundsFix(b: { min?: number; xmin?: number; max?: number; xmax?: number } | undefined, integer: boolean, data: unknown, range: Range, raw: string | undefined): QuickFix | undefined {
  if (!b) return undefined;
  return outOfRangeFix({ minimum: b.min, exclusiveMinimum: b.xmin, maximum: b.max, exclusiveMaximum: b.xmax, type: integer ? 'integer' : 'number' } as Schema, data, range, raw);
}
