// llama-swap files inside analyzeText: macros expanded as llama-swap expands them (llamaswap/macros.ts), the
// generated schema checked on the expanded value, then helper A's analyzeLlamaSwap (./llamaSwap.ts) for each
// model's cmd — flags, one deployment per llama-server model.
import type { Deployment } from '../deployment';
import type { KvDiagnostic } from '../diagnostics';
import llamaSwapSchema from '../../../schemas/llama-swap.schema.json';
import { anchorRange, firstContentRange, keyRange, locate, locateNearest, type DocNode, type ParsedDocument, valueRange } from './document';
import { analyzeLlamaSwap } from './llamaSwap';
import { expandLlamaSwapMacros } from './llamaswap/macros';
import { schemaDiagnostics } from './schemaDiagnostics';

type Schema = Record<string, unknown>;
const TOP_KEYS: ReadonlySet<string> = new Set(Object.keys((llamaSwapSchema as unknown as { properties: Schema }).properties));

/** The top-level keys llama-swap's Config decodes (from the generated schema). */
export function llamaSwapTopLevelKeys(): ReadonlySet<string> {
  return TOP_KEYS;
}

export function analyzeSwapDocument(doc: ParsedDocument, opts: { llamaCppBuild?: string } = {}): { deployments: Deployment[]; diagnostics: KvDiagnostic[]; schemaDiagnostics: KvDiagnostic[] } {
  if (doc.lang !== 'yaml') {
    return {
      deployments: [],
      schemaDiagnostics: [],
      diagnostics: [{ severity: 'error', code: 'invalid-type', message: 'llama-swap configs are YAML files.', range: firstContentRange(doc) }],
    };
  }
  if (doc.root?.type !== 'object' || doc.root.props?.get('models')?.type !== 'object') {
    return {
      deployments: [],
      schemaDiagnostics: [],
      diagnostics: [{
        severity: 'error',
        code: 'missing-key',
        message: 'A llama-swap config needs a `models:` mapping (model name → `cmd: llama-server ...`).',
        range: firstContentRange(doc),
      }],
    };
  }
  const schemaDiags: KvDiagnostic[] = [];
  const diagnostics: KvDiagnostic[] = [];
  let ports: Map<string, number> | undefined;
  if (doc.value !== undefined) {
    const expanded = expandLlamaSwapMacros(doc.value, TOP_KEYS);
    ports = expanded.ports;
    for (const x of schemaDiagnostics('llama-swap', doc, withoutNulls(expanded.value))) schemaDiags.push(x);
    for (const f of expanded.findings) {
      const node = locate(doc.root, f.path);
      const range = !node ? anchorRange(doc, locateNearest(doc.root, f.path)) : node.type === 'object' || node.type === 'array' ? anchorRange(doc, node) : valueRange(doc, node);
      diagnostics.push({ severity: f.severity, code: f.code, message: f.message, range });
    }
  }
  schemaNotes(doc, doc.root, llamaSwapSchema as unknown as Schema, diagnostics);
  for (const m of doc.root.props?.get('models')?.members ?? []) {
    if (m.type === 'object' && !m.props?.has('cmd')) {
      diagnostics.push({
        severity: 'warning',
        code: 'missing-cmd',
        message: `Model \`${m.key}\` has no \`cmd\`: llama-swap loads the config but cannot start it ("empty command") when it is requested. A remote API belongs under \`peers\`.`,
        range: keyRange(doc, m),
      });
    }
  }
  const r = analyzeLlamaSwap(doc, ports, opts.llamaCppBuild);
  // A llama-server on a fixed port without `proxy` is reported once, on its `--port` (with the quick fix), as
  // the error llama-swap gives, instead of twice.
  const models = doc.root.props?.get('models');
  // Indexed, not scanned per diagnostic: a file with 75,000 models has as many of each (issue 9: the scans made
  // `kvlens check` quadratic, 56 s of CPU).
  const members = models?.members ?? [];
  const portWithoutCmd = new Map<number, KvDiagnostic>();
  for (const x of diagnostics) if (x.code === 'port-without-cmd' && !portWithoutCmd.has(x.range.start.line)) portWithoutCmd.set(x.range.start.line, x);
  const merged = new Set<KvDiagnostic>();
  for (const d of r.diagnostics) {
    if (d.code !== 'missing-proxy' || portWithoutCmd.size === 0) continue;
    const model = memberAt(members, doc.lines.offset(d.range.start));
    const x = model ? portWithoutCmd.get(keyRange(doc, model).start.line) : undefined;
    if (x && !merged.has(x)) {
      d.severity = 'error';
      d.message = `${x.message} ${d.message}`;
      merged.add(x);
    }
  }
  const kept = merged.size ? diagnostics.filter((x) => !merged.has(x)) : diagnostics;
  for (const d of r.diagnostics) kept.push(d);
  return { deployments: r.deployments, diagnostics: kept, schemaDiagnostics: schemaDiags };
}

/** Keys the generated schema marks as ignored by llama-swap or as a legacy spelling (no JSON-schema keyword for that). */
/** The member whose range holds `offset` (members are in document order: a binary search). */
function memberAt(members: readonly DocNode[], offset: number): DocNode | undefined {
  let lo = 0;
  let hi = members.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (members[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  const m = members[lo];
  return m && m.start <= offset && offset <= m.end ? m : undefined;
}

function schemaNotes(doc: ParsedDocument, node: DocNode | undefined, schema: Schema | undefined, out: KvDiagnostic[], depth = 0): void {
  if (!node || node.type !== 'object' || !schema || depth > 8) return;
  const props = schema.properties as Record<string, Schema> | undefined;
  const extra = schema.additionalProperties;
  for (const m of node.members ?? []) {
    const s = props?.[m.key ?? ''] ?? (typeof extra === 'object' ? (extra as Schema) : undefined);
    if (!s) continue;
    const resolved = typeof s.$ref === 'string' ? refOf(s.$ref) : s;
    if (typeof resolved?.['x-kvlens-ignored'] === 'string') {
      out.push({ severity: 'warning', code: 'ignored-key', message: `${resolved['x-kvlens-ignored'] as string}.`, range: keyRange(doc, m) });
    } else if (typeof resolved?.['x-kvlens-deprecated'] === 'string') {
      out.push({ severity: 'information', code: 'legacy-key', message: `\`${m.key}\`: ${resolved['x-kvlens-deprecated'] as string}.`, range: keyRange(doc, m) });
    }
    schemaNotes(doc, m, resolved, out, depth + 1);
  }
}

function refOf(ref: string): Schema | undefined {
  const m = /^#\/definitions\/(.+)$/.exec(ref);
  return m ? ((llamaSwapSchema as unknown as { definitions: Record<string, Schema> }).definitions[m[1]]) : undefined;
}

/**
 * The config as llama-swap's yaml.v3 decode sees it: a key with an empty value (`on_startup:` with its children
 * commented out) decodes to the field's zero value, with no error, so it is left out before the schema check.
 * Copies only the mappings that change (a file can have 75,000 models).
 */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = withoutNulls(v[i]);
      if (x !== v[i]) (out ??= v.slice())[i] = x;
    }
    return out ?? v;
  }
  if (typeof v !== 'object' || v === null) return v;
  const o = v as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(o)) {
    const x = o[k];
    if (x === null) {
      out ??= { ...o };
      delete out[k];
      continue;
    }
    const y = withoutNulls(x);
    if (y !== x) (out ??= { ...o })[k] = y;
  }
  return out ?? o;
}
