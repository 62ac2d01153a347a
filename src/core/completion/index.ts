// Completion for KV Lens profiles, vLLM configs and llama-swap files without any other extension: keys and
// values from our JSON schemas (with their descriptions), llama.cpp flags and their values inside `args` strings
// and lists and llama-swap `cmd` blocks, KV-cache types, hardware target ids (with memory) and model ids.
// Pure: the editor layer (src/vscode/providers/completion.ts) only converts the items.
import type { ConfigFormat } from '../deployment';
import profileSchema from '../../../schemas/kvlens-profile.schema.json';
import vllmSchema from '../../../schemas/vllm-config.schema.json';
import llamaSwapSchema from '../../../schemas/llama-swap.schema.json';
import { resolveLlamaBuild } from '../formats/llamacpp/flags';
import { llamaBuildForText } from '../formats/profile';
import type { FlagSpec } from '../formats/llamacpp/flagTypes';
import { jsonContext, yamlContext, type CursorContext, type PathSeg } from './context';
import { bytesPerElement } from '../estimator/cacheTypes';

// For hovers (the editor's core surface takes the completion module whole).
export { llamaBuildForText };

/** `1.0625 B/element · 53 % of f16` for a KV cache type: what choosing it does to the KV bytes. */
function cacheTypeDetail(t: string): string | undefined {
  const b = bytesPerElement(t);
  return b === undefined ? undefined : `${Number(b.toFixed(4))} B/element · ${Math.round((b / 2) * 100)} % of f16`;
}

type Schema = Record<string, unknown>;

export type CompletionKind = 'property' | 'value' | 'enum' | 'flag' | 'target' | 'model' | 'keyword';

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  /** Text inserted in place of `replace`. */
  insertText: string;
  /** Offsets [start, end) replaced. */
  replace: [number, number];
  detail?: string;
  /** Markdown. */
  documentation?: string;
  /** Orders entries (lower first). */
  sortText?: string;
  /** Text VS Code filters on when it differs from the label (e.g. a quoted insert). */
  filterText?: string;
}

export interface HardwareChoice {
  id: string;
  name: string;
  memoryBytes: number;
  aliases?: readonly string[];
  custom?: boolean;
}

export interface CompletionOptions {
  format: ConfigFormat;
  lang: 'yaml' | 'json';
  hardware: readonly HardwareChoice[];
  /** Catalog ids, then local model files near the document (`./models/x.gguf`). */
  models: readonly { id: string; detail?: string }[];
  /** The llama.cpp build whose flags are offered (kvlens.llamaCpp.build): bundled (default), upstream, b8914. */
  llamaCppBuild?: string;
}

const SCHEMAS: Partial<Record<ConfigFormat, Schema>> = {
  'kvlens-profile': profileSchema as Schema,
  vllm: vllmSchema as Schema,
  'llama-swap': llamaSwapSchema as Schema,
};

/** llama-server's flags in a build's table (removed ones left out), one list per table. */
const serverFlagLists = new Map<string, readonly FlagSpec[]>();
function serverFlags(build?: string): readonly FlagSpec[] {
  const b = resolveLlamaBuild(build);
  let list = serverFlagLists.get(b.id);
  if (!list) serverFlagLists.set(b.id, (list = b.specs.filter((f) => f.tools.has('llama-server') && !f.removed)));
  return list;
}

function deref(root: Schema, s: Schema | undefined, depth = 0): Schema | undefined {
  if (!s || depth > 8) return s;
  const ref = s.$ref;
  if (typeof ref === 'string' && ref.startsWith('#/')) {
    let n: unknown = root;
    for (const seg of ref.slice(2).split('/')) n = (n as Record<string, unknown> | undefined)?.[seg];
    return deref(root, n as Schema | undefined, depth + 1);
  }
  return s;
}

/** The schema that describes the value at `path` (properties, list items, additionalProperties). */
export function schemaAt(root: Schema, path: readonly PathSeg[]): Schema | undefined {
  let s: Schema | undefined = deref(root, root);
  for (const seg of path) {
    if (!s) return undefined;
    if (typeof seg === 'number') {
      s = deref(root, s.items as Schema | undefined);
      continue;
    }
    const props = s.properties as Record<string, Schema> | undefined;
    let next = props?.[seg];
    if (!next && props && s.format === undefined) {
      // vLLM accepts `max_model_len` for `max-model-len`.
      const alt = seg.includes('_') ? seg.replace(/_/g, '-') : undefined;
      if (alt) next = props[alt];
    }
    if (!next && typeof s.additionalProperties === 'object') next = s.additionalProperties as Schema;
    s = deref(root, next);
  }
  return s;
}

