// A KV Lens profile (`*.kvlens.yaml|yml|json`) → one Deployment. The schema has already said what is
// malformed; this reads what is usable, records where every setting is written, and reports what a schema
// cannot: flags inside `engine.args`, settings in the wrong place for the engine kind, a model named twice.
import type { Deployment, EngineSettings, SpeculativeSpec, TargetRef, Workload } from '../deployment';
import { DEFAULT_WORKLOAD } from '../deployment';
import type { KvDiagnostic, QuickFix, Range } from '../diagnostics';
import { firstContentRange, keyRange, languageOf, parseDocument, type DocNode, type ParsedDocument, plain, valueRange } from './document';
import { defaultLlamaEngine, llamaArgsFromNode } from './llamaArgs';
import { modelOfLlama } from './commands/serveCommand';
import { defaultVllmEngine, readVllmOptions } from './vllm';

export const DEFAULT_ACCEPTANCE_RATE = 0.8;
export const DEFAULT_DRAFT_LENGTH = 4;
/** llama.cpp's default `--draft-max` (common.h), used when a draft comes from `-md` in the args. */
export const LLAMA_DEFAULT_DRAFT_MAX = 16;

function profileName(fileName: string): string {
  const base = fileName.replace(/\\/g, '/').split('/').pop() ?? fileName;
  return base.replace(/\.kvlens\.(ya?ml|json)$/i, '').replace(/\.(ya?ml|json)$/i, '') || base;
}

