// JSON-schema validation (ajv, draft-07) turned into diagnostics people can act on: each one sits on the
// offending key or value, says what is wrong and what is allowed, and offers "did you mean" fixes.
// Validators are compiled once, on first use, so the per-keystroke path only validates.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { KvDiagnostic, QuickFix, Range, Severity } from '../diagnostics';
import profileSchema from '../../../schemas/kvlens-profile.schema.json';
import vllmSchema from '../../../schemas/vllm-config.schema.json';
import llamaSwapSchema from '../../../schemas/llama-swap.schema.json';
import { anchorRange, keyRange, locate, locateNearest, type DocNode, type ParsedDocument, valueRange } from './document';
import { FLOAT_PATTERN, HRINT_AUTO_PATTERN, HRINT_PATTERN, INT_PATTERN, MISSING_OPTIONS, OPEN_CHOICES, UNKNOWN_KEY_SEVERITY } from './schemaBuild';
import { normaliseVllmKey } from './vllm/tables';
import { replacementText } from './vllm/argv';
import { LLAMA_CACHE_TYPES } from '../deployment';

const LLAMA_TYPES: ReadonlySet<string> = new Set(LLAMA_CACHE_TYPES.filter((t) => !['f32', 'f16', 'bf16'].includes(t)));
import { listForMessage, suggestName } from './suggest';
import { aliasFor, missingKeyFix, outOfRangeFix, typeFix } from '../fixes/schema';

export type SchemaId = 'kvlens-profile' | 'vllm' | 'llama-swap';

const SCHEMAS: Record<SchemaId, object> = { 'kvlens-profile': profileSchema, vllm: vllmSchema, 'llama-swap': llamaSwapSchema };
const compiled = new Map<SchemaId, ValidateFunction>();
let ajv: Ajv | undefined;

export function validatorFor(id: SchemaId): ValidateFunction {
  let v = compiled.get(id);
  if (!v) {
    ajv ??= new Ajv({ allErrors: true, verbose: true, strict: false, allowUnionTypes: true });
    v = ajv.compile(SCHEMAS[id]);
    compiled.set(id, v);
  }
  return v;
}

type Schema = Record<string, unknown>;