function typesOf(s: Schema | undefined): string[] {
  if (!s) return [];
  return Array.isArray(s.type) ? (s.type as string[]) : s.type ? [String(s.type)] : [];
}

function yamlValue(v: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(v) && !/^(true|false|null|yes|no|on|off|~)$/i.test(v) && !/^[0-9.]+$/.test(v) ? v : JSON.stringify(v);
}

/** A value as the file's language writes it, inside existing quotes or with its own. */
function valueText(ctx: CursorContext, v: string | number | boolean, asString: boolean): string {
  if (ctx.quoted) return String(v);
  if (!asString) return String(v);
  return ctx.lang === 'json' ? JSON.stringify(String(v)) : yamlValue(String(v));
}

function describe(s: Schema | undefined): string | undefined {
  if (!s) return undefined;
  const t = typesOf(s);
  if (Array.isArray(s.enum)) return (s.enum as unknown[]).slice(0, 8).map(String).join(' | ') + ((s.enum as unknown[]).length > 8 ? ' | …' : '');
  return t.join(' | ') || undefined;
}

function keyEntries(ctx: CursorContext, schema: Schema | undefined, root: Schema): CompletionEntry[] {
  const props = (schema?.properties ?? {}) as Record<string, Schema>;
  const required = new Set(Array.isArray(schema?.required) ? (schema!.required as string[]) : []);
  const present = new Set(ctx.siblings);
  const out: CompletionEntry[] = [];
  for (const [key, raw] of Object.entries(props)) {
    if (present.has(key) || key === '$schema') continue;
    const p = deref(root, raw);
    const t = typesOf(p);
    const container = t.length === 1 && (t[0] === 'object' || t[0] === 'array');
    let insert: string;
    if (ctx.lang === 'json') insert = ctx.quoted ? `${JSON.stringify(key)}: ` : `${JSON.stringify(key)}: `;
    else insert = container && t[0] === 'object' ? `${key}:\n${' '.repeat(2)}` : `${key}: `;
    out.push({
      label: key,
      kind: 'property',
      insertText: insert,
      replace: ctx.replace,
      detail: describe(p),
      documentation: typeof p?.description === 'string' ? p.description : undefined,
      sortText: `${required.has(key) ? '0' : '1'}${key}`,
      filterText: ctx.lang === 'json' ? JSON.stringify(key) : key,
    });
  }
  return out;
}

function isPathLike(path: readonly PathSeg[], ...pattern: (string | number | '*')[]): boolean {
  if (path.length !== pattern.length) return false;
  return pattern.every((p, i) => p === '*' ? true : p === path[i]);
}

const GIB = 1024 ** 3;

function targetEntries(ctx: CursorContext, o: CompletionOptions): CompletionEntry[] {
  const out: CompletionEntry[] = [];
  const list = [...o.hardware, { id: 'local', name: 'This machine (detected: CPU, RAM, GPUs)', memoryBytes: 0 }];
  list.forEach((h, i) => {
    const mem = h.memoryBytes > 0 ? `${Math.round(h.memoryBytes / GIB)} GB` : '';
    const aliases = h.aliases?.length ? ` (also: ${h.aliases.join(', ')})` : '';
    out.push({
      label: h.id,
      kind: 'target',
      insertText: valueText(ctx, h.id, true),
      replace: ctx.replace,
      detail: [h.name, mem].filter(Boolean).join(' · '),
      documentation: `**${h.name}**${mem ? ` — ${mem} per device` : ''}${h.custom ? ' (from kvlens.targets.custom)' : ''}${aliases}`,
      sortText: `${h.custom ? '0' : '1'}${String(i).padStart(4, '0')}`,
      // Typing a name people say ("4090", "rtx 4090") finds the id.
      filterText: [h.id, h.name, ...(h.aliases ?? [])].join(' '),
    });
  });
  return out;
}