function kindFix(doc: ParsedDocument, kindNode: DocNode, kind: 'vllm' | 'llama.cpp'): QuickFix {
  const raw = doc.text.slice(kindNode.start, kindNode.end);
  const q = /^["']/.test(raw) ? raw[0] : doc.lang === 'json' ? '"' : '';
  return { title: `Change kind to ${kind}`, preferred: true, edits: [{ range: valueRange(doc, kindNode), newText: `${q}${kind}${q}` }] };
}

function posInt(n: DocNode | undefined): number | undefined {
  return n?.type === 'number' && Number.isInteger(n.value) && (n.value as number) >= 1 ? (n.value as number) : undefined;
}

/**
 * The llama.cpp build a llama.cpp profile names in `engine.version` (b8914, upstream, bundled), else undefined:
 * its flags are checked against that build's table, and completion and hovers offer the same table.
 */
export function profileLlamaBuild(doc: ParsedDocument): string | undefined {
  const engine = doc.root?.type === 'object' ? doc.root.props?.get('engine') : undefined;
  if (engine?.props?.get('kind')?.value !== 'llama.cpp') return undefined;
  const version = engine.props.get('version')?.value;
  return typeof version === 'string' && version.trim() ? version.trim() : undefined;
}

/** Profiles are small; a text past this is not parsed again just to find `engine.version` (the setting applies). */
const BUILD_SNIFF_CHARS = 256 * 1024;

/**
 * The llama.cpp flag table for a text: a llama.cpp profile's own `engine.version`, else the setting's build
 * (kvlens.llamaCpp.build). For completion and hovers, which get the text, not the analysis's parse.
 */
export function llamaBuildForText(text: string, fileName: string, format: string | undefined, settingBuild?: string): string | undefined {
  if (format !== 'kvlens-profile' || text.length > BUILD_SNIFF_CHARS || !/\bversion\b/.test(text)) return settingBuild;
  return profileLlamaBuild(parseDocument(text, languageOf(fileName, text))) ?? settingBuild;
}

export function profileDeployment(doc: ParsedDocument, fileName: string, llamaCppBuild?: string): { deployment?: Deployment; diagnostics: KvDiagnostic[] } {
  const diagnostics: KvDiagnostic[] = [];
  const root = doc.root;
  if (!root || root.type !== 'object') {
    if (root) {
      diagnostics.push({
        severity: 'error',
        code: 'invalid-type',
        message: 'A KV Lens profile must be a mapping with `model`, `engine`, `workload` and `targets` (see examples/).',
        range: firstContentRange(doc),
      });
    }
    return { diagnostics };
  }
  const p = root.props ?? new Map<string, DocNode>();
  const settingRanges: Partial<Record<string, Range>> = {};

  // Model: `model: <path or id>` or `model: {id, weights}`.
  let model: Deployment['model'];
  const modelNode = p.get('model');
  if (modelNode?.type === 'string' && String(modelNode.value).trim()) {
    model = { ref: String(modelNode.value), range: valueRange(doc, modelNode) };
  } else if (modelNode?.type === 'object') {
    const id = modelNode.props?.get('id');
    const weights = modelNode.props?.get('weights');
    if (id?.type === 'string' && String(id.value).trim()) {
      model = { ref: String(id.value), range: valueRange(doc, id) };
      if (weights?.type === 'string') {
        model.weights = String(weights.value);
        settingRanges.weights = valueRange(doc, weights);
      }
    }
  }
  if (model) settingRanges.model = model.range;

  // Engine.
  const engineNode = p.get('engine');
  const kindNode = engineNode?.props?.get('kind');
  const kind = kindNode?.value === 'vllm' ? 'vllm' : kindNode?.value === 'llama.cpp' ? 'llama.cpp' : undefined;
  let engine: EngineSettings = kind === 'vllm' ? defaultVllmEngine() : defaultLlamaEngine();
  let speculative: SpeculativeSpec | undefined;
  if (kindNode) settingRanges.kind = valueRange(doc, kindNode);
  const argsNode = engineNode?.props?.get('args');
  const optionsNode = engineNode?.props?.get('options');
  if (kind === 'llama.cpp') {
    if (optionsNode) {
      diagnostics.push({
        severity: 'error',
        code: 'wrong-engine-field',
        message: '`options` holds vLLM options; with `kind: llama.cpp` write llama.cpp flags in `args` (e.g. "-c 32768 -np 4").',
        range: keyRange(doc, optionsNode),
        // Options and no args: the kind is what is wrong.
        fixes: !argsNode && kindNode ? [kindFix(doc, kindNode, 'vllm')] : undefined,
      });
    }
    if (argsNode) {
      // engine.version names the llama.cpp build of a llama.cpp profile (b8914, upstream, bundled).
      const a = llamaArgsFromNode(doc, argsNode, profileLlamaBuild(doc) ?? llamaCppBuild);
      if (a) {
        engine = a.engine;
        for (const x of a.diagnostics) diagnostics.push(x); // no spread: a.diagnostics can be 100,000 long
        Object.assign(settingRanges, a.ranges);
        const mRef = a.parse.modelRef;
        const mSpan = a.parse.spans.modelRef;
        if (mRef && mSpan) {
          if (model) {
            diagnostics.push({
              severity: 'warning',
              code: 'model-twice',
              message: `The profile's \`model\` is what KV Lens sizes; this \`-m ${mRef}\` is ignored here (keep one of them).`,
              range: a.rangeOf(mSpan),
            });
            settingRanges.modelRef = model.range;
          } else {
            model = { ref: mRef, range: a.rangeOf(mSpan) };
            settingRanges.model = model.range;
          }
        } else if (!model) {
          // No `model:` and no -m: `-hf repo[:quant]` (with --hf-file) is the model, as llama-server would download it.
          const hf = modelOfLlama(a.parse);
          if (hf) {
            model = { ref: hf.ref, range: a.rangeOf(hf.span) };
            settingRanges.model = model.range;
          }
        }
        const dRef = a.parse.draftModelRef;
        const dSpan = a.parse.spans.draftModelRef;
        if (dRef && dSpan) speculative = { draftRef: dRef, draftRange: a.rangeOf(dSpan), acceptanceRate: DEFAULT_ACCEPTANCE_RATE, draftLength: LLAMA_DEFAULT_DRAFT_MAX };
      }
    }
  } else if (kind === 'vllm') {
    if (argsNode) {
      diagnostics.push({
        severity: 'error',
        code: 'wrong-engine-field',
        message: '`args` holds llama.cpp flags; with `kind: vllm` write vLLM options under `options` (e.g. `max-model-len: 32768`).',
        range: keyRange(doc, argsNode),
        fixes: !optionsNode && kindNode ? [kindFix(doc, kindNode, 'llama.cpp')] : undefined,
      });
    }
    if (optionsNode?.type === 'object') {
      const version = engineNode?.props?.get('version')?.value;
      const v = readVllmOptions(doc, optionsNode, typeof version === 'string' ? version : undefined);
      engine = v.engine;
      for (const x of v.diagnostics) diagnostics.push(x);
      Object.assign(settingRanges, v.ranges);
      speculative = v.speculative;
      if (v.model) {
        if (model) {
          diagnostics.push({
            severity: 'warning',
            code: 'model-twice',
            message: `The profile's \`model\` is what KV Lens sizes; \`options.model\` (${v.model.ref}) is ignored here (keep one of them).`,
            range: v.model.range,
          });
        } else {
          model = v.model;
          settingRanges.model = model.range;
        }
      }
    }
  }
  if (model) engine.modelRef = model.ref;
  if (!model && engineNode) {
    diagnostics.push({
      severity: 'warning',
      code: 'missing-key',
      message: 'No model: add `model:` (a GGUF file, a config.json or its folder, or a catalog id such as meta-llama/Llama-3.1-8B-Instruct) so KV Lens can size it.',
      range: firstContentRange(doc),
    });
  }

  // Workload.
  const workload: Workload = { ...DEFAULT_WORKLOAD };
  const w = p.get('workload');
  for (const f of ['promptTokens', 'outputTokens', 'concurrency'] as const) {
    const n = w?.props?.get(f);
    const v = posInt(n);
    if (n && v !== undefined) {
      workload[f] = v;
      settingRanges[f] = valueRange(doc, n);
    }
  }

  // Targets.
  const targets: TargetRef[] = [];
  const t = p.get('targets');
  for (const item of t?.type === 'array' ? (t.items ?? []) : []) {
    const range = valueRange(doc, item);
    if (item.type === 'string' && String(item.value)) targets.push({ id: String(item.value), range });
    // `targets: [4090]` is a YAML number; read it as the id it was meant to be (the rule then suggests rtx-4090).
    else if (item.type === 'number') targets.push({ id: String(item.value), range });
    else if (item.type === 'object') targets.push({ inline: plain(item) as Record<string, unknown>, range });
  }

  // Speculative decoding.
  const s = p.get('speculative');
  if (s?.type === 'object') {
    const draft = s.props?.get('draft');
    const rate = s.props?.get('acceptanceRate');
    const len = s.props?.get('draftLength');
    const rateOk = rate?.type === 'number' && (rate.value as number) >= 0 && (rate.value as number) < 1;
    speculative = {
      draftRef: draft?.type === 'string' ? String(draft.value) : undefined,
      draftRange: draft ? valueRange(doc, draft) : undefined,
      acceptanceRate: rateOk ? (rate!.value as number) : DEFAULT_ACCEPTANCE_RATE,
      draftLength: posInt(len) ?? DEFAULT_DRAFT_LENGTH,
    };
    if (rate) settingRanges.acceptanceRate = valueRange(doc, rate);
    if (len) settingRanges.draftLength = valueRange(doc, len);
  }

  const nameNode = p.get('name');
  return {
    deployment: {
      name: nameNode?.type === 'string' && nameNode.value ? String(nameNode.value) : profileName(fileName),
      format: 'kvlens-profile',
      anchor: firstContentRange(doc),
      model,
      engine,
      workload,
      targets,
      speculative,
      settingRanges,
      engineRange: engineNode ? valueRange(doc, engineNode) : undefined,
    },
    diagnostics,
  };
}