function pathOf(instancePath: string): string[] {
  if (!instancePath) return [];
  return instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function nameOf(path: readonly string[]): string {
  if (path.length === 0) return 'the document';
  let out = '';
  for (const seg of path) out += /^\d+$/.test(seg) ? `[${seg}]` : out ? `.${seg}` : seg;
  return `\`${out}\``;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'nothing',
};

/** What a schema accepts, in words. */
export function expectedOf(schema: Schema | undefined): string {
  if (!schema) return 'a different value';
  if (Array.isArray(schema.enum)) return `one of ${listForMessage(schema.enum.map(String), 20)}`;
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : schema.type ? [schema.type as string] : [];
  if (schema.pattern === INT_PATTERN) return 'a whole number';
  if (schema.pattern === HRINT_PATTERN) return 'a whole number (such as 32768, or 32k = 32000 / 32K = 32768)';
  if (schema.pattern === HRINT_AUTO_PATTERN) return 'a whole number (such as 32768, 32k = 32000 or 32K = 32768) or `auto`';
  if (schema.pattern === FLOAT_PATTERN) return 'a number';
  if (types.length === 0) return 'a different value';
  const words = types.map((t) => TYPE_WORDS[t] ?? t);
  return words.length === 1 ? words[0] : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

export function describeValue(data: unknown): string {
  if (data === null || data === undefined) return 'nothing';
  if (Array.isArray(data)) return 'a list';
  if (typeof data === 'object') return 'a mapping';
  if (typeof data === 'string') return `\`${data.length > 40 ? data.slice(0, 40) + '…' : data}\``;
  return `\`${String(data)}\``;
}

/** Replacement text that keeps the quoting style of what it replaces. */
function requote(doc: ParsedDocument, start: number, end: number, text: string): string {
  const q = doc.text[start];
  if (q === '"' || q === "'") return doc.lang === 'json' ? JSON.stringify(text) : `${q}${text}${q}`;
  return text;
}

export interface SchemaDiagnosticOptions {
  /** Added to messages about unknown keys at the top level of a vLLM config, etc. */
  subject?: string;
  /** Prefix of the JSON path being validated (when a sub-document is validated on its own). */
  basePath?: readonly string[];
  /** Validate against this schema instead of the shipped one for `id` (a versioned vLLM table). */
  schema?: object;
}

/** Who reads the file and which table KV Lens checked it against, for messages about unknown keys. */
export const SUBJECT_KEY = 'x-kvlens-subject';
export const TABLE_KEY = 'x-kvlens-table';
export const TYPE_MESSAGE_KEY = 'x-kvlens-typeMessage';

const compiledExtra = new Map<object, ValidateFunction>();

/** A validator for a schema built at run time (a vLLM version's table), compiled once per schema object. */
export function validatorForSchema(schema: object): ValidateFunction {
  let v = compiledExtra.get(schema);
  if (!v) {
    ajv ??= new Ajv({ allErrors: true, verbose: true, strict: false, allowUnionTypes: true });
    v = ajv.compile(schema);
    compiledExtra.set(schema, v);
  }
  return v;
}

export function schemaDiagnostics(id: SchemaId, doc: ParsedDocument, value: unknown, opts: SchemaDiagnosticOptions = {}): KvDiagnostic[] {
  const validate = opts.schema ? validatorForSchema(opts.schema) : validatorFor(id);
  if (validate(value)) return [];
  const root = (opts.schema ?? SCHEMAS[id]) as Schema;
  const base = opts.basePath ?? [];
  const out: KvDiagnostic[] = [];
  const seen = new Set<string>();
  for (const e of (validate.errors ?? []).slice(0, 200)) {
    const d = toDiagnostic(doc, e, base, root);
    if (!d) continue;
    const k = `${d.code}|${d.range.start.line}:${d.range.start.character}|${d.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(d);
  }
  return out;
}

function toDiagnostic(doc: ParsedDocument, e: ErrorObject, base: readonly string[], root: Schema): KvDiagnostic | undefined {
  const path = [...base, ...pathOf(e.instancePath)];
  const node = locate(doc.root, path);
  const parent = e.parentSchema as Schema | undefined;
  const schema = e.schema;
  const at = (n: DocNode | undefined): Range => (n ? valueRange(doc, n) : anchorRange(doc, locateNearest(doc.root, path)));
  const name = nameOf(path.slice(base.length).length ? path.slice(base.length) : path);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const member = node?.props?.get(key);
      const props = Object.keys((parent?.properties as Schema | undefined) ?? {});
      const severity = (parent?.[UNKNOWN_KEY_SEVERITY] as Severity | undefined) ?? 'error';
      const suggestion = suggestName(key, props);
      const subject = (parent?.[SUBJECT_KEY] ?? root[SUBJECT_KEY]) as string | undefined;
      const table = (parent?.[TABLE_KEY] ?? root[TABLE_KEY]) as string | undefined;
      const where = path.length > base.length ? ` in ${nameOf(path.slice(base.length))}` : '';
      let message: string;
      const missing = subject === 'vLLM'
        ? ((parent?.[MISSING_OPTIONS] ?? root[MISSING_OPTIONS]) as Record<string, { removedIn?: string; replacement?: string; addedIn?: string }> | undefined)?.[normaliseVllmKey(key).replace(/^no-/, '')]
        : undefined;
      if (missing?.removedIn) {
        // The option existed in an older vLLM: say when it went and what replaced it, as vLLM's source says.
        const replacement = replacementText(missing.replacement);
        return {
          severity: 'error',
          code: 'removed-option',
          message: `\`${key}\` was removed in vLLM ${missing.removedIn}; vLLM refuses it (table: ${table ?? 'vLLM'}).${replacement}`,
          range: member ? keyRange(doc, member) : at(node),
        };
      }
      if (missing?.addedIn) {
        return {
          severity: 'error',
          code: 'unknown-key',
          message: `\`${key}\` is not an option of ${table ?? 'this vLLM'}: it was added in vLLM ${missing.addedIn}, and older vLLM refuses unknown options.`,
          range: member ? keyRange(doc, member) : at(node),
        };
      }
      if (subject === 'vLLM') {
        // vLLM's argparse refuses an option it does not know, so this is the error vLLM would stop with.
        message = `\`${key}\` is not a vLLM option in ${table ?? 'the vLLM table'}: vLLM refuses unknown options`;
      } else if (subject === 'llama-swap') {
        // llama-swap decodes with yaml.v3 without KnownFields: an unknown key is silently ignored.
        message = `\`${key}\`${where} is not a llama-swap setting${table ? ` (${table})` : ''}: llama-swap ignores it`;
      } else {
        message = `Unknown key \`${key}\`${where}`;
      }
      if (suggestion) message += `; did you mean \`${suggestion}\`?`;
      else if (!subject) message += `. Allowed keys: ${listForMessage(props, 14)}.`;
      else message += '.';
      const range = member ? keyRange(doc, member) : at(node);
      const fixes: QuickFix[] = [];
      if (suggestion && member?.keyStart !== undefined) {
        fixes.push({
          title: `Change to \`${suggestion}\``,
          preferred: true,
          edits: [{ range, newText: requote(doc, member.keyStart, member.keyEnd ?? member.keyStart, suggestion) }],
        });
      }
      return { severity, code: 'unknown-key', message, range, fixes: fixes.length ? fixes : undefined };
    }
    case 'required': {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      const desc = ((parent?.properties as Record<string, Schema> | undefined)?.[missing]?.description as string | undefined) ?? '';
      const inWhat = path.length > base.length ? ` in ${name}` : '';
      const fix = missingKeyFix(doc, node, missing);
      return {
        severity: 'error',
        code: 'missing-key',
        message: `Missing required key \`${missing}\`${inWhat}.${desc ? ` ${desc}` : ''}`,
        range: anchorRange(doc, node ?? locateNearest(doc.root, path)),
        fixes: fix ? [fix] : undefined,
      };
    }
    case 'type':
    case 'pattern': {
      const fix = typeFix(doc, node, parent, e.data);
      if (e.keyword === 'type' && typeof parent?.[TYPE_MESSAGE_KEY] === 'string') {
        return { severity: 'error', code: 'invalid-type', message: `${capital(name)}: ${parent[TYPE_MESSAGE_KEY] as string}.`, range: at(node), fixes: fix ? [fix] : undefined };
      }
      return {
        severity: 'error',
        code: 'invalid-type',
        message: `${capital(name)} must be ${expectedOf(parent)}; found ${describeValue(e.data)}.`,
        range: at(node),
        fixes: fix ? [fix] : undefined,
      };
    }
    case 'enum': {
      const allowed = [...new Set((schema as unknown[]).map(String))];
      // Another engine's spelling first (`q8_0` in vLLM's kv-cache-dtype means fp8), then the nearest name.
      const meant = typeof e.data === 'string' ? aliasFor(e.data, allowed) ?? suggestName(e.data, allowed) : undefined;
      if (parent?.[OPEN_CHOICES]) {
        // Platforms and plugins add values to this list (e.g. kv-cache-dtype): unknown here is not wrong there.
        const suggestion = meant;
        const range = at(node);
        return {
          severity: 'warning',
          code: 'unlisted-value',
          message: `${capital(name)}: ${describeValue(e.data)} is not one of the values ${(root[TABLE_KEY] as string | undefined) ?? 'this vLLM'} lists (${listForMessage(allowed, 20)}); platforms and plugins add values, so check that yours has it.${LLAMA_TYPES.has(String(e.data)) ? ` (${describeValue(e.data)} is a llama.cpp cache type; vLLM's 8-bit KV cache is \`fp8\`.)` : ''}${suggestion ? ` Did you mean \`${suggestion}\`?` : ''}`,
          range,
          fixes: suggestion && node ? [{ title: `Change to \`${suggestion}\``, preferred: true, edits: [{ range, newText: requote(doc, node.start, node.end, suggestion) }] }] : undefined,
        };
      }
      const suggestion = meant;
      const range = at(node);
      const fixes: QuickFix[] | undefined =
        suggestion && node
          ? [{ title: `Change to \`${suggestion}\``, preferred: true, edits: [{ range, newText: requote(doc, node.start, node.end, suggestion) }] }]
          : undefined;
      return {
        severity: 'error',
        code: 'invalid-value',
        message: `${capital(name)} must be one of ${listForMessage(allowed, 20)}; found ${describeValue(e.data)}.${suggestion ? ` Did you mean \`${suggestion}\`?` : ''}`,
        range,
        fixes,
      };
    }
    case 'const':
      return { severity: 'error', code: 'invalid-value', message: `${capital(name)} must be ${describeValue(schema)}; found ${describeValue(e.data)}.`, range: at(node) };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const words: Record<string, string> = { minimum: 'at least', maximum: 'at most', exclusiveMinimum: 'greater than', exclusiveMaximum: 'less than' };
      const bounds = boundsText(parent);
      const range = at(node);
      const fix = outOfRangeFix(parent, e.data, range, node ? doc.text.slice(node.start, node.end) : undefined);
      return {
        severity: 'error',
        code: 'out-of-range',
        message: `${capital(name)} must be ${words[e.keyword]} ${String(schema)}${bounds ? ` (allowed: ${bounds})` : ''}; found ${describeValue(e.data)}.`,
        range,
        fixes: fix ? [fix] : undefined,
      };
    }
    case 'minItems':
      return { severity: 'error', code: 'invalid-value', message: `${capital(name)} must list at least ${String(schema)} item${schema === 1 ? '' : 's'}.`, range: at(node) };
    case 'minLength':
      return { severity: 'error', code: 'invalid-value', message: `${capital(name)} must not be empty.`, range: at(node) };
    case 'if':
    case 'anyOf':
    case 'oneOf':
      return undefined;
    default:
      return { severity: 'error', code: 'invalid-value', message: `${capital(name)} ${e.message ?? 'is not valid'}.`, range: at(node) };
  }
}

function boundsText(s: Schema | undefined): string | undefined {
  if (!s) return undefined;
  const lo = s.exclusiveMinimum !== undefined ? `(${String(s.exclusiveMinimum)}` : s.minimum !== undefined ? `[${String(s.minimum)}` : undefined;
  const hi = s.exclusiveMaximum !== undefined ? `${String(s.exclusiveMaximum)})` : s.maximum !== undefined ? `${String(s.maximum)}]` : undefined;
  if (lo && hi) return `${lo}, ${hi}`;
  return undefined;
}

function capital(s: string): string {
  return s.startsWith('`') ? s : s.charAt(0).toUpperCase() + s.slice(1);
}