function modelEntries(ctx: CursorContext, o: CompletionOptions): CompletionEntry[] {
  return o.models.map((m, i) => ({
    label: m.id,
    kind: 'model' as const,
    insertText: valueText(ctx, m.id, true),
    replace: ctx.replace,
    detail: m.detail,
    sortText: String(i).padStart(5, '0'),
  }));
}

function flagDoc(f: FlagSpec): string {
  const names = [...f.names, ...f.negNames].map((n) => `\`${n}\``).join(', ');
  const values = f.values?.length ? `\n\nValues: ${f.values.map((v) => `\`${v}\``).join(', ')}` : f.hint ? `\n\nValue: \`${f.hint}\`` : '';
  return `${names}\n\n${f.description}${values}${f.deprecated ? `\n\nDeprecated: ${f.deprecated}` : ''}`;
}

/** The flags most people set when sizing a server, first. */
const COMMON = ['--ctx-size', '--parallel', '--cache-type-k', '--cache-type-v', '--flash-attn', '--n-gpu-layers', '--model', '--hf-repo', '--kv-unified', '--batch-size', '--ubatch-size', '--threads', '--port', '--host', '--model-draft'];

/** llama.cpp flags, or a flag's values, at the end of `before` (the args string or cmd text up to the cursor). */
export function flagEntries(before: string, offset: number, build?: string): CompletionEntry[] {
  const SERVER_FLAGS = serverFlags(build);
  const tokens = before.split(/\s+/);
  const cur = tokens[tokens.length - 1] ?? '';
  const prev = tokens.length > 1 ? tokens[tokens.length - 2] : '';
  const replace: [number, number] = [offset - cur.length, offset];
  const prevSpec = prev.startsWith('-') ? SERVER_FLAGS.find((f) => f.names.includes(prev) || f.negNames.includes(prev)) : undefined;
  const takesValue = prevSpec && prevSpec.kind !== 'none' && prevSpec.kind !== 'bool';
  if (takesValue && !cur.startsWith('-')) {
    const values = prevSpec.values ?? (prevSpec.kind === 'gpuLayers' ? ['auto', 'all', '99', '0'] : []);
    const cache = prevSpec.sets === 'cacheTypeK' || prevSpec.sets === 'cacheTypeV';
    return values.map((v, i) => ({
      label: v, kind: 'enum' as const, insertText: v, replace,
      detail: (cache ? cacheTypeDetail(v) : undefined) ?? prevSpec.canonical,
      documentation: cache && prevSpec.sets === 'cacheTypeV' && !['f32', 'f16', 'bf16'].includes(v) ? `${prevSpec.description}\n\nA quantized V cache needs flash attention (\`-fa on\` or \`auto\`).` : prevSpec.description,
      sortText: String(i).padStart(3, '0'),
    }));
  }
  if (cur && !cur.startsWith('-')) return [];
  const out: CompletionEntry[] = [];
  for (const f of SERVER_FLAGS) {
    for (const name of [...f.names, ...f.negNames]) {
      // Offer the spellings that match what is typed: `-c` for `-`, `--ctx-size` for `--`.
      if (cur.startsWith('--') && !name.startsWith('--')) continue;
      const rank = COMMON.indexOf(f.canonical);
      out.push({
        label: name,
        kind: 'flag',
        insertText: f.kind === 'none' || f.kind === 'bool' ? name : `${name} `,
        replace,
        detail: f.hint ? `${f.hint}` : f.kind,
        documentation: flagDoc(f),
        sortText: `${rank >= 0 ? `0${String(rank).padStart(2, '0')}` : f.sampling ? '3' : f.deprecated ? '4' : '2'}${name}`,
      });
    }
  }
  return out;
}

function isFlagString(o: CompletionOptions, path: readonly PathSeg[]): boolean {
  if (o.format === 'kvlens-profile') return isPathLike(path, 'engine', 'args') || isPathLike(path, 'engine', 'args', '*');
  if (o.format === 'llama-swap') return isPathLike(path, 'models', '*', 'cmd') || isPathLike(path, 'macros', '*') || isPathLike(path, 'models', '*', 'macros', '*');
  return false;
}

