// vLLM options written as YAML/JSON (a `vllm serve --config` file, or a profile's `engine.options`) → the option
// entries vllm/settings.ts turns into EngineSettings, with the range of every setting. vLLM reads the file with
// PyYAML (YAML 1.1): unquoted yes/no/on/off are booleans there, so they are here (yaml11Value). What vLLM would
// refuse beyond the schema (a JSON string option that is not JSON) is reported too.
import type { Deployment, SpeculativeSpec } from '../deployment';
import { DEFAULT_WORKLOAD } from '../deployment';
import type { KvDiagnostic, Range } from '../diagnostics';
import { firstContentRange, keyRange, type DocNode, type ParsedDocument, valueRange } from './document';
import { findVllmOption, normaliseVllmKey } from './vllmOptions';
import { defaultVllmEngine, type VllmOptionEntry, vllmSettingsFrom } from './vllm/settings';
import { lookupVllmOption, vllmTable } from './vllm/tables';
import { boundsProblem } from './vllm/values';
import { boundsFix } from '../fixes/schema';
import type { EngineSettings } from '../deployment';

export { defaultVllmEngine, vllmNumber } from './vllm/settings';

export interface VllmEngine {
  engine: EngineSettings;
  ranges: Partial<Record<string, Range>>;
  model?: { ref: string; range: Range };
  servedName?: string;
  speculative?: SpeculativeSpec;
  diagnostics: KvDiagnostic[];
}

/** PyYAML's YAML 1.1 booleans that YAML 1.2 (the `yaml` package) reads as strings. */
const YAML11_TRUE = new Set(['yes', 'Yes', 'YES', 'on', 'On', 'ON']);
const YAML11_FALSE = new Set(['no', 'No', 'NO', 'off', 'Off', 'OFF']);

/** A node's plain value as PyYAML would load it (unquoted YAML 1.1 booleans become booleans). */
export function yaml11Value(doc: ParsedDocument, n: DocNode): unknown {
  switch (n.type) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const m of n.members ?? []) if (m.key !== '__proto__') o[m.key as string] = yaml11Value(doc, m);
      return o;
    }
    case 'array':
      return (n.items ?? []).map((i) => yaml11Value(doc, i));
    case 'string':
      if (doc.lang === 'yaml' && n.style === 'PLAIN') {
        if (YAML11_TRUE.has(String(n.value))) return true;
        if (YAML11_FALSE.has(String(n.value))) return false;
      }
      return n.value;
    case 'other':
      return undefined;
    default:
      return n.value;
  }
}

/** Reads vLLM options from a mapping node; also reports options written twice in two spellings. */
export function readVllmOptions(doc: ParsedDocument, node: DocNode | undefined, version?: string): VllmEngine {
  if (!node || node.type !== 'object') return { engine: defaultVllmEngine(), ranges: {}, diagnostics: [] };
  const diagnostics: KvDiagnostic[] = [];
  const firstSpelling = new Map<string, DocNode>();
  const entries: VllmOptionEntry[] = [];
  for (const m of node.members ?? []) {
    const key = m.key ?? '';
    const norm = normaliseVllmKey(key);
    const earlier = firstSpelling.get(norm);
    if (earlier && earlier.key !== key) {
      diagnostics.push({
        severity: 'warning',
        code: 'duplicate-key',
        message: `\`${key}\` and \`${earlier.key}\` are the same vLLM option (vLLM reads \`_\` as \`-\`); the last one wins.`,
        range: keyRange(doc, m),
      });
    }
    firstSpelling.set(norm, m);
    const opt = findVllmOption(norm, version);
    if (!opt) continue;
    if (opt.deprecated) {
      diagnostics.push({
        severity: 'warning',
        code: 'deprecated-option',
        message: `\`${key}\` is deprecated in vLLM${version ? ` ${version}` : ''}: ${opt.deprecated.replace(/^\[DEPRECATED\]\s*/, '')}`,
        range: keyRange(doc, m),
      });
    }
    const value = yaml11Value(doc, m);
    const generated = lookupVllmOption(norm, version)?.option;
    const range = generated && (m.type === 'number' || m.type === 'string') ? boundsProblem(generated, value, vllmTable(version).label) : undefined;
    if (range) {
      const r = valueRange(doc, m);
      const fix = boundsFix(generated?.b, generated?.t === 'int' || generated?.t === 'hrint', value, r, doc.text.slice(m.start, m.end));
      diagnostics.push({ severity: 'error', code: 'out-of-range', message: range, range: r, ...(fix ? { fixes: [fix] } : {}) });
    }
    if (opt.kind === 'dictstr' && typeof value === 'string' && /^\s*\{[\s\S]*\}\s*$/.test(value) && !validJson(value)) {
      diagnostics.push({
        severity: 'error',
        code: 'invalid-json',
        message: `\`${key}\` looks like a JSON object but is not valid JSON: vLLM json.loads text in braces and would stop.`,
        range: valueRange(doc, m),
      });
      continue;
    }
    if (opt.kind === 'json' && typeof value === 'string' && !validJson(value)) {
      diagnostics.push({
        severity: 'error',
        code: 'invalid-json',
        message: `\`${key}\` is not valid JSON: vLLM parses this option's text with json.loads and would stop. Write a JSON object, or a YAML mapping.`,
        range: valueRange(doc, m),
      });
      continue;
    }
    const draft = opt.name === 'speculative-config' && m.type === 'object' ? m.props?.get('model') : undefined;
    entries.push({ name: opt.name, value, range: valueRange(doc, m), draftRange: draft ? valueRange(doc, draft) : undefined });
  }
  const s = vllmSettingsFrom(entries);
  return { ...s, diagnostics };
}

function validJson(s: string): boolean {
  const t = s.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return /^-?[0-9]+$/.test(t); // compilation-config: a level
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

/** A whole `vllm serve --config` file → one deployment. */
export function vllmDeployment(doc: ParsedDocument, fileName: string, version?: string): { deployment?: Deployment; diagnostics: KvDiagnostic[] } {
  const root = doc.root;
  if (!root || root.type !== 'object') {
    return {
      diagnostics: [{
        severity: 'error',
        code: 'invalid-type',
        message: 'A vLLM config file must be a mapping of option names to values (e.g. `max-model-len: 32768`).',
        range: firstContentRange(doc),
      }],
    };
  }
  const v = readVllmOptions(doc, root, version);
  const base = fileName.replace(/\\/g, '/').split('/').pop() ?? fileName;
  return {
    deployment: {
      name: v.servedName ?? v.model?.ref ?? base,
      format: 'vllm',
      anchor: firstContentRange(doc),
      model: v.model,
      engine: v.engine,
      workload: { ...DEFAULT_WORKLOAD },
      targets: [],
      speculative: v.speculative,
      settingRanges: v.ranges,
    },
    diagnostics: v.diagnostics,
  };
}