function isModelPath(o: CompletionOptions, path: readonly PathSeg[]): boolean {
  if (o.format === 'kvlens-profile') return isPathLike(path, 'model') || isPathLike(path, 'model', 'id') || isPathLike(path, 'speculative', 'draft');
  if (o.format === 'vllm') return isPathLike(path, 'model') || isPathLike(path, 'tokenizer') || isPathLike(path, 'speculative-config', 'model');
  return false;
}

function valueEntries(ctx: CursorContext, offset: number, o: CompletionOptions, root: Schema): CompletionEntry[] {
  const path = ctx.path;
  if (isFlagString(o, path)) return ctx.stringBefore !== undefined || o.format === 'llama-swap' ? flagEntries(ctx.stringBefore ?? '', offset, o.llamaCppBuild) : [];
  if (o.format === 'kvlens-profile' && isPathLike(path, 'targets', '*') && typeof path[1] === 'number') return targetEntries(ctx, o);
  if (isModelPath(o, path)) return modelEntries(ctx, o);
  const s = schemaAt(root, path);
  if (!s) return [];
  const out: CompletionEntry[] = [];
  const doc = typeof s.description === 'string' ? s.description : undefined;
  if (Array.isArray(s.enum)) {
    (s.enum as unknown[]).forEach((v, i) => out.push({ label: String(v), kind: 'enum', insertText: valueText(ctx, v as string, typeof v === 'string'), replace: ctx.replace, documentation: doc, sortText: String(i).padStart(3, '0') }));
    return out;
  }
  const t = typesOf(s);
  if (t.includes('boolean')) for (const v of ['true', 'false']) out.push({ label: v, kind: 'keyword', insertText: v, replace: ctx.replace, documentation: doc });
  const ex = Array.isArray(s.examples) ? (s.examples as unknown[]) : [];
  ex.forEach((v, i) => out.push({ label: String(v), kind: 'value', insertText: valueText(ctx, v as string, typeof v === 'string'), replace: ctx.replace, documentation: doc, sortText: `1${String(i).padStart(3, '0')}` }));
  if (typeof s.default !== 'undefined' && !ex.includes(s.default) && (typeof s.default === 'string' || typeof s.default === 'number')) {
    out.push({ label: String(s.default), kind: 'value', insertText: valueText(ctx, s.default, typeof s.default === 'string'), replace: ctx.replace, detail: 'default', documentation: doc, sortText: '0' });
  }
  return out;
}

export function cursorContext(text: string, offset: number, lang: 'yaml' | 'json'): CursorContext {
  return lang === 'json' ? jsonContext(text, offset) : yamlContext(text, offset);
}

/** Completion entries at `offset`. Never throws: a context it cannot read gives no entries. */
export function completionsAt(text: string, offset: number, o: CompletionOptions): CompletionEntry[] {
  try {
    // A serve command in a shell script: llama.cpp flags and their values on the command being typed.
    if (o.format === 'shell') {
      const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
      const before = text.slice(lineStart, offset);
      return /(^|\s)-[\w-]*$|\s-[\w-]+\s+\S*$/.test(before) ? flagEntries(before.trimStart(), offset, o.llamaCppBuild) : [];
    }
    const root = SCHEMAS[o.format];
    if (!root) return [];
    // A llama.cpp profile's engine.version chooses the flags offered, as it chooses the table its args are checked against.
    if (o.format === 'kvlens-profile') o = { ...o, llamaCppBuild: llamaBuildForText(text, o.lang === 'json' ? 'profile.json' : 'profile.yaml', o.format, o.llamaCppBuild) };
    const ctx = cursorContext(text, offset, o.lang);
    if (ctx.at === 'key') {
      const holder = schemaAt(root, ctx.path);
      // `- h10` in a list of ids is a value; `- ` in a list of mappings starts a mapping's first key.
      const itemTypes = typesOf(holder);
      if (ctx.listItem && (itemTypes.includes('string') || !itemTypes.length || isFlagString(o, ctx.path))) {
        return valueEntries({ ...ctx, at: 'value', stringBefore: ctx.prefix }, offset, o, root);
      }
      if (isFlagString(o, ctx.path)) return [];
      return keyEntries(ctx, holder, root);
    }
    return valueEntries(ctx, offset, o, root);
  } catch {
    return [];
  }
}
